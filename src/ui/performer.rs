//! The performer view: one to four channels, each a huge meter and one word a singer across
//! the room can read.

use iced::widget::{canvas, column, container, row, text};
use iced::{Element, Length};

use super::app::{self, App};
use super::badge::word;
use super::palette;
use super::strips::{Strips, Style};
use crate::snapshot::Snapshot;

/// Meters the view shows at most: four huge meters still fit a screen side by side.
pub const MAX_METERS: usize = 4;

pub fn view<'a>(app: &'a App, s: &'a Snapshot) -> Element<'a, app::Message> {
    let shown = app
        .performer_channels
        .iter()
        .copied()
        .filter(|&i| i < s.channels.len())
        .take(MAX_METERS);
    let neutral = app.neutral();
    row(shown.enumerate().map(|(k, i)| {
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
                // The same strip as on a crowded bridge, one channel wide: its scale left of
                // the bar and its headroom track each a layer of their own, out of the band
                // the bar redraws every frame.
                canvas(Strips {
                    scale: Some(&app.performer_scales[k]),
                    below: Some(&app.performer_tracks[k]),
                    channels: std::slice::from_ref(c),
                    live: app.live_reader(),
                    thresholds: vec![app.threshold(i)],
                    names: Vec::new(),
                    selected: None,
                    style: Style::Bridge { labels: false },
                    neutral,
                })
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
