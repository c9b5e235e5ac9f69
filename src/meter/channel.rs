//! One channel's meter: every reading the project makes of one input, from one pass over its
//! samples. `process` feeds it, `readings` reads it, `reset` clears it.

use std::cell::{Cell, RefCell};

use super::MeterError;
use super::ballistics::PeakHold;
use super::clip::OverCounter;
use super::config::*;
use super::k_weighting::{KWeighting, LaneSquares};
use super::level::{amplitude_to_db, energy_to_lufs, power_to_db};
use super::lowpass::LowPass;
use super::programme::{ProgrammeMeters, ProgrammeReadings, ProgrammeSet};
use super::readings::ChannelReadings;
use super::sample::hold_finite;
use super::slices::SliceLoudness;
use super::true_peak::TruePeak;
use super::window::{History, SlidingSum};

/// Bins of the since-reset noise-floor histogram: 0.1 dB from DIGITAL_SILENCE_DBFS to +10 dBFS.
const NOISE_BIN_DB: f64 = 0.1;
const NOISE_BINS: usize = ((10.0 - DIGITAL_SILENCE_DBFS) / NOISE_BIN_DB) as usize;

/// Rate the rumble filter runs at, at least (Hz): 150 times its corner.
const LOW_BAND_RATE_HZ: u32 = 6000;
/// Granule: the 10 ms unit the RMS, DC and low-band windows are built from.
const GRANULES_PER_S: u32 = 100;
/// Granules per 50 ms stretch (one history value, one noise-floor value).
const GRANULES_PER_STRETCH: usize = 5;
/// Sample rates a meter accepts (Hz): `ebur128`'s range, which the K-weighting is designed for.
const MIN_SAMPLE_RATE: u32 = 16;
const MAX_SAMPLE_RATE: u32 = 2_822_400;
/// 10 ms granules in the momentary window.
const GRANULES_MOMENTARY: usize = 40;

#[derive(Debug, Clone)]
pub struct ChannelMeter {
    /// Sample rate (Hz).
    rate: u32,
    /// Sanitised copy of the block being processed (NaN/Inf replaced), sized once.
    scratch: Vec<f32>,
    /// Latest finite sample: stands in for a non-finite one ([`hold_finite`]).
    last_clean: f32,
    /// BS.1770 K-weighting; its output's energy over each 100 ms slice is the loudness.
    k_weighting: KWeighting,
    /// Sum of squares of the K-weighted samples of the current slice.
    slice_sumsq: f64,
    /// Sum of squares of the K-weighted samples of the current 10 ms granule.
    granule_ksumsq: f64,
    /// Oversampled peak between the samples.
    true_peak: TruePeak,
    /// Interpolate only pieces that could raise `max_true_peak` (`MeterConfig`).
    true_peak_max_only: bool,
    /// Integrated loudness (LUFS) and loudness range (LU) with the 100 ms step of audio they
    /// were computed at. They change only when a slice closes; scanning the histograms on
    /// every read (60 reads a second per channel live) would cost more than the slices do.
    gated: Cell<Option<(u64, f64, f64)>>,
    /// Clip and over counts.
    clips: OverCounter,
    /// Non-finite samples since reset.
    invalid: u64,
    /// Frames processed since reset.
    frames: u64,
    /// Clips in the latest block: counts before it, and the first and last clipped frame's
    /// offset in it. A take report places each clip burst to the sample from these.
    block_clip_base: (u64, u64),
    block_first_clip: Option<u32>,
    block_last_clip: u32,
    /// 100 ms slices closed since reset, with the latest 400 ms block energy (once 4 slices
    /// are in) and 3 s short-term energy (once 30 are in): what a take's own integrated
    /// loudness and loudness range are gated from.
    slices_closed: u64,
    latest_block_energy: Option<f64>,
    latest_short_term_energy: Option<f64>,

