//! The IEC 60268-18 digital peak meter's bar: instant rise to any sample's |x|, return
//! 20 dB in 1.7 s (an exponential decay, a straight line in dB). The peak hold that goes
//! with it is the channel meter's `peak_hold_dbfs`.

use super::level::amplitude_to_db;

/// Return of the bar: 20 dB in this many seconds.
pub const RETURN_20DB_S: f64 = 1.7;

#[derive(Debug, Clone)]
pub struct DigitalPeak {
    /// Per-sample decay factor.
    decay: f32,
    /// The bar (linear, full scale 1.0).
    value: f32,
    /// Highest bar since the last take.
    max: f32,
}

impl DigitalPeak {
    pub fn new(sample_rate: u32) -> Self {
        let fs = f64::from(sample_rate.max(1));
        Self {
            decay: 10f64.powf(-20.0 / 20.0 / (RETURN_20DB_S * fs)) as f32,
            value: 0.0,
            max: 0.0,
        }
    }

    /// Meters a block of samples (finite).
    pub fn process(&mut self, block: &[f32]) {
        let (k, mut v, mut max) = (self.decay, self.value, self.max);
        for &x in block {
            v = (v * k).max(x.abs());
            max = max.max(v);
        }
        // Below any converter's floor the bar is silence: keep it out of subnormals.
        if v < 1e-15 {
            v = 0.0;
        }
        (self.value, self.max) = (v, max);
    }

    /// The highest bar since the previous take (dBFS).
    pub fn take_max_db(&mut self) -> f64 {
        let max = self.max;
        self.max = self.value;
        amplitude_to_db(f64::from(max))
    }

    /// The bar now (dBFS).
    pub fn current_db(&self) -> f64 {
        amplitude_to_db(f64::from(self.value))
    }

    pub fn reset(&mut self) {
        self.value = 0.0;
        self.max = 0.0;
    }
}
