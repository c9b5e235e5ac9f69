//! ALSA with no hardware: a PCM in a private `HOME/.asoundrc` reads a raw 10-channel 32-bit
//! file through the `file` plugin (`infile`), wrapped in `plug`, with a hint so it is listed.
//! Each channel carries its own level; all ten must come out of `gainstage monitor --json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::Command;

const CHANNELS: usize = 10;
const RATE: u32 = 48_000;

fn level_db(c: usize) -> f64 {
    -2.0 * (c as f64 + 1.0)
}

/// Three seconds of 1 kHz sines, S32_LE interleaved, channel c at `level_db(c)`.
fn write_raw(path: &std::path::Path) {
    let mut bytes = Vec::with_capacity(RATE as usize * 3 * CHANNELS * 4);
    for i in 0..RATE as usize * 3 {
        let s = (std::f64::consts::TAU * 1000.0 * i as f64 / f64::from(RATE)).sin();
        for c in 0..CHANNELS {
            let a = 10f64.powf(level_db(c) / 20.0);
            bytes.extend_from_slice(&((a * s * f64::from(i32::MAX)).round() as i32).to_le_bytes());
        }
    }
    std::fs::write(path, bytes).unwrap();
}

fn asoundrc(raw: &std::path::Path) -> String {
    format!(
        r#"pcm.gainstage_test {{
    type plug
    slave {{
        pcm {{
            type file
            slave.pcm "null"
            file "/dev/null"
            infile "{}"
            format "raw"
        }}
        format S32_LE
        channels {CHANNELS}
        rate {RATE}
    }}
    hint {{
        show on
        description "gainstage ten-channel test source"
    }}
}}
"#,
        raw.display()
    )
}

fn gainstage(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gainstage"))
        .args(args)
        .env("HOME", home)
        // XDG_* from the caller's environment would win over HOME: name the dirs outright.
        .env("GAINSTAGE_CONFIG_DIR", home)
        .env("GAINSTAGE_DATA_DIR", home)
        .output()
        .unwrap()
}

#[test]
fn ten_channel_32_bit_file_pcm_reads_each_level() {
    let home = tempfile::tempdir().unwrap();
    let raw = home.path().join("take.raw");
    write_raw(&raw);
    let mut rc = std::fs::File::create(home.path().join(".asoundrc")).unwrap();
    rc.write_all(asoundrc(&raw).as_bytes()).unwrap();

    let listed = gainstage(home.path(), &["devices", "--host", "alsa", "--json"]);
    assert!(listed.status.success());
    let hosts: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let dev = hosts[0]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "alsa:gainstage_test")
        .expect("the hinted PCM is listed");
    assert_eq!(dev["name"], "gainstage ten-channel test source");

    let out = gainstage(
        home.path(),
        &[
            "monitor",
            "--host",
            "alsa",
            "--device",
            "GAINSTAGE_TEST",
            "--channels",
            "10",
            "--json",
            "--duration",
            "1.5",
            "--interval",
            "250",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"], true);
    let running = lines.iter().filter(|l| l["state"] == "running").count();
    assert!(running >= 3, "running lines: {running}");
    for (c, ch) in summary["channels"].as_array().unwrap().iter().enumerate() {
        let peak = ch["max_sample_peak_dbfs"].as_f64().unwrap();
        assert!(
            (peak - level_db(c)).abs() < 0.05,
            "channel {} peak {peak}",
            c + 1
        );
        assert_eq!(ch["clipped_samples"], 0);
    }
    let line = &lines[lines.len() - 2];
    for (c, ch) in line["channels"].as_array().unwrap().iter().enumerate() {
        let peak = ch["sample_peak_dbfs"].as_f64().unwrap();
        assert!(
            (peak - level_db(c)).abs() < 0.05,
            "line: channel {} peak {peak}",
            c + 1
        );
    }
}

#[test]
fn unknown_device_is_one_clear_line_and_a_failure() {
    let home = tempfile::tempdir().unwrap();
    let out = gainstage(
        home.path(),
        &[
            "monitor",
            "--host",
            "alsa",
            "--device",
            "no-such-interface",
            "--json",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no input device matches \"no-such-interface\""),
        "{err}"
    );
    assert!(err.contains("alsa:null"), "candidates are listed: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unsupported_configuration_is_one_clear_line_and_a_failure() {
    let home = tempfile::tempdir().unwrap();
    let out = gainstage(
        home.path(),
        &[
            "monitor",
            "--host",
            "alsa",
            "--device",
            "alsa:null",
            "--channels",
            "100",
            "--json",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("at most 64 input channels") && err.contains("--channels 64"),
        "{err}"
    );
}
