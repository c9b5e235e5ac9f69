//! A control client's `apply` and `undo` over `POST /api/control` and OSC, against the X32
//! simulator on loopback: after a remote soundcheck, the exact sets its verdicts ask for (the
//! 12 dB raise limit held), undo putting the gains back, and nothing sent to the console
//! without the token or while a take runs. Every change is a `gain` entry by `remote`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/console_sim.rs"]
mod console_sim;
#[path = "support/remote.rs"]
mod remote;

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use console_sim::{ConsoleSim, Dialect, Received, db_to_float};
use gainstage::advisor::SourcePreset;
use gainstage::preamps::RigConfig;
use gainstage::remote::RemoteConfig;
use remote::*;
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};
use serde_json::Value;

/// Every headamp's gain before the test changes one.
const START_DB: f64 = 30.0;
/// Input 1 plays hot, input 2 far too quietly: a cut and a raise past the 12 dB limit.
const HOT_DBFS: f64 = -2.0;
const QUIET_DBFS: f64 = -34.0;

/// The sets the soundcheck's verdicts ask for, from the generic preset's target alone: the
/// hot input down to the target, the quiet one up by at most 12 dB. A 1 kHz sine at 48 kHz
/// has a sample on its crest, so its true peak is its level.
fn expected_gains() -> (f64, f64) {
    let target = SourcePreset::Generic.params().target_dbtp;
    let half = |db: f64| (db * 2.0).round() / 2.0;
    let cut = half(target - HOT_DBFS);
    let raise = half(target - QUIET_DBFS);
    assert!(cut < 0.0 && raise > 12.0, "cut {cut}, raise {raise}");
    (START_DB + cut, START_DB + 12.0)
}

fn headamp(n: usize) -> String {
    format!("/headamp/{:03}/gain", n - 1)
}

/// Query, set, read back on each input, in order.
fn sets(list: &[(usize, f64)]) -> Vec<Received> {
    list.iter()
        .flat_map(|&(n, db)| {
            let a = headamp(n);
            [
                Received::query(&a),
                Received::set(&a, db_to_float(db)),
                Received::query(&a),
            ]
        })
        .collect()
}

fn serve_with(console: &ConsoleSim, log: &std::path::Path, osc: bool) -> Served {
    let config = RemoteConfig {
        preamps: Some(RigConfig {
            specs: vec![console.spec("x32").parse().unwrap()],
            ..RigConfig::default()
        }),
        preamp_log_dir: Some(log.to_path_buf()),
        osc_listen: osc.then(|| "127.0.0.1:0".parse().unwrap()),
        ..RemoteConfig::default()
    };
    serve(&[tone(HOT_DBFS), tone(QUIET_DBFS)], config)
}

