//! IEC 60268-18 peak-hold and fall-back, in dB, advanced by elapsed audio time.

/// A held peak: follows any higher value at once, holds for `hold_s`, then falls at
/// `fall_db_per_s` until a new peak catches it.
#[derive(Debug, Clone)]
pub struct PeakHold {
    /// Hold time (s); 0 gives a plain falling peak.
    hold_s: f64,
    /// Fall-back rate (dB/s).
    fall_db_per_s: f64,
    /// Current held value (dB).
    value_db: f64,
    /// Hold time left before the value starts falling (s).
    hold_left_s: f64,
}

impl PeakHold {
    pub fn new(hold_s: f64, fall_db_per_s: f64) -> Self {
        Self {
            hold_s: hold_s.max(0.0),
            fall_db_per_s: fall_db_per_s.max(0.0),
            value_db: f64::NEG_INFINITY,
            hold_left_s: 0.0,
        }
    }

    /// Advances by `dt_s` of audio during which the highest level was `peak_db`.
    pub fn update(&mut self, peak_db: f64, dt_s: f64) {
        if peak_db >= self.value_db {
            self.value_db = peak_db;
            self.hold_left_s = self.hold_s;
            return;
        }
        let falling_s = (dt_s - self.hold_left_s).max(0.0);
        self.hold_left_s = (self.hold_left_s - dt_s).max(0.0);
        if falling_s > 0.0 && self.value_db.is_finite() {
            self.value_db -= self.fall_db_per_s * falling_s;
            // Far below any converter's floor the value is silence, not a number worth drawing.
            if self.value_db < -200.0 {
                self.value_db = f64::NEG_INFINITY;
            }
        }
        self.value_db = self.value_db.max(peak_db);
    }

    pub fn value_db(&self) -> f64 {
        self.value_db
    }

    pub fn reset(&mut self) {
        self.value_db = f64::NEG_INFINITY;
        self.hold_left_s = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_one_second_then_falls_twenty_db_in_one_point_seven() {
        let mut h = PeakHold::new(1.0, 20.0 / 1.7);
        h.update(-6.0, 0.01);
        let dt = 0.01;
        let mut t = 0.0;
        while t < 0.99 {
            h.update(f64::NEG_INFINITY, dt);
            t += dt;
        }
        assert!(
            (h.value_db() + 6.0).abs() < 1e-9,
            "still held at {t}: {}",
            h.value_db()
        );
        for _ in 0..171 {
            h.update(f64::NEG_INFINITY, dt);
        }
        // 2.7 s after the peak: 1 s hold + 1.7 s fall = -26 dB (±0.3 s of fall is ±3.5 dB).
        assert!((h.value_db() + 26.0).abs() < 0.2, "{}", h.value_db());
    }

    #[test]
    fn a_higher_peak_restarts_the_hold() {
        let mut h = PeakHold::new(1.0, 10.0);
        h.update(-20.0, 0.1);
        h.update(-10.0, 0.1);
        assert_eq!(h.value_db(), -10.0);
        h.update(-30.0, 1.5);
        assert!((h.value_db() + 15.0).abs() < 1e-9);
    }
}
