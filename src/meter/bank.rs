//! A meter per channel, fed planar or interleaved audio.

use super::MeterError;
use super::channel::ChannelMeter;
use super::config::MeterConfig;
use super::k_weighting::{KWeightingLanes, LANES, LaneSquares};
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
    /// K-weighting for channels `4g … 4g + 3` in filter `g`: the meters take their weighted
    /// energy from here rather than each running its own filter.
    k_filters: Vec<KWeightingLanes>,
    /// One chunk of sanitised samples per lane, for the channels that needed cleaning.
    clean: Vec<f32>,
    /// One chunk of squared K-weighted samples, four lanes a frame.
    k_squares: Vec<[f64; LANES]>,
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
        Self::of(channels, &ChannelMeter::new(sample_rate, config)?, config)
    }

    /// A bank of `channels` copies of `meter`, which was built with `config` for the bank's
    /// sample rate. Every channel starts alike, so one meter is built (its programme meters
    /// calibrate themselves on a synthesised sine, most of a meter's construction) and
    /// copied; callers that build several banks build that one meter once.
    pub fn of(
        channels: usize,
        meter: &ChannelMeter,
        config: &MeterConfig,
    ) -> Result<Self, MeterError> {
        check_channels(channels)?;
        let sample_rate = meter.sample_rate();
        let meters = vec![meter.clone(); channels];
        let capacity = config.max_block_frames.max(1);
        Ok(Self {
            meters,
            planar: vec![0.0; channels * capacity],
            capacity,
            staged: 0,
            next_channel: 0,
            k_filters: vec![KWeightingLanes::new(sample_rate); channels.div_ceil(LANES)],
            clean: vec![0.0; LANES * capacity],
            k_squares: vec![[0.0; LANES]; capacity],
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
        let len = blocks.first().map_or(0, |b| b.len());
        self.meter_all(len, |c| blocks[c]);
    }

    /// Meters `len` frames of every channel, channel `c`'s from `block(c)`, four channels to
    /// a K-weighting filter. Allocates nothing.
    fn meter_all<'a>(&mut self, len: usize, block: impl Fn(usize) -> &'a [f32]) {
        if len == 0 {
            return;
        }
        let Self {
            meters,
            k_filters,
            clean,
            k_squares,
            ..
        } = self;
        for (g, (group, filter)) in meters.chunks_mut(LANES).zip(k_filters).enumerate() {
            let blocks: [&[f32]; LANES] =
                std::array::from_fn(|lane| block(g * LANES + lane.min(group.len() - 1)));
            meter_group(group, &blocks[..group.len()], filter, clean, k_squares);
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
        let planar = std::mem::take(&mut self.planar);
        let capacity = self.capacity;
        self.meter_all(n, |c| &planar[c * capacity..c * capacity + n]);
        self.planar = planar;
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
        for filter in &mut self.k_filters {
            (0..LANES).for_each(|lane| filter.reset_lane(lane));
        }
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
            self.k_filters[channel / LANES].reset_lane(channel % LANES);
        }
    }
}

/// Meters one block for up to four channels that share a K-weighting filter, in chunks the
/// meters' scratch holds: each chunk is sanitised per channel, K-weighted four lanes at once,
/// then metered per channel. A group of fewer than four channels fills the spare lanes with
/// its first channel and ignores their output.
fn meter_group(
    meters: &mut [ChannelMeter],
    blocks: &[&[f32]],
    filter: &mut KWeightingLanes,
    clean: &mut [f32],
    k_squares: &mut [[f64; LANES]],
) {
    let len = blocks[0].len();
    let chunk_len = meters[0].chunk_len();
    meters.iter_mut().for_each(ChannelMeter::begin_block);
    let mut start = 0;
    while start < len {
        let n = (len - start).min(chunk_len);
        let mut cleaned = [false; LANES];
        for (lane, (meter, block)) in meters.iter_mut().zip(blocks).enumerate() {
            let chunk = &block[start..start + n];
            let dst = &mut clean[lane * chunk_len..lane * chunk_len + n];
            cleaned[lane] = meter.sanitize(chunk, start, dst);
        }
        let inputs: [&[f32]; LANES] = std::array::from_fn(|lane| {
            let lane = if lane < blocks.len() { lane } else { 0 };
            if cleaned[lane] {
                &clean[lane * chunk_len..lane * chunk_len + n]
            } else {
                &blocks[lane][start..start + n]
            }
        });
        filter.squares(inputs, k_squares);
        for (lane, meter) in meters.iter_mut().enumerate() {
            let frames = &k_squares[..n];
            meter.meter_clean(inputs[lane], Some(LaneSquares { frames, lane }));
        }
        start += n;
    }
    meters.iter_mut().for_each(|m| m.end_block(len));
}
