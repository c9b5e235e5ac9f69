//! The wall view: no controls, huge names, meters filling the height; a clipped channel's whole
//! strip turns red until reset, a hot one amber. All strips are one canvas (see `strips`).

use iced::widget::{canvas, container};
use iced::{Element, Length};

use super::layers::Layers;
use super::scene::Scene;
use super::strips::{Strips, Style, wall_lines};

/// Name size for `n` channels across `width` px: 16 channels on a 1080p screen get at least
/// 40 px; long names shrink only as far as that; many channels go down to 20 px.
pub fn name_size(n: usize, width: f32, longest_line: usize) -> f32 {
    let n = n.max(1) as f32;
    let strip = width / n;
    // DejaVu Sans figures are 0.64 em wide, letters about 0.6; leave a margin.
    let fit = strip / (0.7 * longest_line.max(2) as f32);
    let floor = if n <= 16.0 { 40.0 } else { 20.0 };
    fit.clamp(floor, 72.0).min(strip * 0.9).max(14.0)
}

/// Draws nothing that can be clicked, so it fits any message type.
pub fn view<'a, M: 'a>(scene: Scene<'a>, layers: &'a Layers, width: f32) -> Element<'a, M> {
    let s = scene.snapshot;
    let n = s.channels.len();
    // An unnamed channel shows its number: "Input 12" would not fit at wall size.
    let names: Vec<String> = (0..n)
        .map(|i| {
            let number = (i + 1).to_string();
            match scene.roster.name(i).trim() {
                "" => number,
                name if name == format!("Input {number}") => number,
                name => name.to_string(),
            }
        })
        .collect();
    let longest = names
        .iter()
        .flat_map(|name| wall_lines(name))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(2);
    let name_lines = names
        .iter()
        .map(|name| wall_lines(name).len())
        .max()
        .unwrap_or(1);
    let size = name_size(n, width, longest);
    container(
        canvas(Strips {
            scale: Some(&layers.wall_scale),
            below: Some(&layers.wall_below),
            channels: &s.channels,
            live: scene.live,
            thresholds: scene.roster.thresholds(n),
            names,
            selected: None,
            style: Style::Wall {
                name_size: size,
                name_lines,
            },
            neutral: scene.neutral,
            bars: scene.bars.wall,
            bar_color: None,
        })
        .width(Length::Fill)
        .height(Length::Fill),
    )
    .padding(8)
    .width(Length::Fill)
    .height(Length::Fill)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_channels_on_1080p_get_names_of_40_px_or_more() {
        assert!(name_size(16, 1920.0, 4) >= 40.0);
        assert!(name_size(16, 1920.0, 12) >= 40.0);
        assert!(name_size(4, 1920.0, 4) <= 72.0);
        assert!(name_size(64, 1920.0, 4) >= 20.0);
    }
}
