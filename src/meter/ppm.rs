//! Quasi-peak programme meters (PPM), IEC 60268-10: Type I (DIN 45406, Nordic) and Type II
//! (BBC IIa, EBU IIb). Two peak followers that only charge up, one fast and one slower, are
//! summed: a short burst charges the fast one almost fully and the slow one partly, which
//! gives the standard's graded burst response (a 10 ms burst reads 1 dB low on Type I, 2 dB
//! on Type II). Both decay exponentially, a straight line on a dB scale: the return time.

use super::level::amplitude_to_db;

/// One PPM's ballistics, as continuous-time constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PpmBallistics {
    /// Charge rate of the fast follower (1/s): the share of the gap to |x| it closes per
    /// second of rising input, as a time constant's inverse.
    pub fast_per_s: f64,
    /// Charge rate of the slow follower (1/s).
    pub slow_per_s: f64,
    /// Return: the reading falls `return_db` dB in `return_s` seconds.
    pub return_db: f64,
    pub return_s: f64,
}

/// IEC 60268-10 Type I as the Nordic meter (and IEC) have it: 20 dB return in 1.7 s.
/// The charge rates are fitted to the Type I burst figures (10 ms: -1 dB, 5 ms: -2 dB).
pub const TYPE_I: PpmBallistics = PpmBallistics {
    fast_per_s: 1300.0,
    slow_per_s: 450.0,
    return_db: 20.0,
    return_s: 1.7,
};

/// DIN 45406: Type I rise, 20 dB return in 1.5 s.
pub const DIN: PpmBallistics = PpmBallistics {
    return_s: 1.5,
    ..TYPE_I
};

/// IEC 60268-10 Type II (BBC IIa, EBU IIb): 24 dB return in 2.8 s. The charge rates are
/// fitted to the Type II burst figures (10 ms: -2, 5 ms: -4, 1.5 ms: -9, 0.5 ms: -17 dB).
pub const TYPE_II: PpmBallistics = PpmBallistics {
    fast_per_s: 860.0,
    slow_per_s: 200.0,
    return_db: 24.0,
    return_s: 2.8,
};

/// Seconds of a 1 kHz sine the meter is calibrated on when built: both followers settle
/// within a tenth of that.
const CALIBRATION_S: f64 = 0.25;
/// Frequency of the calibration sine (Hz).
const CALIBRATION_HZ: f64 = 1000.0;

/// One channel's PPM. Reads a steady sine at its peak level (dBFS).
#[derive(Debug, Clone)]
pub struct Ppm {
    /// Per-sample share of the gap closed by the fast and the slow follower (0..1).
    fast: f32,
    slow: f32,
    /// Per-sample decay factor of both followers (just under 1).
    decay: f32,
    /// Scale from the followers' sum to the level a steady sine of amplitude 1 reads, 1.0.
    gain: f32,
    /// The followers' values (linear, full scale 1.0 before `gain`).
    z_fast: f32,
    z_slow: f32,
    /// Highest sum of the followers since the last [`Ppm::take_max_db`] (linear, before
    /// `gain`).
    max: f32,
}

impl Ppm {
    pub fn new(sample_rate: u32, b: PpmBallistics) -> Self {
        let fs = f64::from(sample_rate.max(1));
        let per_sample = |rate: f64| (1.0 - (-rate / fs).exp()) as f32;
        let decay_per_s = b.return_db / 20.0 * std::f64::consts::LN_10 / b.return_s;
        let mut ppm = Self {
            fast: per_sample(b.fast_per_s),
            slow: per_sample(b.slow_per_s),
            decay: (-decay_per_s / fs).exp() as f32,
            gain: 1.0,
            z_fast: 0.0,
            z_slow: 0.0,
            max: 0.0,
        };
        ppm.gain = 1.0 / ppm.calibrate(fs);
        ppm.reset();
        ppm
    }

    /// The followers' steady sum for a unit sine: what a steady sine's peak must read.
    /// Settled, the sum still ripples with the sine: its highest value over the last part is
    /// what the meter shows (the maximum since a read).
    fn calibrate(&mut self, fs: f64) -> f32 {
        let n = (CALIBRATION_S * fs) as usize;
        let step = std::f64::consts::TAU * CALIBRATION_HZ / fs;
        let mut settled = 0.0f32;
        for i in 0..n {
            self.push((step * i as f64).sin() as f32);
            if i > n / 2 {
                settled = settled.max(self.z_fast + self.z_slow);
            }
        }
        settled.max(f32::MIN_POSITIVE)
    }

    #[inline]
    fn push(&mut self, x: f32) {
        self.process(std::slice::from_ref(&x));
    }

    /// Meters a block of samples (finite; the channel meter sanitises them).
    pub fn process(&mut self, block: &[f32]) {
        let (fast, slow, decay) = (self.fast, self.slow, self.decay);
        let (mut zf, mut zs, mut max) = (self.z_fast, self.z_slow, self.max);
        for &x in block {
            let x = x.abs();
            zf *= decay;
            zs *= decay;
            // Charge only up, without a branch: which samples charge follows the waveform,
            // which a branch predictor cannot.
            zf += fast * (x - zf).max(0.0);
            zs += slow * (x - zs).max(0.0);
            max = max.max(zf + zs);
        }
        (self.z_fast, self.z_slow, self.max) = (zf, zs, max);
        // Far below any converter's floor: silence, kept out of subnormal numbers.
        if self.z_fast + self.z_slow < 1e-15 {
            (self.z_fast, self.z_slow) = (0.0, 0.0);
        }
    }

    /// The highest reading since the previous take (dBFS, sine peak), then starts the next
    /// interval at the current reading: no peak between two reads is lost.
    pub fn take_max_db(&mut self) -> f64 {
        let max = self.max;
        self.max = self.z_fast + self.z_slow;
        amplitude_to_db(f64::from(max * self.gain))
    }

    /// The reading now (dBFS, sine peak).
    pub fn current_db(&self) -> f64 {
        amplitude_to_db(f64::from((self.z_fast + self.z_slow) * self.gain))
    }

    pub fn reset(&mut self) {
        self.z_fast = 0.0;
        self.z_slow = 0.0;
        self.max = 0.0;
    }
}
