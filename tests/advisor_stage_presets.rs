//! The live presets for a DAW's output, `mix_bus` and `master`: listed with the others (the
//! GUI's preset list and templates take them by name), judged by the stage margins, and
//! advised in the words of the control that sets their level.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::TAU;
use std::path::Path;

use gainstage::advisor::judge::{Evidence, judge_evidence};
use gainstage::advisor::stage::MixMargin;
use gainstage::advisor::stage::cut_to_half_db;
use gainstage::advisor::words::badge;
use gainstage::advisor::{
    GainControl, LiveAdvisor, LiveConfig, SessionTemplate, SourcePreset, Warning, WarningKind,
};
use gainstage::meter::{MeterBank, MeterConfig};

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
        programme_short_term_lufs: f64::NEG_INFINITY,
        programme_inputs: (1, 1),
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

const RATE: u32 = 48_000;

/// Each input's signal: (tone frequency in Hz, peak amplitude); amplitude 0 is silence.
type Tones = [(f64, f64)];

/// Meters `secs` of steady tones on every input, updating the live advisor after each
/// 100 ms block as the meter thread does, and returns the last warnings of each input.
/// Beside it, `ebur128` meters the inputs given in `programme` (from 0) as one programme: the
/// oracle of its short-term loudness at the end (LUFS).
fn live(
    presets: &[SourcePreset],
    tones: &Tones,
    programme: &[usize],
    secs: f64,
) -> (Vec<Vec<Warning>>, f64) {
    let n = presets.len();
    let params = presets.iter().map(|p| p.params()).collect();
    let mut advisor = LiveAdvisor::new(params, RATE, LiveConfig::default());
    let mut bank = MeterBank::new(n, RATE, &MeterConfig::default()).unwrap();
    let mut oracle = ebur128::EbuR128::new(programme.len() as u32, RATE, ebur128::Mode::S).unwrap();
    let block = (RATE / 10) as usize;
    let mut frame = 0usize;
    let mut shown = vec![Vec::new(); n];
    for b in 0..(secs * 10.0).round() as usize {
        let mut interleaved = Vec::with_capacity(block * n);
        let mut programme_frames = Vec::with_capacity(block * programme.len());
        for i in 0..block {
            let t = (frame + i) as f64 / f64::from(RATE);
            let samples: Vec<f32> = tones
                .iter()
                .map(|&(f, a)| (a * (TAU * f * t).sin()) as f32)
                .collect();
            interleaved.extend_from_slice(&samples);
            programme_frames.extend(programme.iter().map(|&c| samples[c]));
        }
        frame += block;
        bank.process_interleaved(&interleaved);
        oracle.add_frames_f32(&programme_frames).unwrap();
        let now_s = (b + 1) as f64 / 10.0;
        for (c, out) in shown.iter_mut().enumerate() {
            *out = advisor.update(now_s, c, &bank.readings(c)).to_vec();
        }
    }
    (shown, oracle.loudness_shortterm().unwrap())
}

fn loud(warnings: &[Warning]) -> Option<&Warning> {
    warnings.iter().find(|w| w.kind == WarningKind::Loud)
}

