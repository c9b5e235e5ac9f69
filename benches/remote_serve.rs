//! What serving costs: 50 WebSocket clients at 30 Hz on a 32-channel session (JSON frames, then
//! the pages' compact frames): CPU time of the server's own threads as a share of one core,
//! bytes per client per second; then the latency from the audio callback to the WebSocket
//! frame that shows a spike, median and 99th percentile, with the 49 other clients reading.
//! `cargo bench --bench remote_serve`. Figures for a machine, not a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use gainstage::capture::{Session, SessionConfig};
use gainstage::remote::{Remote, RemoteConfig, RemoteSource};
use gainstage::snapshot::SourceInfo;
use tokio_tungstenite::tungstenite::Message;

const CH: usize = 32;
const BLOCK: usize = 480;
const RATE: u32 = 48_000;
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

struct Fed {
    session: Arc<Session>,
    remote: Remote,
    spike_at: Arc<Mutex<Option<Instant>>>,
    want_spike: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

fn fed() -> Fed {
    let info = SourceInfo {
        host: "bench".into(),
        device: "remote".into(),
        device_id: "bench:remote".into(),
        sample_rate: RATE,
        channels: CH,
        buffer_frames: Some(BLOCK as u32),
        sample_format: "f32".into(),
        ..SourceInfo::default()
    };
    let (session, mut cb) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let session = Arc::new(session);
    let remote = Remote::start(
        RemoteSource {
            reader: session.reader(),
            commander: session.commander(),
            plan: Default::default(),
            source: session.source().clone(),
        },
        RemoteConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..RemoteConfig::default()
        },
    )
    .unwrap();
    let spike_at = Arc::new(Mutex::new(None));
    let want_spike = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let (at, want, flag) = (
        Arc::clone(&spike_at),
        Arc::clone(&want_spike),
        Arc::clone(&stop),
    );
    std::thread::Builder::new()
        .name("bench-feeder".into())
        .spawn(move || {
            let start = Instant::now();
            let mut block = 0u64;
            let quiet: Vec<f32> = (0..BLOCK * CH)
                .map(|i| 0.001 * ((i / CH) as f32 * 0.13).sin())
                .collect();
            let mut spike = quiet.clone();
            spike[CH * 100] = 0.5;
            while !flag.load(Ordering::Acquire) {
                if want.swap(false, Ordering::AcqRel) {
                    let entered = Instant::now();
                    cb.process(&spike);
                    *at.lock().unwrap() = Some(entered);
                } else {
                    cb.process(&quiet);
                }
                block += 1;
                let due = start + Duration::from_millis(10 * block);
                if let Some(w) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(w);
                }
            }
        })
        .unwrap();
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
                if let Message::Text(_) = m {
                    frames.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_secs(1));
    let stats = f.remote.stats();
    let (cpu0, bytes0, msgs0) = (
        thread_cpu_s("gainstage-remot"),
        stats.bytes.load(Ordering::Relaxed),
        stats.messages.load(Ordering::Relaxed),
    );
    let meter0 = thread_cpu_s("gainstage-meter");
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let wall = t0.elapsed().as_secs_f64();
    let cpu = thread_cpu_s("gainstage-remot") - cpu0;
    let meter = thread_cpu_s("gainstage-meter") - meter0;
    let bytes = stats.bytes.load(Ordering::Relaxed) - bytes0;
    let msgs = stats.messages.load(Ordering::Relaxed) - msgs0;
    println!(
        "{} frames ({CLIENTS} clients, {CH} ch): server threads {:.2} % of one core, meter thread {:.2} %; {:.1} messages/client/s; {:.1} kB/client/s",
        if query.is_empty() { "JSON" } else { "compact" },
        100.0 * cpu / wall,
        100.0 * meter / wall,
        msgs as f64 / wall / CLIENTS as f64,
        bytes as f64 / wall / CLIENTS as f64 / 1000.0,
    );
    for t in tasks {
        t.abort();
    }
    f.stop.store(true, Ordering::Release);
}

fn latency(rt: &tokio::runtime::Runtime, spikes: usize) {
    let f = fed();
    let url = format!("ws://{}/ws", f.remote.local_addr());
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
            if v["channels"][0]["sample_peak_dbfs"]
                .as_f64()
                .is_some_and(|db| db > -20.0)
            {
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
        "callback → /ws frame with {} other clients: {} spikes seen of {spikes}; median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        CLIENTS - 1,
        lat.len(),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(*lat.last().unwrap()),
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
    serving_cost(&rt, "", seconds);
    serving_cost(&rt, "?format=compact", seconds);
    latency(&rt, spikes);
}
