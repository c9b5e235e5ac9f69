//! End to end: the built binary's `analyze --json` and table output on files written here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::PI;
use std::path::Path;
use std::process::Output;

use hound::{SampleFormat, WavSpec, WavWriter};
use serde_json::Value;

#[path = "support/cli.rs"]
mod cli;

const RATE: u32 = 48_000;

/// 24-bit file, 12 s; each channel a 1 kHz sine at its own peak level, `None` for silence.
fn write(path: &Path, levels_db: &[Option<f64>]) {
    let spec = WavSpec {
        channels: levels_db.len() as u16,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: SampleFormat::Int,
    };
    let mut w = WavWriter::create(path, spec).unwrap();
    let full = f64::from(1 << 23);
    for n in 0..12 * RATE {
        let s = (2.0 * PI * 1000.0 * f64::from(n) / f64::from(RATE)).sin();
        for level in levels_db {
            let amp = level.map_or(0.0, |db| 10f64.powf(db / 20.0));
            w.write_sample((amp * s * full).round() as i32).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// `gainstage analyze ARGS` in a home of its own.
fn gainstage(args: &[&std::ffi::OsStr]) -> Output {
    let home = tempfile::tempdir().unwrap();
    cli::gainstage(home.path())
        .arg("analyze")
        .args(args)
        .output()
        .unwrap()
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

fn near(v: &Value, key: &str, want: f64, tol: f64) {
    let got = num(v, key);
    assert!(
        (got - want).abs() <= tol,
        "{key}: {got}, want {want} ± {tol}"
    );
}

#[test]
fn json_reports_every_readable_file_and_names_the_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let stereo = dir.path().join("stereo.wav");
    let wide = dir.path().join("wide.wav");
    let broken = dir.path().join("broken.wav");
    write(&stereo, &[Some(-20.0), Some(-20.0)]);
    let mut eight = vec![Some(-12.0); 8];
    eight[4] = None;
    write(&wide, &eight);
    std::fs::write(&broken, b"not a wav").unwrap();

    let out = gainstage(&[
        stereo.as_os_str(),
        broken.as_os_str(),
        "--json".as_ref(),
        wide.as_os_str(),
    ]);
    assert!(
        !out.status.success(),
        "a broken file makes the exit status non-zero"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("broken.wav"), "{stderr}");

    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = json.as_array().unwrap();
    assert_eq!(files.len(), 2);

    let s = &files[0];
    assert_eq!(s["file"].as_str().unwrap(), stereo.to_str().unwrap());
    assert_eq!(s["sample_rate"], 48_000);
    assert_eq!(s["channels"], 2);
    near(s, "duration_s", 12.0, 1e-9);
    let chans = s["per_channel"].as_array().unwrap();
    assert_eq!(chans.len(), 2);
    for (k, c) in chans.iter().enumerate() {
        assert_eq!(c["channel"], k + 1);
        near(c, "sample_peak_dbfs", -20.0, 0.01);
        // A 1 kHz sine's true peak is its amplitude to 0.01 dB at 4x.
        near(c, "true_peak_dbtp", -20.0, 0.01);
        assert_eq!(c["clipped_samples"], 0);
        assert_eq!(c["overs"], 0);
        assert_eq!(c["invalid_samples"], 0);
        near(c, "rms_dbfs", -23.01, 0.02);
        // One channel of a -20 dBFS sine is a mono programme: 3.01 LU under stereo.
        near(c, "max_momentary_lufs", -23.01, 0.1);
        near(c, "max_short_term_lufs", -23.01, 0.1);
        near(c, "integrated_lufs", -23.01, 0.1);
        near(c, "loudness_range_lu", 0.0, 0.1);
        near(c, "plr_db", 3.01, 0.02);
        assert!(c["dc_offset_dbfs"].is_null(), "{c}");
        // A steady sine's 50 ms RMS, read as the centre of its 0.1 dB bin.
        near(c, "noise_floor_dbfs", -23.01, 0.06);
        assert_eq!(c["warnings"], Value::Array(vec![]));
    }
    let p = &s["program"];
    near(p, "integrated_lufs", -20.0, 0.1);
    near(p, "loudness_range_lu", 0.0, 0.1);
    near(p, "true_peak_dbtp", -20.0, 0.01);

    let w = &files[1];
    assert_eq!(w["channels"], 8);
    assert!(
        w["program"].is_null(),
        "no standard weighting for 8 channels"
    );
    let chans = w["per_channel"].as_array().unwrap();
    assert_eq!(chans.len(), 8);
    let silent = &chans[4];
    assert_eq!(silent["channel"], 5);
    for key in [
        "sample_peak_dbfs",
        "true_peak_dbtp",
        "rms_dbfs",
        "max_momentary_lufs",
        "integrated_lufs",
        "plr_db",
        "noise_floor_dbfs",
        "dc_offset_dbfs",
    ] {
        assert!(silent[key].is_null(), "{key} of silence: {}", silent[key]);
    }
    near(&chans[7], "sample_peak_dbfs", -12.0, 0.01);
}

#[test]
fn over_len_and_table_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clipped.wav");
    let spec = WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: SampleFormat::Int,
    };
    let mut w = WavWriter::create(&path, spec).unwrap();
    // Runs of 1, 2 and 4 full-scale samples.
    for run in [1, 2, 4] {
        for _ in 0..run {
            w.write_sample(i16::MAX).unwrap();
        }
        for _ in 0..100 {
            w.write_sample(0i16).unwrap();
        }
    }
    w.finalize().unwrap();

    for (over_len, overs) in [("1", 3), ("2", 2), ("3", 1), ("5", 0)] {
        let out = gainstage(&[
            path.as_os_str(),
            "--json".as_ref(),
            "--over-len".as_ref(),
            over_len.as_ref(),
        ]);
        assert!(out.status.success());
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &json[0]["per_channel"][0];
        assert_eq!(c["clipped_samples"], 7);
        assert_eq!(c["overs"], overs, "over_len {over_len}");
        assert_eq!(c["longest_clip_run"], 4);
    }

    let out = gainstage(&[path.as_os_str()]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains("clipped.wav"), "{table}");
    assert!(lines[1].split_whitespace().any(|h| h == "clips"), "{table}");
    let row: Vec<&str> = lines[3].split_whitespace().collect();
    assert_eq!(row[0], "1");
    assert_eq!(row[3], "7", "{table}");
    // Right-aligned columns: every row of the table has the header's width.
    assert_eq!(lines[1].len(), lines[3].len(), "{table}");
}

#[test]
fn a_truncated_file_is_reported_marked_and_fails_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.wav");
    write(&full, &[Some(-6.0), Some(-12.0)]);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() / 2 + 1]).unwrap();

    let out = gainstage(&["--json".as_ref(), cut.as_os_str()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("cut.wav") && stderr.contains("truncated"),
        "{stderr}"
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &json[0];
    assert_eq!(f["truncated"], true);
    let secs = num(f, "duration_s");
    assert!(secs > 5.0 && secs < 7.0, "{secs}");
    near(&f["per_channel"][0], "sample_peak_dbfs", -6.0, 0.01);
    near(&f["per_channel"][1], "sample_peak_dbfs", -12.0, 0.01);
}

fn warning_kinds(ch: &Value) -> Vec<String> {
    ch["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn warnings_are_judged_over_the_whole_take_by_the_chosen_preset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("take.wav");
    write(&path, &[Some(-3.0), Some(-12.0), Some(-7.0), None]);

    let out = gainstage(&["--json".as_ref(), path.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ch = v[0]["per_channel"].as_array().unwrap();
    // -3 dBTP against the generic -12 dBTP target: 9 dB down.
    assert_eq!(warning_kinds(&ch[0]), vec!["hot"]);
    assert_eq!(
        ch[0]["warnings"][0]["suggested_gain_db"].as_f64(),
        Some(-9.0)
    );
    assert!(
        ch[0]["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Input 1")
    );
    // A well-staged channel, and one just under the generic hot threshold, are left alone.
    assert!(warning_kinds(&ch[1]).is_empty(), "{}", ch[1]);
    assert!(warning_kinds(&ch[2]).is_empty(), "{}", ch[2]);
    assert_eq!(warning_kinds(&ch[3]), vec!["no_signal"]);

    // The kick preset keeps more margin: -7 dBTP is hot there (target -16: 9 dB down).
    let out = gainstage(&[
        "--json".as_ref(),
        "--preset".as_ref(),
        "kick".as_ref(),
        path.as_os_str(),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ch = &v[0]["per_channel"][2];
    assert_eq!(warning_kinds(ch), vec!["hot"]);
    assert_eq!(ch["warnings"][0]["suggested_gain_db"].as_f64(), Some(-9.0));

    let out = gainstage(&["--preset".as_ref(), "tuba".as_ref(), path.as_os_str()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown preset 'tuba'"));
}
