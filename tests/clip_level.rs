//! The clip rule: float streams clip at a level just below full scale (a sound server's float
//! is an integer code divided by 2^(bits-1), so its positive full scale never reaches 1.0),
//! integer sources at their exact full-scale codes. Checked through the live path
//! (`monitor --file`, a caller-fed session) and `analyze`, against counts the test plants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[path = "support/cli.rs"]
mod cli;

use dasp_sample::I24;
use gainstage::capture::{Session, SessionConfig};
use gainstage::meter::ClipRule;
use gainstage::snapshot::SourceInfo;
use serde_json::Value;

const RATE: u32 = 48_000;
/// Half a second: `monitor --file` plays in real time.
const FRAMES: u32 = 24_000;

/// What PipeWire's audioconvert hands out for an integer code (spa fmt-ops: code / 2^(bits-1)).
fn server_float(code: i32, bits: u32) -> f32 {
    (f64::from(code) / f64::from(1u32 << (bits - 1))) as f32
}

/// Where each channel's planted samples go (frame indices), far apart so each is one over.
fn positions(n: usize, offset: u32) -> Vec<u32> {
    (0..n as u32).map(|k| offset + k * 2_000).collect()
}

/// Four channels of a -20 dBFS sine with planted samples:
/// 1. five positive 24-bit full-scale codes and three negative ones, as a server sends them;
/// 2. four positive 16-bit full-scale codes;
/// 3. three samples one 16-bit code below full scale (a level, not a clip, by default);
/// 4. six samples at -0.03 dBFS (clips only for a level of -0.05 dBFS).
fn write_float_take(path: &Path) {
    let spec = hound::WavSpec {
        channels: 4,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let plants: [Vec<(u32, f32)>; 4] = [
        positions(5, 100)
            .into_iter()
            .map(|i| (i, server_float(8_388_607, 24)))
            .chain(
                positions(3, 1_100)
                    .into_iter()
                    .map(|i| (i, server_float(-8_388_608, 24))),
            )
            .collect(),
        positions(4, 300)
            .into_iter()
            .map(|i| (i, server_float(32_767, 16)))
            .collect(),
        positions(3, 500)
            .into_iter()
            .map(|i| (i, server_float(32_766, 16)))
            .collect(),
        positions(6, 700)
            .into_iter()
            .map(|i| (i, 10f32.powf(-0.03 / 20.0)))
            .collect(),
    ];
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..FRAMES {
        let sine = 0.1 * (std::f64::consts::TAU * 997.0 * f64::from(i) / f64::from(RATE)).sin();
        for plant in &plants {
            let x = plant
                .iter()
                .find(|(at, _)| *at == i)
                .map_or(sine as f32, |(_, v)| *v);
            w.write_sample(x).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// Runs gainstage with its data and config in `home` (the session log goes there).
fn gainstage(home: &Path, args: &[&str]) -> String {
    cli::stdout_of(cli::gainstage(home).args(args))
}

/// The summary line of `monitor --json`.
fn monitor_summary(wav: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["monitor", "--file", wav.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let text = gainstage(wav.parent().unwrap(), &args);
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

fn counts(channels: &Value, clipped: &str) -> Vec<(u64, u64)> {
    channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[clipped].as_u64().unwrap(), c["overs"].as_u64().unwrap()))
        .collect()
}

#[test]
fn a_float_take_counts_converter_clips_on_both_polarities_live_and_offline() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("float-take.wav");
    write_float_take(&wav);

    let live = monitor_summary(&wav, &[]);
    assert_eq!(
        counts(&live["channels"], "clipped_samples"),
        vec![(8, 8), (4, 4), (0, 0), (0, 0)]
    );
    assert_eq!(live["clip_rule"]["rule"], "float_level");
    let level = live["clip_rule"]["level_dbfs"].as_f64().unwrap();
    assert!(
        (level - 20.0 * (32767.0f64 / 32768.0).log10()).abs() < 1e-9,
        "{level}"
    );

    let analyzed: Value = serde_json::from_str(&gainstage(
        dir.path(),
        &["analyze", "--json", wav.to_str().unwrap()],
    ))
    .unwrap();
    let file = &analyzed[0];
    assert_eq!(file["clip_rule"], live["clip_rule"]);
    assert_eq!(
        counts(&file["per_channel"], "clipped_samples"),
        vec![(8, 8), (4, 4), (0, 0), (0, 0)]
    );
}

#[test]
fn an_earlier_clip_level_counts_hot_float_samples() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("float-take.wav");
    write_float_take(&wav);
    // -0.05 dBFS: the -0.03 dBFS plants and the one-code-below ones (-0.0005 dBFS) count.
    let live = monitor_summary(&wav, &["--clip-level", "-0.05"]);
    assert_eq!(
        counts(&live["channels"], "clipped_samples"),
        vec![(8, 8), (4, 4), (3, 3), (6, 6)]
    );
    assert_eq!(live["clip_rule"]["level_dbfs"].as_f64(), Some(-0.05));
    let analyzed: Value = serde_json::from_str(&gainstage(
        dir.path(),
        &[
            "analyze",
            "--json",
            "--clip-level",
            "-0.05",
            wav.to_str().unwrap(),
        ],
    ))
    .unwrap();
    assert_eq!(
        counts(&analyzed[0]["per_channel"], "clipped_samples"),
        vec![(8, 8), (4, 4), (3, 3), (6, 6)]
    );
}

#[test]
fn a_clip_level_outside_the_range_is_refused_with_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli::gainstage(dir.path())
        .args([
            "monitor",
            "--demo",
            "--clip-level",
            "-12",
            "--duration",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("-12 dBFS is outside -6 to 0 dBFS"), "{err}");
}

#[test]
fn integer_takes_keep_exact_full_scale_codes() {
    // 24-bit: the code below full scale converts to 0.99999976, above the float level, and
    // must not count; the full-scale codes must.
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("int-take.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..FRAMES {
        let x = match i {
            1_000 | 3_000 => (1 << 23) - 1,
            5_000 => -(1 << 23),
            7_000 | 9_000 => (1 << 23) - 2,
            _ => 0,
        };
        w.write_sample(x).unwrap();
    }
    w.finalize().unwrap();
    let live = monitor_summary(&wav, &["--clip-level", "-0.05"]);
    assert_eq!(live["clip_rule"]["rule"], "full_scale_code");
    assert_eq!(counts(&live["channels"], "clipped_samples"), vec![(3, 3)]);
}

/// A caller-fed session: the callback takes its rule from the sample type it is fed.
#[test]
fn the_callback_applies_the_rule_of_the_type_it_is_fed() {
    let info = |format: &str| SourceInfo {
        host: "test".into(),
        device: "clip-rule".into(),
        device_id: "test:clip-rule".into(),
        sample_rate: RATE,
        channels: 1,
        buffer_frames: Some(256),
        sample_format: format.into(),
        is_demo: false,
        channel_names: Vec::new(),
        clip_rule: ClipRule::default(),
    };
    let (session, mut cb) = Session::start_custom(info("f32"), &SessionConfig::default()).unwrap();
    assert!(matches!(
        session.source().clip_rule,
        ClipRule::FloatLevel { .. }
    ));
    let mut block = vec![0.0f32; 256];
    block[10] = server_float(8_388_607, 24);
    block[20] = server_float(-8_388_608, 24);
    block[30] = server_float(32_766, 16);
    cb.process(&block);
    let mut reader = session.reader();
    let clipped = wait_for_frames(&mut reader, 256);
    assert_eq!(clipped, 2);

    let (session, mut cb) = Session::start_custom(info("i24"), &SessionConfig::default()).unwrap();
    assert_eq!(session.source().clip_rule, ClipRule::FullScaleCode);
    let mut block = vec![I24::new_unchecked(0); 256];
    block[10] = I24::new_unchecked((1 << 23) - 1);
    block[20] = I24::new_unchecked((1 << 23) - 2);
    cb.process(&block);
    let mut reader = session.reader();
    assert_eq!(wait_for_frames(&mut reader, 256), 1);
}

/// Clipped samples once the meter thread has published `frames` frames (a hang guard, not a
/// timing assertion: the meter thread publishes within milliseconds).
fn wait_for_frames(reader: &mut gainstage::capture::SnapshotReader, frames: u64) -> u64 {
    for _ in 0..2_000 {
        if let Some(s) = reader.read()
            && (s.t_s * f64::from(RATE)).round() as u64 >= frames
        {
            return s.channels[0].readings.clipped_samples;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the meter thread never published {frames} frames");
}
