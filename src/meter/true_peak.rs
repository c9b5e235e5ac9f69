//! True peak (the method of BS.1770 Annex 2): the peak of the signal between its samples,
//! found by oversampling (4× below 96 kHz, 2× below 192 kHz, none above) and taking the
//! largest magnitude.
//!
//! The interpolator is libebur128's, not Annex 2's coefficient table: a sinc Hann-windowed
//! over 49 taps, whose last tap is zero and is dropped, so 48 taps (4 phases of 12 at 4×, 2 of
//! 24 at 2×). The `ebur128` crate uses the same filter; here it is run a block at a time and
//! only where it adds something. Every `factor`-th tap of a sinc that oversamples by `factor`
//! is zero but the centre one, so one phase of the oversampled signal is the input itself,
//! delayed: its magnitude is the sample peak, already known. 4× then needs three phases of
//! 12 taps per sample instead of four, 2× one of 24 instead of two. Working on whole blocks,
//! eight outputs at a time, lets the compiler keep them in vector registers; `ebur128`
//! interpolates a sample at a time. This was a third of the meter thread.
//!
//! The sinc and its window are symmetric, so each phase is the mirror image of another: at
//! 4× the middle phase of itself, the first of the third; at 2× the one phase of itself. A
//! phase that is its own mirror needs half its multiplies (pairs of inputs that meet equal
//! taps are added first). A mirrored pair `y1`, `y3` is taken as `y1 + y3` and `y1 - y3`,
//! each half the taps on pair sums or differences, since only the larger magnitude is
//! wanted: `max(|y1|, |y3|) = (|y1 + y3| + |y1 - y3|) / 2`. 4× is 18 multiplies a sample
//! instead of 36, 2× 12 instead of 24.

/// Taps of the whole interpolator, over all phases.
const TAPS: usize = 48;
/// Outputs worked out together: two SSE vectors of f32.
const LANES: usize = 8;

/// A channel's true-peak interpolator and the input history it needs.
#[derive(Debug, Clone)]
pub struct TruePeak {
    filter: Filter,
    /// The latest input samples, as many as a phase has taps less one (oldest first).
    history: Vec<f32>,
    /// `history` followed by the head of the next block, sized once.
    head: Vec<f32>,
    /// The most any interpolated output can be, per unit of the largest input magnitude in
    /// its window: the largest sum of |taps| over the phases, plus a margin for the f32
    /// rounding of a 24-tap dot product. A block whose window peak times this cannot beat
    /// a maximum already found need not be interpolated ([`TruePeak::bound`]).
    bound_gain: f32,
}

/// The phases that fall between samples, folded on their symmetry (see the module docs).
/// Taps `k` and `T - 1 - k` of a phase of `T` taps meet the inputs `x[n + k]` and
/// `x[n + T - 1 - k]` of output `n`'s window (oldest input first).
#[derive(Debug, Clone)]
enum Filter {
    /// At 192 kHz and above no oversampling is needed: the sample peak is the true peak.
    None,
    /// The one phase of 24 taps, its own mirror: its first half.
    Twice { half: [f32; TAPS / 4] },
    /// Phases 1 and 3 of 12 taps (mirrors of each other) as the half-taps of their sum and
    /// difference, and phase 2 (its own mirror) as its first half.
    FourTimes {
        sum: [f32; TAPS / 8],
        diff: [f32; TAPS / 8],
        mid: [f32; TAPS / 8],
    },
}

impl TruePeak {
    pub fn new(sample_rate: u32) -> Self {
        let (filter, memory, bound_gain) = match sample_rate {
            0..96_000 => {
                let phases: [[f32; TAPS / 4]; 3] = between_sample_phases();
                let [first, mid, _third] = phases;
                // The third phase is the first reversed: tap `k` of one is tap `11 - k` of
                // the other, so its taps are taken from the first's.
                let mirror = |k: usize| first[TAPS / 4 - 1 - k];
                let filter = Filter::FourTimes {
                    sum: std::array::from_fn(|k| first[k] + mirror(k)),
                    diff: std::array::from_fn(|k| first[k] - mirror(k)),
                    mid: std::array::from_fn(|k| mid[k]),
                };
                (filter, TAPS / 4 - 1, gain_bound(&phases))
            }
            96_000..192_000 => {
                let phases: [[f32; TAPS / 2]; 1] = between_sample_phases();
                let half = std::array::from_fn(|k| phases[0][k]);
                (Filter::Twice { half }, TAPS / 2 - 1, gain_bound(&phases))
            }
            _ => (Filter::None, 0, 1.0),
        };
        Self {
            filter,
            history: vec![0.0; memory],
            head: vec![0.0; 2 * memory],
            bound_gain,
        }
    }

