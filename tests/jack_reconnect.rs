//! Device loss and return: the JACK server under a running monitor is stopped and started
//! again. The monitor must report `lost`/`reconnecting`, keep its counts, come back
//! `running` by itself and keep counting clips cumulatively.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Only to point this single-test process's JACK clients at the private server.
#![allow(unsafe_code)]
// Without the `jack` feature the binary has no JACK host to test.
#![cfg(all(feature = "jack", target_os = "linux"))]

#[path = "jack_support.rs"]
mod jack_support;

use std::time::{Duration, Instant};

use jack_support::{JackServer, Monitor, Player, f, u};

fn wait_for(
    monitor: &Monitor,
    what: &str,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = None;
    while Instant::now() < deadline {
        if let Ok(v) = monitor.lines.recv_timeout(Duration::from_secs(1)) {
            assert!(
                v.get("summary").is_none(),
                "monitor ended while waiting for {what}"
            );
            if pred(&v) {
                return v;
            }
            last = Some(v);
        }
    }
    panic!("never saw {what}; the last line was {last:?}");
}

fn clips(line: &serde_json::Value, ch: usize) -> u64 {
    u(&line["channels"][ch], "clipped_samples")
}

#[test]
fn monitor_survives_jack_server_restart_and_keeps_counting() {
    let mut server = JackServer::start(&JackServer::unique_name("reconnect"));
    unsafe { std::env::set_var("JACK_DEFAULT_SERVER", &server.name) };
    let monitor = Monitor::start(
        &server.name,
        &[
            "--host",
            "jack",
            "--channels",
            "2",
            "--json",
            // Long past the test's own waits (the monitor is killed when the test ends). jackd
            // can take 6 s to stop, and with the restart and the reconnect back-off the 25 s
            // this was could run out on a loaded machine: a run here failed after 27 s.
            "--duration",
            "180",
            "--interval",
            "200",
        ],
    );

    let player = Player::start("gs_player_a", vec![-6.0, -12.0], vec![(1, 3, 1.0)]);
    player.play_overs(3);
    let before = wait_for(&monitor, "3 clips", |l| clips(l, 1) == 3);
    assert_eq!(before["state"], "running");
    assert!((f(&before["channels"][0], "peak_hold_dbfs").unwrap() + 6.0).abs() < 0.1);
    drop(player);

    server.stop_cleanly();
    let lost = wait_for(&monitor, "lost", |l| {
        l["state"] == "lost" || l["state"] == "reconnecting"
    });
    assert_eq!(
        clips(&lost, 1),
        3,
        "counts are kept while the device is gone"
    );
    let t_lost = f(&lost, "t_s").unwrap();
    wait_for(&monitor, "reconnecting", |l| l["state"] == "reconnecting");

    server.restart();
    let back = wait_for(&monitor, "running again", |l| l["state"] == "running");
    assert_eq!(clips(&back, 1), 3);
    assert!(f(&back, "t_s").unwrap() >= t_lost);

    let player = Player::start("gs_player_b", vec![-6.0, -12.0], vec![(1, 2, -1.0)]);
    player.play_overs(2);
    let after = wait_for(&monitor, "5 clips", |l| clips(l, 1) == 5);
    assert_eq!(after["state"], "running");
    let ch1 = &after["channels"][0];
    assert!(
        (f(ch1, "sample_peak_dbfs").unwrap() + 6.0).abs() < 0.05,
        "audio flows again: {ch1}"
    );
    assert_eq!(u(&after["channels"][1], "overs"), 5);
    drop(player);
    drop(monitor);
    // With its clients gone it takes a few seconds to exit.
    server.stop_cleanly();
}
