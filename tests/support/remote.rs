//! Shared by the remote tests and the `remote_serve` bench (included with `#[path]`): a
//! caller-fed session served on a loopback port, fed known sines and clips at a device's
//! pace, and a WebSocket client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use gainstage::capture::callback::CallbackState;
use gainstage::capture::{Session, SessionConfig};
use gainstage::remote::{Remote, RemoteConfig, RemoteSource};
use gainstage::snapshot::SourceInfo;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

pub const RATE: u32 = 48_000;
/// Frames per pushed block: 10 ms.
pub const BLOCK: usize = 480;
/// A 1 kHz sine at 48 kHz has 48 samples a cycle, one of them on the crest: its sample peak
/// and true peak are its amplitude exactly.
const TONE_HZ: f64 = 1000.0;
/// Blocks between two clips: each clip is one full-scale sample alone, so one over.
const CLIP_SPACING: u64 = 3;

/// What a channel plays: a 1 kHz sine at `level_dbfs` (None: silence), plus `clips` isolated
/// full-scale samples early on.
#[derive(Debug, Clone, Copy)]
pub struct Tone {
    pub level_dbfs: Option<f64>,
    pub clips: u64,
}

pub fn tone(level_dbfs: f64) -> Tone {
    Tone {
        level_dbfs: Some(level_dbfs),
        clips: 0,
    }
}

/// A session fed by the test at real-time pace, served on 127.0.0.1 at a free port.
pub struct Served {
    pub remote: Remote,
    pub session: Arc<Session>,
    stop: Arc<AtomicBool>,
    feeder: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(f) = self.feeder.take() {
            f.join().unwrap();
        }
    }
}

impl Served {
    pub fn addr(&self) -> std::net::SocketAddr {
        self.remote.local_addr()
    }

    pub fn ws_url(&self, query: &str) -> String {
        format!("ws://{}/ws{query}", self.addr())
    }
}

/// A session of `channels` f32 channels at [`RATE`] fed by the caller, served on 127.0.0.1 at
/// a free port unless `config.listen` names an address: the session, its server, and the
/// callback to feed. What the remote tests and the `remote_serve` bench start from.
pub fn caller_fed(
    host: &str,
    channels: usize,
    mut config: RemoteConfig,
) -> (Arc<Session>, Remote, CallbackState) {
    let info = SourceInfo {
        host: host.into(),
        device: format!("remote {host}"),
        device_id: format!("{host}:remote"),
        sample_rate: RATE,
        channels,
        buffer_frames: Some(BLOCK as u32),
        sample_format: "f32".into(),
        is_demo: false,
        channel_names: Vec::new(),
        clip_rule: Default::default(),
    };
    let (session, cb) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let session = Arc::new(session);
    if config.listen.ip().is_unspecified() {
        config.listen = "127.0.0.1:0".parse().unwrap();
    }
    let remote = Remote::start(
        RemoteSource {
            reader: session.reader(),
            commander: session.commander(),
            plan: Default::default(),
            source: session.source().clone(),
        },
        config,
    )
    .unwrap();
    (session, remote, cb)
}

/// Calls `block(n)` for n = 0, 1, 2 ... on its own thread, one call per [`BLOCK`] frames of
/// real time, until `stop`: a device's callback at its pace.
pub fn paced(
    stop: Arc<AtomicBool>,
    mut block: impl FnMut(u64) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("remote-feeder".into())
        .spawn(move || {
            let start = Instant::now();
            let period = Duration::from_secs_f64(BLOCK as f64 / f64::from(RATE));
            let mut n: u64 = 0;
            while !stop.load(Ordering::Acquire) {
                block(n);
                n += 1;
                let due = start + period * n as u32;
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
            }
        })
        .unwrap()
}

