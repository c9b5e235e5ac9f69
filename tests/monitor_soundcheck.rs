//! `gainstage monitor --soundcheck SECS`: listens, then one `{"soundcheck": [...]}` line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/sines.rs"]
mod sines;
use sines::write_sines;

fn run(wav: &std::path::Path, data: &std::path::Path, json: bool) -> String {
    run_with(wav, data, json, &[])
}

fn run_with(wav: &std::path::Path, data: &std::path::Path, json: bool, extra: &[&str]) -> String {
    let mut args = vec![
        "monitor",
        "--file",
        wav.to_str().unwrap(),
        "--soundcheck",
        "2",
    ];
    args.extend(["--interval", "200"]);
    if json {
        args.push("--json");
    }
    args.extend(extra);
    cli::stdout_of(cli::gainstage(data).args(&args))
}

#[test]
fn hot_channel_turn_down_quiet_channel_turn_up() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("check.wav");
    write_sines(&wav, &[-3.0, -40.0], 4);
    let stdout = run(&wav, dir.path(), true);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let results = last["soundcheck"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{last}");
    assert_eq!(results[0]["channel"], 1);
    assert_eq!(results[0]["status"], "turn_down", "{last}");
    assert_eq!(results[0]["suggested_gain_db"], -9.0, "{last}");
    assert_eq!(results[1]["status"], "turn_up", "{last}");
    // The usual lines come first.
    assert!(stdout.lines().count() > 2);
}

#[test]
fn table_soundcheck_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("check.wav");
    write_sines(&wav, &[-3.0, -40.0], 3);
    let stdout = run(&wav, dir.path(), false);
    let tail = stdout.rsplit("soundcheck:").next().unwrap();
    assert!(tail.contains("turn_down"), "{tail}");
    assert!(tail.contains("-9.0"), "{tail}");
    assert!(tail.contains("turn_up"), "{tail}");
}

#[test]
fn a_template_gives_each_channel_its_preset() {
    use gainstage::advisor::{ChannelSetup, SessionTemplate, SourcePreset};
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("check.wav");
    write_sines(&wav, &[-7.0, -7.0], 4);
    let template = SessionTemplate {
        channels: vec![ChannelSetup {
            channel: 1,
            name: "Kick in".into(),
            preset: SourcePreset::Kick,
        }],
        ..SessionTemplate::default()
    };
    template
        .save_in(&dir.path().join("config"), "band")
        .unwrap();

    let stdout = run_with(&wav, dir.path(), true, &["--template", "band"]);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let results = last["soundcheck"].as_array().unwrap();
    // Kick keeps more margin (target -16 dBTP): -7 dBTP is 9 dB too hot there ...
    assert_eq!(results[0]["status"], "turn_down", "{last}");
    assert_eq!(results[0]["suggested_gain_db"], -9.0, "{last}");
    // ... while the unlisted channel falls back to generic (target -12 dBTP): 5 dB.
    assert_eq!(results[1]["suggested_gain_db"], -5.0, "{last}");

    // --preset sets the fallback for every unlisted channel.
    let stdout = run_with(&wav, dir.path(), true, &["--preset", "snare"]);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["soundcheck"][1]["suggested_gain_db"], -9.0, "{last}");
}
