//! The rules that keep a session safe, as one pure function: advice in, the change to make out.
//!
//! - Never while a take runs (automatic or marked): refused, and said so.
//! - A raise goes at most `max_raise_db` (12 dB unless `--apply-max-raise` allows more) in
//!   one step; the rest is held back, to be offered (GUI) or reported (headless).
//! - Cuts are always allowed.
//! - The result is inside the preamp's range and on its step.

use serde::Serialize;

use super::range::GainRange;

/// The largest raise made without the engineer confirming it (dB).
pub const DEFAULT_MAX_RAISE_DB: f64 = 12.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanLimits {
    /// The largest raise made in one step (dB).
    pub max_raise_db: f64,
}

impl Default for PlanLimits {
    fn default() -> Self {
        Self {
            max_raise_db: DEFAULT_MAX_RAISE_DB,
        }
    }
}

/// A change the advisor asks for on one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRequest {
    /// Input number, from 1.
    pub input: usize,
    /// dB; negative cuts.
    pub change_db: f64,
    /// Why, in the advisor's words (goes into the session log).
    pub why: String,
}

/// Why a change is not made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("a take is running: gain is never changed during a take")]
    TakeRunning,
}

/// The change to make on one preamp.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedChange {
    pub input: usize,
    pub from_db: f64,
    pub to_db: f64,
    /// The change the advice asked for.
    pub asked_db: f64,
    /// The part of a raise the limit held back (offered or reported; 0 when none was).
    pub held_back_db: f64,
    /// Why `to_db` is not `from_db + asked_db`, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl PlannedChange {
    /// The change actually made (dB).
    pub fn change_db(&self) -> f64 {
        self.to_db - self.from_db
    }

    /// True when the preamp would not move (already there, or at the end of its range).
    pub fn is_nothing(&self) -> bool {
        (self.to_db - self.from_db).abs() < 1e-6
    }
}

/// The change to make on input `input`, whose preamp is at `from_db` in `range`, for advice
/// asking `asked_db`.
pub fn plan_change(
    input: usize,
    from_db: f64,
    range: GainRange,
    asked_db: f64,
    limits: PlanLimits,
    take_running: bool,
) -> Result<PlannedChange, Refusal> {
    if take_running {
        return Err(Refusal::TakeRunning);
    }
    let max_raise = limits.max_raise_db.max(0.0);
    let allowed = asked_db.min(max_raise);
    let held_back_db = (asked_db - allowed).max(0.0);
    let wanted = from_db + allowed;
    let mut to_db = range.nearest(wanted);
    // Rounding to the step must not carry a raise past the limit.
    if to_db - from_db > max_raise + 1e-9 {
        to_db = range.floor(from_db + max_raise);
    }
    let mut notes = Vec::new();
    if held_back_db > 0.0 {
        notes.push(format!(
            "raised {max_raise:.1} dB of {asked_db:.1} dB; {held_back_db:.1} dB more needs confirming"
        ));
    }
    if wanted > range.max_db + 1e-9 {
        notes.push(format!(
            "the preamp is at the top of its range ({:+.1} dB)",
            range.max_db
        ));
    } else if wanted < range.min_db - 1e-9 {
        notes.push(format!(
            "the preamp is at the bottom of its range ({:+.1} dB)",
            range.min_db
        ));
    } else if (to_db - wanted).abs() > 1e-9 && held_back_db == 0.0 {
        notes.push(format!("the preamp moves in {} dB steps", range.step_db));
    }
    Ok(PlannedChange {
        input,
        from_db,
        to_db,
        asked_db,
        held_back_db,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preamps::range::tests::X32;

    const MOTU: GainRange = GainRange {
        min_db: 0.0,
        max_db: 53.0,
        step_db: 1.0,
    };

    fn plan(from: f64, range: GainRange, asked: f64) -> PlannedChange {
        plan_change(3, from, range, asked, PlanLimits::default(), false).unwrap()
    }

    #[test]
    fn a_cut_is_made_in_full() {
        let p = plan(30.0, X32, -9.0);
        assert_eq!((p.from_db, p.to_db, p.held_back_db), (30.0, 21.0, 0.0));
        assert_eq!(p.note, None);
        // Cuts have no limit: 40 dB down is 40 dB down.
        assert_eq!(plan(50.0, X32, -40.0).to_db, 10.0);
    }

    #[test]
    fn a_raise_stops_at_twelve_db_and_the_rest_is_held_back() {
        let p = plan(10.0, X32, 20.0);
        assert_eq!((p.to_db, p.held_back_db), (22.0, 8.0));
        assert!(p.note.as_deref().unwrap().contains("8.0 dB more"), "{p:?}");
        // Exactly 12 dB goes through whole.
        let p = plan(10.0, X32, 12.0);
        assert_eq!((p.to_db, p.held_back_db), (22.0, 0.0));
    }

    #[test]
    fn a_larger_limit_allows_a_larger_raise() {
        let limits = PlanLimits { max_raise_db: 24.0 };
        let p = plan_change(1, 10.0, X32, 20.0, limits, false).unwrap();
        assert_eq!((p.to_db, p.held_back_db), (30.0, 0.0));
    }

    #[test]
    fn the_range_ends_and_steps_are_respected() {
        let p = plan(55.0, X32, 9.0);
        assert_eq!(p.to_db, 60.0);
        assert!(p.note.as_deref().unwrap().contains("top of its range"));
        let p = plan(-10.0, X32, -6.0);
        assert_eq!(p.to_db, -12.0);
        assert!(p.note.as_deref().unwrap().contains("bottom of its range"));
        // 1 dB steps: -9.5 dB from 30 is halfway between 20 and 21: the deeper cut.
        assert_eq!(plan(30.0, MOTU, -9.5).to_db, 20.0);
        assert_eq!(plan(30.0, MOTU, -9.4).to_db, 21.0);
        assert!(plan(30.0, MOTU, -9.4).note.unwrap().contains("1 dB steps"));
        // At the top already: nothing to do.
        assert!(plan(60.0, X32, 3.0).is_nothing());
    }

    #[test]
    fn rounding_never_carries_a_raise_past_the_limit() {
        // From an off-grid 10.3 dB, +12 dB would round to 22.5 (+12.2 dB): one step less.
        let p = plan(10.3, X32, 12.0);
        assert!(p.change_db() <= 12.0 + 1e-9, "{p:?}");
        assert_eq!(p.to_db, 22.0);
        let p = plan(0.4, MOTU, 30.0);
        assert_eq!(p.to_db, 12.0);
    }

    #[test]
    fn nothing_changes_during_a_take() {
        let r = plan_change(2, 30.0, X32, -9.0, PlanLimits::default(), true);
        assert_eq!(r, Err(Refusal::TakeRunning));
        assert!(Refusal::TakeRunning.to_string().contains("take is running"));
    }
}
