//! Memory is fixed when a meter is built: metering hours of audio and reading it allocate
//! nothing (the allocator aborts this test binary if they do), so days of running cannot grow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_no_alloc::{AllocDisabler, assert_no_alloc};
use gainstage::meter::{MeterBank, MeterConfig, MeterKind, ProgrammeSet};

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

#[test]
fn bank_allocates_nothing_over_a_long_run() {
    let rate = 48_000;
    let channels = 2;
    let mut bank = MeterBank::new(channels, rate, &MeterConfig::default()).unwrap();
    // Ten minutes of a tone whose level wanders, interleaved, in odd chunks.
    let chunk_frames = 997;
    let mut buf = vec![0.0f32; chunk_frames * channels];
    let mut n = 0u64;
    let total = 600 * u64::from(rate);
    assert_no_alloc(|| {
        while n < total {
            for frame in buf.chunks_mut(channels) {
                let t = n as f64 / f64::from(rate);
                let level = 0.05 + 0.4 * (0.5 + 0.5 * (t * 0.1).sin());
                let x = (level * (t * 2.0 * std::f64::consts::PI * 440.0).sin()) as f32;
                frame.fill(x);
                n += 1;
            }
            bank.process_interleaved(&buf);
        }
        let r = bank.readings(1);
        assert!(r.integrated_lufs.is_finite());
        assert!(r.loudness_range_lu > 1.0);
    });
    assert_eq!(bank.readings(0).frames, bank.readings(1).frames);
}

#[test]
fn programme_meters_switched_on_and_read_allocate_nothing() {
    let rate = 48_000;
    let mut bank = MeterBank::new(2, rate, &MeterConfig::default()).unwrap();
    let buf: Vec<f32> = (0..2 * 1024)
        .map(|i| (0.3 * (i as f64 * 0.05).sin()) as f32)
        .collect();
    assert_no_alloc(|| {
        bank.set_programme(ProgrammeSet::of(MeterKind::ALL));
        for _ in 0..2000 {
            bank.process_interleaved(&buf);
            let r = bank.take_programme(1);
            assert!(r.of(MeterKind::Vu).is_finite() && r.of(MeterKind::K12).is_finite());
        }
        bank.set_programme(ProgrammeSet::of([MeterKind::DinPpm]));
        bank.process_interleaved(&buf);
        assert!(bank.take_programme(0).of(MeterKind::DinPpm).is_finite());
    });
}
