//! ALSA with no hardware: a PCM in a private `HOME/.asoundrc` reads a raw 10-channel 32-bit
//! file through the `file` plugin (`infile`), wrapped in `plug`, with a hint so it is listed.
//! Each channel carries its own level; all ten must come out of `gainstage monitor --json`.
// ALSA is Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

#[path = "support/cli.rs"]
mod cli;

const CHANNELS: usize = 10;
const RATE: u32 = 48_000;

fn level_db(c: usize) -> f64 {
    -2.0 * (c as f64 + 1.0)
}

/// Three seconds of 1 kHz sines, S32_LE interleaved, channel c at `level_db(c)`.
fn write_raw(path: &std::path::Path) {
    write_raw_at(path, level_db);
}

fn write_raw_at(path: &std::path::Path, level_db: impl Fn(usize) -> f64) {
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
    pcm("gainstage_test", raw, "gainstage ten-channel test source")
}

fn pcm(name: &str, raw: &std::path::Path, description: &str) -> String {
    format!(
        r#"pcm.{name} {{
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
        description "{description}"
    }}
}}
"#,
        raw.display()
    )
}

fn gainstage(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    cli::gainstage(home).args(args).output().unwrap()
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

/// `--device gsfile` opens the PCM named exactly that, as `arecord -D gsfile` would, though
/// `gsfileraw` contains the same letters; a part both share is still ambiguous.
#[test]
fn exact_pcm_name_wins_over_a_longer_pcm_containing_it() {
    let home = tempfile::tempdir().unwrap();
    let (exact, longer) = (
        home.path().join("exact.raw"),
        home.path().join("longer.raw"),
    );
    write_raw(&exact);
    write_raw_at(&longer, |_| -40.0);
    let rc =
        pcm("gsfile", &exact, "gainstage exact") + &pcm("gsfileraw", &longer, "gainstage longer");
    std::fs::write(home.path().join(".asoundrc"), rc).unwrap();
    let monitor = |device: &str| {
        gainstage(
            home.path(),
            &[
                "monitor",
                "--host",
                "alsa",
                "--device",
                device,
                "--channels",
                "10",
                "--json",
                "--duration",
                "0.5",
                "--interval",
                "250",
            ],
        )
    };
    let out = monitor("gsfile");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let summary: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    for (c, ch) in summary["channels"].as_array().unwrap().iter().enumerate() {
        let peak = ch["max_sample_peak_dbfs"].as_f64().unwrap();
        assert!(
            (peak - level_db(c)).abs() < 0.05,
            "channel {} peak {peak}: not gsfile",
            c + 1
        );
    }
    let out = monitor("gsfil");
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("matches several")
            && err.contains("alsa:gsfile ")
            && err.contains("alsa:gsfileraw"),
        "{err}"
    );
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
