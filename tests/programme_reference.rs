//! Programme loudness of material no EBU case synthesizes (noise whose level moves like a
//! programme, on all five channels, with pauses under both gates) against a reference written
//! out here from the texts alone: BS.1770's K-weighting coefficients for 48 kHz, its 400 ms
//! blocks every 100 ms with the -70 LUFS and -10 LU gates, and Tech 3342's short-term
//! percentiles as its MATLAB listing computes them. It shares no code with the meter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gainstage::meter::ProgramMeter;

const RATE: usize = 48_000;
/// BS.1770 channel weights: L, R, C 1.0; Ls, Rs 1.41.
const WEIGHTS: [f64; 5] = [1.0, 1.0, 1.0, 1.41, 1.41];

/// The meter's integrated loudness sums exact energies; only a block within 0.05 LU of the
/// relative gate can fall on the other side of it (its gate is found on 0.1 LU bins).
const INTEGRATED_TOL: f64 = 0.01;
/// The meter keeps short-term values on 0.1 LU bins: each LRA percentile reads as its bin's
/// centre (0.05 LU each way, twice), and a value within 0.05 LU of the relative gate may fall
/// on either side of it, which the reference is run both ways for.
const BIN_LU: f64 = 0.1;

/// Deterministic noise in -1..1.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// 60 s of five channels of noise, each in 1.5 s segments at levels that wander like a
/// programme: dialogue-like centre, music-like front pair, quiet ambience in the surrounds,
/// and stretches of silence (under the absolute gate) and of near-silence (under the
/// relative ones).
fn programme() -> Vec<Vec<f32>> {
    let len = 60 * RATE;
    let segment = RATE * 3 / 2;
    let mut levels = Noise(0x9e37_79b9_7f4a_7c15);
    (0..5)
        .map(|c| {
            let mut noise = Noise(0x1234_5678 + c as u64);
            let (base, swing) = [
                (-26.0, 10.0),
                (-26.0, 10.0),
                (-22.0, 14.0),
                (-36.0, 6.0),
                (-36.0, 6.0),
            ][c];
            let mut gain = 0.0;
            (0..len)
                .map(|n| {
                    if n % segment == 0 {
                        let k = n / segment;
                        let db = if k % 9 == 4 {
                            f64::NEG_INFINITY
                        } else if k % 7 == 2 {
                            base - 25.0
                        } else {
                            base + swing * levels.next()
                        };
                        gain = 10f64.powf(db / 20.0) * 3f64.sqrt();
                    }
                    (gain * noise.next()) as f32
                })
                .collect()
        })
        .collect()
}

/// A biquad, direct form I, over a whole channel.
fn biquad(x: &[f64], b: [f64; 3], a: [f64; 2]) -> Vec<f64> {
    let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
    x.iter()
        .map(|&x0| {
            let y0 = b[0] * x0 + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2;
            (x2, x1, y2, y1) = (x1, x0, y1, y0);
            y0
        })
        .collect()
}

/// K-weighting at 48 kHz with the coefficients BS.1770 tabulates: the shelving pre-filter,
/// then the RLB high-pass.
fn k_weight(x: &[f32]) -> Vec<f64> {
    let x: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let shelf = biquad(
        &x,
        [
            1.535_124_859_586_97,
            -2.691_696_189_406_38,
            1.198_392_810_852_85,
        ],
        [-1.690_659_293_182_41, 0.732_480_774_215_85],
    );
    biquad(
        &shelf,
        [1.0, -2.0, 1.0],
        [-1.990_047_454_833_98, 0.990_072_250_366_21],
    )
}

/// Weighted mean square of every window of `window` samples starting every 100 ms.
fn window_powers(squares: &[Vec<f64>], window: usize) -> Vec<f64> {
    let prefix: Vec<Vec<f64>> = squares
        .iter()
        .map(|s| {
            let mut p = vec![0.0];
            for v in s {
                p.push(p[p.len() - 1] + v);
            }
            p
        })
        .collect();
    let len = squares[0].len();
    let step = RATE / 10;
    (0..)
        .map(|j| j * step)
        .take_while(|start| start + window <= len)
        .map(|start| {
            prefix
                .iter()
                .zip(WEIGHTS)
                .map(|(p, g)| g * (p[start + window] - p[start]) / window as f64)
                .sum()
        })
        .collect()
}

fn lufs(power: f64) -> f64 {
    -0.691 + 10.0 * power.log10()
}

/// BS.1770 integrated loudness: blocks above -70 LUFS, then above their mean minus 10 LU.
fn integrated(blocks: &[f64]) -> f64 {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let loud: Vec<f64> = blocks
        .iter()
        .copied()
        .filter(|&p| lufs(p) > -70.0)
        .collect();
    let gate = lufs(mean(&loud)) - 10.0;
    let gated: Vec<f64> = loud.into_iter().filter(|&p| lufs(p) > gate).collect();
    lufs(mean(&gated))
}

/// Tech 3342 loudness range, as its MATLAB listing computes it, with the relative gate moved
/// by `gate_shift` LU.
fn loudness_range(short_terms: &[f64], gate_shift: f64) -> f64 {
    let levels: Vec<f64> = short_terms
        .iter()
        .map(|&p| lufs(p))
        .filter(|&l| l >= -70.0)
        .collect();
    let mean = levels.iter().map(|l| 10f64.powf(l / 10.0)).sum::<f64>() / levels.len() as f64;
    let gate = 10.0 * mean.log10() - 20.0 + gate_shift;
    let mut gated: Vec<f64> = levels.into_iter().filter(|&l| l >= gate).collect();
    gated.sort_by(f64::total_cmp);
    let at = |p: f64| gated[((gated.len() - 1) as f64 * p).round() as usize];
    at(0.95) - at(0.10)
}

#[test]
fn five_channel_programme_matches_a_reference_from_the_texts() {
    let channels = programme();
    let squares: Vec<Vec<f64>> = channels
        .iter()
        .map(|c| k_weight(c).into_iter().map(|y| y * y).collect())
        .collect();
    let want_i = integrated(&window_powers(&squares, RATE * 4 / 10));
    let short_terms = window_powers(&squares, RATE * 3);
    let want_lra = loudness_range(&short_terms, 0.0);
    let lra_bounds = [-BIN_LU / 2.0, BIN_LU / 2.0].map(|shift| loudness_range(&short_terms, shift));
    let lra_low = lra_bounds[0].min(lra_bounds[1]) - BIN_LU;
    let lra_high = lra_bounds[0].max(lra_bounds[1]) + BIN_LU;
    // The material is meant to exercise both gates and a real range.
    assert!(want_i > -30.0 && want_i < -5.0, "reference I {want_i}");
    assert!(want_lra > 3.0, "reference LRA {want_lra}");

    let mut meter = ProgramMeter::new(5, RATE as u32, 4096).unwrap().unwrap();
    let len = channels[0].len();
    for start in (0..len).step_by(1001) {
        let end = (start + 1001).min(len);
        let blocks: Vec<&[f32]> = channels.iter().map(|c| &c[start..end]).collect();
        meter.process_planar(&blocks);
    }
    let got = meter.readings();
    assert!(
        (got.integrated_lufs - want_i).abs() <= INTEGRATED_TOL,
        "I: {:.3} LUFS, reference {want_i:.3}",
        got.integrated_lufs
    );
    assert!(
        (lra_low..=lra_high).contains(&got.loudness_range_lu),
        "LRA: {:.3} LU, reference {want_lra:.3} (allowed {lra_low:.3} to {lra_high:.3})",
        got.loudness_range_lu
    );
}
