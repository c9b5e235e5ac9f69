//! Takes in the GUI through iced's simulator: T on a running session marks a take, the list
//! shows a clipped take in red with where it clipped, a take opens to every input's verdict,
//! and takes saved by one run are listed by the next.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/drive.rs"]
mod drive;
#[path = "support/snapshots.rs"]
mod snapshots;

use std::sync::Arc;

use drive::{simulator_at, tick_until};
use gainstage::capture::{Session, SessionConfig, SourceSpec};
use gainstage::meter::{MeterBank, MeterConfig};
use gainstage::snapshot::{ChannelSnapshot, Snapshot};
use gainstage::takes::{BlockReading, TakeReport, TakeTracker};
use gainstage::ui::app::{App, Message, Panel, View};
use gainstage::ui::palette::Zone;
use gainstage::ui::takes_panel;
use iced::keyboard::Key;
use iced::{Size, window};

const RATE: u32 = 48_000;
const BLOCK: usize = 480;
const NAMES: [&str; 2] = ["Kick In", "Vox"];

fn key(app: &mut App, k: &str) {
    let _ = app.update(Message::Key(window::Id::unique(), Key::Character(k.into())));
}

/// Two inputs metered by the real meters into a real tracker: take 1 (0–2 s) has one
/// full-scale sample on Kick In 0.5 s in; take 2 (2–3 s) is clean.
fn reports() -> Vec<TakeReport> {
    let n = 3 * RATE as usize;
    let sine = |db: f64| -> Vec<f32> {
        let a = 10f64.powf(db / 20.0);
        (0..n)
            .map(|k| {
                (a * (2.0 * std::f64::consts::PI * 1000.0 * k as f64 / f64::from(RATE)).sin())
                    as f32
            })
            .collect()
    };
    let mut kick = sine(-20.0);
    kick[RATE as usize / 2] = 1.0;
    let vox = sine(-18.0);
    let names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let mut bank = MeterBank::new(2, RATE, &MeterConfig::default()).unwrap();
    let mut t = TakeTracker::new(2, RATE, &[-6.0, -6.0], &names);
    let mut f = 0;
    while f < n {
        if f == 0 || f == 2 * RATE as usize {
            t.start("", f as u64);
        }
        bank.process_planar(&[&kick[f..f + BLOCK], &vox[f..f + BLOCK]]);
        for c in 0..2 {
            let m = bank.meter(c);
            let (sample_peak, true_peak) = m.block_peaks();
            let r = BlockReading {
                sample_peak,
                true_peak,
                clips: m.block_clips(),
                gating: m.latest_gating(),
            };
            t.block(c, f as u64, BLOCK as u64, &r);
        }
        f += BLOCK;
        t.advance_to(f as u64);
    }
    t.stop(n as u64);
    t.reports().to_vec()
}

fn snapshot(takes: Vec<TakeReport>) -> Snapshot {
    let bank = MeterBank::new(2, RATE, &MeterConfig::default()).unwrap();
    let names = NAMES.iter().map(|s| s.to_string()).collect();
    let channels = (0..2)
        .map(|c| ChannelSnapshot {
            channel: c + 1,
            readings: bank.readings(c),
            warnings: Vec::new(),
            history: Arc::from(Vec::new()),
        })
        .collect();
    let mut snapshot = snapshots::running(3.0, RATE, names, channels);
    snapshot.takes = Arc::from(takes);
    snapshot
}

#[test]
fn the_take_list_shows_a_clipped_take_in_red_with_where_newest_first() {
    let mut app = App::with_snapshot(snapshot(reports()));
    key(&mut app, "k");
    assert_eq!(app.panel, Some(Panel::Takes));
    let entries = app.takes.entries();
    assert_eq!(entries.iter().map(|e| e.take).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(entries[0].headline, "clean");
    assert_eq!(entries[0].zone, Zone::Good);
    // One sample clipped 0.5 s into take 1, on Kick In.
    assert_eq!(entries[1].headline, "clipped at 00:00.5 on Kick In");
    assert_eq!(entries[1].zone, Zone::Clip);
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("clipped at 00:00.5 on Kick In").is_ok());
    assert!(ui.find("0:00.0–0:02.0").is_ok());
    assert!(ui.find("0:02.0–0:03.0").is_ok());
}

