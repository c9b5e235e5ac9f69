//! Real headless browsers (Chromium and Firefox) load the served pages: the wall shows the clipped channel's whole
//! strip red, the hot one amber, the bars at their known levels; the performer page says CLIP
//! in red for a clipped channel and GOOD in green for a clean one; when the server goes the
//! page greys every meter and says so, and picks a restarted server up without a reload.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/browser.rs"]
mod browser;
#[path = "support/remote.rs"]
mod remote;

use browser::{Browser, Page, Shot, near};
use gainstage::remote::RemoteConfig;
use remote::*;
use serde_json::Value;

const RED: [u8; 3] = [235, 51, 46];
const AMBER: [u8; 3] = [250, 173, 26];
const GREEN: [u8; 3] = [41, 199, 97];
const PANEL: [u8; 3] = [33, 33, 38];

fn tones() -> Vec<Tone> {
    vec![
        // Above the generic preset's hot level (-6 dBTP): amber.
        tone(-3.0),
        tone(-20.0),
        Tone {
            level_dbfs: Some(-40.0),
            clips: 5,
        },
        tone(-30.0),
    ]
}

fn rect(v: &Value) -> (f64, f64, f64, f64) {
    let f = |k: &str| v[k].as_f64().unwrap();
    (f("left"), f("top"), f("width"), f("height"))
}

/// The page box (left, top, width, height) of the first element `selector` matches.
async fn bounds(b: &mut Browser, page: &Page, selector: &str) -> (f64, f64, f64, f64) {
    let json = b
        .eval(
            page,
            &format!(
                "JSON.stringify(document.querySelector('{selector}').getBoundingClientRect())"
            ),
        )
        .await;
    rect(&serde_json::from_str(json.as_str().unwrap()).unwrap())
}

/// `url` in a tab the size of a phone held upright (390×844 CSS px, mobile).
async fn open_phone(b: &mut Browser, url: &str) -> Page {
    b.open(url, 390, 844, 1.0, true).await
}

/// Pixels within `tol` of `colour` inside a rectangle.
fn count(shot: &Shot, r: (f64, f64, f64, f64), colour: [u8; 3], tol: i32) -> usize {
    let (l, t, w, h) = r;
    let mut n = 0;
    for y in (t as usize)..((t + h) as usize) {
        for x in (l as usize)..((l + w) as usize) {
            if near(shot.pixel(x as f64, y as f64), colour, tol) {
                n += 1;
            }
        }
    }
    n
}

const RECTS: &str = "JSON.stringify([...document.querySelectorAll('.strip')].map(s => { const r = s.getBoundingClientRect(); const c = s.querySelector('canvas').getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width, height: r.height, canvas: {left: c.left, top: c.top, width: c.width, height: c.height}}; }))";

