//! Sources that are not devices (file, demo) run on a thread that calls the same callback
//! function a device stream calls, one period at a time, at real-time pace.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::callback::CallbackState;
use super::shared::Shared;
use crate::snapshot::StreamState;

/// Frames per simulated period: 10 ms at 48 kHz, a typical interface buffer.
pub const PERIOD_FRAMES: usize = 480;

/// Something that produces audio one period at a time.
pub trait PacedSource: Send + 'static {
    /// Feeds up to `frames` frames to `cb`; returns false once the source has ended.
    fn feed(&mut self, cb: &mut CallbackState, frames: usize) -> bool;
}

/// Runs `source` at real-time pace until it ends or `stop` is set.
pub fn run(
    mut source: impl PacedSource,
    mut cb: CallbackState,
    sample_rate: u32,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
) {
    shared.set_state(StreamState::Running);
    let period = Duration::from_secs_f64(PERIOD_FRAMES as f64 / f64::from(sample_rate.max(1)));
    let start = Instant::now();
    let mut periods: u32 = 0;
    while !stop.load(Ordering::Acquire) {
        if !source.feed(&mut cb, PERIOD_FRAMES) {
            shared.set_state(StreamState::Finished);
            return;
        }
        periods = periods.saturating_add(1);
        // Absolute deadlines: sleep jitter never accumulates into drift.
        let deadline = start + period * periods;
        let now = Instant::now();
        if deadline > now {
            std::thread::sleep(deadline - now);
        }
    }
}