    /// The largest value [`process`](Self::process) could return for a block whose sample
    /// peak is `block_peak`: the interpolator's gain bound times the largest magnitude its
    /// windows can see (the block and the history before it).
    pub fn bound(&self, block_peak: f32) -> f32 {
        let history_peak = self.history.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        self.bound_gain * block_peak.max(history_peak)
    }

    /// Moves the history on past `block` without interpolating it: for a caller that only
    /// wants the maximum and knows from [`bound`](Self::bound) that `block` cannot raise it.
    pub fn skip(&mut self, block: &[f32]) {
        let memory = self.history.len();
        if block.len() >= memory {
            self.history.copy_from_slice(&block[block.len() - memory..]);
        } else {
            self.history.copy_within(block.len().., 0);
            self.history[memory - block.len()..].copy_from_slice(block);
        }
    }

    /// The largest interpolated magnitude (linear) over `block`, which continues the blocks
    /// before it. The phase that falls on the samples is left out: callers take the max with
    /// the sample peak. The interpolator delays by a quarter of its length (6 samples at 4×),
    /// as `ebur128`'s does.
    pub fn process(&mut self, block: &[f32]) -> f32 {
        match &self.filter {
            Filter::None => 0.0,
            Filter::Twice { half } => run::<{ TAPS / 2 }>(
                |x| peak_twice(half, x),
                &mut self.history,
                &mut self.head,
                block,
            ),
            Filter::FourTimes { sum, diff, mid } => run::<{ TAPS / 4 }>(
                |x| peak_four_times(sum, diff, mid, x),
                &mut self.history,
                &mut self.head,
                block,
            ),
        }
    }

    pub fn reset(&mut self) {
        self.history.fill(0.0);
    }
}

/// One block through an interpolator of `T`-tap phases whose `peak` gives the largest output
/// magnitude over the whole windows of its input: the outputs that reach back into
/// `history` from a copy of it with the block's head, the rest straight from the block.
/// Then `history` moves on.
#[inline(always)]
fn run<const T: usize>(
    peak: impl Fn(&[f32]) -> f32,
    history: &mut [f32],
    head: &mut [f32],
    block: &[f32],
) -> f32 {
    let memory = T - 1;
    let lead = block.len().min(memory);
    head[..memory].copy_from_slice(history);
    head[memory..memory + lead].copy_from_slice(&block[..lead]);
    let mut max = peak(&head[..memory + lead]);
    if block.len() >= T {
        max = max.max(peak(block));
    }
    if block.len() >= memory {
        history.copy_from_slice(&block[block.len() - memory..]);
    } else {
        history.copy_from_slice(&head[lead..lead + memory]);
    }
    max
}

/// Max |y| over the 4× between-sample phases of every output that `x` holds a whole
/// 12-sample window for. Phase 2 is `mid` on pair sums; phases 1 and 3 are
/// `(|sum · pair sums| + |diff · pair differences|) / 2` (see the module docs).
#[inline]
fn peak_four_times(
    sum: &[f32; TAPS / 8],
    diff: &[f32; TAPS / 8],
    mid: &[f32; TAPS / 8],
    x: &[f32],
) -> f32 {
    const T: usize = TAPS / 4;
    let Some(outputs) = (x.len() + 1).checked_sub(T) else {
        return 0.0;
    };
    let mut peak = [0.0f32; LANES];
    let whole = outputs - outputs % LANES;
    for n in (0..whole).step_by(LANES) {
        let x = &x[n..n + T + LANES - 1];
        let mut s = [0.0f32; LANES];
        let mut d = [0.0f32; LANES];
        let mut m = [0.0f32; LANES];
        for k in 0..T / 2 {
            let early = &x[k..k + LANES];
            let late = &x[T - 1 - k..T - 1 - k + LANES];
            for i in 0..LANES {
                let pair_sum = early[i] + late[i];
                let pair_diff = early[i] - late[i];
                s[i] += sum[k] * pair_sum;
                d[i] += diff[k] * pair_diff;
                m[i] += mid[k] * pair_sum;
            }
        }
        for i in 0..LANES {
            peak[i] = peak[i].max(0.5 * (s[i].abs() + d[i].abs())).max(m[i].abs());
        }
    }
    for n in whole..outputs {
        let x = &x[n..n + T];
        let (mut s, mut d, mut m) = (0.0f32, 0.0f32, 0.0f32);
        for k in 0..T / 2 {
            let (early, late) = (x[k], x[T - 1 - k]);
            s += sum[k] * (early + late);
            d += diff[k] * (early - late);
            m += mid[k] * (early + late);
        }
        peak[0] = peak[0].max(0.5 * (s.abs() + d.abs())).max(m.abs());
    }
    peak.into_iter().fold(0.0, f32::max)
}

