#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each warning fires on its signal with the right advice, and a well-staged take gets none.

mod advisor_common;

use std::f64::consts::TAU;

use advisor_common::*;
use gainstage::advisor::{PresetParams, SourcePreset, Warning, WarningKind, judge_take};

fn judge(preset: SourcePreset, secs: f64, signal: impl FnMut(f64) -> f64) -> Vec<Warning> {
    let r = meter_take(secs, signal);
    judge_take(3, &r, &preset.params(), RATE)
}

fn kinds(ws: &[Warning]) -> Vec<WarningKind> {
    ws.iter().map(|w| w.kind).collect()
}

fn only(ws: &[Warning], kind: WarningKind) -> &Warning {
    assert_eq!(kinds(ws), vec![kind], "{ws:#?}");
    &ws[0]
}

#[test]
fn well_staged_take_gets_no_warnings() {
    let ws = judge(SourcePreset::Generic, 15.0, phrases(220.0, -12.0, -80.0));
    assert!(ws.is_empty(), "{ws:#?}");
}

#[test]
fn steady_tone_is_not_noisy() {
    // A sustained tone's quietest 50 ms are its body: there is no floor to judge.
    for level in [-12.0, -20.0, -40.0] {
        let ws = judge(SourcePreset::Generic, 15.0, move |t| {
            amp(level) * (TAU * 440.0 * t).sin()
        });
        assert!(
            !kinds(&ws).contains(&WarningKind::Noisy),
            "{level}: {ws:#?}"
        );
    }
    let ws = judge(SourcePreset::Generic, 15.0, |t| {
        amp(-12.0) * (TAU * 440.0 * t).sin()
    });
    assert!(ws.is_empty(), "{ws:#?}");
}

#[test]
fn swelling_pad_is_not_noisy() {
    // 6 dB slow swells: quieter stretches, but part of the music, not under it.
    let ws = judge(SourcePreset::Generic, 15.0, |t| {
        let swell = amp(-6.0 * (0.5 + 0.5 * (TAU * 0.25 * t).sin()));
        amp(-12.0) * swell * (TAU * 330.0 * t).sin()
    });
    assert!(ws.is_empty(), "{ws:#?}");
}

#[test]
fn hot_take_suggests_reaching_the_target() {
    let ws = judge(SourcePreset::Generic, 10.0, phrases(1000.0, -3.0, -80.0));
    let w = only(&ws, WarningKind::Hot);
    assert_eq!(w.suggested_gain_db, Some(-9.0));
    assert!(w.message.starts_with("Input 3:"), "{}", w.message);
    assert!(w.message.contains("down about 9 dB"), "{}", w.message);
}

#[test]
fn low_take_suggests_turning_up() {
    let ws = judge(SourcePreset::Generic, 10.0, phrases(1000.0, -40.0, -90.0));
    let w = only(&ws, WarningKind::Low);
    assert_eq!(w.suggested_gain_db, Some(28.0));
    assert!(w.message.contains("up about 28 dB"), "{}", w.message);
}

#[test]
fn clipped_take_suggests_a_big_cut_and_not_also_hot() {
    // A sine driven 3.5 dB past full scale, clipped flat by the converter.
    let ws = judge(SourcePreset::Generic, 5.0, |t| {
        amp(3.5) * (TAU * 1000.0 * t).sin()
    });
    let w = only(&ws, WarningKind::Clip);
    let gain = w.suggested_gain_db.unwrap();
    assert!(gain <= -12.0, "{gain}");
    assert_eq!(gain * 2.0, (gain * 2.0).round());
}

#[test]
fn long_clipped_runs_ask_for_more_than_a_touch() {
    // One sample touching full scale in a take peaking at -20: at least 6 dB, here the cut
    // that brings the 0 dBTP peak to the target.
    let touch = judge(SourcePreset::Generic, 5.0, |t| {
        if (t * f64::from(RATE)).round() as u64 == 100_000 {
            1.0
        } else {
            amp(-20.0) * (TAU * 200.0 * t).sin()
        }
    });
    // A 50 Hz sine 12 dB past full scale: flat tops of several ms.
    let long = judge(SourcePreset::Generic, 5.0, |t| {
        amp(12.0) * (TAU * 50.0 * t).sin()
    });
    let touch = only(&touch, WarningKind::Clip).suggested_gain_db.unwrap();
    let long = kinds(&long)
        .iter()
        .position(|k| *k == WarningKind::Clip)
        .map(|i| long[i].suggested_gain_db.unwrap())
        .unwrap();
    assert_eq!(touch, -12.0);
    assert_eq!(long, -18.0);
}

