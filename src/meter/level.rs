//! Level conversions. Silence is `-inf` dB inside the meter; reports turn it into `null`.
//!
//! Filters ring down into denormal tails long after their input went silent; without a floor
//! those tails read as levels like -3000 LUFS. Anything below [`SILENCE_FLOOR_DB`] is silence.

/// Levels below this (dB) are reported as silence: 50 dB under the quietest 32-bit float noise
/// worth metering, far under any converter.
pub const SILENCE_FLOOR_DB: f64 = -200.0;
const SILENCE_AMPLITUDE: f64 = 1e-10;
const SILENCE_POWER: f64 = 1e-20;

/// Linear amplitude to dB (20·log10); 0 gives `-inf`.
#[inline]
pub fn amplitude_to_db(a: f64) -> f64 {
    if a >= SILENCE_AMPLITUDE {
        20.0 * a.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// Mean-square power to dB (10·log10); 0 gives `-inf`.
#[inline]
pub fn power_to_db(p: f64) -> f64 {
    if p >= SILENCE_POWER {
        10.0 * p.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// dB to linear amplitude.
#[inline]
pub fn db_to_amplitude(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// BS.1770 loudness (LUFS) of a mean-square K-weighted energy.
#[inline]
pub fn energy_to_lufs(e: f64) -> f64 {
    if e >= SILENCE_POWER {
        -0.691 + 10.0 * e.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// Inverse of [`energy_to_lufs`].
#[inline]
pub fn lufs_to_energy(l: f64) -> f64 {
    if l.is_finite() {
        10f64.powf((l + 0.691) / 10.0)
    } else {
        0.0
    }
}

/// A dB value for JSON: `None` (null) where the level does not exist.
#[inline]
pub fn finite(db: f64) -> Option<f64> {
    db.is_finite().then_some(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denormal_tails_are_silence() {
        assert_eq!(energy_to_lufs(1e-300), f64::NEG_INFINITY);
        assert_eq!(power_to_db(1e-25), f64::NEG_INFINITY);
        assert_eq!(amplitude_to_db(1e-12), f64::NEG_INFINITY);
        assert!((amplitude_to_db(1e-9) + 180.0).abs() < 1e-9);
        assert!((energy_to_lufs(1.0) + 0.691).abs() < 1e-12);
    }
}
