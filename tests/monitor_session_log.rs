//! `gainstage monitor` says when the session log fails, in its JSON lines, its summary and its
//! table, and still ends on time when the log's disk never answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

#[path = "support/cli.rs"]
mod cli;

use gainstage::advisor::Calendar;

/// `monitor --demo` for 3 s in `home` (its session log in `home/data/sessions`).
fn monitor(home: &Path, args: &[&str]) -> Output {
    cli::gainstage(home)
        .args(["monitor", "--demo", "--duration", "3", "--interval", "500"])
        .args(args)
        .output()
        .unwrap()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A file where the sessions directory should be: every entry fails, each one counted.
#[test]
fn a_log_that_cannot_be_written_is_reported_with_its_count() {
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir(data.path().join("data")).unwrap();
    std::fs::write(data.path().join("data/sessions"), b"").unwrap();
    let out = monitor(data.path(), &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"], true);
    let entries = summary["log_entries"].as_u64().unwrap();
    // The demo's clipping synth and its dead input raise entries within three seconds.
    assert!(entries > 0, "{summary}");
    assert_eq!(summary["log_written"], 0);
    assert_eq!(summary["log_failed_entries"].as_u64(), Some(entries));
    let why = summary["log_error"].as_str().unwrap();
    assert!(why.starts_with("cannot create the directory"), "{why}");
    for line in &lines[..lines.len() - 1] {
        assert_eq!(line["dropped_frames"], 0);
        let failed = line["log_failed_entries"].as_u64().unwrap();
        assert_eq!(line.get("log_error").is_some(), failed > 0, "{line}");
    }

    let out = monitor(data.path(), &[]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("session log failed: cannot create the directory"),
        "{table}"
    );
    assert!(table.contains(" entries not written"), "{table}");
}

/// A FIFO nobody reads as today's file: the writer waits forever for a reader, and the
/// monitor still ends, counting the entries it could not get out.
#[test]
fn a_log_disk_that_never_answers_does_not_keep_the_monitor_from_ending() {
    let data = tempfile::tempdir().unwrap();
    let sessions = data.path().join("data/sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    let day = Calendar::system().day(std::time::SystemTime::now());
    let fifo = sessions.join(format!("{day}.jsonl"));
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = monitor(data.path(), &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = json_lines(&out).pop().unwrap();
    let entries = summary["log_entries"].as_u64().unwrap();
    assert!(entries > 0, "{summary}");
    assert_eq!(summary["log_written"], 0);
    assert_eq!(summary["log_failed_entries"].as_u64(), Some(entries));
    assert_eq!(summary["dropped_frames"], 0);
}
