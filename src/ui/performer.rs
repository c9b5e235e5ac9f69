//! The performer view: one to four channels, each a huge meter and one word a singer across
//! the room can read.

use iced::widget::{canvas, column, container, row, text};
use iced::{Element, Length};

use super::app::{self, App};
use super::badge::word;
use super::palette;
use super::strips::{Strips, Style};
use crate::snapshot::Snapshot;

pub fn view<'a>(app: &'a App, s: &'a Snapshot) -> Element<'a, app::Message> {
    let shown = app
        .performer_channels
        .iter()
        .copied()
        .filter(|&i| i < s.channels.len())
        .take(4);
    let neutral = app.neutral();
    row(shown.map(|i| {
        let c = &s.channels[i];
        let word = word(&c.warnings, c.readings.overs > 0);
        let word_color = match word {
            "GOOD" => palette::GREEN,
            "HOT" => palette::AMBER,
            "CLIP" => palette::RED,
            _ => neutral.text,
        };
        let name = if app.name(i).is_empty() {
            format!("Input {}", c.channel)
        } else {
            app.name(i).to_string()
        };
        container(
            column![
                text(name).size(44).color(neutral.text),
                text(word).size(96).color(word_color),
                // The same strip as on the bridge, one channel wide.
                iced::widget::stack![
                    canvas(Strips {
                        scale: None,
                        below: None,
                        channels: std::slice::from_ref(c),
                        live: app.live_reader(),
                        thresholds: vec![app.threshold(i)],
                        names: Vec::new(),
                        selected: None,
                        style: Style::Bridge { labels: true },
                        neutral,
                    })
                    .width(Length::Fill)
                    .height(Length::Fill),
                    super::scale_labels::scale_labels(1, neutral.scale),
                ]
                .width(Length::Fill)
                .height(Length::Fill),
            ]
            .spacing(8)
            .align_x(iced::alignment::Horizontal::Center),
        )
        .padding(12)
        .width(Length::Fill)
        .height(Length::Fill)
        .into()
    }))
    .spacing(16)
    .into()
}
