//! Memory is fixed when a meter is built: metering hours of audio and reading it allocate
//! nothing (the allocator aborts this test binary if they do), so days of running cannot grow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_no_alloc::{AllocDisabler, assert_no_alloc};
use gainstage::meter::{MeterBank, MeterConfig};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

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
