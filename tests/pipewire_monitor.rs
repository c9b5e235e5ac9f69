//! A real PipeWire server, private to each test: `pipewire` with its own configuration file,
//! WirePlumber (on a private D-Bus session bus, with every hardware monitor off) and
//! `pipewire-pulse`, all on a temporary runtime directory, so no user's server, device or
//! setting is seen or touched. The configuration makes two virtual sinks with pro-audio
//! channel positions (AUX0…), `pw-cat` plays a 24-bit WAV into one, and `gainstage monitor`
//! meters it through cpal's PipeWire host or through the PulseAudio protocol: every channel's
//! level, and every positive and negative full-scale sample counted.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/pipewire.rs"]
mod pw_stack;

use std::process::Command;

use pw_stack::{Server, clips, interrupt, level_db, write_wav};

/// What one monitor run printed: every line, the summary last.
struct Run {
    lines: Vec<serde_json::Value>,
    stderr: String,
}

/// Runs `gainstage monitor` on `device`, plays the WAV into `sink` once audio flows, lets
/// half a second of audio pass after the player ends, and stops the monitor with Ctrl-C.
fn meter_playback(server: &Server, host: &str, device: &str, sink: &str, channels: usize) -> Run {
    let wav = server.dir.path().join(format!("{sink}.wav"));
    write_wav(&wav, channels);
    let args = [
        "monitor",
        "--host",
        host,
        "--device",
        device,
        "--json",
        "--interval",
        "100",
    ];
    let (mut child, rx) = server.gainstage(&[], &args);
    let mut lines: Vec<serde_json::Value> = Vec::new();
    let next = |lines: &mut Vec<serde_json::Value>| -> f64 {
        let Ok(line) = rx.recv() else {
            panic!("gainstage ended early: {}", server.gainstage_said());
        };
        let t = line["t_s"].as_f64().unwrap_or(0.0);
        lines.push(line);
        t
    };
    while next(&mut lines) < 0.3 {}
    let played = server
        .command("pw-cat")
        .args(["--playback", "--target", sink, "--channel-map"])
        .arg(
            (0..channels)
                .map(|c| format!("AUX{c}"))
                .collect::<Vec<_>>()
                .join(","),
        )
        .arg(&wav)
        .status()
        .unwrap();
    assert!(played.success(), "pw-cat failed");
    let t_end = next(&mut lines);
    while next(&mut lines) < t_end + 0.5 {}
    interrupt(&child);
    lines.extend(rx.iter());
    let status = child.wait().unwrap();
    let stderr = server.gainstage_said();
    assert!(status.success(), "{stderr}");
    Run { lines, stderr }
}

/// Every channel: its sine level on the lines that carry the sine (±0.1 dB), and exactly its
/// positive plus negative full-scale samples counted as clips and overs.
fn assert_levels_and_clips(run: &Run, channels: usize) {
    let summary = run.lines.last().unwrap();
    assert_eq!(summary["summary"], true, "{}", run.stderr);
    let sum_ch = summary["channels"].as_array().unwrap();
    assert_eq!(sum_ch.len(), channels, "every channel of the node opens");
    for (c, ch) in sum_ch.iter().enumerate() {
        let (p, n) = clips(c, channels);
        assert_eq!(
            (ch["clipped_samples"].as_u64(), ch["overs"].as_u64()),
            (Some(p + n), Some(p + n)),
            "channel {}: {p} positive and {n} negative full-scale samples",
            c + 1
        );
        let max = ch["max_sample_peak_dbfs"].as_f64().unwrap();
        assert!(max.abs() < 0.01, "channel {} max peak {max}", c + 1);
    }
    // Lines inside the sine: channel 1 at its level (the clip section reads 0 dBFS).
    let sine_lines: Vec<&serde_json::Value> = run
        .lines
        .iter()
        .filter(|l| l.get("summary").is_none())
        .filter(|l| {
            l["channels"][0]["sample_peak_dbfs"]
                .as_f64()
                .is_some_and(|v| (v - level_db(0)).abs() < 0.1)
        })
        .collect();
    assert!(
        sine_lines.len() >= 5,
        "{} lines in the sine",
        sine_lines.len()
    );
    for line in sine_lines {
        let chans = line["channels"].as_array().unwrap();
        assert_eq!(chans.len(), channels);
        for (c, ch) in chans.iter().enumerate() {
            let v = ch["sample_peak_dbfs"].as_f64().unwrap();
            assert!(
                (v - level_db(c)).abs() <= 0.1,
                "channel {} reads {v} dBFS, wants {}",
                c + 1,
                level_db(c)
            );
        }
    }
}

