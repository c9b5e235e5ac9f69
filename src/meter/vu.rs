//! The VU meter, IEC 60268-17 / ANSI C16.5: a second-order low pass of the rectified signal,
//! the movement of a damped needle. A suddenly applied sine takes the needle to 99 % of its
//! steady deflection in 300 ms and past it by 1 to 1.5 %; it falls back as fast.

use super::level::amplitude_to_db;

/// Time a step takes to 99 % of the steady deflection (s): the standard's integration time.
pub const RISE_TO_99_S: f64 = 0.3;
/// Overshoot the needle is damped to (fraction of the step): the middle of 1 to 1.5 %.
pub const OVERSHOOT: f64 = 0.0125;

/// Damping ratio that gives `overshoot` for a second-order step response.
pub fn damping_for(overshoot: f64) -> f64 {
    let l = overshoot.ln();
    -l / (std::f64::consts::PI.powi(2) + l * l).sqrt()
}

/// Step response of a second-order low pass with damping `zeta` at normalised time
/// `tau` = ωn·t.
fn step_response(zeta: f64, tau: f64) -> f64 {
    let wd = (1.0 - zeta * zeta).sqrt();
    1.0 - (-zeta * tau).exp() * ((wd * tau).cos() + zeta / wd * (wd * tau).sin())
}

/// Normalised time (ωn·t) at which the step response first reaches `fraction` (< 1).
fn normalised_time_to(zeta: f64, fraction: f64) -> f64 {
    // Monotonic up to the first crossing of 1, at (π - acos ζ)/ωd.
    let wd = (1.0 - zeta * zeta).sqrt();
    let (mut lo, mut hi) = (0.0, (std::f64::consts::PI - zeta.acos()) / wd);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if step_response(zeta, mid) < fraction {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// One channel's VU meter. Reads a steady sine at its peak level (dBFS); the scale puts
/// 0 VU at the alignment level.
#[derive(Debug, Clone)]
pub struct Vu {
    /// Exact per-sample transition of the needle's (position, velocity) for a constant input
    /// (zero-order hold), row-major.
    phi: [f32; 4],
    /// Needle position and velocity (linear, mean of |x| before `gain`; per second).
    y: f32,
    v: f32,
    /// Highest position since the last take.
    max: f32,
}

/// From the mean of a rectified sine (2/π of its peak) to its peak.
const SINE_GAIN: f32 = std::f32::consts::FRAC_PI_2;

impl Vu {
    pub fn new(sample_rate: u32) -> Self {
        let fs = f64::from(sample_rate.max(1));
        let zeta = damping_for(OVERSHOOT);
        let wn = normalised_time_to(zeta, 0.99) / RISE_TO_99_S;
        let sigma = zeta * wn;
        let wd = wn * (1.0 - zeta * zeta).sqrt();
        let dt = 1.0 / fs;
        let (e, c, s) = ((-sigma * dt).exp(), (wd * dt).cos(), (wd * dt).sin());
        let phi = [
            e * (c + sigma / wd * s),
            e * s / wd,
            -e * wn * wn / wd * s,
            e * (c - sigma / wd * s),
        ];
        Self {
            phi: phi.map(|p| p as f32),
            y: 0.0,
            v: 0.0,
            max: 0.0,
        }
    }

    /// Meters a block of samples (finite).
    pub fn process(&mut self, block: &[f32]) {
        let [a, b, c, d] = self.phi;
        let (mut y, mut v, mut max) = (self.y, self.v, self.max);
        for &x in block {
            // The state relaxes towards (|x|, 0): x' = Φ·x + (I - Φ)·(u, 0).
            let u = x.abs();
            let dy = y - u;
            let y1 = u + a * dy + b * v;
            v = c * dy + d * v;
            y = y1;
            max = max.max(y);
        }
        // Far below any converter's floor: silence, kept out of subnormal numbers.
        if y.abs() < 1e-15 && v.abs() < 1e-12 {
            (y, v) = (0.0, 0.0);
        }
        (self.y, self.v, self.max) = (y, v, max);
    }

    /// The highest reading since the previous take (dBFS, sine peak).
    pub fn take_max_db(&mut self) -> f64 {
        let max = self.max;
        self.max = self.y;
        amplitude_to_db(f64::from((max * SINE_GAIN).max(0.0)))
    }

    /// The needle now, linear (1.0 = a steady full-scale sine); dips below 0 when it
    /// undershoots on the way back.
    pub fn current(&self) -> f64 {
        f64::from(self.y * SINE_GAIN)
    }

    /// The needle now (dBFS of a sine's peak; `-inf` while it rests or undershoots).
    pub fn current_db(&self) -> f64 {
        amplitude_to_db(self.current().max(0.0))
    }

    pub fn reset(&mut self) {
        self.y = 0.0;
        self.v = 0.0;
        self.max = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_damping_for_one_and_a_quarter_percent_is_about_0_81() {
        let z = damping_for(0.0125);
        assert!((z - 0.8127).abs() < 1e-3, "{z}");
        // And back: that damping overshoots by that much at ωd·t = π.
        let wd = (1.0 - z * z).sqrt();
        let peak = step_response(z, std::f64::consts::PI / wd);
        assert!((peak - 1.0125).abs() < 1e-9, "{peak}");
    }
}
