//! GUI interaction through iced's own simulator, on snapshots built from real meter readings.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::SystemTime;

use gainstage::advisor::{LogEntry, LogEvent, LogEventKind, SoundcheckStatus, SourcePreset};
use gainstage::meter::{MeterBank, MeterConfig};
use gainstage::settings;
use gainstage::snapshot::{ChannelSnapshot, Snapshot};
use gainstage::ui::app::{App, Message, Panel, View};
use gainstage::ui::palette::ThemeChoice;
use gainstage::ui::{bridge, settings_panel, soundcheck};
use iced::keyboard::Key;
use iced::keyboard::key::Named;
use iced::{Size, window};

const RATE: u32 = 48_000;

fn sine(db: f64, n: usize, start: usize) -> Vec<f32> {
    let a = 10f64.powf(db / 20.0);
    (start..start + n)
        .map(|k| {
            (a * (2.0 * std::f64::consts::PI * 1000.0 * k as f64 / f64::from(RATE)).sin()) as f32
        })
        .collect()
}

/// Three inputs metered block by block: a -12 dBFS sine, a -3 dBFS sine, and a -20 dBFS
/// sine with `overs_per_s` isolated full-scale samples a second.
struct Session {
    bank: MeterBank,
    frames: usize,
    overs_per_s: usize,
}

impl Session {
    fn new(overs_per_s: usize) -> Self {
        Self {
            bank: MeterBank::new(3, RATE, &MeterConfig::default()).unwrap(),
            frames: 0,
            overs_per_s,
        }
    }

    /// Meters `seconds` more audio and returns the snapshot a reader would get.
    fn play(&mut self, seconds: f64) -> Snapshot {
        let n = (seconds * f64::from(RATE)) as usize;
        let mut clipped = sine(-20.0, n, self.frames);
        let spacing = (RATE as usize / self.overs_per_s.max(1)).max(1);
        if self.overs_per_s > 0 {
            for k in (0..n).filter(|k| (self.frames + k) % spacing == 1000) {
                clipped[k] = 1.0;
            }
        }
        let blocks = [
            sine(-12.0, n, self.frames),
            sine(-3.0, n, self.frames),
            clipped,
        ];
        self.bank
            .process_planar(&[&blocks[0], &blocks[1], &blocks[2]]);
        self.frames += n;
        self.snapshot()
    }

    fn snapshot(&self) -> Snapshot {
        let t_s = self.frames as f64 / f64::from(RATE);
        let channels = (0..3)
            .map(|c| snapshots::metered_channel(c + 1, &self.bank, c))
            .collect();
        snapshots::running(t_s, RATE, Vec::new(), channels)
    }
}

/// One second of the three inputs; channel 3 has `overs` overs.
fn snapshot(overs: usize) -> Snapshot {
    Session::new(overs).play(1.0)
}

fn key(app: &mut App, k: Key) {
    let _ = app.update(Message::Key(window::Id::unique(), k));
}

#[test]
fn clicking_a_latched_clip_light_resets_that_channel() {
    let app = App::with_snapshot(snapshot(3));
    let mut ui = iced_test::simulator(app.view());
    ui.click("CLIP 3").unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(
        matches!(
            messages[..],
            [Message::Bridge(bridge::Message::ResetClip(2))]
        ),
        "{messages:?}"
    );
}

#[test]
fn unclipped_channels_show_no_clip_light() {
    let app = App::with_snapshot(snapshot(0));
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("CLIP 3").is_err());
    assert!(ui.find("no clip").is_ok());
}

#[test]
fn clicking_a_strip_opens_its_details_where_it_is_renamed() {
    let mut app = App::with_snapshot(snapshot(0));
    let mut ui = iced_test::simulator(app.view());
    ui.click("Input 2").unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(
        matches!(messages[..], [Message::Bridge(bridge::Message::Select(1))]),
        "{messages:?}"
    );
    for m in messages {
        let _ = app.update(m);
    }
    assert_eq!(app.selected, Some(1));
    let _ = app.update(Message::Bridge(bridge::Message::Rename(
        1,
        "Kick in".into(),
    )));
    assert_eq!(app.roster.name(1), "Kick in");
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("Kick in").is_ok());
    assert!(ui.find("Add to the next soundcheck (Space)").is_ok());
}

