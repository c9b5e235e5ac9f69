//! `gainstage serve` on a hostile network, on loopback: 127.0.0.2, 127.0.0.3 … stand for other
//! hosts (a client socket bound to one before it connects). One host holding a thousand
//! half-open connections, or every viewer place it can get, leaves every other host served;
//! a request naming another site is refused (DNS rebinding); an OSC datagram of many messages
//! gets at most one reply, and none without the token; wrong tokens are limited per address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/browser.rs"]
mod browser;
#[path = "support/child.rs"]
mod child;
#[path = "support/cli.rs"]
mod cli;
#[path = "support/remote.rs"]
mod remote;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use child::KillOnDrop;
use gainstage::remote::{ConnectionLimits, RemoteConfig, Token};
use remote::*;
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite;

fn tones() -> Vec<Tone> {
    vec![tone(-6.0), tone(-12.0)]
}

/// The two tones served with these connection limits and every other setting the default.
fn serve_with_limits(connections: ConnectionLimits) -> Served {
    serve(
        &tones(),
        RemoteConfig {
            connections,
            ..RemoteConfig::default()
        },
    )
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A TCP connection to `to` from the loopback address `from`.
async fn tcp_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(ip(from), 0)).unwrap();
    socket.connect(to).await.unwrap()
}

/// Everything the server sends on `s` until it closes (a reset counts as closed), and how
/// long after `opened` it closed. A server that never closes fails the test at `deadline`
/// rather than hanging it.
async fn until_closed(
    mut s: TcpStream,
    opened: Instant,
    deadline: Duration,
) -> (Vec<u8>, Duration) {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let read = tokio::time::timeout_at((opened + deadline).into(), s.read(&mut buf))
            .await
            .expect("the server never closed the connection");
        match read {
            Ok(0) | Err(_) => return (got, opened.elapsed()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// One HTTP request from `from`: the status and the body.
async fn request_from(from: &str, to: SocketAddr, request: &str) -> (u16, String) {
    let mut s = tcp_from(from, to).await;
    s.write_all(request.as_bytes()).await.unwrap();
    let (bytes, _) = until_closed(s, Instant::now(), Duration::from_secs(60)).await;
    status_and_body(&bytes)
}

fn get_req(to: SocketAddr, path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\n{extra}\r\n")
}

/// A WebSocket to `url` from the loopback address `from`.
async fn ws_from(from: &str, to: SocketAddr, url: &str) -> Result<Ws, tungstenite::Error> {
    let tcp = tcp_from(from, to).await;
    tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp))
        .await
        .map(|(ws, _)| ws)
}

/// Half-open connections from one host fill only that host's share: every one past it is
/// refused at once, a viewer from another host is served meanwhile, and the ones let in are
/// closed by the header-read timeout, all within a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_half_open_sockets_from_one_host_lock_no_viewer_out() {
    const HALF_OPEN: usize = 1100;
    // Client and server share this process: both ends of every socket count against it.
    let files = gainstage::platform::raise_open_file_limit().expect("the open-file limit");
    assert!(
        files.now >= 2 * HALF_OPEN as u64 + 512,
        "the open-file limit is {} (hard): too low for this test",
        files.now
    );
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(15),
        ..ConnectionLimits::default()
    };
    let served = serve_with_limits(limits);
    let addr = served.addr();
    let mut held = Vec::with_capacity(HALF_OPEN);
    for _ in 0..HALF_OPEN {
        // Timed from before the connection exists: the server's clock cannot start earlier.
        let opened = Instant::now();
        let mut s = tcp_from("127.0.0.2", addr).await;
        // Half a request line. A socket already refused may reset: that is fine.
        let _ = s.write_all(b"GET /api/chan").await;
        held.push((s, opened));
    }

    // Another host is served while they are held.
    let mut viewer = ws_from("127.0.0.3", addr, &served.ws_url(""))
        .await
        .unwrap();
    for _ in 0..3 {
        next_frame(&mut viewer).await;
    }
    let (status, body) = request_from("127.0.0.3", addr, &get_req(addr, "/api/channels", "")).await;
    assert_eq!(status, 200, "{body}");
    let open = served.remote.open_connections();
    assert!(
        open > limits.max_per_address,
        "{open} connections open: the half-open ones were no longer held while the viewer was served"
    );

    let closes: Vec<_> = held
        .into_iter()
        .map(|(s, opened)| tokio::spawn(until_closed(s, opened, Duration::from_secs(90))))
        .collect();
    let mut admitted = Vec::new();
    let mut refused = 0;
    for close in closes {
        let (bytes, after) = close.await.unwrap();
        assert!(
            after <= Duration::from_secs(60),
            "closed only after {after:?}"
        );
        if bytes.starts_with(b"HTTP/1.1 503") {
            refused += 1;
        } else {
            admitted.push(after);
        }
    }
    assert_eq!(admitted.len(), limits.max_per_address, "one host's share");
    assert_eq!(refused, HALF_OPEN - limits.max_per_address);
    assert_eq!(
        served
            .remote
            .stats()
            .connections_refused
            .load(Ordering::Relaxed),
        refused as u64
    );
    for after in &admitted {
        assert!(
            *after >= limits.header_read_timeout,
            "a connection let in was closed after {after:?}, before its header-read timeout"
        );
    }
    let slowest = admitted.iter().max().unwrap();
    eprintln!(
        "{HALF_OPEN} half-open sockets: {} let in, closed by {slowest:?}; {refused} refused at once",
        admitted.len()
    );
    // The viewer is still served, and its socket is the one connection left.
    next_frame(&mut viewer).await;
    assert_eq!(served.remote.open_connections(), 1);
}

