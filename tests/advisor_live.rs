#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Live advisor: hysteresis, latching, windows, and the events it hands to the session log.

mod advisor_common;

use std::f64::consts::TAU;

use advisor_common::*;
use gainstage::advisor::{
    LiveAdvisor, LiveConfig, LogEventKind, PresetParams, SourcePreset, WarningKind,
};
use gainstage::meter::{MeterBank, MeterConfig};

/// Runs `secs` of `signal` through a meter and the advisor, recording the warning kinds after
/// every 100 ms update.
fn run(
    advisor: &mut LiveAdvisor,
    bank: &mut MeterBank,
    t0: f64,
    secs: f64,
    signal: impl FnMut(f64) -> f64,
) -> Vec<(f64, Vec<WarningKind>)> {
    let mut seen = Vec::new();
    feed(bank, secs, signal, |t, b| {
        let ws = advisor.update(t0 + t, 0, &b.readings(0));
        seen.push((t0 + t, ws.iter().map(|w| w.kind).collect()));
    });
    seen
}

fn setup(config: LiveConfig) -> (LiveAdvisor, MeterBank) {
    (
        LiveAdvisor::new(vec![PresetParams::default()], RATE, config),
        MeterBank::new(1, RATE, &MeterConfig::default()).unwrap(),
    )
}

fn tone(peak_db: f64) -> impl FnMut(f64) -> f64 {
    move |t| amp(peak_db) * (TAU * 1000.0 * t).sin()
}

/// How often `kind` switched on or off over the run, starting from off.
fn toggles(seen: &[(f64, Vec<WarningKind>)], kind: WarningKind) -> usize {
    let mut on = false;
    let mut n = 0;
    for (_, kinds) in seen {
        if kinds.contains(&kind) != on {
            on = !on;
            n += 1;
        }
    }
    n
}

#[test]
fn well_staged_session_never_warns() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let seen = run(&mut adv, &mut bank, 0.0, 30.0, phrases(220.0, -12.0, -80.0));
    assert!(seen.iter().all(|(_, k)| k.is_empty()), "{seen:?}");
    assert!(adv.drain_events().is_empty());
}

#[test]
fn sustained_tone_never_reads_as_noisy() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let seen = run(&mut adv, &mut bank, 0.0, 30.0, tone(-14.0));
    assert!(seen.iter().all(|(_, k)| k.is_empty()), "{seen:?}");
}

/// Peaks hovering across the hot threshold: 1 s at -5.8 dBTP, 1 s at -6.4, for 20 s.
fn hovering(t: f64) -> f64 {
    let level = if (t as u64).is_multiple_of(2) {
        -5.8
    } else {
        -6.4
    };
    amp(level) * (TAU * 1000.0 * t).sin()
}

#[test]
fn level_hovering_at_the_hot_threshold_does_not_flicker() {
    // A short window, so only the hysteresis (not a long peak memory) can hold the warning.
    let config = LiveConfig {
        window_s: 0.5,
        ..LiveConfig::default()
    };
    let (mut adv, mut bank) = setup(config);
    let seen = run(&mut adv, &mut bank, 0.0, 20.0, hovering);
    assert_eq!(
        toggles(&seen, WarningKind::Hot),
        1,
        "raised once, never cleared"
    );
    assert!(seen[0].1.contains(&WarningKind::Hot), "raised at once");
    let raised: Vec<_> = adv
        .drain_events()
        .into_iter()
        .filter(|e| e.kind == Some(WarningKind::Hot))
        .collect();
    assert_eq!(raised.len(), 1);

    // The same signal without hysteresis would flicker: the test signal really hovers.
    let bare = LiveConfig {
        window_s: 0.5,
        clear_after_s: 0.0,
        level_slack_db: 0.0,
        ..LiveConfig::default()
    };
    let (mut adv, mut bank) = setup(bare);
    let seen = run(&mut adv, &mut bank, 0.0, 20.0, hovering);
    assert!(toggles(&seen, WarningKind::Hot) >= 10);
}

