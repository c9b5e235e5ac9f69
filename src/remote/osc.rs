//! OSC out: per channel `/gainstage/<ch>/peak`, `/true_peak`, `/short_term`, `/clips`,
//! `/warning` in one bundle per frame (split only past [`CHANNELS_PER_BUNDLE`] so a datagram
//! stays small), and an event message on every clip and warning change. The take:
//! `/gainstage/take i:number f:seconds_run s:name` in every frame's first bundle (number 0:
//! none runs), `/gainstage/take/started i:number s:name i:auto` and `/gainstage/take/ended
//! i:number` as it happens. OSC in: control messages with the token as their first argument
//! (`/gainstage/preamps/apply` and `/undo` among them, answered once the preamps are set);
//! a datagram is answered once, and only when it carries the token.
//! Sending is `try_send_to`: a full socket buffer drops a bundle, it never waits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};
use tokio::net::UdpSocket;

use super::control::{self, Command};
use super::server::{Access, State};
use crate::advisor::events::kind_name;
use crate::snapshot::Snapshot;

/// Channels per bundle: 32 channels of five messages stay near 6 kB, well inside a datagram.
const CHANNELS_PER_BUNDLE: usize = 32;
/// Levels of silence go out as this (OSC has no null).
pub const SILENCE_DB: f32 = -144.0;
/// The largest datagram read: control messages are tiny.
const MAX_DATAGRAM: usize = 4096;
/// Nesting a control bundle may have.
const MAX_DEPTH: usize = 4;
/// Commands one datagram may give; the rest of its messages are ignored.
const MAX_COMMANDS: usize = 8;

fn level(v: f64) -> OscType {
    OscType::Float(crate::monitor::db(v).map_or(SILENCE_DB, |v| v as f32))
}

fn message(addr: String, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage { addr, args })
}

fn count(v: u64) -> OscType {
    OscType::Int(i32::try_from(v).unwrap_or(i32::MAX))
}

/// "Immediately", as OSC spells it.
const NOW: OscTime = OscTime {
    seconds: 0,
    fractional: 1,
};

/// `/gainstage/take i:number f:seconds_run s:name`; number 0 when no take runs. A control
/// surface that joins mid-take learns it from the next frame.
fn take_state(s: &Snapshot) -> OscPacket {
    let args = match &s.open_take {
        Some(t) => vec![
            count(t.number as u64),
            OscType::Float((s.t_s - t.start_s).max(0.0) as f32),
            OscType::String(t.name.to_string()),
        ],
        None => vec![
            OscType::Int(0),
            OscType::Float(0.0),
            OscType::String(String::new()),
        ],
    };
    message("/gainstage/take".into(), args)
}

/// The bundles for one frame.
pub fn bundles(s: &Snapshot) -> Vec<OscPacket> {
    s.channels
        .chunks(CHANNELS_PER_BUNDLE)
        .enumerate()
        .map(|(k, chunk)| {
            let mut content = Vec::with_capacity(chunk.len() * 5 + 1);
            if k == 0 {
                content.push(take_state(s));
            }
            for c in chunk {
                let r = &c.readings;
                let at = |what: &str| format!("/gainstage/{}/{what}", c.channel);
                content.push(message(at("peak"), vec![level(r.sample_peak_dbfs)]));
                content.push(message(at("true_peak"), vec![level(r.true_peak_dbtp)]));
                content.push(message(at("short_term"), vec![level(r.short_term_lufs)]));
                content.push(message(at("clips"), vec![count(r.overs)]));
                let warning = c.warnings.first().map_or("none", |w| kind_name(w.kind));
                content.push(message(
                    at("warning"),
                    vec![OscType::String(warning.into())],
                ));
            }
            OscPacket::Bundle(OscBundle {
                timetag: NOW,
                content,
            })
        })
        .collect()
}