/// With the defaults, a connection that says nothing, one that sends half a request and one
/// that trickles its body are all closed within a minute, none before its timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_timeouts_close_every_stalled_connection_within_a_minute() {
    let defaults = ConnectionLimits::default();
    assert!(defaults.header_read_timeout <= Duration::from_secs(30));
    assert!(defaults.idle_timeout <= Duration::from_secs(60));
    assert!(
        defaults.max_connections <= 1024 / 2,
        "connections leave half the usual open files for takes, logs and the device"
    );
    let served = serve(&tones(), RemoteConfig::default());
    let addr = served.addr();
    let minute = Duration::from_secs(60);

    // Each timed from before its connection exists: the server's clock cannot start earlier.
    let opened = Instant::now();
    let silent = tcp_from("127.0.0.4", addr).await;
    let silent = tokio::spawn(until_closed(silent, opened, minute));
    let opened = Instant::now();
    let mut half = tcp_from("127.0.0.4", addr).await;
    half.write_all(b"GET /api/channels HT").await.unwrap();
    let half = tokio::spawn(until_closed(half, opened, minute));
    // The head arrives whole; the body a byte every 5 s: never idle, never finished.
    let opened = Instant::now();
    let mut slow = tcp_from("127.0.0.5", addr).await;
    let head = format!(
        "POST /api/control HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let (mut slow_read, mut slow_write) = slow.into_split();
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            if slow_write.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(minute, slow_read.read_to_end(&mut answer)).await;
    let slow_after = opened.elapsed();
    trickle.abort();
    assert!(
        read.is_ok(),
        "the trickled body was still open after a minute"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(slow_after >= Duration::from_secs(30), "{slow_after:?}");

    for (what, closed) in [("silent", silent), ("half a request", half)] {
        let (_, after) = closed.await.unwrap();
        assert!(
            after >= defaults.header_read_timeout && after <= minute,
            "{what}: closed after {after:?}"
        );
        eprintln!("{what}: closed after {after:?}");
    }
    eprintln!("trickled body: 408 after {slow_after:?}");
}

/// 70 `/ws` sockets from one host: its share is served and the rest refused with a reason;
/// another host still gets in and gets frames.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seventy_feeds_from_one_host_leave_room_for_another() {
    let config = RemoteConfig::default();
    let share = config.max_clients_per_address;
    let served = serve(&tones(), config);
    let addr = served.addr();
    let url = served.ws_url("");
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..70 {
        match ws_from("127.0.0.2", addr, &url).await {
            Ok(ws) => held.push(ws),
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 503);
                let body =
                    String::from_utf8_lossy(response.body().as_deref().unwrap_or(&[])).to_string();
                assert!(body.contains("from this address"), "{body}");
                refused += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(held.len(), share);
    assert_eq!(refused, 70 - share);
    for ws in &mut held {
        next_frame(ws).await;
    }
    let mut other = ws_from("127.0.0.3", addr, &url).await.unwrap();
    let f = next_frame(&mut other).await;
    assert!(channel(&f, 1)["sample_peak_dbfs"].is_number());
    assert_eq!(
        served.remote.stats().clients.load(Ordering::Relaxed),
        share + 1
    );
    // A place given back is free again for the same host.
    held.pop();
    let mut again = None;
    for _ in 0..100 {
        match ws_from("127.0.0.2", addr, &url).await {
            Ok(ws) => {
                again = Some(ws);
                break;
            }
            // The server may not have seen the close yet.
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    next_frame(&mut again.expect("the freed place")).await;
}

/// A `Host` naming another site is refused on every path before anything is read; the
/// server's addresses, `localhost`, this machine's names and `--allow-host` names are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_host_header_is_refused_and_the_server_s_own_names_served() {
    let served = serve(
        &tones(),
        RemoteConfig {
            allowed_hosts: vec!["Studio.Example".into()],
            ..RemoteConfig::default()
        },
    );
    let addr = served.addr();
    let port = addr.port();
    let request = |host: &str, path: &str, extra: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n")
    };
    let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let mut foreign = 0;
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("studio.example.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
    ] {
        for (path, extra) in [
            ("/", ""),
            ("/api/channels", ""),
            ("/api/snapshot", ""),
            ("/api/log", ""),
            ("/assets/gainstage.js", ""),
            ("/ws", upgrade),
        ] {
            let (status, body) = http(addr, request(&host, path, extra).as_bytes());
            assert_eq!(status, 421, "{host} {path}: {body}");
            assert!(
                !body.contains("channels") && !body.contains("Input"),
                "{body}"
            );
            foreign += 1;
        }
    }
    assert_eq!(
        served.remote.stats().hosts_refused.load(Ordering::Relaxed),
        foreign
    );

    let mut own = vec![
        addr.to_string(),
        format!("localhost:{port}"),
        "LOCALHOST".to_string(),
        format!("[::1]:{port}"),
        format!("studio.example:{port}"),
        "STUDIO.example.".to_string(),
    ];
    if let Some(me) = gainstage::platform::host_name() {
        let short = me.split('.').next().unwrap().to_string();
        own.push(format!("{me}:{port}"));
        own.push(format!("{short}.local:{port}"));
    }
    for host in &own {
        let (status, body) = http(addr, request(host, "/api/channels", "").as_bytes());
        assert_eq!(status, 200, "{host}: {body}");
        assert!(body.contains("\"channels\""), "{host}: {body}");
    }
    // A page from the server's own name opens the feed.
    let mut ws = connect(&format!("ws://localhost:{port}/ws")).await;
    next_frame(&mut ws).await;
}

fn osc_message(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    })
}

