//! Channel meter readings other than the EBU cases: peak hold and fall-back, RMS, DC, low-band
//! share, noise floor, the 60 s headroom history, non-finite input and channel alignment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::PI;

use gainstage::meter::config::{HISTORY_RATE_HZ, HISTORY_S};
use gainstage::meter::{ChannelMeter, MeterBank, MeterConfig};

const RATE: u32 = 48_000;

fn sine(freq: f64, amp: f64, secs: f64) -> Vec<f32> {
    let len = (secs * f64::from(RATE)).round() as usize;
    (0..len)
        .map(|n| (amp * (2.0 * PI * freq * n as f64 / f64::from(RATE)).sin()) as f32)
        .collect()
}

fn db_to_amp(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Deterministic white noise with the given RMS (uniform, so RMS = half-width / sqrt 3).
fn noise(rms: f64, secs: f64, seed: &mut u64) -> Vec<f32> {
    let len = (secs * f64::from(RATE)) as usize;
    let half_width = rms * 3f64.sqrt();
    (0..len)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = (*seed >> 11) as f64 / (1u64 << 53) as f64;
            ((2.0 * u - 1.0) * half_width) as f32
        })
        .collect()
}

fn meter() -> ChannelMeter {
    ChannelMeter::new(RATE, &MeterConfig::default()).unwrap()
}

#[test]
fn peak_hold_holds_about_one_second_then_falls_20_db_in_about_1_7_s() {
    let mut m = meter();
    m.process(&sine(1000.0, 0.5, 0.1));
    let peak = m.readings().peak_hold_dbfs;
    assert!((peak - 20.0 * 0.5f64.log10()).abs() < 0.01, "{peak}");
    let silence = vec![0.0f32; RATE as usize / 100];
    let mut held_at = Vec::new();
    for k in 1..=400 {
        m.process(&silence);
        held_at.push((k as f64 * 0.01, m.readings().peak_hold_dbfs));
    }
    let at = |t: f64| {
        held_at
            .iter()
            .find(|(s, _)| (s - t).abs() < 1e-6)
            .map(|p| p.1)
            .unwrap()
    };
    // IEC 60268-18: hold 1.0 ± 0.5 s, then 20 dB in 1.7 ± 0.3 s (10.0 to 14.3 dB/s).
    assert_eq!(at(0.5), peak, "still held at 0.5 s");
    assert!(at(1.5) < peak - 0.5, "falling by 1.5 s: {}", at(1.5));
    let rate = at(2.5) - at(3.5);
    assert!((10.0..=14.3).contains(&rate), "fall rate {rate} dB/s");
    // The sample peak of the latest block follows the signal at once.
    assert_eq!(m.readings().sample_peak_dbfs, f64::NEG_INFINITY);
    assert!((m.readings().max_sample_peak_dbfs - peak).abs() < 1e-9);
}

#[test]
fn rms_of_full_scale_sine_is_minus_3_01_dbfs() {
    let mut m = meter();
    m.process(&sine(1000.0, 1.0, 2.0));
    let r = m.readings();
    let want = -10.0 * 2f64.log10();
    assert!(
        (r.rms_dbfs - want).abs() < 0.01,
        "300 ms RMS {}",
        r.rms_dbfs
    );
    assert!(
        (r.total_rms_dbfs - want).abs() < 0.01,
        "{}",
        r.total_rms_dbfs
    );
    assert!((r.max_rms_dbfs - want).abs() < 0.01, "{}", r.max_rms_dbfs);
}

#[test]
fn dc_offset_is_the_mean() {
    let mut m = meter();
    let signal: Vec<f32> = sine(997.0, 0.25, 3.0).iter().map(|x| x + 0.01).collect();
    m.process(&signal);
    let r = m.readings();
    assert!(
        (r.total_dc_offset - 0.01).abs() < 1e-4,
        "{}",
        r.total_dc_offset
    );
    assert!((r.dc_offset - 0.01).abs() < 1e-4, "{}", r.dc_offset);
    assert!((r.total_dc_offset_dbfs() + 40.0).abs() < 0.1);

    let mut clean = meter();
    clean.process(&sine(1000.0, 0.25, 3.0));
    assert!(clean.readings().total_dc_offset.abs() < 1e-6);
}

