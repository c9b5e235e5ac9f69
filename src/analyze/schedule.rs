//! Any free thread does the next job: read the next block, or meter a block for one channel
//! group. Each group meters the blocks in order, one thread at a time; which thread does it
//! changes from block to block. A thread that finishes early (its groups were cheaper, or the
//! machine gave it more time) takes on another group's blocks instead of waiting for it, and
//! the reading is one more job rather than a thread of its own beside the metering ones.
//!
//! Generic over the group and the source, so the rules can be tested without files or meters.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Where the blocks come from: read one at a time, in order, by one thread at a time.
pub trait Source: Send {
    /// The next block, or `None` when the source ended or failed without one; `more` is
    /// false once nothing follows.
    fn next_block(&mut self) -> (Option<Arc<Vec<u8>>>, bool);
}

/// A channel group: meters every block once, in order.
pub trait Group: Send {
    fn meter(&mut self, block: &[u8]);
}

/// Blocks read ahead of the group furthest behind, at most: enough that no thread waits for
/// a read while there is metering to do, and memory stays a few blocks.
const BLOCKS_AHEAD: u64 = 4;

/// What every thread sees, under one lock.
struct State<S, G> {
    /// The source, `None` while a thread reads from it.
    source: Option<S>,
    /// The source has ended.
    ended: bool,
    /// Blocks not yet metered by every group: `blocks[i]` is block `first_block + i`.
    blocks: VecDeque<Arc<Vec<u8>>>,
    first_block: u64,
    /// The groups, each `None` while a thread meters it, and the next block each meters.
    groups: Vec<Option<G>>,
    next: Vec<u64>,
    /// A thread panicked: the others stop.
    failed: bool,
}

impl<S, G> State<S, G> {
    fn read(&self) -> u64 {
        self.first_block + self.blocks.len() as u64
    }

    fn slowest(&self) -> u64 {
        self.next.iter().copied().min().unwrap_or(self.read())
    }
}

/// One job for a thread.
enum Job<S, G> {
    Read(S),
    Meter(usize, G, Arc<Vec<u8>>),
    Wait,
    Finished,
}

struct Shared<S, G> {
    state: Mutex<State<S, G>>,
    changed: Condvar,
}

impl<S, G> Shared<S, G> {
    /// The state, also after a panic elsewhere (which sets `failed`, so nothing waits on it).
    fn lock(&self) -> MutexGuard<'_, State<S, G>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Marks the run failed if its thread unwinds, so the other threads stop rather than wait for
/// a group that will never come back.
struct FailOnPanic<'a, S, G>(&'a Shared<S, G>);

impl<S, G> Drop for FailOnPanic<'_, S, G> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().failed = true;
            self.0.changed.notify_all();
        }
    }
}

/// Runs `groups` over every block of `source` on `threads` threads (the caller's and
/// `threads - 1` more). Returns the source and the groups, or `None` if a thread panicked.
pub fn run<S: Source, G: Group>(source: S, groups: Vec<G>, threads: usize) -> Option<(S, Vec<G>)> {
    let shared = Shared {
        state: Mutex::new(State {
            source: Some(source),
            ended: false,
            blocks: VecDeque::new(),
            first_block: 0,
            next: vec![0; groups.len()],
            groups: groups.into_iter().map(Some).collect(),
            failed: false,
        }),
        changed: Condvar::new(),
    };
    let joined = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads.max(1))
            .map(|_| s.spawn(|| work(&shared)))
            .collect();
        // The caller's thread works too; a panic in a group is a failed run here as on the
        // other threads, not an unwind through the scope.
        let own = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&shared)));
        // Every helper is joined, also after one failed: a scope panics over an unjoined
        // thread that panicked.
        let mut helpers_ok = true;
        for h in helpers {
            helpers_ok &= h.join().is_ok();
        }
        own.is_ok() && helpers_ok
    });
    let state = shared
        .state
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if !joined || state.failed {
        return None;
    }
    let groups = state.groups.into_iter().collect::<Option<Vec<G>>>()?;
    Some((state.source?, groups))
}

