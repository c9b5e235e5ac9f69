//! Programme loudness of a whole file of 1 to 5 channels (BS.1770 weights L, R, C, Ls, Rs).
//!
//! The same construction as a channel meter's loudness: `ebur128` K-weights and sums the
//! weighted channels, and gives each 100 ms slice's energy; from there the windows and the
//! gating are [`slices`](super::slices), the code a channel's meter uses too.

use ebur128::{Channel, EbuR128, Mode};

use super::MeterError;
use super::level::lufs_to_energy;
use super::sample::hold_finite;
use super::slices::SliceLoudness;

/// Most channels with a BS.1770 programme weighting this meter knows.
pub const MAX_PROGRAM_CHANNELS: usize = 5;

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
    /// Momentary, short-term and gated loudness from the weighted slices.
    loudness: SliceLoudness,
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
            loudness: SliceLoudness::new(),
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
        self.loudness.close_slice(energy);
        self.slice_pos = 0;
    }

    /// Programme momentary loudness of the latest 400 ms of whole slices fed (LUFS).
    pub fn momentary_lufs(&self) -> f64 {
        self.loudness.momentary_lufs()
    }

    /// Programme short-term loudness of the latest 3 s of whole slices fed (LUFS).
    pub fn short_term_lufs(&self) -> f64 {
        self.loudness.short_term_lufs()
    }

    pub fn readings(&self) -> ProgramReadings {
        ProgramReadings {
            integrated_lufs: self.loudness.integrated_lufs(),
            loudness_range_lu: self.loudness.loudness_range_lu(),
        }
    }
}