#[test]
fn keys_switch_views_move_the_selection_and_escape_goes_back() {
    let mut app = App::with_snapshot(snapshot(0));
    key(&mut app, Key::Character("3".into()));
    assert_eq!(app.view, View::Performer);
    key(&mut app, Key::Character("2".into()));
    assert_eq!(app.view, View::Wall);
    key(&mut app, Key::Named(Named::Escape));
    assert_eq!(app.view, View::Bridge);
    key(&mut app, Key::Named(Named::ArrowRight));
    assert_eq!(app.selected, Some(0));
    key(&mut app, Key::Named(Named::ArrowLeft));
    assert_eq!(
        app.selected,
        Some(2),
        "left from the first wraps to the last"
    );
    key(&mut app, Key::Named(Named::Space));
    assert!(app.soundcheck.picked.contains(&2));
    key(&mut app, Key::Character("?".into()));
    assert_eq!(app.panel, Some(Panel::Help));
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("reset all clips").is_ok());
    drop(ui);
    key(&mut app, Key::Named(Named::Escape));
    assert_eq!(app.panel, None);
}

#[test]
fn performer_view_says_one_word_per_channel() {
    let mut app = App::with_snapshot(snapshot(2));
    app.performer_channels = vec![0, 2];
    let _ = app.update(Message::ShowView(View::Performer));
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("GOOD").is_ok());
    assert!(ui.find("CLIP").is_ok());
    drop(ui);
    // Chosen from a channel's details: the performer view takes up to four.
    let _ = app.update(Message::Bridge(bridge::Message::TogglePerformer(1)));
    assert_eq!(app.performer_channels, vec![0, 2, 1]);
    let _ = app.update(Message::Bridge(bridge::Message::TogglePerformer(0)));
    assert_eq!(app.performer_channels, vec![2, 1]);
}

/// The wall in the live room says whether a take runs, over the strips; nothing when none
/// runs.
#[test]
fn wall_view_shows_a_running_take() {
    let mut s = snapshot(3);
    let label = "AUTO TAKE 5 · 1:05";
    let find = |s: Snapshot| {
        let mut app = App::with_snapshot(s);
        let _ = app.update(Message::ShowView(View::Wall));
        let mut ui = iced_test::simulator::Simulator::with_size(
            iced_test::core::Settings::default(),
            Size::new(1280.0, 720.0),
            app.view(),
        );
        let found = ui.find(label).is_ok();
        if found && std::env::var_os("GAINSTAGE_BLESS").is_some() {
            // For a look, as the pinned views give one.
            let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wall-take");
            ui.snapshot(&iced::Theme::Dark)
                .unwrap()
                .matches_image(&look)
                .unwrap();
        }
        found
    };
    assert!(!find(s.clone()));
    s.open_take = Some(gainstage::takes::OpenTakeInfo {
        number: 5,
        name: "Take 5".into(),
        start_s: s.t_s - 65.0,
        auto: true,
    });
    assert!(find(s));
}

/// In the booth the performer sees whether a take runs: its number, name and time, above the
/// meters; nothing there when none runs.
#[test]
fn performer_view_shows_a_running_take() {
    let mut s = snapshot(2);
    let show = |s: Snapshot| {
        let mut app = App::with_snapshot(s);
        app.performer_channels = vec![0];
        let _ = app.update(Message::ShowView(View::Performer));
        app
    };
    let app = show(s.clone());
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("GOOD").is_ok());
    assert!(ui.find("TAKE 2 · Verse · 0:42").is_err());
    drop(ui);
    s.open_take = Some(gainstage::takes::OpenTakeInfo {
        number: 2,
        name: "Verse".into(),
        start_s: s.t_s - 42.5,
        auto: false,
    });
    let app = show(s);
    let mut ui = iced_test::simulator::Simulator::with_size(
        iced_test::core::Settings::default(),
        Size::new(1280.0, 720.0),
        app.view(),
    );
    assert!(ui.find("TAKE 2 · Verse · 0:42").is_ok());
    if std::env::var_os("GAINSTAGE_BLESS").is_some() {
        // For a look, as the pinned views give one.
        let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("performer-take");
        ui.snapshot(&iced::Theme::Dark)
            .unwrap()
            .matches_image(&look)
            .unwrap();
    }
}

