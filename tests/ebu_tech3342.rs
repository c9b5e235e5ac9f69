//! EBU Tech 3342 (2023) loudness-range minimum-requirement cases, synthesized here as its
//! Table 1 describes them: 1 kHz stereo tones of 20 s each. Each runs on the programme meter
//! (stereo) and on one channel meter; a range does not depend on level, so both read the
//! same. Both gate with `meter::gating`.
//!
//! Cases 5 and 6 are not here: they are recordings of film excerpts ("authentic programme",
//! the same as Tech 3341 cases 7 and 8), which no text describes well enough to synthesize.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ebu.rs"]
mod ebu;

use ebu::*;

fn lra_case(name: &str, levels: &[f64], want: f64) {
    let segments: Vec<(f64, f64)> = levels.iter().map(|&db| (20.0, db)).collect();
    let signal = tone(&segments);
    assert_near(
        &format!("{name} channel LRA"),
        channel(&signal).readings().loudness_range_lu,
        want,
        LRA_TOL,
    );
    assert_near(
        &format!("{name} programme LRA"),
        stereo(&signal).readings().loudness_range_lu,
        want,
        LRA_TOL,
    );
}

#[test]
fn tech3342_case1_minus20_then_minus30_is_10_lu() {
    lra_case("case 1", &[-20.0, -30.0], 10.0);
}

#[test]
fn tech3342_case2_minus20_then_minus15_is_5_lu() {
    lra_case("case 2", &[-20.0, -15.0], 5.0);
}

#[test]
fn tech3342_case3_minus40_then_minus20_is_20_lu() {
    lra_case("case 3", &[-40.0, -20.0], 20.0);
}

#[test]
fn tech3342_case4_five_steps_is_15_lu() {
    lra_case("case 4", &[-50.0, -35.0, -20.0, -35.0, -50.0], 15.0);
}

/// The table's note: a case's answer does not change when its signal is repeated whole.
#[test]
fn tech3342_cases1_to_4_read_the_same_repeated() {
    for (levels, want) in [
        (&[-20.0, -30.0][..], 10.0),
        (&[-20.0, -15.0][..], 5.0),
        (&[-40.0, -20.0][..], 20.0),
        (&[-50.0, -35.0, -20.0, -35.0, -50.0][..], 15.0),
    ] {
        let twice: Vec<f64> = levels.iter().chain(levels).copied().collect();
        lra_case(&format!("{levels:?} twice"), &twice, want);
    }
}
