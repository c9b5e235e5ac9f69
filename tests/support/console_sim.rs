//! A Behringer X32/M32 or X-Air console's headamps, as the public OSC documents describe them,
//! on a loopback UDP port: `/headamp/NNN/gain` (X32, 000-127) or `/headamp/NN/gain` (X-Air,
//! 01-24), a float 0..1 over -12..+60 dB that the console keeps on its 0.5 dB grid; the
//! address alone asks the value, answered on the same address. Every message is recorded;
//! anything the documents do not allow is recorded as an error.

#![allow(dead_code)] // each test file uses the part it needs

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rosc::{OscMessage, OscPacket, OscType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    X32,
    XAir,
}

/// A message the console received.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub addr: String,
    pub args: Vec<OscType>,
}

impl Received {
    pub fn query(addr: &str) -> Self {
        Self {
            addr: addr.into(),
            args: Vec::new(),
        }
    }
    pub fn set(addr: &str, v: f32) -> Self {
        Self {
            addr: addr.into(),
            args: vec![OscType::Float(v)],
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Headamp gains as the console holds them: the float, on the 1/144 grid.
    floats: Vec<f32>,
    received: Vec<Received>,
    /// Messages that arrived while silent, never answered.
    unanswered: Vec<Received>,
    errors: Vec<String>,
}

#[derive(Debug)]
pub struct ConsoleSim {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    silent: Arc<AtomicBool>,
    /// How long each answer waits (ms): a console slow to answer.
    delay_ms: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The dB a float stands for on the console: the document's linear map, on its 0.5 dB steps
/// (a float has no exact 1/144, so the step is the nearest one).
pub fn float_to_db(v: f32) -> f64 {
    (f64::from(v) * 144.0).round() / 2.0 - 12.0
}

/// The float for a dB value on the console's 0.5 dB grid.
pub fn db_to_float(db: f64) -> f32 {
    (((db + 12.0) * 2.0).round() / 144.0) as f32
}

impl ConsoleSim {
    /// A console on `ip` (a loopback address), every headamp at `db` dB.
    pub fn start(dialect: Dialect, ip: &str, db: f64) -> Self {
        let socket = UdpSocket::bind((ip, 0)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let count = match dialect {
            Dialect::X32 => 128,
            Dialect::XAir => 24,
        };
        let state = Arc::new(Mutex::new(State {
            floats: vec![db_to_float(db); count],
            ..State::default()
        }));
        let silent = Arc::new(AtomicBool::new(false));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, silent, delay_ms, stop) = (
                state.clone(),
                silent.clone(),
                delay_ms.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || serve(dialect, socket, &state, &silent, &delay_ms, &stop))
        };
        Self {
            addr,
            state,
            silent,
            delay_ms,
            stop,
            thread: Some(thread),
        }
    }

    /// `x32:IP:PORT` / `xair:IP:PORT` for this console.
    pub fn spec(&self, kind: &str) -> String {
        format!("{kind}:{}:{}", self.addr.ip(), self.addr.port())
    }

    /// Headamp `n`'s gain (from 1: the X32's 000 is 1).
    pub fn gain_db(&self, n: usize) -> f64 {
        float_to_db(self.state.lock().unwrap().floats[n - 1])
    }

    pub fn set_gain_db(&self, n: usize, db: f64) {
        self.state.lock().unwrap().floats[n - 1] = db_to_float(db);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// What arrived while the console was silent.
    pub fn unanswered(&self) -> Vec<Received> {
        self.state.lock().unwrap().unanswered.clone()
    }

    pub fn clear(&self) {
        self.state.lock().unwrap().received.clear();
    }

    pub fn errors(&self) -> Vec<String> {
        self.state.lock().unwrap().errors.clone()
    }

    /// Answers every query `delay` late (a console slow to answer, a congested network).
    pub fn answer_after(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::Release);
    }

    /// Stops answering (a console unplugged from the network).
    pub fn go_silent(&self) {
        self.silent.store(true, Ordering::Release);
    }
}

impl Drop for ConsoleSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The headamp (from 0) an address names in this dialect, if it is a gain address.
fn headamp(dialect: Dialect, addr: &str) -> Option<usize> {
    let rest = addr.strip_prefix("/headamp/")?.strip_suffix("/gain")?;
    match dialect {
        Dialect::X32 if rest.len() == 3 => rest.parse::<usize>().ok().filter(|n| *n < 128),
        Dialect::XAir if rest.len() == 2 => rest
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=24).contains(n))
            .map(|n| n - 1),
        _ => None,
    }
}

fn serve(
    dialect: Dialect,
    socket: UdpSocket,
    state: &Mutex<State>,
    silent: &AtomicBool,
    delay_ms: &AtomicU64,
    stop: &AtomicBool,
) {
    let mut buf = [0u8; 1536];
    while !stop.load(Ordering::Acquire) {
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let mut st = state.lock().unwrap();
        if silent.load(Ordering::Acquire) {
            if let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n]) {
                st.unanswered.push(Received {
                    addr: m.addr,
                    args: m.args,
                });
            }
            continue;
        }
        let msg = match rosc::decoder::decode_udp(&buf[..n]) {
            Ok((_, OscPacket::Message(m))) => m,
            other => {
                st.errors.push(format!("not one OSC message: {other:?}"));
                continue;
            }
        };
        st.received.push(Received {
            addr: msg.addr.clone(),
            args: msg.args.clone(),
        });
        let Some(h) = headamp(dialect, &msg.addr) else {
            st.errors
                .push(format!("not a headamp gain address: {}", msg.addr));
            continue;
        };
        match msg.args.as_slice() {
            [] => {
                let reply = OscPacket::Message(OscMessage {
                    addr: msg.addr.clone(),
                    args: vec![OscType::Float(st.floats[h])],
                });
                let delay = delay_ms.load(Ordering::Acquire);
                if delay > 0 {
                    drop(st);
                    std::thread::sleep(Duration::from_millis(delay));
                }
                let _ = socket.send_to(&rosc::encoder::encode(&reply).unwrap(), from);
            }
            [OscType::Float(v)] if (0.0..=1.0).contains(v) => {
                // The console keeps its 0.5 dB grid: 144 steps over the float's span.
                st.floats[h] = ((f64::from(*v) * 144.0).round() / 144.0) as f32;
            }
            other => st.errors.push(format!(
                "{}: arguments {other:?} are not one float 0..1",
                msg.addr
            )),
        }
    }
}