/// Event messages for what changed since `prev`: `/gainstage/<ch>/clip i:overs i:new_overs`
/// and `/gainstage/<ch>/warning_changed s:kind s:raised|cleared s:message`.
pub fn events(prev: &Snapshot, s: &Snapshot) -> Vec<OscPacket> {
    let mut out = Vec::new();
    let number = |t: &Option<crate::takes::OpenTakeInfo>| t.as_ref().map(|t| t.number);
    if number(&prev.open_take) != number(&s.open_take) {
        if let Some(t) = &prev.open_take {
            out.push(message(
                "/gainstage/take/ended".into(),
                vec![count(t.number as u64)],
            ));
        }
        if let Some(t) = &s.open_take {
            out.push(message(
                "/gainstage/take/started".into(),
                vec![
                    count(t.number as u64),
                    OscType::String(t.name.to_string()),
                    OscType::Int(i32::from(t.auto)),
                ],
            ));
        }
    }
    for (p, c) in prev.channels.iter().zip(&s.channels) {
        let at = |what: &str| format!("/gainstage/{}/{what}", c.channel);
        if c.readings.overs > p.readings.overs {
            out.push(message(
                at("clip"),
                vec![
                    count(c.readings.overs),
                    count(c.readings.overs - p.readings.overs),
                ],
            ));
        }
        for w in c.warnings.iter().filter(|w| !p.warnings.contains(w)) {
            if !p.warnings.iter().any(|o| o.kind == w.kind) {
                out.push(message(
                    at("warning_changed"),
                    vec![
                        OscType::String(kind_name(w.kind).into()),
                        OscType::String("raised".into()),
                        OscType::String(w.message.clone()),
                    ],
                ));
            }
        }
        for w in p
            .warnings
            .iter()
            .filter(|w| !c.warnings.iter().any(|n| n.kind == w.kind))
        {
            out.push(message(
                at("warning_changed"),
                vec![
                    OscType::String(kind_name(w.kind).into()),
                    OscType::String("cleared".into()),
                    OscType::String(w.message.clone()),
                ],
            ));
        }
    }
    out
}