/// Pick channels, press Soundcheck, play through the countdown: each chosen strip shows its
/// verdict and change until dismissed; the others show none.
#[test]
fn soundcheck_flow_judges_the_picked_channels_until_dismissed() {
    let mut session = Session::new(4);
    let mut app = App::with_snapshot(session.play(0.5));
    app.settings.soundcheck_s = 3.0;
    let _ = app.update(Message::Soundcheck(soundcheck::Message::Toggle(1)));
    let _ = app.update(Message::Soundcheck(soundcheck::Message::Toggle(2)));

    drive::click(&mut app, "Soundcheck 2 ch");
    assert!(app.soundcheck.is_listening());

    // Halfway: the countdown shows the seconds left.
    for _ in 0..15 {
        app.accept(session.play(0.1));
    }
    let left = app.soundcheck.remaining_s().unwrap();
    assert!((1.0..=2.0).contains(&left), "{left}");
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("SOUNDCHECK: play now… 2 s").is_ok());
    drop(ui);

    for _ in 0..16 {
        app.accept(session.play(0.1));
    }
    assert!(!app.soundcheck.is_listening());
    assert!(
        app.soundcheck.result(0).is_none(),
        "channel 1 was not picked"
    );
    let hot = app.soundcheck.result(1).unwrap();
    // -3 dBFS sine peaks (true peak within 0.1 dB) against the generic -12 dBTP target.
    assert_eq!(hot.status, SoundcheckStatus::TurnDown);
    let gain = hot.suggested_gain_db.unwrap();
    assert!((-9.5..=-8.5).contains(&gain), "{gain}");
    let clipped = app.soundcheck.result(2).unwrap();
    assert_eq!(clipped.status, SoundcheckStatus::Clipped);
    assert!(clipped.suggested_gain_db.unwrap() < 0.0);

    assert!(iced_test::simulator(app.view()).find("▼ 9.0 dB").is_ok());
    drive::click(&mut app, "Dismiss results");
    assert!(app.soundcheck.result(1).is_none());
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("▼ 9.0 dB").is_err());
}

#[test]
fn the_log_panel_lists_clips_and_warnings_newest_first() {
    let mut s = snapshot(0);
    let event = |channel: usize, event: LogEventKind, message: &str| LogEvent {
        channel,
        event,
        kind: None,
        count: 1,
        message: message.into(),
        level_dbtp: Some(0.3),
    };
    s.events = Arc::from(vec![
        LogEntry::new(
            SystemTime::UNIX_EPOCH,
            "Kick",
            0.3,
            &event(1, LogEventKind::Clip, "1 new over"),
        ),
        LogEntry::new(
            SystemTime::UNIX_EPOCH,
            "Snare",
            -2.0,
            &event(2, LogEventKind::Raised, "turn input 2 down about 6 dB"),
        ),
    ]);
    let mut app = App::with_snapshot(s);
    key(&mut app, Key::Character("l".into()));
    assert_eq!(app.panel, Some(Panel::Log));
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("1 new over").is_ok());
    assert!(ui.find("turn input 2 down about 6 dB").is_ok());
    assert!(ui.find("00:00:00").is_ok());
}

