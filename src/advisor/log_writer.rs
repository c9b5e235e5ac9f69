//! The session log's own thread: the meter thread hands entries over a bounded queue and never
//! waits on the disk. A disk that stalls fills the queue, a disk that fails fails the write;
//! either way the entry is counted as not written and the reason kept, for the readers to show.
//!
//! Each entry goes into the file of its local day (`<dir>/<YYYY-MM-DD>.jsonl`): a session that
//! runs past midnight carries on in the next day's file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::SystemTime;

use super::session_log::LogEntry;

/// Entries the queue holds. A burst is at most a few per channel per judgement (20 a second):
/// this covers seconds of a stalled disk at 64 channels before entries are counted lost.
pub const QUEUE_ENTRIES: usize = 1024;

/// Which local day a moment falls on: the system's time zone, or a fixed one (tests).
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: jiff::tz::TimeZone,
}

impl Calendar {
    /// The system's time zone (`TZ`, else `/etc/localtime`); UTC when neither can be read.
    pub fn system() -> Self {
        Self {
            zone: jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC),
        }
    }

    /// A zone `seconds` east of UTC, with no daylight saving.
    pub fn utc_offset(seconds: i32) -> Self {
        let zone = jiff::tz::Offset::from_seconds(seconds)
            .map_or(jiff::tz::TimeZone::UTC, jiff::tz::TimeZone::fixed);
        Self { zone }
    }

    /// The local date of `t`, "YYYY-MM-DD".
    pub fn day(&self, t: SystemTime) -> String {
        match jiff::Timestamp::try_from(t) {
            Ok(ts) => ts.to_zoned(self.zone.clone()).date().to_string(),
            // Outside jiff's range (years -9999..9999): no real clock says that.
            Err(_) => "session".to_string(),
        }
    }
}

/// What the writer and the meter thread know about the log, without locks on the meter side.
#[derive(Debug, Default)]
pub struct LogStatus {
    /// Entries handed to the writer (queued or not).
    submitted: AtomicU64,
    /// Entries in the file, complete.
    written: AtomicU64,
    /// Entries that could not be written: queue full or write failed.
    failed: AtomicU64,
    /// Of those, the ones the full queue turned away (the disk not keeping up).
    queue_full: AtomicU64,
    /// Lines found cut short (a write the disk took only part of, here or in an earlier
    /// run) and closed before the next entry: each one an entry lost.
    cut_lines: AtomicU64,
    /// Bumped whenever `error` changes, so the meter thread copies it only then.
    error_seq: AtomicU64,
    /// The writer's latest failure, as a line for people.
    error: Mutex<Option<Arc<str>>>,
}

