//! Memory held by takes stays bounded however many takes and however long: measured by the
//! structures' own accounting (`heap_bytes`) after dozens of long takes on 32 inputs that
//! clip all the time (every burst list full, every headroom track full). And a level hovering
//! at the automatic-take threshold costs no allocation per crossing (the allocator aborts
//! this test binary if it does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_no_alloc::{AllocDisabler, assert_no_alloc};
use gainstage::takes::tracker::MAX_TAKES_KEPT;
use gainstage::takes::{
    AutoTakeConfig, BlockReading, BurstReport, InputReport, MAX_BURSTS, TRACK_POINTS, TakeTracker,
};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

#[path = "support/alloc_canary.rs"]
mod alloc_canary;

/// The guard is live here: an allocation inside it aborts (else every test below proves
/// nothing).
#[test]
fn the_guard_catches_an_allocation() {
    alloc_canary::guard_must_abort("the_guard_catches_an_allocation");
}

const RATE: u32 = 48_000;
const CHANNELS: usize = 32;
/// One-second blocks: the tracker's cost does not depend on block size, the test's time does.
const BLOCK: u64 = RATE as u64;

/// A take of `seconds` on every input, a clip at the start of every block (a new burst each
/// second, past the burst list's cap), starting at `start`. Returns where it ended.
fn take(t: &mut TakeTracker, start: u64, seconds: u64) -> u64 {
    // One name for all: "Take 9" and "Take 10" differ by a byte.
    t.start("verse", start);
    let r = BlockReading {
        sample_peak: 1.0,
        true_peak: 1.1,
        clips: Some((3, 1, 0, 2)),
        gating: (0, None, None),
    };
    let mut f = start;
    for _ in 0..seconds {
        for c in 0..CHANNELS {
            t.block(c, f, BLOCK, &r);
        }
        f += BLOCK;
        t.advance_to(f);
    }
    t.stop(f);
    f
}

#[test]
fn many_long_takes_hold_no_more_than_the_kept_reports_bound() {
    let names: Vec<String> = (1..=CHANNELS).map(|c| format!("Input {c}")).collect();
    let mut t = TakeTracker::new(CHANNELS, RATE, &[], &names);
    let mut f = 0;
    let mut after = Vec::new();
    // Forty 10-minute takes, then ten of an hour and a half.
    for k in 0..50 {
        let seconds = if k < 40 { 600 } else { 5400 };
        f = take(&mut t, f, seconds);
        after.push(t.heap_bytes());
    }
    assert_eq!(t.ended(), 50);
    let last = &t.reports()[MAX_TAKES_KEPT - 1];
    assert_eq!(
        last.inputs[0].bursts.len(),
        MAX_BURSTS,
        "every burst list is full"
    );
    assert!(last.inputs[0].headroom.len() > TRACK_POINTS / 2);

    // The bound from the constants alone: per kept report and input, a full track at two
    // bytes a point, a full burst list, the input's own struct and its two short strings.
    let per_input = TRACK_POINTS * 2
        + MAX_BURSTS * std::mem::size_of::<BurstReport>()
        + std::mem::size_of::<InputReport>()
        + 64;
    let bound = MAX_TAKES_KEPT * CHANNELS * per_input + 64 * 1024;
    let held = *after.iter().max().unwrap();
    assert!(held <= bound, "{held} bytes held, bound {bound}");
    // Once MAX_TAKES_KEPT takes have ended, more takes of the same length hold no more.
    let full = &after[MAX_TAKES_KEPT..40];
    assert!(
        full.iter().all(|&b| b == full[0]),
        "bytes held kept changing after the kept reports filled: {full:?}"
    );
    eprintln!(
        "takes memory: {held} bytes after {} takes of 10-90 min on {CHANNELS} inputs (bound {bound})",
        t.ended()
    );
}

#[test]
fn a_report_keeps_two_bytes_per_headroom_point() {
    let mut t = TakeTracker::new(CHANNELS, RATE, &[], &[]);
    take(&mut t, 0, 3 * 3600);
    let r = &t.reports()[0];
    for i in &r.inputs {
        assert_eq!(i.headroom.heap_bytes(), i.headroom.len() * 2);
    }
}

/// `blocks` 10 ms blocks on every input at `level` (linear), as the meter thread feeds them:
/// the loudest level to the automatic taker first, then each input's reading.
fn auto_blocks(t: &mut TakeTracker, start: u64, blocks: u64, level: f64) -> u64 {
    const TEN_MS: u64 = RATE as u64 / 100;
    let r = BlockReading {
        sample_peak: level,
        true_peak: level,
        clips: None,
        gating: (0, None, None),
    };
    let mut f = start;
    for _ in 0..blocks {
        t.advance_to(f);
        t.auto_block(f, TEN_MS, level);
        for c in 0..CHANNELS {
            t.block(c, f, TEN_MS, &r);
        }
        f += TEN_MS;
    }
    f
}

#[test]
fn a_level_hovering_at_the_auto_take_threshold_allocates_nothing_after_the_first_rise() {
    let mut t = TakeTracker::new(CHANNELS, RATE, &[], &[]);
    let config = AutoTakeConfig::default();
    t.set_auto(Some(config), 0);
    let (above, below): (f64, f64) = (0.1, 0.001);
    assert!(20.0 * above.log10() > config.level_dbfs && 20.0 * below.log10() < config.level_dbfs);
    // The first rise builds every input's state; falling before the rise time drops the take.
    let mut f = auto_blocks(&mut t, 0, 10, above);
    f = auto_blocks(&mut t, f, 10, below);
    assert!(t.open_info().is_none());
    let spare = t.heap_bytes();

    // A hundred more crossings, each shorter than the rise time, then one that holds: the
    // take it confirms is number 1 and starts on its first loud frame.
    let started = assert_no_alloc(|| {
        for _ in 0..100 {
            f = auto_blocks(&mut t, f, 10, above);
            f = auto_blocks(&mut t, f, 10, below);
        }
        let started = f;
        f = auto_blocks(&mut t, f, 50, above);
        started
    });
    let open = t.open_info().expect("the held rise is a take");
    assert_eq!(open.number, 1);
    assert_eq!(open.start_s, started as f64 / f64::from(RATE));
    assert_eq!(t.ended(), 0, "dropped takes are not takes");
    assert!(
        t.heap_bytes() <= spare,
        "the take runs in the spare's state"
    );
    t.stop(f);
    assert_eq!(t.reports().len(), 1);
}
