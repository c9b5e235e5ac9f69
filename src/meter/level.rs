//! Level conversions. Silence is `-inf` dB inside the meter; reports turn it into `null`.

/// Linear amplitude to dB (20·log10); 0 gives `-inf`.
#[inline]
pub fn amplitude_to_db(a: f64) -> f64 {
    if a > 0.0 {
        20.0 * a.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// Mean-square power to dB (10·log10); 0 gives `-inf`.
#[inline]
pub fn power_to_db(p: f64) -> f64 {
    if p > 0.0 {
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
    if e > 0.0 {
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
