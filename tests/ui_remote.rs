//! The GUI's Remote panel with real parts: the GUI's own session, fed known sines by the test,
//! served on a loopback port when the checkbox is clicked in iced's simulator and read back by
//! a WebSocket client; the port closed when it is clicked off; the QR code read back from the
//! drawn screen by an independent decoder; the choice saved and served again after a restart.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/console_sim.rs"]
mod console_sim;
#[path = "support/drive.rs"]
mod drive;
#[path = "support/remote.rs"]
mod remote;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use drive::{click, simulator_at, tick_until};
use gainstage::advisor::SourcePreset;
use gainstage::capture::{Session, SessionConfig, SourceSpec};
use gainstage::settings::{self, SavedSource, Settings};
use gainstage::snapshot::SourceInfo;
use gainstage::ui::app::{App, Message, Panel, View};
use gainstage::ui::{bridge, remote_panel, settings_panel};
use iced::Size;
use remote::{RATE, Tone, Ws, connect, next_frame, next_json, tone};
use serde_json::Value;

const SERVE: &str = "Serve this session to browsers on the network";
const NAMES: [&str; 3] = ["Kick In", "Snare Top", "Lead Vox"];
const LEVELS: [f64; 3] = [-6.0, -12.0, -20.0];

/// The GUI on a session of three named inputs playing 1 kHz sines at `LEVELS`, fed in real
/// time by the test.
struct Gui {
    app: App,
    stop: Arc<AtomicBool>,
    feeder: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Gui {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(f) = self.feeder.take() {
            f.join().unwrap();
        }
    }
}

fn gui() -> Gui {
    gui_with(None)
}

/// [`gui`], setting `preamps` where given.
fn gui_with(preamps: Option<gainstage::preamps::worker::PreampWorker>) -> Gui {
    let info = SourceInfo {
        host: "test".into(),
        device: "gui remote test".into(),
        device_id: "test:gui-remote".into(),
        sample_rate: RATE,
        channels: NAMES.len(),
        buffer_frames: Some(remote::BLOCK as u32),
        sample_format: "f32".into(),
        is_demo: false,
        channel_names: NAMES.iter().map(|n| n.to_string()).collect(),
        clip_rule: Default::default(),
    };
    let (session, cb) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let tones: Vec<Tone> = LEVELS.iter().map(|&l| tone(l)).collect();
    let (stop, feeder) = remote::feed(cb, &tones);
    let mut app = App::new(Some(session), None, View::Bridge);
    if let Some(worker) = preamps {
        app = app.with_preamps(worker);
    }
    // A second of audio: every meter has seen whole cycles of its sine.
    tick_until(&mut app, |a| {
        a.snapshot.as_ref().is_some_and(|s| s.t_s > 1.0)
    });
    Gui {
        app,
        stop,
        feeder: Some(feeder),
    }
}

fn shows(app: &App, what: &str) -> bool {
    let mut ui = iced_test::simulator(app.view());
    ui.find(what).is_ok()
}

