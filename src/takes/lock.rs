//! Who owns a take session: an advisory lock on `<dir>/<session>.lock`, held as long as a
//! run saves into the session (its saver and its checkpoints). Session names have one-second
//! resolution, so `serve` and `monitor` started in the same second would otherwise write the
//! same files; the second one claims `<name>-2` instead. A lock dies with its process (the
//! system releases it on exit, SIGKILL included), so a session whose lock is free has no
//! writer and its checkpoints can be recovered ([`super::checkpoint`]).
//!
//! The lock is `fs4`'s: `flock` on Linux and macOS, `LockFileEx` on Windows.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Sessions tried after the first name, with `-2`, `-3`, … appended.
const MAX_SUFFIX: usize = 100;

/// An exclusive lock on one session, released (and its file removed) on drop.
#[derive(Debug)]
pub struct SessionLock {
    file: File,
    path: PathBuf,
}

/// `<dir>/<session>.lock`.
fn lock_path(dir: &Path, session: &str) -> PathBuf {
    dir.join(format!("{session}.lock"))
}

impl SessionLock {
    /// The lock on `session` if no other run holds it; `None` if one does.
    pub fn try_acquire(dir: &Path, session: &str) -> std::io::Result<Option<Self>> {
        let path = lock_path(dir, session);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => return Ok(None),
            Err(fs4::TryLockError::Error(e)) => return Err(e),
        }
        // The holder before us removes the file as it lets go: a lock taken on a file that
        // is no longer at `path` locks nothing anyone else will open.
        if !crate::platform::files::same_file(&file, &path) {
            return Ok(None);
        }
        Ok(Some(Self { file, path }))
    }

    /// A session of its own for a run starting now, named `base` or, when another run holds
    /// that name or has saved under it, `base-2`, `base-3`, …
    pub fn claim_new(dir: &Path, base: &str) -> std::io::Result<(String, Self)> {
        std::fs::create_dir_all(dir)?;
        for k in 1..=MAX_SUFFIX {
            let name = if k == 1 {
                base.to_string()
            } else {
                format!("{base}-{k}")
            };
            if let Some(lock) = Self::try_acquire(dir, &name)?
                && !super::store::json_path(dir, &name).exists()
                && super::checkpoint::of_session(dir, &name)?.is_empty()
            {
                return Ok((name, lock));
            }
        }
        Err(std::io::Error::other(format!(
            "{MAX_SUFFIX} sessions named {base} are in use"
        )))
    }
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        // Removed while still held, so a run that opened it meanwhile sees it gone
        // (`same_file`) and does not count its lock; the lock goes with the handle.
        let _ = std::fs::remove_file(&self.path);
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_in_the_same_second_gets_a_session_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let (a, lock_a) = SessionLock::claim_new(dir.path(), "s").unwrap();
        let (b, lock_b) = SessionLock::claim_new(dir.path(), "s").unwrap();
        assert_eq!((a.as_str(), b.as_str()), ("s", "s-2"));
        assert!(SessionLock::try_acquire(dir.path(), "s").unwrap().is_none());
        drop(lock_a);
        assert!(!lock_path(dir.path(), "s").exists(), "removed on release");
        // Free again, and nothing saved under it: the next run may have it.
        let (c, _lock_c) = SessionLock::claim_new(dir.path(), "s").unwrap();
        assert_eq!(c, "s");
        drop(lock_b);
        // A session with saved takes is never handed to a new run, locked or not.
        std::fs::write(super::super::store::json_path(dir.path(), "s-2"), b"[\n]\n").unwrap();
        let (d, _lock_d) = SessionLock::claim_new(dir.path(), "s").unwrap();
        assert_eq!(d, "s-3");
    }

    #[test]
    fn a_lock_file_removed_under_a_waiting_run_is_not_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = lock_path(dir.path(), "s");
        let stale = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, b"").unwrap();
        assert!(!crate::platform::files::same_file(&stale, &path));
    }
}
