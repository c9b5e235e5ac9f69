//! A real JACK server (dummy driver, private name) and a test client playing known levels into
//! 8 monitor inputs, with a known number of isolated over-full-scale samples: every level and
//! the exact over counts must come out of the built binary's `gainstage monitor --json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The only unsafe: pointing this process's JACK client at the private server before any
// other thread of this single-test binary reads the environment.
#![allow(unsafe_code)]
// Without the `jack` feature the binary has no JACK host to test.
#![cfg(feature = "jack")]

#[path = "jack_support.rs"]
mod jack_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use jack_support::{JackServer, Monitor, f, monitor_ports, u};

const CHANNELS: usize = 8;
/// Sine amplitude per channel, dBFS: -3, -6, ... -24.
fn level_db(c: usize) -> f64 {
    -3.0 * (c as f64 + 1.0)
}
/// Isolated overs: (channel, count, sample value).
const OVERS: [(usize, u32, f32); 2] = [(2, 20, 1.5), (5, 7, -1.0)];
/// Frames between two overs: 50 ms, far apart so each is one over.
const OVER_SPACING: u64 = 2400;

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
            "--duration",
            "6",
            "--interval",
            "250",
        ],
    );

    let (client, _) =
        jack::Client::new("gs_test_player", jack::ClientOptions::NO_START_SERVER).unwrap();
    let rate = client.sample_rate() as f64;
    let mut outs: Vec<jack::Port<jack::AudioOut>> = (0..CHANNELS)
        .map(|c| {
            client
                .register_port(&format!("out_{c}"), jack::AudioOut::default())
                .unwrap()
        })
        .collect();
    let names: Vec<String> = outs.iter().map(|p| p.name().unwrap()).collect();
    let go = Arc::new(AtomicBool::new(false));
    let overs_played = Arc::new(AtomicU32::new(0));
    let (go_rt, played_rt) = (Arc::clone(&go), Arc::clone(&overs_played));
    let mut frame: u64 = 0;
    let mut over_frame: u64 = 0;
    let mut done = [0u32; 2];
    let process = jack::contrib::ClosureProcessHandler::new(
        move |_: &jack::Client, ps: &jack::ProcessScope| {
            let n = ps.n_frames() as usize;
            let armed = go_rt.load(Ordering::Acquire);
            for (c, port) in outs.iter_mut().enumerate() {
                let a = 10f64.powf(level_db(c) / 20.0);
                let buf = port.as_mut_slice(ps);
                for (i, x) in buf.iter_mut().enumerate() {
                    // 1 kHz at 48 kHz: the crest lands exactly on a sample.
                    let t = (frame + i as u64) as f64 / rate;
                    *x = (a * (std::f64::consts::TAU * 1000.0 * t).sin()) as f32;
                }
                if armed {
                    for (k, &(ch, count, value)) in OVERS.iter().enumerate() {
                        if ch != c {
                            continue;
                        }
                        for (i, x) in buf.iter_mut().enumerate() {
                            let at = over_frame + i as u64;
                            if at % OVER_SPACING == 100 && done[k] < count {
                                *x = value;
                                done[k] += 1;
                            }
                        }
                    }
                }
            }
            if armed {
                over_frame += n as u64;
                played_rt.store(done[0] + done[1], Ordering::Release);
            }
            frame += n as u64;
            jack::Control::Continue
        },
    );
    let active = client.activate_async((), process).unwrap();
    let ports = monitor_ports(active.as_client(), CHANNELS);
    for (src, dst) in names.iter().zip(&ports) {
        active.as_client().connect_ports_by_name(src, dst).unwrap();
    }
    // Connections are live from the next cycle; a margin keeps every over inside the stream.
    std::thread::sleep(Duration::from_millis(300));
    go.store(true, Ordering::Release);

    let mut lines = Vec::new();
    while let Ok(v) = monitor.lines.recv_timeout(Duration::from_secs(15)) {
        let last = v.get("summary").is_some();
        lines.push(v);
        if last {
            break;
        }
    }
    assert!(monitor.wait(Duration::from_secs(10)), "monitor must exit 0");
    let expected_overs: u32 = OVERS.iter().map(|o| o.1).sum();
    assert_eq!(
        overs_played.load(Ordering::Acquire),
        expected_overs,
        "player finished"
    );
    drop(active);
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
        running.len() >= 10,
        "expected ~24 lines, got {}",
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