fn datagram(content: Vec<OscPacket>) -> Vec<u8> {
    let bytes = rosc::encoder::encode(&OscPacket::Bundle(OscBundle {
        timetag: OscTime {
            seconds: 0,
            fractional: 1,
        },
        content,
    }))
    .unwrap();
    assert!(
        bytes.len() <= 4096,
        "{} bytes: more than one datagram",
        bytes.len()
    );
    bytes
}

/// A UDP socket on the loopback address `from`.
fn udp_from(from: &str) -> UdpSocket {
    let s = UdpSocket::bind(SocketAddr::new(ip(from), 0)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Every OSC message waiting on `s` now, without waiting for more.
fn waiting(s: &UdpSocket) -> Vec<OscMessage> {
    s.set_nonblocking(true).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.recv(&mut buf) {
        match rosc::decoder::decode_udp(&buf[..n]).unwrap().1 {
            OscPacket::Message(m) => out.push(m),
            other => panic!("a reply is one message: {other:?}"),
        }
    }
    s.set_nonblocking(false).unwrap();
    out
}

fn next_reply_on(s: &UdpSocket) -> OscMessage {
    let mut buf = [0u8; 4096];
    let n = s.recv(&mut buf).expect("a reply");
    match rosc::decoder::decode_udp(&buf[..n]).unwrap().1 {
        OscPacket::Message(m) => m,
        other => panic!("a reply is one message: {other:?}"),
    }
}

/// OSC replies go to an address anyone can write in a datagram: one datagram of many messages
/// gets one reply at most, and none at all without the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_osc_datagram_of_many_messages_is_answered_at_most_once() {
    let served = serve(
        &tones(),
        RemoteConfig {
            osc_listen: Some("127.0.0.1:0".parse().unwrap()),
            ..RemoteConfig::default()
        },
    );
    let to = served.remote.osc_listen_addr().unwrap();
    let token = served.remote.token().as_str().to_owned();
    // The server takes datagrams one at a time and answers each before the next, and loopback
    // delivers a reply as it is sent: once the probe's reply is in, any reply to what was sent
    // before it is waiting too.
    let prober = udp_from("127.0.0.9");
    let probe = || {
        let bytes = rosc::encoder::encode(&osc_message(
            "/gainstage/probe",
            vec![OscType::String(token.clone())],
        ))
        .unwrap();
        prober.send_to(&bytes, to).unwrap();
        let m = next_reply_on(&prober);
        assert_eq!(m.addr, "/gainstage/error");
        assert!(
            matches!(&m.args[..], [OscType::String(t)] if t.contains("/gainstage/probe")),
            "{m:?}"
        );
    };

    // The reflection: hundreds of the smallest messages, no token.
    let tiny: Vec<OscPacket> = (0..300).map(|_| osc_message("/a", vec![])).collect();
    let flood = udp_from("127.0.0.2");
    flood.send_to(&datagram(tiny), to).unwrap();
    // Readings-like messages, and commands without a token.
    let commands: Vec<OscPacket> = (0..120)
        .map(|i| osc_message(&format!("/gainstage/{}/reset", i % 2 + 1), vec![]))
        .collect();
    flood.send_to(&datagram(commands), to).unwrap();
    flood.send_to(b"\xde\xad\xbe\xef garbage", to).unwrap();
    probe();
    assert_eq!(
        waiting(&flood),
        vec![],
        "nothing is sent back without the token"
    );

    // Wrong tokens: no reply, and after a burst the address is not even compared.
    let guesser = udp_from("127.0.0.3");
    let wrong: Vec<OscPacket> = (0..60)
        .map(|i| {
            osc_message(
                "/gainstage/reset",
                vec![OscType::String(format!("{i:032x}"))],
            )
        })
        .collect();
    guesser.send_to(&datagram(wrong), to).unwrap();
    let right = rosc::encoder::encode(&osc_message(
        "/gainstage/reset",
        vec![OscType::String(token.clone())],
    ))
    .unwrap();
    guesser.send_to(&right, to).unwrap();
    probe();
    assert_eq!(
        waiting(&guesser),
        vec![],
        "a guessing address is not answered"
    );
    assert!(
        served
            .remote
            .stats()
            .guesses_refused
            .load(Ordering::Relaxed)
            >= 1
    );

    // With the token: many commands, one reply; they are done, the rest of the datagram
    // ignored.
    let owner = udp_from("127.0.0.4");
    let mut mixed: Vec<OscPacket> = (0..100).map(|_| osc_message("/a", vec![])).collect();
    mixed.extend((0..40).map(|i| {
        osc_message(
            &format!("/gainstage/{}/reset", i % 2 + 1),
            vec![OscType::String(token.clone())],
        )
    }));
    owner.send_to(&datagram(mixed), to).unwrap();
    let reply = next_reply_on(&owner);
    assert_eq!(reply.addr, "/gainstage/ok", "{reply:?}");
    let [OscType::String(text)] = &reply.args[..] else {
        panic!("{reply:?}")
    };
    assert_eq!(text.matches("reset done").count(), 8, "{text}");
    probe();
    assert_eq!(waiting(&owner), vec![], "one reply for the datagram");
    assert!(
        served.remote.stats().osc_received.load(Ordering::Relaxed) >= 8,
        "every datagram was read"
    );
}

/// Wrong tokens are limited per address over HTTP too: after a burst of ten, that address is
/// refused with 429 even with the right token, and every other address is not held up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tokens_are_limited_per_address() {
    let served = serve(
        &tones(),
        RemoteConfig {
            view_token: Token::given("let-me-see"),
            ..RemoteConfig::default()
        },
    );
    let addr = served.addr();
    let token = served.remote.token().as_str().to_owned();
    let control = |t: &str| {
        let body = r#"{"cmd":"reset"}"#;
        format!(
            "POST /api/control HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    for n in 0..10 {
        let (status, body) = request_from("127.0.0.2", addr, &control(&format!("guess{n}"))).await;
        assert_eq!(status, 403, "guess {n}: {body}");
    }
    let (status, body) = request_from("127.0.0.2", addr, &control("guess10")).await;
    assert_eq!(status, 429, "{body}");
    let (status, _) = request_from("127.0.0.2", addr, &control(&token)).await;
    assert_eq!(status, 429, "the right token is not even compared");
    let (status, body) = request_from("127.0.0.3", addr, &control(&token)).await;
    assert_eq!(status, 200, "another address: {body}");

    // View keys likewise, on pages, /api and /ws.
    let view = |key: &str, path: &str| get_req(addr, &format!("{path}?key={key}"), "");
    for n in 0..10 {
        let (status, _) =
            request_from("127.0.0.4", addr, &view(&format!("k{n}"), "/api/channels")).await;
        assert_eq!(status, 401);
    }
    for path in ["/api/channels", "/", "/api/log"] {
        let (status, _) = request_from("127.0.0.4", addr, &view("let-me-see", path)).await;
        assert_eq!(status, 429, "{path}");
    }
    match ws_from("127.0.0.4", addr, &served.ws_url("?key=let-me-see")).await {
        Err(tungstenite::Error::Http(r)) => assert_eq!(r.status(), 429),
        other => panic!("a guessing address opened the feed: {:?}", other.is_ok()),
    }
    // No key at all is no guess: the page says a key is needed, not to wait.
    let (status, _) = request_from("127.0.0.5", addr, &get_req(addr, "/api/channels", "")).await;
    assert_eq!(status, 401);
    let (status, _) = request_from("127.0.0.5", addr, &view("let-me-see", "/api/channels")).await;
    assert_eq!(status, 200);
    assert!(
        served
            .remote
            .stats()
            .guesses_refused
            .load(Ordering::Relaxed)
            >= 6
    );
}

/// The control link's token leaves the address bar as soon as the page has read it (history,
/// bookmarks, screenshots, a link copied from the bar), and the page still controls, after a
/// reload too; the links it gives to other pages never carry it.
async fn token_leaves_the_address_bar(mut b: browser::Browser, served: &Served) {
    let addr = served.addr();
    let token = served.remote.token().as_str().to_owned();
    let page = b
        .open(
            &format!("http://{addr}/?token={token}&key=x"),
            1280,
            800,
            1.0,
            false,
        )
        .await;
    let controls = "!document.getElementById('controls').hidden";
    assert!(
        b.wait_for(&page, controls).await,
        "the token still gives control"
    );
    assert_eq!(
        b.eval(&page, "location.href").await,
        format!("http://{addr}/?key=x"),
        "only the token leaves the address"
    );
    let links = b
        .eval(
            &page,
            "[...document.querySelectorAll('a')].map((a) => a.href).join(' ')",
        )
        .await;
    let links = links.as_str().unwrap();
    assert!(links.contains("/performer?ch=1"), "{links}");
    assert!(!links.contains(&token), "{links}");
    // A reload still controls: the tab kept the token for this page.
    b.eval(&page, "window.before = 1; location.reload()").await;
    assert!(
        b.wait_for(&page, &format!("window.before === undefined && {controls}"))
            .await,
        "control after a reload"
    );
    assert!(
        b.wait_for(
            &page,
            "document.getElementById('take-status').textContent === 'No take running'"
        )
        .await,
        "the control page's feed is up"
    );
    b.eval(
        &page,
        "document.querySelector('[data-cmd*=take_start]').click()",
    )
    .await;
    assert!(
        b.wait_for(
            &page,
            "document.getElementById('take-status').textContent.startsWith('TAKE 1')"
        )
        .await,
        "a command from the reloaded page is obeyed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_page_takes_the_token_out_of_the_address_bar() {
    let served = serve(&tones(), RemoteConfig::default());
    token_leaves_the_address_bar(browser::Browser::launch().await, &served).await;
    let served = serve(&tones(), RemoteConfig::default());
    token_leaves_the_address_bar(browser::Browser::launch_firefox().await, &served).await;
}

/// `gainstage serve`, as a user starts it (under the usual 1024 open files): it takes every
/// open file the kernel allows, and its flags set the shares and the names it answers to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_s_flags_set_the_shares_and_names_and_it_raises_its_open_file_limit() {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new("sh");
    cli::isolate(&mut cmd, home.path());
    let mut child = cmd
        .arg("-c")
        .arg(r#"ulimit -Sn 1024 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_gainstage"))
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--duration",
            "60",
        ])
        .args(["--allow-host", "studio.example"])
        .args(["--max-clients-per-address", "1"])
        .args(["--max-connections-per-address", "3"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let child = KillOnDrop(child);
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let addr: SocketAddr = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .parse()
        .unwrap();

    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.0.id())).unwrap();
    let files: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .split_whitespace()
        .collect();
    let (soft, hard) = (files[3], files[4]);
    assert_eq!(
        soft, hard,
        "the soft limit raised to the hard one: {limits}"
    );

    let channels = |host: &str| {
        format!("GET /api/channels HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
    };
    assert_eq!(
        request_from("127.0.0.2", addr, &channels("studio.example"))
            .await
            .0,
        200
    );
    assert_eq!(
        request_from("127.0.0.2", addr, &channels("other.example"))
            .await
            .0,
        421
    );

    let url = format!("ws://{addr}/ws");
    let mut one = ws_from("127.0.0.2", addr, &url).await.unwrap();
    next_frame(&mut one).await;
    match ws_from("127.0.0.2", addr, &url).await {
        Err(tungstenite::Error::Http(r)) => assert_eq!(r.status(), 503),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a second feed from one address, with a share of 1"),
    }
    let mut other = ws_from("127.0.0.3", addr, &url).await.unwrap();
    next_frame(&mut other).await;

    // Three connections from one address are held; the fourth is turned away at once.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tcp_from("127.0.0.4", addr).await);
    }
    let fourth = tcp_from("127.0.0.4", addr).await;
    let (bytes, _) = until_closed(fourth, Instant::now(), Duration::from_secs(60)).await;
    assert!(
        bytes.starts_with(b"HTTP/1.1 503"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    drop(child);
}

/// A client that asks and then never reads: the server's writes wait on it, no request or
/// header timer runs, and only the idle clock frees its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_its_answers_is_closed_when_idle() {
    let limits = ConnectionLimits {
        idle_timeout: Duration::from_secs(2),
        header_read_timeout: Duration::from_secs(30),
        ..ConnectionLimits::default()
    };
    let served = serve_with_limits(limits);
    let addr = served.addr();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind(SocketAddr::new(ip("127.0.0.6"), 0)).unwrap();
    let opened = Instant::now();
    let stream = socket.connect(addr).await.unwrap();
    // Far more answers than the socket buffers hold, asked for at once and never read.
    let one = format!("GET /assets/gainstage.js HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let (_unread, mut write) = stream.into_split();
    let asking = tokio::spawn(async move {
        for _ in 0..2000 {
            if write.write_all(one.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    // The server counts the connection once its accept loop has taken it: wait for that
    // first, or a count read before it (0) would end the wait below at once.
    while served.remote.open_connections() == 0 {
        assert!(
            opened.elapsed() < Duration::from_secs(60),
            "the connection was never accepted"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut open_since_asked = Duration::ZERO;
    while served.remote.open_connections() > 0 {
        assert!(
            opened.elapsed() < Duration::from_secs(60),
            "still open after a minute"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        open_since_asked = opened.elapsed();
    }
    asking.abort();
    assert!(
        open_since_asked >= limits.idle_timeout,
        "closed after {open_since_asked:?}, before its idle timeout"
    );
    eprintln!("a client that never read: closed after {open_since_asked:?}");
}
