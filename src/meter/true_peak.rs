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

/// The phases that fall between samples, each with its taps ordered oldest input first.
#[derive(Debug, Clone)]
enum Filter {
    /// At 192 kHz and above no oversampling is needed: the sample peak is the true peak.
    None,
    Twice([[f32; TAPS / 2]; 1]),
    FourTimes([[f32; TAPS / 4]; 3]),
}

impl TruePeak {
    pub fn new(sample_rate: u32) -> Self {
        let filter = match sample_rate {
            0..96_000 => Filter::FourTimes(between_sample_phases()),
            96_000..192_000 => Filter::Twice(between_sample_phases()),
            _ => Filter::None,
        };
        let memory = match filter {
            Filter::None => 0,
            Filter::Twice(_) => TAPS / 2 - 1,
            Filter::FourTimes(_) => TAPS / 4 - 1,
        };
        let bound_gain = match &filter {
            Filter::None => 1.0,
            Filter::Twice(h) => gain_bound(h),
            Filter::FourTimes(h) => gain_bound(h),
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
            Filter::Twice(h) => run(h, &mut self.history, &mut self.head, block),
            Filter::FourTimes(h) => run(h, &mut self.history, &mut self.head, block),
        }
    }

    pub fn reset(&mut self) {
        self.history.fill(0.0);
    }
}

/// One block through the phases `h`: the outputs that reach back into `history` from a copy
/// of it with the block's head, the rest straight from the block. Then `history` moves on.
fn run<const T: usize, const P: usize>(
    h: &[[f32; T]; P],
    history: &mut [f32],
    head: &mut [f32],
    block: &[f32],
) -> f32 {
    let memory = T - 1;
    let lead = block.len().min(memory);
    head[..memory].copy_from_slice(history);
    head[memory..memory + lead].copy_from_slice(&block[..lead]);
    let mut peak = peak_of(h, &head[..memory + lead]);
    if block.len() >= T {
        peak = peak.max(peak_of(h, block));
    }
    if block.len() >= memory {
        history.copy_from_slice(&block[block.len() - memory..]);
    } else {
        history.copy_from_slice(&head[lead..lead + memory]);
    }
    peak
}

/// Max |y| over every output of every phase that `x` holds whole windows for: output `n` of
/// phase `p` is `h[p]` dotted with `x[n..n + T]`.
#[inline]
fn peak_of<const T: usize, const P: usize>(h: &[[f32; T]; P], x: &[f32]) -> f32 {
    let Some(outputs) = (x.len() + 1).checked_sub(T) else {
        return 0.0;
    };
    let mut peak = [0.0f32; LANES];
    let whole = outputs - outputs % LANES;
    for n in (0..whole).step_by(LANES) {
        let x = &x[n..n + T + LANES - 1];
        for phase in h {
            let mut y = [0.0f32; LANES];
            for (j, c) in phase.iter().enumerate() {
                for (y, x) in y.iter_mut().zip(&x[j..j + LANES]) {
                    *y += c * x;
                }
            }
            for (p, y) in peak.iter_mut().zip(y) {
                *p = p.max(y.abs());
            }
        }
    }
    for n in whole..outputs {
        for phase in h {
            let y: f32 = phase.iter().zip(&x[n..n + T]).map(|(c, x)| c * x).sum();
            peak[0] = peak[0].max(y.abs());
        }
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
