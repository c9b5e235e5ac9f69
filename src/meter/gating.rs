//! Gated loudness of a whole take, in fixed memory, from the meter's 100 ms slices:
//! integrated loudness (BS.1770: 400 ms blocks every 100 ms, absolute gate -70 LUFS, relative
//! gate -10 LU) and loudness range (EBU Tech 3342: 3 s short-term values every 100 ms,
//! absolute gate -70 LUFS, relative gate -20 LU, 95th minus 10th percentile).
//!
//! Values are kept as histograms of 0.1 LU bins from -70 to +30 LUFS, so hours of tracking
//! take no more memory than a second (12 KB for integrated loudness, whose bins also sum their
//! energies so the gated mean is exact; 4 KB for the range, which needs only counts). Only a
//! value within 0.05 LU of a relative gate can land on the wrong side of it, and a percentile
//! reads as its bin's centre.
//!
//! The meter builds these from slice energies it already has rather than letting `ebur128`
//! gate: `ebur128` re-sums 400 ms of filtered samples every 100 ms for each block and 3 s
//! every second for the range, which was a fifth of the live meter thread.

use super::level::energy_to_lufs;

/// The absolute gate (LUFS): silence and near-silence take no part.
const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Width of a bin (LU).
const BIN_LU: f64 = 0.1;
/// Bins from the absolute gate to +30 LUFS; anything louder counts in the last.
const BINS: usize = 1000;
/// Relative gate for integrated loudness (LU below the absolute-gated mean).
const INTEGRATED_GATE_LU: f64 = -10.0;
/// Relative gate for loudness range (LU below the absolute-gated mean).
const RANGE_GATE_LU: f64 = -20.0;
/// Percentiles whose difference is the loudness range.
const RANGE_LOW: f64 = 0.10;
const RANGE_HIGH: f64 = 0.95;

/// Values above the absolute gate, counted per 0.1 LU bin.
#[derive(Debug, Clone)]
struct Bins {
    /// Values per bin. A `u32` lasts 13 years of values every 100 ms.
    counts: Vec<u32>,
    /// Values above the absolute gate, and the sum of their energies: the relative gates
    /// hang from their mean.
    count: u64,
    energy: f64,
}

impl Bins {
    fn new() -> Self {
        Self {
            counts: vec![0; BINS],
            count: 0,
            energy: 0.0,
        }
    }

    /// Counts one K-weighted mean square; its bin, or `None` under the absolute gate.
    fn push(&mut self, energy: f64) -> Option<usize> {
        let lufs = energy_to_lufs(energy);
        // NaN is a fault, not a level.
        if lufs.is_nan() || lufs < ABSOLUTE_GATE_LUFS {
            return None;
        }
        let bin = (((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU) as usize).min(BINS - 1);
        self.counts[bin] = self.counts[bin].saturating_add(1);
        self.count += 1;
        self.energy += energy;
        Some(bin)
    }

    /// The first bin whose centre lies above the relative gate `gate_lu` below the mean of
    /// everything above the absolute gate; `BINS` when nothing is.
    fn first_above(&self, gate_lu: f64) -> usize {
        if self.count == 0 {
            return BINS;
        }
        let gate = energy_to_lufs(self.energy / self.count as f64) + gate_lu;
        // Centre of bin k: ABSOLUTE_GATE + (k + 0.5) · BIN; the first above `gate`.
        let k = ((gate - ABSOLUTE_GATE_LUFS) / BIN_LU - 0.5).floor() + 1.0;
        if k <= 0.0 { 0 } else { (k as usize).min(BINS) }
    }

    fn reset(&mut self) {
        self.counts.fill(0);
        self.count = 0;
        self.energy = 0.0;
    }
}

/// Integrated loudness from 400 ms blocks. Each bin also sums its energies, so the mean of
/// what passes the relative gate is exact.
#[derive(Debug, Clone)]
pub struct IntegratedLoudness {
    bins: Bins,
    /// Sum of each bin's energies (K-weighted mean squares).
    energies: Vec<f64>,
}

impl Default for IntegratedLoudness {
    fn default() -> Self {
        Self::new()
    }
}

impl IntegratedLoudness {
    pub fn new() -> Self {
        Self {
            bins: Bins::new(),
            energies: vec![0.0; BINS],
        }
    }

    /// Bytes it holds on the heap (fixed when made).
    pub fn heap_bytes(&self) -> usize {
        self.bins.counts.capacity() * 4 + self.energies.capacity() * 8
    }

    /// Adds one 400 ms block's K-weighted mean square.
    pub fn push(&mut self, energy: f64) {
        if let Some(bin) = self.bins.push(energy) {
            self.energies[bin] += energy;
        }
    }

    /// Integrated loudness (LUFS); `-inf` with no block above the gates.
    pub fn lufs(&self) -> f64 {
        let first = self.bins.first_above(INTEGRATED_GATE_LU);
        let count: u64 = self.bins.counts[first..]
            .iter()
            .map(|&c| u64::from(c))
            .sum();
        if count == 0 {
            return f64::NEG_INFINITY;
        }
        let energy: f64 = self.energies[first..].iter().sum();
        energy_to_lufs(energy / count as f64)
    }

