//! Programme loudness of a whole file of 1 to 5 channels (BS.1770 weights L, R, C, Ls, Rs).
//!
//! The same construction as a channel meter's loudness: `ebur128` K-weights and sums the
//! weighted channels, and gives each 100 ms slice's energy; momentary and short-term are means
//! of the latest 4 and 30 slices; integrated loudness and loudness range come from
//! [`gating`](super::gating), the one gating implementation of the crate.

use ebur128::{Channel, EbuR128, Mode};

use super::MeterError;
use super::gating::{IntegratedLoudness, LoudnessRange};
use super::level::{energy_to_lufs, lufs_to_energy};
use super::sample::hold_finite;
use super::window::SlidingSum;

/// Most channels with a BS.1770 programme weighting this meter knows.
pub const MAX_PROGRAM_CHANNELS: usize = 5;
/// 100 ms loudness slices in the short-term and momentary windows.
const SLICES_SHORT_TERM: usize = 30;
const SLICES_MOMENTARY: usize = 4;

#[derive(Debug)]
pub struct ProgramMeter {
    /// K-weighting and channel weighting only: its latest 100 ms of weighted energy is each
    /// slice's. No gating mode is enabled in it.
    ebu: EbuR128,
    /// Sanitised planar copies of the block, sized once.
    scratch: Vec<Vec<f32>>,
    /// Latest finite sample per channel: stands in for NaN/Inf ([`hold_finite`]).
    last_clean: Vec<f32>,
    /// Frames per 100 ms slice, and how far into the current one we are.
    slice_len: usize,
    slice_pos: usize,
    /// Weighted K-weighted mean square of each of the latest 30 slices.
    slices: SlidingSum,
    momentary_lufs: f64,
    short_term_lufs: f64,
    /// 400 ms block energies (every 100 ms), for integrated loudness.
    blocks: IntegratedLoudness,
    /// 3 s short-term energies (every 100 ms once 3 s are in), for loudness range.
    short_terms: LoudnessRange,
}

/// Programme readings of a whole take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgramReadings {
    pub integrated_lufs: f64,
    pub loudness_range_lu: f64,
}

impl ProgramMeter {
    /// `None` when the channel count has no standard weighting (0 or more than 5).
    pub fn new(
        channels: usize,
        sample_rate: u32,
        max_block_frames: usize,
    ) -> Result<Option<Self>, MeterError> {
        if channels == 0 || channels > MAX_PROGRAM_CHANNELS {
            return Ok(None);
        }
        if sample_rate == 0 {
            return Err(MeterError::SampleRate(sample_rate));
        }
        let mut ebu =
            EbuR128::new(channels as u32, sample_rate, Mode::M).map_err(MeterError::Loudness)?;
        let map = [
            Channel::Left,
            Channel::Right,
            Channel::Center,
            Channel::LeftSurround,
            Channel::RightSurround,
        ];
        if channels == 1 {
            // A mono file is a mono programme: one channel, weight 1 (reads 3 dB under stereo).
            ebu.set_channel(0, Channel::Center)
                .map_err(MeterError::Loudness)?;
        } else {
            ebu.set_channel_map(&map[..channels])
                .map_err(MeterError::Loudness)?;
        }
        Ok(Some(Self {
            ebu,
            scratch: vec![vec![0.0; max_block_frames.max(1)]; channels],
            last_clean: vec![0.0; channels],
            slice_len: ((sample_rate + 5) / 10) as usize,
            slice_pos: 0,
            slices: SlidingSum::new(SLICES_SHORT_TERM),
            momentary_lufs: f64::NEG_INFINITY,
            short_term_lufs: f64::NEG_INFINITY,
            blocks: IntegratedLoudness::new(),
            short_terms: LoudnessRange::new(),
        }))
    }

    /// Feeds one block per channel, all of the same length.
    pub fn process_planar(&mut self, blocks: &[&[f32]]) {
        let len = blocks.first().map_or(0, |b| b.len());
        let cap = self.scratch[0].len();
        let mut start = 0;
        while start < len {
            // Pieces end on every slice boundary, so each slice's energy is exactly its own.
            let n = (len - start).min(cap).min(self.slice_len - self.slice_pos);
            for ((dst, src), last) in self
                .scratch
                .iter_mut()
                .zip(blocks)
                .zip(&mut self.last_clean)
            {
                for (d, &x) in dst[..n].iter_mut().zip(&src[start..start + n]) {
                    hold_finite(x, last);
                    *d = *last;
                }
            }
            let mut refs = [&[][..]; MAX_PROGRAM_CHANNELS];
            for (r, s) in refs.iter_mut().zip(&self.scratch) {
                *r = &s[..n];
            }
            // Errors here mean a wrong channel count, fixed at construction.
            let _ = self.ebu.add_frames_planar_f32(&refs[..self.scratch.len()]);
            start += n;
            self.slice_pos += n;
            if self.slice_pos == self.slice_len {
                self.close_slice();
            }
        }
    }

    /// One 100 ms slice is in: the windows move on by one slice, as in the channel meter.
    fn close_slice(&mut self) {
        let energy = lufs_to_energy(self.ebu.loudness_window(100).unwrap_or(f64::NEG_INFINITY));
        self.slices.push(energy);
        let seen = self.slices.filled();
        let m_n = seen.min(SLICES_MOMENTARY);
        let momentary = self.slices.sum_latest(m_n) / m_n as f64;
        let short_term = self.slices.sum() / seen as f64;
        self.momentary_lufs = energy_to_lufs(momentary);
        self.short_term_lufs = energy_to_lufs(short_term);
        // A gating block is the mean of four slices: 400 ms, a new one every 100 ms.
        if seen >= SLICES_MOMENTARY {
            self.blocks.push(momentary);
        }
        if self.slices.is_full() {
            self.short_terms.push(short_term);
        }
        self.slice_pos = 0;
    }

    /// Programme momentary loudness of the latest 400 ms of whole slices fed (LUFS).
    pub fn momentary_lufs(&self) -> f64 {
        self.momentary_lufs
    }

    /// Programme short-term loudness of the latest 3 s of whole slices fed (LUFS).
    pub fn short_term_lufs(&self) -> f64 {
        self.short_term_lufs
    }

    pub fn readings(&self) -> ProgramReadings {
        ProgramReadings {
            integrated_lufs: self.blocks.lufs(),
            loudness_range_lu: self.short_terms.lu(),
        }
    }
}
