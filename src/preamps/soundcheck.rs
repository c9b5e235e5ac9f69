//! A soundcheck that sets the preamps: the changes its verdicts ask for, and after the second
//! listen, per input what was set and what the input heard (the summary's `applied`).

use serde::Serialize;

use super::plan::ChangeRequest;
use super::rig::Applied;
use super::verify::{LoopVerdict, check_loop};
use crate::advisor::{SoundcheckResult, SoundcheckStatus};

/// The changes the verdicts ask for: every input told to turn up or down (or clipped, or too
/// dynamic) by a non-zero amount.
pub fn requests(results: &[SoundcheckResult]) -> Vec<ChangeRequest> {
    results
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                SoundcheckStatus::TurnDown
                    | SoundcheckStatus::TurnUp
                    | SoundcheckStatus::Clipped
                    | SoundcheckStatus::TooDynamic
            )
        })
        .filter_map(|r| {
            let g = r.suggested_gain_db?;
            (g.abs() >= 0.25).then(|| ChangeRequest {
                input: r.channel,
                change_db: g,
                why: r.message.clone(),
            })
        })
        .collect()
}

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliedVerdict {
    /// Set, and the level at the input moved by the change (±1 dB).
    Took,
    /// Set, but the level did not move by the change: nothing more is changed on this input.
    DidNotReach,
    /// Set, but nothing was heard to check it by.
    NotMeasured,
    /// Not set: refused (a take ran), unreachable, or nothing to do.
    NotSet,
}

/// One input of the summary's `applied` list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedInput {
    pub input: usize,
    /// The preamp and device ("headamp 3 on x32 at 10.0.0.2:10023").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub preamp: String,
    pub asked_db: f64,
    pub from_db: Option<f64>,
    pub to_db: Option<f64>,
    /// The level change heard at the input between the two listens (dB).
    pub measured_db: Option<f64>,
    /// The part of a raise held back by the limit, to be confirmed.
    pub held_back_db: f64,
    pub verdict: AppliedVerdict,
    pub message: String,
}

/// Judges each request from what was applied and the two listens (`before`, `after`: the
/// soundcheck's results before and after the change, matched by input).
pub fn summarise(
    requests: &[ChangeRequest],
    applied: &[Applied],
    before: &[SoundcheckResult],
    after: &[SoundcheckResult],
) -> Vec<AppliedInput> {
    let peak = |list: &[SoundcheckResult], input: usize| {
        list.iter()
            .find(|r| r.channel == input)
            .and_then(|r| r.max_true_peak_dbtp)
    };
    requests
        .iter()
        .zip(applied)
        .map(|(req, a)| {
            let Some(c) = &a.change else {
                return AppliedInput {
                    input: req.input,
                    preamp: String::new(),
                    asked_db: req.change_db,
                    from_db: None,
                    to_db: None,
                    measured_db: None,
                    held_back_db: 0.0,
                    verdict: AppliedVerdict::NotSet,
                    message: a
                        .problem
                        .clone()
                        .unwrap_or_else(|| format!("Input {}: not changed", req.input)),
                };
            };
            let label = c
                .preamp
                .split(" on ")
                .next()
                .unwrap_or(&c.preamp)
                .to_string();
            let check = check_loop(
                req.input,
                &label,
                c.to_db - c.from_db,
                peak(before, req.input),
                peak(after, req.input),
            );
            let mut message = check.message;
            if let Some(p) = &a.problem {
                message = format!("{message}; {p}");
            }
            if let Some(n) = &c.note {
                message = format!("{message} ({n})");
            }
            AppliedInput {
                input: req.input,
                preamp: c.preamp.clone(),
                asked_db: req.change_db,
                from_db: Some(c.from_db),
                to_db: Some(c.to_db),
                measured_db: check.measured_db,
                held_back_db: c.held_back_db,
                verdict: match check.verdict {
                    LoopVerdict::Took => AppliedVerdict::Took,
                    LoopVerdict::DidNotReach => AppliedVerdict::DidNotReach,
                    LoopVerdict::NotMeasured => AppliedVerdict::NotMeasured,
                },
                message,
            }
        })
        .collect()
}
