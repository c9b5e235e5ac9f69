//! `analyze --stage stems|mix|master` against independent truth: signals whose sums, peaks,
//! loudness and crest factors follow from their construction (BS.1770: a stereo 997 Hz sine
//! reads its peak level in LUFS, a mono one 3.01 dB under), and each delivery target's
//! published arithmetic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};

use gainstage::advisor::stage::{
    DEFAULT_STEM_CEILING_DBTP, MasterRules, MixMargin, SUM_AIM_DBTP, Stage, VerdictKind,
    cut_to_half_db,
};
use gainstage::analyze::AnalyzeOptions;
use gainstage::commands::{StageOptions, run_stage};
use gainstage::delivery::{self, Level, MasterLevels, Playback, TARGETS};
use gainstage::file_report::{StageReport, StageSettings, StagedFile};
use hound::{SampleFormat, WavSpec, WavWriter};

#[path = "support/cli.rs"]
mod cli;

const RATE: u32 = 48_000;
/// The BS.1770 calibration frequency: its K-weighting gain is what the -0.691 offsets.
const F: f64 = 997.0;

fn db(a: f64) -> f64 {
    20.0 * a.log10()
}

/// A 32-bit float WAV of `seconds`, channel `c` of frame `n` from `sample(n, c)`.
fn write(path: &Path, channels: u16, rate: u32, seconds: f64, sample: impl Fn(u32, u16) -> f64) {
    let spec = WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: SampleFormat::Float,
    };
    let mut w = WavWriter::create(path, spec).unwrap();
    for n in 0..(seconds * f64::from(rate)).round() as u32 {
        for c in 0..channels {
            w.write_sample(sample(n, c) as f32).unwrap();
        }
    }
    w.finalize().unwrap();
}

fn sine(n: u32, amplitude: f64, freq: f64) -> f64 {
    amplitude * (TAU * freq * f64::from(n) / f64::from(RATE)).sin()
}

fn settings() -> StageSettings {
    StageSettings {
        stem_ceiling_dbtp: DEFAULT_STEM_CEILING_DBTP,
        mix: MixMargin::default(),
        master: MasterRules::default(),
    }
}

fn stage(files: &[PathBuf], stage: Stage, targets: Vec<delivery::Target>) -> StageReport {
    run_stage(
        files,
        AnalyzeOptions::default(),
        &StageOptions {
            stage,
            settings: settings(),
            targets,
            reference: None,
        },
    )
    .unwrap()
}

fn near(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got}, want {want} ± {tol}"
    );
}

fn kinds(f: &StagedFile) -> Vec<VerdictKind> {
    f.verdicts.iter().map(|v| v.kind).collect()
}

#[test]
fn stems_whose_sum_clips_though_no_stem_does() {
    let dir = tempfile::tempdir().unwrap();
    // Three stereo stems of the same sine in phase, each under the -6 dBTP print ceiling;
    // their sum peaks at 3 × 0.36 = 1.08 (+0.67 dBTP).
    let a = 0.36;
    for k in 0..3 {
        write(
            &dir.path().join(format!("stem{k}.wav")),
            2,
            RATE,
            5.0,
            |n, _| sine(n, a, F),
        );
    }
    let r = stage(&[dir.path().to_path_buf()], Stage::Stems, Vec::new());
    assert_eq!(r.files.len(), 3);
    for f in &r.files {
        near("stem true peak", f.programme.true_peak_dbtp, db(a), 0.02);
        assert!(f.verdicts.is_empty(), "{:?}", f.verdicts);
    }
    let sum = r.sum.as_ref().unwrap();
    near(
        "sum true peak",
        sum.programme.true_peak_dbtp,
        db(3.0 * a),
        0.02,
    );
    // A stereo 997 Hz sine reads its peak level (EBU Tech 3341 case 1).
    near(
        "sum loudness",
        sum.programme.integrated_lufs,
        db(3.0 * a),
        0.1,
    );
    assert_eq!(kinds(sum), [VerdictKind::SumClips]);
    let want_cut = ((SUM_AIM_DBTP - db(3.0 * a)) * 2.0).floor() / 2.0;
    assert_eq!(sum.verdicts[0].suggested_gain_db, Some(want_cut));
    // Each half cycle rises over full scale once: |sin| > 1/1.08 lasts 5.9 samples of the
    // 48.1-sample cycle, and the gaps between are longer than the 8-frame resolution.
    let overs = sum.programme.overs.as_ref().unwrap().above(0.0);
    let half_cycles = (2.0 * F * 5.0) as i64;
    assert!(
        (overs as i64 - half_cycles).abs() <= 2,
        "{overs} overs, want {half_cycles} ± 2"
    );
}