/// What the GUI keeps between runs (names, presets, preset levels, view, theme, over length,
/// peak hold, soundcheck length, window size and position) survives a restart through the
/// settings file.
#[test]
fn settings_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::with_snapshot(snapshot(0));
    app.restore(
        &settings::Settings::default(),
        Some(dir.path().to_path_buf()),
    );
    let main = window::Id::unique();
    app.main_window = Some(main);
    let _ = app.update(Message::Bridge(bridge::Message::Rename(
        0,
        "Kick in".into(),
    )));
    let _ = app.update(Message::Bridge(bridge::Message::SetPreset(
        0,
        SourcePreset::Kick,
    )));
    let _ = app.update(Message::ShowView(View::Performer));
    let form = |m| Message::Settings(m);
    let _ = app.update(form(settings_panel::Message::Theme(ThemeChoice::Light)));
    let _ = app.update(form(settings_panel::Message::OverLen(3)));
    let _ = app.update(form(settings_panel::Message::PeakHold("2.5".into())));
    let _ = app.update(form(settings_panel::Message::SoundcheckLen("15".into())));
    // Channel 1 is selected by default for thresholds: its (kick) preset gets new levels.
    let _ = app.update(form(settings_panel::Message::Target("-10".into())));
    let _ = app.update(form(settings_panel::Message::Hot("-4".into())));
    let _ = app.update(form(settings_panel::Message::Low("-28".into())));
    let _ = app.update(form(settings_panel::Message::ApplyThresholds));
    let _ = app.update(Message::WindowResized(main, Size::new(1280.0, 720.0)));
    // A drag: the window moves pixel by pixel.
    for x in 0..=40 {
        let _ = app.update(Message::WindowMoved(main, iced::Point::new(x as f32, 30.0)));
    }
    assert_eq!(
        app.settings_writes(),
        0,
        "nothing written while changes come"
    );
    // Every change above came before this instant; once they settle, one write holds them all.
    let settled = std::time::Instant::now() + settings::SAVE_DELAY;
    app.save_if_due(settled);
    app.save_if_due(settled + settings::SAVE_DELAY);
    assert_eq!(app.settings_writes(), 1);

    let (saved, problem) = settings::load(dir.path());
    assert!(problem.is_none(), "{problem:?}");
    assert_eq!(saved.theme, "light");
    assert_eq!(saved.over_len, 3);
    assert_eq!(saved.peak_hold_s, 2.5);
    assert_eq!(saved.soundcheck_s, 15.0);
    assert_eq!(saved.view, "performer");
    assert_eq!(
        (
            saved.window.width,
            saved.window.height,
            saved.window.x,
            saved.window.y
        ),
        (1280.0, 720.0, Some(40.0), Some(30.0))
    );

    let mut again = App::with_snapshot(snapshot(0));
    again.restore(&saved, None);
    assert_eq!(again.roster.name(0), "Kick in");
    assert_eq!(again.roster.preset(0), SourcePreset::Kick);
    assert_eq!(again.theme, ThemeChoice::Light);
    let p = again.roster.params(0);
    assert_eq!(
        (p.target_dbtp, p.hot_dbtp, p.low_dbtp),
        (-10.0, -4.0, -28.0)
    );
    // Other presets keep their built-in levels.
    assert_eq!(
        again.roster.params(1).target_dbtp,
        SourcePreset::Generic.params().target_dbtp
    );
}

#[test]
fn a_template_saved_from_the_gui_loads_into_another_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::with_snapshot(snapshot(0));
    app.restore(
        &settings::Settings::default(),
        Some(dir.path().to_path_buf()),
    );
    let _ = app.update(Message::Bridge(bridge::Message::Rename(2, "Vox".into())));
    let _ = app.update(Message::Bridge(bridge::Message::SetPreset(
        2,
        SourcePreset::Vocal,
    )));
    let _ = app.update(Message::Settings(settings_panel::Message::TemplateName(
        "friday-band".into(),
    )));
    let _ = app.update(Message::Settings(settings_panel::Message::SaveTemplate));
    assert!(dir.path().join("templates/friday-band.toml").exists());
    assert!(
        app.form
            .status
            .as_deref()
            .unwrap_or("")
            .contains("template saved"),
        "{:?}",
        app.form.status
    );

    // A bad name is refused with the reason, and nothing is written.
    let _ = app.update(Message::Settings(settings_panel::Message::TemplateName(
        "../evil".into(),
    )));
    let _ = app.update(Message::Settings(settings_panel::Message::SaveTemplate));
    assert!(app.form.status.as_deref().unwrap_or("").contains("must be"));

    let mut other = App::with_snapshot(snapshot(0));
    other.restore(
        &settings::Settings::default(),
        Some(dir.path().to_path_buf()),
    );
    let _ = other.update(Message::TogglePanel(Panel::Settings));
    assert_eq!(other.form.templates, vec!["friday-band".to_string()]);
    let _ = other.update(Message::Settings(settings_panel::Message::LoadTemplate(
        "friday-band".into(),
    )));
    assert_eq!(other.roster.name(2), "Vox");
    assert_eq!(other.roster.preset(2), SourcePreset::Vocal);
    assert_eq!(other.roster.name(0), "Input 1");
}