#[test]
fn hot_clears_only_after_the_condition_has_been_gone_a_while() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let mut seen = run(&mut adv, &mut bank, 0.0, 2.0, tone(-3.0));
    let w = adv.warnings(0);
    assert_eq!(w[0].kind, WarningKind::Hot);
    assert_eq!(w[0].suggested_gain_db, Some(-9.0));
    assert!(w[0].message.starts_with("Input 1: "), "{}", w[0].message);
    seen.extend(run(&mut adv, &mut bank, 2.0, 20.0, tone(-14.0)));
    // The peaks leave the 10 s window at 12 s; then 3 s without them.
    for (t, kinds) in &seen {
        let hot = kinds.contains(&WarningKind::Hot);
        if *t <= 14.4 {
            assert!(hot, "cleared early at {t}");
        }
        if *t >= 15.6 {
            assert!(!hot, "still hot at {t}");
        }
    }
    assert_eq!(toggles(&seen, WarningKind::Hot), 2);
}

#[test]
fn clip_stays_latched_until_reset() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    run(&mut adv, &mut bank, 0.0, 1.0, tone(3.0));
    let seen = run(&mut adv, &mut bank, 1.0, 20.0, tone(-14.0));
    assert!(
        seen.iter().all(|(_, k)| k == &vec![WarningKind::Clip]),
        "{seen:?}"
    );
    let gain = adv.warnings(0)[0].suggested_gain_db.unwrap();
    assert!(gain <= -12.0, "{gain}");

    adv.reset(0);
    let after = run(&mut adv, &mut bank, 21.0, 1.0, tone(-14.0));
    assert!(after.iter().all(|(_, k)| k.is_empty()), "{after:?}");

    let drained = adv.drain_events();
    assert!(drained[0].level_dbtp.unwrap() >= 0.0, "{:?}", drained[0]);
    let events: Vec<_> = drained.into_iter().map(|e| (e.event, e.kind)).collect();
    assert_eq!(events[0], (LogEventKind::Clip, None));
    assert!(events.contains(&(LogEventKind::Raised, Some(WarningKind::Clip))));
    assert_eq!(
        events.last(),
        Some(&(LogEventKind::Cleared, Some(WarningKind::Clip)))
    );
}

#[test]
fn no_signal_waits_for_its_window_and_clears_when_signal_comes() {
    // The first update comes after the first 100 ms block; the window counts from there.
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let seen = run(&mut adv, &mut bank, 0.0, 8.0, |_| 0.0);
    for (t, kinds) in &seen {
        assert_eq!(kinds.contains(&WarningKind::NoSignal), *t > 5.05, "at {t}");
        assert!(!kinds.contains(&WarningKind::Low));
    }
    let seen = run(&mut adv, &mut bank, 8.0, 5.0, phrases(220.0, -12.0, -80.0));
    assert!(seen.last().unwrap().1.is_empty(), "{seen:?}");
}

#[test]
fn low_needs_a_full_window_of_quiet_peaks() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let seen = run(
        &mut adv,
        &mut bank,
        0.0,
        12.0,
        phrases(1000.0, -40.0, -90.0),
    );
    for (t, kinds) in &seen {
        assert_eq!(kinds.contains(&WarningKind::Low), *t > 10.05, "at {t}");
    }
    assert_eq!(adv.warnings(0)[0].suggested_gain_db, Some(28.0));
}

#[test]
fn dc_offset_must_be_sustained() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let mut take = phrases(220.0, -14.0, -80.0);
    let seen = run(&mut adv, &mut bank, 0.0, 6.0, move |t| take(t) + 0.02);
    let first = seen
        .iter()
        .find(|(_, k)| k.contains(&WarningKind::DcOffset))
        .map(|(t, _)| *t)
        .unwrap();
    assert!((2.0..=3.5).contains(&first), "{first}");
    assert_eq!(seen.last().unwrap().1, vec![WarningKind::DcOffset]);
}

