//! EBU Tech 3341 (2023) minimum-requirement cases, synthesized here as its Table 1 describes
//! them. Each loudness case runs on the programme meter as the programme the case is (stereo,
//! or 5.0 for case 6) and on channel meters (each a mono BS.1770 meter: an in-phase stereo
//! case reads 3.01 LU lower on one channel). Both meters gate with `meter::gating`. True-peak
//! cases run on one channel meter and on both channels of a stereo bank.
//!
//! Cases 7 and 8 are not here: they are recordings of film excerpts ("authentic programme"),
//! which no text describes well enough to synthesize. Tech 3342 (loudness range) is in
//! `ebu_tech3342.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ebu.rs"]
mod ebu;

use std::f64::consts::PI;

use ebu::*;
use gainstage::meter::{ChannelMeter, MeterBank, MeterConfig, ProgramMeter};

fn integrated_case(name: &str, segments: &[(f64, f64)], want_stereo: f64) {
    let signal = tone(segments);
    assert_near(
        &format!("{name} channel I"),
        channel(&signal).readings().integrated_lufs,
        want_stereo - MONO_OFFSET_LU,
        LOUDNESS_TOL,
    );
    assert_near(
        &format!("{name} programme I"),
        stereo(&signal).readings().integrated_lufs,
        want_stereo,
        LOUDNESS_TOL,
    );
}

