//! Every gain change as a `gain` entry of the session log: input, from, to, why, who. The line
//! carries a [`crate::advisor::LogEntry`]'s keys, so `gainstage log` lists it with the rest.

use std::time::SystemTime;

use serde::Serialize;

use super::rig::{GainChange, Who};
use crate::advisor::LogEventKind;
use crate::advisor::log_writer::Calendar;
use crate::advisor::session_log::{SessionLog, sessions_dir};

/// One `gain` line of the session log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GainLogEntry {
    pub time: String,
    /// Input number, from 1.
    pub channel: usize,
    pub name: String,
    pub event: LogEventKind,
    pub message: String,
    pub from_db: f64,
    pub to_db: f64,
    pub why: String,
    pub who: Who,
    pub preamp: String,
}

impl GainLogEntry {
    pub fn new(time: SystemTime, name: &str, c: &GainChange) -> Self {
        Self {
            time: humantime::format_rfc3339_millis(time).to_string(),
            channel: c.input,
            name: name.to_string(),
            event: LogEventKind::Gain,
            message: format!(
                "{}: {:+.1} dB → {:+.1} dB ({}, {})",
                c.preamp,
                c.from_db,
                c.to_db,
                c.who.name(),
                c.why
            ),
            from_db: c.from_db,
            to_db: c.to_db,
            why: c.why.clone(),
            who: c.who,
            preamp: c.preamp.clone(),
        }
    }
}

/// Appends the changes to today's session log file (the one the session's log writer uses).
/// `name` gives an input's name.
pub fn write_changes(
    changes: &[GainChange],
    name: impl Fn(usize) -> String,
) -> Result<(), String> {
    if changes.is_empty() {
        return Ok(());
    }
    let now = SystemTime::now();
    let dir = sessions_dir().map_err(|e| e.to_string())?;
    let path = dir.join(format!("{}.jsonl", Calendar::system().day(now)));
    let mut log = SessionLog::open(&path).map_err(|e| e.to_string())?;
    for c in changes {
        log.append_line(&GainLogEntry::new(now, &name(c.input), c))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
