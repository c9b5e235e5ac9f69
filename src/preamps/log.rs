//! Every gain change as a `gain` entry of the session log: input, from, to, why, who, beside
//! the keys every entry has, so `gainstage log` lists it with the rest.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::rig::GainChange;
use crate::advisor::log_writer::Calendar;
use crate::advisor::session_log::SessionLog;
use crate::advisor::{GainFields, LogEntry, LogEventKind};

/// The session log entry for one change; `name` is the input's name.
pub fn entry(time: SystemTime, name: &str, c: &GainChange) -> LogEntry {
    LogEntry {
        time: humantime::format_rfc3339_millis(time).to_string(),
        channel: c.input,
        name: name.to_string(),
        event: LogEventKind::Gain,
        kind: None,
        count: 0,
        level_dbtp: None,
        message: format!(
            "{}: {:+.1} dB → {:+.1} dB ({}: {})",
            c.preamp,
            c.from_db,
            c.to_db,
            c.who.name(),
            c.why
        ),
        stream_s: None,
        duration_s: None,
        clipped_samples: None,
        max_level_dbfs: None,
        gain: Some(GainFields {
            from_db: c.from_db,
            to_db: c.to_db,
            why: c.why.clone(),
            who: c.who.name().to_string(),
            preamp: c.preamp.clone(),
        }),
    }
}

/// Appends the changes to today's file in the session log directory `dir` (the one the
/// session's log writer uses: [`sessions_dir`]). `name` gives an input's name.
pub fn write_changes(
    dir: &Path,
    changes: &[GainChange],
    name: impl Fn(usize) -> String,
) -> Result<(), String> {
    if changes.is_empty() {
        return Ok(());
    }
    let now = SystemTime::now();
    let path = dir.join(format!("{}.jsonl", Calendar::system().day(now)));
    let mut log = SessionLog::open(&path).map_err(|e| e.to_string())?;
    for c in changes {
        log.append(entry(now, &name(c.input), c))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The session log directory, as a message when there is none.
pub fn log_dir() -> Result<PathBuf, String> {
    crate::advisor::session_log::sessions_dir().map_err(|e| e.to_string())
}