#[test]
fn low_band_share_tells_rumble_from_midrange() {
    let mut rumble = meter();
    rumble.process(&sine(30.0, 0.5, 5.0));
    let r = rumble.readings();
    // 2nd-order Butterworth at 40 Hz passes |H(30 Hz)|² = 1 / (1 + 0.75⁴) ≈ 0.76 of the power.
    assert!((0.65..=0.9).contains(&r.total_low_band_share), "{r:?}");
    assert!((0.65..=0.9).contains(&r.low_band_share), "{r:?}");

    let mut mid = meter();
    mid.process(&sine(1000.0, 0.5, 5.0));
    assert!(mid.readings().total_low_band_share < 1e-3);
    assert!(mid.readings().low_band_share < 1e-3);
}

#[test]
fn noise_floor_is_the_level_of_the_pauses() {
    let mut m = meter();
    let mut seed = 7;
    let floor_db = -70.0;
    for _ in 0..8 {
        let phrase: Vec<f32> = sine(440.0, db_to_amp(-20.0), 1.0);
        m.process(&phrase);
        m.process(&noise(db_to_amp(floor_db), 1.0, &mut seed));
    }
    let r = m.readings();
    assert!((r.total_noise_floor_dbfs - floor_db).abs() < 1.5, "{r:?}");
    assert!((r.noise_floor_dbfs - floor_db).abs() < 1.5, "{r:?}");
    assert!(r.total_rms_dbfs > -30.0);
}

#[test]
fn the_noise_floor_follows_audio_metered_between_reads() {
    let mut m = meter();
    let mut seed = 11;
    m.process(&sine(440.0, db_to_amp(-20.0), 2.0));
    // A -20 dBFS sine: its 50 ms RMS is -23 dBFS.
    let loud = m.readings().total_noise_floor_dbfs;
    assert!((loud + 23.0).abs() < 1.0, "{loud}");
    assert_eq!(
        m.readings().total_noise_floor_dbfs,
        loud,
        "read twice, the same"
    );
    // Once pauses are most of the take, its 10th percentile is theirs.
    m.process(&noise(db_to_amp(-70.0), 6.0, &mut seed));
    let quiet = m.readings().total_noise_floor_dbfs;
    assert!((quiet + 70.0).abs() < 1.5, "{quiet}");
    m.reset();
    assert_eq!(m.readings().total_noise_floor_dbfs, f64::NEG_INFINITY);
}

#[test]
fn digital_silence_has_no_noise_floor() {
    let mut m = meter();
    m.process(&vec![0.0; RATE as usize * 2]);
    let r = m.readings();
    assert_eq!(r.total_noise_floor_dbfs, f64::NEG_INFINITY);
    assert_eq!(r.max_sample_peak_dbfs, f64::NEG_INFINITY);
    assert_eq!(r.integrated_lufs, f64::NEG_INFINITY);
}

#[test]
fn headroom_history_holds_the_latest_60_seconds_at_20_values_a_second() {
    let mut m = meter();
    assert_eq!(m.peak_history_capacity(), HISTORY_S * HISTORY_RATE_HZ);
    assert_eq!(m.peak_history_capacity(), 1200);
    for block in sine(1000.0, db_to_amp(-30.0), 65.0).chunks(4096) {
        m.process(block);
    }
    for block in sine(1000.0, db_to_amp(-10.0), 5.0).chunks(333) {
        m.process(block);
    }
    let history: Vec<f32> = m.peak_history().collect();
    assert_eq!(history.len(), 1200);
    let loud = 5 * HISTORY_RATE_HZ;
    for (k, v) in history.iter().enumerate() {
        let want = if k >= history.len() - loud {
            -10.0
        } else {
            -30.0
        };
        // Each value is the true peak of its 50 ms; the step can spill into one value.
        if k + 1 == history.len() - loud {
            continue;
        }
        // A 1 kHz sine's true peak is its amplitude to 0.01 dB at 4x (1/8 sample from the
        // crest at most: -0.001 dB; the interpolator's gain at fs/48: +0.006 dB).
        assert!((f64::from(*v) - want).abs() < 0.01, "value {k}: {v}");
    }
}