/// The LUFS figure a loudness warning quotes.
fn quoted_lufs(w: &Warning) -> f64 {
    let before = w.message.split(" LUFS short-term").next().unwrap();
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

/// Sides at -6.9 dBFS read about -10 LUFS each, under the mix bus's -9 LUFS (6 dB under its
/// -3 dBTP ceiling); as the stereo programme BS.1770 sums them to, about -7, over it. The
/// live rule judges the pair, as `analyze --stage mix` judges the file.
#[test]
fn a_loud_stereo_mix_bus_is_told_to_come_down_by_what_the_pair_reads() {
    let a = 10f64.powf(-6.9 / 20.0);
    let presets = [SourcePreset::MixBus, SourcePreset::MixBus];
    let (shown, oracle) = live(&presets, &[(1000.0, a), (997.0, a)], &[0, 1], 6.0);
    let margin = MixMargin::default();
    let loudest_allowed = margin.ceiling_dbtp - margin.loudness_gap_db;
    assert!(oracle > loudest_allowed + 1.5, "oracle {oracle}");
    for (c, ws) in shown.iter().enumerate() {
        let w = loud(ws).unwrap_or_else(|| panic!("input {}: {ws:?}", c + 1));
        assert!(
            (quoted_lufs(w) - oracle).abs() <= 0.05,
            "{} vs {oracle}",
            w.message
        );
        assert_eq!(
            w.suggested_gain_db,
            Some(cut_to_half_db(loudest_allowed - oracle))
        );
        assert!(w.message.contains("(inputs 1-2)"), "{}", w.message);
        assert!(
            w.message.contains("pull the mix bus down about"),
            "{}",
            w.message
        );
        // Peaks at -6.9 dBTP are inside the margin: only the loudness is wrong.
        assert!(!ws.iter().any(|w| w.kind == WarningKind::Hot), "{ws:?}");
    }
    // Either side alone is under the line: judging a side as mono would have missed it.
    let (alone, side) = live(&presets[..1], &[(1000.0, a)], &[0], 6.0);
    assert!(side < loudest_allowed, "one side reads {side}");
    assert!(loud(&alone[0]).is_none(), "{:?}", alone[0]);
}

#[test]
fn a_mix_bus_with_room_under_the_ceiling_is_left_alone() {
    let a = 10f64.powf(-10.5 / 20.0);
    let presets = [SourcePreset::MixBus, SourcePreset::MixBus];
    let (shown, oracle) = live(&presets, &[(1000.0, a), (997.0, a)], &[0, 1], 6.0);
    assert!(oracle < -9.0 - 0.5, "oracle {oracle}");
    assert!(shown.iter().all(|ws| ws.is_empty()), "{shown:?}");
}

/// A master's peaks already sit at its ceiling: turning it down would only hide the
/// limiting, so the warning names the limiter and suggests no gain.
#[test]
fn a_master_crowding_its_ceiling_is_called_limited_hard() {
    let a = 10f64.powf(-6.0 / 20.0);
    let presets = [SourcePreset::Master, SourcePreset::Master];
    let (shown, oracle) = live(&presets, &[(1000.0, a), (997.0, a)], &[0, 1], 6.0);
    let p = SourcePreset::Master.params();
    assert!(oracle > p.hot_dbtp - p.loud_gap_db, "oracle {oracle}");
    for ws in &shown {
        let w = loud(ws).unwrap_or_else(|| panic!("{ws:?}"));
        assert_eq!(w.suggested_gain_db, None);
        assert!(
            (quoted_lufs(w) - oracle).abs() <= 0.05,
            "{} vs {oracle}",
            w.message
        );
        assert!(w.message.contains("ease the limiter"), "{}", w.message);
        assert_eq!(badge(w), "LIMITED");
    }
}

/// A DAW's stereo bus on inputs 2-3 beside a microphone on input 1: the pair is 2-3, and the
/// microphone, however loud, is never judged as a programme.
#[test]
fn a_mix_bus_pairs_from_the_first_input_of_its_run() {
    let a = 10f64.powf(-6.9 / 20.0);
    let presets = [
        SourcePreset::Generic,
        SourcePreset::MixBus,
        SourcePreset::MixBus,
    ];
    let tones = [(440.0, 10f64.powf(-7.0 / 20.0)), (1000.0, a), (997.0, a)];
    let (shown, oracle) = live(&presets, &tones, &[1, 2], 6.0);
    assert!(loud(&shown[0]).is_none(), "{:?}", shown[0]);
    for ws in &shown[1..] {
        let w = loud(ws).unwrap_or_else(|| panic!("{ws:?}"));
        assert!(w.message.contains("(inputs 2-3)"), "{}", w.message);
        assert!(
            (quoted_lufs(w) - oracle).abs() <= 0.05,
            "{} vs {oracle}",
            w.message
        );
    }
}
