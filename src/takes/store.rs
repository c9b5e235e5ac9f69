//! Take reports on disk, one session per pair of files in `<data dir>/takes/`:
//! `<session>.json` (the reports, the same keys `monitor --json` prints) and `<session>.csv`
//! (one row per take and input, for spreadsheets). A session is named after its start time
//! in UTC, so names sort in time order. `gainstage takes` prints them.
//!
//! The JSON file is an array with one take per line, each after the first led by its comma.
//! A take that ends is written over the closing `]` (with a new one after it), so saving it
//! costs its own size, not the session's: a day of automatic takes on 32 inputs is hundreds
//! of MB, which rewriting at every take end would read, parse and write again each time. A
//! writer stopped halfway leaves a file cut short after the takes it had; [`load`] reads those
//! (the leading commas make every cut end that way), and the next save writes the file whole.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use crate::listing::ListFormat;

use serde::de::DeserializeOwned;

use super::report::{TakeReport, csv_rows, to_csv};
use super::summary::TakeSummary;

/// How a JSON file that takes can be added to ends: the last take's line, then the `]`.
const APPENDABLE_END: &[u8] = b"}\n]\n";

/// `<data dir>/takes`.
pub fn takes_dir() -> Result<PathBuf, crate::Error> {
    Ok(crate::platform::paths::data_dir()
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

/// An error about `path`, naming it.
fn at(path: &Path, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Message(format!("{}: {e}", path.display()))
}

/// A take's line without the comma that leads every line after the first.
fn take_line(line: &str) -> &str {
    line.strip_prefix(',').unwrap_or(line)
}

/// `<dir>/<session>.json`.
pub fn json_path(dir: &Path, session: &str) -> PathBuf {
    dir.join(format!("{session}.json"))
}

fn csv_path(dir: &Path, session: &str) -> PathBuf {
    dir.join(format!("{session}.csv"))
}

/// Each take as a line of JSON, the lines after the first led by a comma.
fn json_lines(takes: &[TakeReport]) -> Result<String, crate::Error> {
    let mut text = String::new();
    for (k, t) in takes.iter().enumerate() {
        if k > 0 {
            text.push_str("\n,");
        }
        let line = serde_json::to_string(t)
            .map_err(|e| crate::Error::Message(format!("cannot encode takes: {e}")))?;
        text.push_str(&line);
    }
    Ok(text)
}

/// Writes `takes` as `<dir>/<session>.json` and `.csv`, replacing earlier copies. Returns
/// the JSON file's path.
pub fn save(dir: &Path, session: &str, takes: &[TakeReport]) -> Result<PathBuf, crate::Error> {
    std::fs::create_dir_all(dir).map_err(|e| at(dir, e))?;
    let json = format!("[\n{}\n]\n", json_lines(takes)?);
    let path = json_path(dir, session);
    write_whole(&path, json.as_bytes())?;
    write_whole(&csv_path(dir, session), to_csv(takes).as_bytes())?;
    Ok(path)
}

/// Adds `new` to the reports saved for `session`, in take order. Takes numbered after the
/// last one saved are written at the end of both files; a take saved before under the same
/// number (or one out of order, or a file this version did not write) makes both files be
/// written whole. Only the file holds every take: the caller keeps none in memory.
pub fn append(dir: &Path, session: &str, new: &[TakeReport]) -> Result<PathBuf, crate::Error> {
    let mut new = new.to_vec();
    new.sort_by_key(|t| t.take);
    new.dedup_by(|later, earlier| {
        // Two reports of one take: the later one handed over wins.
        let same = later.take == earlier.take;
        if same {
            std::mem::swap(later, earlier);
        }
        same
    });
    let Some(first) = new.first().map(|t| t.take) else {
        return Ok(json_path(dir, session));
    };
    let path = json_path(dir, session);
    let at_end = match last_take(&path) {
        Ok(Some(last)) => last < first && csv_path(dir, session).exists(),
        Ok(None) if !path.exists() => return save(dir, session, &new),
        Ok(None) => false,
        Err(e) => return Err(e),
    };
    if at_end {
        add_at_end(dir, session, &new)?;
        return Ok(path);
    }
    let mut all = load(dir, session)?;
    all.retain(|t| !new.iter().any(|n| n.take == t.take));
    all.extend(new);
    all.sort_by_key(|t| t.take);
    save(dir, session, &all)
}

/// The number of the last take in the JSON file at `path`, when takes can be added after it
/// (the file ends as this version writes it); `None` otherwise or when there is no file.
fn last_take(path: &Path) -> Result<Option<usize>, crate::Error> {
    #[derive(serde::Deserialize)]
    struct Number {
        take: usize,
    }
    let named = |e: std::io::Error| at(path, e);
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(named(e)),
    };
    let len = file.metadata().map_err(named)?.len();
    let end = APPENDABLE_END.len() as u64;
    if len < end + 2 {
        return Ok(None);
    }
    // A file that does not end as this version writes it is written whole: no need to read on.
    let mut tail = [0; APPENDABLE_END.len()];
    file.seek(SeekFrom::Start(len - end)).map_err(named)?;
    file.read_exact(&mut tail).map_err(named)?;
    if tail != APPENDABLE_END {
        return Ok(None);
    }
    // The last line, read backwards a piece at a time: a take on 32 inputs is ~200 kB.
    let mut line: Vec<u8> = Vec::new();
    let mut pos = len - (end - 1);
    let mut found_start = false;
    while pos > 0 && !found_start {
        let piece = pos.min(64 * 1024);
        pos -= piece;
        let mut buf = vec![0; usize::try_from(piece).unwrap_or(0)];
        file.seek(SeekFrom::Start(pos)).map_err(named)?;
        file.read_exact(&mut buf).map_err(named)?;
        if let Some(nl) = buf.iter().rposition(|&b| b == b'\n') {
            buf.drain(..=nl);
            found_start = true;
        }
        buf.extend_from_slice(&line);
        line = buf;
    }
    if !found_start {
        return Ok(None);
    }
    let line = line.strip_prefix(b",").unwrap_or(&line);
    Ok(serde_json::from_slice::<Number>(line).ok().map(|n| n.take))
}

/// Writes `new` (numbered after every saved take) over the JSON file's closing `]`, and
/// their rows at the end of the CSV. Any part of the JSON write leaves the file as the saved
/// takes and then a line cut short, which [`load`] reads.
fn add_at_end(dir: &Path, session: &str, new: &[TakeReport]) -> Result<(), crate::Error> {
    let path = json_path(dir, session);
    let text = format!(",{}\n]\n", json_lines(new)?);
    let mut json = OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(|e| at(&path, e))?;
    let len = json.metadata().map_err(|e| at(&path, e))?.len();
    // Over the "]\n" after the last take's line.
    json.seek(SeekFrom::Start(len - 2))
        .and_then(|_| json.write_all(text.as_bytes()))
        // On the disk before the caller counts the take saved (and removes its checkpoint).
        .and_then(|()| json.sync_data())
        .map_err(|e| at(&path, e))?;
    let csv = csv_path(dir, session);
    OpenOptions::new()
        .append(true)
        .open(&csv)
        .and_then(|mut f| {
            f.write_all(csv_rows(new).as_bytes())?;
            f.sync_data()
        })
        .map_err(|e| at(&csv, e))
}

/// Replaces `path` whole through [`crate::atomic_file`] (a temporary name of its own, file
/// and directory flushed): a reader, a second writer or a power cut never sees half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), crate::Error> {
    crate::atomic_file::write(path, bytes).map_err(|e| at(path, e))
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
        Err(e) => return Err(at(dir, e)),
    };
    names.sort();
    Ok(names)
}

