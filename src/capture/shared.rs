//! State the audio callback, the source/supervisor thread and the meter thread share without
//! locks: counters and the stream state, all plain atomics.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use crate::snapshot::StreamState;

/// Exact per-channel clip counts, written only by the callback (by delta, so they stay
/// cumulative when a lost stream is rebuilt with a fresh callback).
#[derive(Debug, Default)]
pub struct ChannelCounts {
    pub clipped: AtomicU64,
    pub overs: AtomicU64,
    pub longest_run: AtomicU64,
}

#[derive(Debug)]
pub struct Shared {
    pub channels: Vec<ChannelCounts>,
    /// Whole frames the callback could not fit into the ring.
    pub dropped_frames: AtomicU64,
    /// Frames that entered the callback (metered or dropped): the audio clock.
    pub frames_in: AtomicU64,
    pub xruns: AtomicU64,
    /// The latest stream generation whose error callback said the device went away (0: none).
    /// Never cleared: the supervisor compares it with its stream's generation
    /// (see [`super::reconnect`]).
    lost_generation: AtomicU64,
    state: AtomicU8,
}

impl Shared {
    pub fn new(channels: usize) -> Self {
        Self {
            channels: (0..channels).map(|_| ChannelCounts::default()).collect(),
            dropped_frames: AtomicU64::new(0),
            frames_in: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            lost_generation: AtomicU64::new(0),
            state: AtomicU8::new(encode(StreamState::Starting)),
        }
    }

    pub fn state(&self) -> StreamState {
        decode(self.state.load(Ordering::Acquire))
    }

    pub fn set_state(&self, state: StreamState) {
        self.state.store(encode(state), Ordering::Release);
    }

    /// Records that the stream of `generation` lost its device. Lock-free, for error callbacks.
    /// The state shows `Lost` once the supervisor sees it is the current stream (within its
    /// tick): a late report from a stream already replaced must not mark the new one lost.
    pub fn report_loss(&self, generation: u64) {
        self.lost_generation.fetch_max(generation, Ordering::AcqRel);
    }

    /// The latest generation reported lost, 0 when none was.
    pub fn lost_generation(&self) -> u64 {
        self.lost_generation.load(Ordering::Acquire)
    }
}

fn encode(s: StreamState) -> u8 {
    match s {
        StreamState::Starting => 0,
        StreamState::Running => 1,
        StreamState::Lost => 2,
        StreamState::Reconnecting => 3,
        StreamState::Finished => 4,
    }
}

fn decode(v: u8) -> StreamState {
    match v {
        1 => StreamState::Running,
        2 => StreamState::Lost,
        3 => StreamState::Reconnecting,
        4 => StreamState::Finished,
        _ => StreamState::Starting,
    }
}
