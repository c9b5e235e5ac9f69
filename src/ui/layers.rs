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
    /// The wall's names and strip grounds above the band, per row of strips.
    pub wall_scale: [Cache; WALL_ROWS],
    /// The wall under its bars: zone colours and loudest true peaks, per row.
    pub wall_below: [Cache; WALL_ROWS],
    /// Per performer meter: its scale, and its headroom track (refreshed with the words).
    pub performer_scales: [Cache; MAX_METERS],
    pub performer_tracks: [Cache; MAX_METERS],
    /// What the wall's layers show now: a change of either clears them.
    wall_zones: Vec<Zone>,
    wall_numbers: Vec<String>,
}

impl Layers {
    /// Everything stale: presets, thresholds or the theme changed.
    pub fn clear(&mut self) {
        self.bridge_scale.clear();
        self.bridge_tracks.clear();
        for cache in self
            .performer_scales
            .iter()
            .chain(&self.performer_tracks)
            .chain(&self.wall_scale)
            .chain(&self.wall_below)
        {
            cache.clear();
        }
    }

    /// A new snapshot for the words and numbers: the tracks are redrawn, the wall's layers
    /// only where a zone or a loudest peak changed.
    pub fn refresh(&mut self, snapshot: &Snapshot, roster: &Roster) {
        let zones: Vec<Zone> = snapshot
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| Zone::of(&c.readings, roster.params(i).hot_dbtp))
            .collect();
        if zones != self.wall_zones {
            for cache in self.wall_scale.iter().chain(&self.wall_below) {
                cache.clear();
            }
            self.wall_zones = zones;
        }
        let numbers: Vec<String> = snapshot
            .channels
            .iter()
            .map(|c| super::strips::db_text(c.readings.max_true_peak_dbtp))
            .collect();
        if numbers != self.wall_numbers {
            for cache in &self.wall_below {
                cache.clear();
            }
            self.wall_numbers = numbers;
        }
        self.bridge_tracks.clear();
        for cache in &self.performer_tracks {
            cache.clear();
        }
    }
}
