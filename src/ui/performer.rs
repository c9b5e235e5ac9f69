//! The performer view: one to four channels, each a huge meter and one word a singer across
//! the room can read.

use iced::widget::{canvas, column, container, row, text};
use iced::{Element, Length};

use super::badge::word;
use super::layers::Layers;
use super::palette;
use super::scene::Scene;
use super::strips::{Strips, Style};

/// Meters the view shows at most: four huge meters still fit a screen side by side.
pub const MAX_METERS: usize = 4;

/// The meters of `channels` (from 0; at most [`MAX_METERS`]).
/// Draws nothing that can be clicked, so it fits any message type.
pub fn view<'a, M: 'a>(scene: Scene<'a>, channels: &[usize], layers: &'a Layers) -> Element<'a, M> {
    let s = scene.snapshot;
    let roster = scene.roster;
    let shown = channels
        .iter()
        .copied()
        .filter(|&i| i < s.channels.len())
        .take(MAX_METERS);
    let neutral = scene.neutral;
    row(shown.enumerate().map(|(k, i)| {
        let c = &s.channels[i];
        let word = word(&c.warnings, c.readings.overs > 0);
        let word_color = match word {
            "GOOD" => palette::GREEN,
            "HOT" => palette::AMBER,
            "CLIP" => palette::RED,
            _ => neutral.text,
        };
        let name = if roster.name(i).is_empty() {
            format!("Input {}", c.channel)
        } else {
            roster.name(i).to_string()
        };
        container(
            column![
                text(name).size(44).color(neutral.text),
                text(word).size(96).color(word_color),
                // The same strip as on a crowded bridge, one channel wide: its scale left of
                // the bar and its headroom track each a layer of their own, out of the band
                // the bar redraws every frame.
                canvas(Strips {
                    scale: Some(&layers.performer_scales[k]),
                    below: Some(&layers.performer_tracks[k]),
                    channels: std::slice::from_ref(c),
                    live: scene.live,
                    thresholds: vec![roster.threshold(i)],
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