/// Max |y| over the 2× between-sample phase of every output that `x` holds a whole 24-sample
/// window for: `half` on pair sums.
#[inline]
fn peak_twice(half: &[f32; TAPS / 4], x: &[f32]) -> f32 {
    const T: usize = TAPS / 2;
    let Some(outputs) = (x.len() + 1).checked_sub(T) else {
        return 0.0;
    };
    let mut peak = [0.0f32; LANES];
    let whole = outputs - outputs % LANES;
    for n in (0..whole).step_by(LANES) {
        let x = &x[n..n + T + LANES - 1];
        let mut y = [0.0f32; LANES];
        for k in 0..T / 2 {
            let early = &x[k..k + LANES];
            let late = &x[T - 1 - k..T - 1 - k + LANES];
            for i in 0..LANES {
                y[i] += half[k] * (early[i] + late[i]);
            }
        }
        for i in 0..LANES {
            peak[i] = peak[i].max(y[i].abs());
        }
    }
    for n in whole..outputs {
        let x = &x[n..n + T];
        let y: f32 = (0..T / 2).map(|k| half[k] * (x[k] + x[T - 1 - k])).sum();
        peak[0] = peak[0].max(y.abs());
    }
    peak.into_iter().fold(0.0, f32::max)
}

/// The largest sum of |taps| of any phase, with room for f32 rounding (24 products and sums
/// of values at most this large round by far less than one part in 10^5).
fn gain_bound<const T: usize, const P: usize>(h: &[[f32; T]; P]) -> f32 {
    let largest = h
        .iter()
        .map(|phase| phase.iter().map(|c| c.abs()).sum::<f32>())
        .fold(0.0f32, f32::max);
    largest * (1.0 + 1e-5)
}

/// The phases of the `TAPS`-tap, `TAPS / T`-times interpolator other than the one on the
/// samples, taps oldest input first.
fn between_sample_phases<const T: usize, const P: usize>() -> [[f32; T]; P] {
    let factor = TAPS / T;
    debug_assert_eq!(P, factor - 1);
    let mut phases = [[0.0f32; T]; P];
    for (p, phase) in phases.iter_mut().enumerate() {
        for (k, c) in phase.iter_mut().enumerate() {
            // Tap `k` of phase `p + 1` applies to the input `k` samples back; reversed so
            // index 0 meets the oldest input of the window.
            *c = coefficient((T - 1 - k) * factor + p + 1, factor) as f32;
        }
    }
    phases
}

