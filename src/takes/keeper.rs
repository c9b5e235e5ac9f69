//! The keeper thread: builds take reports and writes checkpoints off the meter thread. The
//! meter thread hands it a take's state as the take ends (or a copy of the open take at a
//! checkpoint) and goes on; built reports come back through a queue it drains when it
//! publishes. Building a report (every input's bursts and headroom track) and writing a file
//! are the take work that costs; a flood of take commands on the meter thread cost audio.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::checkpoint::{self, CheckpointTarget};
use super::report::TakeReport;
use super::tracker::TakeState;

enum Job {
    /// Where checkpoints go from now on.
    Target(Option<CheckpointTarget>),
    /// A copy of the open take: written as its checkpoint.
    Checkpoint(TakeState),
    /// A take that ended: its report goes back.
    Ended(TakeState),
}

/// What the keeper has done with checkpoints, for the meter thread to read without locks.
#[derive(Debug, Default)]
pub struct KeeperStatus {
    /// Checkpoints written.
    pub written: AtomicU64,
    /// Checkpoints that could not be written (the disk refused), or were skipped because the
    /// one before was still being written.
    pub failed: AtomicU64,
    /// Bumped whenever `error` changes, so the meter thread copies it only then.
    error_seq: AtomicU64,
    /// The latest write failure, as a line for people.
    error: Mutex<Option<Arc<str>>>,
}

impl KeeperStatus {
    fn fail_write(&self, why: String) {
        self.failed.fetch_add(1, Ordering::AcqRel);
        // Only the keeper thread takes this lock; the meter thread only tries it.
        if let Ok(mut e) = self.error.lock()
            && e.as_deref() != Some(why.as_str())
        {
            *e = Some(why.into());
            self.error_seq.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// The checkpoints' state for a snapshot: what a crash would lose of the open take grows
/// while checkpoints fail, so the user has to hear of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckpointHealth {
    /// Checkpoints written.
    pub written: u64,
    /// Checkpoints not written: the disk refused, or the one before was still being written.
    pub failed: u64,
    /// Why, when any failed.
    pub error: Option<Arc<str>>,
}

impl CheckpointHealth {
    /// "take checkpoints failed: `<why>`, N not written", when any was not written.
    pub fn problem(&self) -> Option<String> {
        if self.failed == 0 {
            return None;
        }
        let why = self.error.as_deref().unwrap_or("unknown reason");
        let n = self.failed;
        Some(format!("take checkpoints failed: {why}, {n} not written"))
    }
}

/// The meter thread's end of the keeper.
#[derive(Debug)]
pub struct Keeper {
    jobs: Option<Sender<Job>>,
    reports: Receiver<TakeReport>,
    /// A checkpoint is being built or written: the next one waits for it (skipped).
    busy: Arc<AtomicBool>,
    status: Arc<KeeperStatus>,
    target: Option<CheckpointTarget>,
    thread: Option<JoinHandle<()>>,
    /// The keeper's error as last copied, and the `error_seq` it was copied at.
    error: Option<Arc<str>>,
    error_seq: u64,
    /// The reason shown for checkpoints skipped with no write failure: made at the start, so
    /// the meter thread allocates nothing to show it.
    stalled: Arc<str>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Target(t) => write!(f, "Target({:?})", t.as_ref().map(|t| &t.session)),
            Job::Checkpoint(s) => write!(f, "Checkpoint({})", s.number()),
            Job::Ended(s) => write!(f, "Ended({})", s.number()),
        }
    }
}

impl Keeper {
    /// Starts the thread; checkpoints go to `target`, or nowhere when `None`.
    pub fn spawn(target: Option<CheckpointTarget>) -> std::io::Result<Self> {
        let (jobs, job_rx) = channel::<Job>();
        let (report_tx, reports) = channel::<TakeReport>();
        let busy = Arc::new(AtomicBool::new(false));
        let status = Arc::new(KeeperStatus::default());
        let (b, st, t) = (Arc::clone(&busy), Arc::clone(&status), target.clone());
        let thread = std::thread::Builder::new()
            .name("gainstage-keeper".into())
            .spawn(move || keep(&job_rx, &report_tx, t, &b, &st))?;
        Ok(Self {
            jobs: Some(jobs),
            reports,
            busy,
            status,
            target,
            thread: Some(thread),
            error: None,
            error_seq: 0,
            stalled: Arc::from("the disk is not keeping up (a checkpoint was still being written)"),
        })
    }

    /// The counts and the reason for failures, for a snapshot. Never waits: when the keeper
    /// is changing its reason at this moment, the previous one shows until the next call.
    pub fn health(&mut self) -> CheckpointHealth {
        let seq = self.status.error_seq.load(Ordering::Acquire);
        if seq != self.error_seq
            && let Ok(e) = self.status.error.try_lock()
        {
            self.error.clone_from(&e);
            self.error_seq = seq;
        }
        let failed = self.status.failed.load(Ordering::Acquire);
        let error = match &self.error {
            Some(e) => Some(Arc::clone(e)),
            None if failed > 0 => Some(Arc::clone(&self.stalled)),
            None => None,
        };
        CheckpointHealth {
            written: self.status.written.load(Ordering::Acquire),
            failed,
            error,
        }
    }

