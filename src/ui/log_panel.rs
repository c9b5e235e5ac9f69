//! The session log panel: the latest clips and warnings with their times, newest first, as the
//! meter thread wrote them to the session log file.

use iced::widget::{column, container, row, scrollable, text};
use iced::{Element, Length};

use super::palette::{self, Neutral};
use crate::advisor::LogEntry;
use crate::advisor::events::LogEventKind;

/// Height of the panel (px): about ten entries, the rest a scroll away.
const HEIGHT: f32 = 260.0;

/// "22:29:16" from "2026-11-23T22:29:16.123Z": the date is the file's, the time is what matters
/// on the day.
pub fn clock(time: &str) -> &str {
    time.get(11..19).unwrap_or(time)
}

pub fn view<'a, M: 'a>(events: &'a [LogEntry], neutral: Neutral, path: &str) -> Element<'a, M> {
    let title = text(format!("Session log — {path}"))
        .size(16)
        .color(neutral.dim_text);
    let lines: Element<'a, M> = if events.is_empty() {
        text("Nothing yet: clips and warnings appear here with their times.")
            .size(18)
            .color(neutral.dim_text)
            .into()
    } else {
        column(events.iter().rev().map(|e| {
            let (mark, color) = match e.event {
                LogEventKind::Clip => ("CLIP", palette::RED),
                LogEventKind::Raised => ("WARN", palette::AMBER),
                LogEventKind::Cleared => ("ok", neutral.dim_text),
                LogEventKind::TakeStart | LogEventKind::TakeEnd => ("TAKE", neutral.dim_text),
                LogEventKind::Gain => ("GAIN", palette::AMBER),
            };
            row![
                text(clock(&e.time)).size(18).color(neutral.dim_text),
                text(mark).size(18).color(color).width(56),
                text(&e.name).size(18).color(neutral.text).width(140),
                text(&e.message).size(18).color(neutral.text),
            ]
            .spacing(12)
            .into()
        }))
        .spacing(2)
        .into()
    };
    container(column![title, scrollable(lines).height(Length::Fill)].spacing(6))
        .padding(10)
        .width(Length::Fill)
        .height(HEIGHT)
        .style(move |_| container::Style::default().background(neutral.panel))
        .into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_takes_the_time_of_day() {
        assert_eq!(super::clock("2026-11-23T22:29:16.123Z"), "22:29:16");
        assert_eq!(super::clock("bad"), "bad");
    }
}
