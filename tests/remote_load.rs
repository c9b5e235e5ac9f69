//! Load: 50 WebSocket clients on a 32-channel session for 10 s, one of which never reads.
//! Every reading client keeps getting at least 25 frames a second, the meter thread drops no
//! frame, and the process's memory does not grow with the client that stopped reading.
// Linux: memory is read from /proc.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/remote.rs"]
mod remote;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use remote::*;
use tokio_tungstenite::tungstenite::Message;

const CLIENTS: usize = 50;
const SECONDS: u64 = 10;

fn rss_kb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_on_32_channels_each_get_25_frames_a_second() {
    let tones: Vec<Tone> = (0..32).map(|c| tone(-6.0 - c as f64)).collect();
    let served = serve(&tones, one_host(CLIENTS + 1));
    let url = served.ws_url("");
    let counts: Arc<Vec<AtomicU64>> = Arc::new((0..CLIENTS).map(|_| AtomicU64::new(0)).collect());
    // The one that never reads: connected, then never polled again.
    let stuck = connect(&url).await;
    let mut tasks = Vec::new();
    for i in 1..CLIENTS {
        let mut ws = connect(&url).await;
        let counts = Arc::clone(&counts);
        tasks.push(tokio::spawn(async move {
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m
                    && t.as_str().starts_with("{\"seq\"")
                {
                    counts[i].fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before: Vec<u64> = counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    let rss_before = rss_kb();
    tokio::time::sleep(Duration::from_secs(SECONDS)).await;
    let after: Vec<u64> = counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    let rss_after = rss_kb();
    let stats = served.remote.stats();
    for i in 1..CLIENTS {
        let frames = after[i] - before[i];
        assert!(
            frames >= 25 * SECONDS,
            "client {i}: {frames} frames in {SECONDS} s"
        );
    }
    let mut reader = served.session.reader();
    let snap = loop {
        if let Some(s) = reader.read() {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(snap.dropped_frames, 0, "the meter thread kept up");
    assert_eq!(snap.channels.len(), 32);
    let growth = rss_after.saturating_sub(rss_before);
    assert!(growth < 16 * 1024, "memory grew {growth} kB in {SECONDS} s");
    eprintln!(
        "load: {} messages, {} bytes ({} kB/client/s), {} stalled clients dropped, rss +{growth} kB",
        stats.messages.load(Ordering::Relaxed),
        stats.bytes.load(Ordering::Relaxed),
        stats.bytes.load(Ordering::Relaxed) / 1024 / (SECONDS + 1) / CLIENTS as u64,
        stats.stalled.load(Ordering::Relaxed),
    );
    drop(stuck);
    for t in tasks {
        t.abort();
    }
}
