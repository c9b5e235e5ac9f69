//! The callback path (the very function the cpal callback and the file/demo source threads
//! call) must not allocate: it runs here under `assert_no_alloc`, whose global allocator
//! aborts the process on any allocation inside the guard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use assert_no_alloc::{AllocDisabler, assert_no_alloc};
use dasp_sample::{I24, U24};
use gainstage::capture::callback::{CallbackState, SCRATCH_FRAMES, ring};
use gainstage::capture::shared::Shared;
use gainstage::meter::clip::DEFAULT_FLOAT_CLIP_LEVEL;
use ringbuf::traits::Consumer;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

const CH: usize = 10;

/// Interleaved frames of `f(channel, frame)`.
fn frames<T>(n: usize, f: impl Fn(usize, usize) -> T) -> Vec<T> {
    (0..n * CH).map(|i| f(i % CH, i / CH)).collect()
}

#[test]
fn callback_path_allocates_nothing_for_any_format_or_when_the_ring_is_full() {
    let shared = Arc::new(Shared::new(CH));
    // Small ring so the full-ring (drop) path runs too.
    let (producer, mut consumer) = ring(CH, 2000);
    let mut cb = CallbackState::new(
        CH,
        1,
        DEFAULT_FLOAT_CLIP_LEVEL,
        producer,
        Arc::clone(&shared),
    );

    // Prepared outside the guard: callbacks of usual sizes, one longer than the scratch,
    // full-scale codes of every format on channel 0.
    let i16s = frames(256, |c, i| if c == 0 && i == 7 { i16::MIN } else { 100 });
    let i24s = frames(64, |c, i| {
        I24::new_unchecked(if c == 0 && i == 3 { (1 << 23) - 1 } else { 5 })
    });
    let u24s = frames(64, |_, _| U24::new_unchecked(1 << 23));
    let i32s = frames(SCRATCH_FRAMES * 3 + 17, |c, i| {
        if c == 0 && i == 2000 { i32::MAX } else { 0 }
    });
    let f32s = frames(512, |c, i| if c == 0 && i == 1 { 1.0f32 } else { 0.25 });
    let f64s = frames(128, |c, i| if c == 0 && i == 0 { -1.0f64 } else { 0.5 });
    let u8s = frames(128, |c, i| if c == 0 && i == 5 { 0u8 } else { 128 });
    let i8s = frames(96, |c, i| if c == 0 && i == 9 { i8::MAX } else { 3 });
    let i64s = frames(96, |c, i| if c == 0 && i == 4 { i64::MIN } else { 1 << 40 });
    let u16s = frames(96, |c, i| if c == 0 && i == 6 { u16::MAX } else { 1 << 15 });
    let u32s = frames(96, |c, i| if c == 0 && i == 8 { 0u32 } else { 1 << 31 });
    let u64s = frames(96, |c, i| if c == 0 && i == 2 { u64::MAX } else { 1 << 63 });
    let mut out = vec![0.0f32; CH * 2000];

    assert_no_alloc(|| {
        for _ in 0..4 {
            cb.process(&i16s);
            cb.process(&i24s);
            cb.process(&u24s);
            cb.process(&i32s);
            cb.process(&f32s);
            cb.process(&f64s);
            cb.process(&u8s);
            cb.process(&i8s);
            cb.process(&i64s);
            cb.process(&u16s);
            cb.process(&u32s);
            cb.process(&u64s);
            // Drain part of the ring, as the meter thread would, between bursts.
            let _ = consumer.pop_slice(&mut out);
        }
    });

    let clipped = shared.channels[0].clipped.load(Ordering::Relaxed);
    assert_eq!(
        clipped,
        4 * 11,
        "one full-scale sample per burst of the eleven formats that carry one (U24 does not)"
    );
    assert!(
        shared.dropped_frames.load(Ordering::Relaxed) > 0,
        "the full-ring path ran"
    );
    assert_eq!(shared.channels[1].clipped.load(Ordering::Relaxed), 0);
}

#[path = "support/alloc_canary.rs"]
mod alloc_canary;

/// Proves the guard is live in this build: allocating inside it must kill the process.
#[test]
fn the_guard_catches_an_allocation() {
    alloc_canary::guard_must_abort("the_guard_catches_an_allocation");
}
