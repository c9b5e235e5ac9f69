//! The session log: every clip and every warning raised or cleared, with wall-clock time,
//! appended as JSON lines to `<data dir>/sessions/<YYYY-MM-DD>.jsonl` (the local date; times in
//! the entries are UTC). Each entry is written on its own, so a crash loses nothing already
//! shown. A running session writes through [`super::log_writer`], off the meter thread;
//! [`SessionLog`] is the same file format written in the caller's thread. The entries a live
//! session shows are kept by its meter thread ([`super::RecentEvents`]), not here.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::events::{LogEvent, LogEventKind};
use super::warning::WarningKind;

/// One line of the session log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Wall-clock time, RFC 3339 UTC with milliseconds ("2026-11-23T22:29:16.123Z").
    pub time: String,
    /// Channel number, from 1.
    pub channel: usize,
    /// Channel name from the session template ("Lead vox").
    pub name: String,
    pub event: LogEventKind,
    /// The warning raised or cleared; absent for clips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<WarningKind>,
    /// New overs, for clips.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub count: u64,
    /// Level at the time: the channel's max true peak (dBTP); absent when silent.
    #[serde(default)]
    pub level_dbtp: Option<f64>,
    pub message: String,
    /// Stream time (s) a clip burst or take mark happened at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_s: Option<f64>,
    /// A clip burst's length, first clipped sample to last (s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    /// A clip burst's clipped samples (`count` holds its overs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clipped_samples: Option<u64>,
    /// A clip burst's highest sample level (dBFS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_level_dbfs: Option<f64>,
    /// A `gain` entry's change: `from_db`, `to_db`, `why`, `who`, `preamp` beside the rest.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub gain: Option<GainFields>,
}

/// What a `gain` entry adds: a preamp's gain changed by gainstage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainFields {
    pub from_db: f64,
    pub to_db: f64,
    /// The advice it followed, or "undo".
    pub why: String,
    /// `gui`, `soundcheck` or `remote`.
    pub who: String,
    /// The preamp and device ("headamp 3 on x32 at 10.0.0.2:10023").
    pub preamp: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl LogEntry {
    /// An entry for `event` at `time`. `level_dbtp` that is not finite is stored as absent.
    pub fn new(time: SystemTime, name: &str, level_dbtp: f64, event: &LogEvent) -> Self {
        Self {
            time: humantime::format_rfc3339_millis(time).to_string(),
            channel: event.channel,
            name: name.to_string(),
            event: event.event,
            kind: event.kind,
            count: event.count,
            level_dbtp: level_dbtp
                .is_finite()
                .then(|| (level_dbtp * 10.0).round() / 10.0),
            message: event.message.clone(),
            stream_s: None,
            duration_s: None,
            clipped_samples: None,
            max_level_dbfs: None,
            gain: None,
        }
    }

    /// The entry's time, if it parses.
    pub fn system_time(&self) -> Option<SystemTime> {
        humantime::parse_rfc3339(&self.time).ok()
    }
}

/// Why the log could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("no data directory: set GAINSTAGE_DATA_DIR")]
    NoDataDir,
    #[error("session log {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("session log: {0}")]
    Encode(#[from] serde_json::Error),
}

/// An open session log file.
#[derive(Debug)]
pub struct SessionLog {
    path: PathBuf,
    file: File,
    /// A line cut short was found at the end and closed when it was opened.
    closed_cut_line: bool,
}

/// Ends a last line that a write cut short (a full disk, a crash mid-write) left without its
/// line break, so the next entry starts a line of its own instead of being glued to half of
/// another; that half stays, as a line readers skip. True when there was one. `file` is
/// `path` opened for appending; only a regular file is looked at (a FIFO or a device has no
/// last line to read back).
pub fn close_cut_line(path: &Path, file: &mut File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let meta = file.metadata()?;
    if !meta.is_file() || meta.len() == 0 {
        return Ok(false);
    }
    let mut last = [0u8];
    let mut reader = File::open(path)?;
    reader.seek(SeekFrom::Start(meta.len() - 1))?;
    reader.read_exact(&mut last)?;
    if last[0] == b'\n' {
        return Ok(false);
    }
    file.write_all(b"\n")?;
    Ok(true)
}