/// The kernel's own word on a thread: `chrt -p TID` → (policy, priority).
fn chrt(thread_id: i64) -> (String, u64) {
    let out = Command::new("chrt")
        .args(["-p", &thread_id.to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |key: &str| {
        text.lines()
            .find(|l| l.contains(key))
            .and_then(|l| l.rsplit(':').next())
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("chrt -p {thread_id}: {text}"))
    };
    let policy = field("policy").split('|').next().unwrap().trim().to_owned();
    (policy, field("priority").parse().unwrap())
}

#[test]
fn pipewire_host_meters_every_aux_channel_and_counts_every_clip() {
    let server = Server::start();
    let run = meter_playback(&server, "pipewire", "gs-aux8", "gs-aux8", 8);
    // The node's channel positions name the channels.
    let names: Vec<String> = (0..8).map(|c| format!("AUX{c}")).collect();
    assert_eq!(
        run.lines[0]["source"]["channel_names"],
        serde_json::json!(names)
    );
    assert_eq!(run.lines[0]["source"]["host"], "PipeWire");
    assert_levels_and_clips(&run, 8);
}

#[test]
fn pulse_host_meters_a_sixteen_channel_monitor_and_counts_every_clip() {
    let server = Server::start();
    let run = meter_playback(&server, "pulse", "gs-aux16.monitor", "gs-aux16", 16);
    assert_levels_and_clips(&run, 16);
}

/// The first line that has audio says what the kernel runs the callback thread at; `chrt`
/// on that thread, asked while it runs, says the same.
fn realtime_as_chrt_sees_it(wrapper: &[&str]) -> serde_json::Value {
    let server = Server::start();
    let args = [
        "monitor",
        "--host",
        "pipewire",
        "--device",
        "gs-aux8",
        "--json",
        "--interval",
        "100",
    ];
    let (mut child, rx) = server.gainstage(wrapper, &args);
    let rt = loop {
        let line = rx
            .recv()
            .expect("gainstage ended before saying its priority");
        if let Some(rt) = line.get("realtime") {
            break rt.clone();
        }
    };
    let (policy, priority) = chrt(rt["thread_id"].as_i64().unwrap());
    interrupt(&child);
    let _ = rx.iter().count();
    assert!(child.wait().unwrap().success());
    assert_eq!(rt["policy"].as_str(), Some(policy.as_str()), "{rt}");
    assert_eq!(rt["priority"].as_u64(), Some(priority), "{rt}");
    assert_eq!(
        rt["granted"].as_bool(),
        Some(policy == "SCHED_FIFO" || policy == "SCHED_RR")
    );
    rt
}

#[test]
fn callback_priority_is_reported_as_the_kernel_has_it() {
    let rt = realtime_as_chrt_sees_it(&[]);
    if rt["granted"] == true {
        assert_eq!(rt["why"], serde_json::Value::Null);
    } else {
        assert!(rt["why"].as_str().is_some_and(|w| !w.is_empty()), "{rt}");
    }
}

#[test]
fn refused_priority_is_reported_with_the_reason() {
    // RLIMIT_RTPRIO 0, and for root also no CAP_SYS_NICE: the kernel must refuse.
    let root = String::from_utf8(Command::new("id").arg("-u").output().unwrap().stdout)
        .unwrap()
        .trim()
        == "0";
    let mut wrapper = vec!["prlimit", "--rtprio=0:0"];
    if root {
        wrapper.extend([
            "setpriv",
            "--bounding-set=-sys_nice",
            "--inh-caps=-sys_nice",
        ]);
    }
    let rt = realtime_as_chrt_sees_it(&wrapper);
    assert_eq!(rt["granted"], false, "{rt}");
    assert_eq!(rt["policy"], "SCHED_OTHER");
    let why = rt["why"].as_str().unwrap();
    assert!(why.contains("RLIMIT_RTPRIO 0"), "{why}");
}