#[test]
fn preset_change_applies_live() {
    let mut adv = LiveAdvisor::uniform(2, &SourcePreset::Generic.params(), RATE);
    let mut bank = MeterBank::new(2, RATE, &MeterConfig::default()).unwrap();
    adv.set_params(1, SourcePreset::Vocal.params());
    feed_multi(
        &mut bank,
        3.0,
        |_, t| amp(-7.0) * (TAU * 1000.0 * t).sin(),
        |t, b| {
            adv.update(t, 0, &b.readings(0));
            adv.update(t, 1, &b.readings(1));
        },
    );
    assert!(adv.warnings(0).is_empty());
    assert_eq!(adv.warnings(1)[0].kind, WarningKind::Hot);
    assert!(adv.warnings(1)[0].message.starts_with("Input 2: "));
    assert!(adv.warnings(7).is_empty());
}

#[test]
fn steady_part_after_a_loud_burst_is_not_a_noise_floor() {
    // Measured against the loudest moment, the steady part would sit 16 dB under it and read
    // as a floor; against the typical level it is the body.
    let (mut adv, mut bank) = setup(LiveConfig::default());
    run(&mut adv, &mut bank, 0.0, 1.0, tone(-1.0));
    let seen = run(&mut adv, &mut bank, 1.0, 20.0, tone(-16.0));
    assert!(
        seen.iter().all(|(_, k)| !k.contains(&WarningKind::Noisy)),
        "{seen:?}"
    );
}

#[test]
fn idle_mic_between_songs_is_not_low() {
    // Room hiss at -60 dBFS: something is there, but no performance to turn up.
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let mut n = Noise::new(11);
    let seen = run(&mut adv, &mut bank, 0.0, 20.0, move |_| {
        noise_amp(-60.0) * n.sample()
    });
    assert!(seen.iter().all(|(_, k)| k.is_empty()), "{seen:?}");
}

#[test]
fn rumble_must_be_sustained_live() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let mut take = phrases(220.0, -14.0, -80.0);
    let seen = run(&mut adv, &mut bank, 0.0, 8.0, move |t| {
        take(t) + amp(-20.0) * (TAU * 20.0 * t).sin()
    });
    let first = seen
        .iter()
        .find(|(_, k)| k.contains(&WarningKind::Rumble))
        .map(|(t, _)| *t)
        .unwrap();
    assert!(first >= 2.0, "{first}");
    assert_eq!(seen.last().unwrap().1, vec![WarningKind::Rumble]);
}

#[test]
fn nothing_metered_yet_starts_no_clock() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    let empty = bank.readings(0);
    for i in 0..100 {
        assert!(adv.update(f64::from(i) * 0.1, 0, &empty).is_empty());
    }
    // The first real audio arrives at 10 s: no_signal still needs its own 5 s.
    let seen = run(&mut adv, &mut bank, 10.0, 3.0, |_| 0.0);
    assert!(seen.iter().all(|(_, k)| k.is_empty()), "{seen:?}");
}

#[test]
fn longer_no_signal_window_set_live_keeps_what_was_heard() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    run(&mut adv, &mut bank, 0.0, 12.0, phrases(220.0, -12.0, -80.0));
    adv.set_params(
        0,
        PresetParams {
            no_signal_window_s: 15.0,
            ..PresetParams::default()
        },
    );
    // Silence from 12 s: with a 15 s window there is no "no signal" before 27 s.
    let seen = run(&mut adv, &mut bank, 12.0, 14.0, |_| 0.0);
    assert!(
        seen.iter()
            .all(|(_, k)| !k.contains(&WarningKind::NoSignal)),
        "{seen:?}"
    );
    let seen = run(&mut adv, &mut bank, 26.0, 2.0, |_| 0.0);
    assert!(seen.last().unwrap().1.contains(&WarningKind::NoSignal));
}

#[test]
fn pulled_cable_shows_no_signal_after_five_seconds() {
    let (mut adv, mut bank) = setup(LiveConfig::default());
    run(&mut adv, &mut bank, 0.0, 6.0, tone(-12.0));
    let seen = run(&mut adv, &mut bank, 6.0, 7.0, |_| 0.0);
    let first = seen
        .iter()
        .find(|(_, k)| k.contains(&WarningKind::NoSignal))
        .map(|(t, _)| *t)
        .unwrap();
    assert!((11.0..=11.5).contains(&first), "{first}");
}
