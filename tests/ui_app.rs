//! GUI interaction through iced's own simulator, on snapshots built from real meter readings.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gainstage::meter::{MeterBank, MeterConfig};
use gainstage::snapshot::{ChannelSnapshot, Snapshot, SourceInfo, StreamState};
use gainstage::ui::app::{App, Message, View};
use gainstage::ui::bridge;
use iced::keyboard::Key;

const RATE: u32 = 48_000;

/// Three channels of 1 s sine at -12, -3 and -20 dBFS; channel 3 also has `overs` isolated
/// full-scale samples.
fn snapshot(overs: usize) -> Snapshot {
    let mut bank = MeterBank::new(3, RATE, &MeterConfig::default()).unwrap();
    let sine = |db: f64| -> Vec<f32> {
        let a = 10f64.powf(db / 20.0);
        (0..RATE)
            .map(|n| {
                (a * (2.0 * std::f64::consts::PI * 1000.0 * f64::from(n) / f64::from(RATE)).sin())
                    as f32
            })
            .collect()
    };
    let mut clipped = sine(-20.0);
    for k in 0..overs {
        clipped[1000 + k * 4000] = 1.0;
    }
    let blocks = [sine(-12.0), sine(-3.0), clipped];
    bank.process_planar(&[&blocks[0], &blocks[1], &blocks[2]]);
    Snapshot {
        seq: 1,
        t_s: 1.0,
        state: StreamState::Running,
        source: SourceInfo {
            host: "test".into(),
            device: "test".into(),
            device_id: "test".into(),
            sample_rate: RATE,
            channels: 3,
            buffer_frames: Some(256),
            sample_format: "f32".into(),
            is_demo: false,
        },
        dropped_frames: 0,
        xruns: 0,
        channels: (0..3)
            .map(|c| ChannelSnapshot {
                channel: c + 1,
                readings: bank.readings(c),
                warnings: Vec::new(),
                history: bank.meter(c).peak_history().collect(),
            })
            .collect(),
    }
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
fn renaming_a_channel_shows_the_new_name() {
    let mut app = App::with_snapshot(snapshot(0));
    let _ = app.update(Message::Bridge(bridge::Message::Rename(
        1,
        "Kick in".into(),
    )));
    assert_eq!(app.name(1), "Kick in");
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("Kick in").is_ok());
}

#[test]
fn number_keys_and_escape_switch_views() {
    let mut app = App::with_snapshot(snapshot(0));
    let _ = app.update(Message::Key(Key::Character("3".into())));
    assert_eq!(app.view, View::Performer);
    let _ = app.update(Message::Key(Key::Character("2".into())));
    assert_eq!(app.view, View::Wall);
    let _ = app.update(Message::Key(Key::Named(iced::keyboard::key::Named::Escape)));
    assert_eq!(app.view, View::Bridge);
}

#[test]
fn performer_view_says_one_word_per_channel() {
    let mut app = App::with_snapshot(snapshot(2));
    app.performer_channels = vec![0, 2];
    let _ = app.update(Message::ShowView(View::Performer));
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("GOOD").is_ok());
    assert!(ui.find("CLIP").is_ok());
}

#[test]
fn names_presets_and_view_survive_a_restart() {
    use gainstage::advisor::SourcePreset;
    use gainstage::settings;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::with_snapshot(snapshot(0));
    app.restore(
        &settings::Settings::default(),
        Some(dir.path().to_path_buf()),
    );
    let _ = app.update(Message::Bridge(bridge::Message::Rename(
        0,
        "Kick in".into(),
    )));
    let _ = app.update(Message::Bridge(bridge::Message::SetPreset(
        0,
        SourcePreset::Kick,
    )));
    let _ = app.update(Message::ShowView(View::Performer));

    let (saved, problem) = settings::load(dir.path());
    assert!(problem.is_none());
    let mut again = App::with_snapshot(snapshot(0));
    again.restore(&saved, None);
    assert_eq!(again.name(0), "Kick in");
    assert_eq!(again.preset(0), SourcePreset::Kick);
    // The kick preset's thresholds now drive the meter colours and target zone.
    assert_eq!(
        again.params(0).target_dbtp,
        SourcePreset::Kick.params().target_dbtp
    );
    assert_eq!(View::from_name(&saved.view), View::Performer);
}
