//! Programme loudness of a whole file of 1 to 5 channels (BS.1770 weights L, R, C, Ls, Rs).

use ebur128::{Channel, EbuR128, Mode};

use super::MeterError;
use super::sample::hold_finite;

/// Most channels with a BS.1770 programme weighting this meter knows.
pub const MAX_PROGRAM_CHANNELS: usize = 5;

#[derive(Debug)]
pub struct ProgramMeter {
    ebu: EbuR128,
    /// Sanitised planar copies of the block, sized once.
    scratch: Vec<Vec<f32>>,
    /// Latest finite sample per channel: stands in for NaN/Inf ([`hold_finite`]).
    last_clean: Vec<f32>,
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
        let mode = Mode::M | Mode::S | Mode::I | Mode::LRA | Mode::HISTOGRAM;
        let mut ebu =
            EbuR128::new(channels as u32, sample_rate, mode).map_err(MeterError::Loudness)?;
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
        }))
    }

    /// Feeds one block per channel, all of the same length.
    pub fn process_planar(&mut self, blocks: &[&[f32]]) {
        let len = blocks.first().map_or(0, |b| b.len());
        let cap = self.scratch[0].len();
        let mut start = 0;
        while start < len {
            let n = (len - start).min(cap);
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
            let _ = self.ebu.add_frames_planar_f32(&refs[..self.scratch.len()]);
            start += n;
        }
    }

    /// Programme momentary loudness of the latest 400 ms fed (LUFS).
    pub fn momentary_lufs(&self) -> f64 {
        self.ebu.loudness_momentary().unwrap_or(f64::NEG_INFINITY)
    }

    /// Programme short-term loudness of the latest 3 s fed (LUFS).
    pub fn short_term_lufs(&self) -> f64 {
        self.ebu.loudness_shortterm().unwrap_or(f64::NEG_INFINITY)
    }

    pub fn readings(&self) -> ProgramReadings {
        ProgramReadings {
            integrated_lufs: self.ebu.loudness_global().unwrap_or(f64::NEG_INFINITY),
            loudness_range_lu: self.ebu.loudness_range().unwrap_or(0.0),
        }
    }
}
