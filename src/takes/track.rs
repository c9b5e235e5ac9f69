//! A headroom track: one input's max true peak over a whole take at a fixed number of points.
//! When the points are full, neighbours merge pairwise and each point covers twice the time,
//! so a take of any length costs the same memory. Pure; allocates only when created.

use serde::{Deserialize, Serialize};

/// Points a track holds, however long the take.
pub const TRACK_POINTS: usize = 2000;

/// Time one point covers at first (s): a 20 s take is shown at this resolution.
pub const FIRST_BIN_S: f64 = 0.01;

#[derive(Debug, Clone)]
pub struct HeadroomTrack {
    /// Max true peak per bin (linear), `TRACK_POINTS` long; the first `used` are filled.
    bins: Box<[f32]>,
    used: usize,
    /// Frames per bin; doubles at each merge.
    bin_frames: u64,
    /// The take's first frame.
    origin: u64,
}

/// The track as reports carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackReport {
    /// Seconds each point covers.
    pub bin_s: f64,
    /// Max true peak per point (dBTP, one decimal), oldest first; `null` for silence.
    pub peaks_dbtp: Vec<Option<f32>>,
}

impl HeadroomTrack {
    pub fn new(origin: u64, rate: u32) -> Self {
        Self {
            bins: vec![0.0; TRACK_POINTS].into_boxed_slice(),
            used: 0,
            bin_frames: ((FIRST_BIN_S * f64::from(rate.max(1))).round() as u64).max(1),
            origin,
        }
    }

    /// Frames `start..start + frames` peaked at `true_peak` (linear). Blocks before the
    /// origin count from it.
    pub fn push(&mut self, start: u64, frames: u64, true_peak: f64) {
        if frames == 0 {
            return;
        }
        let from = start.saturating_sub(self.origin);
        let to = (start + frames - 1).saturating_sub(self.origin);
        while to / self.bin_frames >= TRACK_POINTS as u64 {
            self.merge();
        }
        let (a, b) = (
            (from / self.bin_frames) as usize,
            (to / self.bin_frames) as usize,
        );
        let peak = true_peak as f32;
        for bin in &mut self.bins[a..=b] {
            *bin = bin.max(peak);
        }
        self.used = self.used.max(b + 1);
    }

    fn merge(&mut self) {
        let half = TRACK_POINTS / 2;
        for i in 0..half {
            self.bins[i] = self.bins[2 * i].max(self.bins[2 * i + 1]);
        }
        self.bins[half..].fill(0.0);
        self.used = self.used.div_ceil(2);
        self.bin_frames *= 2;
    }

    /// Points filled so far (never more than [`TRACK_POINTS`]).
    pub fn len(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    pub fn bin_s(&self, rate: u32) -> f64 {
        self.bin_frames as f64 / f64::from(rate.max(1))
    }

    pub fn report(&self, rate: u32) -> TrackReport {
        TrackReport {
            bin_s: self.bin_s(rate),
            peaks_dbtp: self.bins[..self.used]
                .iter()
                .map(|&p| {
                    let db = crate::meter::level::amplitude_to_db(f64::from(p));
                    (db.is_finite() && db > -200.0).then(|| ((db * 10.0).round() / 10.0) as f32)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_tracks_merge_pairwise_keeping_every_maximum() {
        // 100 Hz "rate": one frame per 10 ms bin.
        let mut t = HeadroomTrack::new(0, 100);
        for f in 0..TRACK_POINTS as u64 {
            t.push(f, 1, if f == 1234 { 1.0 } else { 0.5 });
        }
        assert_eq!(t.len(), TRACK_POINTS);
        t.push(TRACK_POINTS as u64, 1, 0.25);
        assert_eq!(t.len(), TRACK_POINTS / 2 + 1);
        assert_eq!(t.bin_s(100), 0.02);
        let r = t.report(100);
        assert_eq!(
            r.peaks_dbtp[617],
            Some(0.0),
            "the 1.0 peak lands in bin 1234 / 2"
        );
        assert_eq!(r.peaks_dbtp[616], Some(-6.0));
        assert_eq!(r.peaks_dbtp[1000], Some(-12.0));
    }
}