/// The three views, drawn by the tiny-skia renderer, match the hashes committed in
/// `tests/snapshots/` (regenerate by deleting them and running once with
/// `GAINSTAGE_BLESS=1`).
#[test]
fn views_match_their_pinned_snapshots() {
    let bless = std::env::var_os("GAINSTAGE_BLESS").is_some();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for view in [View::Bridge, View::Wall, View::Performer] {
        let mut app = App::with_snapshot(snapshot(3));
        app.performer_channels = vec![1, 2];
        let _ = app.update(Message::ShowView(view));
        let mut ui = iced_test::simulator::Simulator::with_size(
            iced_test::core::Settings::default(),
            Size::new(1280.0, 720.0),
            app.view(),
        );
        let shot = ui.snapshot(&iced::Theme::Dark).unwrap();
        if bless {
            // For a look before committing the new hashes (not committed: images are big).
            let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(view.name());
            shot.matches_image(&look).unwrap();
        }
        let name = dir.join(view.name());
        let pinned = dir.join(format!("{}-tiny-skia.sha256", view.name()));
        assert!(
            bless || pinned.exists(),
            "{} is missing: run with GAINSTAGE_BLESS=1 once",
            pinned.display()
        );
        assert!(
            shot.matches_hash(&name).unwrap(),
            "the {} view no longer draws as pinned in {}",
            view.name(),
            pinned.display()
        );
    }
}

/// Each view with a programme meter chosen for it (bridge: BBC PPM, wall: VU, performer:
/// K-20, alignment -18 dBFS), drawn on the meter's own scale, matches its pinned hash.
#[test]
fn views_with_a_programme_meter_match_their_pinned_snapshots() {
    use gainstage::meter::{MeterKind, ProgrammeSet};
    use gainstage::ui::settings_panel::{MeterChoice, MeterView};
    let bless = std::env::var_os("GAINSTAGE_BLESS").is_some();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let config = MeterConfig {
        programme: ProgrammeSet::of(MeterKind::ALL),
        ..MeterConfig::default()
    };
    let mut session = Session::new(3);
    session.bank = MeterBank::new(3, RATE, &config).unwrap();
    let mut shot = session.play(1.0);
    for (c, ch) in shot.channels.iter_mut().enumerate() {
        ch.readings.programme = session.bank.take_programme(c);
    }
    for (view, meter, kind) in [
        (View::Bridge, MeterView::Bridge, MeterKind::BbcPpm),
        (View::Wall, MeterView::Wall, MeterKind::Vu),
        (View::Performer, MeterView::Performer, MeterKind::K20),
    ] {
        let mut app = App::with_snapshot(shot.clone());
        app.performer_channels = vec![0, 1];
        let _ = app.update(Message::Settings(settings_panel::Message::ViewMeter(
            meter,
            MeterChoice::Kind(kind),
        )));
        let _ = app.update(Message::ShowView(view));
        let mut ui = iced_test::simulator::Simulator::with_size(
            iced_test::core::Settings::default(),
            Size::new(1280.0, 720.0),
            app.view(),
        );
        let image = ui.snapshot(&iced::Theme::Dark).unwrap();
        let name = format!("{}-{}", view.name(), kind.slug());
        if bless {
            let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(&name);
            image.matches_image(&look).unwrap();
        }
        let pinned = dir.join(format!("{name}-tiny-skia.sha256"));
        assert!(
            bless || pinned.exists(),
            "{} is missing: run with GAINSTAGE_BLESS=1 once",
            pinned.display()
        );
        assert!(
            image.matches_hash(dir.join(&name)).unwrap(),
            "the {name} view no longer draws as pinned in {}",
            pinned.display()
        );
    }
}

/// `snapshot`'s three inputs repeated to `n`, as a crowded interface shows them.
fn crowded(mut s: Snapshot, n: usize) -> Snapshot {
    let three = s.channels.clone();
    s.channels = (0..n)
        .map(|c| ChannelSnapshot {
            channel: c + 1,
            ..three[c % 3].clone()
        })
        .collect();
    s.source.channels = n;
    s
}