#[test]
fn phase_cancellation_keeps_the_sum_quiet_though_every_stem_is_hot() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (0.9, -0.85);
    let pa = dir.path().join("a.wav");
    let pb = dir.path().join("b.wav");
    write(&pa, 2, RATE, 4.0, |n, _| sine(n, a, F));
    write(&pb, 2, RATE, 4.0, |n, _| sine(n, b, F));
    let r = stage(&[pa, pb], Stage::Stems, Vec::new());
    for (f, amp) in r.files.iter().zip([a, b]) {
        let peak = db(f64::abs(amp));
        assert_eq!(kinds(f), [VerdictKind::StemOverCeiling]);
        let want = ((DEFAULT_STEM_CEILING_DBTP - peak) * 2.0).floor() / 2.0;
        near("stem true peak", f.programme.true_peak_dbtp, peak, 0.02);
        assert_eq!(f.verdicts[0].suggested_gain_db, Some(want));
    }
    let sum = r.sum.as_ref().unwrap();
    near(
        "sum true peak",
        sum.programme.true_peak_dbtp,
        db(a + b),
        0.02,
    );
    assert!(sum.verdicts.is_empty(), "{:?}", sum.verdicts);
}

#[test]
fn stems_of_different_widths_sum_by_channel_position() {
    let dir = tempfile::tempdir().unwrap();
    let mono = dir.path().join("mono.wav");
    let stereo = dir.path().join("stereo.wav");
    write(&mono, 1, RATE, 2.0, |n, _| sine(n, 0.3, F));
    write(&stereo, 2, RATE, 2.0, |n, c| {
        sine(n, if c == 0 { 0.3 } else { 0.2 }, F)
    });
    let r = stage(&[mono, stereo], Stage::Stems, Vec::new());
    let sum = r.sum.as_ref().unwrap();
    assert_eq!(sum.report.channels, 2);
    let tp: Vec<f64> = sum
        .report
        .per_channel
        .iter()
        .map(|c| c.readings.max_true_peak_dbtp)
        .collect();
    near("sum channel 1", tp[0], db(0.6), 0.02);
    near("sum channel 2", tp[1], db(0.2), 0.02);
}

