//! Take reports on disk, one session per pair of files in `<data dir>/takes/`:
//! `<session>.json` (the reports, the same keys `monitor --json` prints) and `<session>.csv`
//! (one row per take and input, for spreadsheets). A session is named after its start time
//! in UTC, so names sort in time order. `gainstage takes` prints them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use crate::listing::ListFormat;

use super::report::{TakeReport, to_csv};

/// `<data dir>/takes`.
pub fn takes_dir() -> Result<PathBuf, crate::Error> {
    Ok(crate::paths::data_dir()
        .ok_or_else(|| crate::Error::Message("no data directory: set GAINSTAGE_DATA_DIR".into()))?
        .join("takes"))
}

/// A session name for a run that started at `at`: "2026-11-28T14-30-05Z" (UTC; no colons, so
/// it is a file name everywhere).
pub fn session_name(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at)
        .to_string()
        .replace(':', "-")
}

/// Writes `takes` as `<dir>/<session>.json` and `.csv`, replacing earlier copies (a session
/// saves again as takes end). Returns the JSON file's path.
pub fn save(dir: &Path, session: &str, takes: &[TakeReport]) -> Result<PathBuf, crate::Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| crate::Error::Message(format!("{}: {e}", dir.display())))?;
    let json = serde_json::to_string_pretty(takes)
        .map_err(|e| crate::Error::Message(format!("cannot encode takes: {e}")))?;
    let path = dir.join(format!("{session}.json"));
    write_whole(&path, json.as_bytes())?;
    write_whole(
        &dir.join(format!("{session}.csv")),
        to_csv(takes).as_bytes(),
    )?;
    Ok(path)
}

/// Adds `new` to the reports saved for `session` (a take saved before under the same number
/// is replaced), in take order, and writes both files again. Only the file holds every take:
/// the caller keeps none in memory.
pub fn append(dir: &Path, session: &str, new: &[TakeReport]) -> Result<PathBuf, crate::Error> {
    let mut all = if dir.join(format!("{session}.json")).exists() {
        load(dir, session)?
    } else {
        Vec::new()
    };
    all.retain(|t| !new.iter().any(|n| n.take == t.take));
    all.extend_from_slice(new);
    all.sort_by_key(|t| t.take);
    save(dir, session, &all)
}

/// Writes to a temporary file and renames it over `path`: a reader never sees half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), crate::Error> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| crate::Error::Message(format!("{}: {e}", path.display())))
}

/// Sessions with saved takes, oldest first.
pub fn sessions(dir: &Path) -> Result<Vec<String>, crate::Error> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".json").map(str::to_owned)
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(crate::Error::Message(format!("{}: {e}", dir.display()))),
    };
    names.sort();
    Ok(names)
}

/// The reports saved for `session`.
pub fn load(dir: &Path, session: &str) -> Result<Vec<TakeReport>, crate::Error> {
    let path = dir.join(format!("{session}.json"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| crate::Error::Message(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| crate::Error::Message(format!("{}: {e}", path.display())))
}

/// `gainstage takes`: the takes of `session` (default: the latest session with takes).
pub fn run(session: Option<&str>, format: ListFormat) -> Result<ExitCode, crate::Error> {
    let dir = takes_dir()?;
    let session = match session {
        Some(s) => s.trim_end_matches(".json").to_string(),
        None => match sessions(&dir)?.pop() {
            Some(s) => s,
            None => {
                eprintln!("no takes saved in {}", dir.display());
                return Ok(ExitCode::SUCCESS);
            }
        },
    };
    let takes = load(&dir, &session)?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            let json = serde_json::to_string_pretty(&takes)
                .map_err(|e| crate::Error::Message(e.to_string()))?;
            writeln!(out, "{json}")?;
        }
        ListFormat::Csv => out.write_all(to_csv(&takes).as_bytes())?,
        ListFormat::Table => out.write_all(table(&session, &takes).as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Each take with its verdict, then one line per input that was not clean.
pub fn table(session: &str, takes: &[TakeReport]) -> String {
    let level = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
    let mut s = format!("session {session}: {} takes\n", takes.len());
    for t in takes {
        s.push_str(&format!(
            "take {} \"{}\" {:.1}-{:.1} s{}: {}\n",
            t.take,
            t.name,
            t.start_s,
            t.end_s,
            if t.cut_short { " (cut short)" } else { "" },
            t.verdict
        ));
        for i in t.inputs.iter().filter(|i| i.verdict != "clean") {
            let bursts: Vec<String> = i
                .bursts
                .iter()
                .map(|b| format!("{:.3}s {} overs", b.start_s, b.overs))
                .collect();
            s.push_str(&format!(
                "  {:>3} {:<16} {:<20} TP {:>6}  clips {:>6}  overs {:>5}  {}\n",
                i.channel,
                i.name,
                i.verdict,
                level(i.max_true_peak_dbtp),
                i.clipped_samples,
                i.overs,
                bursts.join(", ")
            ));
        }
    }
    s
}
