//! EBU Tech 3341 (loudness, true peak) and Tech 3342 (LRA) minimum-requirement cases,
//! synthesized here. Each case runs mono (one channel meter: the stereo value minus 3.01 LU,
//! one channel instead of two) and stereo (the programme meter, or a two-channel bank for
//! true peak).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::PI;

use gainstage::meter::{ChannelMeter, MeterBank, MeterConfig, ProgramMeter};

const RATE: u32 = 48_000;
/// One channel carries half the power of an in-phase stereo pair.
const MONO_OFFSET_LU: f64 = 3.0103;
const LOUDNESS_TOL: f64 = 0.1;
const LRA_TOL: f64 = 1.0;

/// A 1 kHz sine in segments of (seconds, peak dBFS), phase continuous.
fn tone(segments: &[(f64, f64)]) -> Vec<f32> {
    let mut out = Vec::new();
    let mut n = 0u64;
    for &(secs, db) in segments {
        let amp = 10f64.powf(db / 20.0);
        let len = (secs * f64::from(RATE)).round() as u64;
        for _ in 0..len {
            let t = n as f64 / f64::from(RATE);
            out.push((amp * (2.0 * PI * 1000.0 * t).sin()) as f32);
            n += 1;
        }
    }
    out
}

/// A sine at `freq` with start phase `phase_deg` and linear peak `amp`, faded in over 20 ms:
/// a sine switched on at a non-zero sample is a step, and the interpolator's ringing on that
/// step (not the sine's inter-sample peak the case is about) would be read as true peak.
fn sine(freq: f64, phase_deg: f64, amp: f64, secs: f64) -> Vec<f32> {
    let len = (secs * f64::from(RATE)) as usize;
    let fade = (0.02 * f64::from(RATE)) as usize;
    (0..len)
        .map(|n| {
            let t = n as f64 / f64::from(RATE);
            let gain = if n < fade {
                0.5 - 0.5 * (PI * n as f64 / fade as f64).cos()
            } else {
                1.0
            };
            (gain * amp * (2.0 * PI * freq * t + phase_deg.to_radians()).sin()) as f32
        })
        .collect()
}

fn mono(signal: &[f32]) -> ChannelMeter {
    let mut m = ChannelMeter::new(RATE, &MeterConfig::default()).unwrap();
    // Odd block length on purpose: windows must not depend on how audio arrives.
    for block in signal.chunks(1001) {
        m.process(block);
    }
    m
}

fn stereo(signal: &[f32]) -> ProgramMeter {
    let mut p = ProgramMeter::new(2, RATE, 4096).unwrap().unwrap();
    for block in signal.chunks(1001) {
        p.process_planar(&[block, block]);
    }
    p
}

fn assert_near(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.3}, want {want:.3} ± {tol}"
    );
}

fn integrated_case(name: &str, segments: &[(f64, f64)], want_stereo: f64) {
    let signal = tone(segments);
    let m = mono(&signal).readings();
    assert_near(
        &format!("{name} mono I"),
        m.integrated_lufs,
        want_stereo - MONO_OFFSET_LU,
        LOUDNESS_TOL,
    );
    let p = stereo(&signal).readings();
    assert_near(
        &format!("{name} stereo I"),
        p.integrated_lufs,
        want_stereo,
        LOUDNESS_TOL,
    );
}

fn steady_case(name: &str, db: f64) {
    let signal = tone(&[(20.0, db)]);
    let m = mono(&signal).readings();
    let want = db - MONO_OFFSET_LU;
    assert_near(
        &format!("{name} mono M"),
        m.momentary_lufs,
        want,
        LOUDNESS_TOL,
    );
    assert_near(
        &format!("{name} mono S"),
        m.short_term_lufs,
        want,
        LOUDNESS_TOL,
    );
    assert_near(
        &format!("{name} mono I"),
        m.integrated_lufs,
        want,
        LOUDNESS_TOL,
    );
    assert_near(
        &format!("{name} mono max M"),
        m.max_momentary_lufs,
        want,
        LOUDNESS_TOL,
    );
    let p = stereo(&signal);
    assert_near(
        &format!("{name} stereo M"),
        p.momentary_lufs(),
        db,
        LOUDNESS_TOL,
    );
    assert_near(
        &format!("{name} stereo S"),
        p.short_term_lufs(),
        db,
        LOUDNESS_TOL,
    );
    assert_near(
        &format!("{name} stereo I"),
        p.readings().integrated_lufs,
        db,
        LOUDNESS_TOL,
    );
}

