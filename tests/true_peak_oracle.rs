//! True peak against an oracle that shares nothing with the meter's interpolator: a periodic,
//! band-limited multi-tone whose continuous-time peak is found from its samples alone, by a
//! DFT of one period and the Fourier series that DFT defines evaluated densely between the
//! samples.
//!
//! The tolerance is what 4× oversampling allows for this signal, worked out from the signal:
//! - The meter sees the band-limited waveform every quarter sample, so the crest lies at most
//!   δ = 1/8 sample from a point it evaluates. Near a crest x(t) ≥ P − ½·max|x''|·δ², and
//!   |x''| ≤ Σ aₖ·ωₖ² (ωₖ in radians per sample): the meter may read that much low, no lower.
//! - The 48-tap interpolator is not an ideal fractional delay: below fs/8, where every tone of
//!   this signal lies, each of its phases is within 0.1 % of one for each sinusoid (the
//!   windowed sinc's passband error, 0.09 % at worst). That much either way, for each tone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::{PI, TAU};

use gainstage::meter::{ChannelMeter, MeterConfig};

const RATE: u32 = 48_000;
/// One period: 480 samples, a 100 Hz fundamental.
const N: usize = 480;
/// Harmonic number, amplitude, phase: up to harmonic 60 (6 kHz, fs/8).
const TONES: [(usize, f64, f64); 5] = [
    (3, 0.30, 0.4),
    (11, 0.22, 1.9),
    (29, 0.18, -0.7),
    (47, 0.12, 2.6),
    (60, 0.10, 0.9),
];
/// Relative error of the interpolator for any sinusoid below fs/8 (see the module doc).
const INTERPOLATOR_ERROR: f64 = 0.001;

/// The multi-tone shifted by `shift` samples, at sample `n`.
fn signal(n: f64, shift: f64) -> f64 {
    TONES
        .iter()
        .map(|&(k, a, phi)| a * (TAU * k as f64 * (n + shift) / N as f64 + phi).cos())
        .sum()
}

/// The continuous peak of the periodic signal whose one period is `period`: the DFT gives the
/// Fourier series through the samples, evaluated every 1/64 sample and then, around the
/// largest, every 1/65536 sample.
fn oracle_peak(period: &[f32]) -> f64 {
    let n = period.len();
    let bins: Vec<(f64, f64)> = (0..=n / 2)
        .map(|k| {
            period
                .iter()
                .enumerate()
                .fold((0.0, 0.0), |(re, im), (i, &x)| {
                    let w = TAU * (k * i) as f64 / n as f64;
                    (re + f64::from(x) * w.cos(), im - f64::from(x) * w.sin())
                })
        })
        .collect();
    let at = |t: f64| -> f64 {
        bins.iter()
            .enumerate()
            .map(|(k, &(re, im))| {
                // Real signal: bins 1..n/2 stand for their mirrors too; 0 and n/2 do not.
                let weight = if k == 0 || 2 * k == n { 1.0 } else { 2.0 };
                let w = TAU * k as f64 * t / n as f64;
                weight * (re * w.cos() - im * w.sin())
            })
            .sum::<f64>()
            / n as f64
    };
    let coarse = 64;
    let (mut best_t, mut best) = (0.0, 0.0);
    for j in 0..n * coarse {
        let t = j as f64 / coarse as f64;
        let v = at(t).abs();
        if v > best {
            (best_t, best) = (t, v);
        }
    }
    let fine: i64 = 1024;
    for j in -fine..=fine {
        let t = best_t + j as f64 / (coarse as i64 * fine) as f64;
        best = best.max(at(t).abs());
    }
    best
}

#[test]
fn true_peak_of_a_band_limited_multitone_matches_its_fourier_series_peak() {
    let sum_a: f64 = TONES.iter().map(|t| t.1).sum();
    let curvature: f64 = TONES
        .iter()
        .map(|&(k, a, _)| a * (TAU * k as f64 / N as f64).powi(2))
        .sum();
    let delta = 1.0 / 8.0;
    // Shifts in eighths of a sample put the crest at every position between the samples.
    for s in 0..8 {
        let shift = s as f64 / 8.0;
        let period: Vec<f32> = (0..N).map(|n| signal(n as f64, shift) as f32).collect();
        let peak = oracle_peak(&period);
        // The oracle reconstructs the series it was sampled from (f32 rounding aside).
        let analytic = (0..N * 256)
            .map(|j| signal(j as f64 / 256.0, shift).abs())
            .fold(0.0, f64::max);
        assert!(
            (peak - analytic).abs() < 1e-5 && peak > analytic - 1e-6,
            "shift {shift}: oracle {peak} vs series {analytic}"
        );
        let sample_peak = period.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(
            f64::from(sample_peak) <= peak + 1e-6,
            "shift {shift}: no sample above the crest"
        );

        // Half a second of it, faded in over 20 ms so the start is no step to ring on.
        let len = RATE as usize / 2;
        let fade = RATE as usize / 50;
        let audio: Vec<f32> = (0..len)
            .map(|n| {
                let g = if n < fade {
                    0.5 - 0.5 * (PI * n as f64 / fade as f64).cos()
                } else {
                    1.0
                };
                (g * f64::from(period[n % N])) as f32
            })
            .collect();
        let mut m = ChannelMeter::new(RATE, &MeterConfig::default()).unwrap();
        for block in audio.chunks(1001) {
            m.process(block);
        }
        let got = m.readings().max_true_peak_dbtp;
        let low = peak - 0.5 * curvature * delta * delta - INTERPOLATOR_ERROR * sum_a;
        let high = peak + INTERPOLATOR_ERROR * sum_a;
        let db = |x: f64| 20.0 * x.log10();
        assert!(
            got >= db(low) && got <= db(high),
            "shift {shift}: {got:.4} dBTP, oracle {:.4} dBTP, allowed {:.4} to {:.4}",
            db(peak),
            db(low),
            db(high)
        );
    }
}
