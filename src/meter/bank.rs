//! A meter per channel, fed planar or interleaved audio.

use super::MeterError;
use super::channel::ChannelMeter;
use super::config::MeterConfig;
use super::readings::ChannelReadings;

/// Most channels a bank accepts.
pub const MAX_CHANNELS: usize = 1024;

/// One [`ChannelMeter`] per channel plus the buffers that split interleaved audio into
/// channels. Interleaved input may arrive in chunks of any length: a partial frame at the end
/// of one chunk is completed by the next, so channels can never rotate.
#[derive(Debug)]
pub struct MeterBank {
    meters: Vec<ChannelMeter>,
    /// Planar staging, `capacity` frames per channel, channel c at `c * capacity`.
    planar: Vec<f32>,
    /// Frames per channel the staging holds.
    capacity: usize,
    /// Whole frames staged and not yet metered.
    staged: usize,
    /// Channel of the next interleaved sample (non-zero inside a partial frame).
    next_channel: usize,
}

/// Whether a bank of `channels` channels can be built: callers that size other buffers by the
/// channel count (a ring, a WAV reader's blocks) ask first.
pub fn check_channels(channels: usize) -> Result<(), MeterError> {
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(MeterError::Channels(channels));
    }
    Ok(())
}

impl MeterBank {
    pub fn new(
        channels: usize,
        sample_rate: u32,
        config: &MeterConfig,
    ) -> Result<Self, MeterError> {
        check_channels(channels)?;
        let meters = (0..channels)
            .map(|_| ChannelMeter::new(sample_rate, config))
            .collect::<Result<Vec<_>, _>>()?;
        let capacity = config.max_block_frames.max(1);
        Ok(Self {
            meters,
            planar: vec![0.0; channels * capacity],
            capacity,
            staged: 0,
            next_channel: 0,
        })
    }

    pub fn channels(&self) -> usize {
        self.meters.len()
    }

    pub fn sample_rate(&self) -> u32 {
        self.meters[0].sample_rate()
    }

    /// Meters one block per channel. Blocks must all have the same length.
    pub fn process_planar(&mut self, blocks: &[&[f32]]) {
        debug_assert_eq!(blocks.len(), self.meters.len());
        for (meter, block) in self.meters.iter_mut().zip(blocks) {
            meter.process(block);
        }
    }

    /// Meters interleaved samples; a trailing partial frame waits for the next call.
    pub fn process_interleaved(&mut self, mut samples: &[f32]) {
        let channels = self.meters.len();
        // Complete a frame the last call started.
        while self.next_channel != 0
            && let Some((&x, rest)) = samples.split_first()
        {
            self.stage(x);
            samples = rest;
        }
        // Whole frames, channel by channel: one strided gather per channel rather than a
        // branch per sample (that loop was an eighth of the meter thread at 32 channels).
        while samples.len() >= channels {
            let frames = (samples.len() / channels).min(self.capacity - self.staged);
            let (whole, rest) = samples.split_at(frames * channels);
            for c in 0..channels {
                let start = c * self.capacity + self.staged;
                let dst = &mut self.planar[start..start + frames];
                for (d, &x) in dst.iter_mut().zip(whole.iter().skip(c).step_by(channels)) {
                    *d = x;
                }
            }
            self.staged += frames;
            if self.staged == self.capacity {
                self.flush();
            }
            samples = rest;
        }
        for &x in samples {
            self.stage(x);
        }
        self.flush();
    }

    /// Stages one interleaved sample, metering the staging when it fills.
    fn stage(&mut self, x: f32) {
        self.planar[self.next_channel * self.capacity + self.staged] = x;
        self.next_channel += 1;
        if self.next_channel == self.meters.len() {
            self.next_channel = 0;
            self.staged += 1;
            if self.staged == self.capacity {
                self.flush();
            }
        }
    }

    /// Meters the whole frames staged and moves a started partial frame to the front.
    fn flush(&mut self) {
        if self.staged == 0 {
            return;
        }
        let n = self.staged;
        for (c, meter) in self.meters.iter_mut().enumerate() {
            meter.process(&self.planar[c * self.capacity..c * self.capacity + n]);
        }
        for c in 0..self.next_channel {
            self.planar[c * self.capacity] = self.planar[c * self.capacity + n];
        }
        self.staged = 0;
    }

    pub fn meter(&self, channel: usize) -> &ChannelMeter {
        &self.meters[channel]
    }

    pub fn meters(&self) -> &[ChannelMeter] {
        &self.meters
    }

    pub fn readings(&self, channel: usize) -> ChannelReadings {
        self.meters[channel].readings()
    }

    pub fn reset(&mut self) {
        self.meters.iter_mut().for_each(ChannelMeter::reset);
    }

    /// Channel `channel`'s programme meters' highest readings since the previous take.
    pub fn take_programme(&mut self, channel: usize) -> super::ProgrammeReadings {
        self.meters
            .get_mut(channel)
            .map(ChannelMeter::take_programme)
            .unwrap_or_default()
    }

    /// Switches every channel's programme meters on and off.
    pub fn set_programme(&mut self, on: super::ProgrammeSet) {
        for m in &mut self.meters {
            m.set_programme(on);
        }
    }

    pub fn reset_channel(&mut self, channel: usize) {
        if let Some(m) = self.meters.get_mut(channel) {
            m.reset();
        }
    }
}