impl LogStatus {
    fn fail_write(&self, why: String) {
        self.failed.fetch_add(1, Ordering::AcqRel);
        // Only the writer thread takes this lock; the meter thread only tries it.
        if let Ok(mut e) = self.error.lock()
            && e.as_deref() != Some(why.as_str())
        {
            *e = Some(why.into());
            self.error_seq.fetch_add(1, Ordering::AcqRel);
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The log's state for a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LogHealth {
    /// Entries handed to the log.
    pub entries: u64,
    /// Entries written to the file.
    pub written: u64,
    /// Entries that could not be written.
    pub failed: u64,
    /// Lines found cut short in the file (a full disk or a crash mid-write, this run or an
    /// earlier one) and closed, so the next entry starts its own line: each an entry lost.
    #[serde(skip_serializing_if = "is_zero")]
    pub cut_lines: u64,
    /// Why, when any failed.
    pub error: Option<Arc<str>>,
}

impl LogHealth {
    /// "session log failed: `<why>`, N entries not written", when any entry was not written.
    pub fn problem(&self) -> Option<String> {
        if self.failed == 0 && self.error.is_none() {
            return None;
        }
        let why = self.error.as_deref().unwrap_or("unknown reason");
        let n = self.failed;
        let entries = if n == 1 { "entry" } else { "entries" };
        Some(format!(
            "session log failed: {why}, {n} {entries} not written"
        ))
    }
}

/// The meter thread's end: hands entries to the writer thread, never blocks.
#[derive(Debug)]
pub struct LogWriter {
    queue: Option<SyncSender<LogEntry>>,
    status: Arc<LogStatus>,
    thread: Option<JoinHandle<()>>,
    /// The writer's error as last copied, and the `error_seq` it was copied at.
    error: Option<Arc<str>>,
    error_seq: u64,
}

impl LogWriter {
    /// Starts the writer thread for files in `dir`, one per local day of `calendar`.
    pub fn spawn(dir: PathBuf, calendar: Calendar) -> std::io::Result<Self> {
        Self::with_capacity(dir, calendar, QUEUE_ENTRIES)
    }

    /// As [`Self::spawn`], with a queue of `entries`.
    pub fn with_capacity(
        dir: PathBuf,
        calendar: Calendar,
        entries: usize,
    ) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel(entries);
        let status = Arc::new(LogStatus::default());
        let thread_status = Arc::clone(&status);
        let thread = std::thread::Builder::new()
            .name("gainstage-log".into())
            .spawn(move || write_all(&rx, &dir, &calendar, &thread_status))?;
        Ok(Self {
            queue: Some(tx),
            status,
            thread: Some(thread),
            error: None,
            error_seq: 0,
        })
    }

    /// Queues `entry` for the file, or counts it as not written when the queue is full.
    pub fn submit(&self, entry: LogEntry) {
        self.status.submitted.fetch_add(1, Ordering::AcqRel);
        let sent = match &self.queue {
            Some(q) => q.try_send(entry),
            None => Err(TrySendError::Disconnected(entry)),
        };
        if sent.is_err() {
            self.status.failed.fetch_add(1, Ordering::AcqRel);
            self.status.queue_full.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// The counts and the reason for failures, for a snapshot. Never waits: when the writer
    /// is changing its reason at this moment, the previous one shows until the next call.
    pub fn health(&mut self) -> LogHealth {
        let seq = self.status.error_seq.load(Ordering::Acquire);
        if seq != self.error_seq
            && let Ok(e) = self.status.error.try_lock()
        {
            self.error.clone_from(&e);
            self.error_seq = seq;
        }
        let full = self.status.queue_full.load(Ordering::Acquire);
        let error = match (&self.error, full) {
            (Some(e), _) => Some(Arc::clone(e)),
            (None, 0) => None,
            (None, _) => Some(Arc::from("the disk is not keeping up (writing stalls)")),
        };
        LogHealth {
            entries: self.status.submitted.load(Ordering::Acquire),
            written: self.status.written.load(Ordering::Acquire),
            failed: self.status.failed.load(Ordering::Acquire),
            cut_lines: self.status.cut_lines.load(Ordering::Acquire),
            error,
        }
    }

    /// Closes the queue and waits until the writer has written or failed every queued entry.
    /// Blocks as long as the disk does: for tests and orderly ends, never the meter thread.
    pub fn finish(mut self) -> LogHealth {
        self.queue = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.health()
    }

    /// At the end of a session: closes the queue and gives the writer up to `patience` to
    /// get the queued entries out. Those it has not written or failed by then are counted as
    /// not written (a process that exits now loses them), and the writer is left to finish
    /// on its own. Returns the final state.
    pub fn close_within(&mut self, patience: std::time::Duration) -> LogHealth {
        self.queue = None;
        let deadline = std::time::Instant::now() + patience;
        let done = loop {
            match &self.thread {
                Some(t) if !t.is_finished() => {}
                _ => break true,
            }
            if std::time::Instant::now() >= deadline {
                break false;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        if let Some(t) = self.thread.take()
            && done
        {
            let _ = t.join();
        }
        if !done {
            let s = &self.status;
            let settled = s.written.load(Ordering::Acquire) + s.failed.load(Ordering::Acquire);
            let left = s.submitted.load(Ordering::Acquire).saturating_sub(settled);
            if left > 0 {
                s.failed.fetch_add(left, Ordering::AcqRel);
                s.queue_full.fetch_add(left, Ordering::AcqRel);
            }
        }
        self.health()
    }
}

/// The writer thread: until the queue closes, every entry into its day's file.
fn write_all(queue: &Receiver<LogEntry>, dir: &Path, calendar: &Calendar, status: &LogStatus) {
    let mut file: Option<(String, File)> = None;
    for entry in queue {
        let day = calendar.day(entry.system_time().unwrap_or_else(SystemTime::now));
        match write_one(&mut file, dir, &day, &entry, status) {
            Ok(()) => {
                status.written.fetch_add(1, Ordering::AcqRel);
            }
            Err(why) => {
                // Reopened for the next entry: the disk may have been freed or remounted.
                file = None;
                status.fail_write(why);
            }
        }
    }
}

fn write_one(
    file: &mut Option<(String, File)>,
    dir: &Path,
    day: &str,
    entry: &LogEntry,
    status: &LogStatus,
) -> Result<(), String> {
    let path = dir.join(format!("{day}.jsonl"));
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("{what} {}: {e}", path.display());
    if file.as_ref().is_none_or(|(d, _)| d != day) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| fail("cannot open", &e))?;
        // After a failed write the file is opened again, so a line the disk took only part
        // of is closed before this entry, never glued to it.
        if super::session_log::close_cut_line(&path, &mut f)
            .map_err(|e| fail("cannot repair", &e))?
        {
            status.cut_lines.fetch_add(1, Ordering::AcqRel);
        }
        *file = Some((day.to_string(), f));
    }
    let Some((_, f)) = file.as_mut() else {
        return Err(fail("cannot open", &"no file"));
    };
    let mut line = serde_json::to_string(entry).map_err(|e| fail("cannot encode for", &e))?;
    line.push('\n');
    // One write per line: with O_APPEND a line is never interleaved with another writer's.
    // A full disk may take part of it; the file is then opened again (and the part closed)
    // before the next entry.
    f.write_all(line.as_bytes())
        .map_err(|e| fail("cannot write", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_problem_line_names_the_reason_and_the_count() {
        assert_eq!(LogHealth::default().problem(), None);
        let h = LogHealth {
            entries: 10,
            written: 9,
            failed: 1,
            cut_lines: 0,
            error: Some(Arc::from("cannot write /x/2026-11-28.jsonl: disk full")),
        };
        assert_eq!(
            h.problem().unwrap(),
            "session log failed: cannot write /x/2026-11-28.jsonl: disk full, 1 entry not written"
        );
    }

    #[test]
    fn every_failed_write_is_counted_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the directory should be: every write fails, each one counted.
        let blocked = dir.path().join("sessions");
        std::fs::write(&blocked, b"").unwrap();
        let writer = LogWriter::spawn(blocked, Calendar::utc_offset(0)).unwrap();
        let event = super::super::LogEvent {
            channel: 2,
            event: super::super::LogEventKind::Clip,
            kind: None,
            count: 1,
            message: "Input 2: 1 new over".into(),
            level_dbtp: None,
        };
        for _ in 0..5 {
            writer.submit(LogEntry::new(SystemTime::now(), "Snare", 0.0, &event));
        }
        let h = writer.finish();
        assert_eq!((h.entries, h.written, h.failed), (5, 0, 5));
        assert!(
            h.error
                .as_deref()
                .unwrap()
                .starts_with("cannot create the directory"),
            "{h:?}"
        );
    }
}
