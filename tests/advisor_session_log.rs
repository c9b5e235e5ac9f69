#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Session log: append and flush per entry, read back in order and with --since, and the
//! `gainstage log` command end to end.

mod advisor_common;
#[path = "support/cli.rs"]
mod cli;

use std::time::{Duration, SystemTime};

use gainstage::advisor::session_log::{parse_since, read_entries};
use gainstage::advisor::{
    LogEntry, LogEvent, LogEventKind, SessionLog, Warning, WarningKind, diff_events,
};

fn hot() -> Warning {
    Warning {
        kind: WarningKind::Hot,
        message:
            "Input 2: peaks reach -3.0 dBTP, under 6 dB headroom; turn the preamp down about 9 dB"
                .into(),
        suggested_gain_db: Some(-9.0),
    }
}

fn events() -> Vec<LogEvent> {
    diff_events(2, &[], &[hot()], 0, 3)
}

#[test]
fn entries_are_on_disk_as_soon_as_appended() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions/2026-11-23.jsonl");
    let mut log = SessionLog::open(&path).unwrap();
    let now = SystemTime::now();
    for (i, ev) in events().iter().enumerate() {
        log.append(LogEntry::new(now, "Lead vox", -3.04, ev))
            .unwrap();
        // Read through another handle while the log is still open: nothing waits in a buffer.
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert_eq!(lines, i + 1);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["event"], "clip");
    assert_eq!(first["count"], 3);
    assert_eq!(first["channel"], 2);
    assert_eq!(first["name"], "Lead vox");
    assert_eq!(first["level_dbtp"], -3.0);
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    let second: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["event"], "raised");
    assert_eq!(second["kind"], "hot");
}

#[test]
fn the_file_keeps_every_entry_in_order_and_reopening_appends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions/x.jsonl");
    let mut log = SessionLog::open(&path).unwrap();
    let ev = &events()[0];
    for i in 0..10 {
        let mut e = LogEntry::new(SystemTime::now(), "Kick", -1.0, ev);
        e.count = i + 1;
        log.append(e).unwrap();
    }
    let counts: Vec<u64> = read_entries(&dir.path().join("sessions"), None)
        .unwrap()
        .iter()
        .map(|e| e.count)
        .collect();
    assert_eq!(counts, (1..=10).collect::<Vec<_>>());
    // Reopening appends rather than truncating.
    drop(log);
    let mut log = SessionLog::open(&path).unwrap();
    log.append(LogEntry::new(
        SystemTime::now(),
        "Kick",
        f64::NEG_INFINITY,
        ev,
    ))
    .unwrap();
    let all = read_entries(&dir.path().join("sessions"), None).unwrap();
    assert_eq!(all.len(), 11);
    assert_eq!(all[10].level_dbtp, None);
}

/// Writes entries two hours, thirty minutes and one minute old, and a torn last line.
fn seed(dir: &std::path::Path) -> SystemTime {
    let now = SystemTime::now();
    let mut log = SessionLog::open(&dir.join("sessions/2026-11-23.jsonl")).unwrap();
    let evs = events();
    for (ago_s, ev) in [(7200, &evs[0]), (1800, &evs[1])] {
        log.append(LogEntry::new(
            now - Duration::from_secs(ago_s),
            "Lead vox",
            -3.0,
            ev,
        ))
        .unwrap();
    }
    let cleared = diff_events(2, &[hot()], &[], 3, 3);
    log.append(LogEntry::new(
        now - Duration::from_secs(60),
        "Lead vox",
        -14.0,
        &cleared[0],
    ))
    .unwrap();
    drop(log);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("sessions/2026-11-23.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"time\":\"2026-11-2").unwrap();
    now
}

#[test]
fn read_back_since_a_time_or_a_span() {
    let dir = tempfile::tempdir().unwrap();
    let now = seed(dir.path());
    let sessions = dir.path().join("sessions");
    assert_eq!(read_entries(&sessions, None).unwrap().len(), 3);
    let since = parse_since("10m", now).unwrap();
    let recent = read_entries(&sessions, Some(since)).unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].event, LogEventKind::Cleared);
    let since = parse_since("1h", now).unwrap();
    assert_eq!(read_entries(&sessions, Some(since)).unwrap().len(), 2);
    let stamp = humantime::format_rfc3339_seconds(now - Duration::from_secs(3 * 3600)).to_string();
    let since = parse_since(&stamp, now).unwrap();
    assert_eq!(read_entries(&sessions, Some(since)).unwrap().len(), 3);
    assert!(parse_since("yesterday-ish", now).is_err());
    assert!(
        read_entries(&dir.path().join("none"), None)
            .unwrap()
            .is_empty()
    );
}

