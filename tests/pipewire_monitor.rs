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

use std::path::Path;
use std::process::Command;

use pw_stack::{
    COMMAND_DEADLINE_S, RATE, Server, clips, interrupt, level_db, recv_line, rest_of_lines,
    wait_child, write_wav,
};

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
        let line = recv_line(&rx, "early", || server.gainstage_said());
        let t = line["t_s"].as_f64().unwrap_or(0.0);
        lines.push(line);
        t
    };
    while next(&mut lines) < 0.3 {}
    let played = server
        .command("timeout")
        .args([COMMAND_DEADLINE_S, "pw-cat"])
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
    lines.extend(rest_of_lines(&rx, || server.gainstage_said()));
    let status = wait_child(&mut child, "gainstage after Ctrl-C");
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
        let line = recv_line(&rx, "before saying its priority", || {
            server.gainstage_said()
        });
        if let Some(rt) = line.get("realtime") {
            break rt.clone();
        }
    };
    let (policy, priority) = chrt(rt["thread_id"].as_i64().unwrap());
    interrupt(&child);
    rest_of_lines(&rx, || server.gainstage_said());
    assert!(wait_child(&mut child, "gainstage after Ctrl-C").success());
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

/// 997 Hz sines at `peaks_dbfs`, one a channel, 24-bit.
fn write_sines(path: &Path, peaks_dbfs: &[f64], seconds: f64) {
    let spec = hound::WavSpec {
        channels: peaks_dbfs.len() as u16,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(seconds * f64::from(RATE)) as usize {
        let x = (std::f64::consts::TAU * 997.0 * i as f64 / f64::from(RATE)).sin();
        for p in peaks_dbfs {
            w.write_sample((10f64.powf(p / 20.0) * x * 8_388_607.0).round() as i32)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

/// `monitor --soundcheck 3 --apply --host pipewire` on a node whose input 1 peaks at -3 dBFS:
/// the soundcheck asks 9 dB down, gainstage sets the node's channel volume, listens again, and
/// the level it measures has dropped by the amount set, within 0.1 dB; input 2, at the
/// target, is left alone.
#[test]
fn soundcheck_apply_cuts_a_hot_input_and_the_level_drops_by_the_amount_set() {
    let mut server = Server::start();
    let wav = server.dir.path().join("preamp.wav");
    write_sines(&wav, &[-3.0, -12.0], 12.0);
    let mut player = server.command("pw-cat");
    player
        .args([
            "--playback",
            "--target",
            "gs-pre2",
            "--channel-map",
            "AUX0,AUX1",
        ])
        .arg(&wav);
    server.spawn(player, "pw-cat.log");
    server.wait_for(
        |s| {
            s.output("pw-link", &["-l"])
                .contains("gs-pre2:playback_AUX1")
        },
        "pw-cat playing into gs-pre2",
    );
    let listed = server
        .command("timeout")
        .args([COMMAND_DEADLINE_S, env!("CARGO_BIN_EXE_gainstage")])
        .args([
            "preamps", "--host", "pipewire", "--device", "gs-pre2", "--json",
        ])
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["through"], "pipewire", "{listed}");
    assert_eq!(listed[0]["gain_db"], 0.0, "{listed}");
    // A virtual node: the volume is PipeWire's own, not a hardware preamp's.
    assert_eq!(listed[0]["hardware"], false, "{listed}");

    let out = server
        .command("timeout")
        .args([COMMAND_DEADLINE_S, env!("CARGO_BIN_EXE_gainstage")])
        .args([
            "monitor",
            "--host",
            "pipewire",
            "--device",
            "gs-pre2",
            "--soundcheck",
            "3",
            "--apply",
            "--json",
            "--interval",
            "100",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let applied = last["applied"]
        .as_array()
        .unwrap_or_else(|| panic!("{last}\n{stderr}"));
    assert_eq!(applied.len(), 1, "only the hot input is changed: {last}");
    let a = &applied[0];
    assert_eq!(a["input"], 1);
    assert_eq!(
        (a["from_db"].as_f64(), a["to_db"].as_f64()),
        (Some(0.0), Some(-9.0)),
        "{a}"
    );
    let measured = a["measured_db"].as_f64().unwrap();
    eprintln!("channel volume set -9.0 dB, level measured {measured:+.2} dB");
    assert!(
        (measured - -9.0).abs() <= 0.1,
        "measured {measured} dB for -9 dB set: {a}"
    );
    assert_eq!(a["verdict"], "took", "{a}");
    // The node holds the volume set: 10^(-9/20) on channel 1, unity on channel 2.
    let dump: serde_json::Value = serde_json::from_str(&server.output("pw-dump", &[])).unwrap();
    let node = dump
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["info"]["props"]["node.name"] == "gs-pre2")
        .unwrap();
    let volumes = node["info"]["params"]["Props"][0]["channelVolumes"].clone();
    let v: Vec<f64> = volumes
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!((v[0] - 10f64.powf(-9.0 / 20.0)).abs() < 1e-5, "{volumes}");
    assert!((v[1] - 1.0).abs() < 1e-6, "{volumes}");
}