#[test]
fn tech3341_case1_minus23_dbfs_reads_minus23() {
    steady_case("case 1", -23.0);
}

#[test]
fn tech3341_case2_minus33_dbfs_reads_minus33() {
    steady_case("case 2", -33.0);
}

#[test]
fn tech3341_case3_gating_of_quiet_ends() {
    integrated_case(
        "case 3",
        &[(10.0, -36.0), (60.0, -23.0), (10.0, -36.0)],
        -23.0,
    );
}

#[test]
fn tech3341_case4_absolute_and_relative_gate() {
    integrated_case(
        "case 4",
        &[
            (10.0, -72.0),
            (10.0, -36.0),
            (60.0, -23.0),
            (10.0, -36.0),
            (10.0, -72.0),
        ],
        -23.0,
    );
}

#[test]
fn tech3341_case5_loud_middle() {
    integrated_case(
        "case 5",
        &[(20.0, -26.0), (20.1, -20.0), (20.0, -26.0)],
        -23.0,
    );
}

/// Feeds 100 ms blocks and collects (time, mono value, stereo value) after each.
fn track(
    signal: &[f32],
    mono_value: impl Fn(&ChannelMeter) -> f64,
    stereo_value: impl Fn(&ProgramMeter) -> f64,
) -> Vec<(f64, f64, f64)> {
    let mut m = ChannelMeter::new(RATE, &MeterConfig::default()).unwrap();
    let mut p = ProgramMeter::new(2, RATE, 4096).unwrap().unwrap();
    let step = RATE as usize / 10;
    let mut out = Vec::new();
    for (k, block) in signal.chunks(step).enumerate() {
        m.process(block);
        p.process_planar(&[block, block]);
        out.push(((k + 1) as f64 * 0.1, mono_value(&m), stereo_value(&p)));
    }
    out
}

fn alternating(high_s: f64, low_s: f64, times: usize) -> Vec<f32> {
    let segments: Vec<(f64, f64)> = (0..times)
        .flat_map(|_| [(high_s, -20.0), (low_s, -30.0)])
        .collect();
    tone(&segments)
}

#[test]
fn tech3341_case9_short_term_constant_after_3s() {
    let signal = alternating(1.34, 1.66, 5);
    let points = track(
        &signal,
        |m| m.readings().short_term_lufs,
        ProgramMeter::short_term_lufs,
    );
    let checked = points.iter().filter(|p| p.0 >= 3.0 - 1e-9).count();
    assert!(checked >= 100);
    for (t, m, s) in points.into_iter().filter(|p| p.0 >= 3.0 - 1e-9) {
        assert_near(
            &format!("case 9 mono S at {t:.1}"),
            m,
            -23.0 - MONO_OFFSET_LU,
            LOUDNESS_TOL,
        );
        assert_near(
            &format!("case 9 stereo S at {t:.1}"),
            s,
            -23.0,
            LOUDNESS_TOL,
        );
    }
}

#[test]
fn tech3341_case12_momentary_constant_after_1s() {
    let signal = alternating(0.18, 0.22, 25);
    let points = track(
        &signal,
        |m| m.readings().momentary_lufs,
        ProgramMeter::momentary_lufs,
    );
    let checked = points.iter().filter(|p| p.0 >= 1.0 - 1e-9).count();
    assert!(checked >= 80);
    for (t, m, s) in points.into_iter().filter(|p| p.0 >= 1.0 - 1e-9) {
        assert_near(
            &format!("case 12 mono M at {t:.1}"),
            m,
            -23.0 - MONO_OFFSET_LU,
            LOUDNESS_TOL,
        );
        assert_near(
            &format!("case 12 stereo M at {t:.1}"),
            s,
            -23.0,
            LOUDNESS_TOL,
        );
    }
}

