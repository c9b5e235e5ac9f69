//! The way into the meter thread: a bounded queue of [`MeterCommand`]s, and a rate limit on
//! the commands that start and stop takes. A sender that floods the queue (a token holder's
//! script, a stuck key) is refused, never waited on, and the meter thread drains at most
//! [`COMMAND_QUEUE`] commands between two meterings; a take command ends and begins a take,
//! which allocates every input's state, so those are held to [`TAKE_COMMANDS_PER_S`].

use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::session::MeterCommand;

/// Commands the queue holds; a sender finding it full is refused.
pub const COMMAND_QUEUE: usize = 256;
/// Take commands (start, stop, toggle) a session takes in a burst…
pub const TAKE_COMMAND_BURST: f64 = 4.0;
/// …and per second after it.
pub const TAKE_COMMANDS_PER_S: f64 = 2.0;

/// Why a command was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the session has stopped")]
    Stopped,
    #[error("too many commands waiting: try again")]
    Busy,
    #[error("too many take commands: at most {TAKE_COMMANDS_PER_S} a second, try again")]
    TooFast,
}

/// A token bucket: `burst` tokens, refilled at `per_s`; a command spends one.
#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    burst: f64,
    per_s: f64,
    last: Option<Instant>,
}

impl Bucket {
    pub fn new(burst: f64, per_s: f64) -> Self {
        Self {
            tokens: burst,
            burst,
            per_s,
            last: None,
        }
    }

    /// Spends a token at `now` if there is one.
    pub fn take(&mut self, now: Instant) -> bool {
        if let Some(last) = self.last {
            let refill = now.saturating_duration_since(last).as_secs_f64() * self.per_s;
            self.tokens = (self.tokens + refill).min(self.burst);
        }
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Queues commands for a session's meter thread; cloned freely, shared by every clone's
/// rate limit. Sending never blocks.
#[derive(Debug, Clone)]
pub struct Commander {
    queue: SyncSender<MeterCommand>,
    takes: Arc<Mutex<Bucket>>,
}

impl Commander {
    pub(crate) fn new(queue: SyncSender<MeterCommand>) -> Self {
        Self {
            queue,
            takes: Arc::new(Mutex::new(Bucket::new(
                TAKE_COMMAND_BURST,
                TAKE_COMMANDS_PER_S,
            ))),
        }
    }

    /// Queues a command, or says why it was not.
    pub fn send(&self, command: MeterCommand) -> Result<(), Refused> {
        let take = matches!(
            command,
            MeterCommand::StartTake(_) | MeterCommand::StopTake | MeterCommand::ToggleTake(_)
        );
        if take {
            // Senders are readers' threads (the GUI, the server's tasks), never the audio or
            // meter thread: a lock held for a few instructions is fine here.
            let allowed = self
                .takes
                .lock()
                .map(|mut b| b.take(Instant::now()))
                .unwrap_or(false);
            if !allowed {
                return Err(Refused::TooFast);
            }
        }
        self.queue.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => Refused::Busy,
            TrySendError::Disconnected(_) => Refused::Stopped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_bucket_lets_a_burst_through_then_its_rate() {
        let t = Instant::now();
        let mut b = Bucket::new(4.0, 2.0);
        let at = |ms: u64| t + Duration::from_millis(ms);
        assert_eq!(
            (0..5).map(|_| b.take(at(0))).collect::<Vec<_>>(),
            [true, true, true, true, false]
        );
        // Half a second brings one token at 2 a second, and no more before the next half.
        assert!(!b.take(at(499)));
        assert!(b.take(at(501)));
        assert!(!b.take(at(502)));
        // A long pause refills to the burst, not past it.
        assert_eq!(
            (0..5).map(|_| b.take(at(60_000))).filter(|&ok| ok).count(),
            4
        );
    }

    #[test]
    fn a_full_queue_and_a_take_flood_are_refused_without_waiting() {
        let (tx, rx) = std::sync::mpsc::sync_channel(COMMAND_QUEUE);
        let c = Commander::new(tx);
        let sent: Vec<Result<(), Refused>> = (0..10)
            .map(|_| c.send(MeterCommand::StartTake(String::new())))
            .collect();
        assert_eq!(sent.iter().filter(|r| r.is_ok()).count(), 4);
        assert_eq!(sent[4], Err(Refused::TooFast));
        // The bucket is shared by every clone.
        assert_eq!(
            c.clone().send(MeterCommand::StopTake),
            Err(Refused::TooFast)
        );
        for _ in 4..COMMAND_QUEUE {
            c.send(MeterCommand::ResetAll).unwrap();
        }
        assert_eq!(c.send(MeterCommand::ResetAll), Err(Refused::Busy));
        assert_eq!(rx.try_iter().count(), COMMAND_QUEUE);
        drop(rx);
        assert_eq!(c.send(MeterCommand::ResetAll), Err(Refused::Stopped));
    }
}