/// One thread's loop: take a job, do it outside the lock, hand its result back.
fn work<S: Source, G: Group>(shared: &Shared<S, G>) {
    let _guard = FailOnPanic(shared);
    let mut state = shared.lock();
    loop {
        match next_job(&mut state) {
            Job::Finished => return,
            Job::Wait => {
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            Job::Read(mut source) => {
                drop(state);
                let (block, more) = source.next_block();
                state = shared.lock();
                state.source = Some(source);
                state.blocks.extend(block);
                state.ended = !more;
                shared.changed.notify_all();
            }
            Job::Meter(g, mut group, block) => {
                drop(state);
                group.meter(&block);
                drop(block);
                state = shared.lock();
                state.groups[g] = Some(group);
                state.next[g] += 1;
                // Blocks every group has metered go back to the source's pool.
                while state.first_block < state.slowest() {
                    state.blocks.pop_front();
                    state.first_block += 1;
                }
                shared.changed.notify_all();
            }
        }
    }
}

/// Reading comes first while few blocks are ahead, so the groups never starve; then the
/// group furthest behind, which keeps the blocks in memory few.
fn next_job<S, G>(state: &mut State<S, G>) -> Job<S, G> {
    if state.failed {
        return Job::Finished;
    }
    let read = state.read();
    if !state.ended
        && read - state.slowest() < BLOCKS_AHEAD
        && let Some(source) = state.source.take()
    {
        return Job::Read(source);
    }
    let ready = (0..state.groups.len())
        .filter(|&g| state.groups[g].is_some() && state.next[g] < read)
        .min_by_key(|&g| state.next[g]);
    if let Some(g) = ready
        && let Some(group) = state.groups[g].take()
    {
        let index = (state.next[g] - state.first_block) as usize;
        if let Some(block) = state.blocks.get(index) {
            return Job::Meter(g, group, Arc::clone(block));
        }
        state.groups[g] = Some(group);
    }
    if state.ended && state.source.is_some() && state.slowest() == read {
        return Job::Finished;
    }
    Job::Wait
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks numbered 0, 1, 2, … (one byte each), `count` of them.
    struct Counter {
        next: u8,
        count: u8,
    }

    impl Source for Counter {
        fn next_block(&mut self) -> (Option<Arc<Vec<u8>>>, bool) {
            let block = (self.next < self.count).then(|| Arc::new(vec![self.next]));
            self.next = self.next.saturating_add(1);
            (block, self.next < self.count)
        }
    }

    /// Records the blocks it was given, and works a while on some so threads overtake.
    struct Recorder {
        seen: Vec<u8>,
        slow: bool,
    }

    impl Group for Recorder {
        fn meter(&mut self, block: &[u8]) {
            self.seen.extend_from_slice(block);
            if self.slow {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        }
    }

    #[test]
    fn every_group_meters_every_block_once_in_order() {
        for threads in [1, 2, 3, 8] {
            for groups in [1, 2, 5] {
                for count in [0, 1, 7, 40] {
                    let recorders = (0..groups)
                        .map(|g| Recorder {
                            seen: Vec::new(),
                            slow: g == 0,
                        })
                        .collect();
                    let Some((source, recorders)) =
                        run(Counter { next: 0, count }, recorders, threads)
                    else {
                        panic!("{threads} threads, {groups} groups: a thread failed");
                    };
                    assert!(source.next >= count);
                    let want: Vec<u8> = (0..count).collect();
                    for (g, r) in recorders.iter().enumerate() {
                        assert_eq!(
                            r.seen, want,
                            "{threads} threads, {groups} groups, group {g}"
                        );
                    }
                }
            }
        }
    }

    struct Panics;

    impl Group for Panics {
        fn meter(&mut self, _: &[u8]) {
            panic!("a group's bug");
        }
    }

    #[test]
    fn a_panicking_group_ends_the_run_without_hanging_it() {
        for threads in [1, 2, 3] {
            let got = run(Counter { next: 0, count: 9 }, vec![Panics, Panics], threads);
            assert!(got.is_none(), "{threads} threads");
        }
    }
}
