//! `gainstage log [--since T] [--json]`: prints the session log.

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use super::events::{LogEventKind, kind_name};
use super::session_log::{LogEntry, parse_since, read_entries, sessions_dir};
/// `gainstage log`: entries at or after `since` (RFC 3339, or a span ago like "10m"), as a
/// table or, with `json`, the stored JSON lines.
pub fn run(since: Option<&str>, json: bool) -> Result<ExitCode, crate::Error> {
    let since = since
        .map(|s| parse_since(s, SystemTime::now()))
        .transpose()
        .map_err(crate::Error::Message)?;
    let dir = sessions_dir().map_err(|e| crate::Error::Message(e.to_string()))?;
    let entries = read_entries(&dir, since).map_err(|e| crate::Error::Message(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if json {
        for e in &entries {
            let line =
                serde_json::to_string(e).map_err(|e| crate::Error::Message(e.to_string()))?;
            writeln!(out, "{line}")?;
        }
    } else if entries.is_empty() {
        writeln!(out, "no session log entries in {}", dir.display())?;
    } else {
        out.write_all(table(&entries).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The entries as an aligned table, one line each.
pub fn table(entries: &[LogEntry]) -> String {
    let head = [
        "TIME (UTC)",
        "CH",
        "NAME",
        "EVENT",
        "KIND",
        "LEVEL",
        "MESSAGE",
    ];
    let rows: Vec<[String; 7]> = entries
        .iter()
        .map(|e| {
            let event = match e.event {
                LogEventKind::Clip => "clip",
                LogEventKind::Raised => "raised",
                LogEventKind::Cleared => "cleared",
            };
            [
                e.time.replace('T', " ").trim_end_matches('Z').to_string(),
                e.channel.to_string(),
                e.name.clone(),
                event.to_string(),
                e.kind.map_or("", kind_name).to_string(),
                e.level_dbtp
                    .map_or_else(|| "-".to_string(), |l| format!("{l:.1} dBTP")),
                e.message.clone(),
            ]
        })
        .collect();
    let mut widths = head.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut s = String::new();
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            // Numbers right-aligned, text left; the last column is not padded.
            match i {
                1 | 5 => l.push_str(&format!("{cell:>w$}  ")),
                6 => l.push_str(cell),
                _ => l.push_str(&format!("{cell:<w$}  ")),
            }
        }
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(&head);
    for r in &rows {
        line(&r.each_ref().map(String::as_str));
    }
    s
}
