//! A MOTU AVB interface's datastore, as the "MOTU AVB Datastore API" document describes it, on
//! a loopback HTTP port: GET `/datastore/<path>` answers a subtree or `{"value": …}` (chunked,
//! as the device sends); PATCH (or POST) sets from a form field `json` holding
//! `{"value": …}`. Input bank 0 "Mic In" has a trim (int, dB) and `trimRange` ("0:53") on each
//! channel, and 48V and pad the client must never touch; bank 1 "Line In" trims -96..22.
//! Every request is recorded; anything the document does not allow is an error.

#![allow(dead_code)] // each test file uses the part it needs

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The `json` form field, decoded, for PATCH/POST.
    pub json: Option<Value>,
    pub content_type: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    store: BTreeMap<String, Value>,
    requests: Vec<Request>,
    errors: Vec<String>,
}

#[derive(Debug)]
pub struct MotuSim {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MotuSim {
    /// An interface with `mics` mic inputs at `mic_db` and two line inputs at 0 dB.
    pub fn start(ip: &str, mics: usize, mic_db: i64) -> Self {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut store = BTreeMap::new();
        store.insert("ext/ibank/0/name".into(), Value::from("Mic In"));
        store.insert("ext/ibank/1/name".into(), Value::from("Line In"));
        store.insert("ext/ibank/2/name".into(), Value::from("ADAT A"));
        for ch in 0..mics {
            let p = format!("ext/ibank/0/ch/{ch}");
            store.insert(format!("{p}/trim"), Value::from(mic_db));
            store.insert(format!("{p}/trimRange"), Value::from("0:53"));
            store.insert(format!("{p}/48V"), Value::from(1));
            store.insert(format!("{p}/pad"), Value::from(0));
            store.insert(format!("{p}/name"), Value::from(format!("Mic {}", ch + 1)));
        }
        for ch in 0..2 {
            let p = format!("ext/ibank/1/ch/{ch}");
            store.insert(format!("{p}/trim"), Value::from(0));
            store.insert(format!("{p}/trimRange"), Value::from("-96:22"));
        }
        store.insert("ext/ibank/2/ch/0/name".into(), Value::from("ADAT 1"));
        let state = Arc::new(Mutex::new(State {
            store,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    match listener.accept() {
                        Ok((stream, _)) => handle(stream, &state),
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Self {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn spec(&self) -> String {
        format!("motu:{}:{}", self.addr.ip(), self.addr.port())
    }

    pub fn value(&self, path: &str) -> Option<Value> {
        self.state.lock().unwrap().store.get(path).cloned()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn errors(&self) -> Vec<String> {
        self.state.lock().unwrap().errors.clone()
    }
}

impl Drop for MotuSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    // Chunked, as the device answers, in two chunks so a reader must join them.
    let (a, b) = body.split_at(body.len() / 2);
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    for part in [a, b] {
        if !part.is_empty() {
            out.push_str(&format!("{:x}\r\n{part}\r\n", part.len()));
        }
    }
    out.push_str("0\r\n\r\n");
    let _ = stream.write_all(out.as_bytes());
}

fn handle(stream: TcpStream, state: &Mutex<State>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut length = 0usize;
    let mut content_type = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            } else if k.eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let body = String::from_utf8_lossy(&body).to_string();
    let mut st = state.lock().unwrap();
    let path = target.split('?').next().unwrap_or("").to_string();
    let key = path
        .strip_prefix("/datastore/")
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();
    let json = (method == "PATCH" || method == "POST").then(|| {
        body.split('&')
            .find_map(|f| f.strip_prefix("json="))
            .map(percent_decode)
            .and_then(|j| serde_json::from_str::<Value>(&j).ok())
    });
    st.requests.push(Request {
        method: method.clone(),
        path: path.clone(),
        json: json.clone().flatten(),
        content_type: content_type.clone(),
    });
    match method.as_str() {
        "GET" => {
            if let Some(v) = st.store.get(&key) {
                let body = serde_json::json!({ "value": v }).to_string();
                respond(&mut stream, "200 OK", &body);
                return;
            }
            // A subtree: its keys relative to it.
            let prefix = format!("{key}/");
            let sub: serde_json::Map<String, Value> = st
                .store
                .iter()
                .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|r| (r.to_string(), v.clone())))
                .collect();
            if sub.is_empty() {
                respond(&mut stream, "404 Not Found", "{}");
            } else {
                respond(&mut stream, "200 OK", &Value::Object(sub).to_string());
            }
        }
        "PATCH" | "POST" => {
            if content_type.as_deref() != Some("application/x-www-form-urlencoded") {
                st.errors.push(format!(
                    "{method} {path}: not form-encoded: {content_type:?}"
                ));
            }
            let Some(Some(obj)) = json else {
                st.errors
                    .push(format!("{method} {path}: no json field in {body:?}"));
                respond(&mut stream, "400 Bad Request", "{}");
                return;
            };
            let Some(v) = obj.get("value").cloned() else {
                st.errors
                    .push(format!("{method} {path}: no value in {obj}"));
                respond(&mut stream, "400 Bad Request", "{}");
                return;
            };
            if !key.ends_with("/trim") || !st.store.contains_key(&key) {
                st.errors
                    .push(format!("{method} {path}: only trims may be set"));
                respond(&mut stream, "400 Bad Request", "{}");
                return;
            }
            let range = st
                .store
                .get(&format!("{key}Range"))
                .and_then(Value::as_str)
                .map(|r| {
                    let (a, b) = r.split_once(':').unwrap();
                    (a.parse::<i64>().unwrap(), b.parse::<i64>().unwrap())
                });
            match (v.as_i64(), range) {
                (Some(n), Some((lo, hi))) if (lo..=hi).contains(&n) => {
                    st.store.insert(key, Value::from(n));
                    respond(&mut stream, "200 OK", "{}");
                }
                _ => {
                    st.errors
                        .push(format!("{method} {path}: {v} is not an int in {range:?}"));
                    respond(&mut stream, "400 Bad Request", "{}");
                }
            }
        }
        other => {
            st.errors.push(format!("method {other}"));
            respond(&mut stream, "405 Method Not Allowed", "{}");
        }
    }
}