    /// Max |x| of the latest block (linear).
    block_peak: f32,
    /// True peak of the latest block (linear).
    block_true_peak: f64,
    /// Max |x| since reset (linear).
    max_peak: f32,
    /// True peak since reset (linear).
    max_true_peak: f64,
    /// IEC hold on the sample peak (dBFS).
    peak_hold: PeakHold,
    /// Falling bar on the true peak, no hold (dBTP).
    falling_true_peak: PeakHold,
    /// IEC hold on the true peak (dBTP): the marker over the true-peak bar.
    true_peak_hold: PeakHold,
    /// VU, PPMs, K average, digital peak bar: those switched on.
    programme: ProgrammeMeters,

    /// Frames per 10 ms granule, and how far into the current one we are.
    granule_len: usize,
    granule_pos: usize,
    /// Sums over the current granule: x², x, low-passed x².
    g_sumsq: f64,
    g_sum: f64,
    g_low_sumsq: f64,
    /// Per-granule sums over the RMS, DC and low-band windows.
    rms_window: SlidingSum,
    dc_window: SlidingSum,
    low_window: SlidingSum,
    full_window: SlidingSum,
    /// Highest 300 ms mean square since reset.
    max_rms_ms: f64,
    /// Since-reset sums: x², x, low-passed x².
    total_sumsq: f64,
    total_sum: f64,
    total_low_sumsq: f64,
    /// Rumble-band filter, run at `rate / decimation`.
    lowpass: LowPass,
    /// Samples averaged per rumble-filter input, how many are in, and their sum.
    decimation: usize,
    dec_pos: usize,
    dec_sum: f64,

    /// Granules into the current 50 ms stretch, its x² sum and its true peak (linear).
    stretch_granules: usize,
    stretch_sumsq: f64,
    stretch_true_peak: f64,
    /// Max true peak per 50 ms over the last 60 s (dBTP): the headroom track.
    history: History,
    /// 50 ms mean squares over the last 10 s, and scratch to take their percentile.
    noise_window: SlidingSum,
    noise_scratch: RefCell<Vec<f64>>,
    /// Stretches closed since reset, and the recent noise floor (dBFS) with the count it was
    /// taken at: it is taken when read, at most once per stretch. Taking it at every stretch
    /// was a percentile of 200 values per channel 20 times a second of audio, most of them
    /// never read in an analysis of a file.
    stretches_closed: u64,
    recent_noise: Cell<Option<(u64, f64)>>,
    /// Since-reset histogram of 50 ms RMS levels above digital silence.
    noise_hist: Vec<u64>,
    /// Values in `noise_hist`.
    noise_count: u64,
    /// The since-reset noise floor (dBFS) with the `noise_count` it was taken at: it changes
    /// only when a stretch adds a value, and scanning the histogram on every read (60 reads a
    /// second per channel live) was most of the cost of `readings`.
    total_noise: Cell<Option<(u64, f64)>>,

    /// Frames per 100 ms loudness slice, and how far into the current one we are.
    slice_len: usize,
    slice_pos: usize,
    /// Momentary, short-term and gated loudness from the slices (the programme meter's code).
    loudness: SliceLoudness,
    /// K-weighted mean square of each of the latest 40 granules. The momentary maximum is
    /// taken from these on a 10 ms hop: a 400 ms burst is then caught whole wherever it
    /// starts, where on the 100 ms slice hop it could read up to 0.46 LU low (EBU Tech 3341
    /// cases 13 and 14).
    granule_energies: SlidingSum,
    max_momentary_lufs: f64,
    max_short_term_lufs: f64,
}

