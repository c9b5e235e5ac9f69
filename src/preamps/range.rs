//! A preamp's gain range and step, and putting a gain on its grid.

use serde::{Deserialize, Serialize};

/// The gains a preamp can take: `min_db` to `max_db` in steps of `step_db` from `min_db`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GainRange {
    pub min_db: f64,
    pub max_db: f64,
    /// 0 for a continuous control.
    pub step_db: f64,
}

impl GainRange {
    /// The step nearest `db` inside the range. Halfway between two steps goes to the lower
    /// gain: a cut a little deeper, a raise a little smaller, never the riskier way.
    pub fn nearest(&self, db: f64) -> f64 {
        self.on_grid(db, |x| (x - 0.5 - 1e-9).ceil())
    }

    /// The highest step at or below `db` (inside the range).
    pub fn floor(&self, db: f64) -> f64 {
        // A hair of tolerance so a value already on the grid is not pushed a step down by
        // floating-point error.
        self.on_grid(db, |x| (x + 1e-9).floor())
    }

    /// The lowest step at or above `db` (inside the range).
    pub fn ceil(&self, db: f64) -> f64 {
        self.on_grid(db, |x| (x - 1e-9).ceil())
    }

    fn on_grid(&self, db: f64, round: impl Fn(f64) -> f64) -> f64 {
        let clamped = db.clamp(self.min_db, self.max_db);
        if self.step_db <= 0.0 {
            return clamped;
        }
        let steps = round((clamped - self.min_db) / self.step_db);
        let v = self.min_db + steps * self.step_db;
        // Rounding up may step past the top when the range is not a whole number of steps.
        if v > self.max_db + 1e-9 {
            v - self.step_db
        } else {
            v
        }
    }

    pub fn contains(&self, db: f64) -> bool {
        db >= self.min_db - 1e-9 && db <= self.max_db + 1e-9
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The X32's range as its protocol document gives it, written out here rather than taken
    /// from the backend: the range and plan tests check against it.
    pub(crate) const X32: GainRange = GainRange {
        min_db: -12.0,
        max_db: 60.0,
        step_db: 0.5,
    };

    #[test]
    fn values_snap_to_half_db_steps_inside_the_range() {
        assert_eq!(X32.nearest(20.2), 20.0);
        assert_eq!(X32.nearest(20.3), 20.5);
        // Halfway goes to the lower gain.
        assert_eq!(X32.nearest(20.25), 20.0);
        assert_eq!(X32.nearest(-40.0), -12.0);
        assert_eq!(X32.nearest(75.0), 60.0);
        assert_eq!(X32.floor(20.49), 20.0);
        assert_eq!(X32.ceil(20.01), 20.5);
        assert_eq!(X32.floor(20.5), 20.5);
    }

    #[test]
    fn a_range_that_is_not_whole_steps_never_exceeds_its_top() {
        let r = GainRange {
            min_db: 0.0,
            max_db: 10.0,
            step_db: 3.0,
        };
        assert_eq!(r.nearest(10.0), 9.0);
        assert_eq!(r.ceil(9.5), 9.0);
        assert_eq!(r.nearest(4.0), 3.0);
    }
}
