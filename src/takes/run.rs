//! The takes of one headless run (`monitor`, `serve`): each saved as it ends, by a
//! [`TakeSaver`] thread so the caller never waits on the disk, and only the latest few kept in
//! memory, so a day of automatic takes holds no more than an hour. Snapshots carry the latest
//! takes again at every publish; each is handed over once. What the caller should tell the
//! user comes back as text: the library prints nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::checkpoint::CheckpointTarget;
use super::lock::SessionLock;
use super::report::TakeReport;
use super::saver::TakeSaver;

/// Takes a run keeps in memory; the rest are in the saved file.
pub const TAKES_IN_MEMORY: usize = 16;

#[derive(Debug)]
pub struct RunTakes {
    /// The latest takes by number, at most [`TAKES_IN_MEMORY`].
    recent: BTreeMap<usize, TakeReport>,
    /// Takes seen this run, and the highest number among them (takes are numbered in order).
    count: usize,
    last: usize,
    /// `None` when the data directory cannot be used: then the takes are only in memory.
    saver: Option<TakeSaver>,
    /// The saver's problem as last told: a disk refusing takes is told once, and again when
    /// the problem changes, not at every look.
    told: Option<String>,
    /// The session this run holds, for its checkpoints ([`Self::checkpoints`]).
    checkpoints: Option<CheckpointTarget>,
}

/// A run's takes once its saver has written what it could.
#[derive(Debug)]
pub struct EndedRun {
    /// The latest takes, oldest first, at most [`TAKES_IN_MEMORY`].
    pub recent: Vec<TakeReport>,
    /// Takes seen this run.
    pub count: usize,
    /// Where the takes were saved, when they were: the data directory's `takes` and the
    /// session's name.
    pub saved_in: Option<(PathBuf, String)>,
    /// Why some takes were not saved, if any were not.
    pub problem: Option<String>,
}

impl EndedRun {
    /// The session's JSON file, when takes were being saved.
    pub fn file(&self) -> Option<PathBuf> {
        self.saved_in
            .as_ref()
            .map(|(dir, session)| super::store::json_path(dir, session))
    }

    /// Every take of the run: read back from the file when more ended than memory holds and
    /// all were saved; else the latest, with why the rest could not be read.
    pub fn all(self) -> (Vec<TakeReport>, Option<String>) {
        match &self.saved_in {
            Some((dir, session)) if self.problem.is_none() && self.recent.len() < self.count => {
                match super::store::load(dir, session) {
                    Ok(all) => (all, None),
                    Err(e) => (
                        self.recent,
                        Some(format!(
                            "the run's earlier takes could not be read back: {e}"
                        )),
                    ),
                }
            }
            _ => (self.recent, None),
        }
    }
}

impl RunTakes {
    /// Takes saved into `<dir>/<session>.json` and `.csv`, or under `<session>-2`, `-3`, …
    /// when another run holds that session or saved takes under it ([`SessionLock`]). Takes
    /// earlier runs checkpointed and did not save are recovered first
    /// ([`super::checkpoint::recover`]). When `dir` is an error (no data directory) or the
    /// saver's thread cannot start, takes are kept in memory only. The lines say what the
    /// user should know: recovered takes, and why takes will not be saved.
    pub fn new(dir: Result<PathBuf, crate::Error>, session: &str) -> (Self, Vec<String>) {
        let mut notes = Vec::new();
        let claimed = dir.and_then(|dir| {
            let (recovered, problems) = super::checkpoint::recover(&dir);
            notes.extend(recovered.iter().map(ToString::to_string));
            notes.extend(problems);
            // Where the directory cannot be locked (the disk refusing) the saver still starts,
            // unlocked and without checkpoints, and keeps trying until the disk takes them.
            let (name, target) = match SessionLock::claim_new(&dir, session) {
                Ok((name, lock)) => {
                    let target = CheckpointTarget {
                        dir: dir.clone(),
                        session: name.clone(),
                        lock: Arc::new(lock),
                    };
                    (name, Some(target))
                }
                Err(e) => {
                    notes.push(format!(
                        "the running take is not checkpointed: {}: {e}",
                        dir.display()
                    ));
                    (session.to_string(), None)
                }
            };
            let saver =
                TakeSaver::spawn(dir, name).map_err(|e| crate::Error::Message(e.to_string()))?;
            Ok((saver, target))
        });
        let (saver, checkpoints) = match claimed {
            Ok((s, t)) => (Some(s), t),
            Err(e) => {
                notes.push(format!("take reports will not be saved: {e}"));
                (None, None)
            }
        };
        let run = Self {
            recent: BTreeMap::new(),
            count: 0,
            last: 0,
            saver,
            told: None,
            checkpoints,
        };
        (run, notes)
    }