/// `<data dir>/sessions`.
pub fn sessions_dir() -> Result<PathBuf, LogError> {
    Ok(crate::platform::paths::data_dir()
        .ok_or(LogError::NoDataDir)?
        .join("sessions"))
}

impl SessionLog {
    /// Appends to `path`, creating it and its directory.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        let io = |source| LogError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let closed_cut_line = close_cut_line(path, &mut file).map_err(io)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            closed_cut_line,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when opening found the file's last line cut short (an entry lost) and closed it.
    pub fn closed_cut_line(&self) -> bool {
        self.closed_cut_line
    }

    /// Writes one entry as one line and flushes it.
    pub fn append(&mut self, entry: LogEntry) -> Result<(), LogError> {
        let mut line = serde_json::to_string(&entry)?;
        line.push('\n');
        // One write per line: with O_APPEND a line is never interleaved or half-written by us.
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|source| LogError::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(())
    }
}

/// One line of a session file; `None` for a line that is not an entry (cut short by a crash
/// mid-write, edited by hand).
pub fn parse_line(line: &str) -> Option<LogEntry> {
    serde_json::from_str(line).ok()
}

/// Every entry in the session files of `dir` at or after `since`, oldest first. Lines that do
/// not parse (a line cut short by a crash mid-write, a hand edit) are skipped.
pub fn read_entries(dir: &Path, since: Option<SystemTime>) -> Result<Vec<LogEntry>, LogError> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(LogError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| LogError::Io {
            path: path.clone(),
            source,
        })?;
        for line in text.lines() {
            let Some(entry) = parse_line(line) else {
                continue;
            };
            let keep = match (since, entry.system_time()) {
                (None, _) => true,
                (Some(s), Some(t)) => t >= s,
                (Some(_), None) => false,
            };
            if keep {
                out.push(entry);
            }
        }
    }
    out.sort_by_key(|e| e.system_time());
    Ok(out)
}

/// `--since`: a time with its zone ("2026-11-23T20:00:00Z", "…+01:00"), a local time
/// ("2026-11-28 14:30", "2026-11-28T14:30:05", or "14:30" for today), or a span ago ("10m",
/// "2h 30m"). Local means the system's time zone.
pub fn parse_since(text: &str, now: SystemTime) -> Result<SystemTime, String> {
    let zone = jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC);
    parse_since_in(text, now, &zone)
}

/// [`parse_since`] with local times read in `zone`.
pub fn parse_since_in(
    text: &str,
    now: SystemTime,
    zone: &jiff::tz::TimeZone,
) -> Result<SystemTime, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "--since {text:?}: expected a time like 2026-11-23T20:00:00Z, a local time like \
             \"2026-11-28 14:30\" or 14:30 (today), or a span like 10m or 2h"
        )
    };
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(SystemTime::from(t));
    }
    let local = if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        Some(dt)
    } else if let Ok(time) = text.parse::<jiff::civil::Time>() {
        let today = jiff::Timestamp::try_from(now)
            .map_err(|_| bad())?
            .to_zoned(zone.clone())
            .date();
        Some(today.to_datetime(time))
    } else {
        None
    };
    if let Some(dt) = local {
        return dt
            .to_zoned(zone.clone())
            .map(|z| SystemTime::from(z.timestamp()))
            .map_err(|e| format!("--since {text:?}: {e}"));
    }
    match humantime::parse_duration(text) {
        Ok(d) => now
            .checked_sub(d)
            .ok_or_else(|| format!("--since {text}: too far back")),
        Err(_) => Err(bad()),
    }
}
