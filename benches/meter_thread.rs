//! How many channels at 48 kHz the meter thread sustains on one core: the real worker
//! (pop whole frames, meter, publish at 60 Hz with 20 Hz history refresh) timed on one
//! second of audio per channel count. `cargo bench --bench meter_thread`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gainstage::capture::callback::{CallbackState, ring};
use gainstage::capture::publish::{Board, SnapshotReader};
use gainstage::capture::shared::Shared;
use gainstage::capture::worker::{MeterWorker, WorkerInputs};
use gainstage::meter::MeterConfig;
use gainstage::meter::clip::DEFAULT_FLOAT_CLIP_LEVEL;
use gainstage::snapshot::SourceInfo;

const RATE: u32 = 48_000;
/// One publish interval of audio per step, as the thread sees it at 60 Hz.
const CHUNK: usize = 800;

/// Seconds of wall time to meter one second of `channels` channels, and the callback's share.
fn run(channels: usize) -> (Duration, Duration) {
    let shared = Arc::new(Shared::new(channels));
    let board = Arc::new(Board::new(channels));
    let (producer, consumer) = ring(channels, RATE as usize);
    let (_ring_tx, ring_rx) = mpsc::channel();
    let (_cmd_tx, cmd_rx) = mpsc::channel();
    let info = SourceInfo {
        host: "bench".into(),
        device: "bench".into(),
        device_id: "bench".into(),
        sample_rate: RATE,
        channels,
        buffer_frames: None,
        sample_format: "i32".into(),
        is_demo: false,
        clip_rule: Default::default(),
    };
    let mut worker = MeterWorker::new(
        info,
        &MeterConfig::default(),
        &[],
        WorkerInputs {
            consumer,
            next_consumer: ring_rx,
            commands: cmd_rx,
        },
        Arc::clone(&shared),
        Arc::clone(&board),
    )
    .unwrap();
    let mut cb = CallbackState::new(channels, 1, DEFAULT_FLOAT_CLIP_LEVEL, producer, shared);
    let mut reader = SnapshotReader::new(board);
    // Music-like content: a sine per channel with a noise floor, as 32-bit integer codes.
    let mut seed = 1u32;
    let chunk: Vec<i32> = (0..CHUNK * channels)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let c = i % channels;
            let t = (i / channels) as f64 / f64::from(RATE);
            let s = 0.3 * (std::f64::consts::TAU * (100.0 + 37.0 * c as f64) * t).sin()
                + 0.001 * (f64::from(seed) / f64::from(u32::MAX) - 0.5);
            (s * f64::from(i32::MAX)) as i32
        })
        .collect();
    let mut meter = Duration::ZERO;
    let mut callback = Duration::ZERO;
    for _ in 0..(RATE as usize / CHUNK) {
        let t0 = Instant::now();
        cb.process(&chunk);
        let t1 = Instant::now();
        worker.step();
        worker.publish();
        meter += t1.elapsed();
        callback += t1 - t0;
        let _ = reader.read();
    }
    (meter, callback)
}

fn main() {
    // `cargo test --benches` runs this too; keep that short.
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let counts: &[usize] = if quick {
        &[8]
    } else {
        &[8, 16, 32, 64, 128, 256]
    };
    println!(
        "| channels | meter thread, 1 s of 48 kHz | real-time factor | sustained ch @ 48 kHz | callback, 1 s |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for &ch in counts {
        run(ch); // warm-up: page in, fill caches
        let (meter, callback) = run(ch);
        let rtf = 1.0 / meter.as_secs_f64();
        println!(
            "| {ch} | {:.1} ms | {rtf:.1}x | {:.0} | {:.2} ms |",
            meter.as_secs_f64() * 1e3,
            ch as f64 * rtf,
            callback.as_secs_f64() * 1e3
        );
    }
}
