//! Behringer X32 and Midas M32 headamps over OSC (UDP 10023), as the public "Unofficial
//! X32/M32 OSC Remote Protocol" describes them: `/headamp/000/gain` … `/headamp/127/gain`
//! (000-031 the local inputs, the rest the AES50 stage boxes), a float 0..1 mapped linearly
//! onto -12..+60 dB in 0.5 dB steps; the address alone asks the value.

use super::headamps::Headamps;
use super::osc_link::OscLink;
use super::range::GainRange;
use super::spec::Through;

/// Every X32/M32 and X-Air headamp's gain range and step.
pub const RANGE: GainRange = GainRange {
    min_db: -12.0,
    max_db: 60.0,
    step_db: 0.5,
};
/// Headamps 000-127.
pub const HEADAMPS: usize = 128;

/// The OSC float for a gain: 0 at -12 dB, 1 at +60 dB.
pub fn to_float(db: f64) -> f32 {
    ((RANGE.nearest(db) - RANGE.min_db) / (RANGE.max_db - RANGE.min_db)) as f32
}

/// The gain an OSC float stands for, on the console's 0.5 dB grid.
pub fn from_float(v: f32) -> f64 {
    RANGE.nearest(RANGE.min_db + f64::from(v) * (RANGE.max_db - RANGE.min_db))
}

/// An X32's headamps at `host:port`: `/headamp/000/gain` is headamp 1.
pub fn open(host: &str, port: u16) -> Headamps {
    Headamps::new(
        Through::X32,
        OscLink::new("x32", host, port),
        HEADAMPS,
        |index| format!("/headamp/{index:03}/gain"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_map_linearly_onto_minus_12_to_plus_60_db() {
        assert_eq!(to_float(-12.0), 0.0);
        assert_eq!(to_float(60.0), 1.0);
        assert_eq!(to_float(24.0), 0.5);
        // 0.5 dB is 1/144 of the span.
        assert_eq!(to_float(-11.5), (1.0f64 / 144.0) as f32);
        for step in 0..=144 {
            let db = -12.0 + f64::from(step) * 0.5;
            assert_eq!(from_float(to_float(db)), db);
        }
    }
}
