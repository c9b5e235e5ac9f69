//! The `apply` and `undo` commands: the latest soundcheck's verdicts set on the session's
//! preamps, or the gains from before the latest changes put back. The preamps are reached on
//! their own thread ([`crate::preamps::worker`]); the server's workers only wait for its
//! answer, asynchronously, so no call to a preamp ever holds one.

use tokio::sync::oneshot;

use super::server::State;
use crate::preamps::{Applied, Who};

/// What a server without `--preamp` answers.
const NO_PREAMPS: &str =
    "no preamps to set: start the server with --preamp x32:HOST, xair:HOST or motu:HOST";

/// Applies the latest soundcheck's verdicts (`undo`: puts back the gains from before the
/// latest changes), under the preamps' safety rules: nothing during a take, raises limited,
/// each gain on its range and step. The text says what was set, or why nothing was.
pub async fn run(state: &State, undo: bool) -> Result<String, String> {
    let Some(worker) = &state.preamps else {
        return Err(NO_PREAMPS.into());
    };
    // The latest published snapshot says whether a take runs; the preamps' thread refuses
    // every change when one does.
    let take_running = state
        .prototype
        .latest_shared()
        .is_some_and(|s| s.open_take.is_some());
    let names: Vec<String> = state.channels().iter().map(|c| c.name.clone()).collect();
    let (tx, rx) = oneshot::channel();
    let reply: crate::preamps::worker::Reply = Box::new(move |applied| {
        let _ = tx.send(applied);
    });
    let queued = if undo {
        worker.undo_then(Who::Remote, take_running, names, reply)
    } else {
        let Some(results) = state.hub.latest_soundcheck() else {
            return Err("no soundcheck has ended yet: run one first".into());
        };
        let requests = crate::preamps::soundcheck::requests(&results);
        if requests.is_empty() {
            return Ok("nothing to set: the latest soundcheck asks no input to change".into());
        }
        worker.apply_then(Who::Remote, requests, take_running, names, reply)
    };
    let applied = match rx.await {
        Ok(applied) if queued => applied,
        _ => return Err("the preamps cannot be reached: their thread has stopped".into()),
    };
    summary(&applied, undo)
}

/// One line for what a job did: the changes made, then the problems; `Err` when nothing was
/// changed and something stood in the way.
fn summary(applied: &[Applied], undo: bool) -> Result<String, String> {
    let changes: Vec<String> = applied
        .iter()
        .filter_map(|a| a.change.as_ref().map(|c| c.take_note()))
        .collect();
    let problems: Vec<String> = applied.iter().filter_map(|a| a.problem.clone()).collect();
    if changes.is_empty() {
        return match problems.is_empty() {
            true if undo => Ok("nothing to undo".into()),
            true => Ok("nothing set".into()),
            false => Err(problems.join("; ")),
        };
    }
    let mut text = format!("set {}", changes.join(", "));
    if !problems.is_empty() {
        text = format!("{text}; {}", problems.join("; "));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preamps::GainChange;

    fn change(input: usize, from_db: f64, to_db: f64) -> Applied {
        Applied {
            input,
            change: Some(GainChange {
                input,
                from_db,
                to_db,
                read_back_db: Some(to_db),
                held_back_db: 0.0,
                why: "test".into(),
                who: Who::Remote,
                preamp: "headamp 1 on x32".into(),
                note: None,
            }),
            problem: None,
        }
    }

    fn refused(input: usize, why: &str) -> Applied {
        Applied {
            input,
            change: None,
            problem: Some(why.into()),
        }
    }

    #[test]
    fn says_the_changes_and_fails_only_when_none_was_made() {
        assert_eq!(
            summary(
                &[change(1, 30.0, 21.0), refused(2, "Input 2: unreachable")],
                false
            ),
            Ok("set Input 1 +30.0 → +21.0 dB; Input 2: unreachable".into())
        );
        assert_eq!(
            summary(&[refused(0, "a take is running")], false),
            Err("a take is running".into())
        );
        assert_eq!(summary(&[], true), Ok("nothing to undo".into()));
    }
}
