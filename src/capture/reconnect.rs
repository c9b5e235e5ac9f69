//! When to drop a lost stream and when to build the next one, apart from any device: the
//! supervisor thread drives this with the clock and a function that opens a stream.
//!
//! Every stream gets a generation number, one more than the one before. Its error callback
//! records a loss as the generation it happened in ([`Shared::report_loss`]); nothing ever clears
//! that record. A stream is lost when the recorded generation reaches its own, so a loss
//! reported while the next stream is still being built counts against that stream and is
//! retried, and a late report from a stream already replaced cannot take down its successor.

use std::time::{Duration, Instant};

use super::shared::Shared;
use crate::snapshot::StreamState;

/// Time between attempts to reopen a lost device.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(2);

/// The generation of the first stream of a session.
pub const FIRST_GENERATION: u64 = 1;

/// The current stream (if any) and when to try again.
#[derive(Debug)]
pub struct Supervisor<S> {
    current: Option<S>,
    /// The generation of `current`, or of the latest stream tried.
    generation: u64,
    next_try: Instant,
}

impl<S> Supervisor<S> {
    /// Supervises `stream`, built as [`FIRST_GENERATION`].
    pub fn new(stream: S, now: Instant) -> Self {
        Self {
            current: Some(stream),
            generation: FIRST_GENERATION,
            next_try: now,
        }
    }

    /// Whether a stream is open.
    pub fn is_open(&self) -> bool {
        self.current.is_some()
    }

    /// The generation of the open stream, or of the latest one tried.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// One look at `now`: drops the stream once its loss is recorded; when none is open and
    /// the retry is due, builds the next generation with `open` (which hands the generation to
    /// the new stream's error callback).
    pub fn tick(&mut self, now: Instant, shared: &Shared, open: impl FnOnce(u64) -> Option<S>) {
        if self.current.is_some() && shared.lost_generation() >= self.generation {
            shared.set_state(StreamState::Lost);
            // A dead stream may still hold the old ring's producer; drop it first.
            self.current = None;
            self.next_try = now + RETRY_INTERVAL;
        }
        if self.current.is_none() && now >= self.next_try {
            shared.set_state(StreamState::Reconnecting);
            self.generation += 1;
            self.current = open(self.generation);
            // Lost while being built: the next tick drops it and tries again.
            if self.current.is_some() && shared.lost_generation() < self.generation {
                shared.set_state(StreamState::Running);
            }
            self.next_try = now + RETRY_INTERVAL;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in stream that knows its generation.
    #[derive(Debug, PartialEq)]
    struct Fake(u64);

    #[test]
    fn a_loss_reported_while_the_next_stream_is_built_is_retried() {
        let shared = Shared::new(2);
        let t0 = Instant::now();
        let mut sup = Supervisor::new(Fake(FIRST_GENERATION), t0);
        shared.set_state(StreamState::Running);

        // The device goes away.
        shared.report_loss(FIRST_GENERATION);
        sup.tick(t0, &shared, |_| panic!("no retry before the interval"));
        assert!(!sup.is_open());
        assert_eq!(shared.state(), StreamState::Lost);

        // Not yet due.
        sup.tick(t0 + RETRY_INTERVAL / 2, &shared, |_| {
            panic!("no retry before the interval")
        });

        // The retry builds generation 2, and the device goes away again while it is built:
        // its error callback fires before `open` returns.
        let t1 = t0 + RETRY_INTERVAL;
        let mut opened = Vec::new();
        sup.tick(t1, &shared, |g| {
            opened.push(g);
            shared.report_loss(g);
            Some(Fake(g))
        });
        assert_eq!(opened, [2]);
        assert_ne!(
            shared.state(),
            StreamState::Running,
            "a lost stream is not running"
        );

        // The loss was not erased: the next look drops the stream and schedules a retry.
        sup.tick(t1, &shared, |_| panic!("no retry before the interval"));
        assert!(!sup.is_open());
        assert_eq!(shared.state(), StreamState::Lost);

        // The retry after that succeeds and stays up.
        let t2 = t1 + RETRY_INTERVAL;
        sup.tick(t2, &shared, |g| {
            opened.push(g);
            Some(Fake(g))
        });
        assert_eq!(opened, [2, 3]);
        assert!(sup.is_open());
        assert_eq!(sup.generation(), 3);
        assert_eq!(shared.state(), StreamState::Running);
        for k in 1..100 {
            sup.tick(t2 + RETRY_INTERVAL * k, &shared, |_| {
                panic!("no loss, no retry")
            });
        }
        assert_eq!(shared.state(), StreamState::Running);
    }

    #[test]
    fn a_late_report_from_a_replaced_stream_does_not_take_down_its_successor() {
        let shared = Shared::new(1);
        let t0 = Instant::now();
        let mut sup = Supervisor::new(Fake(FIRST_GENERATION), t0);
        shared.report_loss(FIRST_GENERATION);
        sup.tick(t0, &shared, |_| None);
        sup.tick(t0 + RETRY_INTERVAL, &shared, |g| Some(Fake(g)));
        assert_eq!(sup.generation(), 2);
        assert_eq!(shared.state(), StreamState::Running);
        // The old stream's error callback fires once more as it is torn down.
        shared.report_loss(FIRST_GENERATION);
        sup.tick(t0 + RETRY_INTERVAL * 2, &shared, |_| {
            panic!("stream 2 is fine")
        });
        assert!(sup.is_open());
        assert_eq!(shared.state(), StreamState::Running);
    }

    #[test]
    fn a_failed_reopen_is_tried_again_every_interval() {
        let shared = Shared::new(1);
        let t0 = Instant::now();
        let mut sup = Supervisor::<Fake>::new(Fake(FIRST_GENERATION), t0);
        shared.report_loss(FIRST_GENERATION);
        let mut tries = 0;
        for k in 0..5 {
            sup.tick(t0 + RETRY_INTERVAL * k, &shared, |_| {
                tries += 1;
                None
            });
            // Lost as soon as the loss is seen, reconnecting once the tries begin.
            let expected = if k == 0 {
                StreamState::Lost
            } else {
                StreamState::Reconnecting
            };
            assert_eq!(shared.state(), expected);
        }
        // At t0 the loss is seen and the retry scheduled; then one try per interval.
        assert_eq!(tries, 4);
        assert!(!sup.is_open());
    }
}