/// Coefficient `j` of the interpolator: a sinc at the input rate, Hann-windowed over the
/// taps.
fn coefficient(j: usize, factor: usize) -> f64 {
    use std::f64::consts::PI;
    let span = TAPS as f64;
    let j = j as f64;
    let window = 0.5 * (1.0 - (2.0 * PI * j / span).cos());
    let m = j - span / 2.0;
    if m == 0.0 {
        window
    } else {
        let x = m * PI / factor as f64;
        window * x.sin() / x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ebur128`'s true peak of `signal` (linear), fed in blocks of `block`.
    fn reference(signal: &[f32], rate: u32, block: usize) -> f64 {
        let mut ebu = ebur128::EbuR128::new(1, rate, ebur128::Mode::TRUE_PEAK).unwrap();
        for b in signal.chunks(block) {
            ebu.add_frames_planar_f32(&[b]).unwrap();
        }
        ebu.true_peak(0).unwrap()
    }

    fn ours(signal: &[f32], rate: u32, block: usize) -> f64 {
        let mut tp = TruePeak::new(rate);
        let sample_peak = signal.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let peak = signal
            .chunks(block)
            .map(|b| tp.process(b))
            .fold(0.0f32, f32::max);
        f64::from(peak.max(sample_peak))
    }

    /// A few tones and noise: the inter-sample peaks of every kind of signal.
    fn signals(rate: u32) -> Vec<Vec<f32>> {
        let tone = |f: f64, phase: f64, amp: f64| -> Vec<f32> {
            (0..rate as usize / 4)
                .map(|n| {
                    let t = n as f64 / f64::from(rate);
                    (amp * (std::f64::consts::TAU * f * t + phase).sin()) as f32
                })
                .collect()
        };
        let mut state = 0x1234_5678u32;
        let noise = (0..rate as usize / 4)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (f64::from(state) / f64::from(u32::MAX) - 0.5) as f32
            })
            .collect();
        vec![
            tone(f64::from(rate) / 4.0, std::f64::consts::FRAC_PI_4, 0.5),
            tone(f64::from(rate) / 6.0, std::f64::consts::FRAC_PI_3, 0.5),
            tone(997.0, 0.3, 0.9),
            tone(f64::from(rate) * 0.45, 1.0, 0.25),
            noise,
        ]
    }

    #[test]
    fn reads_what_ebur128_reads_at_4x_and_2x_in_blocks_of_any_length() {
        for rate in [44_100, 48_000, 96_000, 176_400] {
            for (i, signal) in signals(rate).iter().enumerate() {
                let want = reference(signal, rate, 1024);
                for block in [1, 5, 11, 12, 13, 64, 480, 4096] {
                    let got = ours(signal, rate, block);
                    let db = 20.0 * (got / want).log10();
                    assert!(
                        db.abs() < 0.001,
                        "{rate} Hz, signal {i}, blocks of {block}: {got} vs {want} ({db:+.4} dB)"
                    );
                }
            }
        }
    }

    #[test]
    fn finds_the_crest_between_samples() {
        // fs/4 at 45°: every sample is 0.5·sin 45° = 0.354, the crest between them 0.5.
        let signal: Vec<f32> = (0..4800)
            .map(|n| {
                (0.5 * (std::f64::consts::FRAC_PI_2 * n as f64 + std::f64::consts::FRAC_PI_4).sin())
                    as f32
            })
            .collect();
        // The first block holds the switch-on step, which the interpolator rings on; the
        // steady tone after it is what is measured.
        let mut tp = TruePeak::new(48_000);
        let mut blocks = signal.chunks(480);
        tp.process(blocks.next().unwrap_or_default());
        let got = blocks.map(|b| tp.process(b)).fold(0.0f32, f32::max);
        // The middle phase lands on the crest; the interpolator's gain there (fs/4) is
        // 0.38 % under one.
        assert!(got <= 0.5 && got > 0.5 * (1.0 - 0.005), "{got}");
    }

    #[test]
    fn no_block_exceeds_its_bound_and_skipping_keeps_the_history() {
        for rate in [44_100, 96_000] {
            for signal in signals(rate) {
                let mut full = TruePeak::new(rate);
                let mut skipping = TruePeak::new(rate);
                for (i, block) in signal.chunks(7).enumerate() {
                    let peak = block.iter().fold(0.0f32, |m, x| m.max(x.abs()));
                    let bound = full.bound(peak);
                    let got = full.process(block);
                    assert!(got <= bound, "{rate} Hz block {i}: {got} > bound {bound}");
                    // Every third block skipped: the next ones must still read as if not.
                    if i % 3 == 0 {
                        skipping.skip(block);
                    } else {
                        assert_eq!(skipping.process(block), got, "{rate} Hz block {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn at_192_khz_the_sample_peak_is_the_true_peak() {
        let mut tp = TruePeak::new(192_000);
        assert_eq!(tp.process(&[0.9, -0.95, 0.3]), 0.0);
    }

    #[test]
    fn reset_forgets_the_history() {
        let mut tp = TruePeak::new(48_000);
        tp.process(&[1.0; 64]);
        tp.reset();
        assert_eq!(tp.process(&[0.0; 64]), 0.0);
    }
}