    pub fn reset(&mut self) {
        self.bins.reset();
        self.energies.fill(0.0);
    }
}

/// Loudness range from 3 s short-term values: percentiles need only how many fall in each
/// bin, so no energies per bin.
#[derive(Debug, Clone)]
pub struct LoudnessRange {
    bins: Bins,
}

impl Default for LoudnessRange {
    fn default() -> Self {
        Self::new()
    }
}

impl LoudnessRange {
    pub fn new() -> Self {
        Self { bins: Bins::new() }
    }

    /// Bytes it holds on the heap (fixed when made).
    pub fn heap_bytes(&self) -> usize {
        self.bins.counts.capacity() * 4
    }

    /// Adds one short-term window's K-weighted mean square.
    pub fn push(&mut self, energy: f64) {
        let _ = self.bins.push(energy);
    }

    /// Loudness range (LU); 0 with no value above the gates.
    pub fn lu(&self) -> f64 {
        let first = self.bins.first_above(RANGE_GATE_LU);
        let counts = &self.bins.counts[first..];
        let count: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        let Some(last) = count.checked_sub(1) else {
            return 0.0;
        };
        // The value at rank k (from 0, in ascending order): the centre of its bin.
        let at_rank = |k: u64| {
            let mut seen = 0u64;
            for (i, &c) in counts.iter().enumerate() {
                seen += u64::from(c);
                if seen > k {
                    return bin_centre(first + i);
                }
            }
            bin_centre(BINS - 1)
        };
        let rank = |p: f64| (last as f64 * p).round() as u64;
        at_rank(rank(RANGE_HIGH)) - at_rank(rank(RANGE_LOW))
    }

    pub fn reset(&mut self) {
        self.bins.reset();
    }
}

fn bin_centre(bin: usize) -> f64 {
    ABSOLUTE_GATE_LUFS + (bin as f64 + 0.5) * BIN_LU
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::level::lufs_to_energy;

    /// Both measures fed the same values: `n` of each `(lufs, n)`.
    fn histogram(lufs: &[(f64, usize)]) -> Both {
        let mut h = Both {
            integrated: IntegratedLoudness::new(),
            range: LoudnessRange::new(),
        };
        for &(l, n) in lufs {
            for _ in 0..n {
                h.integrated.push(lufs_to_energy(l));
                h.range.push(lufs_to_energy(l));
            }
        }
        h
    }

    struct Both {
        integrated: IntegratedLoudness,
        range: LoudnessRange,
    }

    impl Both {
        fn integrated_lufs(&self) -> f64 {
            self.integrated.lufs()
        }
        fn range_lu(&self) -> f64 {
            self.range.lu()
        }
        fn reset(&mut self) {
            self.integrated.reset();
            self.range.reset();
        }
    }

    #[test]
    fn a_steady_level_integrates_to_itself_exactly() {
        let h = histogram(&[(-23.04, 100)]);
        assert!(
            (h.integrated_lufs() + 23.04).abs() < 1e-9,
            "{}",
            h.integrated_lufs()
        );
    }

    #[test]
    fn blocks_under_the_absolute_gate_are_left_out() {
        let h = histogram(&[(-20.0, 10), (-75.0, 1000), (f64::NEG_INFINITY, 10)]);
        assert!((h.integrated_lufs() + 20.0).abs() < 1e-9);
        assert_eq!(
            histogram(&[(-80.0, 10)]).integrated_lufs(),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn blocks_more_than_10_lu_under_the_mean_are_left_out() {
        // Mean of the absolute-gated blocks ≈ -26.5 LUFS, so the relative gate is ≈ -36.5:
        // the -40 LUFS blocks fall under it, the -30 LUFS ones do not.
        let h = histogram(&[(-20.0, 10), (-30.0, 10), (-40.0, 30)]);
        let want = energy_to_lufs((lufs_to_energy(-20.0) + lufs_to_energy(-30.0)) / 2.0);
        assert!((h.integrated_lufs() - want).abs() < 1e-9);
    }

    #[test]
    fn range_is_the_95th_minus_the_10th_percentile_of_gated_values() {
        // Tech 3342 case 1 as short-term values: half at -20, half at -30 LUFS.
        let h = histogram(&[(-20.0, 200), (-30.0, 200)]);
        assert!((h.range_lu() - 10.0).abs() <= BIN_LU, "{}", h.range_lu());
        // Values 20 LU under the mean do not widen it.
        let h = histogram(&[(-20.0, 200), (-30.0, 200), (-60.0, 100)]);
        assert!((h.range_lu() - 10.0).abs() <= BIN_LU, "{}", h.range_lu());
        assert_eq!(histogram(&[(-20.0, 50)]).range_lu(), 0.0);
        assert_eq!(LoudnessRange::new().lu(), 0.0);
    }

    #[test]
    fn reset_forgets_everything() {
        let mut h = histogram(&[(-20.0, 10)]);
        h.reset();
        assert_eq!(h.integrated_lufs(), f64::NEG_INFINITY);
        assert_eq!(h.range_lu(), 0.0);
    }
}
