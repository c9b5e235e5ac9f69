//! A running take on disk: every [`CHECKPOINT_S`] of stream time the meter thread hands a
//! copy of the open take to the keeper thread ([`super::keeper`]), which builds its report
//! (cut short there) and writes it whole to `<dir>/<session>.take-<N>.checkpoint`. Once the
//! saver has the ended take in the session's JSON, it removes the checkpoint (the keeper
//! writes a take's checkpoints before it builds the take's final report, so none lands
//! after). So a run killed at any moment (SIGKILL, the out-of-memory killer, a panic, a power
//! cut) leaves each take it had either saved or checkpointed, at most 10 s short.
//!
//! [`recover`] (at the next start, and before `gainstage takes` lists) adds the checkpointed
//! takes of sessions no run holds ([`super::lock`]) to their session's files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::lock::SessionLock;
use super::report::TakeReport;

/// Stream seconds between checkpoints of a running take.
pub const CHECKPOINT_S: u64 = 10;

const SUFFIX: &str = ".checkpoint";
const TAKE: &str = ".take-";

/// Where a run's checkpoints go: its session, held by its lock for as long as this lives.
#[derive(Debug, Clone)]
pub struct CheckpointTarget {
    pub dir: PathBuf,
    pub session: String,
    /// Keeps the session this run's while checkpoints may still be written.
    pub lock: Arc<SessionLock>,
}

/// The same place: the same directory and session (one lock holds a session).
impl PartialEq for CheckpointTarget {
    fn eq(&self, other: &Self) -> bool {
        self.dir == other.dir && self.session == other.session
    }
}

/// `<dir>/<session>.take-<take>.checkpoint`.
pub fn path(dir: &Path, session: &str, take: usize) -> PathBuf {
    dir.join(format!("{session}{TAKE}{take}{SUFFIX}"))
}

/// Writes `report` as its session's checkpoint for its take, replacing the one before whole.
pub fn write(target: &CheckpointTarget, report: &TakeReport) -> Result<(), crate::Error> {
    let file = path(&target.dir, &target.session, report.take);
    let json = serde_json::to_vec(report)
        .map_err(|e| crate::Error::Message(format!("cannot encode a checkpoint: {e}")))?;
    crate::atomic_file::write(&file, &json)
        .map_err(|e| crate::Error::Message(format!("{}: {e}", file.display())))
}

/// Removes take `take`'s checkpoint of `session`, if there is one.
pub fn remove(dir: &Path, session: &str, take: usize) -> std::io::Result<()> {
    match std::fs::remove_file(path(dir, session, take)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The session and take a checkpoint's file name stands for.
fn parse_name(name: &str) -> Option<(&str, usize)> {
    let (session, take) = name.strip_suffix(SUFFIX)?.rsplit_once(TAKE)?;
    Some((session, take.parse().ok()?))
}

/// Every checkpoint in `dir` as (session, take), sorted.
fn all(dir: &Path) -> std::io::Result<Vec<(String, usize)>> {
    let mut found: Vec<(String, usize)> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                parse_name(&name).map(|(s, t)| (s.to_string(), t))
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    found.sort();
    Ok(found)
}

/// The takes `session` has checkpoints of, in order.
pub fn of_session(dir: &Path, session: &str) -> std::io::Result<Vec<usize>> {
    Ok(all(dir)?
        .into_iter()
        .filter(|(s, _)| s == session)
        .map(|(_, t)| t)
        .collect())
}

/// A take [`recover`] added to its session.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    pub session: String,
    pub take: usize,
    /// Stream time the checkpoint reached (s), where the recovered take ends.
    pub end_s: f64,
    pub cut_short: bool,
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "take {} of session {} recovered from a run that stopped without saving it{}",
            self.take,
            self.session,
            if self.cut_short {
                format!(" (cut short at {:.1} s)", self.end_s)
            } else {
                String::new()
            }
        )
    }
}