#[test]
fn a_take_opens_to_every_inputs_verdict_and_closes_back_to_the_list() {
    let mut app = App::with_snapshot(snapshot(reports()));
    app.panel = Some(Panel::Takes);
    let mut ui = iced_test::simulator(app.view());
    ui.click("clipped at 00:00.5 on Kick In").unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(
        matches!(
            messages[..],
            [Message::Takes(takes_panel::Message::Open(1))]
        ),
        "{messages:?}"
    );
    for m in messages {
        let _ = app.update(m);
    }
    let open = app.takes.open.as_ref().expect("the take opened");
    assert_eq!(open.report.take, 1);
    // Every input: its name, its verdict; the track over the whole 2 s take.
    let kick = &open.report.inputs[0];
    assert_eq!(kick.verdict, "clipped at 00:00.5");
    assert_eq!(kick.bursts[0].start_s, 0.5);
    assert_eq!(kick.headroom.len(), 200, "2 s at 10 ms a point");
    assert_eq!(open.report.inputs[1].verdict, "clean");
    let mut ui = iced_test::simulator(app.view());
    for text in [
        "Kick In",
        "Vox",
        "clipped at 00:00.5",
        "clean",
        "← All takes",
    ] {
        assert!(ui.find(text).is_ok(), "{text}");
    }
    let tp = kick.max_true_peak_dbtp.unwrap();
    assert!(
        tp >= 0.0,
        "a full-scale sample peaks at 0 dBTP or over: {tp}"
    );
    let row = format!("TP {tp:.1} · 1 over");
    assert_eq!(kick.overs, 1);
    assert!(ui.find(row.as_str()).is_ok(), "{row}");
    ui.click("← All takes").unwrap();
    for m in ui.into_messages().collect::<Vec<_>>() {
        let _ = app.update(m);
    }
    assert!(app.takes.open.is_none());
}

#[test]
fn t_marks_a_take_on_a_running_session_and_the_next_run_lists_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("takes");
    {
        let session = Session::start(&SourceSpec::demo(Some(4)), SessionConfig::default()).unwrap();
        let mut app = App::new(Some(session), None, View::Bridge);
        app.open_takes(dir.clone());
        let _ = app.update(Message::Takes(takes_panel::Message::Name("Verse 1".into())));
        tick_until(&mut app, |a| {
            a.snapshot.as_ref().is_some_and(|s| s.t_s > 0.2)
        });
        key(&mut app, "t");
        tick_until(&mut app, |a| {
            a.snapshot.as_ref().is_some_and(|s| s.open_take.is_some())
        });
        let open = app.snapshot.as_ref().unwrap().open_take.clone().unwrap();
        assert_eq!(&*open.name, "Verse 1");
        assert!(
            app.takes.name.is_empty(),
            "the field is free for the next take"
        );
        app.panel = Some(Panel::Takes);
        {
            let mut ui = iced_test::simulator(app.view());
            assert!(ui.find("■ Stop take (T)").is_ok());
        }
        // Half a second of take, then T again.
        let start = open.start_s;
        tick_until(&mut app, |a| {
            a.snapshot.as_ref().is_some_and(|s| s.t_s > start + 0.5)
        });
        key(&mut app, "T");
        tick_until(&mut app, |a| !a.takes.entries().is_empty());
        let e = &app.takes.entries()[0];
        assert_eq!((e.take, e.name.as_str()), (1, "Verse 1"));
        assert!(e.end_s - e.start_s >= 0.5, "{e:?}");
        assert!(e.this_run);
        // Closing the app waits for the take to reach the disk.
    }
    let mut again = App::with_snapshot(snapshot(Vec::new()));
    again.open_takes(dir);
    let e = &again.takes.entries()[0];
    assert_eq!((e.take, e.name.as_str()), (1, "Verse 1"));
    assert!(!e.this_run);
    again.panel = Some(Panel::Takes);
    let mut ui = iced_test::simulator(again.view());
    assert!(ui.find("Verse 1").is_ok());
}