fn save(name: &str, shot: &Shot) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(path, &shot.png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_chromium_the_pages_show_the_known_levels_and_grey_out_when_the_server_goes() {
    pages_show_the_known_levels_and_grey_out_when_the_server_goes(Browser::launch().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_firefox_the_pages_show_the_known_levels_and_grey_out_when_the_server_goes() {
    pages_show_the_known_levels_and_grey_out_when_the_server_goes(Browser::launch_firefox().await)
        .await;
}

async fn pages_show_the_known_levels_and_grey_out_when_the_server_goes(mut b: Browser) {
    let served = serve(&tones(), RemoteConfig::default());
    let addr = served.addr();
    let tag = format!("{:?}", b.protocol()).to_lowercase();

    // The wall on a 1080p screen.
    let wall = b
        .open(&format!("http://{addr}/wall"), 1920, 1080, 1.0, false)
        .await;
    assert!(
        b.wait_for(&wall, "document.querySelectorAll('.strip.zone-clip').length === 1 && document.querySelectorAll('.strip.zone-hot').length === 1 && !document.querySelector('.room').classList.contains('down')").await,
        "the wall never showed one clipped and one hot strip"
    );
    // Let a few frames land after the last change.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let strips: Vec<Value> =
        serde_json::from_str(b.eval(&wall, RECTS).await.as_str().unwrap()).unwrap();
    assert_eq!(strips.len(), 4);
    let shot = b.screenshot(&wall).await;
    save(&format!("remote-wall-test-{tag}.png"), &shot);
    // Each strip's own background, just inside its edge, beside the bar.
    let edge = |s: &Value| {
        let (l, t, _, h) = rect(s);
        shot.pixel(l + 2.0, t + h / 2.0)
    };
    assert!(
        near(edge(&strips[0]), AMBER, 12),
        "hot strip: {:?}",
        edge(&strips[0])
    );
    assert!(
        near(edge(&strips[1]), PANEL, 12),
        "clean strip: {:?}",
        edge(&strips[1])
    );
    assert!(
        near(edge(&strips[2]), RED, 12),
        "clipped strip: {:?}",
        edge(&strips[2])
    );
    assert!(
        near(edge(&strips[3]), PANEL, 12),
        "clean strip: {:?}",
        edge(&strips[3])
    );
    // The bars: -20 dBFS fills a -60…0 scale two thirds of the way up, green below, nothing
    // green above; -30 dBFS half way.
    let bar_at = |s: &Value, db: f64| {
        let (l, t, w, h) = rect(&s["canvas"]);
        shot.pixel(l + w / 2.0, t + h - h * (db + 60.0) / 60.0)
    };
    assert!(
        near(bar_at(&strips[1], -23.0), GREEN, 12),
        "ch 2 at -23 dB: {:?}",
        bar_at(&strips[1], -23.0)
    );
    assert!(
        !near(bar_at(&strips[1], -17.0), GREEN, 60),
        "ch 2 at -17 dB: {:?}",
        bar_at(&strips[1], -17.0)
    );
    assert!(near(bar_at(&strips[3], -33.0), GREEN, 12), "ch 4 at -33 dB");
    assert!(
        !near(bar_at(&strips[3], -27.0), GREEN, 60),
        "ch 4 at -27 dB"
    );
    assert!(
        near(bar_at(&strips[0], -4.0), AMBER, 12),
        "ch 1's bar is amber near its top"
    );

    // The performer page on a phone held upright: CLIP in red for the clipped channel.
    let clip = open_phone(&mut b, &format!("http://{addr}/performer?ch=3")).await;
    assert!(b.wait_for(&clip, "document.querySelector('.pword') && document.querySelector('.pword').textContent === 'CLIP' && !document.body.classList.contains('down')").await);
    let word = bounds(&mut b, &clip, ".pword").await;
    let shot = b.screenshot(&clip).await;
    save(&format!("remote-performer-clip-test-{tag}.png"), &shot);
    assert!(count(&shot, word, RED, 30) > 200, "CLIP is red");
    // As in the GUI, the bar under the word takes the verdict's colour.
    let bar = bounds(&mut b, &clip, ".pbar").await;
    let (l, t, w, h) = bar;
    assert!(
        near(shot.pixel(l + w / 2.0, t + h - 4.0), RED, 12),
        "the clipped bar is red: {:?}",
        shot.pixel(l + w / 2.0, t + h - 4.0)
    );
    assert_eq!(count(&shot, word, GREEN, 40), 0);
    let good = open_phone(&mut b, &format!("http://{addr}/performer?ch=2")).await;
    assert!(b.wait_for(&good, "document.querySelector('.pword') && document.querySelector('.pword').textContent === 'GOOD' && !document.body.classList.contains('down')").await);
    let word = bounds(&mut b, &good, ".pword").await;
    let shot = b.screenshot(&good).await;
    assert!(count(&shot, word, GREEN, 30) > 200, "GOOD is green");
    assert_eq!(count(&shot, word, RED, 40), 0);

    // The server goes: the page says so and greys every meter.
    drop(served);
    assert!(b.wait_for(&good, "document.body.classList.contains('down') && document.getElementById('banner').textContent.includes('disconnected')").await);
    assert!(
        b.wait_for(
            &wall,
            "document.querySelector('.room').classList.contains('down')"
        )
        .await
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let all = |s: &Shot| (0.0, 0.0, s.width as f64, s.height as f64);
    let grey = b.screenshot(&good).await;
    save(&format!("remote-performer-down-test-{tag}.png"), &grey);
    for (name, colour) in [("green", GREEN), ("red", RED), ("amber", AMBER)] {
        assert_eq!(
            count(&grey, all(&grey), colour, 40),
            0,
            "no {name} on a dead performer page"
        );
    }
    let grey = b.screenshot(&wall).await;
    save(&format!("remote-wall-down-test-{tag}.png"), &grey);
    for (name, colour) in [("green", GREEN), ("red", RED), ("amber", AMBER)] {
        assert_eq!(
            count(&grey, all(&grey), colour, 40),
            0,
            "no {name} on a dead wall"
        );
    }

    // A server restarted on the same address is picked up without a reload.
    let again = serve(
        &tones(),
        RemoteConfig {
            listen: addr,
            ..RemoteConfig::default()
        },
    );
    // The word kept its text while the server was away, so wait for its colour too: the page
    // sets that on its next animation frame after the link comes up, and a screenshot taken
    // between the two (Firefox does not run a frame first) shows it still grey.
    assert!(b.wait_for(&good, "!document.body.classList.contains('down') && document.querySelector('.pword').textContent === 'GOOD' && getComputedStyle(document.querySelector('.pword')).color === 'rgb(41, 199, 97)'").await);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let shot = b.screenshot(&good).await;
    let word = bounds(&mut b, &good, ".pword").await;
    assert!(count(&shot, word, GREEN, 30) > 200, "GOOD is green again");
    drop(b);
    drop(again);
}

/// The README's pictures, from the demo session: a phone-sized performer view and a TV-sized
/// wall. `cargo test --test remote_browser -- --ignored`, then look at them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes assets/screenshots; run by hand"]
async fn readme_screenshots() {
    use gainstage::capture::{Session, SessionConfig};
    use gainstage::remote::{Remote, RemoteSource};
    let session = Session::start_demo(Some(16), None, &SessionConfig::default()).unwrap();
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
    let addr = remote.local_addr();
    let mut b = Browser::launch().await;
    let wall = b
        .open(&format!("http://{addr}/wall"), 1920, 1080, 1.0, false)
        .await;
    assert!(
        b.wait_for(
            &wall,
            "document.querySelectorAll('.strip.zone-clip').length > 0"
        )
        .await
    );
    let phone = b
        .open(
            &format!("http://{addr}/performer?ch=2"),
            390,
            844,
            2.0,
            true,
        )
        .await;
    assert!(b.wait_for(&phone, "!document.body.classList.contains('down') && document.querySelector('.pword').textContent !== '…'").await);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/screenshots");
    std::fs::write(dir.join("remote-wall.png"), b.screenshot(&wall).await.png).unwrap();
    std::fs::write(
        dir.join("remote-performer.png"),
        b.screenshot(&phone).await.png,
    )
    .unwrap();
}

/// One wall, two servers: each room has its own connection state; when one server goes, only
/// its room greys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wall_of_two_servers_shows_each_with_its_own_state() {
    let a = serve(&tones(), RemoteConfig::default());
    let a_addr = a.addr();
    let b = serve(
        &[
            tone(-20.0),
            Tone {
                level_dbfs: Some(-40.0),
                clips: 3,
            },
        ],
        RemoteConfig {
            allowed_origins: vec![format!("http://{a_addr}")],
            ..RemoteConfig::default()
        },
    );
    let b_addr = b.addr();
    let mut br = Browser::launch().await;
    let wall = br
        .open(
            &format!("http://{a_addr}/wall?src={a_addr},{b_addr}"),
            1920,
            1080,
            1.0,
            false,
        )
        .await;
    let both_up = "(() => { const r = document.querySelectorAll('.room'); return r.length === 2 && !r[0].classList.contains('down') && !r[1].classList.contains('down') && r[0].querySelectorAll('.strip').length === 4 && r[1].querySelectorAll('.strip').length === 2 && r[1].querySelectorAll('.strip.zone-clip').length === 1; })()";
    assert!(
        br.wait_for(&wall, both_up).await,
        "both rooms live, the second with its clip"
    );
    drop(b);
    let one_down = "(() => { const r = document.querySelectorAll('.room'); return !r[0].classList.contains('down') && r[1].classList.contains('down'); })()";
    assert!(
        br.wait_for(&wall, one_down).await,
        "only the lost server's room greys"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let rooms: Vec<Value> = serde_json::from_str(
        br.eval(&wall, "JSON.stringify([...document.querySelectorAll('.room')].map(r => r.getBoundingClientRect()))")
            .await
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let shot = br.screenshot(&wall).await;
    save("remote-wall-two-servers-test.png", &shot);
    assert!(
        count(&shot, rect(&rooms[0]), GREEN, 12) > 1000,
        "the live room's bars are green"
    );
    assert!(
        count(&shot, rect(&rooms[0]), RED, 12) > 1000,
        "and its clipped strip red"
    );
    for colour in [GREEN, RED, AMBER] {
        assert_eq!(
            count(&shot, rect(&rooms[1]), colour, 40),
            0,
            "the lost room is grey"
        );
    }
    drop(a);
}

/// A take started from the control link shows on the performer's phone, the wall and the
/// index page: its number, name and running time, in plain text (red, amber and green mean
/// levels only). It goes from all three when the take ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_take_shows_on_every_page_until_it_ends() {
    let served = serve(&tones(), RemoteConfig::default());
    let addr = served.addr();
    let token = served.remote.token().as_str().to_owned();
    let mut b = Browser::launch().await;
    let phone = open_phone(&mut b, &format!("http://{addr}/performer?ch=2")).await;
    let wall = b
        .open(&format!("http://{addr}/wall"), 1920, 1080, 1.0, false)
        .await;
    let index = b
        .open(
            &format!("http://{addr}/?token={token}"),
            1280,
            800,
            1.0,
            false,
        )
        .await;
    let idle = [
        (
            &phone,
            "!document.body.classList.contains('down') && document.getElementById('take').textContent === ''",
        ),
        (
            &wall,
            "!document.querySelector('.room').classList.contains('down') && !document.querySelector('.room').classList.contains('taking')",
        ),
        (
            &index,
            "document.getElementById('take-status').textContent === 'No take running'",
        ),
    ];
    for (page, idle) in idle {
        b.bring_to_front(page).await;
        assert!(b.wait_for(page, idle).await, "{idle}");
    }

    let control = |body: &str| post(addr, "/api/control", Some(&token), body).0;
    assert_eq!(control(r#"{"cmd":"take_start","name":"Verse"}"#), 200);
    let shown = [
        (&phone, "document.getElementById('take').textContent"),
        (&wall, "document.querySelector('.room-take').textContent"),
        (&index, "document.getElementById('take-status').textContent"),
    ];
    for (page, text) in shown {
        b.bring_to_front(page).await;
        assert!(
            b.wait_for(page, &format!("{text}.startsWith('TAKE 1 · Verse · 0:0')"))
                .await,
            "{text}: {:?}",
            b.eval(page, text).await
        );
    }
    // The clock runs with the stream.
    b.bring_to_front(&phone).await;
    assert!(
        b.wait_for(
            &phone,
            "document.getElementById('take').textContent === 'TAKE 1 · Verse · 0:02'"
        )
        .await
    );
    for (page, selector, name) in [
        (&phone, "#take", "remote-performer-take-test.png"),
        (&wall, ".room-take", "remote-wall-take-test.png"),
        (&index, "#take-status", "remote-index-take-test.png"),
    ] {
        b.bring_to_front(page).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let shot = b.screenshot(page).await;
        save(name, &shot);
        let text = bounds(&mut b, page, selector).await;
        assert!(
            count(&shot, text, [237, 237, 242], 40) > 50,
            "{selector}: the take's text is drawn"
        );
        for (colour_name, colour) in [("green", GREEN), ("red", RED), ("amber", AMBER)] {
            assert_eq!(
                count(&shot, text, colour, 40),
                0,
                "{selector}: no {colour_name} in the take's text"
            );
        }
    }

    assert_eq!(control(r#"{"cmd":"take_stop"}"#), 200);
    for (page, idle) in idle {
        b.bring_to_front(page).await;
        assert!(b.wait_for(page, idle).await, "after the take: {idle}");
    }
}
