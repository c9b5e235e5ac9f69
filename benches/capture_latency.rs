//! Latency from a sample entering the callback to the first snapshot a reader gets that shows
//! it, through the real meter thread: 16 channels at 48 kHz in 256-frame periods, a spike on
//! one channel after a few quiet periods fed in real time. Prints the median, 99th percentile
//! and maximum over the spikes. `cargo bench --bench capture_latency`.
//!
//! The budget is one device period plus 20 ms; the period passes before the callback runs, so
//! from callback entry the median should stay within 20 ms. This is a figure for a machine,
//! not a test: on a shared machine the tail depends on what else runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use gainstage::capture::{Session, SessionConfig};
use gainstage::snapshot::SourceInfo;

const CH: usize = 16;
const PERIOD: usize = 256;
const RATE: u32 = 48_000;

fn measure(spikes: usize) -> Vec<Duration> {
    let info = SourceInfo {
        host: "bench".into(),
        device: "latency".into(),
        device_id: "bench:latency".into(),
        sample_rate: RATE,
        channels: CH,
        buffer_frames: Some(PERIOD as u32),
        sample_format: "f32".into(),
        is_demo: false,
        ..SourceInfo::default()
    };
    let (session, mut cb) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let mut reader = session.reader();
    let quiet = vec![0.001f32; CH * PERIOD];
    let mut spike = quiet.clone();
    spike[CH * 100 + 3] = 0.5;
    let period = Duration::from_secs_f64(PERIOD as f64 / f64::from(RATE));
    let mut latencies = Vec::with_capacity(spikes);
    for trial in 0..spikes {
        // Quiet periods in real time, so the meter thread is in its normal rhythm.
        for _ in 0..(3 + trial % 5) {
            cb.process(&quiet);
            std::thread::sleep(period);
        }
        let _ = reader.read();
        let sent = Instant::now();
        cb.process(&spike);
        loop {
            if let Some(s) = reader.read()
                && s.channels[3].readings.sample_peak_dbfs > -7.0
            {
                latencies.push(sent.elapsed());
                break;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(5),
                "spike never arrived"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    latencies.sort();
    latencies
}

fn main() {
    // `cargo test --benches` runs this too; keep that short.
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let spikes = if quick { 10 } else { 400 };
    let l = measure(spikes);
    let at = |q: f64| l[((l.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("| spikes | median | p99 | max |");
    println!("|---:|---:|---:|---:|");
    println!(
        "| {} | {:.2} ms | {:.2} ms | {:.2} ms |",
        l.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(l[l.len() - 1])
    );
}
