//! Saving take reports off the caller's thread: a reader (the GUI) hands each finished report
//! over as it arrives and goes on; this thread adds it to the session's files
//! ([`super::store::append`]). Dropping the saver waits for what was handed over to be written,
//! so a closing app loses no take. A write that fails (disk full, directory gone) is tried
//! again every [`RETRY`] with whatever arrived since: the caller keeps no takes, so a report
//! dropped here would be lost.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::report::TakeReport;

/// How long after a failed write the saver tries again.
pub const RETRY: Duration = Duration::from_secs(2);

/// What the saver has done, for the caller to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaverStatus {
    /// Takes written so far.
    pub saved: usize,
    /// Takes handed over and not yet written: more than 0 only while writes fail.
    pub unsaved: usize,
    /// Why the latest write failed, until one succeeds.
    pub problem: Option<String>,
}

#[derive(Debug)]
pub struct TakeSaver {
    session: String,
    dir: PathBuf,
    queue: Option<Sender<Vec<TakeReport>>>,
    thread: Option<JoinHandle<()>>,
    status: Arc<Mutex<SaverStatus>>,
}

impl TakeSaver {
    /// Saves into `<dir>/<session>.json` and `.csv`.
    pub fn spawn(dir: PathBuf, session: String) -> std::io::Result<Self> {
        Self::spawn_retrying(dir, session, RETRY)
    }

    fn spawn_retrying(dir: PathBuf, session: String, retry: Duration) -> std::io::Result<Self> {
        let (tx, rx) = channel::<Vec<TakeReport>>();
        let status = Arc::new(Mutex::new(SaverStatus::default()));
        let (d, s, st) = (dir.clone(), session.clone(), Arc::clone(&status));
        let thread = std::thread::Builder::new()
            .name("gainstage-takes".into())
            .spawn(move || save_loop(&rx, &d, &s, &st, retry))?;
        Ok(Self {
            session,
            dir,
            queue: Some(tx),
            thread: Some(thread),
            status,
        })
    }

    /// Queues `reports` to be written; returns at once.
    pub fn save(&self, reports: Vec<TakeReport>) {
        if let Some(q) = &self.queue {
            // A send fails only if the thread is gone; its status then says why.
            let _ = q.send(reports);
        }
    }

    pub fn status(&self) -> SaverStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits for everything handed over to be written; what the saver did.
    pub fn finish(mut self) -> SaverStatus {
        self.stop();
        self.status()
    }

    fn stop(&mut self) {
        self.queue = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

/// Writes what arrives, together with whatever a failed write left, until the sender is gone;
/// then tries once more if anything is left.
fn save_loop(
    rx: &Receiver<Vec<TakeReport>>,
    dir: &std::path::Path,
    session: &str,
    status: &Mutex<SaverStatus>,
    retry: Duration,
) {
    let mut unsaved: Vec<TakeReport> = Vec::new();
    loop {
        let next = if unsaved.is_empty() {
            rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            rx.recv_timeout(retry)
        };
        let last = match next {
            Ok(batch) => {
                unsaved.extend(batch);
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        // Whatever else is queued goes in the same write.
        while let Ok(more) = rx.try_recv() {
            unsaved.extend(more);
        }
        if !unsaved.is_empty() {
            let (written, problem) = match super::store::append(dir, session, &unsaved) {
                Ok(_) => {
                    // In the session's files now: their checkpoints have served.
                    for t in &unsaved {
                        let _ = super::checkpoint::remove(dir, session, t.take);
                    }
                    (std::mem::take(&mut unsaved).len(), None)
                }
                Err(e) if last => (0, Some(format!("{} not saved: {e}", takes(unsaved.len())))),
                Err(e) => (
                    0,
                    Some(format!(
                        "{} not saved yet (trying again every {} s): {e}",
                        takes(unsaved.len()),
                        retry.as_secs_f64()
                    )),
                ),
            };
            if let Ok(mut status) = status.lock() {
                status.saved += written;
                status.problem = problem;
                status.unsaved = unsaved.len();
            }
        }
        if last {
            return;
        }
    }
}

/// "1 take", "3 takes".
pub fn takes(n: usize) -> String {
    if n == 1 {
        "1 take".into()
    } else {
        format!("{n} takes")
    }
}

impl Drop for TakeSaver {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::takes::{TakeTracker, store};

    /// `n` short takes of one input, numbered from 1.
    fn reports(n: usize) -> Vec<TakeReport> {
        let mut t = TakeTracker::new(1, 1000, &[], &[]);
        for k in 0..n as u64 {
            t.start("", k * 100);
            t.stop(k * 100 + 50);
        }
        t.reports().to_vec()
    }

    fn wait_for(saver: &TakeSaver, what: impl Fn(&SaverStatus) -> bool) -> SaverStatus {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let status = saver.status();
            if what(&status) {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "status stuck at {status:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn takes_that_could_not_be_written_are_written_when_the_disk_comes_back() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("takes");
        // A file where the directory should be: every write fails.
        std::fs::write(&dir, b"in the way").unwrap();
        let takes = reports(3);
        let saver =
            TakeSaver::spawn_retrying(dir.clone(), "s".into(), Duration::from_millis(50)).unwrap();
        saver.save(takes[..2].to_vec());
        let failing = wait_for(&saver, |s| s.problem.is_some());
        assert_eq!((failing.saved, failing.unsaved), (0, 2));
        assert!(
            failing
                .problem
                .as_deref()
                .unwrap()
                .starts_with("2 takes not saved yet (trying again every 0.05 s): "),
            "{failing:?}"
        );
        saver.save(takes[2..].to_vec());
        wait_for(&saver, |s| s.unsaved == 3);

        std::fs::remove_file(&dir).unwrap();
        let saved = wait_for(&saver, |s| s.saved == 3);
        assert_eq!((saved.unsaved, saved.problem), (0, None));
        assert_eq!(store::load(&dir, "s").unwrap(), takes);
        assert_eq!(saver.finish().saved, 3);
    }

    #[test]
    fn finishing_writes_what_was_handed_over_and_says_what_was_not() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("takes");
        let takes = reports(2);
        let saver = TakeSaver::spawn(dir.clone(), "s".into()).unwrap();
        saver.save(takes.clone());
        let done = saver.finish();
        assert_eq!((done.saved, done.unsaved, done.problem), (2, 0, None));
        assert_eq!(store::load(&dir, "s").unwrap(), takes);

        let blocked = home.path().join("blocked");
        std::fs::write(&blocked, b"in the way").unwrap();
        let saver = TakeSaver::spawn(blocked, "s".into()).unwrap();
        saver.save(takes);
        let done = saver.finish();
        assert_eq!((done.saved, done.unsaved), (0, 2));
        assert!(
            done.problem
                .as_deref()
                .unwrap()
                .starts_with("2 takes not saved: "),
            "{done:?}"
        );
    }
}