    /// True when checkpoints are written somewhere.
    pub fn checkpoints(&self) -> bool {
        self.target.is_some()
    }

    /// Hands over an ended take; gives it back when the thread is gone (then the caller
    /// builds the report itself).
    pub fn ended(&self, state: TakeState) -> Option<TakeState> {
        match &self.jobs {
            Some(q) => q.send(Job::Ended(state)).err().and_then(|e| match e.0 {
                Job::Ended(s) | Job::Checkpoint(s) => Some(s),
                Job::Target(_) => None,
            }),
            None => Some(state),
        }
    }

    /// True when a checkpoint handed over now would be taken: none is in progress.
    pub fn ready_for_checkpoint(&self) -> bool {
        self.target.is_some() && !self.busy.load(Ordering::Acquire)
    }

    /// Checkpoints go to `target` from now on (`None`: nowhere).
    pub fn set_target(&mut self, target: Option<CheckpointTarget>) {
        self.target.clone_from(&target);
        if let Some(q) = &self.jobs {
            let _ = q.send(Job::Target(target));
        }
    }

    /// Counts a checkpoint that was due while the one before was still in progress.
    pub fn checkpoint_skipped(&self) {
        self.status.failed.fetch_add(1, Ordering::AcqRel);
    }

    /// Hands over a copy of the open take to be checkpointed; counted as failed instead when
    /// the one before is still in progress or the thread is gone.
    pub fn checkpoint(&self, state: TakeState) {
        if !self.ready_for_checkpoint() {
            self.status.failed.fetch_add(1, Ordering::AcqRel);
            return;
        }
        self.busy.store(true, Ordering::Release);
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|q| q.send(Job::Checkpoint(state)).is_ok());
        if !sent {
            self.busy.store(false, Ordering::Release);
            self.status.failed.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// A report built since the last call, oldest first; never waits.
    pub fn try_report(&self) -> Option<TakeReport> {
        self.reports.try_recv().ok()
    }

    /// Waits up to `patience` for the next report: at the end of a session only.
    pub fn report_within(&self, patience: Duration) -> Option<TakeReport> {
        self.reports.recv_timeout(patience).ok()
    }

    pub fn status(&self) -> &KeeperStatus {
        &self.status
    }

    /// Closes the queue and gives the thread up to `patience` to finish what it has (a last
    /// checkpoint on a slow disk); left to finish on its own after that.
    pub fn close_within(&mut self, patience: Duration) {
        self.jobs = None;
        let deadline = Instant::now() + patience;
        while self.thread.as_ref().is_some_and(|t| !t.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        if let Some(t) = self.thread.take().filter(JoinHandle::is_finished) {
            let _ = t.join();
        }
    }
}

impl Drop for Keeper {
    fn drop(&mut self) {
        self.close_within(Duration::from_secs(2));
    }
}

fn keep(
    jobs: &Receiver<Job>,
    reports: &Sender<TakeReport>,
    mut target: Option<CheckpointTarget>,
    busy: &AtomicBool,
    status: &KeeperStatus,
) {
    let save = |target: Option<&CheckpointTarget>, report: &TakeReport| {
        if let Some(t) = target {
            match checkpoint::write(t, report) {
                Ok(()) => {
                    status.written.fetch_add(1, Ordering::AcqRel);
                }
                Err(e) => status.fail_write(e.to_string()),
            }
        }
    };
    for job in jobs {
        match job {
            Job::Target(t) => target = t,
            Job::Checkpoint(state) => {
                save(target.as_ref(), &state.report());
                busy.store(false, Ordering::Release);
            }
            Job::Ended(state) => {
                // Not checkpointed again: the saver removes the take's checkpoint once it has
                // the take, and a write here could land after that. Until then a crash
                // recovers the take as of its last checkpoint.
                let _ = reports.send(state.report());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_failures_are_a_problem_with_their_reason() {
        assert_eq!(CheckpointHealth::default().problem(), None);
        let h = CheckpointHealth {
            written: 3,
            failed: 2,
            error: Some(Arc::from("/x/takes: No space left on device")),
        };
        assert_eq!(
            h.problem().as_deref(),
            Some("take checkpoints failed: /x/takes: No space left on device, 2 not written")
        );
    }

    #[test]
    fn a_write_failure_is_counted_and_its_reason_copied_once() {
        let mut keeper = Keeper::spawn(None).unwrap();
        keeper.checkpoint_skipped();
        let skipped = keeper.health();
        assert_eq!((skipped.written, skipped.failed), (0, 1));
        assert_eq!(skipped.error.as_deref(), Some(&*keeper.stalled));
        keeper.status.fail_write("disk full".into());
        keeper.status.fail_write("disk full".into());
        let h = keeper.health();
        assert_eq!(h.failed, 3);
        assert_eq!(h.error.as_deref(), Some("disk full"));
        assert_eq!(keeper.status.error_seq.load(Ordering::Acquire), 1);
    }
}
