//! The dB scale every meter shares: its range, its ticks, and where a level sits on it.

/// Lowest level the scale shows (dBFS).
pub const FLOOR_DB: f32 = -60.0;
/// Where the scale has a tick and a label.
pub const TICKS_DB: [f32; 10] = [
    0.0, -3.0, -6.0, -12.0, -18.0, -24.0, -30.0, -40.0, -50.0, -60.0,
];

/// Height fraction from the bottom for a level.
pub fn fraction(db: f32) -> f32 {
    if db.is_nan() {
        return 0.0;
    }
    ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0)
}
