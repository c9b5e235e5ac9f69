//! The loudness windows built from 100 ms slices, shared by a channel's meter and the
//! programme meter: momentary (latest 4 slices, 400 ms) and short-term (latest 30, 3 s)
//! loudness, and the gated whole-take readings ([`gating`](super::gating)) they feed. Both
//! meters hand in each slice's K-weighted mean square once it is whole; everything from there
//! on is this one piece of code.

use super::gating::{IntegratedLoudness, LoudnessRange};
use super::level::energy_to_lufs;
use super::window::SlidingSum;

/// 100 ms slices in the short-term window (3 s).
pub const SLICES_SHORT_TERM: usize = 30;
/// 100 ms slices in the momentary window and in a gating block (400 ms).
pub const SLICES_MOMENTARY: usize = 4;

/// What closing one slice produced, as K-weighted mean squares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliceClosed {
    /// The 400 ms gating block ending with this slice, once four slices are in.
    pub block_energy: Option<f64>,
    /// The 3 s short-term value ending with this slice, once thirty slices are in.
    pub short_term_energy: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct SliceLoudness {
    /// K-weighted mean square of each of the latest 30 slices.
    slices: SlidingSum,
    /// Loudness of the latest 400 ms of whole slices (LUFS); of fewer at the start.
    momentary_lufs: f64,
    /// Loudness of the latest 3 s of whole slices (LUFS); of fewer at the start.
    short_term_lufs: f64,
    /// 400 ms block energies (a new one every 100 ms), for integrated loudness.
    blocks: IntegratedLoudness,
    /// 3 s short-term energies (every 100 ms once 3 s are in), for loudness range.
    short_terms: LoudnessRange,
}

impl Default for SliceLoudness {
    fn default() -> Self {
        Self::new()
    }
}

impl SliceLoudness {
    pub fn new() -> Self {
        Self {
            slices: SlidingSum::new(SLICES_SHORT_TERM),
            momentary_lufs: f64::NEG_INFINITY,
            short_term_lufs: f64::NEG_INFINITY,
            blocks: IntegratedLoudness::new(),
            short_terms: LoudnessRange::new(),
        }
    }

    /// One whole 100 ms slice of K-weighted mean square `energy` is in: the windows move on
    /// by one slice.
    pub fn close_slice(&mut self, energy: f64) -> SliceClosed {
        self.slices.push(energy);
        let seen = self.slices.filled();
        let m_n = seen.min(SLICES_MOMENTARY);
        let momentary = self.slices.sum_latest(m_n) / m_n as f64;
        let short_term = self.slices.sum() / seen as f64;
        self.momentary_lufs = energy_to_lufs(momentary);
        self.short_term_lufs = energy_to_lufs(short_term);
        // A gating block is the mean of four slices: 400 ms, a new one every 100 ms.
        let block_energy = (seen >= SLICES_MOMENTARY).then_some(momentary);
        if let Some(block) = block_energy {
            self.blocks.push(block);
        }
        let short_term_energy = self.slices.is_full().then_some(short_term);
        if let Some(short_term) = short_term_energy {
            self.short_terms.push(short_term);
        }
        SliceClosed {
            block_energy,
            short_term_energy,
        }
    }

    /// Momentary loudness of the latest 400 ms of whole slices (LUFS).
    pub fn momentary_lufs(&self) -> f64 {
        self.momentary_lufs
    }

    /// Short-term loudness of the latest 3 s of whole slices (LUFS).
    pub fn short_term_lufs(&self) -> f64 {
        self.short_term_lufs
    }

    /// Gated integrated loudness since reset (LUFS; -inf when nothing passed the gates).
    pub fn integrated_lufs(&self) -> f64 {
        self.blocks.lufs()
    }

    /// Loudness range since reset (LU).
    pub fn loudness_range_lu(&self) -> f64 {
        self.short_terms.lu()
    }

    /// Clears everything, as at construction. Allocates nothing.
    pub fn reset(&mut self) {
        self.slices.reset();
        self.momentary_lufs = f64::NEG_INFINITY;
        self.short_term_lufs = f64::NEG_INFINITY;
        self.blocks.reset();
        self.short_terms.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::level::lufs_to_energy;

    #[test]
    fn first_block_closes_with_the_fourth_slice_and_short_term_with_the_thirtieth() {
        let mut s = SliceLoudness::new();
        let e = lufs_to_energy(-23.0);
        for i in 1..=30 {
            let closed = s.close_slice(e);
            assert_eq!(
                closed.block_energy.is_some(),
                i >= SLICES_MOMENTARY,
                "slice {i}"
            );
            assert_eq!(closed.short_term_energy.is_some(), i == 30, "slice {i}");
        }
        assert!((s.momentary_lufs() + 23.0).abs() < 1e-9);
        assert!((s.short_term_lufs() + 23.0).abs() < 1e-9);
        assert!((s.integrated_lufs() + 23.0).abs() < 0.05);
    }

    #[test]
    fn momentary_is_the_mean_energy_of_the_latest_four_slices() {
        let mut s = SliceLoudness::new();
        for _ in 0..10 {
            s.close_slice(lufs_to_energy(-40.0));
        }
        // Two loud slices of four: mean energy half of one -20 LUFS slice's plus the rest.
        s.close_slice(lufs_to_energy(-20.0));
        s.close_slice(lufs_to_energy(-20.0));
        let want = ((2.0 * lufs_to_energy(-20.0) + 2.0 * lufs_to_energy(-40.0)) / 4.0).log10()
            * 10.0
            - 0.691;
        assert!(
            (s.momentary_lufs() - want).abs() < 1e-9,
            "{}",
            s.momentary_lufs()
        );
        s.reset();
        assert_eq!(s.momentary_lufs(), f64::NEG_INFINITY);
        assert_eq!(s.integrated_lufs(), f64::NEG_INFINITY);
    }
}