/// True peak must read within +0.2 / -0.4 dB of `want` on one channel and on both channels of
/// a stereo bank.
fn true_peak_case(name: &str, signal: &[f32], want: f64) {
    let check = |what: &str, got: f64| {
        assert!(
            got <= want + 0.2 && got >= want - 0.4,
            "{name} {what}: {got:.3} dBTP, want {want} +0.2/-0.4"
        );
    };
    let m = mono(signal).readings();
    check("mono", m.max_true_peak_dbtp);
    let mut bank = MeterBank::new(2, RATE, &MeterConfig::default()).unwrap();
    for block in signal.chunks(777) {
        bank.process_planar(&[block, block]);
    }
    check("stereo L", bank.readings(0).max_true_peak_dbtp);
    check("stereo R", bank.readings(1).max_true_peak_dbtp);
}

#[test]
fn tech3341_case15_fs4_phase0_half_scale() {
    true_peak_case("case 15", &sine(12_000.0, 0.0, 0.5, 2.0), -6.0);
}

#[test]
fn tech3341_case16_fs4_phase45_half_scale() {
    let signal = sine(12_000.0, 45.0, 0.5, 2.0);
    true_peak_case("case 16", &signal, -6.0);
    // The samples miss the crest: a sample-peak meter reads about 3 dB low.
    let sample_peak = mono(&signal).readings().max_sample_peak_dbfs;
    let want = 20.0 * (0.5 * 45f64.to_radians().sin()).log10();
    assert_near("case 16 sample peak", sample_peak, want, 0.01);
    assert!(sample_peak < -8.9);
}

#[test]
fn tech3341_case17_fs6_phase60_half_scale() {
    true_peak_case("case 17", &sine(8_000.0, 60.0, 0.5, 2.0), -6.0);
}

#[test]
fn tech3341_case18_fs8_phase67_5_half_scale() {
    true_peak_case("case 18", &sine(6_000.0, 67.5, 0.5, 2.0), -6.0);
}

#[test]
fn tech3341_case19_fs4_phase45_above_full_scale_float() {
    true_peak_case("case 19", &sine(12_000.0, 45.0, 1.41, 2.0), 3.0);
}

fn lra_case(name: &str, segments: &[(f64, f64)], want: f64) {
    let signal = tone(segments);
    let m = mono(&signal).readings();
    assert_near(
        &format!("{name} mono LRA"),
        m.loudness_range_lu,
        want,
        LRA_TOL,
    );
    let p = stereo(&signal).readings();
    assert_near(
        &format!("{name} stereo LRA"),
        p.loudness_range_lu,
        want,
        LRA_TOL,
    );
}

#[test]
fn tech3342_case1_minus20_then_minus30_is_10_lu() {
    lra_case("3342 case 1", &[(20.0, -20.0), (20.0, -30.0)], 10.0);
}

#[test]
fn tech3342_case2_minus20_then_minus15_is_5_lu() {
    lra_case("3342 case 2", &[(20.0, -20.0), (20.0, -15.0)], 5.0);
}

#[test]
fn tech3342_case3_minus40_then_minus20_is_20_lu() {
    lra_case("3342 case 3", &[(20.0, -40.0), (20.0, -20.0)], 20.0);
}

#[test]
fn tech3342_case4_five_steps_is_15_lu() {
    lra_case(
        "3342 case 4",
        &[
            (20.0, -50.0),
            (20.0, -35.0),
            (20.0, -20.0),
            (20.0, -35.0),
            (20.0, -50.0),
        ],
        15.0,
    );
}