#[test]
fn non_finite_samples_are_counted_and_kept_out_of_every_reading() {
    let clean = sine(1000.0, 0.5, 10.0);
    let mut faulty = clean.clone();
    let bad = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
    let mut placed = 0;
    for k in (1000..faulty.len()).step_by(48_007) {
        faulty[k] = bad[placed % 3];
        placed += 1;
    }
    let mut m = meter();
    for block in faulty.chunks(1000) {
        m.process(block);
    }
    let r = m.readings();
    assert_eq!(r.invalid_samples, placed as u64);
    assert_eq!(r.clipped_samples, 0);
    assert!(
        (r.max_sample_peak_dbfs - 20.0 * 0.5f64.log10()).abs() < 0.01,
        "{r:?}"
    );
    assert!(r.max_true_peak_dbtp < -5.5, "{r:?}");
    assert!(r.integrated_lufs.is_finite() && r.total_rms_dbfs.is_finite());
    assert!(r.total_dc_offset.abs() < 1e-4);

    let mut reference = meter();
    reference.process(&clean);
    let c = reference.readings();
    assert!((r.integrated_lufs - c.integrated_lufs).abs() < 0.1);
    assert!((r.total_rms_dbfs - c.total_rms_dbfs).abs() < 0.01);
}

/// Each channel gets its own level; any rotation would show up as a wrong peak.
fn alignment(channels: usize, chunk: usize) {
    let frames = RATE as usize;
    let level = |c: usize| db_to_amp(-3.0 - 2.0 * c as f64);
    let mut interleaved = Vec::with_capacity(frames * channels);
    for n in 0..frames {
        for c in 0..channels {
            let phase = 2.0 * PI * 1000.0 * n as f64 / f64::from(RATE);
            interleaved.push((level(c) * phase.sin()) as f32);
        }
    }
    let config = MeterConfig {
        max_block_frames: 1000,
        ..MeterConfig::default()
    };
    let mut bank = MeterBank::new(channels, RATE, &config).unwrap();
    for piece in interleaved.chunks(chunk) {
        bank.process_interleaved(piece);
    }
    for c in 0..channels {
        let r = bank.readings(c);
        assert_eq!(
            r.frames, frames as u64,
            "{channels} ch, chunk {chunk}, ch {c}"
        );
        let want = 20.0 * level(c).log10();
        assert!(
            (r.max_sample_peak_dbfs - want).abs() < 0.01,
            "{channels} ch, chunk {chunk}: channel {c} reads {} want {want}",
            r.max_sample_peak_dbfs
        );
    }
}

#[test]
fn channels_never_rotate_at_6_10_and_18_channels_with_odd_chunks() {
    for channels in [6, 10, 18] {
        for chunk in [1, 7, 13, 1001, 4099] {
            alignment(channels, chunk);
        }
    }
}

#[test]
fn other_sample_rates_read_the_same() {
    // Rates whose 10 ms granule does not divide their 100 ms slice exercise the block splitting.
    for rate in [22_050u32, 44_100, 96_000, 192_000] {
        let mut m = ChannelMeter::new(rate, &MeterConfig::default()).unwrap();
        let secs = 10.0;
        let amp = db_to_amp(-23.0);
        let signal: Vec<f32> = (0..(secs * f64::from(rate)) as usize)
            .map(|n| (amp * (2.0 * PI * 997.0 * n as f64 / f64::from(rate)).sin()) as f32)
            .collect();
        for block in signal.chunks(1013) {
            m.process(block);
        }
        let r = m.readings();
        let want = -23.0 - 10.0 * 2f64.log10();
        assert!(
            (r.integrated_lufs - want).abs() < 0.1,
            "{rate}: I {}",
            r.integrated_lufs
        );
        assert!(
            (r.momentary_lufs - want).abs() < 0.1,
            "{rate}: M {}",
            r.momentary_lufs
        );
        assert!(
            (r.rms_dbfs - (-23.0 - 3.0103)).abs() < 0.05,
            "{rate}: RMS {}",
            r.rms_dbfs
        );
        // 997 Hz is under fs/22 at every rate here: the oversampled crest is within 0.006 dB
        // of the amplitude, and at 192 kHz the samples themselves are within 0.002 dB.
        assert!(
            (r.max_true_peak_dbtp + 23.0).abs() < 0.01,
            "{rate}: TP {}",
            r.max_true_peak_dbtp
        );
        let history = m.peak_history().count();
        assert!(
            (history as f64 - secs * HISTORY_RATE_HZ as f64).abs() <= 1.0,
            "{rate}: {history} history values in {secs} s"
        );
    }
}

