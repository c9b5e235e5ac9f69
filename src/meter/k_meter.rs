//! The K-system's average meter (Bob Katz: K-20, K-14, K-12): sine-calibrated RMS (a steady
//! sine reads its peak, so 0 on K-20 is a -20 dBFS sine or pink noise at -23 dBFS RMS), two
//! cascaded one-pole low passes of x², which rise without overshoot: 99 % of a step's RMS in
//! 600 ms.

use super::level::amplitude_to_db;

/// Time a step's RMS reading takes to reach 99 % (s).
pub const RISE_TO_99_S: f64 = 0.6;

/// Normalised time ω·t at which two cascaded one-poles' step response reaches `power`
/// (0..1): the root of 1 - e^-x·(1 + x) = power.
fn normalised_time_to(power: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 100.0f64);
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if 1.0 - (-mid).exp() * (1.0 + mid) < power {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// One channel's K-meter average. The scale (K-20, K-14, K-12) is the display's business.
#[derive(Debug, Clone)]
pub struct KMeter {
    /// Per-sample share of the gap each one-pole closes.
    w: f32,
    /// The two low passes' states (mean square, linear).
    z1: f32,
    z2: f32,
    /// Highest output mean square since the last take.
    max: f32,
}

impl KMeter {
    pub fn new(sample_rate: u32) -> Self {
        let fs = f64::from(sample_rate.max(1));
        // 99 % of the RMS is 98.01 % of the mean square.
        let omega = normalised_time_to(0.99 * 0.99) / RISE_TO_99_S;
        Self {
            w: (1.0 - (-omega / fs).exp()) as f32,
            z1: 0.0,
            z2: 0.0,
            max: 0.0,
        }
    }

    /// Meters a block of samples (finite).
    pub fn process(&mut self, block: &[f32]) {
        let (w, mut z1, mut z2, mut max) = (self.w, self.z1, self.z2, self.max);
        for &x in block {
            z1 += w * (x * x - z1);
            z2 += w * (z1 - z2);
            max = max.max(z2);
        }
        // Far below any converter's floor: keeps the states out of subnormal numbers.
        (self.z1, self.z2, self.max) = (z1 + 1e-30, z2 + 1e-30, max);
    }

    /// The highest reading since the previous take (dBFS, sine-calibrated RMS).
    pub fn take_max_db(&mut self) -> f64 {
        let max = self.max;
        self.max = self.z2;
        amplitude_to_db(f64::from(2.0 * max).sqrt())
    }

    /// The reading now (dBFS, sine-calibrated RMS).
    pub fn current_db(&self) -> f64 {
        amplitude_to_db(f64::from(2.0 * self.z2).sqrt())
    }

    pub fn reset(&mut self) {
        self.z1 = 0.0;
        self.z2 = 0.0;
        self.max = 0.0;
    }
}
