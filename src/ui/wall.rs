//! The wall view: no controls, huge names, meters filling the height; a clipped channel's whole
//! strip turns red until reset, a hot one amber.

use iced::widget::{canvas, column, container, row, text};
use iced::{Element, Length};

use super::app::{self, App};
use super::meter::MeterBar;
use super::palette::{self, Zone};
use crate::snapshot::Snapshot;

pub fn view<'a>(app: &'a App, s: &'a Snapshot) -> Element<'a, app::Message> {
    let n = s.channels.len().max(1);
    // 16 channels on 1080p get 40 px names and more; many channels shrink towards 20 px.
    let name_size = (1600.0 / n as f32).clamp(20.0, 56.0);
    let strips = row(s.channels.iter().enumerate().map(|(i, c)| {
        let params = app.params(i);
        let zone = Zone::of(&c.readings, &params);
        let background = match zone {
            Zone::Good => palette::BACKGROUND,
            other => other.color(),
        };
        // An unnamed channel shows its number: "Input 12" would not fit at wall size.
        let default = format!("Input {}", c.channel);
        let name = match app.name(i) {
            "" => c.channel.to_string(),
            n if n == default => c.channel.to_string(),
            n => n.to_string(),
        };
        container(
            column![
                text(name)
                    .size(name_size)
                    .color(palette::TEXT)
                    .center()
                    .wrapping(text::Wrapping::None)
                    .width(Length::Fill),
                canvas(MeterBar::for_channel(
                    &app.scales[i],
                    &c.readings,
                    &params,
                    false
                ))
                .width(Length::Fill)
                .height(Length::Fill),
            ]
            .spacing(6),
        )
        .padding(6)
        .width(Length::Fill)
        .height(Length::Fill)
        .style(move |_| container::Style::default().background(background))
        .into()
    }))
    .spacing(4);
    container(strips)
        .padding(8)
        .width(Length::Fill)
        .height(Length::Fill)
        .style(|_| container::Style::default().background(palette::BACKGROUND))
        .into()
}
