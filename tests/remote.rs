//! `gainstage serve`'s feeds on a loopback port, fed known signals: every channel's level
//! within 0.1 dB and the exact clip count over WebSocket, HTTP and OSC; control refused without
//! the token and obeyed with it; malformed input on every socket answered without harm.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/console_sim.rs"]
mod console_sim;
#[path = "support/remote.rs"]
mod remote;
#[path = "support/sines.rs"]
mod sines;

use std::net::UdpSocket;
use std::time::Duration;

use gainstage::remote::{RemoteConfig, Token};
use remote::*;
use rosc::{OscMessage, OscPacket, OscType};
use serde_json::Value;

const CLIPS: u64 = 7;

fn tones() -> Vec<Tone> {
    vec![
        tone(-6.0),
        tone(-12.0),
        tone(-20.0),
        Tone {
            level_dbfs: Some(-40.0),
            clips: CLIPS,
        },
    ]
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn assert_db(what: &str, got: &Value, want: f64) {
    let g = f(got);
    assert!((g - want).abs() <= 0.1, "{what}: {g} dB, want {want} ±0.1");
}

async fn clipped_frame(ws: &mut Ws) -> Value {
    frame_where(ws, 600, |f| channel(f, 4)["overs"] == CLIPS).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_frames_carry_each_level_and_the_exact_clip_count() {
    let served = serve(&tones(), RemoteConfig::default());
    let mut ws = connect(&served.ws_url("")).await;
    let hello = next_json(&mut ws).await.unwrap();
    assert_eq!(hello["hello"]["channels"].as_array().unwrap().len(), 4);
    assert_eq!(hello["hello"]["control"], false);
    let mut compact = connect(&served.ws_url("?format=compact")).await;
    // Every over event until the count is reached: their new overs add up to the count.
    let mut over_events = 0;
    let first = loop {
        let v = next_json(&mut ws).await.unwrap();
        if v["event"] == "over" && v["channel"] == 4 {
            over_events += v["new_overs"].as_u64().unwrap();
        }
        if v.get("t_s").is_some() && channel(&v, 4)["overs"] == CLIPS {
            break v;
        }
    };
    assert_eq!(over_events, CLIPS, "over events add up to the overs");
    for key in [
        "t_s",
        "state",
        "dropped_frames",
        "xruns",
        "log_failed_entries",
        "channels",
    ] {
        assert!(first.get(key).is_some(), "frame has {key}");
    }
    for key in [
        "channel",
        "sample_peak_dbfs",
        "true_peak_dbtp",
        "peak_hold_dbfs",
        "momentary_lufs",
        "short_term_lufs",
        "clipped_samples",
        "overs",
        "warnings",
    ] {
        assert!(channel(&first, 1).get(key).is_some(), "channel has {key}");
    }
    for _ in 0..30 {
        let frame = next_frame(&mut ws).await;
        assert_eq!(frame["state"], "running");
        for (ch, level) in [(1, -6.0), (2, -12.0), (3, -20.0)] {
            let c = channel(&frame, ch);
            assert_db(
                &format!("ch {ch} sample peak"),
                &c["sample_peak_dbfs"],
                level,
            );
            assert_db(&format!("ch {ch} true peak"), &c["true_peak_dbtp"], level);
            assert_eq!(c["clipped_samples"], 0);
            assert_eq!(c["overs"], 0);
        }
        let c4 = channel(&frame, 4);
        assert_eq!(c4["clipped_samples"], CLIPS);
        assert_eq!(c4["overs"], CLIPS);
        assert_eq!(c4["zone"], "clip");
        assert_eq!(c4["word"], "CLIP");
        assert_db("ch 4 max true peak", &c4["max_true_peak_dbtp"], 0.0);
        assert_eq!(frame["dropped_frames"], 0);
    }
    // The compact frames the pages read carry the same numbers.
    let c = loop {
        let v = next_json(&mut compact).await.unwrap();
        if v.get("k").is_some() && v["c"][3][7] == CLIPS {
            break v;
        }
    };
    for (i, level) in [(0, -6.0), (1, -12.0), (2, -20.0)] {
        assert_db("compact sample peak", &c["c"][i][0], level);
        assert_db("compact true peak", &c["c"][i][1], level);
        assert_eq!(c["c"][i][8], 0, "zone good");
    }
    assert_eq!(c["c"][3][6], CLIPS);
    assert_eq!(c["c"][3][8], 2, "zone clip");
    assert_eq!(c["c"][3][9], 2, "word CLIP");
    // And the one-shot snapshot.
    let (status, body) = get(served.addr(), "/api/snapshot");
    assert_eq!(status, 200);
    let snap: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(channel(&snap, 4)["overs"], CLIPS);
    let (status, body) = get(served.addr(), "/api/channels");
    assert_eq!(status, 200);
    let channels: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(channels["channels"][1]["name"], "Input 2");
    assert_eq!(channels["control"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_is_refused_without_the_token_and_reaches_the_meters_with_it() {
    let served = serve(&tones(), RemoteConfig::default());
    let token = served.remote.token().as_str().to_owned();
    let addr = served.addr();
    let mut ws = connect(&served.ws_url("")).await;
    clipped_frame(&mut ws).await;

    // Refused on every path, with a message that says why.
    send_text(&mut ws, r#"{"cmd":"reset","channel":4}"#).await;
    let r = next_reply(&mut ws).await;
    assert_eq!(r["ok"], false);
    assert!(r["error"].as_str().unwrap().contains("token"), "{r}");
    send_text(&mut ws, r#"{"cmd":"reset","token":"not-the-token"}"#).await;
    assert_eq!(next_reply(&mut ws).await["ok"], false);
    let (status, body) = post(addr, "/api/control", None, r#"{"cmd":"reset"}"#);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("token"));
    let (status, _) = post(addr, "/api/control", Some("wrong"), r#"{"cmd":"reset"}"#);
    assert_eq!(status, 403);
    let (status, _) = post(addr, "/api/control?token=wrong", None, r#"{"cmd":"reset"}"#);
    assert_eq!(status, 403);
    // Nothing changed: a second of frames still shows every over.
    for _ in 0..30 {
        assert_eq!(channel(&next_frame(&mut ws).await, 4)["overs"], CLIPS);
    }

    // With the token over HTTP a channel reset reaches the meters; the others keep theirs.
    let (status, body) = post(
        addr,
        "/api/control",
        Some(&token),
        r#"{"cmd":"reset","channel":4}"#,
    );
    assert_eq!(status, 200, "{body}");
    let after = frame_where(&mut ws, 300, |f| channel(f, 4)["overs"] == 0).await;
    assert_eq!(channel(&after, 4)["clipped_samples"], 0);
    assert_db(
        "ch 1 after a ch 4 reset",
        &channel(&after, 1)["sample_peak_dbfs"],
        -6.0,
    );

    // With the token in a WebSocket message: takes start and stop, and reach the log.
    // Frames say a take runs, and which, for the pages to show.
    let mut compact = connect(&served.ws_url("?format=compact")).await;
    assert!(next_json(&mut compact).await.unwrap()["hello"].is_object());
    send_text(
        &mut ws,
        &format!(r#"{{"cmd":"take_start","name":"Verse \"A\"","token":"{token}"}}"#),
    )
    .await;
    assert_eq!(next_reply(&mut ws).await["ok"], true);
    let running = frame_where(&mut ws, 300, |f| !f["take"].is_null()).await;
    let take = &running["take"];
    assert_eq!(
        (&take["number"], &take["name"], &take["auto"]),
        (
            &Value::from(1),
            &Value::from("Verse \"A\""),
            &Value::from(false)
        ),
        "{take}"
    );
    let start = take["start_s"].as_f64().unwrap();
    assert!(
        start > 0.0 && start <= running["t_s"].as_f64().unwrap(),
        "{running}"
    );
    let mut k = Value::Null;
    for _ in 0..300 {
        let m = next_json(&mut compact).await.unwrap();
        if m["k"].is_array() && !m["k"][5].is_null() {
            k = m["k"][5].clone();
            break;
        }
    }
    assert_eq!(
        (&k[0], &k[2], &k[3]),
        (
            &Value::from(1),
            &Value::from(0),
            &Value::from("Verse \"A\"")
        ),
        "{k}"
    );
    // Written to the millisecond.
    assert!(
        (k[1].as_f64().unwrap() - start).abs() <= 0.0005,
        "{k} against {start}"
    );
    drop(compact);
    tokio::time::sleep(Duration::from_millis(300)).await;
    send_text(
        &mut ws,
        &format!(r#"{{"cmd":"take_stop","token":"{token}"}}"#),
    )
    .await;
    assert_eq!(next_reply(&mut ws).await["ok"], true);
    frame_where(&mut ws, 300, |f| f["take"].is_null()).await;
    let mut kinds = Vec::new();
    for _ in 0..100 {
        let (_, body) = get(addr, "/api/log?since=0");
        let log: Value = serde_json::from_str(&body).unwrap();
        kinds = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap_or("").to_owned())
            .collect();
        if kinds.iter().any(|k| k == "take_end") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(kinds.iter().any(|k| k == "take_start"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "take_end"), "{kinds:?}");

    // A soundcheck started remotely ends with every channel's verdict as an event, judged by
    // the latest plan: channel 2 becomes a kick (target -16 dBTP), so its -12 dBTP is 4 dB hot.
    let mut plan = gainstage::advisor::ChannelPlan::default();
    plan.template
        .channels
        .push(gainstage::advisor::ChannelSetup {
            channel: 2,
            name: String::new(),
            preset: gainstage::advisor::SourcePreset::Kick,
        });
    served.remote.set_plan(&plan);
    send_text(
        &mut ws,
        &format!(r#"{{"cmd":"soundcheck","secs":1,"token":"{token}"}}"#),
    )
    .await;
    assert_eq!(next_reply(&mut ws).await["ok"], true);
    let results = loop {
        let v = next_json(&mut ws).await.unwrap();
        if v["event"] == "soundcheck" {
            break v["results"].as_array().unwrap().clone();
        }
    };
    assert_eq!(results.len(), 4);
    assert_db(
        "soundcheck ch 2 max true peak",
        &results[1]["max_true_peak_dbtp"],
        -12.0,
    );
    assert_eq!(
        results[0]["status"], "turn_down",
        "-6 dBFS is hot: {}",
        results[0]
    );
    let kick = gainstage::advisor::SourcePreset::Kick.params().target_dbtp;
    assert_eq!(results[1]["status"], "turn_down", "{}", results[1]);
    assert_db(
        "ch 2 as a kick: down to its target",
        &results[1]["suggested_gain_db"],
        kick - (-12.0),
    );

    // A connection opened with the control link's token needs none per message.
    let mut ctl = connect(&served.ws_url(&format!("?token={token}"))).await;
    assert_eq!(next_json(&mut ctl).await.unwrap()["hello"]["control"], true);
    send_text(&mut ctl, r#"{"cmd":"reset"}"#).await;
    assert_eq!(next_reply(&mut ctl).await["ok"], true);
    send_text(&mut ctl, r#"{"cmd":"reset","channel":9}"#).await;
    let r = next_reply(&mut ctl).await;
    assert_eq!(r["ok"], false, "no channel 9: {r}");
}

/// A flood of take starts over HTTP: the token bucket's burst passes, then 429 with the
/// reason; no more pass than the bucket's rule (4 at once, then 2 a second) allows over the
/// time the flood took. The same flood over `/ws` gets the same reason in its reply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_take_command_flood_gets_429_with_the_reason() {
    const BURST: f64 = 4.0;
    const PER_S: f64 = 2.0;
    const REASON: &str = "too many take commands";
    let served = serve(&tones(), RemoteConfig::default());
    let token = served.remote.token().as_str().to_owned();
    let addr = served.addr();
    let start = std::time::Instant::now();
    let mut statuses = Vec::new();
    let refusal = loop {
        let (status, body) = post(
            addr,
            "/api/control",
            Some(&token),
            r#"{"cmd":"take_start"}"#,
        );
        statuses.push(status);
        if status != 200 || statuses.len() > 10_000 {
            break body;
        }
    };
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}: {refusal}");
    assert!(refusal.contains(REASON), "{refusal}");
    let passed = statuses.iter().filter(|&&s| s == 200).count();
    assert!(
        statuses[..4].iter().all(|&s| s == 200),
        "the burst passes: {statuses:?}"
    );
    let most = (BURST + PER_S * elapsed).floor() as usize;
    assert!(
        passed <= most,
        "{passed} passed in {elapsed:.3} s, the bucket allows {most}"
    );

    let mut ws = connect(&served.ws_url(&format!("?token={token}"))).await;
    assert_eq!(next_json(&mut ws).await.unwrap()["hello"]["control"], true);
    let refused = loop {
        send_text(&mut ws, r#"{"cmd":"take_start"}"#).await;
        let r = next_reply(&mut ws).await;
        if r["ok"] == false {
            break r;
        }
    };
    assert_eq!(refused["reply"], "take_start");
    assert!(
        refused["error"].as_str().unwrap_or("").contains(REASON),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_are_limited_and_foreign_pages_refused() {
    let served = serve(
        &[tone(-6.0)],
        RemoteConfig {
            max_clients: 2,
            view_token: Token::given("letmesee"),
            ..RemoteConfig::default()
        },
    );
    let addr = served.addr();
    assert_eq!(get(addr, "/api/channels").0, 401);
    assert_eq!(get(addr, "/wall").0, 401);
    assert_eq!(get(addr, "/api/channels?key=nope").0, 401);
    assert_eq!(get(addr, "/api/channels?key=letmesee").0, 200);
    assert!(
        tokio_tungstenite::connect_async(served.ws_url(""))
            .await
            .is_err()
    );

    let url = served.ws_url("?key=letmesee");
    let mut a = connect(&url).await;
    let mut b = connect(&url).await;
    match tokio_tungstenite::connect_async(&url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 503),
        other => panic!("a third viewer was not refused: {other:?}"),
    }
    next_frame(&mut a).await;
    next_frame(&mut b).await;
    drop(a);
    // Its place comes back once the server sees it gone.
    let mut again = None;
    for _ in 0..100 {
        if let Ok((ws, _)) = tokio_tungstenite::connect_async(&url).await {
            again = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    next_frame(again.as_mut().expect("a freed place")).await;
    drop(again);
    drop(b);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A page from another origin may not open the feed; the server's own may.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = url.as_str().into_client_request().unwrap();
    req.headers_mut()
        .insert("Origin", "http://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        other => panic!("a foreign origin was let in: {other:?}"),
    }
    let mut req = url.as_str().into_client_request().unwrap();
    req.headers_mut()
        .insert("Origin", format!("http://{addr}").parse().unwrap());
    let (mut own, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    next_frame(&mut own).await;
}

/// Each malformed input gets an error reply or a close, and the server still serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_on_every_socket_is_answered_without_harm() {
    let served = serve(
        &tones(),
        RemoteConfig {
            osc_listen: Some("127.0.0.1:0".parse().unwrap()),
            ..RemoteConfig::default()
        },
    );
    let addr = served.addr();
    let token = served.remote.token().as_str().to_owned();
    let mut watcher = connect(&served.ws_url("")).await;
    next_frame(&mut watcher).await;

    let huge = "x".repeat(100_000);
    let http_cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        ("garbage", b"\x00\x01\x02garbage\r\n\r\n".to_vec(), &[400, 0]),
        ("no request line", b"\r\n\r\n".to_vec(), &[400, 0]),
        ("unknown path", format!("GET /nope HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes(), &[404]),
        ("path escape", format!("GET /assets/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes(), &[404]),
        ("bad since", format!("GET /api/log?since=never HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes(), &[400]),
        ("bad query encoding", format!("GET /api/log?since=%zz%% HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes(), &[400]),
        ("ws without upgrade", format!("GET /ws HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes(), &[400, 426]),
        ("wrong method", format!("DELETE /api/control HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes(), &[405]),
        ("broken JSON with token", format!("POST /api/control HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1\r\n\r\n{{").into_bytes(), &[400]),
        ("unknown command with token", format!("POST /api/control HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{{\"cmd\":\"explode!\"}}").into_bytes(), &[400]),
        ("oversized body", format!("POST /api/control HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{huge}", huge.len()).into_bytes(), &[413, 400]),
        ("oversized header", format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Big: {}\r\n\r\n", huge.repeat(12)).into_bytes(), &[431, 400, 0]),
        ("lying length", format!("POST /api/control HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 99999999999999999999\r\n\r\n{{}}").into_bytes(), &[400, 403, 413, 0]),
    ];
    for (what, request, allowed) in &http_cases {
        let (status, _) = http(addr, request);
        assert!(
            allowed.contains(&status),
            "{what}: status {status}, want one of {allowed:?}"
        );
        assert_eq!(
            get(addr, "/api/channels").0,
            200,
            "still serving after {what}"
        );
    }
    // Half-open connections: a request cut off, a socket that says nothing.
    for partial in [&b"GET /api/chan"[..], b""] {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(partial).unwrap();
        drop(s);
    }
    let _silent = std::net::TcpStream::connect(addr).unwrap();
    assert_eq!(get(addr, "/api/channels").0, 200);

    let mut ws = connect(&served.ws_url("")).await;
    next_json(&mut ws).await.unwrap();
    for bad in [
        "",
        "garbage",
        "[1,2,3]",
        r#"{"cmd":"explode"}"#,
        r#"{"cmd":"reset","channel":"x"}"#,
        r#"{"cmd":"soundcheck","secs":1e308}"#,
        "\u{0}\u{1}",
    ] {
        send_text(&mut ws, bad).await;
        let r = next_reply(&mut ws).await;
        assert_eq!(r["ok"], false, "{bad:?} → {r}");
        assert!(r["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    use futures_util::SinkExt;
    ws.send(tokio_tungstenite::tungstenite::Message::binary(vec![
        0u8, 159, 146, 150,
    ]))
    .await
    .unwrap();
    assert_eq!(next_reply(&mut ws).await["ok"], false);
    // Oversized: the server closes that socket, and only that one.
    let _ = ws
        .send(tokio_tungstenite::tungstenite::Message::text(
            "y".repeat(100_000),
        ))
        .await;
    let mut closed = false;
    for _ in 0..200 {
        if next_json(&mut ws).await.is_none() {
            closed = true;
            break;
        }
    }
    assert!(closed, "an oversized message closes its socket");

    let osc = served.remote.osc_listen_addr().unwrap();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let msg = |addr: &str, args: Vec<OscType>| {
        rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        }))
        .unwrap()
    };
    let mut truncated = msg("/gainstage/reset", vec![OscType::String(token.clone())]);
    truncated.truncate(truncated.len() - 5);
    // Without the token nothing is answered (a source address can be spoofed): after each of
    // these, the next reply is the one to a message that carries it.
    let unanswered: Vec<(&str, Vec<u8>)> = vec![
        ("random bytes", vec![0xde, 0xad, 0xbe, 0xef, 1, 2, 3]),
        ("empty-ish", vec![0, 0, 0, 0]),
        ("truncated", truncated),
        (
            "bundle lying about its size",
            b"#bundle\0\0\0\0\0\0\0\0\x01\x7f\xff\xff\xff".to_vec(),
        ),
        ("no token", msg("/gainstage/reset", vec![])),
        (
            "wrong token",
            msg("/gainstage/4/reset", vec![OscType::String("nope".into())]),
        ),
        (
            "token of the wrong type",
            msg("/gainstage/reset", vec![OscType::Int(5)]),
        ),
    ];
    let answered: Vec<(&str, Vec<u8>)> = vec![
        (
            "unknown address",
            msg("/gainstage/explode", vec![OscType::String(token.clone())]),
        ),
        (
            "channel out of range",
            msg("/gainstage/99/reset", vec![OscType::String(token.clone())]),
        ),
        (
            "channel not a number",
            msg("/gainstage/x/reset", vec![OscType::String(token.clone())]),
        ),
        (
            "soundcheck too long",
            msg(
                "/gainstage/soundcheck",
                vec![OscType::String(token.clone()), OscType::Float(1e9)],
            ),
        ),
    ];
    let error_reply = |what: &str| {
        let mut buf = [0u8; 2048];
        let (n, _) = sock
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("{what}: no reply: {e}"));
        let (_, reply) = rosc::decoder::decode_udp(&buf[..n]).unwrap();
        match reply {
            OscPacket::Message(m) => {
                assert_eq!(m.addr, "/gainstage/error", "{what}: {m:?}");
                m
            }
            other => panic!("{what}: {other:?}"),
        }
    };
    for (what, bytes) in &unanswered {
        sock.send_to(bytes, osc).unwrap();
        sock.send_to(&answered[0].1, osc).unwrap();
        let m = error_reply(what);
        assert!(
            matches!(&m.args[..], [OscType::String(t)] if t.contains("/gainstage/explode")),
            "{what} was answered: {m:?}"
        );
    }
    for (what, bytes) in &answered {
        sock.send_to(bytes, osc).unwrap();
        error_reply(what);
    }
    // None of it reset anything, and the first client was never disturbed.
    let f = frame_where(&mut watcher, 600, |f| channel(f, 4)["overs"] == CLIPS).await;
    assert_db(
        "ch 1 still metered",
        &channel(&f, 1)["sample_peak_dbfs"],
        -6.0,
    );
    for _ in 0..10 {
        assert_eq!(channel(&next_frame(&mut watcher).await, 4)["overs"], CLIPS);
    }
}

/// Every OSC packet received within `secs`, bundles opened.
fn osc_messages(sock: &UdpSocket, until: impl Fn(&[OscMessage]) -> bool) -> Vec<OscMessage> {
    let mut all = Vec::new();
    let mut buf = vec![0u8; 65_536];
    for _ in 0..2000 {
        let (n, _) = sock.recv_from(&mut buf).unwrap();
        let (_, packet) = rosc::decoder::decode_udp(&buf[..n]).unwrap();
        match packet {
            OscPacket::Message(m) => all.push(m),
            OscPacket::Bundle(b) => {
                for p in b.content {
                    if let OscPacket::Message(m) = p {
                        all.push(m);
                    }
                }
            }
        }
        if until(&all) {
            return all;
        }
    }
    panic!("OSC never met the condition");
}

fn last<'a>(all: &'a [OscMessage], addr: &str) -> Option<&'a OscMessage> {
    all.iter().rev().find(|m| m.addr == addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn osc_bundles_carry_the_levels_and_control_resets_a_channel() {
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    receiver
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let served = serve(
        &tones(),
        RemoteConfig {
            osc_targets: vec![receiver.local_addr().unwrap()],
            osc_rate_hz: 20.0,
            osc_listen: Some("127.0.0.1:0".parse().unwrap()),
            ..RemoteConfig::default()
        },
    );
    let clips = |m: &OscMessage| m.args.first().cloned().and_then(OscType::int);
    let all = osc_messages(&receiver, |all| {
        last(all, "/gainstage/4/clips").and_then(clips) == Some(CLIPS as i32)
    });
    // One bundle per frame holds every channel's five values.
    for ch in 1..=4 {
        for what in ["peak", "true_peak", "short_term", "clips", "warning"] {
            assert!(
                last(&all, &format!("/gainstage/{ch}/{what}")).is_some(),
                "{ch}/{what}"
            );
        }
    }
    let level = |addr: &str| f64::from(last(&all, addr).unwrap().args[0].clone().float().unwrap());
    assert!((level("/gainstage/1/peak") + 6.0).abs() <= 0.1);
    assert!((level("/gainstage/2/true_peak") + 12.0).abs() <= 0.1);
    assert!((level("/gainstage/3/peak") + 20.0).abs() <= 0.1);
    // The clip events: new overs add up to the count.
    let new_overs: i32 = all
        .iter()
        .filter(|m| m.addr == "/gainstage/4/clip")
        .map(|m| m.args[1].clone().int().unwrap())
        .sum();
    assert_eq!(new_overs, CLIPS as i32);

    // Control: without the token refused, with it channel 4 resets.
    let token = served.remote.token().as_str().to_owned();
    let control = UdpSocket::bind("127.0.0.1:0").unwrap();
    control
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let to = served.remote.osc_listen_addr().unwrap();
    let send_to = |addr: &str, args: Vec<OscType>| {
        let packet = OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        });
        control
            .send_to(&rosc::encoder::encode(&packet).unwrap(), to)
            .unwrap();
        let mut buf = [0u8; 2048];
        let (n, _) = control.recv_from(&mut buf).unwrap();
        match rosc::decoder::decode_udp(&buf[..n]).unwrap().1 {
            OscPacket::Message(m) => m.addr,
            other => panic!("{other:?}"),
        }
    };
    let send = |args: Vec<OscType>| send_to("/gainstage/4/reset", args);
    // Without the token: not done, and not answered (the next reply is the one with it).
    let no_token = OscPacket::Message(OscMessage {
        addr: "/gainstage/4/reset".into(),
        args: vec![],
    });
    control
        .send_to(&rosc::encoder::encode(&no_token).unwrap(), to)
        .unwrap();
    let later = osc_messages(&receiver, |all| {
        all.iter()
            .filter(|m| m.addr == "/gainstage/4/clips")
            .count()
            >= 5
    });
    assert_eq!(
        last(&later, "/gainstage/4/clips").and_then(clips),
        Some(CLIPS as i32)
    );
    assert_eq!(send(vec![OscType::String(token.clone())]), "/gainstage/ok");
    let reset = osc_messages(&receiver, |all| {
        last(all, "/gainstage/4/clips").and_then(clips) == Some(0)
    });
    assert!(
        (f64::from(
            last(&reset, "/gainstage/1/peak").unwrap().args[0]
                .clone()
                .float()
                .unwrap()
        ) + 6.0)
            .abs()
            <= 0.1
    );

    // A take started and stopped over OSC: an event each way, and every frame says whether
    // one runs, which, and for how long.
    assert_eq!(
        last(&reset, "/gainstage/take").map(|m| m.args[0].clone()),
        Some(OscType::Int(0)),
        "no take yet"
    );
    let args = vec![
        OscType::String(token.clone()),
        OscType::String("Verse".into()),
    ];
    assert_eq!(send_to("/gainstage/take/start", args), "/gainstage/ok");
    let running = osc_messages(&receiver, |all| {
        last(all, "/gainstage/take").is_some_and(|m| {
            m.args[0] == OscType::Int(1) && m.args[1].clone().float().unwrap() >= 0.5
        })
    });
    let started: Vec<_> = running
        .iter()
        .filter(|m| m.addr == "/gainstage/take/started")
        .collect();
    assert_eq!(started.len(), 1, "{started:?}");
    assert_eq!(
        started[0].args,
        [
            OscType::Int(1),
            OscType::String("Verse".into()),
            OscType::Int(0)
        ]
    );
    assert_eq!(
        last(&running, "/gainstage/take").unwrap().args[2],
        OscType::String("Verse".into())
    );
    let args = vec![OscType::String(token)];
    assert_eq!(send_to("/gainstage/take/stop", args), "/gainstage/ok");
    let ended = osc_messages(&receiver, |all| {
        last(all, "/gainstage/take").is_some_and(|m| m.args[0] == OscType::Int(0))
    });
    let ends: Vec<_> = ended
        .iter()
        .filter(|m| m.addr == "/gainstage/take/ended")
        .map(|m| m.args.clone())
        .collect();
    assert_eq!(ends, [vec![OscType::Int(1)]]);
}

/// 30 s of sines at -6 and -18 dBFS in `dir`: what the `serve` command tests play.
fn sines_wav(dir: &std::path::Path) -> std::path::PathBuf {
    let wav = dir.join("sines.wav");
    sines::write_sines(&wav, &[-6.0, -18.0], 30);
    wav
}

/// `gainstage serve` on a loopback port, its settings and data in a directory of the test's.
struct ServeCommand {
    child: std::process::Child,
    out: std::io::BufReader<std::process::ChildStdout>,
    /// What it printed before it was ready: addresses, the control link, where takes go.
    banner: Vec<String>,
    addr: std::net::SocketAddr,
    token: String,
}

impl ServeCommand {
    fn start(dir: &std::path::Path, args: &[&std::ffi::OsStr]) -> ServeCommand {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gainstage"))
            .args(["serve", "--listen", "127.0.0.1:0", "--duration", "60"])
            .args(args)
            .env("GAINSTAGE_DATA_DIR", dir.join("data"))
            .env("GAINSTAGE_CONFIG_DIR", dir.join("config"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut banner: Vec<String> = Vec::new();
        while !banner.last().is_some_and(|l| l.starts_with("performer:")) {
            let mut line = String::new();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "serve ended: {banner:?}"
            );
            banner.push(line.trim_end().to_owned());
        }
        let addr = banner[0]
            .strip_prefix("listening on ")
            .unwrap()
            .parse()
            .unwrap();
        let control = banner
            .iter()
            .find(|l| l.starts_with("control link"))
            .unwrap();
        let token = control.rsplit("token=").next().unwrap().to_owned();
        ServeCommand {
            child,
            out,
            banner,
            addr,
            token,
        }
    }

    /// Ends it as Ctrl-C does: its exit status and what it printed after the banner.
    fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        use std::io::Read;
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let mut rest = String::new();
        self.out.read_to_string(&mut rest).unwrap();
        let status = self.child.wait().unwrap();
        (status, rest.lines().map(str::to_owned).collect())
    }
}

impl Drop for ServeCommand {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The command line: `serve --file` plays a WAV of known sines; a client reads their levels.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_command_serves_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let wav = sines_wav(dir.path());
    let serving = ServeCommand::start(dir.path(), &["--file".as_ref(), wav.as_os_str()]);
    let (sock, token) = (serving.addr, serving.token.as_str());
    let mut ws = connect(&format!("ws://{sock}/ws")).await;
    let frame = past(&mut ws, 0.5).await;
    for (ch, level) in [(1, -6.0), (2, -18.0)] {
        assert_db(
            "file sample peak",
            &channel(&frame, ch)["sample_peak_dbfs"],
            level,
        );
        assert_db(
            "file true peak",
            &channel(&frame, ch)["true_peak_dbtp"],
            level,
        );
    }
    assert_eq!(
        post(sock, "/api/control", Some(token), r#"{"cmd":"reset"}"#).0,
        200
    );
    assert_eq!(
        post(sock, "/api/control", None, r#"{"cmd":"reset"}"#).0,
        403
    );
}

/// `serve --preamp` hands a control client's `apply` the preamps: after a remote soundcheck
/// of the file, the hot input (-6 dBFS) is cut to the generic target on the X32 simulator,
/// undo puts it back, and both are `gain` entries by `remote` in the session log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_a_preamp_applies_a_remote_soundcheck() {
    use console_sim::{ConsoleSim, Dialect, Received, db_to_float};
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let dir = tempfile::tempdir().unwrap();
    let wav = sines_wav(dir.path());
    let spec = console.spec("x32");
    let serving = ServeCommand::start(
        dir.path(),
        &[
            "--file".as_ref(),
            wav.as_os_str(),
            "--preamp".as_ref(),
            spec.as_ref(),
        ],
    );
    assert!(
        serving
            .banner
            .iter()
            .any(|l| l.ends_with(&format!("(apply, undo): {spec}"))),
        "{:?}",
        serving.banner
    );
    let (sock, token) = (serving.addr, serving.token.clone());
    let ask = |body: &str| post(sock, "/api/control", Some(&token), body);
    assert_eq!(ask(r#"{"cmd":"soundcheck","secs":1}"#).0, 200);
    let mut reply = (0, String::new());
    for _ in 0..400 {
        reply = ask(r#"{"cmd":"apply"}"#);
        if reply.0 == 200 {
            break;
        }
        assert!(reply.1.contains("no soundcheck"), "{reply:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(reply.0, 200, "{reply:?}");
    let target = gainstage::advisor::SourcePreset::Generic
        .params()
        .target_dbtp;
    let cut_to = 30.0 + ((target + 6.0) * 2.0).round() / 2.0;
    let addr = "/headamp/000/gain";
    let received = console.received();
    assert_eq!(
        received[..3],
        [
            Received::query(addr),
            Received::set(addr, db_to_float(cut_to)),
            Received::query(addr)
        ],
        "{received:?}"
    );
    assert_eq!(console.gain_db(1), cut_to);
    assert_eq!(ask(r#"{"cmd":"undo"}"#).0, 200);
    assert_eq!(console.gain_db(1), 30.0);
    let sessions = dir.path().join("data/sessions");
    let gains: Vec<Value> = std::fs::read_dir(&sessions)
        .unwrap()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .filter(|v| v["event"] == "gain" && v["channel"] == 1)
                .collect::<Vec<_>>()
        })
        .collect();
    let moves: Vec<(f64, f64, &str)> = gains
        .iter()
        .map(|g| {
            (
                g["from_db"].as_f64().unwrap(),
                g["to_db"].as_f64().unwrap(),
                g["who"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(moves, [(30.0, cut_to, "remote"), (cut_to, 30.0, "remote")]);
}

/// The first frame past `t` seconds of stream time.
async fn past(ws: &mut Ws, t: f64) -> Value {
    frame_where(ws, 600, |f| f["t_s"].as_f64().unwrap_or(0.0) > t).await
}

/// Takes marked from a phone or a DAW while `serve` runs headless are saved as they end, the
/// one still open when it is stopped too, and it says where; each report has the file's
/// known levels.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_saves_every_take_clients_mark_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let wav = sines_wav(dir.path());
    let serving = ServeCommand::start(dir.path(), &["--file".as_ref(), wav.as_os_str()]);
    let (sock, token) = (serving.addr, serving.token.clone());
    let said = serving
        .banner
        .iter()
        .find_map(|l| l.strip_prefix("takes are saved in "))
        .unwrap_or_else(|| panic!("no word on where takes go: {:?}", serving.banner));
    let file = std::path::PathBuf::from(said);
    assert_eq!(file.parent().unwrap(), dir.path().join("data/takes"));
    let mut ws = connect(&format!("ws://{sock}/ws")).await;
    let control = |body: &str| post(sock, "/api/control", Some(&token), body).0;
    past(&mut ws, 0.2).await;
    assert_eq!(control(r#"{"cmd":"take_start","name":"Verse"}"#), 200);
    let started = past(&mut ws, 0.0).await["t_s"].as_f64().unwrap();
    past(&mut ws, started + 1.0).await;
    assert_eq!(control(r#"{"cmd":"take_stop"}"#), 200);
    assert_eq!(control(r#"{"cmd":"take_start","name":"Chorus"}"#), 200);
    let started = past(&mut ws, 0.0).await["t_s"].as_f64().unwrap();
    past(&mut ws, started + 0.5).await;
    drop(ws);

    let (status, after) = serving.stop();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        after.last().map(String::as_str),
        Some(format!("2 takes saved in {} (`gainstage takes`)", file.display()).as_str()),
        "{after:?}"
    );
    let takes: Vec<gainstage::takes::TakeReport> =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let names: Vec<&str> = takes.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Verse", "Chorus"]);
    assert!(
        takes[0].end_s - takes[0].start_s >= 1.0,
        "{}",
        takes[0].end_s
    );
    for t in &takes {
        for (input, level) in t.inputs.iter().zip([-6.0, -18.0]) {
            let peak = input.max_sample_peak_dbfs.unwrap();
            assert!(
                (peak - level).abs() < 0.05,
                "take {} input {}: {peak}",
                t.take,
                input.channel
            );
        }
    }
}

/// `serve --auto-take-level`: a take starts by itself once the level holds, and the one still
/// running when the server stops is saved; a level out of range is refused before anything
/// runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_starts_takes_by_level_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let wav = sines_wav(dir.path());
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_gainstage"))
        .args(["serve", "--listen", "127.0.0.1:0", "--auto-take-level", "6"])
        .arg("--file")
        .arg(&wav)
        .env("GAINSTAGE_DATA_DIR", dir.path().join("data"))
        .env("GAINSTAGE_CONFIG_DIR", dir.path().join("config"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not between -120 and 0"));
    assert!(bad.stdout.is_empty(), "nothing served");

    let serving = ServeCommand::start(
        dir.path(),
        &[
            "--file".as_ref(),
            wav.as_os_str(),
            "--auto-take-level".as_ref(),
            "-30".as_ref(),
        ],
    );
    let file = serving
        .banner
        .iter()
        .find_map(|l| l.strip_prefix("takes are saved in "))
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| panic!("no word on where takes go: {:?}", serving.banner));
    let mut ws = connect(&format!("ws://{}/ws", serving.addr)).await;
    // Past the rise time (0.3 s by default) with room to spare.
    let last = past(&mut ws, 1.0).await["t_s"].as_f64().unwrap();
    drop(ws);
    let (status, after) = serving.stop();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        after.last().map(String::as_str),
        Some(format!("1 take saved in {} (`gainstage takes`)", file.display()).as_str()),
        "{after:?}"
    );
    // The saved take: started by the level at the file's first block (the sines start at
    // once, far above -30 dBFS), ended by the stop (not cut short: it had no marked end), and
    // holding the file's known levels.
    let takes: Vec<gainstage::takes::TakeReport> =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(takes.len(), 1, "{takes:?}");
    let t = &takes[0];
    assert_eq!((t.take, t.name.as_str()), (1, "Take 1"));
    assert!(t.auto, "started by the level");
    assert!(!t.cut_short);
    assert_eq!(t.start_s, 0.0);
    assert!(
        t.end_s >= last,
        "ended at the stop, after {last} s: {}",
        t.end_s
    );
    // Judged by the default preset's hot level (-6 dBTP, where the first sine peaks: its
    // true peak decides, by a hair); the -18 dBFS sine is clean.
    let hot = gainstage::advisor::SourcePreset::Generic.params().hot_dbtp;
    let first_tp = t.inputs[0].max_true_peak_dbtp.unwrap();
    let first = if first_tp > hot { "hot" } else { "clean" };
    assert_eq!(t.verdict, first);
    for ((input, level), verdict) in t.inputs.iter().zip([-6.0, -18.0]).zip([first, "clean"]) {
        assert_eq!(input.verdict, verdict, "input {}", input.channel);
        let peak = input.max_sample_peak_dbfs.unwrap();
        assert!(
            (peak - level).abs() < 0.05,
            "input {}: {peak}",
            input.channel
        );
        assert_eq!((input.clipped_samples, input.bursts.len()), (0, 0));
        // Every headroom point of the steady sine is its peak, to the track's 0.1 dB.
        let points: Vec<f32> = input.headroom.peaks().map(Option::unwrap).collect();
        assert!(!points.is_empty());
        for p in points {
            assert!(
                (f64::from(p) - level).abs() <= 0.15,
                "input {}: {p}",
                input.channel
            );
        }
    }
}
