//! SIGTERM (as Ctrl-C) ends `monitor --json` with the summary line and exit code 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[path = "support/cli.rs"]
mod cli;

#[test]
fn sigterm_prints_the_summary_and_exits_zero() {
    let dirs = tempfile::tempdir().unwrap();
    let mut child = cli::gainstage(dirs.path())
        .args([
            "monitor",
            "--demo",
            "--channels",
            "4",
            "--json",
            "--interval",
            "50",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for _ in 0..5 {
        let l: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert_eq!(l["channels"].as_array().unwrap().len(), 4);
    }
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let last: serde_json::Value = serde_json::from_str(rest.last().unwrap()).unwrap();
    assert_eq!(last["summary"], true);
    assert!(last["duration_s"].as_f64().unwrap() > 0.2);
    assert_eq!(last["channels"].as_array().unwrap().len(), 4);
}