fn steady_case(name: &str, db: f64) {
    let signal = tone(&[(20.0, db)]);
    let m = channel(&signal).readings();
    let want = db - MONO_OFFSET_LU;
    for (what, got) in [
        ("M", m.momentary_lufs),
        ("S", m.short_term_lufs),
        ("I", m.integrated_lufs),
        ("max M", m.max_momentary_lufs),
        ("max S", m.max_short_term_lufs),
    ] {
        assert_near(&format!("{name} channel {what}"), got, want, LOUDNESS_TOL);
    }
    let p = stereo(&signal);
    for (what, got) in [
        ("M", p.momentary_lufs()),
        ("S", p.short_term_lufs()),
        ("I", p.readings().integrated_lufs),
    ] {
        assert_near(&format!("{name} programme {what}"), got, db, LOUDNESS_TOL);
    }
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

#[test]
fn tech3341_case6_five_channel_programme_weights_surrounds() {
    // L and R at -28, C at -24, Ls and Rs at -30 dBFS: -23.0 LUFS only with the surrounds
    // weighted 1.41.
    let (l, c, s) = (
        tone(&[(20.0, -28.0)]),
        tone(&[(20.0, -24.0)]),
        tone(&[(20.0, -30.0)]),
    );
    assert_near(
        "case 6 programme I",
        programme(&[&l, &l, &c, &s, &s]).readings().integrated_lufs,
        -23.0,
        LOUDNESS_TOL,
    );
    // Each channel meter reads its own channel at weight 1.
    for (what, signal, db) in [("L", &l, -28.0), ("C", &c, -24.0), ("Ls", &s, -30.0)] {
        assert_near(
            &format!("case 6 channel {what} I"),
            channel(signal).readings().integrated_lufs,
            db - MONO_OFFSET_LU,
            LOUDNESS_TOL,
        );
    }
}

/// Feeds 100 ms blocks and collects (time, channel value, programme value) after each.
fn track(
    signal: &[f32],
    channel_value: impl Fn(&ChannelMeter) -> f64,
    programme_value: impl Fn(&ProgramMeter) -> f64,
) -> Vec<(f64, f64, f64)> {
    let mut m = ChannelMeter::new(RATE, &MeterConfig::default()).unwrap();
    let mut p = ProgramMeter::new(2, RATE, 4096).unwrap().unwrap();
    let step = RATE as usize / 10;
    let mut out = Vec::new();
    for (k, block) in signal.chunks(step).enumerate() {
        m.process(block);
        p.process_planar(&[block, block]);
        out.push(((k + 1) as f64 * 0.1, channel_value(&m), programme_value(&p)));
    }
    out
}

fn alternating(high_s: f64, low_s: f64, times: usize) -> Vec<f32> {
    let segments: Vec<(f64, f64)> = (0..times)
        .flat_map(|_| [(high_s, -20.0), (low_s, -30.0)])
        .collect();
    tone(&segments)
}

/// Checks every tracked value from `from_s` on.
fn constant_after(case: &str, what: &str, points: &[(f64, f64, f64)], from_s: f64, min: usize) {
    let checked: Vec<_> = points.iter().filter(|p| p.0 >= from_s - 1e-9).collect();
    assert!(checked.len() >= min, "{} values", checked.len());
    for (t, m, s) in checked {
        assert_near(
            &format!("{case} channel {what} at {t:.1} s"),
            *m,
            -23.0 - MONO_OFFSET_LU,
            LOUDNESS_TOL,
        );
        assert_near(
            &format!("{case} programme {what} at {t:.1} s"),
            *s,
            -23.0,
            LOUDNESS_TOL,
        );
    }
}

#[test]
fn tech3341_case9_short_term_constant_after_3s() {
    let signal = alternating(1.34, 1.66, 5);
    let points = track(
        &signal,
        |m| m.readings().short_term_lufs,
        ProgramMeter::short_term_lufs,
    );
    constant_after("case 9", "S", &points, 3.0, 100);
}

#[test]
fn tech3341_case12_momentary_constant_after_1s() {
    let signal = alternating(0.18, 0.22, 25);
    let points = track(
        &signal,
        |m| m.readings().momentary_lufs,
        ProgramMeter::momentary_lufs,
    );
    constant_after("case 12", "M", &points, 1.0, 80);
}

/// The highest value `value` takes on a programme meter read after every block.
fn programme_max(channels: &[&[f32]], value: impl Fn(&ProgramMeter) -> f64) -> f64 {
    let mut max = f64::NEG_INFINITY;
    programme_with(channels, |p| max = max.max(value(p)));
    max
}

/// Cases 10 and 13, for file-based meters: 20 segments measured each from a reset, a tone of
/// `tone_s` at -23 dBFS after `i · step_s` of silence and followed by `tail_s` of silence.
/// Every segment's maximum must read -23.0. `programme_value`, where given, is a programme
/// reading whose highest value over the segment is checked too.
fn file_bursts_case(
    name: &str,
    step_s: f64,
    tone_s: f64,
    tail_s: f64,
    max_of_channel: impl Fn(&ChannelMeter) -> f64,
    programme_value: Option<fn(&ProgramMeter) -> f64>,
) {
    for i in 0..20 {
        let signal = tone(&[
            (i as f64 * step_s, SILENCE),
            (tone_s, -23.0),
            (tail_s, SILENCE),
        ]);
        assert_near(
            &format!("{name} segment {i} channel"),
            max_of_channel(&channel(&signal)),
            -23.0 - MONO_OFFSET_LU,
            LOUDNESS_TOL,
        );
        if let Some(value) = programme_value {
            assert_near(
                &format!("{name} segment {i} programme"),
                programme_max(&[&signal, &signal], value),
                -23.0,
                LOUDNESS_TOL,
            );
        }
    }
}

/// Cases 11 and 14, for live meters: one stream of 20 segments, a tone of `tone_s` at
/// -38 + i dBFS after `i · step_s` of silence, each segment `2 · tone_s` long. The maximum
/// read by the end of segment i must be -38 + i. `programme_value` as in [`file_bursts_case`].
fn live_bursts_case(
    name: &str,
    step_s: f64,
    tone_s: f64,
    max_of_channel: impl Fn(&ChannelMeter) -> f64,
    programme_value: Option<fn(&ProgramMeter) -> f64>,
) {
    let mut m = ChannelMeter::new(RATE, &MeterConfig::default()).unwrap();
    let mut p = ProgramMeter::new(2, RATE, 4096).unwrap().unwrap();
    let mut programme_max = f64::NEG_INFINITY;
    for i in 0..20 {
        let lead = i as f64 * step_s;
        let want = -38.0 + i as f64;
        let segment = tone(&[(lead, SILENCE), (tone_s, want), (tone_s - lead, SILENCE)]);
        for block in segment.chunks(BLOCK) {
            m.process(block);
            p.process_planar(&[block, block]);
            if let Some(value) = programme_value {
                programme_max = programme_max.max(value(&p));
            }
        }
        assert_near(
            &format!("{name} segment {i} channel"),
            max_of_channel(&m),
            want - MONO_OFFSET_LU,
            LOUDNESS_TOL,
        );
        if programme_value.is_some() {
            assert_near(
                &format!("{name} segment {i} programme"),
                programme_max,
                want,
                LOUDNESS_TOL,
            );
        }
    }
}

#[test]
fn tech3341_case10_max_short_term_of_3s_bursts_at_any_offset() {
    file_bursts_case(
        "case 10",
        0.15,
        3.0,
        1.0,
        |m| m.readings().max_short_term_lufs,
        Some(ProgramMeter::short_term_lufs),
    );
}

#[test]
fn tech3341_case11_max_short_term_steps_up_1_lu_per_burst() {
    live_bursts_case(
        "case 11",
        0.15,
        3.0,
        |m| m.readings().max_short_term_lufs,
        Some(ProgramMeter::short_term_lufs),
    );
}

/// On the channel meter, whose maximum momentary is taken on a 10 ms hop. The programme meter
/// reports no maximum momentary (its momentary reading, on the 100 ms hop, is case 12's).
#[test]
fn tech3341_case13_max_momentary_of_400ms_bursts_at_any_offset() {
    file_bursts_case(
        "case 13",
        0.02,
        0.4,
        1.0,
        |m| m.readings().max_momentary_lufs,
        None,
    );
}

/// On the channel meter, as case 13.
#[test]
fn tech3341_case14_max_momentary_steps_up_1_lu_per_burst() {
    live_bursts_case(
        "case 14",
        0.02,
        0.4,
        |m| m.readings().max_momentary_lufs,
        None,
    );
}

/// A sine at `freq` with start phase `phase_deg` and linear peak `amp`, faded in over 20 ms:
/// a sine switched on at a non-zero sample is a step, and the interpolator's ringing on that
/// step (not the sine's inter-sample peak the case is about) would be read as true peak.
fn sine(freq: f64, phase_deg: f64, amp: f64, secs: f64) -> Vec<f32> {
    let len = frames(secs);
    let fade = frames(0.02);
    (0..len)
        .map(|n| {
            let t = n as f64 / f64::from(RATE);
            (fade_gain(n, len, fade) * amp * (2.0 * PI * freq * t + phase_deg.to_radians()).sin())
                as f32
        })
        .collect()
}

/// Raised-cosine fade over `fade` samples at both ends of `len`.
fn fade_gain(n: usize, len: usize, fade: usize) -> f64 {
    let edge = n.min(len - 1 - n);
    if edge < fade {
        0.5 - 0.5 * (PI * edge as f64 / fade as f64).cos()
    } else {
        1.0
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
    check("channel", channel(signal).readings().max_true_peak_dbtp);
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
    let sample_peak = channel(&signal).readings().max_sample_peak_dbfs;
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

/// Cases 20 to 23: an fs/6 sine at 0.50 FS with one period of an fs/4 sine at 1.00 FS in it,
/// continuous in phase at both joins, synthesized at 4·fs, low-pass filtered and taken down to
/// fs starting at 4·fs sample `offset` (0 to 3). Returns the fs signal and the peak of the
/// filtered 4·fs signal it was taken from.
fn single_period_burst(offset: usize) -> (Vec<f32>, f64) {
    const UP: usize = 4;
    let len = UP * frames(1.0);
    let fade = UP * frames(0.01);
    // fs/6 and fs/4 are periods of 24 and 16 samples at 4·fs. The burst starts where the fs/6
    // sine starts a period, and the fs/6 sine resumes from phase 0 after it.
    let (slow, fast) = (24usize, 16usize);
    let start = slow * (len / 2 / slow);
    let raw: Vec<f64> = (0..len)
        .map(|n| {
            let x = if n < start {
                0.5 * (2.0 * PI * (n % slow) as f64 / slow as f64).sin()
            } else if n < start + fast {
                (2.0 * PI * (n - start) as f64 / fast as f64).sin()
            } else {
                0.5 * (2.0 * PI * ((n - start - fast) % slow) as f64 / slow as f64).sin()
            };
            fade_gain(n, len, fade) * x
        })
        .collect();
    // Anti-alias filter: a Blackman-windowed sinc cutting at 21 kHz (of 96 kHz Nyquist at
    // 4·fs), long enough to keep the 8 and 12 kHz content flat and the rest out of the fs band.
    let taps = 1023usize;
    let cutoff = 21_000.0 / f64::from(UP as u32 * RATE);
    let mid = (taps / 2) as f64;
    let h: Vec<f64> = (0..taps)
        .map(|k| {
            let m = k as f64 - mid;
            let sinc = if m == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * PI * cutoff * m).sin() / (PI * m)
            };
            let w = 2.0 * PI * k as f64 / (taps - 1) as f64;
            sinc * (0.42 - 0.5 * w.cos() + 0.08 * (2.0 * w).cos())
        })
        .collect();
    let gain: f64 = h.iter().sum();
    let filtered: Vec<f64> = (0..len)
        .map(|n| {
            (0..taps)
                .filter_map(|k| (n + k).checked_sub(taps / 2).filter(|&i| i < len))
                .map(|i| h[i + taps / 2 - n] * raw[i])
                .sum::<f64>()
                / gain
        })
        .collect();
    let peak = filtered.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let down = filtered
        .iter()
        .skip(offset)
        .step_by(UP)
        .map(|&x| x as f32)
        .collect();
    (down, peak)
}

fn burst_case(name: &str, offset: usize) {
    let (signal, peak) = single_period_burst(offset);
    // The case's 0.0 dBTP is the full-scale period's crest; low-passing it to the fs band
    // takes 0.17 dB off, which the case's -0.4 dB allows.
    let peak_db = 20.0 * peak.log10();
    assert!(
        (-0.4..=0.0).contains(&peak_db),
        "{name}: band-limited 4·fs peak {peak_db:.3} dB"
    );
    true_peak_case(name, &signal, 0.0);
}

#[test]
fn tech3341_case20_single_fs4_period_offset0() {
    burst_case("case 20", 0);
}

#[test]
fn tech3341_case21_single_fs4_period_offset1() {
    burst_case("case 21", 1);
}

#[test]
fn tech3341_case22_single_fs4_period_offset2() {
    burst_case("case 22", 2);
}

#[test]
fn tech3341_case23_single_fs4_period_offset3() {
    burst_case("case 23", 3);
}