/// Where the first strip's "TP" readout sits under the meters: it moves if they change height.
fn readout_top(snapshot: Snapshot) -> f32 {
    let app = App::with_snapshot(snapshot);
    let mut ui = iced_test::simulator::Simulator::with_size(
        iced_test::core::Settings::default(),
        Size::new(1920.0, 1080.0),
        app.view(),
    );
    ui.find("TP").unwrap().bounds().y
}

/// On 32 narrow strips, a first clip (a count that once wrapped onto a second line) and a
/// first warning badge must not shrink every meter on the bridge.
#[test]
fn meters_keep_their_height_when_clips_and_warnings_come() {
    let calm = crowded(snapshot(0), 32);
    let mut alarmed = crowded(snapshot(40), 32);
    alarmed.channels[2].warnings = vec![gainstage::advisor::Warning {
        kind: gainstage::advisor::WarningKind::Hot,
        message: "Input 3: peaks reach -3.0 dBTP; turn the preamp down about 9 dB".into(),
        suggested_gain_db: Some(-9.0),
    }];
    assert_eq!(alarmed.channels[2].readings.overs, 40);
    assert_eq!(readout_top(calm), readout_top(alarmed));
}

#[path = "support/console_sim.rs"]
mod console_sim;
#[path = "support/drive.rs"]
mod drive;
#[path = "support/snapshots.rs"]
mod snapshots;

/// Polls the preamps' thread until it has done what the GUI asked: the network is its own.
fn wait_for_preamps(app: &mut App) {
    while app.soundcheck.preamp_status.as_deref() == Some("Setting preamps…") {
        std::thread::sleep(std::time::Duration::from_millis(5));
        app.poll_preamps();
    }
}

/// With a console's preamps reachable, the soundcheck's verdicts become actions: the hot
/// strip's badge reads "Apply ▼ 9.0 dB", Set all sets the headamps (queried first, on their own
/// thread), the session log gets a `gain` entry per change, and Undo puts them back.
#[test]
fn set_all_applies_the_verdicts_to_the_console_and_undo_puts_them_back() {
    use console_sim::{ConsoleSim, Dialect};
    use gainstage::preamps::RigConfig;
    use gainstage::preamps::worker::PreampWorker;

    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let logs = tempfile::tempdir().unwrap();
    let config = RigConfig {
        specs: vec![console.spec("x32").parse().unwrap()],
        ..RigConfig::default()
    };
    let worker = PreampWorker::spawn(config, 3, Some(logs.path().to_path_buf()), None).unwrap();
    let mut session = Session::new(4);
    let mut app = App::with_snapshot(session.play(0.5)).with_preamps(worker);
    app.settings.soundcheck_s = 1.0;
    let _ = app.update(Message::Soundcheck(soundcheck::Message::Toggle(1)));
    let _ = app.update(Message::Soundcheck(soundcheck::Message::Start));
    for _ in 0..15 {
        app.accept(session.play(0.1));
    }
    assert!(!app.soundcheck.is_listening());
    // Channel 2 (input 2): -3 dBFS sine, 9 dB over the -12 dBTP target.
    assert!(
        iced_test::simulator(app.view())
            .find("Apply ▼ 9.0 dB")
            .is_ok()
    );
    drive::click(&mut app, "Set all");
    wait_for_preamps(&mut app);
    assert_eq!(
        app.soundcheck.preamp_status.as_deref(),
        Some("Set 1 preamp")
    );
    assert_eq!((console.gain_db(2), console.gain_db(1)), (21.0, 30.0));
    let log: Vec<serde_json::Value> = std::fs::read_dir(logs.path())
        .unwrap()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["event"], "gain");
    assert_eq!(
        (
            log[0]["channel"].as_u64(),
            log[0]["from_db"].as_f64(),
            log[0]["to_db"].as_f64()
        ),
        (Some(2), Some(30.0), Some(21.0))
    );
    assert_eq!(log[0]["who"], "gui");

    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("Set 1 preamp").is_ok());
    // The verdicts describe the gains before: they are not offered again, and the strip
    // shows the preamp's gain instead.
    assert!(ui.find("Set all").is_err());
    assert!(ui.find("Apply ▼ 9.0 dB").is_err());
    assert!(ui.find("GAIN +21.0 dB").is_ok());
    // A picture to look at: the bar's Set all / Undo and the strip's Apply badge.
    let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("preamps-set-all");
    ui.snapshot(&iced::Theme::Dark)
        .unwrap()
        .matches_image(&look)
        .unwrap();
    drop(ui);
    drive::click(&mut app, "Undo");
    wait_for_preamps(&mut app);
    assert_eq!(
        app.soundcheck.preamp_status.as_deref(),
        Some("Undo: 1 preamp put back")
    );
    assert_eq!(console.gain_db(2), 30.0);
    assert!(console.errors().is_empty(), "{:?}", console.errors());
    // Back where the verdicts were made: they are offered again.
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("Apply ▼ 9.0 dB").is_ok());
    assert!(ui.find("Set all").is_ok());
}

