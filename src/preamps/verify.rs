//! The closed loop: after a change, the level heard at the input must move by the change made
//! (±1 dB). If it did not, the preamp changed probably feeds some other input, and nothing
//! more is changed on this one.

use serde::Serialize;

/// How far the measured change may differ from the change made (dB).
pub const LOOP_TOLERANCE_DB: f64 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopVerdict {
    /// The level moved by the change, within the tolerance.
    Took,
    /// The level did not move as the preamp did.
    DidNotReach,
    /// Nothing heard before or after: the change could not be checked.
    NotMeasured,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoopCheck {
    pub verdict: LoopVerdict,
    /// The level change heard at the input (dB); `null` when not measured.
    pub measured_db: Option<f64>,
    pub message: String,
}

/// Judges one input: the preamp (`preamp`, "headamp 5") moved `change_db`, the input's level
/// was `before_db` and is now `after_db` (the same measure, over listens of the same length).
pub fn check_loop(
    input: usize,
    preamp: &str,
    change_db: f64,
    before_db: Option<f64>,
    after_db: Option<f64>,
) -> LoopCheck {
    let (Some(before), Some(after)) = (
        before_db.filter(|v| v.is_finite()),
        after_db.filter(|v| v.is_finite()),
    ) else {
        return LoopCheck {
            verdict: LoopVerdict::NotMeasured,
            measured_db: None,
            message: format!(
                "Input {input}: preamp moved {change_db:+.1} dB; nothing heard to check it by"
            ),
        };
    };
    let measured = ((after - before) * 100.0).round() / 100.0;
    if (measured - change_db).abs() <= LOOP_TOLERANCE_DB {
        return LoopCheck {
            verdict: LoopVerdict::Took,
            measured_db: Some(measured),
            message: format!(
                "Input {input}: preamp moved {change_db:+.1} dB, level moved {measured:+.1} dB"
            ),
        };
    }
    let heard = if measured.abs() < LOOP_TOLERANCE_DB {
        "level did not change".to_string()
    } else {
        format!("level moved {measured:+.1} dB")
    };
    LoopCheck {
        verdict: LoopVerdict::DidNotReach,
        measured_db: Some(measured),
        message: format!(
            "Input {input}: preamp moved {change_db:+.1} dB, {heard}: is {preamp} routed to input {input}?"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_that_follows_the_preamp_took() {
        let c = check_loop(2, "headamp 2", -9.0, Some(-3.0), Some(-12.4));
        assert_eq!(c.verdict, LoopVerdict::Took);
        assert_eq!(c.measured_db, Some(-9.4));
    }

    #[test]
    fn a_level_that_stays_put_is_said_in_the_issue_words() {
        let c = check_loop(5, "headamp 5", 6.0, Some(-20.0), Some(-20.2));
        assert_eq!(c.verdict, LoopVerdict::DidNotReach);
        assert_eq!(
            c.message,
            "Input 5: preamp moved +6.0 dB, level did not change: is headamp 5 routed to input 5?"
        );
        // Just outside the tolerance either way.
        assert_eq!(
            check_loop(1, "x", -6.0, Some(0.0), Some(-4.9)).verdict,
            LoopVerdict::DidNotReach
        );
        assert_eq!(
            check_loop(1, "x", -6.0, Some(0.0), Some(-5.0)).verdict,
            LoopVerdict::Took
        );
    }

    #[test]
    fn silence_is_not_measured() {
        let c = check_loop(1, "x", -6.0, None, Some(-10.0));
        assert_eq!(c.verdict, LoopVerdict::NotMeasured);
    }
}