/// Sends readings to `targets` every `period` until the server stops.
pub async fn send(
    state: Arc<State>,
    socket: UdpSocket,
    targets: Vec<SocketAddr>,
    period: Duration,
) {
    let mut reader = state.prototype.clone();
    let mut stop = state.stop.clone();
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut prev: Option<Snapshot> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let Some(s) = reader.read() else { continue };
        let mut packets = prev.as_ref().map(|p| events(p, &s)).unwrap_or_default();
        packets.extend(bundles(&s));
        for packet in &packets {
            let Ok(bytes) = rosc::encoder::encode(packet) else {
                continue;
            };
            for to in &targets {
                if socket.try_send_to(&bytes, *to).is_ok() {
                    state.stats.osc_sent.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        prev = Some(s);
    }
}

/// A control message as a command, with the token its first argument carries.
pub fn command(m: &OscMessage) -> Result<(Command, Option<String>), String> {
    let token = token_of(m).map(str::to_owned);
    let number = |a: Option<&OscType>| match a {
        Some(OscType::Int(i)) => Some(f64::from(*i)),
        Some(OscType::Float(f)) => Some(f64::from(*f)),
        Some(OscType::Double(d)) => Some(*d),
        _ => None,
    };
    let parts: Vec<&str> = m.addr.trim_start_matches('/').split('/').collect();
    let command = match parts.as_slice() {
        ["gainstage", "reset"] => Command::Reset { channel: None },
        ["gainstage", ch, "reset"] => match ch.parse::<usize>() {
            Ok(c) => Command::Reset { channel: Some(c) },
            Err(_) => return Err(format!("{}: '{ch}' is not a channel number", m.addr)),
        },
        ["gainstage", "soundcheck"] => Command::Soundcheck {
            secs: number(m.args.get(1)),
        },
        ["gainstage", "take", "start"] => Command::TakeStart {
            name: match m.args.get(1) {
                Some(OscType::String(n)) => Some(n.clone()),
                _ => None,
            },
        },
        ["gainstage", "take", "stop"] => Command::TakeStop {},
        ["gainstage", "preamps", "apply"] => Command::Apply {},
        ["gainstage", "preamps", "undo"] => Command::Undo {},
        _ => return Err(format!("{}: not a gainstage command", m.addr)),
    };
    Ok((command, token))
}

fn reply(ok: bool, text: String) -> Vec<u8> {
    let addr = if ok {
        "/gainstage/ok"
    } else {
        "/gainstage/error"
    };
    let packet = message(addr.into(), vec![OscType::String(text)]);
    rosc::encoder::encode(&packet).unwrap_or_default()
}

/// The messages of a packet, bundles opened up to [`MAX_DEPTH`] deep.
fn messages(packet: OscPacket, depth: usize, out: &mut Vec<OscMessage>) {
    match packet {
        OscPacket::Message(m) => out.push(m),
        OscPacket::Bundle(b) if depth < MAX_DEPTH => {
            for p in b.content {
                messages(p, depth + 1, out);
            }
        }
        OscPacket::Bundle(_) => {}
    }
}

/// The control token an OSC message carries as its first argument.
fn token_of(m: &OscMessage) -> Option<&str> {
    match m.args.first() {
        Some(OscType::String(t)) => Some(t),
        _ => None,
    }
}

/// What one datagram does, and the one reply it gets, if any. A source address can be
/// spoofed, so a datagram is answered only when one of its messages carries the control
/// token: nothing else (garbage, readings, a wrong token) gets a byte back, and a datagram of
/// hundreds of messages still gets one reply. The token's messages are applied, at most
/// [`MAX_COMMANDS`] of them; the reply is the first failure, or every command's result.
/// `apply` and `undo` wait, asynchronously, for the preamps' thread before the reply goes.
pub async fn take_datagram(state: &State, from: std::net::IpAddr, data: &[u8]) -> Option<Vec<u8>> {
    let (_, packet) = rosc::decoder::decode_udp(data).ok()?;
    let mut list = Vec::new();
    messages(packet, 0, &mut list);
    let mut done: Vec<String> = Vec::new();
    let mut failed: Option<String> = None;
    let mut applied = 0;
    for m in list.iter().filter(|m| token_of(m).is_some()) {
        if applied >= MAX_COMMANDS {
            break;
        }
        match state.is_control_token(from, token_of(m)) {
            Access::Granted => {}
            // Too many wrong tokens from this address: the rest go unread.
            Access::TooManyGuesses => break,
            Access::Refused => continue,
        }
        applied += 1;
        let result = match command(m) {
            Ok((cmd, _)) => control::apply(state, &cmd, true)
                .await
                .map_err(|why| format!("{}: {why}", m.addr)),
            Err(why) => Err(why),
        };
        match result {
            Ok(text) => done.push(text),
            Err(why) => {
                failed.get_or_insert(why);
            }
        }
    }
    if applied == 0 {
        return None;
    }
    Some(match failed {
        Some(why) => reply(false, why),
        None => reply(true, done.join("; ")),
    })
}

/// Takes control messages until the server stops; answers each datagram that carries the
/// token, once, on the sender's address.
pub async fn listen(state: Arc<State>, socket: UdpSocket) {
    let mut stop = state.stop.clone();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let (len, from) = tokio::select! {
            got = socket.recv_from(&mut buf) => match got {
                Ok(got) => got,
                // ICMP "port unreachable" from an earlier reply surfaces here on some systems.
                Err(_) => continue,
            },
            _ = stop.wait_for(|s| *s) => return,
        };
        state.stats.osc_received.fetch_add(1, Ordering::Relaxed);
        let data = buf.get(..len).unwrap_or(&[]);
        if let Some(answer) = take_datagram(&state, from.ip(), data).await {
            let _ = socket.try_send_to(&answer, from);
        }
    }
}
