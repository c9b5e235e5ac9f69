//! Saving take reports off the caller's thread: a reader (the GUI) hands each finished report
//! over as it arrives and goes on; this thread adds it to the session's files
//! ([`super::store::append`]). Dropping the saver waits for what was handed over to be written,
//! so a closing app loses no take.

use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::report::TakeReport;

/// What the saver has done, for the caller to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaverStatus {
    /// Takes written so far.
    pub saved: usize,
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
        let (tx, rx) = channel::<Vec<TakeReport>>();
        let status = Arc::new(Mutex::new(SaverStatus::default()));
        let (d, s, st) = (dir.clone(), session.clone(), Arc::clone(&status));
        let thread = std::thread::Builder::new()
            .name("gainstage-takes".into())
            .spawn(move || {
                while let Ok(mut batch) = rx.recv() {
                    // Whatever else is queued goes in the same write.
                    while let Ok(more) = rx.try_recv() {
                        batch.extend(more);
                    }
                    let result = super::store::append(&d, &s, &batch);
                    if let Ok(mut status) = st.lock() {
                        match result {
                            Ok(_) => {
                                status.saved += batch.len();
                                status.problem = None;
                            }
                            Err(e) => status.problem = Some(format!("takes not saved: {e}")),
                        }
                    }
                }
            })?;
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

impl Drop for TakeSaver {
    fn drop(&mut self) {
        self.stop();
    }
}
