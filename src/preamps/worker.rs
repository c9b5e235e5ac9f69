//! A thread that owns a session's preamps, so the GUI and the remote server hand it changes
//! and read what happened without ever waiting on the network themselves.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use super::plan::ChangeRequest;
use super::rig::{Applied, Rig, RigConfig, Who};
use crate::capture::{Commander, MeterCommand};

/// Where one job's result goes instead of [`PreampWorker::try_result`]: the remote server
/// answers the client that asked, whatever other jobs are queued.
pub type Reply = Box<dyn FnOnce(Vec<Applied>) + Send>;

enum Job {
    Apply {
        requests: Vec<ChangeRequest>,
        take_running: bool,
        /// Input names (index 0 is input 1) for the session log.
        names: Vec<String>,
        reply: Option<Reply>,
    },
    Undo {
        take_running: bool,
        names: Vec<String>,
        reply: Option<Reply>,
    },
}

/// The preamps' thread; dropping it ends the thread once its current job is done.
#[derive(Debug)]
pub struct PreampWorker {
    jobs: Sender<Job>,
    done: Receiver<Vec<Applied>>,
}

impl PreampWorker {
    /// Starts the thread. `who` is said in the session log, whose directory is `log_dir`
    /// (`None`: changes are not logged); `commander` tells the meter thread about each change,
    /// for the next take's report.
    pub fn spawn(
        config: RigConfig,
        who: Who,
        log_dir: Option<PathBuf>,
        commander: Option<Commander>,
    ) -> std::io::Result<Self> {
        let (jobs, job_rx) = channel::<Job>();
        let (done_tx, done) = channel();
        std::thread::Builder::new()
            .name("gainstage-preamps".into())
            .spawn(move || {
                let mut rig = match Rig::from_config(&config) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = done_tx.send(vec![Applied {
                            input: 0,
                            change: None,
                            problem: Some(e.to_string()),
                        }]);
                        return;
                    }
                };
                for job in job_rx {
                    let (applied, names, reply) = match job {
                        Job::Apply {
                            requests,
                            take_running,
                            names,
                            reply,
                        } => (rig.apply(&requests, who, take_running), names, reply),
                        Job::Undo {
                            take_running,
                            names,
                            reply,
                        } => (rig.undo(who, take_running), names, reply),
                    };
                    let changes: Vec<_> = applied.iter().filter_map(|a| a.change.clone()).collect();
                    let name = |input: usize| {
                        names
                            .get(input.wrapping_sub(1))
                            .filter(|n| !n.is_empty())
                            .cloned()
                            .unwrap_or_else(|| format!("Input {input}"))
                    };
                    let mut applied = applied;
                    let logged = log_dir
                        .as_deref()
                        .map_or(Ok(()), |dir| super::log::write_changes(dir, &changes, name));
                    if let Err(why) = logged {
                        applied.push(Applied {
                            input: 0,
                            change: None,
                            problem: Some(format!("gain changes not in the session log: {why}")),
                        });
                    }
                    if let Some(c) = &commander {
                        for g in &changes {
                            // Only the take report's note is lost to a full queue: the
                            // change itself is made and in the session log.
                            let _ = c.send(MeterCommand::GainChanged(g.take_note()));
                        }
                    }
                    match reply {
                        Some(reply) => reply(applied),
                        // Nobody looks any more (the GUI closed): the thread ends.
                        None if done_tx.send(applied).is_err() => break,
                        None => {}
                    }
                }
            })?;
        Ok(Self { jobs, done })
    }

    /// Queues changes; never waits.
    pub fn apply(&self, requests: Vec<ChangeRequest>, take_running: bool, names: Vec<String>) {
        let _ = self.jobs.send(Job::Apply {
            requests,
            take_running,
            names,
            reply: None,
        });
    }

    /// Queues putting back the gains from before the latest changes; never waits.
    pub fn undo(&self, take_running: bool, names: Vec<String>) {
        let _ = self.jobs.send(Job::Undo {
            take_running,
            names,
            reply: None,
        });
    }

    /// Queues changes whose result goes to `reply`; never waits. `false`: the thread has
    /// ended (its devices could not be opened), and `reply` is dropped uncalled.
    pub fn apply_then(
        &self,
        requests: Vec<ChangeRequest>,
        take_running: bool,
        names: Vec<String>,
        reply: Reply,
    ) -> bool {
        self.jobs
            .send(Job::Apply {
                requests,
                take_running,
                names,
                reply: Some(reply),
            })
            .is_ok()
    }

    /// Queues an undo whose result goes to `reply`; never waits. `false` as for
    /// [`Self::apply_then`].
    pub fn undo_then(&self, take_running: bool, names: Vec<String>, reply: Reply) -> bool {
        self.jobs
            .send(Job::Undo {
                take_running,
                names,
                reply: Some(reply),
            })
            .is_ok()
    }

    /// What a finished job did, if one finished since the last look.
    pub fn try_result(&self) -> Option<Vec<Applied>> {
        self.done.try_recv().ok()
    }
}
