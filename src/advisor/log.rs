//! `gainstage log [--since T] [--json]`: prints the session log.

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use crate::listing::{ListFormat, csv_cell};

use super::events::{LogEventKind, kind_name};
use super::session_log::{LogEntry, parse_since, read_entries, sessions_dir};

/// `gainstage log`: entries at or after `since` ([`parse_since`]), as a table, the stored
/// JSON lines or CSV.
pub fn run(since: Option<&str>, format: ListFormat) -> Result<ExitCode, crate::Error> {
    let since = since
        .map(|s| parse_since(s, SystemTime::now()))
        .transpose()
        .map_err(crate::Error::Message)?;
    let dir = sessions_dir().map_err(|e| crate::Error::Message(e.to_string()))?;
    let entries = read_entries(&dir, since).map_err(|e| crate::Error::Message(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if format == ListFormat::Csv {
        out.write_all(csv(&entries).as_bytes())?;
    } else if format == ListFormat::Json {
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

/// Columns of `gainstage log --csv`.
pub const CSV_HEADER: &str = "time,channel,name,event,kind,count,level_dbtp,stream_s,duration_s,clipped_samples,max_level_dbfs,message";

/// The entries as CSV (RFC 4180 quoting), one row each, the JSON keys as columns.
pub fn csv(entries: &[LogEntry]) -> String {
    let mut s = String::from(CSV_HEADER);
    s.push('\n');
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    for e in entries {
        let event = serde_json::to_value(e.event)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let cells = [
            e.time.clone(),
            e.channel.to_string(),
            csv_cell(&e.name),
            event,
            e.kind.map_or("", kind_name).to_string(),
            e.count.to_string(),
            num(e.level_dbtp),
            num(e.stream_s),
            num(e.duration_s),
            e.clipped_samples
                .map_or_else(String::new, |n| n.to_string()),
            num(e.max_level_dbfs),
            csv_cell(&e.message),
        ];
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
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
                LogEventKind::TakeStart => "take start",
                LogEventKind::TakeEnd => "take end",
                LogEventKind::Gain => "gain",
            };
            [
                e.time.replace('T', " ").trim_end_matches('Z').to_string(),
                // Take marks belong to no channel.
                if e.channel == 0 {
                    "-".to_string()
                } else {
                    e.channel.to_string()
                },
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
