//! Clip bursts: clips no more than [`BURST_GAP_S`] apart are one burst, so a drum hit that
//! clips forty times in a second is one thing to look at, with where it started, how long it
//! lasted, its overs and clipped samples and its highest level. Pure; frames in, bursts out.

use serde::{Deserialize, Serialize};

/// Clips closer than this (seconds) belong to the same burst.
pub const BURST_GAP_S: f64 = 0.5;

/// One clip burst, in frames of the stream (absolute).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    /// First clipped frame.
    pub start: u64,
    /// One past the last clipped frame.
    pub end: u64,
    pub overs: u64,
    pub clipped_samples: u64,
    /// Highest |sample| of the blocks that clipped (linear).
    pub max_level: f64,
    /// Highest true peak of the blocks that clipped (linear).
    pub max_true_peak: f64,
}

/// A burst as reports and logs show it: seconds from a reference (a take's start).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BurstReport {
    /// First clip, seconds from the take's start.
    pub start_s: f64,
    /// From the first clipped sample to the end of the last (s).
    pub duration_s: f64,
    pub overs: u64,
    pub clipped_samples: u64,
    /// Highest sample level while it clipped (dBFS).
    pub max_level_dbfs: Option<f64>,
}

impl Burst {
    /// The burst in seconds from `origin` (a frame) at `rate`.
    pub fn report(&self, origin: u64, rate: u32) -> BurstReport {
        let rate = f64::from(rate.max(1));
        BurstReport {
            start_s: round_ms(self.start.saturating_sub(origin) as f64 / rate),
            duration_s: round_ms((self.end - self.start) as f64 / rate),
            overs: self.overs,
            clipped_samples: self.clipped_samples,
            max_level_dbfs: db2(crate::meter::level::amplitude_to_db(self.max_level)),
        }
    }
}

/// Milliseconds are finer than any burst time anyone reads; keeps files short.
pub(crate) fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// Two decimals; `None` for silence or non-finite.
pub(crate) fn db2(v: f64) -> Option<f64> {
    (v.is_finite() && v > -200.0).then(|| (v * 100.0).round() / 100.0)
}

/// Groups one input's clips into bursts. O(1) per block, allocates nothing.
#[derive(Debug, Clone)]
pub struct BurstDetector {
    gap: u64,
    open: Option<Burst>,
}

impl BurstDetector {
    pub fn new(rate: u32) -> Self {
        Self {
            gap: (BURST_GAP_S * f64::from(rate.max(1))).round() as u64,
            open: None,
        }
    }

    /// Clips in one block: `clipped` samples and `overs` between frames `first` and `last`
    /// (absolute, inclusive), the block's sample peak `level` and `true_peak` (linear).
    /// Returns the previous burst when these clips start a new one.
    pub fn clips(
        &mut self,
        first: u64,
        last: u64,
        (clipped, overs): (u64, u64),
        level: f64,
        true_peak: f64,
    ) -> Option<Burst> {
        let closed = match self.open {
            Some(b) if first.saturating_sub(b.end.saturating_sub(1)) > self.gap => self.open.take(),
            _ => None,
        };
        let b = self.open.get_or_insert(Burst {
            start: first,
            end: first,
            overs: 0,
            clipped_samples: 0,
            max_level: 0.0,
            max_true_peak: 0.0,
        });
        b.end = b.end.max(last + 1);
        b.overs += overs;
        b.clipped_samples += clipped;
        b.max_level = b.max_level.max(level);
        b.max_true_peak = b.max_true_peak.max(true_peak);
        closed
    }

    /// The stream has reached `frame`: the open burst ends if its last clip is more than the
    /// gap ago.
    pub fn quiet_until(&mut self, frame: u64) -> Option<Burst> {
        match self.open {
            Some(b) if frame.saturating_sub(b.end.saturating_sub(1)) > self.gap => self.open.take(),
            _ => None,
        }
    }

    /// Ends the open burst, if any (the take or the stream ended).
    pub fn finish(&mut self) -> Option<Burst> {
        self.open.take()
    }

    /// The burst still open, if any.
    pub fn open(&self) -> Option<&Burst> {
        self.open.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_within_half_a_second_are_one_burst() {
        let mut d = BurstDetector::new(1000);
        assert_eq!(d.clips(100, 101, (2, 1), 1.0, 1.0), None);
        assert_eq!(
            d.clips(600, 600, (1, 1), 1.0, 1.0),
            None,
            "499 frames after the last clip"
        );
        assert_eq!(d.quiet_until(1100), None, "exactly the gap");
        let b = d.quiet_until(1101).expect("closed after the gap");
        assert_eq!(
            (b.start, b.end, b.overs, b.clipped_samples),
            (100, 601, 2, 3)
        );
        let report = b.report(50, 1000);
        assert_eq!(report.start_s, 0.05);
        assert_eq!(report.duration_s, 0.501);
        assert_eq!(report.max_level_dbfs, Some(0.0));
    }

    #[test]
    fn a_clip_after_the_gap_starts_a_new_burst() {
        let mut d = BurstDetector::new(1000);
        d.clips(0, 0, (1, 1), 1.0, 1.0);
        let first = d
            .clips(501, 503, (3, 1), 1.0, 1.0)
            .expect("the first burst ended");
        assert_eq!((first.start, first.end), (0, 1));
        let second = d.finish().expect("the second is open");
        assert_eq!(
            (second.start, second.end, second.clipped_samples),
            (501, 504, 3)
        );
        assert_eq!(d.finish(), None);
    }
}
