//! A thread that owns a session's preamps, so the GUI and the remote server hand it changes
//! and read what happened without ever waiting on the network themselves.
//!
//! One thread per process: the handle is cloned to everyone who may set the preamps (the
//! GUI's soundcheck and the GUI's remote server share one), so there is one undo history and
//! one idea of each preamp's gain, and each job says who asked, for the session log.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

use super::PreampError;
use super::plan::ChangeRequest;
use super::rig::{Applied, Rig, RigConfig, Who};
use crate::capture::{Commander, MeterCommand};

/// Where one job's result goes besides the [`Board`]: the remote server answers the client
/// that asked, whatever other jobs are queued.
pub type Reply = Box<dyn FnOnce(Vec<Applied>) + Send>;

enum Job {
    Apply {
        who: Who,
        requests: Vec<ChangeRequest>,
        take_running: bool,
        /// Input names (index 0 is input 1) for the session log.
        names: Vec<String>,
        reply: Option<Reply>,
    },
    Undo {
        who: Who,
        take_running: bool,
        names: Vec<String>,
        reply: Option<Reply>,
    },
    /// Nothing more is changed on this input (the closed loop found the change did not
    /// reach it).
    Stop { input: usize, why: String },
    /// Read the gains of inputs 1..=`inputs` from now on (another input was opened).
    Watch { inputs: usize },
}

/// A job the thread finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub who: Who,
    /// It was an undo.
    pub undo: bool,
    pub applied: Vec<Applied>,
}

/// What the preamps' thread knows, for anyone holding a handle to look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    /// Grows with every change to the board: a reader that saw this number has seen it all.
    pub version: u64,
    /// Jobs finished so far: `last` is new to a reader that saw fewer.
    pub jobs_done: u64,
    /// The latest job finished, whoever asked for it.
    pub last: Option<Done>,
    /// Input (from 1) → its preamp's gain as last read (at start and after each job), or
    /// why it could not be read. Only the inputs the thread was told to watch.
    pub gains: BTreeMap<usize, Result<f64, PreampError>>,
    /// Undo has something to put back: the latest changes, whoever made them.
    pub can_undo: bool,
    /// The preamps could not be opened: the thread has ended.
    pub problem: Option<String>,
}

/// A handle on the preamps' thread; clones share the thread. The thread ends once every
/// handle is dropped and its current job is done.
#[derive(Debug, Clone)]
pub struct PreampWorker {
    jobs: Sender<Job>,
    board: Arc<Mutex<Board>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Apply { .. } => "Apply",
            Self::Undo { .. } => "Undo",
            Self::Stop { .. } => "Stop",
            Self::Watch { .. } => "Watch",
        })
    }
}

/// Everything the thread needs besides its jobs.
struct Thread {
    rig: Rig,
    /// Inputs 1..=watch have their gains read into the board.
    watch: usize,
    log_dir: Option<PathBuf>,
    commander: Option<Commander>,
    board: Arc<Mutex<Board>>,
}

impl PreampWorker {
    /// Starts the thread. The gains of inputs 1..=`watch` are read when it starts and after
    /// every job, into the [`Board`] (0: never read: `serve` shows no gains). Changes go to the
    /// session log in `log_dir` (`None`: not logged); `commander` tells the meter thread about
    /// each change, for the next take's report.
    pub fn spawn(
        config: RigConfig,
        watch: usize,
        log_dir: Option<PathBuf>,
        commander: Option<Commander>,
    ) -> std::io::Result<Self> {
        let (jobs, job_rx) = channel::<Job>();
        let board = Arc::new(Mutex::new(Board::default()));
        let shared = Arc::clone(&board);
        std::thread::Builder::new()
            .name("gainstage-preamps".into())
            .spawn(move || {
                let rig = match Rig::from_config(&config) {
                    Ok(r) => r,
                    Err(e) => {
                        post(&shared, |b| b.problem = Some(e.to_string()));
                        return;
                    }
                };
                let mut thread = Thread {
                    rig,
                    watch,
                    log_dir,
                    commander,
                    board: shared,
                };
                thread.read_gains();
                for job in job_rx {
                    thread.run(job);
                }
            })?;
        Ok(Self { jobs, board })
    }

    /// Queues changes asked for by `who`; never waits. `false`: the thread has ended (its
    /// devices could not be opened).
    pub fn apply(
        &self,
        who: Who,
        requests: Vec<ChangeRequest>,
        take_running: bool,
        names: Vec<String>,
    ) -> bool {
        self.send(Job::Apply {
            who,
            requests,
            take_running,
            names,
            reply: None,
        })
    }

