//! The live presets for a DAW's output, `mix_bus` and `master`: listed with the others (the
//! GUI's preset list and templates take them by name), judged by the stage margins, and
//! advised in the words of the control that sets their level.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use gainstage::advisor::judge::{Evidence, judge_evidence};
use gainstage::advisor::stage::MixMargin;
use gainstage::advisor::{GainControl, SessionTemplate, SourcePreset, WarningKind};

fn evidence(peak_dbtp: f64) -> Evidence {
    Evidence {
        channel: 1,
        overs: 0,
        longest_clip_run_ms: 0.0,
        peak_dbtp,
        sample_peak_dbfs: peak_dbtp,
        dc_offset: 0.0,
        low_band_share: 0.0,
        rms_dbfs: peak_dbtp - 12.0,
        body_rms_dbfs: peak_dbtp - 12.0,
        noise_floor_dbfs: peak_dbtp - 40.0,
    }
}

#[test]
fn both_presets_are_listed_and_named() {
    for (p, name) in [
        (SourcePreset::MixBus, "mix_bus"),
        (SourcePreset::Master, "master"),
    ] {
        assert!(SourcePreset::ALL.contains(&p));
        assert_eq!(p.name(), name);
        assert_eq!(SourcePreset::from_name(name), Some(p));
    }
}

#[test]
fn the_mix_bus_preset_warns_over_the_mastering_margin() {
    let p = SourcePreset::MixBus.params();
    assert_eq!(p.hot_dbtp, MixMargin::default().ceiling_dbtp);
    assert_eq!(p.control, GainControl::MixBus);
    // -1.2 dBTP is over -3: pull the bus down to the -6 dBTP target, 4.8 dB, rounded to 5.
    let w = judge_evidence(&evidence(-1.2), &p);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].kind, WarningKind::Hot);
    assert_eq!(w[0].suggested_gain_db, Some(-5.0));
    assert!(
        w[0].message.ends_with("pull the mix bus down about 5 dB"),
        "{}",
        w[0].message
    );
    // Under the margin: nothing to say.
    assert!(judge_evidence(&evidence(-4.0), &p).is_empty());
}

#[test]
fn the_master_preset_warns_over_minus_one_dbtp() {
    let p = SourcePreset::Master.params();
    assert_eq!(p.hot_dbtp, -1.0);
    let w = judge_evidence(&evidence(-0.3), &p);
    assert_eq!(w[0].kind, WarningKind::Hot);
    assert_eq!(w[0].suggested_gain_db, Some(-1.0));
    assert!(
        w[0].message
            .contains("turn the master output down about 1 dB"),
        "{}",
        w[0].message
    );
    assert!(judge_evidence(&evidence(-1.5), &p).is_empty());
}

#[test]
fn templates_keep_the_new_presets() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[[channels]]\nchannel = 1\nname = \"DAW L\"\npreset = \"mix_bus\"\n\n[[channels]]\nchannel = 2\nname = \"Print\"\npreset = \"master\"\n";
    let t = SessionTemplate::from_toml(text, Path::new("daw.toml")).unwrap();
    assert_eq!(t.preset(1), SourcePreset::MixBus);
    assert_eq!(t.preset(2), SourcePreset::Master);
    t.save_in(dir.path(), "daw").unwrap();
    let back = SessionTemplate::load_from(dir.path(), "daw").unwrap();
    assert_eq!(back, t);
}
