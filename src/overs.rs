//! Inter-sample overs of a programme: how many times its true peak rises above a level, for
//! every level at once.
//!
//! The level a master is judged at is only known after the whole file is read (a platform's
//! gain depends on the integrated loudness), so the count is kept for a grid of levels, every
//! 0.01 dB from -60 to +12 dBTP: a histogram of where each over begins. The programme is cut
//! into blocks of [`OVER_BLOCK`] frames; a block's peak is the largest true peak (BS.1770
//! Annex 2, the meters' own interpolator) of any channel in it. An over above level `L` begins
//! at each block whose peak is above `L` when the block before was not: peaks closer together
//! than a block (0.17 ms at 48 kHz) are one over, as on a true-peak meter's over light.

use crate::meter::true_peak::TruePeak;

/// Frames per block an over is resolved to.
pub const OVER_BLOCK: usize = 8;
/// Lowest level overs are counted above (dBTP); anything quieter is never an over.
pub const GRID_FLOOR_DB: f64 = -60.0;
/// Highest level (dBTP): float programmes may peak over full scale.
pub const GRID_TOP_DB: f64 = 12.0;
/// Grid step (dB).
pub const GRID_STEP_DB: f64 = 0.01;
const GRID_LEN: usize = ((GRID_TOP_DB - GRID_FLOOR_DB) / GRID_STEP_DB) as usize + 1;

/// Counts a programme's inter-sample overs above every level of the grid, fed a block at a
/// time, planar.
#[derive(Debug, Clone)]
pub struct OverCounter {
    interpolators: Vec<TruePeak>,
    /// The interpolator's outputs lag its input by `delay` frames (a quarter of its length),
    /// so a block's samples are taken `delay` frames late too, the latest `delay` of each
    /// channel held here: a block's peak then covers one stretch of the signal, and the gap
    /// between two peaks needs to hold only one quiet block to part them.
    tails: Vec<Vec<f32>>,
    delay: usize,
    /// A tail followed by a block, sized once.
    scratch: Vec<f32>,
    /// A difference array: the over count above grid level `k` is the sum of `steps[..=k]`.
    steps: Vec<i64>,
    /// Grid index of the previous block's peak: the first level at or above it.
    previous: usize,
}

/// Overs counted above every grid level of one programme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OverCounts {
    /// `above[k]`: overs whose true peak rose above `GRID_FLOOR_DB + k · GRID_STEP_DB`.
    above: Vec<u64>,
}

impl OverCounts {
    /// Overs whose true peak rose above `level_dbtp` (to the grid's 0.01 dB: the first grid
    /// level at or above it). Levels under the grid's floor count from the floor.
    pub fn above(&self, level_dbtp: f64) -> u64 {
        if self.above.is_empty() || level_dbtp.is_nan() {
            return 0;
        }
        let k = ((level_dbtp - GRID_FLOOR_DB) / GRID_STEP_DB - 1e-6).ceil();
        if k >= self.above.len() as f64 {
            0
        } else {
            self.above[k.max(0.0) as usize]
        }
    }
}

/// The grid index of the first level at or above `db` (0 for anything at or under the floor,
/// `GRID_LEN` for anything over the top).
fn grid_index(db: f64) -> usize {
    if db.is_nan() || db <= GRID_FLOOR_DB {
        return 0;
    }
    let k = ((db - GRID_FLOOR_DB) / GRID_STEP_DB - 1e-6).ceil();
    (k as usize).min(GRID_LEN)
}

impl OverCounter {
    pub fn new(channels: usize, sample_rate: u32) -> Self {
        // Half of a phase's taps (12 at 4×, 24 at 2×); no interpolation at 192 kHz and up.
        let delay = match sample_rate {
            0..96_000 => 6,
            96_000..192_000 => 12,
            _ => 0,
        };
        Self {
            interpolators: vec![TruePeak::new(sample_rate); channels],
            tails: vec![vec![0.0; delay]; channels],
            delay,
            scratch: vec![0.0; delay + OVER_BLOCK],
            steps: vec![0; GRID_LEN + 1],
            previous: 0,
        }
    }

    /// Feeds one block per channel, all of the same length, continuing the blocks before.
    pub fn process_planar(&mut self, blocks: &[&[f32]]) {
        let len = blocks.first().map_or(0, |b| b.len());
        let floor = 10f32.powf(GRID_FLOOR_DB as f32 / 20.0);
        let mut start = 0;
        while start < len {
            let end = (start + OVER_BLOCK).min(len);
            let n = end - start;
            let mut peak = 0.0f32;
            for ((tp, block), tail) in self
                .interpolators
                .iter_mut()
                .zip(blocks)
                .zip(&mut self.tails)
            {
                let block = &block[start..end];
                let delayed = &mut self.scratch[..self.delay + n];
                delayed[..self.delay].copy_from_slice(tail);
                delayed[self.delay..].copy_from_slice(block);
                tail.copy_from_slice(&delayed[n..]);
                let sample_peak = delayed[..n].iter().fold(0.0f32, |m, x| m.max(x.abs()));
                let block_peak = block.iter().fold(0.0f32, |m, x| m.max(x.abs()));
                // A quiet stretch cannot start an over at any level the grid holds.
                if tp.bound(block_peak) < floor {
                    tp.skip(block);
                    peak = peak.max(sample_peak);
                    continue;
                }
                peak = peak.max(sample_peak).max(tp.process(block));
            }
            self.push(if peak > 0.0 {
                20.0 * f64::from(peak).log10()
            } else {
                f64::NEG_INFINITY
            });
            start = end;
        }
    }

    /// One block's peak: an over begins above every level from the previous block's peak
    /// (inclusive) up to this one's (exclusive).
    fn push(&mut self, peak_db: f64) {
        let k = grid_index(peak_db);
        if k > self.previous {
            self.steps[self.previous] += 1;
            self.steps[k] -= 1;
        }
        self.previous = k;
    }

    pub fn counts(&self) -> OverCounts {
        let mut run = 0i64;
        let above = self.steps[..GRID_LEN]
            .iter()
            .map(|s| {
                run += s;
                run.max(0) as u64
            })
            .collect();
        OverCounts { above }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_index_is_the_first_level_at_or_above() {
        assert_eq!(grid_index(-60.0), 0);
        assert_eq!(grid_index(-59.995), 1);
        assert_eq!(grid_index(-1.0), 5900);
        assert_eq!(grid_index(f64::NEG_INFINITY), 0);
        assert_eq!(grid_index(100.0), GRID_LEN);
    }

    #[test]
    fn steps_count_rises_through_each_level() {
        let mut c = OverCounter::new(1, 48_000);
        // Peaks of -10, -3, -20, -1 dB: above -5 twice, above -2 once, above -15 twice, above
        // -25 once (it never fell under -25 between them).
        for db in [-10.0, -3.0, -20.0, -1.0, -30.0] {
            c.push(db);
        }
        let counts = c.counts();
        assert_eq!(counts.above(-5.0), 2);
        assert_eq!(counts.above(-2.0), 1);
        assert_eq!(counts.above(-15.0), 2);
        assert_eq!(counts.above(-25.0), 1);
        assert_eq!(counts.above(-0.5), 0);
        // -3 exactly is not above -3.
        assert_eq!(counts.above(-3.0), 1);
    }
}