    /// Queues putting back the gains from before the latest changes, whoever made them;
    /// never waits. `false` as for [`Self::apply`].
    pub fn undo(&self, who: Who, take_running: bool, names: Vec<String>) -> bool {
        self.send(Job::Undo {
            who,
            take_running,
            names,
            reply: None,
        })
    }

    /// Queues changes whose result also goes to `reply`; never waits. `false` as for
    /// [`Self::apply`], and `reply` is dropped uncalled.
    pub fn apply_then(
        &self,
        who: Who,
        requests: Vec<ChangeRequest>,
        take_running: bool,
        names: Vec<String>,
        reply: Reply,
    ) -> bool {
        self.send(Job::Apply {
            who,
            requests,
            take_running,
            names,
            reply: Some(reply),
        })
    }

    /// Queues an undo whose result also goes to `reply`; never waits. `false` as for
    /// [`Self::apply_then`].
    pub fn undo_then(
        &self,
        who: Who,
        take_running: bool,
        names: Vec<String>,
        reply: Reply,
    ) -> bool {
        self.send(Job::Undo {
            who,
            take_running,
            names,
            reply: Some(reply),
        })
    }

    /// Stops all further changes on `input`; never waits.
    pub fn stop_input(&self, input: usize, why: String) {
        let _ = self.send(Job::Stop { input, why });
    }

    /// Reads the gains of inputs 1..=`inputs` from now on, at once and after every job (the
    /// GUI opened an input with another channel count); never waits.
    pub fn watch(&self, inputs: usize) {
        let _ = self.send(Job::Watch { inputs });
    }

    /// The board, when it changed since `seen` (a [`Board::version`]).
    pub fn board_since(&self, seen: u64) -> Option<Board> {
        let board = self.board.lock().unwrap_or_else(PoisonError::into_inner);
        (board.version != seen).then(|| board.clone())
    }

    fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }
}

/// Changes the board and says so.
fn post(board: &Mutex<Board>, change: impl FnOnce(&mut Board)) {
    let mut b = board.lock().unwrap_or_else(PoisonError::into_inner);
    change(&mut b);
    b.version += 1;
}

impl Thread {
    fn read_gains(&mut self) {
        if self.watch == 0 {
            return;
        }
        let gains = self.rig.gains(self.watch);
        post(&self.board, |b| b.gains = gains);
    }

    fn run(&mut self, job: Job) {
        let (who, undo, applied, names, reply) = match job {
            Job::Apply {
                who,
                requests,
                take_running,
                names,
                reply,
            } => {
                let applied = self.rig.apply(&requests, who, take_running);
                (who, false, applied, names, reply)
            }
            Job::Undo {
                who,
                take_running,
                names,
                reply,
            } => (who, true, self.rig.undo(who, take_running), names, reply),
            Job::Stop { input, why } => {
                self.rig.stop(input, why);
                return;
            }
            Job::Watch { inputs } => {
                self.watch = inputs;
                // Inputs the new count no longer has are no longer shown.
                if inputs == 0 {
                    post(&self.board, |b| b.gains.clear());
                }
                self.read_gains();
                return;
            }
        };
        let applied = self.record(applied, &names);
        // Read before the board says the job is done: whoever waits on it then sees the
        // gains it left.
        let gains = (self.watch > 0).then(|| self.rig.gains(self.watch));
        let can_undo = self.rig.can_undo();
        let done = Done {
            who,
            undo,
            applied: applied.clone(),
        };
        post(&self.board, |b| {
            if let Some(g) = gains {
                b.gains = g;
            }
            b.can_undo = can_undo;
            b.jobs_done += 1;
            b.last = Some(done);
        });
        if let Some(reply) = reply {
            reply(applied);
        }
    }

    /// Writes the changes made to the session log and tells the meter thread; a log that
    /// cannot be written is one more problem in what the job did.
    fn record(&self, mut applied: Vec<Applied>, names: &[String]) -> Vec<Applied> {
        let changes: Vec<_> = applied.iter().filter_map(|a| a.change.clone()).collect();
        let name = |input: usize| {
            names
                .get(input.wrapping_sub(1))
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("Input {input}"))
        };
        let logged = self
            .log_dir
            .as_deref()
            .map_or(Ok(()), |dir| super::log::write_changes(dir, &changes, name));
        if let Err(why) = logged {
            applied.push(Applied {
                input: 0,
                change: None,
                problem: Some(format!("gain changes not in the session log: {why}")),
            });
        }
        if let Some(c) = &self.commander {
            for g in &changes {
                // Only the take report's note is lost to a full queue: the change itself is
                // made and in the session log.
                let _ = c.send(MeterCommand::GainChanged(g.take_note()));
            }
        }
        applied
    }
}
