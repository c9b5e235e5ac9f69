//! `monitor --meter KIND [--alignment DBFS]`: each JSON line carries the chosen programme
//! meter's reading, on its own scale, against an alignment tone written here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::Value;

#[path = "support/cli.rs"]
mod cli;

const RATE: u32 = 48_000;

/// Two channels, 2 s: a 1 kHz sine at -18 dBFS (EBU alignment tone) and one at -8 dBFS.
fn write_tones(path: &Path) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..2 * RATE {
        let s = (std::f64::consts::TAU * 1000.0 * f64::from(i) / f64::from(RATE)).sin();
        for dbfs in [-18.0f64, -8.0] {
            w.write_sample((s * 10f64.powf(dbfs / 20.0)) as f32)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

/// The JSON lines of `monitor --file wav --json` with `extra`, summary left out.
fn lines(wav: &Path, extra: &[&str]) -> Vec<Value> {
    let home = wav.parent().unwrap();
    let mut args = vec!["monitor", "--file", wav.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    cli::json_lines(&cli::stdout_of(cli::gainstage(home).args(&args)))
        .into_iter()
        .filter(|v| v.get("summary").is_none())
        .collect()
}

/// The meter's scale reading per channel on the last line that is 1.2 s or more into the
/// tone (every meter has settled by then) and still running.
fn settled(lines: &[Value]) -> Vec<Value> {
    let line = lines
        .iter()
        .rev()
        .find(|l| l["t_s"].as_f64().unwrap() >= 1.2 && l["state"] == "running")
        .expect("a line after 1.2 s");
    line["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["meter"].clone())
        .collect()
}

#[test]
fn the_alignment_tone_reads_ppm_4_and_10_db_up_reads_two_and_a_half_marks_up() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tones.wav");
    write_tones(&wav);
    let m = settled(&lines(&wav, &["--meter", "bbc-ppm"]));
    assert_eq!(m[0]["kind"], "bbc-ppm");
    assert_eq!(m[0]["unit"], "PPM");
    assert_eq!(m[0]["alignment_dbfs"], -18.0);
    let ppm = |c: &Value| c["scale"].as_f64().unwrap();
    assert!((ppm(&m[0]) - 4.0).abs() <= 0.03, "{}", m[0]);
    assert!((ppm(&m[1]) - 6.5).abs() <= 0.03, "{}", m[1]);
}

#[test]
fn the_alignment_moves_zero_vu_and_the_k_meters_keep_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tones.wav");
    write_tones(&wav);
    // SMPTE alignment: the -18 dBFS tone reads +2 VU (the needle's 1.25 % overshoot has
    // passed by 1.2 s).
    let m = settled(&lines(&wav, &["--meter", "vu", "--alignment", "-20"]));
    assert_eq!(m[0]["alignment_dbfs"], -20.0);
    assert!(
        (m[0]["scale"].as_f64().unwrap() - 2.0).abs() <= 0.05,
        "{}",
        m[0]
    );
    assert!(
        (m[0]["dbfs"].as_f64().unwrap() + 18.0).abs() <= 0.05,
        "{}",
        m[0]
    );
    // K-14: its zero is -14 dBFS whatever --alignment says; the -8 dBFS tone reads +6.
    let m = settled(&lines(&wav, &["--meter", "k14", "--alignment", "-20"]));
    assert_eq!(m[1]["alignment_dbfs"], -14.0);
    assert!(
        (m[1]["scale"].as_f64().unwrap() - 6.0).abs() <= 0.05,
        "{}",
        m[1]
    );
}

#[test]
fn without_meter_no_line_carries_the_key_and_alignment_needs_a_meter() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tones.wav");
    write_tones(&wav);
    let all = lines(&wav, &[]);
    assert!(!all.is_empty());
    assert!(all.iter().all(|l| l["channels"][0].get("meter").is_none()));
    // The held true peak is published with the sample hold.
    let last = all.last().unwrap();
    let tp = last["channels"][1]["true_peak_hold_dbtp"].as_f64().unwrap();
    assert!((tp + 8.0).abs() <= 0.1, "{tp}");
    let out = cli::gainstage(dir.path())
        .args([
            "monitor",
            "--file",
            wav.to_str().unwrap(),
            "--alignment",
            "-18",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