/// The default configuration with room for `clients` viewers from one address: load tests and
/// benches stand for many hosts but connect from 127.0.0.1 alone.
pub fn one_host(clients: usize) -> RemoteConfig {
    let defaults = RemoteConfig::default();
    RemoteConfig {
        max_clients: defaults.max_clients.max(clients),
        max_clients_per_address: clients,
        connections: gainstage::remote::ConnectionLimits {
            max_per_address: 2 * clients + 16,
            max_connections: defaults.connections.max_connections.max(2 * clients + 16),
            ..defaults.connections
        },
        ..defaults
    }
}

pub fn serve(tones: &[Tone], config: RemoteConfig) -> Served {
    let (session, remote, cb) = caller_fed("test", tones.len(), config);
    let (stop, feeder) = feed(cb, tones);
    Served {
        remote,
        session,
        stop,
        feeder: Some(feeder),
    }
}

/// Feeds `tones` (one per channel) to a session's callback at real-time pace, in 10 ms
/// blocks, until the flag is raised.
pub fn feed(
    mut cb: CallbackState,
    tones: &[Tone],
) -> (Arc<AtomicBool>, std::thread::JoinHandle<()>) {
    let channels = tones.len();
    let stop = Arc::new(AtomicBool::new(false));
    let tones = tones.to_vec();
    let mut buf = vec![0f32; BLOCK * channels];
    let feeder = paced(Arc::clone(&stop), move |block| {
        for f in 0..BLOCK {
            let n = block * BLOCK as u64 + f as u64;
            let phase = std::f64::consts::TAU * TONE_HZ * n as f64 / f64::from(RATE);
            for (c, t) in tones.iter().enumerate() {
                let a = t.level_dbfs.map_or(0.0, |l| 10f64.powf(l / 20.0));
                buf[f * channels + c] = (a * phase.sin()) as f32;
            }
        }
        for (c, t) in tones.iter().enumerate() {
            // One full-scale sample in its block, after a second of settling.
            if block >= 100
                && (block - 100).is_multiple_of(CLIP_SPACING)
                && (block - 100) / CLIP_SPACING < t.clips
            {
                buf[7 * channels + c] = 1.0;
            }
        }
        cb.process(&buf);
    });
    (stop, feeder)
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(url: &str) -> Ws {
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The next text message as JSON; `None` when the socket closed.
pub async fn next_json(ws: &mut Ws) -> Option<Value> {
    while let Some(msg) = ws.next().await {
        match msg {
            Ok(Message::Text(t)) => return Some(serde_json::from_str(t.as_str()).unwrap()),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
    None
}

/// The next frame (a message with `channels`), skipping events and replies.
pub async fn next_frame(ws: &mut Ws) -> Value {
    loop {
        let v = next_json(ws).await.expect("socket open");
        if v.get("channels").is_some() && v.get("t_s").is_some() {
            return v;
        }
    }
}

/// The next reply to a command.
pub async fn next_reply(ws: &mut Ws) -> Value {
    loop {
        let v = next_json(ws).await.expect("socket open");
        if v.get("reply").is_some() {
            return v;
        }
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.unwrap();
}

/// Reads frames until `pred` holds for one, giving up after `frames` frames.
pub async fn frame_where(ws: &mut Ws, frames: usize, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..frames {
        let f = next_frame(ws).await;
        if pred(&f) {
            return f;
        }
    }
    panic!("no frame within {frames} met the condition");
}

pub fn channel(frame: &Value, ch: usize) -> &Value {
    &frame["channels"][ch - 1]
}

/// A blocking HTTP request on a fresh connection: the status and body.
pub fn http(addr: std::net::SocketAddr, request: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    status_and_body(&out)
}

/// An HTTP/1.1 response's status code (0 if it has none) and its body.
pub fn status_and_body(response: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

pub fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    http(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

pub fn post(
    addr: std::net::SocketAddr,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> (u16, String) {
    let auth = auth.map_or_else(String::new, |t| format!("Authorization: Bearer {t}\r\n"));
    http(
        addr,
        format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}
