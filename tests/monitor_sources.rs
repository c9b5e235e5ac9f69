//! Sources that are not devices: a WAV through `monitor --file` (exact clip counts in the
//! file's own format, `finished` at the end) and the demo generator (a problem per channel).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Duration;

#[path = "support/cli.rs"]
mod cli;

use gainstage::advisor::WarningKind;
use gainstage::advisor::judge::ALL_KINDS;
use gainstage::capture::demo::{Demo, Role, role};
use gainstage::capture::{Session, SessionConfig, SourceSpec};

fn write_wav(path: &std::path::Path) {
    let spec = hound::WavSpec {
        channels: 6,
        sample_rate: 48_000,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let full = (1 << 23) - 1;
    for i in 0..48_000 {
        for c in 0..6 {
            let a = 10f64.powf(-(6.0 + 2.0 * c as f64) / 20.0);
            let mut x = (a
                * (std::f64::consts::TAU * 1000.0 * f64::from(i) / 48_000.0).sin()
                * f64::from(full))
            .round() as i32;
            // Channel 2: four positive full-scale codes and one a code below (not a clip).
            if c == 1 && [1000, 9000, 17000, 30000].contains(&i) {
                x = full;
            }
            if c == 1 && i == 40000 {
                x = full - 1;
            }
            // Channel 5: three negative full-scale codes, two of them adjacent (one over).
            if c == 4 && [5000, 20000, 20001].contains(&i) {
                x = -(1 << 23);
            }
            w.write_sample(x).unwrap();
        }
    }
    w.finalize().unwrap();
}

#[test]
fn file_plays_in_real_time_with_exact_clip_counts_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("take.wav");
    write_wav(&wav);
    let lines = cli::json_lines(&cli::stdout_of(cli::gainstage(dir.path()).args([
        "monitor",
        "--file",
        wav.to_str().unwrap(),
        "--json",
        "--interval",
        "100",
    ])));
    // Real-time pace: one second of audio at 100 ms per line is about ten lines.
    assert!((8..=14).contains(&lines.len()), "{} lines", lines.len());
    assert_eq!(lines[lines.len() - 2]["state"], "finished");
    let summary = lines.last().unwrap();
    assert!((summary["duration_s"].as_f64().unwrap() - 1.0).abs() < 0.011);
    let ch = summary["channels"].as_array().unwrap();
    let counts: Vec<(u64, u64)> = ch
        .iter()
        .map(|c| {
            (
                c["clipped_samples"].as_u64().unwrap(),
                c["overs"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, vec![(0, 0), (4, 4), (0, 0), (0, 0), (3, 2), (0, 0)]);
    for (c, v) in ch.iter().enumerate() {
        let peak = v["max_sample_peak_dbfs"].as_f64().unwrap();
        let want = if c == 1 || c == 4 {
            0.0
        } else {
            -(6.0 + 2.0 * c as f64)
        };
        assert!((peak - want).abs() < 0.01, "channel {} peak {peak}", c + 1);
    }
}

#[test]
fn demo_is_deterministic() {
    let (mut a, mut b) = (Demo::new(16, 48_000), Demo::new(16, 48_000));
    let (mut x, mut y) = (vec![0.0; 16 * 4800], vec![0.0; 16 * 4800]);
    a.generate(&mut x);
    b.generate(&mut y);
    assert_eq!(x, y);
    assert!(x.iter().any(|v| *v != 0.0));
}

/// Every kind of warning the advisor has is raised live by the session's own advisor on some
/// demo channel within the first 11 s, each kind that has a channel built for it on that
/// channel. "Peaks stay low" and "noisy between phrases" need the advisor's whole 10 s window
/// first; the clipping lead accents past full scale from 6.5 s to 7 s and its clip is latched;
/// `hot` has no channel of its own: under the generic preset the drums are hot.
#[test]
fn demo_session_has_a_problem_for_every_warning() {
    let session = Session::start(&SourceSpec::demo(None), SessionConfig::default()).unwrap();
    assert_eq!(session.source().channels, 16);
    assert!(session.source().is_demo);
    let mut reader = session.reader();
    // Every (role, kind) the advisor raised in any snapshot until 11 s of audio.
    let mut raised: Vec<(Role, WarningKind)> = Vec::new();
    let s = loop {
        std::thread::sleep(Duration::from_millis(50));
        let Some(s) = reader.read() else { continue };
        for (c, ch) in s.channels.iter().enumerate() {
            for w in &ch.warnings {
                if !raised.contains(&(role(c), w.kind)) {
                    raised.push((role(c), w.kind));
                }
            }
        }
        if s.t_s >= 11.0 {
            break s;
        }
    };
    drop(session);
    assert_eq!(s.dropped_frames, 0);
    let kinds: BTreeSet<WarningKind> = raised.iter().map(|w| w.1).collect();
    // The demo is a tracking session: no input carries a DAW's bus, so `loud` (judged on a
    // mix_bus or master pair: tests/advisor_stage_presets.rs) has no channel here.
    let tracking: BTreeSet<WarningKind> = ALL_KINDS
        .into_iter()
        .filter(|k| *k != WarningKind::Loud)
        .collect();
    assert_eq!(kinds, tracking, "every kind, on some channel: {raised:?}");
    let built_for = [
        (Role::ClippingLead, WarningKind::Clip),
        (Role::TooQuiet, WarningKind::Low),
        (Role::Dead, WarningKind::NoSignal),
        (Role::DcOffset, WarningKind::DcOffset),
        (Role::Rumble, WarningKind::Rumble),
        (Role::Talkback, WarningKind::Noisy),
    ];
    let missing: Vec<_> = built_for.iter().filter(|w| !raised.contains(w)).collect();
    assert!(
        missing.is_empty(),
        "not raised where built for: {missing:?}; raised: {raised:?}"
    );
    // The readings behind them.
    let by_role = |r: Role| &s.channels[(0..16).find(|&c| role(c) == r).unwrap()].readings;
    let clip = by_role(Role::ClippingLead);
    assert!(clip.clipped_samples > 100 && clip.overs > 0, "{clip:?}");
    assert!(by_role(Role::TooQuiet).max_sample_peak_dbfs < -45.0);
    assert!(by_role(Role::Dead).max_sample_peak_dbfs == f64::NEG_INFINITY);
    assert!(by_role(Role::DcOffset).total_dc_offset > 0.05);
    assert!(by_role(Role::Rumble).total_low_band_share > 0.3);
    let hiss = by_role(Role::Talkback).total_noise_floor_dbfs;
    assert!(hiss > -45.0 && hiss < -30.0, "talkback hiss {hiss}");
    let kick = by_role(Role::Kick);
    assert!(
        kick.max_true_peak_dbtp - kick.total_rms_dbfs > 12.0,
        "drums have transients: {kick:?}"
    );
    for r in [
        Role::Kick,
        Role::Snare,
        Role::Bass,
        Role::Vocal,
        Role::Guitar,
        Role::Keys,
    ] {
        let x = by_role(r);
        assert!(
            x.max_sample_peak_dbfs > -20.0 && x.clipped_samples == 0,
            "{r:?}: {x:?}"
        );
    }
    assert!(s.channels.iter().all(|c| !c.history.is_empty()));
}

/// A 64-bit float WAV, written byte by byte (hound writes no 64-bit float): stereo, 0.3 s of
/// a half-scale sine with three samples at or beyond full scale on channel 1 (two adjacent)
/// and one just below it on channel 2.
fn write_f64_wav(path: &std::path::Path) {
    let frames = 14_400u32;
    let mut data = Vec::new();
    for i in 0..frames {
        let s = 0.5 * (std::f64::consts::TAU * 1000.0 * f64::from(i) / 48_000.0).sin();
        let left = match i {
            2000 => 1.0,
            9000 | 9001 => -1.25,
            _ => s,
        };
        let right = if i == 7000 { 0.999 } else { s };
        for x in [left, right] {
            data.extend_from_slice(&f64::to_le_bytes(x));
        }
    }
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(4 + 24 + 8 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&3u16.to_le_bytes()); // IEEE float
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&48_000u32.to_le_bytes());
    b.extend_from_slice(&(48_000u32 * 16).to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(&64u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&data);
    std::fs::write(path, b).unwrap();
}

#[test]
fn file_and_analyze_read_64_bit_float_alike() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("f64.wav");
    write_f64_wav(&wav);
    let run = |args: &[&str]| cli::stdout_of(cli::gainstage(dir.path()).args(args).arg(&wav));
    let monitor = run(&["monitor", "--json", "--interval", "100", "--file"]);
    let summary: serde_json::Value = serde_json::from_str(monitor.lines().last().unwrap()).unwrap();
    let analyzed: serde_json::Value = serde_json::from_str(&run(&["analyze", "--json"])).unwrap();
    let live = summary["channels"].as_array().unwrap();
    let offline = analyzed[0]["per_channel"].as_array().unwrap();
    let counts = |c: &serde_json::Value| {
        (
            c["clipped_samples"].as_u64().unwrap(),
            c["overs"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        live.iter().map(counts).collect::<Vec<_>>(),
        [(3, 2), (0, 0)]
    );
    assert_eq!(
        offline.iter().map(counts).collect::<Vec<_>>(),
        [(3, 2), (0, 0)]
    );
    let peak = |c: &serde_json::Value, key: &str| c[key].as_f64().unwrap();
    let below = 20.0 * 0.999f64.log10();
    for (c, want) in [(0, 20.0 * 1.25f64.log10()), (1, below)] {
        let (live, offline) = (
            peak(&live[c], "max_sample_peak_dbfs"),
            peak(&offline[c], "sample_peak_dbfs"),
        );
        // `monitor --json` rounds levels to 0.01 dB.
        assert!(
            (live - want).abs() <= 0.005,
            "channel {}: {live} {want}",
            c + 1
        );
        assert!(
            (offline - want).abs() < 1e-6,
            "channel {}: {offline} {want}",
            c + 1
        );
    }
}
