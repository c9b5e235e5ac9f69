//! What serving costs: 50 WebSocket clients at 30 Hz on a 32-channel session (JSON frames, then
//! the pages' compact frames): CPU time of the server's own threads as a share of one core,
//! frames and bytes per client per second; then the latency from the audio callback to the
//! WebSocket frame that shows a spike, median and 99th percentile, with the 49 other clients
//! reading (JSON, then compact). Each figure with the load average it was taken at.
//! `cargo bench --bench remote_serve`. Figures for a machine, not a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use gainstage::capture::Session;
use gainstage::remote::Remote;
use tokio_tungstenite::tungstenite::Message;

#[path = "../tests/support/remote.rs"]
mod remote;

use remote::BLOCK;

const CH: usize = 32;
const CLIENTS: usize = 50;
const SECONDS: u64 = 10;

/// utime + stime of this process's threads whose name starts with `prefix` (s).
fn thread_cpu_s(prefix: &str) -> f64 {
    let mut ticks = 0u64;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.trim().starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // Fields after the ")" that ends the name: utime and stime are the 12th and 13th.
        let rest = stat.rsplit(')').next().unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        ticks += f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        ticks += f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    }
    ticks as f64 / 100.0
}

const COMPACT: &str = "?format=compact";

fn name(query: &str) -> &'static str {
    if query == COMPACT { "compact" } else { "JSON" }
}

/// A frame, not the hello, an event or a reply.
fn is_frame(text: &str) -> bool {
    text.starts_with("{\"seq\"") || text.starts_with("{\"k\"")
}

/// The 1-minute load average: other work on the machine while a figure was taken.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_owned()
}

struct Fed {
    session: Arc<Session>,
    remote: Remote,
    spike_at: Arc<Mutex<Option<Instant>>>,
    want_spike: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

fn fed() -> Fed {
    let (session, remote, mut cb) = remote::caller_fed("bench", CH, remote::one_host(CLIENTS + 2));
    let spike_at = Arc::new(Mutex::new(None));
    let want_spike = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let (at, want) = (Arc::clone(&spike_at), Arc::clone(&want_spike));
    let quiet: Vec<f32> = (0..BLOCK * CH)
        .map(|i| 0.001 * ((i / CH) as f32 * 0.13).sin())
        .collect();
    let mut spike = quiet.clone();
    spike[CH * 100] = 0.5;
    remote::paced(Arc::clone(&stop), move |_| {
        if want.swap(false, Ordering::AcqRel) {
            let entered = Instant::now();
            cb.process(&spike);
            *at.lock().unwrap() = Some(entered);
        } else {
            cb.process(&quiet);
        }
    });
    Fed {
        session,
        remote,
        spike_at,
        want_spike,
        stop,
    }
}

fn serving_cost(rt: &tokio::runtime::Runtime, query: &str, seconds: u64) {
    let f = fed();
    let url = format!("ws://{}/ws{query}", f.remote.local_addr());
    let frames = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (url, frames) = (url.clone(), Arc::clone(&frames));
        tasks.push(rt.spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m
                    && is_frame(t.as_str())
                {
                    frames.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_secs(1));
    let stats = f.remote.stats();
    let (cpu0, bytes0, msgs0, frames0) = (
        thread_cpu_s("gainstage-remot"),
        stats.bytes.load(Ordering::Relaxed),
        stats.messages.load(Ordering::Relaxed),
        frames.load(Ordering::Relaxed),
    );
    let meter0 = thread_cpu_s("gainstage-meter");
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let wall = t0.elapsed().as_secs_f64();
    let cpu = thread_cpu_s("gainstage-remot") - cpu0;
    let meter = thread_cpu_s("gainstage-meter") - meter0;
    let bytes = stats.bytes.load(Ordering::Relaxed) - bytes0;
    let msgs = stats.messages.load(Ordering::Relaxed) - msgs0;
    let got = frames.load(Ordering::Relaxed) - frames0;
    let per_client = |n: u64| n as f64 / wall / CLIENTS as f64;
    println!(
        "{} frames ({CLIENTS} clients, {CH} ch): server threads {:.2} % of one core, meter thread {:.2} %; {:.1} frames/client/s ({:.1} messages); {:.1} kB/client/s; load average {}",
        name(query),
        100.0 * cpu / wall,
        100.0 * meter / wall,
        per_client(got),
        per_client(msgs),
        per_client(bytes) / 1000.0,
        load_average(),
    );
    for t in tasks {
        t.abort();
    }
    f.stop.store(true, Ordering::Release);
}

fn latency(rt: &tokio::runtime::Runtime, query: &str, spikes: usize) {
    let f = fed();
    let url = format!("ws://{}/ws{query}", f.remote.local_addr());
    let mut tasks = Vec::new();
    for _ in 1..CLIENTS {
        let url = url.clone();
        tasks.push(rt.spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
            while let Some(Ok(_)) = ws.next().await {}
        }));
    }
    let seen = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let log = Arc::clone(&seen);
    let watcher = rt.spawn(async move {
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        while let Some(Ok(m)) = ws.next().await {
            let Message::Text(t) = m else { continue };
            let now = Instant::now();
            let Ok(v) = serde_json::from_str::<serde_json::Value>(t.as_str()) else {
                continue;
            };
            // Channel 1's sample peak in either format.
            let peak = v["channels"][0]["sample_peak_dbfs"]
                .as_f64()
                .or_else(|| v["c"][0][0].as_f64());
            if peak.is_some_and(|db| db > -20.0) {
                log.lock().unwrap().push(now);
            }
        }
    });
    std::thread::sleep(Duration::from_secs(1));
    let mut lat = Vec::new();
    for _ in 0..spikes {
        seen.lock().unwrap().clear();
        *f.spike_at.lock().unwrap() = None;
        f.want_spike.store(true, Ordering::Release);
        std::thread::sleep(Duration::from_millis(120));
        let at = *f.spike_at.lock().unwrap();
        let first = seen.lock().unwrap().first().copied();
        if let (Some(at), Some(first)) = (at, first) {
            lat.push(first.saturating_duration_since(at));
        }
    }
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pick = |q: f64| lat[((lat.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} frames: callback → /ws frame with {} other clients: {} spikes seen of {spikes}; median {:.1} ms, p99 {:.1} ms, max {:.1} ms; load average {}",
        name(query),
        CLIENTS - 1,
        lat.len(),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(*lat.last().unwrap()),
        load_average(),
    );
    let mut reader = f.session.reader();
    std::thread::sleep(Duration::from_millis(50));
    if let Some(s) = reader.read() {
        println!("dropped frames during the run: {}", s.dropped_frames);
    }
    watcher.abort();
    for t in tasks {
        t.abort();
    }
    f.stop.store(true, Ordering::Release);
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-client")
        .enable_all()
        .build()
        .unwrap();
    // `cargo test --all-targets` runs this too (without `--bench`): one second and a few
    // spikes there, to check it still runs; the figures come from `cargo bench`.
    let bench = std::env::args().any(|a| a == "--bench");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (seconds, spikes) = if bench { (SECONDS, 200) } else { (1, 5) };
    for query in ["", COMPACT] {
        serving_cost(&rt, query, seconds);
    }
    for query in ["", COMPACT] {
        latency(&rt, query, spikes);
    }
}
