//! State the audio callback, the source/supervisor thread and the meter thread share without
//! locks: counters and the stream state, all plain atomics.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

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
    /// Set by the stream's error callback when the device went away; the supervisor
    /// rebuilds the stream and clears it.
    pub lost: AtomicBool,
    state: AtomicU8,
}

impl Shared {
    pub fn new(channels: usize) -> Self {
        Self {
            channels: (0..channels).map(|_| ChannelCounts::default()).collect(),
            dropped_frames: AtomicU64::new(0),
            frames_in: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            lost: AtomicBool::new(false),
            state: AtomicU8::new(encode(StreamState::Starting)),
        }
    }

    pub fn state(&self) -> StreamState {
        decode(self.state.load(Ordering::Acquire))
    }

    pub fn set_state(&self, state: StreamState) {
        self.state.store(encode(state), Ordering::Release);
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