/// The reports saved for `session`. A file whose writer stopped while adding a take gives the
/// takes it had before.
pub fn load(dir: &Path, session: &str) -> Result<Vec<TakeReport>, crate::Error> {
    let path = json_path(dir, session);
    let text = std::fs::read_to_string(&path).map_err(|e| at(&path, e))?;
    parse(&path, &text)
}

/// What a list shows of each take saved for `session` ([`TakeSummary`]): read from the same
/// file as [`load`], without building the reports' tracks and burst lists.
pub fn summaries(dir: &Path, session: &str) -> Result<Vec<TakeSummary>, crate::Error> {
    let path = json_path(dir, session);
    let text = std::fs::read_to_string(&path).map_err(|e| at(&path, e))?;
    parse(&path, &text)
}

/// The takes in `text`, the JSON file at `path`, as reports or summaries.
fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<Vec<T>, crate::Error> {
    serde_json::from_str(text).or_else(|e| complete_lines(text).ok_or_else(|| at(path, e)))
}

/// Take `number` of `session`, `None` if it has none. In a file with a take per line only that
/// take's line is parsed: a GUI opening one take of a long session does not wait for all.
pub fn load_take(
    dir: &Path,
    session: &str,
    number: usize,
) -> Result<Option<TakeReport>, crate::Error> {
    let path = json_path(dir, session);
    let text = std::fs::read_to_string(&path).map_err(|e| at(&path, e))?;
    if !text.starts_with("[\n{\"take\":") {
        // An earlier version's layout: the whole file.
        let takes: Vec<TakeReport> = parse(&path, &text)?;
        return Ok(takes.into_iter().find(|t| t.take == number));
    }
    // `take` is a report's first key, so its line starts with the number.
    let start = format!("{{\"take\":{number},");
    Ok(text
        .lines()
        .skip(1)
        .map(take_line)
        .filter(|l| l.starts_with(&start))
        .find_map(|l| serde_json::from_str(l).ok()))
}