fn control(served: &Served, token: Option<&str>, body: &str) -> (u16, Value) {
    let (status, text) = post(served.addr(), "/api/control", token, body);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sends a command over `/ws` and returns its answer, skipping the frames between.
async fn ws_answer(ws: &mut Ws, text: &str) -> Value {
    send_text(ws, text).await;
    loop {
        let v = next_json(ws).await.unwrap();
        if v.get("reply").is_some() {
            return v;
        }
    }
}

/// Waits until the latest frame says whether a take runs as `running`.
fn wait_for_take(served: &Served, running: bool) {
    for _ in 0..400 {
        let (status, body) = get(served.addr(), "/api/snapshot");
        if status == 200 {
            let frame: Value = serde_json::from_str(&body).unwrap();
            if frame["take"].is_null() != running {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the take never became {running}");
}

/// The `gain` entries of the session log in `dir`.
fn gain_entries(dir: &std::path::Path) -> Vec<Value> {
    let mut out = Vec::new();
    for file in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        out.extend(
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .filter(|v| v["event"] == "gain"),
        );
    }
    out
}

#[test]
fn api_control_applies_the_soundcheck_undoes_and_refuses_without_token_or_during_a_take() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", START_DB);
    let log = tempfile::tempdir().unwrap();
    let served = serve_with(&console, log.path(), false);
    let token = served.remote.token().as_str().to_owned();
    let (cut_to, raise_to) = expected_gains();

    let (status, _) = control(&served, None, r#"{"cmd":"apply"}"#);
    assert_eq!(status, 403, "apply without the token");
    let (status, reply) = control(&served, Some(&token), r#"{"cmd":"apply"}"#);
    assert_eq!(status, 400, "apply before any soundcheck: {reply}");
    assert!(console.received().is_empty(), "{:?}", console.received());

    let (status, _) = control(&served, Some(&token), r#"{"cmd":"soundcheck","secs":1}"#);
    assert_eq!(status, 200);
    // Until the soundcheck ends, apply is refused for want of one; then it sets the preamps.
    let mut reply = Value::Null;
    for _ in 0..400 {
        let (status, r) = control(&served, Some(&token), r#"{"cmd":"apply"}"#);
        reply = r;
        if status == 200 {
            break;
        }
        assert!(
            reply["error"].as_str().unwrap().contains("no soundcheck"),
            "{reply}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(reply["ok"], true, "{reply}");
    assert_eq!(reply["reply"], "apply");
    assert_eq!(console.received(), sets(&[(1, cut_to), (2, raise_to)]));
    assert_eq!(console.gain_db(1), cut_to);
    assert_eq!(console.gain_db(2), raise_to);
    assert_eq!(console.gain_db(3), START_DB, "other headamps untouched");
    let message = reply["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("Input 1 {START_DB:+.1} → {cut_to:+.1} dB")),
        "{message}"
    );

    console.clear();
    let (status, reply) = control(&served, Some(&token), r#"{"cmd":"undo"}"#);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(console.received(), sets(&[(1, START_DB), (2, START_DB)]));
    assert_eq!(
        (console.gain_db(1), console.gain_db(2)),
        (START_DB, START_DB)
    );

    // Over `/ws` the same commands are answered between frames: without the token refused,
    // with it the undo has nothing left to put back.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (refused, undone) = rt.block_on(async {
        let mut ws = connect(&served.ws_url("")).await;
        let refused = ws_answer(&mut ws, r#"{"cmd":"apply"}"#).await;
        let undone = ws_answer(&mut ws, &format!(r#"{{"cmd":"undo","token":"{token}"}}"#)).await;
        (refused, undone)
    });
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(undone["reply"], "undo", "{undone}");
    assert_eq!(undone["ok"], true, "{undone}");
    assert_eq!(undone["message"], "nothing to undo", "{undone}");
    assert_eq!(console.received().len(), 6, "nothing more sent over /ws");

    // Every change, the undo's too, is in the session log, made by `remote`.
    let entries = gain_entries(log.path());
    let moves: Vec<(u64, f64, f64, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["channel"].as_u64().unwrap(),
                e["from_db"].as_f64().unwrap(),
                e["to_db"].as_f64().unwrap(),
                e["who"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            (1, START_DB, cut_to, "remote"),
            (2, START_DB, raise_to, "remote"),
            (1, cut_to, START_DB, "remote"),
            (2, raise_to, START_DB, "remote"),
        ]
    );

    // During a take nothing is sent, whoever asks.
    let (status, _) = control(&served, Some(&token), r#"{"cmd":"take_start"}"#);
    assert_eq!(status, 200);
    wait_for_take(&served, true);
    console.clear();
    let (status, reply) = control(&served, Some(&token), r#"{"cmd":"apply"}"#);
    assert_eq!(status, 400, "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("take"), "{reply}");
    assert!(console.received().is_empty(), "{:?}", console.received());
    assert_eq!(
        (console.gain_db(1), console.gain_db(2)),
        (START_DB, START_DB)
    );
    assert!(console.errors().is_empty(), "{:?}", console.errors());
}

fn osc_message(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    })
}

fn send(sock: &UdpSocket, to: SocketAddr, packet: &OscPacket) {
    sock.send_to(&rosc::encoder::encode(packet).unwrap(), to)
        .unwrap();
}

/// The next reply: its address and text.
fn next_reply(sock: &UdpSocket) -> (String, String) {
    let mut buf = [0u8; 4096];
    let (n, _) = sock.recv_from(&mut buf).unwrap();
    match rosc::decoder::decode_udp(&buf[..n]).unwrap().1 {
        OscPacket::Message(m) => match m.args.first() {
            Some(OscType::String(text)) => (m.addr, text.clone()),
            other => panic!("{}: {other:?}", m.addr),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn osc_applies_and_undoes_with_one_reply_a_datagram_and_refuses_without_token_or_during_a_take() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.3", START_DB);
    let log = tempfile::tempdir().unwrap();
    let served = serve_with(&console, log.path(), true);
    let token = OscType::String(served.remote.token().as_str().to_owned());
    let osc = served.remote.osc_listen_addr().unwrap();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let apply = osc_message("/gainstage/preamps/apply", vec![token.clone()]);
    let undo = osc_message("/gainstage/preamps/undo", vec![token.clone()]);
    let (cut_to, raise_to) = expected_gains();

    send(
        &sock,
        osc,
        &osc_message(
            "/gainstage/soundcheck",
            vec![token.clone(), OscType::Float(1.0)],
        ),
    );
    assert_eq!(next_reply(&sock).0, "/gainstage/ok");
    // Without the token nothing is answered and nothing sent: the next reply is the undo's,
    // with nothing yet to undo.
    send(&sock, osc, &osc_message("/gainstage/preamps/apply", vec![]));
    send(&sock, osc, &undo);
    assert_eq!(
        next_reply(&sock),
        ("/gainstage/ok".into(), "nothing to undo".into())
    );
    assert!(console.received().is_empty(), "{:?}", console.received());

    let mut reply = (String::new(), String::new());
    for _ in 0..400 {
        send(&sock, osc, &apply);
        reply = next_reply(&sock);
        if reply.0 == "/gainstage/ok" {
            break;
        }
        assert!(reply.1.contains("no soundcheck"), "{reply:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(reply.0, "/gainstage/ok", "{reply:?}");
    assert_eq!(console.received(), sets(&[(1, cut_to), (2, raise_to)]));
    assert_eq!((console.gain_db(1), console.gain_db(2)), (cut_to, raise_to));

    // Undo and a second undo in one datagram: one reply, saying both.
    console.clear();
    send(
        &sock,
        osc,
        &OscPacket::Bundle(OscBundle {
            timetag: OscTime {
                seconds: 0,
                fractional: 1,
            },
            content: vec![undo.clone(), undo.clone()],
        }),
    );
    let (addr, text) = next_reply(&sock);
    assert_eq!(addr, "/gainstage/ok");
    assert!(
        text.starts_with("set Input 1") && text.ends_with("; nothing to undo"),
        "{text}"
    );
    assert_eq!(console.received(), sets(&[(1, START_DB), (2, START_DB)]));
    assert_eq!(
        (console.gain_db(1), console.gain_db(2)),
        (START_DB, START_DB)
    );

    // During a take: refused, nothing sent.
    send(
        &sock,
        osc,
        &osc_message("/gainstage/take/start", vec![token.clone()]),
    );
    assert_eq!(next_reply(&sock).0, "/gainstage/ok");
    wait_for_take(&served, true);
    console.clear();
    send(&sock, osc, &apply);
    let (addr, text) = next_reply(&sock);
    assert_eq!(addr, "/gainstage/error", "{text}");
    assert!(
        text.starts_with("/gainstage/preamps/apply:") && text.contains("take"),
        "{text}"
    );
    assert!(console.received().is_empty(), "{:?}", console.received());
    assert_eq!(gain_entries(log.path()).len(), 4);
}