impl ChannelMeter {
    pub fn new(sample_rate: u32, config: &MeterConfig) -> Result<Self, MeterError> {
        if sample_rate == 0 {
            return Err(MeterError::SampleRate(sample_rate));
        }
        // K-weighting, gating and true peak are ours (`k_weighting`, `gating`, `true_peak`):
        // `ebur128`'s re-sum their 400 ms and 3 s buffers per block and interpolate a sample
        // at a time. Its coefficients and its range of rates are kept.
        if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate) {
            return Err(MeterError::SampleRate(sample_rate));
        }
        let decimation = (sample_rate / LOW_BAND_RATE_HZ).max(1) as usize;
        let granule_len = ((sample_rate + GRANULES_PER_S / 2) / GRANULES_PER_S).max(1) as usize;
        let stretches_per_s = GRANULES_PER_S as usize / GRANULES_PER_STRETCH;
        let noise_len = NOISE_WINDOW_S * stretches_per_s;
        Ok(Self {
            rate: sample_rate,
            gated: Cell::new(None),
            scratch: vec![0.0; config.max_block_frames.max(1)],
            last_clean: 0.0,
            k_weighting: KWeighting::new(sample_rate),
            slice_sumsq: 0.0,
            granule_ksumsq: 0.0,
            true_peak: TruePeak::new(sample_rate),
            true_peak_max_only: config.true_peak_max_only,
            clips: OverCounter::new(config.over_len, config.clip_rule.threshold()),
            invalid: 0,
            frames: 0,
            block_clip_base: (0, 0),
            block_first_clip: None,
            block_last_clip: 0,
            slices_closed: 0,
            latest_block_energy: None,
            latest_short_term_energy: None,
            block_peak: 0.0,
            block_true_peak: 0.0,
            max_peak: 0.0,
            max_true_peak: 0.0,
            peak_hold: PeakHold::new(config.peak_hold_s, config.peak_fall_db_per_s),
            falling_true_peak: PeakHold::new(0.0, config.peak_fall_db_per_s),
            true_peak_hold: PeakHold::new(config.peak_hold_s, config.peak_fall_db_per_s),
            programme: ProgrammeMeters::new(sample_rate, config.programme),
            granule_len,
            granule_pos: 0,
            g_sumsq: 0.0,
            g_sum: 0.0,
            g_low_sumsq: 0.0,
            rms_window: SlidingSum::new((RMS_WINDOW_S * f64::from(GRANULES_PER_S)) as usize),
            dc_window: SlidingSum::new((DC_WINDOW_S * f64::from(GRANULES_PER_S)) as usize),
            low_window: SlidingSum::new((LOW_BAND_WINDOW_S * f64::from(GRANULES_PER_S)) as usize),
            full_window: SlidingSum::new((LOW_BAND_WINDOW_S * f64::from(GRANULES_PER_S)) as usize),
            max_rms_ms: 0.0,
            total_sumsq: 0.0,
            total_sum: 0.0,
            total_low_sumsq: 0.0,
            lowpass: LowPass::new(LOW_BAND_HZ, f64::from(sample_rate) / decimation as f64),
            decimation,
            dec_pos: 0,
            dec_sum: 0.0,
            stretch_granules: 0,
            stretch_sumsq: 0.0,
            stretch_true_peak: 0.0,
            history: History::new(HISTORY_S * HISTORY_RATE_HZ),
            noise_window: SlidingSum::new(noise_len),
            noise_scratch: RefCell::new(vec![0.0; noise_len]),
            stretches_closed: 0,
            recent_noise: Cell::new(None),
            noise_hist: vec![0; NOISE_BINS],
            noise_count: 0,
            total_noise: Cell::new(None),
            slice_len: ((sample_rate + 5) / 10) as usize,
            slice_pos: 0,
            loudness: SliceLoudness::new(),
            granule_energies: SlidingSum::new(GRANULES_MOMENTARY),
            max_momentary_lufs: f64::NEG_INFINITY,
            max_short_term_lufs: f64::NEG_INFINITY,
        })
    }

    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    /// Meters one block of this channel's samples, of any length. Allocates nothing.
    pub fn process(&mut self, block: &[f32]) {
        if block.is_empty() {
            return;
        }
        self.begin_block();
        let mut scratch = std::mem::take(&mut self.scratch);
        let chunk_len = scratch.len();
        for (i, chunk) in block.chunks(chunk_len).enumerate() {
            let clean = &mut scratch[..chunk.len()];
            if self.sanitize(chunk, i * chunk_len, clean) {
                self.meter_clean(clean, None);
            } else {
                self.meter_clean(chunk, None);
            }
        }
        self.scratch = scratch;
        self.end_block(block.len());
    }

    /// Longest piece of a block [`sanitize`](Self::sanitize) and
    /// [`meter_clean`](Self::meter_clean) take at once (frames).
    pub(super) fn chunk_len(&self) -> usize {
        self.scratch.len()
    }

    /// Starts a block a caller feeds in chunks (a bank that K-weights four channels at once):
    /// `begin_block`, then per chunk `sanitize` and `meter_clean`, then `end_block`.
    pub(super) fn begin_block(&mut self) {
        self.block_peak = 0.0;
        self.block_true_peak = 0.0;
        self.block_clip_base = (self.clips.clipped_samples(), self.clips.overs());
        self.block_first_clip = None;
    }

    /// Counts the clips and non-finite samples of `chunk`, which starts `offset` frames into
    /// the block. Returns `true` when `chunk` needed cleaning and `clean` (as long as
    /// `chunk`) now holds what is to be metered; `false` when `chunk` itself can be.
    pub(super) fn sanitize(&mut self, chunk: &[f32], offset: usize, clean: &mut [f32]) -> bool {
        // Almost all audio is finite and below full scale: then there is nothing to
        // sanitise or count, and the samples are metered in place without a copy.
        let level = self.clips.level();
        if chunk.iter().fold(true, |ok, x| ok & (x.abs() < level)) {
            self.clips.push(0.0);
            if let Some(&last) = chunk.last() {
                self.last_clean = last;
            }
            return false;
        }
        for (j, (dst, &x)) in clean.iter_mut().zip(chunk).enumerate() {
            if hold_finite(x, &mut self.last_clean) {
                let before = self.clips.clipped_samples();
                self.clips.push(x);
                if self.clips.clipped_samples() != before {
                    let at = u32::try_from(offset + j).unwrap_or(u32::MAX);
                    self.block_first_clip.get_or_insert(at);
                    self.block_last_clip = at;
                }
            } else {
                // A fault, not a level: keep it out of peaks, loudness and filter state.
                self.invalid += 1;
                self.clips.push(0.0);
            }
            *dst = self.last_clean;
        }
        true
    }

    /// Ends a block of `len` frames: the hold and the falling bar move on by its duration.
    pub(super) fn end_block(&mut self, len: usize) {
        self.frames += len as u64;
        let dt = len as f64 / f64::from(self.rate);
        self.peak_hold
            .update(amplitude_to_db(f64::from(self.block_peak)), dt);
        self.falling_true_peak
            .update(amplitude_to_db(self.block_true_peak), dt);
        self.true_peak_hold
            .update(amplitude_to_db(self.block_true_peak), dt);
    }

    /// Feeds the loudness meter and the true peak in pieces that end at every 10 ms granule
    /// and 100 ms slice boundary (a piece's true peak belongs to its stretch, and each
    /// granule's loudness is the latest 10 ms fed), and sums each piece so every window closes
    /// exactly.
    ///
    /// `k_squares`, when given, holds the square of each K-weighted sample of `clean`,
    /// filtered by the caller (a bank's four-lane filter); otherwise this meter's own filter
    /// runs. A meter is fed one way or the other for its whole life: the filter state lives
    /// with whoever filters.
    pub(super) fn meter_clean(
        &mut self,
        mut clean: &[f32],
        mut k_squares: Option<LaneSquares<'_>>,
    ) {
        self.programme.process(clean);
        while !clean.is_empty() {
            let to_stretch = (GRANULES_PER_STRETCH - self.stretch_granules) * self.granule_len
                - self.granule_pos;
            let n = clean
                .len()
                .min(to_stretch)
                .min(self.granule_len - self.granule_pos)
                .min(self.slice_len - self.slice_pos);
            let (piece, rest) = clean.split_at(n);
            clean = rest;

            // A piece lies within one granule and one slice: its energy belongs to both.
            let k_sumsq = match &mut k_squares {
                Some(squares) => {
                    let (sum, rest) = squares.take_sum(n);
                    *squares = rest;
                    sum
                }
                None => self.k_weighting.sum_squares(piece),
            };
            self.slice_sumsq += k_sumsq;
            self.granule_ksumsq += k_sumsq;
            let mut peak = 0.0f32;
            let mut rest_of_piece = piece;
            while !rest_of_piece.is_empty() {
                let m = rest_of_piece.len().min(self.granule_len - self.granule_pos);
                let (granule, r) = rest_of_piece.split_at(m);
                rest_of_piece = r;
                peak = peak.max(self.sum_granule(granule));
                self.granule_pos += m;
                if self.granule_pos == self.granule_len {
                    self.close_granule();
                }
            }
            let tp = if self.true_peak_max_only
                && f64::from(self.true_peak.bound(peak)) <= self.max_true_peak
            {
                self.true_peak.skip(piece);
                0.0
            } else {
                f64::from(self.true_peak.process(piece))
            };
            // True peak is never below the sample peak, whatever the interpolator does.
            let tp = tp.max(f64::from(peak));
            self.block_peak = self.block_peak.max(peak);
            self.block_true_peak = self.block_true_peak.max(tp);
            self.max_peak = self.max_peak.max(peak);
            self.max_true_peak = self.max_true_peak.max(tp);
            self.stretch_true_peak = self.stretch_true_peak.max(tp);
            // A piece never crosses a stretch end, so this piece's true peak belongs to it.
            if self.stretch_granules == GRANULES_PER_STRETCH {
                self.close_stretch();
            }
            self.slice_pos += n;
            if self.slice_pos == self.slice_len {
                self.close_slice();
            }
        }
    }

    /// Adds samples within one granule to its sums; returns their max |x|.
    #[inline]
    fn sum_granule(&mut self, samples: &[f32]) -> f32 {
        // Four independent accumulators: one chain of f64 adds would make this loop wait on
        // add latency for every sample.
        let mut peak = [0.0f32; 4];
        let mut sumsq = [0.0f64; 4];
        let mut sum = [0.0f64; 4];
        let lanes = samples.chunks_exact(4);
        let tail = lanes.remainder();
        for quad in lanes {
            let Some(quad) = quad.first_chunk::<4>() else {
                continue;
            };
            // Samples here are finite (sanitised), so a compare-and-pick is the maximum, and
            // the compiler makes it one vector max instead of `f32::max`'s NaN handling.
            for i in 0..4 {
                let a = quad[i].abs();
                peak[i] = if a > peak[i] { a } else { peak[i] };
            }
            let x = quad.map(f64::from);
            for i in 0..4 {
                sumsq[i] += x[i] * x[i];
                sum[i] += x[i];
            }
        }
        for &x in tail {
            peak[0] = peak[0].max(x.abs());
            let x = f64::from(x);
            sumsq[0] += x * x;
            sum[0] += x;
        }
        let sumsq = (sumsq[0] + sumsq[1]) + (sumsq[2] + sumsq[3]);
        let sum = (sum[0] + sum[1]) + (sum[2] + sum[3]);
        let low_sumsq = self.sum_low_band(samples);
        self.g_sumsq += sumsq;
        self.g_sum += sum;
        self.g_low_sumsq += low_sumsq;
        self.total_sumsq += sumsq;
        self.total_sum += sum;
        self.total_low_sumsq += low_sumsq;
        peak[0].max(peak[1]).max(peak[2].max(peak[3]))
    }

    /// Rumble-band energy of `samples`. The band is far below the decimated Nyquist: the filter
    /// runs on means of `decimation` samples, whose box-car nulls sit on every alias of it.
    #[inline]
    fn sum_low_band(&mut self, mut samples: &[f32]) -> f64 {
        let d = self.decimation;
        let factor = d as f64;
        let mut low_sumsq = 0.0;
        while !samples.is_empty() {
            let n = samples.len().min(d - self.dec_pos);
            let (group, rest) = samples.split_at(n);
            samples = rest;
            self.dec_sum += sum_f32(group);
            self.dec_pos += n;
            if self.dec_pos == d {
                let low = self.lowpass.process(self.dec_sum / factor);
                low_sumsq += low * low * factor;
                self.dec_sum = 0.0;
                self.dec_pos = 0;
            }
        }
        low_sumsq
    }

    fn close_granule(&mut self) {
        // Pieces end at every granule boundary, so this is exactly the granule's energy.
        let energy = self.granule_ksumsq / self.granule_len as f64;
        self.granule_ksumsq = 0.0;
        self.granule_energies.push(energy);
        if self.granule_energies.is_full() {
            let momentary = energy_to_lufs(self.granule_energies.sum() / GRANULES_MOMENTARY as f64);
            self.max_momentary_lufs = self.max_momentary_lufs.max(momentary);
        }
        self.rms_window.push(self.g_sumsq);
        self.dc_window.push(self.g_sum);
        self.low_window.push(self.g_low_sumsq);
        self.full_window.push(self.g_sumsq);
        if self.rms_window.is_full() {
            let ms = self.rms_window.sum() / (self.rms_window.filled() * self.granule_len) as f64;
            self.max_rms_ms = self.max_rms_ms.max(ms);
        }
        self.stretch_sumsq += self.g_sumsq;
        self.stretch_granules += 1;
        self.granule_pos = 0;
        self.g_sumsq = 0.0;
        self.g_sum = 0.0;
        self.g_low_sumsq = 0.0;
    }

    fn close_stretch(&mut self) {
        let ms = self.stretch_sumsq / (GRANULES_PER_STRETCH * self.granule_len) as f64;
        self.history
            .push(amplitude_to_db(self.stretch_true_peak) as f32);
        self.noise_window.push(ms);
        let db = power_to_db(ms);
        if db > DIGITAL_SILENCE_DBFS {
            let bin = ((db - DIGITAL_SILENCE_DBFS) / NOISE_BIN_DB) as usize;
            self.noise_hist[bin.min(NOISE_BINS - 1)] += 1;
            self.noise_count += 1;
        }
        self.stretches_closed += 1;
        self.stretch_granules = 0;
        self.stretch_sumsq = 0.0;
        self.stretch_true_peak = 0.0;
    }

    /// The noise floor of the latest 10 s (dBFS): a low percentile of its 50 ms levels above
    /// digital silence. Allocates nothing.
    fn recent_noise_floor(&self) -> f64 {
        if let Some((at, floor)) = self.recent_noise.get()
            && at == self.stretches_closed
        {
            return floor;
        }
        let silence = super::level::db_to_amplitude(DIGITAL_SILENCE_DBFS).powi(2);
        let mut scratch = self.noise_scratch.borrow_mut();
        let mut n = 0;
        for &ms in self.noise_window.values() {
            if ms > silence {
                scratch[n] = ms;
                n += 1;
            }
        }
        let floor = if n == 0 {
            f64::NEG_INFINITY
        } else {
            let k = ((n - 1) as f64 * NOISE_PERCENTILE).round() as usize;
            let (_, v, _) = scratch[..n].select_nth_unstable_by(k, f64::total_cmp);
            power_to_db(*v)
        };
        self.recent_noise.set(Some((self.stretches_closed, floor)));
        floor
    }

    fn close_slice(&mut self) {
        let energy = self.slice_sumsq / self.slice_len as f64;
        self.slice_sumsq = 0.0;
        let closed = self.loudness.close_slice(energy);
        self.slices_closed += 1;
        if closed.block_energy.is_some() {
            self.latest_block_energy = closed.block_energy;
        }
        if closed.short_term_energy.is_some() {
            self.max_short_term_lufs = self
                .max_short_term_lufs
                .max(self.loudness.short_term_lufs());
            self.latest_short_term_energy = closed.short_term_energy;
        }
        self.slice_pos = 0;
    }

    fn total_noise_floor(&self) -> f64 {
        let total = self.noise_count;
        if let Some((at, floor)) = self.total_noise.get()
            && at == total
        {
            return floor;
        }
        let floor = if total == 0 {
            f64::NEG_INFINITY
        } else {
            let want = ((total as f64 * NOISE_PERCENTILE).ceil() as u64).max(1);
            let mut seen = 0;
            self.noise_hist
                .iter()
                .position(|&count| {
                    seen += count;
                    seen >= want
                })
                .map_or(f64::NEG_INFINITY, |bin| {
                    DIGITAL_SILENCE_DBFS + (bin as f64 + 0.5) * NOISE_BIN_DB
                })
        };
        self.total_noise.set(Some((total, floor)));
        floor
    }

    /// The latest block's sample peak and true peak, as amplitudes: what a caller that
    /// gathers peaks block by block needs, without computing every other reading.
    pub fn block_peaks(&self) -> (f64, f64) {
        (f64::from(self.block_peak), self.block_true_peak)
    }

    /// Clips in the latest block: `(clipped samples, overs, first, last)` with the first and
    /// last clipped frame's offset in the block; `None` when it had none.
    pub fn block_clips(&self) -> Option<(u64, u64, u32, u32)> {
        let first = self.block_first_clip?;
        Some((
            self.clips.clipped_samples() - self.block_clip_base.0,
            self.clips.overs() - self.block_clip_base.1,
            first,
            self.block_last_clip,
        ))
    }

    /// 100 ms slices closed since reset, with the latest 400 ms gating block's and 3 s
    /// short-term window's K-weighted energy (`None` until there is one). A reader that
    /// sees the count advance by one takes each gating value exactly once.
    pub fn latest_gating(&self) -> (u64, Option<f64>, Option<f64>) {
        (
            self.slices_closed,
            self.latest_block_energy,
            self.latest_short_term_energy,
        )
    }

    /// The current readings. Integrated loudness and LRA are computed here from bounded
    /// histograms; everything else is kept up to date by `process`.
    pub fn readings(&self) -> ChannelReadings {
        let (integrated, lra) = self.gated_loudness();
        let max_tp_db = amplitude_to_db(self.max_true_peak);
        let rms_frames = (self.rms_window.filled() * self.granule_len).max(1) as f64;
        let dc_frames = (self.dc_window.filled() * self.granule_len).max(1) as f64;
        let share = |low: f64, full: f64| {
            if full > 0.0 {
                (low / full).clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        // Until a window has been full once, the running value is the best maximum there is.
        let or_current = |max: f64, current: f64| if max.is_finite() { max } else { current };
        ChannelReadings {
            frames: self.frames,
            sample_peak_dbfs: amplitude_to_db(f64::from(self.block_peak)),
            max_sample_peak_dbfs: amplitude_to_db(f64::from(self.max_peak)),
            peak_hold_dbfs: self.peak_hold.value_db(),
            true_peak_dbtp: amplitude_to_db(self.block_true_peak),
            max_true_peak_dbtp: max_tp_db,
            falling_true_peak_dbtp: self.falling_true_peak.value_db(),
            true_peak_hold_dbtp: self.true_peak_hold.value_db(),
            clipped_samples: self.clips.clipped_samples(),
            overs: self.clips.overs(),
            longest_clip_run: self.clips.longest_run(),
            invalid_samples: self.invalid,
            rms_dbfs: power_to_db(self.rms_window.sum() / rms_frames),
            max_rms_dbfs: or_current(
                power_to_db(self.max_rms_ms),
                power_to_db(self.rms_window.sum() / rms_frames),
            ),
            total_rms_dbfs: power_to_db(self.total_sumsq / self.frames.max(1) as f64),
            dc_offset: self.dc_window.sum() / dc_frames,
            total_dc_offset: self.total_sum / self.frames.max(1) as f64,
            momentary_lufs: self.loudness.momentary_lufs(),
            short_term_lufs: self.loudness.short_term_lufs(),
            max_momentary_lufs: or_current(self.max_momentary_lufs, self.loudness.momentary_lufs()),
            max_short_term_lufs: or_current(
                self.max_short_term_lufs,
                self.loudness.short_term_lufs(),
            ),
            integrated_lufs: integrated,
            loudness_range_lu: lra,
            plr_db: if integrated.is_finite() && max_tp_db.is_finite() {
                max_tp_db - integrated
            } else {
                f64::NAN
            },
            noise_floor_dbfs: self.recent_noise_floor(),
            total_noise_floor_dbfs: self.total_noise_floor(),
            low_band_share: share(self.low_window.sum(), self.full_window.sum()),
            total_low_band_share: share(self.total_low_sumsq, self.total_sumsq),
            programme: self.programme.current(),
        }
    }

    /// Integrated loudness and loudness range, computed once per 100 ms slice of audio.
    fn gated_loudness(&self) -> (f64, f64) {
        let step = self.frames / self.slice_len as u64;
        if let Some((at, integrated, lra)) = self.gated.get()
            && at == step
        {
            return (integrated, lra);
        }
        let integrated = self.loudness.integrated_lufs();
        let lra = self.loudness.loudness_range_lu();
        self.gated.set(Some((step, integrated, lra)));
        (integrated, lra)
    }

    /// Each running programme meter's highest reading since the previous take (dBFS): what
    /// a publisher that reads at its own pace shows, so no peak between two reads is lost.
    pub fn take_programme(&mut self) -> ProgrammeReadings {
        self.programme.take()
    }

    /// Switches programme meters on and off (those switched on start from rest).
    pub fn set_programme(&mut self, on: ProgrammeSet) {
        self.programme.switch(on);
    }

    /// Max true peak per 50 ms over the last 60 s (dBTP), oldest first.
    pub fn peak_history(&self) -> impl Iterator<Item = f32> + '_ {
        self.history.iter()
    }

    /// Number of values the peak history holds when full.
    pub fn peak_history_capacity(&self) -> usize {
        self.history.capacity()
    }

    /// Clears every reading and count, as at construction. Allocates nothing.
    pub fn reset(&mut self) {
        self.k_weighting.reset();
        self.slice_sumsq = 0.0;
        self.granule_ksumsq = 0.0;
        self.true_peak.reset();
        self.loudness.reset();
        self.gated.set(None);
        self.clips.reset();
        self.invalid = 0;
        self.last_clean = 0.0;
        self.frames = 0;
        self.block_clip_base = (0, 0);
        self.block_first_clip = None;
        self.block_last_clip = 0;
        self.slices_closed = 0;
        self.latest_block_energy = None;
        self.latest_short_term_energy = None;
        self.block_peak = 0.0;
        self.block_true_peak = 0.0;
        self.max_peak = 0.0;
        self.max_true_peak = 0.0;
        self.peak_hold.reset();
        self.falling_true_peak.reset();
        self.true_peak_hold.reset();
        self.programme.reset();
        self.granule_pos = 0;
        self.g_sumsq = 0.0;
        self.g_sum = 0.0;
        self.g_low_sumsq = 0.0;
        self.rms_window.reset();
        self.dc_window.reset();
        self.low_window.reset();
        self.full_window.reset();
        self.max_rms_ms = 0.0;
        self.total_sumsq = 0.0;
        self.total_sum = 0.0;
        self.total_low_sumsq = 0.0;
        self.lowpass.reset();
        self.dec_pos = 0;
        self.dec_sum = 0.0;
        self.stretch_granules = 0;
        self.stretch_sumsq = 0.0;
        self.stretch_true_peak = 0.0;
        self.history.reset();
        self.noise_window.reset();
        self.stretches_closed = 0;
        self.recent_noise.set(None);
        self.noise_hist.fill(0);
        self.noise_count = 0;
        self.total_noise.set(None);
        self.slice_pos = 0;
        self.granule_energies.reset();
        self.max_momentary_lufs = f64::NEG_INFINITY;
        self.max_short_term_lufs = f64::NEG_INFINITY;
    }
}

/// Sum of a short run of samples in four lanes (a group of `decimation`, typically 8).
#[inline]
fn sum_f32(xs: &[f32]) -> f64 {
    let mut lanes = [0.0f32; 4];
    let quads = xs.chunks_exact(4);
    let tail = quads.remainder();
    for quad in quads {
        for i in 0..4 {
            lanes[i] += quad[i];
        }
    }
    let mut total = f64::from((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]));
    for &x in tail {
        total += f64::from(x);
    }
    total
}