#[test]
fn silent_channel_is_no_signal_not_low() {
    let ws = judge(SourcePreset::Generic, 6.0, |_| 0.0);
    let w = only(&ws, WarningKind::NoSignal);
    assert_eq!(w.suggested_gain_db, None);
    assert!(w.message.contains("phantom"), "{}", w.message);
    // A dead input's hiss at -90 dBFS is still nothing.
    let mut n = Noise::new(3);
    let ws = judge(SourcePreset::Generic, 6.0, move |_| {
        noise_amp(-90.0) * n.sample()
    });
    only(&ws, WarningKind::NoSignal);
}

#[test]
fn dc_offset_fires_and_is_not_mistaken_for_rumble() {
    let mut take = phrases(220.0, -14.0, -80.0);
    let ws = judge(SourcePreset::Generic, 10.0, move |t| take(t) + 0.02);
    let w = only(&ws, WarningKind::DcOffset);
    assert!(w.message.contains("-34"), "{}", w.message);
}

#[test]
fn rumble_fires_except_for_kick_and_bass() {
    let signal = || {
        let mut take = phrases(220.0, -14.0, -80.0);
        move |t: f64| take(t) + amp(-20.0) * (TAU * 20.0 * t).sin()
    };
    let ws = judge(SourcePreset::Generic, 10.0, signal());
    let w = only(&ws, WarningKind::Rumble);
    assert!(w.message.contains("high-pass"), "{}", w.message);
    assert_eq!(w.suggested_gain_db, None);
    for preset in [
        SourcePreset::Kick,
        SourcePreset::BassDi,
        SourcePreset::BassAmp,
    ] {
        let ws = judge(preset, 10.0, signal());
        assert!(
            !kinds(&ws).contains(&WarningKind::Rumble),
            "{preset}: {ws:#?}"
        );
    }
}

#[test]
fn noise_between_phrases_is_noisy() {
    let ws = judge(SourcePreset::Generic, 15.0, phrases(220.0, -12.0, -42.0));
    let w = only(&ws, WarningKind::Noisy);
    assert!(w.message.contains("hum"), "{}", w.message);
}

#[test]
fn presets_change_the_verdict_on_the_same_take() {
    let r = meter_take(10.0, phrases(1000.0, -7.0, -80.0));
    let generic = judge_take(1, &r, &SourcePreset::Generic.params(), RATE);
    let vocal = judge_take(1, &r, &SourcePreset::Vocal.params(), RATE);
    assert!(generic.is_empty(), "{generic:#?}");
    let w = only(&vocal, WarningKind::Hot);
    assert_eq!(w.suggested_gain_db, Some(-7.0));

    let r = meter_take(10.0, phrases(1000.0, -5.0, -80.0));
    assert_eq!(
        kinds(&judge_take(1, &r, &SourcePreset::Generic.params(), RATE)),
        vec![WarningKind::Hot]
    );
    assert!(judge_take(1, &r, &SourcePreset::KeysLine.params(), RATE).is_empty());
}

#[test]
fn user_edited_params_apply() {
    let r = meter_take(10.0, phrases(1000.0, -9.0, -80.0));
    let strict = PresetParams {
        hot_dbtp: -10.0,
        target_dbtp: -18.0,
        ..PresetParams::default()
    };
    let ws = judge_take(1, &r, &strict, RATE);
    assert_eq!(only(&ws, WarningKind::Hot).suggested_gain_db, Some(-9.0));
    let off = PresetParams {
        check_hot: false,
        ..strict
    };
    assert!(judge_take(1, &r, &off, RATE).is_empty());
}

#[test]
fn every_preset_has_a_reason_and_sane_thresholds() {
    for p in SourcePreset::ALL {
        let params = p.params();
        assert!(!params.reason.is_empty(), "{p}");
        assert!(params.low_dbtp < params.target_dbtp && params.target_dbtp < params.hot_dbtp);
        assert_eq!(SourcePreset::from_name(p.name()), Some(p));
    }
}

#[test]
fn warnings_serialise_with_the_contract_names() {
    let ws = judge(SourcePreset::Generic, 6.0, |_| 0.0);
    let json = serde_json::to_value(&ws).unwrap();
    assert_eq!(json[0]["kind"], "no_signal");
    assert!(json[0]["suggested_gain_db"].is_null());
}

#[test]
fn hiss_only_take_is_not_told_to_turn_up() {
    let mut n = Noise::new(5);
    let ws = judge(SourcePreset::Generic, 10.0, move |_| {
        noise_amp(-60.0) * n.sample()
    });
    assert!(ws.is_empty(), "{ws:#?}");
}