/// Integrated loudness and LRA are computed once per 100 ms step of audio and reused between:
/// read after every odd-sized block, they equal what a meter that read them once, fresh, says
/// at the same point, across steps, a level change and a reset.
#[test]
fn integrated_and_lra_read_between_blocks_match_a_fresh_reading() {
    let mut seed = 7;
    let mut audio = sine(1000.0, db_to_amp(-20.0), 2.5);
    audio.extend(noise(db_to_amp(-12.0), 2.5, &mut seed));
    let blocks: Vec<&[f32]> = audio.chunks(4801).collect();
    let mut live = meter();
    for (k, block) in blocks.iter().enumerate() {
        live.process(block);
        let read = live.readings();
        // Read twice within one step: the second read reuses the first.
        assert_eq!(read.integrated_lufs, live.readings().integrated_lufs);
        let mut fresh = meter();
        for b in &blocks[..=k] {
            fresh.process(b);
        }
        let truth = fresh.readings();
        assert_eq!(read.integrated_lufs, truth.integrated_lufs, "block {k}");
        assert_eq!(read.loudness_range_lu, truth.loudness_range_lu, "block {k}");
    }
    assert!(
        live.readings().loudness_range_lu > 1.0,
        "the level change gives a range"
    );
    live.reset();
    assert_eq!(live.readings().integrated_lufs, f64::NEG_INFINITY);
    live.process(blocks[0]);
    let mut fresh = meter();
    fresh.process(blocks[0]);
    assert_eq!(
        live.readings().integrated_lufs,
        fresh.readings().integrated_lufs
    );
}

#[test]
fn block_peaks_are_the_latest_blocks_peaks_as_the_readings_give_them() {
    let mut m = meter();
    // A -20 dBFS 997 Hz block, then a louder one: the block peaks follow the latest block.
    // (Louder, because the true-peak filter's delay carries a little of the previous block
    // into the next.)
    for (amp_db, expect_db) in [(-20.0, -20.0), (-6.0, -6.0)] {
        m.process(&sine(997.0, db_to_amp(amp_db), 0.1));
        let (sample, true_peak) = m.block_peaks();
        let r = m.readings();
        assert!((20.0 * sample.log10() - r.sample_peak_dbfs).abs() < 1e-9);
        assert!((20.0 * true_peak.log10() - r.true_peak_dbtp).abs() < 1e-9);
        assert!((r.sample_peak_dbfs - expect_db).abs() < 0.01, "{r:?}");
        // True peak of a 997 Hz sine is its amplitude within the 4x oversampler's gain at
        // fs/48 (+0.006 dB) and its 1/8-sample spacing (-0.001 dB).
        assert!((r.true_peak_dbtp - expect_db).abs() < 0.01, "{r:?}");
    }
}

#[test]
fn max_only_true_peak_reads_the_same_maximum_as_every_block_interpolated() {
    // Swells and decays with inter-sample crests (a tone near fs/4 at 45°), noise between:
    // most blocks sit below the maximum found earlier, so most are skipped.
    let mut seed = 99;
    let mut signal = Vec::new();
    for (i, amp) in [0.2, 0.9, 0.3, 0.95, 0.1, 0.5].into_iter().enumerate() {
        // fs/4 at 45°: every sample at 0.707 of the crest, which lies between them.
        let len = 17_760 + 480 * i;
        signal.extend((0..len).map(|n| (amp * (PI / 2.0 * n as f64 + PI / 4.0).sin()) as f32));
        signal.extend(noise(0.02, 0.21, &mut seed));
    }
    for chunk in [1, 17, 480, 4096] {
        let full_config = MeterConfig::default();
        let skip_config = MeterConfig {
            true_peak_max_only: true,
            ..MeterConfig::default()
        };
        let mut full = ChannelMeter::new(RATE, &full_config).unwrap();
        let mut skipping = ChannelMeter::new(RATE, &skip_config).unwrap();
        for block in signal.chunks(chunk) {
            full.process(block);
            skipping.process(block);
        }
        let (a, b) = (full.readings(), skipping.readings());
        assert_eq!(
            a.max_true_peak_dbtp, b.max_true_peak_dbtp,
            "blocks of {chunk}"
        );
        // The inter-sample crest is really there: above the sample peak.
        assert!(a.max_true_peak_dbtp > a.max_sample_peak_dbfs + 2.9, "{a:?}");
        assert_eq!(a.integrated_lufs, b.integrated_lufs);
        assert_eq!(a.clipped_samples, b.clipped_samples);
    }
}
