//! The performer view: one to four channels, each a huge meter and one word a singer across
//! the room can read.
//!
//! The word follows the advisor (its hysteresis keeps HOT up for a few seconds after the
//! level drops, so it does not flicker); the bar under it takes the word's colour, not its
//! own level's, so the two never say different things. The bar's height still moves with the
//! level.

use iced::widget::{canvas, column, container, row, text};
use iced::{Color, Element, Length};

use super::badge::Verdict;
use super::layers::Layers;
use super::palette::{self, Neutral};
use super::roster::Roster;
use super::scene::Scene;
use super::strips::{Strips, Style};
use crate::snapshot::ChannelSnapshot;

/// Meters the view shows at most: four huge meters still fit a screen side by side.
pub const MAX_METERS: usize = 4;

/// The colour of a verdict's word and of the bar under it.
pub fn verdict_color(v: Verdict, neutral: Neutral) -> Color {
    match v {
        Verdict::Good => palette::GREEN,
        Verdict::Hot => palette::AMBER,
        Verdict::Clip => palette::RED,
        Verdict::Low | Verdict::NoSignal => neutral.text,
    }
}

/// Channel `c`'s state as the performer sees it: the word, and the one colour of the word and
/// the bar.
pub fn verdict(c: &ChannelSnapshot, neutral: Neutral) -> (&'static str, Color) {
    let v = Verdict::of(&c.warnings, c.readings.overs > 0);
    (v.word(), verdict_color(v, neutral))
}

/// The meter of channel `i` (`c`), coloured `color`.
fn meter<'a>(
    scene: &Scene<'a>,
    layers: &'a Layers,
    k: usize,
    i: usize,
    c: &'a ChannelSnapshot,
    color: Color,
) -> Strips<'a> {
    let roster: &Roster = scene.roster;
    Strips {
        scale: Some(&layers.performer_scales[k]),
        below: Some(&layers.performer_tracks[k]),
        channels: std::slice::from_ref(c),
        live: scene.live,
        thresholds: vec![roster.threshold(i)],
        names: Vec::new(),
        selected: None,
        style: Style::Bridge { labels: false },
        neutral: scene.neutral,
        bars: scene.bars.performer,
        bar_color: Some(color),
        wall: &[],
    }
}

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
    let meters = row(shown.enumerate().map(|(k, i)| {
        let c = &s.channels[i];
        let (word, color) = verdict(c, neutral);
        let name = if roster.name(i).is_empty() {
            format!("Input {}", c.channel)
        } else {
            roster.name(i).to_string()
        };
        container(
            column![
                text(name).size(44).color(neutral.text),
                text(word).size(96).color(color),
                // The same strip as on a crowded bridge, one channel wide: its scale left of
                // the bar and its headroom track each a layer of their own, out of the band
                // the bar redraws every frame.
                canvas(meter(&scene, layers, k, i, c, color))
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
    .spacing(16);
    // A running take in plain text (the zone colours mean levels only). Its line is kept when
    // none runs, so the meters never jump when one starts.
    let take = s
        .open_take
        .as_ref()
        .map_or_else(String::new, |t| t.label(s.t_s));
    column![
        container(text(take).size(TAKE_SIZE).color(neutral.text))
            .height(Length::Fixed(TAKE_SIZE * 1.4))
            .center_x(Length::Fill),
        meters,
    ]
    .into()
}

/// Size of the running take's line (px): a second reading, smaller than a channel's name.
const TAKE_SIZE: f32 = 30.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisor::{LiveAdvisor, LiveConfig, SourcePreset};
    use crate::meter::{MeterBank, MeterConfig};
    use crate::snapshot::Snapshot;
    use crate::ui::bars::ViewBars;
    use iced::Size;

    const RATE: u32 = 48_000;

    /// A sine that sits at -20 dBFS, rises above the generic preset's hot level, and falls
    /// back: the advisor holds HOT for its clear-after time after the fall, while the level
    /// is already back in range.
    fn level_at(t: f64) -> f64 {
        if (2.0..4.0).contains(&t) { -3.0 } else { -20.0 }
    }

    #[test]
    fn the_word_and_the_bar_agree_while_a_signal_crosses_hot_up_and_down() {
        let params = SourcePreset::Generic.params();
        assert!(params.hot_dbtp > -20.0 && params.hot_dbtp < -3.0);
        let mut bank = MeterBank::new(1, RATE, &MeterConfig::default()).unwrap();
        let mut advisor = LiveAdvisor::new(vec![params.clone()], RATE, LiveConfig::default());
        let roster = Roster::default();
        let layers = Layers::default();
        let neutral = palette::ThemeChoice::Dark.neutral();
        let step = RATE as usize / 20;
        let (mut words, mut disagreed, mut level_hot_word_hot, mut level_good_word_hot) =
            (Vec::new(), 0, 0, 0);
        // The advisor judges peaks over its 10 s window and clears 3 s after they leave it.
        for k in 0..400 {
            let t = k as f64 / 20.0;
            let a = 10f64.powf(level_at(t) / 20.0);
            let block: Vec<f32> = (0..step)
                .map(|n| {
                    let s = (k * step + n) as f64 / f64::from(RATE);
                    (a * (std::f64::consts::TAU * 1000.0 * s).sin()) as f32
                })
                .collect();
            bank.process_planar(&[&block]);
            let readings = bank.readings(0);
            let warnings = advisor.update(t, 0, &readings).to_vec();
            let c = ChannelSnapshot {
                channel: 1,
                readings,
                warnings,
                history: std::sync::Arc::from([]),
            };
            let (word, color) = verdict(&c, neutral);
            let snapshot = Snapshot {
                seq: k as u64,
                t_s: t,
                state: crate::snapshot::StreamState::Running,
                source: crate::snapshot::SourceInfo::default(),
                dropped_frames: 0,
                xruns: 0,
                channels: vec![c],
                log: Default::default(),
                checkpoints: Default::default(),
                events: std::sync::Arc::from(Vec::new()),
                takes: std::sync::Arc::from(Vec::new()),
                takes_pending: false,
                open_take: None,
            };
            let scene = Scene {
                snapshot: &snapshot,
                roster: &roster,
                live: None,
                neutral,
                bars: ViewBars::default(),
            };
            let strips = meter(&scene, &layers, 0, 0, &snapshot.channels[0], color);
            let batch = strips.live_batch(Size::new(300.0, 800.0), &[&snapshot.channels[0]]);
            // The bar: the tallest rectangle drawn in a level colour or the word's.
            let bar = batch
                .rects
                .iter()
                .filter(|(_, _, s)| s.height > 3.0)
                .filter(|(c, _, _)| {
                    [palette::GREEN, palette::AMBER, palette::RED, neutral.text].contains(c)
                })
                .max_by(|a, b| a.2.height.total_cmp(&b.2.height))
                .map(|r| r.0)
                .expect("a bar");
            if bar != color {
                disagreed += 1;
            }
            let level_hot = readings.falling_true_peak_dbtp > params.hot_dbtp;
            if word == "HOT" {
                if level_hot {
                    level_hot_word_hot += 1;
                } else {
                    level_good_word_hot += 1;
                }
            }
            if words.last() != Some(&word) {
                words.push(word);
            }
        }
        assert_eq!(
            words,
            vec!["GOOD", "HOT", "GOOD"],
            "the signal crossed hot and back"
        );
        // Both the stretch where the level is hot and the one where only the hysteresis
        // holds the word were drawn, and in neither did the bar's colour leave the word's.
        assert!(level_hot_word_hot > 10 && level_good_word_hot > 10);
        assert_eq!(disagreed, 0);
    }
}