/// Polls the preamps' thread until it has read every one of `inputs` gains.
fn until_gains_read(app: &mut App, inputs: usize) {
    while app.soundcheck.gains.len() < inputs {
        std::thread::sleep(std::time::Duration::from_millis(5));
        app.poll_preamps();
    }
}

/// The GUI reads the preamps when it starts: each strip shows its preamp's gain as the console
/// holds it before anything is set from here, and the detail panel says it in full. A
/// console that does not answer shows as unreachable on every strip it feeds, while the
/// meters go on taking snapshots.
#[test]
fn strips_show_the_preamps_gains_from_the_start_and_an_unreachable_one_as_such() {
    use console_sim::{ConsoleSim, Dialect};
    use gainstage::preamps::RigConfig;
    use gainstage::preamps::worker::PreampWorker;

    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    console.set_gain_db(2, 24.5);
    console.set_gain_db(3, -3.0);
    let config = |spec: String| RigConfig {
        specs: vec![spec.parse().unwrap()],
        ..RigConfig::default()
    };
    let worker = PreampWorker::spawn(config(console.spec("x32")), 3, None, None).unwrap();
    let mut session = Session::new(4);
    let mut app = App::with_snapshot(session.play(0.5)).with_preamps(worker);
    until_gains_read(&mut app, 3);
    let ui_texts = ["+30.0 dB", "+24.5 dB", "-3.0 dB"];
    for (input, want) in ui_texts.iter().enumerate() {
        assert_eq!(app.soundcheck.gain_text(input + 1).as_deref(), Some(*want));
    }
    {
        let mut ui = iced_test::simulator(app.view());
        assert!(ui.find("+24.5 dB").is_ok());
        assert!(ui.find("-3.0 dB").is_ok());
    }
    // Only asked: nothing was set.
    assert!(console.received().iter().all(|m| m.args.is_empty()));
    let _ = app.update(Message::Bridge(gainstage::ui::bridge::Message::Select(1)));
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("Preamp: +24.5 dB").is_ok());
    let look = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("preamps-read-at-start");
    ui.snapshot(&iced::Theme::Dark)
        .unwrap()
        .matches_image(&look)
        .unwrap();

    let gone = ConsoleSim::start(Dialect::X32, "127.0.0.3", 30.0);
    gone.go_silent();
    let worker = PreampWorker::spawn(config(gone.spec("x32")), 3, None, None).unwrap();
    let mut app = App::with_snapshot(session.play(0.5)).with_preamps(worker);
    let before = app.snapshot.as_ref().unwrap().t_s;
    app.accept(session.play(0.5));
    until_gains_read(&mut app, 3);
    assert!(
        app.snapshot.as_ref().unwrap().t_s > before,
        "metering goes on"
    );
    for input in 1..=3 {
        assert_eq!(
            app.soundcheck.gain_text(input).as_deref(),
            Some("unreachable")
        );
    }
    // Only the first input asked (each try once): an unreachable console costs one timeout,
    // not one per input.
    let asked: Vec<String> = gone.unanswered().into_iter().map(|m| m.addr).collect();
    assert_eq!(
        asked,
        vec!["/headamp/000/gain".to_string(); gainstage::preamps::NETWORK_TRIES as usize]
    );
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("unreachable").is_ok());
}
