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

/// The track as reports carry it: one `i16` per point, tenths of a dB (the resolution the
/// saved JSON has always had), [`SILENT`] for a point with no signal. Two bytes a point
/// instead of eight for an `Option<f32>` keeps a take's tracks at `channels × 4 kB`.
/// Serialized exactly as before: `{"bin_s": 0.01, "peaks_dbtp": [-12.3, null, …]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(into = "TrackJson", from = "TrackJson")]
pub struct TrackReport {
    /// Seconds each point covers.
    pub bin_s: f64,
    /// Max true peak per point in tenths of a dB, oldest first.
    deci_db: Box<[i16]>,
}

/// A point with no signal (or below -3276.7 dB, which no meter shows).
pub const SILENT: i16 = i16::MIN;

/// The saved form of a [`TrackReport`].
#[derive(Serialize, Deserialize)]
struct TrackJson {
    bin_s: f64,
    peaks_dbtp: Vec<Option<f32>>,
}

impl From<TrackReport> for TrackJson {
    fn from(t: TrackReport) -> Self {
        Self {
            bin_s: t.bin_s,
            peaks_dbtp: t.peaks().collect(),
        }
    }
}

impl From<TrackJson> for TrackReport {
    fn from(j: TrackJson) -> Self {
        TrackReport::from_db(j.bin_s, j.peaks_dbtp.iter().map(|p| p.map(f64::from)))
    }
}

impl TrackReport {
    /// A track from per-point levels in dBTP (`None`: silence), kept to a tenth of a dB.
    pub fn from_db(bin_s: f64, peaks: impl Iterator<Item = Option<f64>>) -> Self {
        let deci = |db: f64| {
            let d = (db * 10.0).round();
            if d.is_finite() && d > f64::from(SILENT) {
                d.min(f64::from(i16::MAX)) as i16
            } else {
                SILENT
            }
        };
        Self {
            bin_s,
            deci_db: peaks.map(|p| p.map_or(SILENT, deci)).collect(),
        }
    }

    /// Points in the track.
    pub fn len(&self) -> usize {
        self.deci_db.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deci_db.is_empty()
    }

    /// The level at point `i` (dBTP, one decimal); `None` for silence or past the end.
    pub fn peak(&self, i: usize) -> Option<f32> {
        self.deci_db
            .get(i)
            .filter(|&&d| d != SILENT)
            .map(|&d| (f64::from(d) / 10.0) as f32)
    }

    /// Every point's level (dBTP, one decimal), oldest first; `None` for silence.
    pub fn peaks(&self) -> impl Iterator<Item = Option<f32>> + '_ {
        (0..self.len()).map(|i| self.peak(i))
    }

    /// Bytes this track holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.deci_db)
    }
}

impl HeadroomTrack {
    pub fn new(origin: u64, rate: u32) -> Self {
        Self {
            bins: vec![0.0; TRACK_POINTS].into_boxed_slice(),
            used: 0,
            bin_frames: first_bin_frames(rate),
            origin,
        }
    }

    /// Empty again, for a take starting at `origin`, in the same bins.
    pub fn restart(&mut self, origin: u64, rate: u32) {
        self.bins.fill(0.0);
        self.used = 0;
        self.bin_frames = first_bin_frames(rate);
        self.origin = origin;
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

    /// Bytes it holds on the heap (fixed when made).
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.bins)
    }

    pub fn bin_s(&self, rate: u32) -> f64 {
        self.bin_frames as f64 / f64::from(rate.max(1))
    }

    pub fn report(&self, rate: u32) -> TrackReport {
        TrackReport::from_db(
            self.bin_s(rate),
            self.bins[..self.used].iter().map(|&p| {
                let db = crate::meter::level::amplitude_to_db(f64::from(p));
                (db > -200.0).then_some(db)
            }),
        )
    }
}

/// Frames in a point before any merge: [`FIRST_BIN_S`] at `rate`.
fn first_bin_frames(rate: u32) -> u64 {
    ((FIRST_BIN_S * f64::from(rate.max(1))).round() as u64).max(1)
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
        assert_eq!(r.peak(617), Some(0.0), "the 1.0 peak lands in bin 1234 / 2");
        assert_eq!(r.peak(616), Some(-6.0));
        assert_eq!(r.peak(1000), Some(-12.0));
    }

    #[test]
    fn a_track_saves_as_tenths_of_a_db_with_null_for_silence_and_reads_back_the_same() {
        let t = TrackReport::from_db(
            0.02,
            [Some(-12.34), None, Some(1.56), Some(-150.0)].into_iter(),
        );
        assert_eq!(t.heap_bytes(), 8, "two bytes a point");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"bin_s":0.02,"peaks_dbtp":[-12.3,null,1.6,-150.0]}"#
        );
        let back: TrackReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(
            TrackReport::from_db(0.01, [Some(f64::NEG_INFINITY)].into_iter()).peak(0),
            None
        );
    }
}