/// The takes of a file written a line per take and cut short: every line but the last must
/// be a whole take; the last is one when it was written whole (only the `]` is missing).
/// `None` when anything else is wrong with it.
fn complete_lines<T: DeserializeOwned>(text: &str) -> Option<Vec<T>> {
    let mut lines = text.lines();
    if lines.next() != Some("[") {
        return None;
    }
    let take = |l: &str| serde_json::from_str::<T>(take_line(l));
    let lines: Vec<&str> = lines.collect();
    let (last, whole) = lines.split_last()?;
    let mut takes = whole
        .iter()
        .map(|l| take(l).ok())
        .collect::<Option<Vec<T>>>()?;
    takes.extend(take(last).ok());
    Some(takes)
}

/// `gainstage takes`: the takes of `session` (default: the latest session with takes).
pub fn run(session: Option<&str>, format: ListFormat) -> Result<ExitCode, crate::Error> {
    let dir = takes_dir()?;
    // Takes a stopped run left checkpointed are listed with their session.
    let (recovered, problems) = super::checkpoint::recover(&dir);
    for line in recovered.iter().map(ToString::to_string).chain(problems) {
        eprintln!("gainstage: {line}");
    }
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
    let mut s = format!("session {session}: {}\n", super::saver::takes(takes.len()));
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
        if let Some(note) = &t.gain_changed {
            s.push_str(&format!("  {note}\n"));
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::takes::{BlockReading, BurstReport, TakeTracker};

    /// `n` (at most 16) half-second takes of two inputs: clips on the first, and a name with
    /// a comma, quotes and a line break, which a line per take must escape.
    fn reports(n: u64) -> Vec<TakeReport> {
        let mut t = TakeTracker::new(2, 1000, &[], &[]);
        let clip = BlockReading {
            sample_peak: 1.0,
            true_peak: 1.1,
            clips: Some((1, 1, 0, 0)),
            gating: (0, None, None),
        };
        let quiet = BlockReading {
            sample_peak: 0.1,
            true_peak: 0.1,
            ..BlockReading::default()
        };
        for k in 0..n {
            t.start(&format!("Verse {k}, \"loud\"\nagain"), k * 1000);
            for b in 0..10 {
                t.block(0, k * 1000 + b * 50, 50, &clip);
                t.block(1, k * 1000 + b * 50, 50, &quiet);
            }
            t.stop(k * 1000 + 500);
        }
        t.reports().to_vec()
    }

    fn files(dir: &Path) -> (Vec<u8>, Vec<u8>) {
        let read = |p: PathBuf| std::fs::read(p).unwrap();
        (read(json_path(dir, "s")), read(csv_path(dir, "s")))
    }

    /// Both files as a single save of `takes` writes them.
    fn saved_whole(takes: &[TakeReport]) -> (Vec<u8>, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), "s", takes).unwrap();
        files(dir.path())
    }

    /// The file's inode: the same one after an append means it was written in place.
    #[cfg(unix)]
    fn inode(p: PathBuf) -> Option<u64> {
        use std::os::unix::fs::MetadataExt;
        Some(std::fs::metadata(p).unwrap().ino())
    }

    /// Stable std has no file id on other systems: the in-place check is Unix's.
    #[cfg(not(unix))]
    fn inode(_: PathBuf) -> Option<u64> {
        None
    }

    #[test]
    fn takes_added_one_at_a_time_go_at_the_end_and_make_the_files_a_whole_save_makes() {
        let dir = tempfile::tempdir().unwrap();
        let takes = reports(6);
        append(dir.path(), "s", &takes[..1]).unwrap();
        let (json, csv) = (
            inode(json_path(dir.path(), "s")),
            inode(csv_path(dir.path(), "s")),
        );
        for t in &takes[1..] {
            append(dir.path(), "s", std::slice::from_ref(t)).unwrap();
        }
        assert_eq!(inode(json_path(dir.path(), "s")), json, "written in place");
        assert_eq!(inode(csv_path(dir.path(), "s")), csv, "written in place");
        assert_eq!(files(dir.path()), saved_whole(&takes));
        assert_eq!(load(dir.path(), "s").unwrap(), takes);
        assert_eq!(last_take(&json_path(dir.path(), "s")).unwrap(), Some(6));
    }

    #[test]
    fn a_take_handed_over_again_replaces_the_one_saved_under_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let mut takes = reports(3);
        append(dir.path(), "s", &takes).unwrap();
        takes[1].name = "Chorus".into();
        append(dir.path(), "s", &takes[1..2]).unwrap();
        assert_eq!(load(dir.path(), "s").unwrap(), takes);
        assert_eq!(files(dir.path()), saved_whole(&takes));
    }

    #[test]
    fn a_file_cut_anywhere_while_a_take_is_added_reads_as_the_takes_it_had_and_is_mended() {
        let takes = reports(5);
        let (before, _) = saved_whole(&takes[..3]);
        let text = format!(",{}\n]\n", json_lines(&takes[3..4]).unwrap());
        let line_end = 1 + serde_json::to_string(&takes[3]).unwrap().len();
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), "s", &takes[..3]).unwrap();
        let at = before.len() - 2;
        for k in 0..=text.len() {
            // What the disk holds if the writer stopped after k bytes of the addition.
            let mut cut = before[..at].to_vec();
            cut.extend_from_slice(&text.as_bytes()[..k]);
            cut.extend_from_slice(before.get(at + k..).unwrap_or_default());
            std::fs::write(json_path(dir.path(), "s"), &cut).unwrap();
            let want = if k >= line_end { 4 } else { 3 };
            assert_eq!(
                load(dir.path(), "s").unwrap(),
                takes[..want],
                "cut after {k} bytes"
            );
        }
        // Cut inside take 4's line: the next take mends the file, written whole.
        let mut cut = before[..at].to_vec();
        cut.extend_from_slice(&text.as_bytes()[..line_end / 2]);
        std::fs::write(json_path(dir.path(), "s"), &cut).unwrap();
        assert_eq!(last_take(&json_path(dir.path(), "s")).unwrap(), None);
        append(dir.path(), "s", &takes[4..]).unwrap();
        let kept = [&takes[..3], &takes[4..]].concat();
        assert_eq!(files(dir.path()), saved_whole(&kept));
    }

    #[test]
    fn the_table_counts_its_takes_in_words() {
        let takes = reports(2);
        assert!(table("s", &takes[..1]).starts_with("session s: 1 take\ntake 1 "));
        assert!(table("s", &takes).starts_with("session s: 2 takes\ntake 1 "));
    }

    #[test]
    fn one_take_reads_alone_from_either_layout() {
        let dir = tempfile::tempdir().unwrap();
        let takes = reports(12);
        save(dir.path(), "s", &takes).unwrap();
        std::fs::write(
            json_path(dir.path(), "pretty"),
            serde_json::to_string_pretty(&takes).unwrap(),
        )
        .unwrap();
        for session in ["s", "pretty"] {
            // Take 1 and take 11 share a first digit; take 12 is the last line.
            for t in &takes {
                assert_eq!(
                    load_take(dir.path(), session, t.take).unwrap().as_ref(),
                    Some(t)
                );
            }
            assert_eq!(load_take(dir.path(), session, 13).unwrap(), None);
        }
        assert!(load_take(dir.path(), "none", 1).is_err());
    }

    #[test]
    fn summaries_read_from_either_layout_or_a_cut_file_say_what_the_reports_say() {
        let dir = tempfile::tempdir().unwrap();
        let mut takes = reports(4);
        // Later bursts are skipped, not read: the first one's start must still come out.
        let first = takes[1].inputs[0].bursts[0];
        for k in 1..4 {
            takes[1].inputs[0].bursts.push(BurstReport {
                start_s: first.start_s + f64::from(k),
                ..first
            });
        }
        takes[1].inputs[0].bursts[0].start_s = 0.25;
        let want: Vec<TakeSummary> = takes.iter().map(TakeSummary::from).collect();
        assert_eq!(want[1].inputs[0].first_burst_s, Some(0.25));
        assert_eq!(want[1].inputs[1].first_burst_s, None);
        save(dir.path(), "s", &takes).unwrap();
        std::fs::write(
            json_path(dir.path(), "pretty"),
            serde_json::to_string_pretty(&takes).unwrap(),
        )
        .unwrap();
        assert_eq!(summaries(dir.path(), "s").unwrap(), want);
        assert_eq!(summaries(dir.path(), "pretty").unwrap(), want);
        // Cut inside the last take's line: the three before it.
        let text = std::fs::read(json_path(dir.path(), "s")).unwrap();
        let cut = text.len() - serde_json::to_string(&takes[3]).unwrap().len() / 2;
        std::fs::write(json_path(dir.path(), "s"), &text[..cut]).unwrap();
        assert_eq!(summaries(dir.path(), "s").unwrap(), want[..3]);
        assert!(summaries(dir.path(), "none").is_err());
    }

    #[test]
    fn a_session_saved_pretty_by_an_earlier_version_reads_and_takes_more() {
        let dir = tempfile::tempdir().unwrap();
        let takes = reports(3);
        std::fs::write(
            json_path(dir.path(), "s"),
            serde_json::to_string_pretty(&takes[..2]).unwrap(),
        )
        .unwrap();
        std::fs::write(csv_path(dir.path(), "s"), to_csv(&takes[..2])).unwrap();
        assert_eq!(load(dir.path(), "s").unwrap(), takes[..2]);
        append(dir.path(), "s", &takes[2..]).unwrap();
        assert_eq!(files(dir.path()), saved_whole(&takes));
    }
}