/// `gainstage log ARGS` in `home` (its session logs in `home/data/sessions`).
fn gainstage(home: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = cli::gainstage(home).arg("log").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn gainstage_log_prints_a_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    seed(&dir.path().join("data"));

    let (ok, out, err) = gainstage(dir.path(), &[]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("TIME (UTC)"), "{out}");
    // Aligned: every column starts where its heading does.
    let name_col = lines[0].find("NAME").unwrap();
    let event_col = lines[0].find("EVENT").unwrap();
    for l in &lines[1..] {
        assert_eq!(&l[name_col..name_col + 8], "Lead vox", "{out}");
        assert_ne!(&l[event_col..event_col + 1], " ", "{out}");
    }
    assert!(lines[1].contains("clip"), "{out}");
    assert!(
        lines[2].contains("raised") && lines[2].contains("hot"),
        "{out}"
    );
    assert!(
        lines[3].contains("cleared") && lines[3].contains("-14.0 dBTP"),
        "{out}"
    );

    let (ok, out, _) = gainstage(dir.path(), &["--since", "10m", "--json"]);
    assert!(ok);
    let entries: Vec<LogEntry> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].kind, Some(WarningKind::Hot));
    assert_eq!(entries[0].event, LogEventKind::Cleared);

    let (ok, _, err) = gainstage(dir.path(), &["--since", "soon"]);
    assert!(!ok);
    assert!(err.contains("--since"), "{err}");

    let empty = tempfile::tempdir().unwrap();
    let (ok, out, _) = gainstage(empty.path(), &[]);
    assert!(ok);
    assert!(out.contains("no session log entries"), "{out}");
}

#[test]
fn live_advisor_events_go_straight_into_the_log() {
    use gainstage::advisor::{
        ChannelSetup, LiveAdvisor, LiveConfig, SessionTemplate, SourcePreset,
    };
    use gainstage::meter::{MeterBank, MeterConfig};

    let dir = tempfile::tempdir().unwrap();
    let template = SessionTemplate {
        channels: vec![ChannelSetup {
            channel: 1,
            name: "Snare top".into(),
            preset: SourcePreset::Snare,
        }],
        ..SessionTemplate::default()
    };
    let rate = advisor_common::RATE;
    let mut adv = LiveAdvisor::new(vec![template.params(1)], rate, LiveConfig::default());
    let mut bank = MeterBank::new(1, rate, &MeterConfig::default()).unwrap();
    let mut log = SessionLog::open(&dir.path().join("sessions/today.jsonl")).unwrap();
    advisor_common::feed(
        &mut bank,
        2.0,
        |t| advisor_common::amp(-4.0) * (std::f64::consts::TAU * 200.0 * t).sin(),
        |t, b| {
            adv.update(t, 0, &b.readings(0));
            for ev in adv.drain_events() {
                let level = ev.level_dbtp.unwrap_or(f64::NEG_INFINITY);
                let name = template.channel_name(ev.channel);
                log.append(LogEntry::new(SystemTime::now(), &name, level, &ev))
                    .unwrap();
            }
        },
    );
    let entries = read_entries(&dir.path().join("sessions"), None).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "Snare top");
    assert_eq!(entries[0].kind, Some(WarningKind::Hot));
    // A 200 Hz sine's true peak is its amplitude to well under 0.01 dB at 4x.
    assert!((entries[0].level_dbtp.unwrap() + 4.0).abs() < 0.01);
}

#[test]
fn since_reads_local_times_in_the_given_zone_and_zoned_times_as_given() {
    use gainstage::advisor::session_log::parse_since_in;
    let at = |s: &str| humantime::parse_rfc3339(s).unwrap();
    let plus_one = jiff::tz::TimeZone::fixed(jiff::tz::offset(1));
    let minus_five = jiff::tz::TimeZone::fixed(jiff::tz::offset(-5));
    let now = at("2026-11-28T20:00:00Z");
    let parse = |text: &str, zone: &jiff::tz::TimeZone, now| parse_since_in(text, now, zone);
    assert_eq!(
        parse("2026-11-28 14:30", &plus_one, now),
        Ok(at("2026-11-28T13:30:00Z"))
    );
    assert_eq!(
        parse("2026-11-28T14:30:05", &plus_one, now),
        Ok(at("2026-11-28T13:30:05Z"))
    );
    // A time of day is today in the zone: at 03:00 UTC it is still the 27th in UTC-5.
    assert_eq!(
        parse("14:30", &plus_one, now),
        Ok(at("2026-11-28T13:30:00Z"))
    );
    assert_eq!(
        parse("14:30", &minus_five, at("2026-11-28T03:00:00Z")),
        Ok(at("2026-11-27T19:30:00Z"))
    );
    // With a zone, the zone wins.
    assert_eq!(
        parse("2026-11-28T13:30:00Z", &minus_five, now),
        Ok(at("2026-11-28T13:30:00Z"))
    );
    assert_eq!(
        parse("2026-11-28T14:30:00+01:00", &minus_five, now),
        Ok(at("2026-11-28T13:30:00Z"))
    );
    assert_eq!(parse("10m", &plus_one, now), Ok(at("2026-11-28T19:50:00Z")));
    let err = parse("25:99", &plus_one, now).unwrap_err();
    assert!(err.contains("--since") && err.contains("14:30"), "{err}");
}