    /// Where the session's running take is checkpointed (hand it to
    /// [`crate::capture::SessionConfig::checkpoints`]); `None` when takes are not saved.
    pub fn checkpoints(&self) -> Option<CheckpointTarget> {
        self.checkpoints.clone()
    }

    /// The session's name, when takes are being saved.
    pub fn session(&self) -> Option<&str> {
        self.saver.as_ref().map(TakeSaver::session)
    }

    /// Takes ended this run so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The session's JSON file, when takes are being saved.
    pub fn file(&self) -> Option<PathBuf> {
        self.saver
            .as_ref()
            .map(|s| super::store::json_path(s.dir(), s.session()))
    }

    /// Keeps and saves the takes in `takes` (a snapshot's latest) not seen before. Returns a
    /// line for the user when the saver's trouble began, changed or ended.
    pub fn keep(&mut self, takes: &[TakeReport]) -> Option<String> {
        let mut new: Vec<&TakeReport> = takes.iter().filter(|t| t.take > self.last).collect();
        new.sort_by_key(|t| t.take);
        for t in new {
            self.last = t.take;
            self.count += 1;
            if let Some(saver) = &self.saver {
                saver.save(vec![t.clone()]);
            }
            self.recent.insert(t.take, t.clone());
            if self.recent.len() > TAKES_IN_MEMORY {
                self.recent.pop_first();
            }
        }
        let problem = self.saver.as_ref().and_then(|s| s.status().problem);
        let tell = match (&problem, &self.told) {
            (Some(p), told) if told.as_ref() != Some(p) => Some(p.clone()),
            (None, Some(_)) => Some("the takes that waited are saved".to_string()),
            _ => None,
        };
        self.told = problem;
        tell
    }

    /// Waits for the saver to write what it was handed (or to give up on it).
    pub fn finish(mut self) -> EndedRun {
        let recent: Vec<TakeReport> = std::mem::take(&mut self.recent).into_values().collect();
        let (saved_in, problem) = match self.saver.take() {
            Some(s) => {
                let at = (s.dir().to_path_buf(), s.session().to_string());
                (Some(at), s.finish().problem)
            }
            None => (None, None),
        };
        // Everything is saved: the session is free for recovery and for other runs.
        self.checkpoints = None;
        EndedRun {
            recent,
            count: self.count,
            saved_in,
            problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::takes::{BlockReading, TakeTracker};

    /// `n` short takes on one input, as the meter thread reports them (it keeps only the
    /// latest few, so each is taken as it ends).
    fn reports(n: u64) -> Vec<TakeReport> {
        let mut t = TakeTracker::new(1, 1000, &[], &[]);
        let mut all = Vec::new();
        for k in 0..n {
            t.start("", k * 100);
            t.block(0, k * 100, 50, &BlockReading::default());
            t.stop(k * 100 + 50);
            all.extend(t.reports().last().cloned());
        }
        all
    }

    #[test]
    fn each_take_is_kept_and_saved_once_however_often_snapshots_repeat_it() {
        let dir = tempfile::tempdir().unwrap();
        let all = reports(TAKES_IN_MEMORY as u64 + 4);
        let (mut run, why) = RunTakes::new(Ok(dir.path().to_path_buf()), "s");
        assert_eq!(why, Vec::<String>::new());
        // Snapshots carry a window of the latest takes, overlapping the previous one's.
        for end in 1..=all.len() {
            let window = &all[end.saturating_sub(3)..end];
            assert_eq!(run.keep(window), None);
        }
        assert_eq!(run.count(), all.len());
        let file = run.file().unwrap();
        let ended = run.finish();
        assert_eq!(ended.count, all.len());
        assert_eq!(ended.recent, all[4..]);
        assert_eq!(ended.file(), Some(file));
        assert_eq!(ended.problem, None);
        assert_eq!(crate::takes::store::load(dir.path(), "s").unwrap(), all);
        // The summary's list: the file, as more ended than memory holds.
        assert_eq!(ended.all(), (all, None));
    }

    #[test]
    fn without_a_data_directory_takes_are_kept_in_memory_and_the_reason_given() {
        let (mut run, why) = RunTakes::new(Err(crate::Error::Message("no data".into())), "s");
        assert_eq!(why, ["take reports will not be saved: no data"]);
        assert_eq!(run.keep(&reports(2)), None);
        assert_eq!(run.file(), None);
        let ended = run.finish();
        assert_eq!(
            (ended.count, ended.recent.len(), ended.file()),
            (2, 2, None)
        );
        assert_eq!(ended.all().0.len(), 2);
    }
}
