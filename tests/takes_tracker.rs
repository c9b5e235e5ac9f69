//! The take tracker driven directly with hours of synthetic block readings: memory stays
//! fixed (the headroom track never exceeds its points; bursts are capped) and the track still
//! holds every peak where it happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_no_alloc::{AllocDisabler, assert_no_alloc};
use gainstage::advisor::{Warning, WarningKind};
use gainstage::takes::tracker::MAX_TAKES_KEPT;
use gainstage::takes::{BlockReading, TRACK_POINTS, TakeSpan, TakeTracker};

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
const BLOCK: u64 = 480;

#[test]
fn a_three_hour_take_keeps_a_2000_point_track_with_its_peak_in_place() {
    let channels = 4;
    let hours = 3.0;
    let frames = (hours * 3600.0 * f64::from(RATE)) as u64;
    let spike_at = (5000.0 * f64::from(RATE)) as u64; // 1 h 23 min 20 s
    let mut t = TakeTracker::new(channels, RATE, &[], &[]);
    t.schedule(&[TakeSpan {
        start_s: 0.0,
        end_s: hours * 3600.0,
    }]);
    let quiet = BlockReading {
        sample_peak: 0.1,
        true_peak: 0.1,
        ..BlockReading::default()
    };
    let spike = BlockReading {
        sample_peak: 0.9,
        true_peak: 0.95,
        ..BlockReading::default()
    };
    let mut f = 0;
    t.advance_to(0);
    while f < frames {
        for c in 0..channels {
            let r = if c == 2 && (f..f + BLOCK).contains(&spike_at) {
                &spike
            } else {
                &quiet
            };
            t.block(c, f, BLOCK, r);
        }
        f += BLOCK;
        t.advance_to(f);
    }
    let reports = t.reports();
    assert_eq!(reports.len(), 1);
    let take = &reports[0];
    assert_eq!((take.start_s, take.end_s), (0.0, hours * 3600.0));
    for input in &take.inputs {
        let track = &input.headroom;
        let n = track.len();
        // Full or just merged: between half and all of the points, covering the whole take.
        assert!(n <= TRACK_POINTS && n > TRACK_POINTS / 2, "{n}");
        assert!(n as f64 * track.bin_s >= hours * 3600.0 - 1e-6);
        assert!((n - 1) as f64 * track.bin_s < hours * 3600.0);
        // Bins are the first bin (10 ms) doubled some number of times.
        let doublings = (track.bin_s / 0.01).log2();
        assert!(
            (doublings - doublings.round()).abs() < 1e-9,
            "{}",
            track.bin_s
        );
    }
    let spiked = &take.inputs[2].headroom;
    let bin = (spike_at as f64 / f64::from(RATE) / spiked.bin_s) as usize;
    let db = |a: f64| ((20.0 * a.log10()) * 10.0).round() / 10.0;
    assert_eq!(spiked.peak(bin), Some(db(0.95) as f32));
    let loud = spiked
        .peaks()
        .filter(|p| p.is_some_and(|p| f64::from(p) > -15.0))
        .count();
    assert_eq!(loud, 1, "the spike is in one point only");
    assert_eq!(take.inputs[2].max_true_peak_dbtp, Some(-0.45));
    assert!(take.inputs[0].headroom.peaks().all(|p| p == Some(-20.0)));
}

#[test]
fn many_takes_keep_a_bounded_number_of_reports() {
    let mut t = TakeTracker::new(2, RATE, &[], &[]);
    let takes = MAX_TAKES_KEPT + 50;
    let r = BlockReading {
        sample_peak: 0.5,
        true_peak: 0.5,
        clips: Some((1, 1, 0, 0)),
        ..BlockReading::default()
    };
    for k in 0..takes as u64 {
        let start = k * 10 * u64::from(RATE);
        t.start("", start);
        for b in 0..100 {
            t.block(0, start + b * BLOCK, BLOCK, &r);
        }
        t.stop(start + 100 * BLOCK);
    }
    assert_eq!(t.ended(), takes);
    assert_eq!(t.reports().len(), MAX_TAKES_KEPT);
    assert_eq!(t.reports()[0].take, takes - MAX_TAKES_KEPT + 1);
    let last = &t.reports()[MAX_TAKES_KEPT - 1];
    assert_eq!(last.name, format!("Take {takes}"));
    // 100 blocks of one clip each, 10 ms apart: one burst of 100 overs.
    assert_eq!(last.inputs[0].bursts.len(), 1);
    assert_eq!(last.inputs[0].overs, 100);
}

#[test]
fn an_open_take_allocates_nothing_however_many_blocks_bursts_and_warnings() {
    let channels = 8;
    let mut t = TakeTracker::new(channels, RATE, &[], &[]);
    let warnings = [Warning {
        kind: WarningKind::Hot,
        message: "hot".into(),
        suggested_gain_db: Some(-3.0),
    }];
    t.start("Take", 0);
    let mut f = 0;
    assert_no_alloc(|| {
        // Ten minutes, a clip every 0.6 s (a burst each, past the list's cap), gating
        // values every 100 ms, warnings coming and going.
        while f < 600 * u64::from(RATE) {
            let slice = f / 4800;
            let r = BlockReading {
                sample_peak: 0.5,
                true_peak: 0.6,
                clips: (f % 28_800 == 0).then_some((2, 1, 3, 4)),
                gating: (slice, Some(1e-3), Some(1e-3)),
            };
            for c in 0..channels {
                t.block(c, f, BLOCK, &r);
                let shown: &[Warning] = if slice % 20 < 10 { &warnings } else { &[] };
                t.warnings(c, shown);
            }
            f += BLOCK;
            t.advance_to(f);
        }
    });
    t.stop(f);
    let input = &t.reports()[0].inputs[0];
    assert_eq!(input.overs, 1000);
    assert_eq!(input.bursts.len() as u64 + input.bursts_not_listed, 1000);
    assert_eq!(input.warnings, vec![WarningKind::Hot]);
}

#[test]
fn the_take_after_a_gain_change_says_so_and_only_that_one() {
    let mut t = TakeTracker::new(2, RATE, &[], &[]);
    let quiet = BlockReading {
        sample_peak: 0.1,
        true_peak: 0.1,
        ..BlockReading::default()
    };
    t.start("Before", 0);
    // A change while a take runs belongs to the next take (gains never change during one;
    // the note is for whatever changed between takes).
    t.note_gain_change("Input 1 +30.0 → +21.0 dB");
    t.block(0, 0, BLOCK, &quiet);
    t.stop(BLOCK);
    t.note_gain_change("Input 2 +30.0 → +42.0 dB");
    t.start("After", 2 * BLOCK);
    t.block(0, 2 * BLOCK, BLOCK, &quiet);
    t.stop(3 * BLOCK);
    t.start("Later", 4 * BLOCK);
    t.stop(5 * BLOCK);
    let reports = t.reports();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0].gain_changed, None);
    assert_eq!(
        reports[1].gain_changed.as_deref(),
        Some("gain changed before this take: Input 1 +30.0 → +21.0 dB; Input 2 +30.0 → +42.0 dB")
    );
    assert_eq!(reports[2].gain_changed, None);
}