#[test]
fn mismatched_stems_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.wav");
    let other_rate = dir.path().join("other_rate.wav");
    let shorter = dir.path().join("shorter.wav");
    write(&first, 2, RATE, 1.0, |n, _| sine(n, 0.1, F));
    write(&other_rate, 2, 44_100, 1.0, |n, _| sine(n, 0.1, F));
    write(&shorter, 2, RATE, 0.5, |n, _| sine(n, 0.1, F));
    let opts = StageOptions {
        stage: Stage::Stems,
        settings: settings(),
        targets: Vec::new(),
        reference: None,
    };
    let e = run_stage(
        &[first.clone(), other_rate],
        AnalyzeOptions::default(),
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("other_rate.wav") && e.contains("44100 Hz"),
        "{e}"
    );
    assert!(e.contains("sample rate"), "{e}");
    let e = run_stage(&[first, shorter], AnalyzeOptions::default(), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("shorter.wav") && e.contains("24000 frames"),
        "{e}"
    );

    // The command fails with the message on stderr and nothing on stdout.
    let home = tempfile::tempdir().unwrap();
    let out = cli::gainstage(home.path())
        .args(["analyze", "--stage", "stems"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(".wav:"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn plr_and_crest_of_signals_with_known_crest_factors() {
    let dir = tempfile::tempdir().unwrap();
    let a = 10f64.powf(-10.0 / 20.0);
    // Mono sine: loudness 3.01 dB under the peak, crest factor √2 (3.01 dB).
    let mono = dir.path().join("mono.wav");
    write(&mono, 1, RATE, 6.0, |n, _| sine(n, a, F));
    // Stereo sine: loudness at the peak level, PLR 0, crest still 3.01 dB.
    let stereo = dir.path().join("stereo.wav");
    write(&stereo, 2, RATE, 6.0, |n, _| sine(n, a, F));
    // Mono bursts, 100 ms in every 400 ms: every 400 ms gating block holds one burst, so the
    // loudness and the RMS are a quarter of the sine's power (-6.02 dB). 1 kHz, 48 samples a
    // cycle, so each burst is whole cycles from a zero crossing: switching a sine on at any
    // other phase is a step, whose true peak rings over the sine's.
    let bursts = dir.path().join("bursts.wav");
    write(&bursts, 1, RATE, 8.0, |n, _| {
        if n % 19_200 < 4_800 {
            sine(n, a, 1000.0)
        } else {
            0.0
        }
    });
    let sine_crest = 10.0 * 2f64.log10();
    let quarter = 10.0 * 4f64.log10();
    let r = stage(
        &[mono, stereo, bursts],
        Stage::Master,
        vec![delivery::find("spotify").unwrap()],
    );
    let cases = [
        (sine_crest, sine_crest),
        (0.0, sine_crest),
        (sine_crest + quarter, sine_crest + quarter),
    ];
    for (f, (plr, crest)) in r.files.iter().zip(cases) {
        let p = &f.programme;
        near("PLR", p.plr_db(), plr, 0.05);
        near("crest factor", p.crest_db, crest, 0.02);
        near("true peak", p.true_peak_dbtp, -10.0, 0.02);
        // Under the default 8 dB minimum: limited hard; the bursts are not.
        assert_eq!(
            kinds(f).contains(&VerdictKind::LimitedHard),
            plr < MasterRules::default().min_plr_db,
            "{:?}",
            f.verdicts
        );
    }
}

/// The gain each target's published rule gives a master of integrated loudness `i` and true
/// peak `tp` (both LUFS/dBTP), written from the sources in docs/TARGETS.md.
fn published_gain(name: &str, i: f64, tp: f64) -> f64 {
    match name {
        // "we only lift the track" while 1 dB of headroom remains (Spotify's own example:
        // -20 LUFS with peaks at -5 is lifted to -16 LUFS).
        "spotify" => {
            let wanted = -14.0 - i;
            if wanted > 0.0 {
                wanted.min((-1.0 - tp).max(0.0))
            } else {
                wanted
            }
        }
        "spotify_loud" => -11.0 - i,
        "apple_music" | "aes_td1008_music" => (-16.0 - i).min(0.0),
        "youtube" | "amazon_music" | "tidal" => (-14.0 - i).min(0.0),
        "deezer" => (-15.0 - i).min(0.0),
        "aes_td1008_speech" | "podcast_speech" => -18.0 - i,
        "ebu_r128" => -23.0 - i,
        "atsc_a85" => -24.0 - i,
        "apple_podcasts" => -16.0 - i,
        other => panic!("no published rule written for {other}"),
    }
}

#[test]
fn spotify_lifts_its_published_example_to_minus_16() {
    let spotify = delivery::find("spotify").unwrap();
    let m = MasterLevels {
        integrated_lufs: -20.0,
        true_peak_dbtp: -5.0,
        sample_peak_dbfs: -5.0,
        rms_dbfs: -20.0,
        noise_floor_dbfs: -90.0,
    };
    let o = spotify.apply(&m);
    assert_eq!(o.gain_db, Some(4.0));
    assert_eq!(o.peak_after_db, -1.0);
    assert!(o.peak_ok);
}

#[test]
fn a_master_at_known_loudness_against_every_target() {
    let dir = tempfile::tempdir().unwrap();
    for level in [-20.0, -6.0, -0.5] {
        let path = dir.path().join(format!("master{level}.wav"));
        let a = 10f64.powf(level / 20.0);
        write(&path, 2, RATE, 6.0, |n, _| sine(n, a, F));
        let r = stage(std::slice::from_ref(&path), Stage::Master, Vec::new());
        let f = &r.files[0];
        // A stereo 997 Hz sine: integrated loudness and true peak both at its peak level; its
        // RMS 3.01 dB under.
        near("integrated", f.programme.integrated_lufs, level, 0.05);
        near("true peak", f.programme.true_peak_dbtp, level, 0.02);
        assert_eq!(f.targets.len(), TARGETS.len());
        for t in &f.targets {
            let name = t.target.name;
            let o = &t.outcome;
            let gain = o.gain_db.unwrap();
            if name == "acx" {
                let rms = level - 10.0 * 2f64.log10();
                let want = if rms < -23.0 {
                    -23.0 - rms
                } else if rms > -18.0 {
                    -18.0 - rms
                } else {
                    0.0
                };
                near("acx change", gain, want, 0.05);
                assert_eq!(o.level_ok, (-23.0..=-18.0).contains(&rms), "acx at {level}");
                // A steady sine has no quiet stretch: its floor is its own level.
                assert!(!o.noise_ok);
                continue;
            }
            let want = published_gain(name, level, level);
            near(&format!("{name} gain at {level}"), gain, want, 0.06);
            near(
                &format!("{name} peak after"),
                o.peak_after_db,
                level + want,
                0.08,
            );
            assert_eq!(
                o.peak_ok,
                level + want <= t.target.ceiling_db,
                "{name} peak at {level}: {o:?}"
            );
            if let Level::Integrated { lufs, tolerance_lu } = t.target.level
                && t.target.playback == Playback::Spec
            {
                assert_eq!(
                    o.level_ok,
                    (level - lufs).abs() <= tolerance_lu,
                    "{name} at {level}"
                );
                if !o.level_ok {
                    assert!(
                        f.verdicts.iter().any(|v| v.kind == VerdictKind::OffTarget
                            && v.message.contains(t.target.label))
                    );
                }
            }
        }
        // -0.5 dBTP is over every -1 dBTP ceiling as delivered: the inter-sample check names it.
        assert_eq!(
            kinds(f).contains(&VerdictKind::InterSampleOvers),
            level > -1.0,
            "{:?}",
            f.verdicts
        );
    }
}

#[test]
fn inter_sample_overs_are_counted_where_samples_stay_low() {
    // EBU Tech 3341 case 16's signal (fs/4, 45°): samples at 0.707 of the peak, so a sample
    // meter reads -3 dB; 50 bursts of 10 ms, each one over above -1 dBTP.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bursts.wav");
    write(&path, 2, RATE, 5.0, |n, _| {
        if n % 4_800 < 480 {
            (TAU * 0.25 * f64::from(n) + TAU / 8.0).sin()
        } else {
            0.0
        }
    });
    let spotify = delivery::find("spotify").unwrap();
    let r = stage(&[path], Stage::Master, vec![spotify]);
    let f = &r.files[0];
    assert_eq!(f.programme.clipped_samples, 0);
    near(
        "sample peak",
        f.programme.sample_peak_dbfs,
        db(0.5f64.sqrt()),
        0.001,
    );
    assert_eq!(f.programme.overs.as_ref().unwrap().above(-1.0), 50);
    let v = f
        .verdicts
        .iter()
        .find(|v| v.kind == VerdictKind::InterSampleOvers)
        .unwrap();
    assert!(
        v.message.contains("50 inter-sample overs above -1.0 dBTP"),
        "{}",
        v.message
    );
}

#[test]
fn a_mix_over_the_mastering_margin_is_told_how_far_to_pull_the_bus_down() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mix.wav");
    let level = -1.2;
    let a = 10f64.powf(level / 20.0);
    write(&path, 2, RATE, 6.0, |n, _| sine(n, a, F));
    let r = stage(&[path], Stage::Mix, Vec::new());
    let f = &r.files[0];
    let margin = MixMargin::default();
    assert_eq!(kinds(f), [VerdictKind::MixPeaks, VerdictKind::MixLoud]);
    let peak_cut = cut_to_half_db(margin.ceiling_dbtp - level);
    assert_eq!(peak_cut, -2.0);
    assert_eq!(f.verdicts[0].suggested_gain_db, Some(peak_cut));
    assert!(
        f.verdicts[0]
            .message
            .contains("pull the mix bus down 2 dB before printing"),
        "{}",
        f.verdicts[0].message
    );
    // A steady stereo sine's short-term loudness is its peak level.
    near(
        "short-term max",
        f.programme.max_short_term_lufs,
        level,
        0.05,
    );
    let loud_cut = cut_to_half_db(margin.ceiling_dbtp - margin.loudness_gap_db - level);
    assert_eq!(f.verdicts[1].suggested_gain_db, Some(loud_cut));
}

#[test]
fn a_reference_comparison_reports_the_known_differences() {
    let dir = tempfile::tempdir().unwrap();
    let master = dir.path().join("master.wav");
    let reference = dir.path().join("reference.wav");
    // Master: stereo sine at -10 (I -10, TP -10, PLR 0, LRA 0). Reference: EBU Tech 3342's
    // first case, 20 s at -20 then 20 s at -30 (LRA 10 LU); both halves pass the relative
    // gate, so I is the mean power: -20 + 10·log10((1 + 0.1) / 2).
    let am = 10f64.powf(-10.0 / 20.0);
    write(&master, 2, RATE, 8.0, |n, _| sine(n, am, F));
    write(&reference, 2, RATE, 40.0, |n, _| {
        let level = if n < 20 * RATE { -20.0 } else { -30.0 };
        sine(n, 10f64.powf(level / 20.0), F)
    });
    let ref_i = -20.0 + 10.0 * (1.1f64 / 2.0).log10();
    let home = tempfile::tempdir().unwrap();
    let out = cli::stdout_of(
        cli::gainstage(home.path())
            .args([
                "analyze",
                "--stage",
                "master",
                "--json",
                "--target",
                "spotify",
                "--reference",
            ])
            .arg(&reference)
            .arg(&master),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stage"], "master");
    let d = &v["files"][0]["vs_reference"];
    let num = |k: &str| d[k].as_f64().unwrap_or_else(|| panic!("{k} in {d}"));
    near(
        "integrated difference",
        num("integrated_lu"),
        -10.0 - ref_i,
        0.1,
    );
    near("PLR difference", num("plr_db"), 0.0 - (-20.0 - ref_i), 0.1);
    near("true peak difference", num("true_peak_db"), 10.0, 0.03);
    near("LRA difference", num("loudness_range_lu"), -10.0, 0.2);
    assert_eq!(v["reference"]["role"], "reference");
    assert_eq!(v["files"][0]["targets"][0]["name"], "spotify");
    assert!(v["verdicts"].is_array());
}

#[test]
fn the_csv_has_a_row_per_verdict_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hot, mix.wav");
    let a = 10f64.powf(-1.2 / 20.0);
    write(&path, 2, RATE, 4.0, |n, _| sine(n, a, F));
    let home = tempfile::tempdir().unwrap();
    let text = cli::stdout_of(
        cli::gainstage(home.path())
            .args(["analyze", "--stage", "mix", "--csv"])
            .arg(&path),
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("stage,role,file,"), "{text}");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("mix,mix,\""), "{text}");
    assert!(lines[1].contains("hot, mix.wav\","), "{text}");
    assert!(lines[1].contains(",mix_peaks,"), "{text}");
    assert!(lines[2].contains(",mix_loud,"), "{text}");
}

#[test]
fn list_targets_names_every_target_and_its_source() {
    let home = tempfile::tempdir().unwrap();
    let text = cli::stdout_of(cli::gainstage(home.path()).args(["analyze", "--list-targets"]));
    for t in TARGETS {
        assert!(
            text.contains(t.name) && text.contains(t.source),
            "{}",
            t.name
        );
    }
}

#[test]
fn stems_json_reports_the_sum_and_its_headroom() {
    let dir = tempfile::tempdir().unwrap();
    let a = 0.36;
    for k in 0..3 {
        write(
            &dir.path().join(format!("s{k}.wav")),
            2,
            RATE,
            2.0,
            |n, _| sine(n, a, F),
        );
    }
    let home = tempfile::tempdir().unwrap();
    let out = cli::stdout_of(
        cli::gainstage(home.path())
            .args(["analyze", "--stage", "stems", "--json", "--ceiling", "-10"])
            .arg(dir.path()),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stage"], "stems");
    assert_eq!(v["settings"]["stem_ceiling_dbtp"], -10.0);
    assert_eq!(v["sum"]["role"], "sum");
    let headroom = v["sum"]["programme"]["headroom_db"].as_f64().unwrap();
    near("sum headroom", headroom, -db(3.0 * a), 0.02);
    // -8.9 dBTP stems are over a -10 dBTP ceiling: three stem verdicts, then the sum's.
    let kinds: Vec<&str> = v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "stem_over_ceiling",
            "stem_over_ceiling",
            "stem_over_ceiling",
            "sum_clips"
        ]
    );
}

#[test]
fn an_explicit_target_is_checked_by_its_own_arithmetic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("master.wav");
    let a = 10f64.powf(-10.0 / 20.0);
    write(&path, 2, RATE, 6.0, |n, _| sine(n, a, F));
    let home = tempfile::tempdir().unwrap();
    let out = cli::stdout_of(
        cli::gainstage(home.path())
            .args(["analyze", "--stage", "master", "--json"])
            .args(["--target-lufs", "-20", "--ceiling", "-3"])
            .arg(&path),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = &v["files"][0]["targets"][0];
    assert_eq!(t["name"], "custom");
    assert_eq!(v["files"][0]["targets"].as_array().unwrap().len(), 1);
    // -10 LUFS against -20 ± 1: a 10 dB cut, after which the peak sits at -20 dBTP.
    near("gain", t["gain_db"].as_f64().unwrap(), -10.0, 0.05);
    near(
        "peak after",
        t["peak_after_db"].as_f64().unwrap(),
        -20.0,
        0.05,
    );
    assert_eq!(t["level_ok"], false);
    assert_eq!(t["peak_ok"], true);
}
