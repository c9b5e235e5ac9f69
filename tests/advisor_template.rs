#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Session templates: TOML round trip, and a corrupt file is reported, kept and not used.

use gainstage::advisor::template::{list_templates_in, template_path_in};
use gainstage::advisor::{
    ChannelSetup, PresetParams, SessionTemplate, SourcePreset, TemplateError,
};

fn band() -> SessionTemplate {
    let mut t = SessionTemplate {
        channels: (1..=4)
            .map(|channel| ChannelSetup {
                channel,
                name: format!("Input {channel}"),
                preset: SourcePreset::Generic,
            })
            .collect(),
        ..SessionTemplate::default()
    };
    t.channels[0].name = "Kick in".into();
    t.channels[0].preset = SourcePreset::Kick;
    t.channels[1].name = "Lead vox".into();
    t.channels[1].preset = SourcePreset::Vocal;
    t.channels[3] = ChannelSetup {
        channel: 4,
        name: "Nord".into(),
        preset: SourcePreset::KeysLine,
    };
    t.presets.set(
        SourcePreset::Vocal,
        PresetParams {
            target_dbtp: -16.0,
            hot_dbtp: -10.0,
            reason: "Our singer belts the last chorus.".into(),
            ..SourcePreset::Vocal.params()
        },
    );
    t
}

#[test]
fn template_round_trips_through_toml() {
    let dir = tempfile::tempdir().unwrap();
    let t = band();
    let path = t.save_in(dir.path(), "friday-band").unwrap();
    assert_eq!(path, dir.path().join("templates/friday-band.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("preset = \"keys_line\""), "{text}");
    assert!(
        text.contains("[vocal]") || text.contains("[presets.vocal]"),
        "{text}"
    );

    let back = SessionTemplate::load_from(dir.path(), "friday-band").unwrap();
    assert_eq!(back, t);
    assert_eq!(back.channel_name(2), "Lead vox");
    assert_eq!(back.channel_name(9), "Input 9");
    assert_eq!(back.params(2).target_dbtp, -16.0);
    assert_eq!(back.params(1), SourcePreset::Kick.params());
}

#[test]
fn hand_written_minimal_template_loads_with_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = template_path_in(dir.path(), "min").unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "[[channels]]\nchannel = 1\nname = \"Bass\"\npreset = \"bass_di\"\n\n[presets.bass_di]\ntarget_dbtp = -9.0\n",
    )
    .unwrap();
    let t = SessionTemplate::load_from(dir.path(), "min").unwrap();
    assert_eq!(t.preset(1), SourcePreset::BassDi);
    let p = t.params(1);
    assert_eq!(p.target_dbtp, -9.0);
    // Fields not written keep the bass preset's own values, not the generic ones.
    assert_eq!(p.hot_dbtp, -5.0);
    assert!(!p.check_rumble);
}

#[test]
fn corrupt_template_is_reported_kept_and_defaults_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = template_path_in(dir.path(), "broken").unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let garbage = "[[channels]\nchannel = \"one\n";
    std::fs::write(&path, garbage).unwrap();

    let err = SessionTemplate::load_from(dir.path(), "broken").unwrap_err();
    assert!(matches!(err, TemplateError::Corrupt { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("broken.toml"), "{msg}");
    assert!(msg.contains("defaults used"), "{msg}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), garbage);

    // A preset name that does not exist is corrupt too, not silently generic.
    std::fs::write(&path, "[[channels]]\nchannel = 1\npreset = \"tuba\"\n").unwrap();
    let err = SessionTemplate::load_from(dir.path(), "broken").unwrap_err();
    assert!(err.to_string().contains("tuba"), "{err}");
}

#[test]
fn load_reads_the_config_dir_and_keeps_a_corrupt_file() {
    // The only test in this binary that reads GAINSTAGE_CONFIG_DIR; it runs in a child
    // process so the variable never leaks into other tests.
    if std::env::var_os("ADVISOR_TEMPLATE_CHILD").is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = template_path_in(dir.path(), "broken").unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "not = [toml").unwrap();
        band().save_in(dir.path(), "band").unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "load_reads_the_config_dir_and_keeps_a_corrupt_file",
                "--exact",
                "--nocapture",
            ])
            .env("ADVISOR_TEMPLATE_CHILD", "1")
            .env("GAINSTAGE_CONFIG_DIR", dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not = [toml");
        return;
    }
    let err = SessionTemplate::load("broken").unwrap_err();
    assert!(matches!(err, TemplateError::Corrupt { .. }), "{err:?}");
    assert_eq!(SessionTemplate::load("band").unwrap(), band());
    let config = std::env::var_os("GAINSTAGE_CONFIG_DIR").unwrap();
    assert_eq!(
        list_templates_in(std::path::Path::new(&config)),
        vec!["band".to_string(), "broken".to_string()]
    );
    let err = SessionTemplate::load("../escape").unwrap_err();
    assert!(matches!(err, TemplateError::BadName(_)), "{err:?}");
}