fn remote_open_with_listen(app: &mut App, listen: &str) {
    let _ = app.update(Message::TogglePanel(Panel::Remote));
    assert_eq!(app.panel, Some(Panel::Remote));
    let _ = app.update(Message::Remote(remote_panel::Message::Listen(
        listen.into(),
    )));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn refused(addr: SocketAddr) -> bool {
    matches!(
        TcpStream::connect(addr),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

fn db(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// The hello's channel names.
fn hello_names(hello: &Value) -> Vec<String> {
    hello["hello"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

/// A frame late enough that each client's peaks cover whole cycles.
async fn settled_frame(ws: &mut Ws) -> Value {
    let mut f = next_frame(ws).await;
    for _ in 0..5 {
        f = next_frame(ws).await;
    }
    f
}

#[test]
fn turning_remote_view_on_serves_the_gui_session_and_off_closes_the_port() {
    let mut g = gui();
    remote_open_with_listen(&mut g.app, "127.0.0.1:0");
    assert!(!g.app.remote.is_serving(), "serving is off until asked for");
    click(&mut g.app, SERVE);
    let addr = g.app.remote.addr().expect("serving once switched on");
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    let url = format!("http://{addr}/");
    assert_eq!(g.app.remote.urls(), std::slice::from_ref(&url));
    assert!(shows(&g.app, &url), "the panel shows the address to open");
    let link = g.app.remote.control_link().unwrap();
    let token = link.strip_prefix(&format!("{url}?token=")).unwrap();
    assert_eq!(token.len(), 32, "128 random bits as hex");
    assert!(shows(&g.app, &link), "the panel shows the control link");

    let rt = runtime();
    let mut ws = rt.block_on(connect(&format!("ws://{addr}/ws")));
    let (hello, frame) = rt.block_on(async {
        let hello = next_json(&mut ws).await.unwrap();
        (hello, settled_frame(&mut ws).await)
    });
    assert_eq!(hello_names(&hello), NAMES, "the GUI session's own inputs");
    assert_eq!(hello["hello"]["control"], false, "viewing needs no token");
    let channels = frame["channels"].as_array().unwrap();
    assert_eq!(channels.len(), NAMES.len());
    tick_until(&mut g.app, |_| true);
    let shown = g.app.snapshot.clone().unwrap();
    for (i, c) in channels.iter().enumerate() {
        assert_eq!(c["name"], NAMES[i]);
        let app_peak = shown.channels[i].readings.sample_peak_dbfs;
        for (what, got) in [
            ("sample peak", db(&c["sample_peak_dbfs"])),
            ("true peak", db(&c["true_peak_dbtp"])),
        ] {
            assert!(
                (got - app_peak).abs() <= 0.1,
                "ch {} {what}: served {got} dB, the app shows {app_peak} dB",
                i + 1
            );
            assert!(
                (got - LEVELS[i]).abs() <= 0.1,
                "ch {} {what}: served {got} dB, the input plays {} dB",
                i + 1,
                LEVELS[i]
            );
        }
    }
    assert_eq!(g.app.remote.viewers(), Some(1));
    assert!(shows(&g.app, "1 viewer connected"));
    assert!(shows(&g.app, "Remote 1"), "the top bar says it serves");

    // The control link's token is this run's: a command with it is obeyed.
    let reply = rt.block_on(async {
        remote::send_text(
            &mut ws,
            &format!(r#"{{"cmd": "reset", "token": "{token}"}}"#),
        )
        .await;
        remote::next_reply(&mut ws).await
    });
    assert_eq!(reply["ok"], true, "{reply}");

    // The GUI's own edits reach the viewers: a new hello with the names and levels.
    let _ = g.app.update(Message::Bridge(bridge::Message::Rename(
        1,
        "Snare Bottom".into(),
    )));
    let _ = g.app.update(Message::Bridge(bridge::Message::SetPreset(
        2,
        SourcePreset::Vocal,
    )));
    let vocal = SourcePreset::Vocal.params();
    let hello = rt.block_on(async {
        for _ in 0..300 {
            let v = next_json(&mut ws).await.unwrap();
            if v.get("hello").is_some() && v["hello"]["channels"][2]["preset"] != "generic" {
                return v;
            }
        }
        panic!("no new hello after the GUI's edits");
    });
    assert_eq!(hello_names(&hello), ["Kick In", "Snare Bottom", "Lead Vox"]);
    let c3 = &hello["hello"]["channels"][2];
    assert_eq!(c3["preset"], SourcePreset::Vocal.name());
    assert_eq!(db(&c3["hot_dbtp"]), vocal.hot_dbtp);
    assert_eq!(db(&c3["target_dbtp"]), vocal.target_dbtp);

    // A viewer's rename with the token becomes the GUI's name too: one name on every screen.
    let reply = rt.block_on(async {
        remote::send_text(
            &mut ws,
            &format!(
                r#"{{"cmd": "rename", "channel": 3, "name": "Backing Vox", "token": "{token}"}}"#
            ),
        )
        .await;
        remote::next_reply(&mut ws).await
    });
    assert_eq!(reply["ok"], true, "{reply}");
    tick_until(&mut g.app, |app| app.roster.name(2) == "Backing Vox");
    assert!(
        shows(&g.app, "Backing Vox"),
        "the bridge shows the new name"
    );
    assert_eq!(
        g.app.current_settings().names.get(2).map(String::as_str),
        Some("Backing Vox"),
        "and it is saved with the session's names"
    );

    {
        // As iced runs `update`: inside its tokio runtime's context.
        let _as_iced_does = rt.enter();
        click(&mut g.app, SERVE);
    }
    assert!(!g.app.remote.is_serving());
    assert!(refused(addr), "the port is closed once switched off");
    // Viewers are let go: what was already on its way, then the end of the socket.
    let ended = rt.block_on(async {
        for _ in 0..1000 {
            if next_json(&mut ws).await.is_none() {
                return true;
            }
        }
        false
    });
    assert!(ended, "viewers are let go");
    assert!(!shows(&g.app, &url));
    assert!(!shows(&g.app, "Remote 0"));
}

#[test]
fn a_bad_address_or_a_taken_port_is_said_and_nothing_serves() {
    let mut g = gui();
    remote_open_with_listen(&mut g.app, "192.168.1.300:8040");
    click(&mut g.app, SERVE);
    assert!(!g.app.remote.is_serving());
    let why = g.app.remote.error.clone().unwrap();
    assert!(why.contains("is not an address to listen on"), "{why}");
    assert!(shows(&g.app, &why));
    assert!(!g.app.settings.remote.on);

    // A port someone else holds: said, and theirs untouched.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = taken.local_addr().unwrap();
    let _ = g.app.update(Message::Remote(remote_panel::Message::Listen(
        at.to_string(),
    )));
    click(&mut g.app, SERVE);
    assert!(!g.app.remote.is_serving());
    let why = g.app.remote.error.clone().unwrap();
    assert!(why.starts_with(&format!("cannot listen on {at}")), "{why}");
    assert!(shows(&g.app, &why));
    assert!(
        !g.app.settings.remote.on,
        "a failed start is not saved as on"
    );
    taken.set_nonblocking(true).unwrap();
    assert!(
        TcpStream::connect(at).is_ok(),
        "the other listener still has its port"
    );
    assert!(taken.accept().is_ok());
}

/// The simulator's picture of the main window with the settings panel open, as grey levels.
fn screen(app: &App, size: Size) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let mut ui = simulator_at(app, size);
    let shot = ui.snapshot(&iced::Theme::Dark).unwrap();
    // With no image there yet, the snapshot writes itself there as a PNG.
    assert!(shot.matches_image(dir.path().join("screen")).unwrap());
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("remote-settings.png");
    std::fs::copy(&file, look).unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut rgba = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut rgba).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba);
    let (w, h) = (info.width as usize, info.height as usize);
    let grey = rgba[..info.buffer_size()]
        .chunks_exact(4)
        .map(|p| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect();
    (w, h, grey)
}

#[test]
fn the_qr_code_on_screen_decodes_to_the_url_shown() {
    let mut g = gui();
    remote_open_with_listen(&mut g.app, "127.0.0.1:0");
    click(&mut g.app, SERVE);
    let url = g.app.remote.urls()[0].clone();
    assert!(shows(&g.app, &url));
    let (w, h, grey) = screen(&g.app, Size::new(1600.0, 900.0));
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the screen");
    let (_, decoded) = grids[0].decode().unwrap();
    assert_eq!(decoded, url);
    // Big enough for a phone at arm's length: at least 180 logical px a side (the
    // simulator draws at twice the scale).
    let side = grids[0].bounds.iter().map(|p| p.x).max().unwrap()
        - grids[0].bounds.iter().map(|p| p.x).min().unwrap();
    assert!(side >= 360, "the code is {side} px across at scale 2");
}

fn free_loopback_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

#[test]
fn remote_view_on_and_its_address_are_saved_and_served_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let at = free_loopback_port();
    {
        let mut g = gui();
        g.app
            .restore(&Settings::default(), Some(dir.path().to_path_buf()));
        assert!(!g.app.remote.is_serving(), "off by default");
        remote_open_with_listen(&mut g.app, &at.to_string());
        click(&mut g.app, SERVE);
        assert_eq!(g.app.remote.addr(), Some(at));
        g.app.save_if_due(Instant::now() + settings::SAVE_DELAY * 2);
        assert_eq!(g.app.settings_writes(), 1);
    }
    assert!(refused(at), "the app is gone and so is its server");
    let (saved, problem) = settings::load(dir.path());
    assert_eq!(problem, None);
    assert!(saved.remote.on);
    assert_eq!(saved.remote.listen, at.to_string());

    let mut g = gui();
    g.app.restore(&saved, Some(dir.path().to_path_buf()));
    assert_eq!(g.app.remote.addr(), Some(at), "served again at start");
    assert_eq!(g.app.remote.listen, at.to_string(), "the field shows it");
    let rt = runtime();
    let hello = rt.block_on(async {
        let mut ws = connect(&format!("ws://{at}/ws")).await;
        next_json(&mut ws).await.unwrap()
    });
    assert_eq!(hello_names(&hello), NAMES);
}

/// The settings panel's input picker, in tests: the demo with the channels asked for.
fn open_demo(source: &SavedSource, _: &Settings) -> (Option<Session>, Option<String>) {
    let spec = SourceSpec::demo(source.channels);
    (
        Some(Session::start(&spec, SessionConfig::default()).unwrap()),
        None,
    )
}

#[test]
fn opening_another_input_serves_it_on_the_same_port() {
    let mut g = gui();
    g.app =
        std::mem::replace(&mut g.app, App::new(None, None, View::Bridge)).with_opener(open_demo);
    remote_open_with_listen(&mut g.app, "127.0.0.1:0");
    click(&mut g.app, SERVE);
    let addr = g.app.remote.addr().unwrap();
    let link = g.app.remote.control_link().unwrap();
    let rt = runtime();
    let mut before = rt.block_on(connect(&format!("ws://{addr}/ws")));
    let hello = rt.block_on(next_json(&mut before)).unwrap();
    assert_eq!(hello_names(&hello), NAMES);

    for m in [
        settings_panel::Message::Device(settings_panel::DeviceChoice::demo()),
        settings_panel::Message::Channels("5".into()),
        settings_panel::Message::ApplySource,
    ] {
        // As iced runs `update`: inside its tokio runtime's context.
        let _as_iced_does = rt.enter();
        let _ = g.app.update(Message::Settings(m));
    }
    assert_eq!(g.app.remote.addr(), Some(addr), "the same port");
    assert_eq!(
        g.app.remote.control_link(),
        Some(link),
        "the same token: a control link handed out stays good"
    );
    // The old session's viewers are let go; they reconnect to the new one.
    while rt.block_on(next_json(&mut before)).is_some() {}
    let (hello, frame) = rt.block_on(async {
        let mut ws = connect(&format!("ws://{addr}/ws")).await;
        let hello = next_json(&mut ws).await.unwrap();
        (hello, next_frame(&mut ws).await)
    });
    assert_eq!(hello["hello"]["channels"].as_array().unwrap().len(), 5);
    assert_eq!(frame["channels"].as_array().unwrap().len(), 5);
}

#[test]
fn saved_on_without_an_input_says_why_and_serves_the_input_opened_next() {
    let dir = tempfile::tempdir().unwrap();
    let at = free_loopback_port();
    let saved = Settings {
        remote: settings::RemoteSettings {
            on: true,
            listen: at.to_string(),
            ..settings::RemoteSettings::default()
        },
        ..Settings::default()
    };
    let mut app = App::new(None, None, View::Bridge).with_opener(open_demo);
    app.restore(&saved, Some(dir.path().to_path_buf()));
    assert!(!app.remote.is_serving());
    let banner = app.banner.clone().unwrap();
    assert_eq!(banner, "Remote view is off: no input is open to serve");
    assert!(shows(&app, &banner));
    for m in [
        settings_panel::Message::Device(settings_panel::DeviceChoice::demo()),
        settings_panel::Message::Channels("2".into()),
        settings_panel::Message::ApplySource,
    ] {
        let _ = app.update(Message::Settings(m));
    }
    assert_eq!(app.remote.addr(), Some(at));
    let rt = runtime();
    let hello = rt.block_on(async {
        let mut ws = connect(&format!("ws://{at}/ws")).await;
        next_json(&mut ws).await.unwrap()
    });
    assert_eq!(hello["hello"]["channels"].as_array().unwrap().len(), 2);
}

/// Where the meters lie on a `size` window: from under the first strip's name to its TP
/// readout (px).
fn meters_span(app: &App, size: Size) -> (f32, f32) {
    let mut ui = simulator_at(app, size);
    let name = ui.find(NAMES[0]).unwrap().bounds();
    let tp = ui.find("TP").unwrap().bounds();
    (name.y + name.height, tp.y)
}

#[test]
fn an_open_panel_leaves_the_meters_their_room() {
    let mut g = gui();
    remote_open_with_listen(&mut g.app, "127.0.0.1:0");
    click(&mut g.app, SERVE);
    assert!(g.app.remote.is_serving());
    let _ = g.app.update(Message::TogglePanel(Panel::Remote));
    assert_eq!(g.app.panel, None);
    for size in [Size::new(1600.0, 900.0), Size::new(1280.0, 600.0)] {
        g.app.window_size = size;
        let (top, bottom) = meters_span(&g.app, size);
        let closed = bottom - top;
        for panel in [Panel::Remote, Panel::Settings] {
            let _ = g.app.update(Message::TogglePanel(panel));
            assert_eq!(g.app.panel, Some(panel));
            let (strips, bottom) = meters_span(&g.app, size);
            let open = bottom - strips;
            // The panel (pushing the strips down from under the top bar) takes at most 45 %
            // of the window, a little spacing aside, and scrolls for the rest.
            assert!(
                strips - top <= 0.45 * size.height + 16.0,
                "{panel:?} at {size:?}: the strips start {} px lower",
                strips - top
            );
            // The Settings form and the Remote view together took 60 % of a 900 px
            // window, leaving the meters a sixteenth of their height.
            if size.height >= 900.0 {
                assert!(
                    open >= 0.45 * closed,
                    "{panel:?} at {size:?}: meters {open} px high, {closed} px closed"
                );
            }
            let _ = g.app.update(Message::TogglePanel(panel));
        }
    }
    // Served all along: opening and closing panels stops nothing.
    assert!(g.app.remote.is_serving());
}

/// The console's gains of the GUI's inputs.
fn console_gains(console: &console_sim::ConsoleSim) -> Vec<f64> {
    (1..=NAMES.len()).map(|n| console.gain_db(n)).collect()
}

/// The GUI's gains of its inputs as the preamps' thread last read them.
fn gui_gains(app: &App) -> Vec<f64> {
    (1..=NAMES.len())
        .map(|n| match app.soundcheck.gains.get(&n) {
            Some(Ok(db)) => *db,
            other => panic!("input {n}: {other:?}"),
        })
        .collect()
}

fn status_starts(app: &App, with: &str) -> bool {
    app.soundcheck
        .preamp_status
        .as_deref()
        .is_some_and(|s| s.starts_with(with))
}

/// The GUI and its remote view set the preamps through one thread: a control client's apply
/// shows on the GUI's strips and the GUI's Undo puts it back, to the console's exact gains;
/// the GUI's Set all is put back by the client's undo, and the GUI shows that too. The
/// session log says who made each change.
#[test]
fn the_gui_and_its_remote_view_share_one_preamps_thread_and_one_undo() {
    use console_sim::{ConsoleSim, Dialect};
    use gainstage::preamps::RigConfig;
    use gainstage::preamps::worker::PreampWorker;

    const START_DB: f64 = 30.0;
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", START_DB);
    let log = tempfile::tempdir().unwrap();
    let config = RigConfig {
        specs: vec![console.spec("x32").parse().unwrap()],
        ..RigConfig::default()
    };
    let worker =
        PreampWorker::spawn(config, NAMES.len(), Some(log.path().to_path_buf()), None).unwrap();
    let mut g = gui_with(Some(worker));
    let start = vec![START_DB; NAMES.len()];
    tick_until(&mut g.app, |a| a.soundcheck.gains.len() == NAMES.len());
    assert_eq!(gui_gains(&g.app), start, "read at start");
    remote_open_with_listen(&mut g.app, "127.0.0.1:0");
    click(&mut g.app, SERVE);
    let addr = g.app.remote.addr().unwrap();
    let link = g.app.remote.control_link().unwrap();
    let token = link.split("?token=").nth(1).unwrap().to_owned();
    let control = |body: &str| {
        let (status, text) = remote::post(addr, "/api/control", Some(&token), body);
        (
            status,
            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
        )
    };

    // A control client's soundcheck and apply.
    let (status, _) = control(r#"{"cmd":"soundcheck","secs":1}"#);
    assert_eq!(status, 200);
    let mut reply = Value::Null;
    for _ in 0..400 {
        let (status, r) = control(r#"{"cmd":"apply"}"#);
        reply = r;
        if status == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(reply["ok"], true, "{reply}");
    let by_remote = console_gains(&console);
    let changed = by_remote.iter().filter(|&&db| db != START_DB).count();
    assert!(changed > 0, "{reply}");
    // The GUI shows what the client set: read back from the console after the change.
    tick_until(&mut g.app, |a| status_starts(a, "Remote: Set"));
    assert_eq!(gui_gains(&g.app), by_remote);
    let moved = by_remote.iter().find(|&&db| db != START_DB).unwrap();
    assert!(shows(&g.app, &format!("{moved:+.1} dB")));

    // The GUI's Undo puts back the client's change.
    click(&mut g.app, "Undo");
    tick_until(&mut g.app, |a| status_starts(a, "Undo:"));
    assert_eq!(console_gains(&console), start);
    assert_eq!(gui_gains(&g.app), start);
    assert!(!shows(&g.app, "Undo"), "nothing left to undo");

    // And the reverse: the GUI's soundcheck and Set all, the client's undo.
    g.app.settings.soundcheck_s = 1.0;
    click(&mut g.app, "Soundcheck all");
    tick_until(&mut g.app, |a| {
        !a.soundcheck.is_listening() && !a.soundcheck.results.is_empty()
    });
    click(&mut g.app, "Set all");
    tick_until(&mut g.app, |a| status_starts(a, "Set "));
    // The same sines judged by the same rules: the same changes.
    assert_eq!(console_gains(&console), by_remote);
    let (status, reply) = control(r#"{"cmd":"undo"}"#);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(console_gains(&console), start);
    tick_until(&mut g.app, |a| status_starts(a, "Remote: Undo:"));
    assert_eq!(gui_gains(&g.app), start);
    assert!(shows(&g.app, &format!("{START_DB:+.1} dB")));
    assert!(console.errors().is_empty(), "{:?}", console.errors());

    // One history in the session log, each change by whoever asked.
    let mut who = Vec::new();
    for file in std::fs::read_dir(log.path()).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        who.extend(
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .filter(|v| v["event"] == "gain")
                .map(|v| v["who"].as_str().unwrap().to_owned()),
        );
    }
    let expected: Vec<&str> = ["remote", "gui", "gui", "remote"]
        .iter()
        .flat_map(|w| std::iter::repeat_n(*w, changed))
        .collect();
    assert_eq!(who, expected);
}