#[test]
fn takes_listed_from_a_snapshot_are_saved_and_read_back_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("takes");
    let session_name;
    {
        let mut app = App::with_snapshot(snapshot(Vec::new()));
        app.open_takes(dir.clone());
        session_name = app.takes.session().to_string();
        app.accept(snapshot(reports()));
        assert_eq!(app.takes.entries().len(), 2);
    }
    let saved = gainstage::takes::store::load(&dir, &session_name).unwrap();
    assert_eq!(saved, reports(), "the file holds the whole reports");
    let mut again = App::with_snapshot(snapshot(Vec::new()));
    again.open_takes(dir);
    let heads: Vec<&str> = again
        .takes
        .entries()
        .iter()
        .map(|e| e.headline.as_str())
        .collect();
    assert_eq!(heads, ["clean", "clipped at 00:00.5 on Kick In"]);
    // An earlier run's take opens from its file.
    let _ = again.update(Message::Takes(takes_panel::Message::Open(1)));
    assert_eq!(
        again.takes.open.as_ref().map(|o| &o.report),
        Some(&reports()[0])
    );
}

#[test]
fn takes_the_disk_refuses_show_as_unsaved_and_are_written_once_it_takes_them() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("takes");
    // A file where the takes directory should be: every write fails until it goes.
    std::fs::write(&dir, b"in the way").unwrap();
    let mut app = App::with_snapshot(snapshot(Vec::new()));
    app.open_takes(dir.clone());
    app.panel = Some(Panel::Takes);
    let session = app.takes.session().to_string();
    app.accept(snapshot(reports()));
    let until = |app: &mut App, done: &dyn Fn(Option<&str>) -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !done(app.takes.save_problem()) {
            assert!(
                std::time::Instant::now() < deadline,
                "{:?}",
                app.takes.save_problem()
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
            app.accept(snapshot(reports()));
        }
    };
    until(&mut app, &|p| p.is_some());
    let problem = app.takes.save_problem().unwrap().to_string();
    assert!(
        problem.starts_with("2 takes not saved yet (trying again every 2 s): "),
        "{problem}"
    );
    assert!(
        iced_test::simulator(app.view())
            .find(problem.as_str())
            .is_ok()
    );

    std::fs::remove_file(&dir).unwrap();
    until(&mut app, &|p| p.is_none());
    assert!(
        iced_test::simulator(app.view())
            .find(problem.as_str())
            .is_err()
    );
    assert_eq!(
        gainstage::takes::store::load(&dir, &session).unwrap(),
        reports()
    );
}

/// The take list and an open take, drawn by the tiny-skia renderer, match the hashes
/// committed in `tests/snapshots/` (regenerate by deleting them and running once with
/// `GAINSTAGE_BLESS=1`; the images land in the target's tmp dir to be looked at).
#[test]
fn the_take_screens_match_their_pinned_snapshots() {
    let bless = std::env::var_os("GAINSTAGE_BLESS").is_some();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for (name, open) in [("takes", None), ("take", Some(1))] {
        let mut app = App::with_snapshot(snapshot(reports()));
        app.panel = Some(Panel::Takes);
        if let Some(i) = open {
            let _ = app.update(Message::Takes(takes_panel::Message::Open(i)));
        }
        let mut ui = simulator_at(&app, Size::new(1280.0, 720.0));
        let shot = ui.snapshot(&iced::Theme::Dark).unwrap();
        if bless {
            let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
            shot.matches_image(&look).unwrap();
        }
        let pinned = dir.join(format!("{name}-tiny-skia.sha256"));
        assert!(
            bless || pinned.exists(),
            "{} is missing: run with GAINSTAGE_BLESS=1 once",
            pinned.display()
        );
        assert!(
            shot.matches_hash(dir.join(name)).unwrap(),
            "the {name} screen no longer draws as pinned in {}",
            pinned.display()
        );
    }
}
