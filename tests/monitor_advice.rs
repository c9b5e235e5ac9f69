//! The live advisor wired into `gainstage monitor`: the demo's problem channels get their
//! warnings, a well-staged file gets none, and events reach the session log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
#[path = "support/cli.rs"]
mod cli;
#[path = "support/sines.rs"]
mod sines;
use sines::write_sines;

/// Every warning kind each channel showed on any line, and the parsed lines.
fn kinds_seen(stdout: &str) -> (BTreeMap<u64, BTreeSet<String>>, Vec<serde_json::Value>) {
    let mut seen: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    let lines = cli::json_lines(stdout);
    for line in &lines {
        for ch in line["channels"].as_array().unwrap() {
            let n = ch["channel"].as_u64().unwrap();
            for w in ch["warnings"].as_array().unwrap() {
                seen.entry(n)
                    .or_default()
                    .insert(w["kind"].as_str().unwrap().to_string());
            }
        }
    }
    (seen, lines)
}

#[test]
fn demo_problem_channels_warn_and_events_are_logged() {
    let data = tempfile::tempdir().unwrap();
    let stdout = cli::stdout_of(cli::gainstage(data.path()).args([
        "monitor",
        "--demo",
        "--json",
        "--interval",
        "250",
        "--duration",
        "8",
    ]));
    let (seen, lines) = kinds_seen(&stdout);
    let has = |ch: u64, kind: &str| seen.get(&ch).is_some_and(|k| k.contains(kind));
    // Demo roles (src/capture/demo.rs): 10 clipping lead (accent at 6.5 s), 12 dead,
    // 13 DC offset, 14 rumble.
    assert!(has(10, "clip"), "{seen:?}");
    assert!(has(12, "no_signal"), "{seen:?}");
    assert!(has(13, "dc_offset"), "{seen:?}");
    assert!(has(14, "rumble"), "{seen:?}");
    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"], true);
    let ch10 = &summary["channels"][9]["warnings"];
    assert!(
        ch10.as_array().unwrap().iter().any(|w| w["kind"] == "clip"),
        "{summary}"
    );

    let sessions = data.path().join("data/sessions");
    let file = std::fs::read_dir(&sessions)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let entries: Vec<serde_json::Value> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!entries.is_empty());
    let text = serde_json::to_string(&entries).unwrap();
    // Clips are logged with the level they reached.
    assert!(
        entries.iter().any(|e| e["event"] == "clip"
            && e["channel"] == 10
            && e["level_dbtp"].as_f64().is_some_and(|l| l > -1.0)),
        "{text}"
    );
    assert!(text.contains("no_signal"), "{text}");
}

#[test]
fn well_staged_file_gets_no_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("good.wav");
    write_sines(&wav, &[-12.0, -14.0], 2);
    let stdout = cli::stdout_of(cli::gainstage(dir.path()).args([
        "monitor",
        "--file",
        wav.to_str().unwrap(),
        "--json",
        "--interval",
        "200",
    ]));
    let (seen, lines) = kinds_seen(&stdout);
    assert!(seen.is_empty(), "{seen:?}");
    assert_eq!(lines.last().unwrap()["summary"], true);
}
