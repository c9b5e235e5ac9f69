//! The canvas layers that change seldom, per view, and when each goes stale. The meters'
//! band redraws every frame on its own (`strips`); these caches hold what sits outside it, so
//! a frame repaints only the band. Each is cleared exactly when what it shows changed.

use iced::widget::canvas::Cache;

use super::palette::Zone;
use super::performer::MAX_METERS;
use super::roster::Roster;
use crate::snapshot::Snapshot;

/// The most rows of strips the wall lays out.
pub const WALL_ROWS: usize = 6;

#[derive(Debug, Default)]
pub struct Layers {
    /// The bridge's scales and target zones: stale on a preset, threshold or theme change.
    pub bridge_scale: Cache,
    /// The bridge's headroom tracks: stale every time the words and numbers refresh.
    pub bridge_tracks: Cache,
    /// The wall's layers outside the band, per channel (index 0 = channel 1): a strip's
    /// name and number are redrawn when its own zone or number changes, not its row's. A
    /// snare's strip turning amber on every hit rebuilt every name and number on the wall
    /// (outlines, hinting) four times a second: a tenth of the 4K wall's cost.
    pub wall: Vec<WallStrip>,
    /// Per performer meter: its scale, and its headroom track (refreshed with the words).
    pub performer_scales: [Cache; MAX_METERS],
    pub performer_tracks: [Cache; MAX_METERS],
    /// What the wall's layers show now: a change of either clears them.
    wall_zones: Vec<Zone>,
    wall_numbers: Vec<String>,
}

/// One wall strip's caches outside the bars' band.
#[derive(Debug, Default)]
pub struct WallStrip {
    /// Its name and its zone's colour above the band.
    pub name: Cache,
    /// Its loudest true peak and its zone's colour under the band.
    pub number: Cache,
}

impl Layers {
    /// Everything stale: presets, thresholds or the theme changed.
    pub fn clear(&mut self) {
        self.bridge_scale.clear();
        self.bridge_tracks.clear();
        for cache in self.performer_scales.iter().chain(&self.performer_tracks) {
            cache.clear();
        }
        for strip in &self.wall {
            strip.name.clear();
            strip.number.clear();
        }
    }

    /// A new snapshot for the words and numbers: the tracks are redrawn, the wall's layers
    /// only where a zone or a loudest peak changed.
    pub fn refresh(&mut self, snapshot: &Snapshot, roster: &Roster) {
        let n = snapshot.channels.len();
        if self.wall.len() != n {
            self.wall.resize_with(n, WallStrip::default);
        }
        let zones: Vec<Zone> = snapshot
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| Zone::of(&c.readings, roster.params(i).hot_dbtp))
            .collect();
        let numbers: Vec<String> = snapshot
            .channels
            .iter()
            .map(|c| super::strips::db_text(c.readings.max_true_peak_dbtp))
            .collect();
        for (i, strip) in self.wall.iter().enumerate() {
            let zone_changed = self.wall_zones.get(i) != zones.get(i);
            if zone_changed {
                strip.name.clear();
            }
            if zone_changed || self.wall_numbers.get(i) != numbers.get(i) {
                strip.number.clear();
            }
        }
        self.wall_zones = zones;
        self.wall_numbers = numbers;
        self.bridge_tracks.clear();
        for cache in &self.performer_tracks {
            cache.clear();
        }
    }
}
