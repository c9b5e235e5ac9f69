//! A real JACK server (dummy driver, private name) and a test client playing known levels into
//! 8 monitor inputs, with a known number of isolated over-full-scale samples: every level and
//! the exact over counts must come out of the built binary's `gainstage monitor --json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The only unsafe: pointing this process's JACK client at the private server before any
// other thread of this single-test binary reads the environment.
#![allow(unsafe_code)]
// Without the `jack` feature the binary has no JACK host to test.
#![cfg(all(feature = "jack", target_os = "linux"))]

#[path = "jack_support.rs"]
mod jack_support;

use std::time::Duration;

use jack_support::{JackServer, Monitor, Player, f, u};

const CHANNELS: usize = 8;
/// Sine amplitude per channel, dBFS: -3, -6, ... -24.
fn level_db(c: usize) -> f64 {
    -3.0 * (c as f64 + 1.0)
}
/// Isolated overs: (channel, count, sample value).
const OVERS: [(usize, u32, f32); 2] = [(2, 20, 1.5), (5, 7, -1.0)];

#[test]
fn levels_and_exact_over_counts_come_out_of_monitor_json() {
    let mut server = JackServer::start(&JackServer::unique_name("levels"));
    unsafe { std::env::set_var("JACK_DEFAULT_SERVER", &server.name) };

    let mut monitor = Monitor::start(
        &server.name,
        &[
            "--host",
            "jack",
            "--channels",
            "8",
            "--json",
            // Ended by SIGTERM once everything was seen: a fixed length could run out while
            // a loaded machine is still connecting the player.
            "--duration",
            "180",
            "--interval",
            "250",
        ],
    );

    let player = Player::start(
        "gs_test_player",
        (0..CHANNELS).map(level_db).collect(),
        OVERS.to_vec(),
    );
    let expected_overs: u32 = OVERS.iter().map(|o| o.1).sum();
    player.play_overs(expected_overs);

    let counted = |l: &serde_json::Value| {
        l["channels"]
            .as_array()
            .map_or(0, |c| c.iter().map(|ch| u(ch, "overs")).sum::<u64>())
    };
    // Every over counted (at least: the summary checks each channel's exact count), then 3 s
    // of running lines (12 at 250 ms) for the levels and loudness.
    let mut lines: Vec<serde_json::Value> = Vec::new();
    let (mut all_counted, mut running_since) = (false, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while running_since < 12 {
        let v = monitor
            .lines
            .recv_timeout(Duration::from_secs(15))
            .expect("the monitor stopped printing");
        assert!(v.get("summary").is_none(), "the monitor ended early: {v}");
        assert!(
            std::time::Instant::now() < deadline,
            "after 60 s: all overs counted {all_counted}, running lines since {running_since}: {v}"
        );
        all_counted |= counted(&v) >= u64::from(expected_overs);
        if all_counted && v["state"] == "running" {
            running_since += 1;
        }
        lines.push(v);
    }
    monitor.terminate();
    while let Ok(v) = monitor.lines.recv_timeout(Duration::from_secs(15)) {
        let last = v.get("summary").is_some();
        lines.push(v);
        if last {
            break;
        }
    }
    assert!(monitor.wait(Duration::from_secs(10)), "monitor must exit 0");
    drop(player);
    server.stop_cleanly();

    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"], true);
    let chans = summary["channels"].as_array().unwrap();
    assert_eq!(chans.len(), CHANNELS);
    for (c, ch) in chans.iter().enumerate() {
        let want = OVERS
            .iter()
            .find(|o| o.0 == c)
            .map_or(0, |o| u64::from(o.1));
        assert_eq!(u(ch, "overs"), want, "channel {} overs", c + 1);
        assert_eq!(u(ch, "clipped_samples"), want, "channel {} clips", c + 1);
        let peak = f(ch, "max_sample_peak_dbfs").unwrap();
        let want_peak = match OVERS.iter().find(|o| o.0 == c) {
            Some(&(_, _, v)) => 20.0 * f64::from(v.abs()).log10().max(level_db(c) / 20.0),
            None => level_db(c),
        };
        assert!(
            (peak - want_peak).abs() < 0.05,
            "channel {} max peak {peak} want {want_peak}",
            c + 1
        );
    }

    // A running line well after connection: every channel at its own sine level.
    let running: Vec<_> = lines
        .iter()
        .filter(|l| l.get("summary").is_none() && l["state"] == "running")
        .collect();
    assert!(
        running.len() >= 12,
        "expected 12 running lines after the overs, got {} in all",
        running.len()
    );
    let line = running[running.len() - 2];
    assert_eq!(u(line, "dropped_frames"), 0);
    for (c, ch) in line["channels"].as_array().unwrap().iter().enumerate() {
        if OVERS.iter().any(|o| o.0 == c) {
            continue;
        }
        let peak = f(ch, "sample_peak_dbfs").unwrap();
        assert!(
            (peak - level_db(c)).abs() < 0.05,
            "channel {} peak {peak}",
            c + 1
        );
        let tp = f(ch, "true_peak_dbtp").unwrap();
        assert!(
            (tp - level_db(c)).abs() < 0.2,
            "channel {} true peak {tp}",
            c + 1
        );
        // A 1 kHz sine at A dBFS on one mono channel reads A - 3.0 LUFS (Tech 3341 note).
        let st = f(ch, "short_term_lufs").unwrap();
        assert!(
            (st - (level_db(c) - 3.01)).abs() < 0.2,
            "channel {} short-term {st}",
            c + 1
        );
    }
}
