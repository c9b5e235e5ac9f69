//! The real-time half: what runs inside the audio callback (and inside the file and demo
//! source threads, which call the very same function). It converts to `f32` marking clips,
//! counts clips where no sample can be missed, and pushes whole frames into the ring.
//! It never allocates, locks, logs or blocks: every buffer is sized when it is built.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ringbuf::traits::{Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::shared::Shared;
use crate::meter::clip::OverCounter;
use crate::meter::sample::ToMeterSample;

/// Frames converted per step; callbacks longer than this are handled in several steps.
pub const SCRATCH_FRAMES: usize = 1024;

/// Ring capacity: at least one second, so a meter thread hiccup never loses audio.
pub fn ring_frames(sample_rate: u32) -> usize {
    (sample_rate as usize).max(SCRATCH_FRAMES) + SCRATCH_FRAMES
}

/// A ring sized for `frames` whole frames of `channels` channels.
pub fn ring(channels: usize, frames: usize) -> (HeapProd<f32>, HeapCons<f32>) {
    HeapRb::<f32>::new(channels.max(1) * frames.max(1)).split()
}

/// Everything the callback owns. Built outside the audio thread, moved into the callback.
pub struct CallbackState {
    channels: usize,
    producer: HeapProd<f32>,
    counters: Vec<OverCounter>,
    /// Clip threshold for float samples ([`crate::meter::ClipRule::threshold`]); integer
    /// samples clip at their full-scale codes whatever it is.
    float_clip_level: f32,
    scratch: Vec<f32>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for CallbackState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackState")
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl CallbackState {
    /// `float_clip_level`: the linear clip threshold for float samples (see `process`).
    pub fn new(
        channels: usize,
        over_len: u32,
        float_clip_level: f32,
        producer: HeapProd<f32>,
        shared: Arc<Shared>,
    ) -> Self {
        let channels = channels.max(1);
        Self {
            channels,
            producer,
            counters: (0..channels)
                .map(|_| OverCounter::new(over_len, float_clip_level))
                .collect(),
            float_clip_level,
            scratch: vec![0.0; channels * SCRATCH_FRAMES],
            shared,
        }
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// One callback's worth of interleaved samples in any format. A trailing partial frame
    /// (which no host delivers) is ignored rather than allowed to rotate channels. The sample
    /// type decides the clip rule: integer codes clip at full scale (exactly ±1.0 once
    /// converted), float samples at the float clip level.
    pub fn process<T: ToMeterSample>(&mut self, data: &[T]) {
        let level = if T::IS_FLOAT {
            self.float_clip_level
        } else {
            1.0
        };
        if self.counters.first().is_some_and(|c| c.level() != level) {
            for c in &mut self.counters {
                c.set_level(level);
            }
        }
        let ch = self.channels;
        let frames = data.len() / ch;
        self.shared
            .frames_in
            .fetch_add(frames as u64, Ordering::Relaxed);
        for chunk in data[..frames * ch].chunks(ch * SCRATCH_FRAMES) {
            self.process_chunk(chunk);
        }
    }

    fn process_chunk<T: ToMeterSample>(&mut self, chunk: &[T]) {
        let ch = self.channels;
        let out = &mut self.scratch[..chunk.len()];
        for (dst, &x) in out.iter_mut().zip(chunk) {
            *dst = x.to_meter_f32();
        }
        for (c, counter) in self.counters.iter_mut().enumerate() {
            let (clipped, overs, longest) = (
                counter.clipped_samples(),
                counter.overs(),
                counter.longest_run(),
            );
            for frame in out.chunks_exact(ch) {
                counter.push(frame[c]);
            }
            let counts = &self.shared.channels[c];
            if counter.clipped_samples() != clipped {
                counts
                    .clipped
                    .fetch_add(counter.clipped_samples() - clipped, Ordering::Relaxed);
            }
            if counter.overs() != overs {
                counts
                    .overs
                    .fetch_add(counter.overs() - overs, Ordering::Relaxed);
            }
            if counter.longest_run() != longest {
                counts
                    .longest_run
                    .fetch_max(u64::from(counter.longest_run()), Ordering::Relaxed);
            }
        }
        let frames = chunk.len() / ch;
        let fit = (self.producer.vacant_len() / ch).min(frames);
        self.producer.push_slice(&out[..fit * ch]);
        if fit < frames {
            self.shared
                .dropped_frames
                .fetch_add((frames - fit) as u64, Ordering::Relaxed);
        }
    }
}
