//! Exact clip and over counting.
//!
//! Used both inside each channel meter and, for live capture, in the audio callback itself, so
//! that counts stay exact even when frames are later dropped on the way to the meter thread.

use super::sample::is_clip;

/// Counts clipped samples and overs (runs of at least `over_len` consecutive clipped samples)
/// for one channel. A run longer than `over_len` is still one over.
#[derive(Debug, Clone)]
pub struct OverCounter {
    /// Consecutive clipped samples that make one over (1..=20).
    over_len: u32,
    /// Length of the clipped run that ends at the latest sample (samples).
    run: u32,
    /// Clipped samples since reset.
    clipped: u64,
    /// Overs since reset.
    overs: u64,
    /// Longest clipped run since reset (samples); the advisor asks for more gain cut when long.
    longest_run: u32,
}

/// Allowed range for the over length, as in RME DIGICheck.
pub const OVER_LEN_RANGE: std::ops::RangeInclusive<u32> = 1..=20;

impl OverCounter {
    /// `over_len` is clamped to [`OVER_LEN_RANGE`].
    pub fn new(over_len: u32) -> Self {
        Self {
            over_len: over_len.clamp(*OVER_LEN_RANGE.start(), *OVER_LEN_RANGE.end()),
            run: 0,
            clipped: 0,
            overs: 0,
            longest_run: 0,
        }
    }

    /// Feeds one converted sample.
    #[inline]
    pub fn push(&mut self, x: f32) {
        if is_clip(x) {
            self.clipped += 1;
            self.run = self.run.saturating_add(1);
            if self.run == self.over_len {
                self.overs += 1;
            }
            self.longest_run = self.longest_run.max(self.run);
        } else {
            self.run = 0;
        }
    }

    /// Feeds a block of one channel's samples.
    #[inline]
    pub fn push_block(&mut self, block: &[f32]) {
        for &x in block {
            self.push(x);
        }
    }

    pub fn clipped_samples(&self) -> u64 {
        self.clipped
    }
    pub fn overs(&self) -> u64 {
        self.overs
    }
    pub fn longest_run(&self) -> u32 {
        self.longest_run
    }
    pub fn over_len(&self) -> u32 {
        self.over_len
    }

    pub fn reset(&mut self) {
        *self = Self::new(self.over_len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolated_clips_are_one_over_each_at_default_length() {
        let mut c = OverCounter::new(1);
        c.push_block(&[0.0, 1.0, 0.0, -1.0, 0.5, 1.0, 1.0, 1.0, 0.0]);
        assert_eq!(c.clipped_samples(), 5);
        assert_eq!(c.overs(), 3);
        assert_eq!(c.longest_run(), 3);
    }

    #[test]
    fn over_needs_the_configured_run_length() {
        let mut c = OverCounter::new(3);
        c.push_block(&[1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, -1.0, -1.0, -1.0]);
        assert_eq!(c.clipped_samples(), 9);
        assert_eq!(c.overs(), 2);
    }

    #[test]
    fn runs_continue_across_blocks() {
        let mut c = OverCounter::new(2);
        c.push_block(&[0.0, 1.0]);
        c.push_block(&[1.0, 0.0]);
        assert_eq!(c.overs(), 1);
    }

    #[test]
    fn over_length_is_clamped() {
        assert_eq!(OverCounter::new(0).over_len(), 1);
        assert_eq!(OverCounter::new(99).over_len(), 20);
    }
}