/// Adds the checkpointed takes of every session in `dir` that no running process holds to
/// that session's files, and removes the checkpoints. A take the session already has (its
/// run saved it and stopped before removing the checkpoint) is left as saved. Returns what
/// was recovered, and why any checkpoint could not be.
pub fn recover(dir: &Path) -> (Vec<Recovered>, Vec<String>) {
    let mut recovered = Vec::new();
    let mut problems = Vec::new();
    let found = match all(dir) {
        Ok(f) => f,
        Err(e) => return (recovered, vec![format!("{}: {e}", dir.display())]),
    };
    let mut sessions: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    sessions.dedup();
    for session in sessions {
        match SessionLock::try_acquire(dir, session) {
            // A live run's own checkpoints.
            Ok(None) => {}
            Ok(Some(_lock)) => {
                for (_, take) in found.iter().filter(|(s, _)| s == session) {
                    match recover_one(dir, session, *take) {
                        Ok(Some(r)) => recovered.push(r),
                        Ok(None) => {}
                        Err(e) => problems.push(format!(
                            "take {take} of session {session} could not be recovered: {e}"
                        )),
                    }
                }
            }
            Err(e) => problems.push(format!("session {session}: cannot lock it: {e}")),
        }
    }
    (recovered, problems)
}

/// One checkpoint into its session (whose lock the caller holds); `None` when the session
/// already had the take.
fn recover_one(dir: &Path, session: &str, take: usize) -> Result<Option<Recovered>, crate::Error> {
    let file = path(dir, session, take);
    let bytes = std::fs::read(&file).map_err(|e| at(&file, e))?;
    let report: TakeReport = serde_json::from_slice(&bytes).map_err(|e| at(&file, e))?;
    let saved = super::store::json_path(dir, session).exists()
        && super::store::load_take(dir, session, take)?.is_some();
    let done = if saved {
        None
    } else {
        super::store::append(dir, session, std::slice::from_ref(&report))?;
        Some(Recovered {
            session: session.to_string(),
            take,
            end_s: report.end_s,
            cut_short: report.cut_short,
        })
    };
    std::fs::remove_file(&file).map_err(|e| at(&file, e))?;
    Ok(done)
}

fn at(path: &Path, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Message(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::takes::{BlockReading, TakeTracker, store};

    /// Takes 1..=n of one input, half a second each.
    fn reports(n: u64) -> Vec<TakeReport> {
        let mut t = TakeTracker::new(1, 1000, &[], &[]);
        for k in 0..n {
            t.start("", k * 1000);
            t.block(0, k * 1000, 500, &BlockReading::default());
            t.stop(k * 1000 + 500);
        }
        t.reports().to_vec()
    }

    fn target(dir: &Path, session: &str) -> CheckpointTarget {
        let lock = SessionLock::try_acquire(dir, session).unwrap().unwrap();
        CheckpointTarget {
            dir: dir.to_path_buf(),
            session: session.into(),
            lock: Arc::new(lock),
        }
    }

    #[test]
    fn names_carry_the_session_and_the_take() {
        let name = "2026-11-28T14-30-05Z-2.take-12.checkpoint";
        assert_eq!(parse_name(name), Some(("2026-11-28T14-30-05Z-2", 12)));
        assert_eq!(parse_name("s.json"), None);
        assert_eq!(parse_name("s.take-x.checkpoint"), None);
    }

    #[test]
    fn checkpoints_of_a_session_nobody_holds_are_added_to_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut takes = reports(3);
        takes[2].cut_short = true;
        store::save(dir.path(), "s", &takes[..1]).unwrap();
        let live = target(dir.path(), "s");
        // Take 1 saved and its checkpoint left; takes 2 and 3 only checkpointed.
        for t in &takes {
            write(&live, t).unwrap();
        }
        // Held by a run: nothing touched.
        assert_eq!(recover(dir.path()), (vec![], vec![]));
        assert_eq!(of_session(dir.path(), "s").unwrap(), [1, 2, 3]);
        drop(live);
        let (got, problems) = recover(dir.path());
        assert_eq!(problems, Vec::<String>::new());
        let numbers: Vec<(usize, bool)> = got.iter().map(|r| (r.take, r.cut_short)).collect();
        assert_eq!(numbers, [(2, false), (3, true)]);
        assert_eq!(store::load(dir.path(), "s").unwrap(), takes);
        assert_eq!(of_session(dir.path(), "s").unwrap(), Vec::<usize>::new());
        assert_eq!(recover(dir.path()), (vec![], vec![]));
    }
}
