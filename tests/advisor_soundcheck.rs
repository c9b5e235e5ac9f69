#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Soundcheck: every status from a synthesised performance through the real meters.

mod advisor_common;

use std::f64::consts::TAU;

use advisor_common::*;
use gainstage::advisor::soundcheck::{DEFAULT_LISTEN_S, json_line};
use gainstage::advisor::{PresetParams, Soundcheck, SoundcheckResult, SoundcheckStatus};
use gainstage::meter::{MeterBank, MeterConfig};

/// Six performers at once, one per channel.
fn performance(channel: usize, t: f64) -> f64 {
    let sine = |db: f64| amp(db) * (TAU * 1000.0 * t).sin();
    match channel {
        0 => sine(-3.0),
        1 => sine(-12.5),
        2 => sine(-30.0),
        3 => sine(2.0),
        4 => 0.0,
        // A body 50 dB under one sharp hit at -10 dBTP.
        _ => {
            let hit = (t * f64::from(RATE)).round() as u64 == 240_000;
            if hit { amp(-10.0) } else { sine(-60.0) }
        }
    }
}

fn soundcheck(listen_s: f64, feed_s: f64) -> (Soundcheck, Vec<SoundcheckResult>, f64) {
    let mut bank = MeterBank::new(6, RATE, &MeterConfig::default()).unwrap();
    // The meters ran before the soundcheck started; what they saw then must not count.
    feed_multi(
        &mut bank,
        2.0,
        |_, t| amp(6.0) * (TAU * 500.0 * t).sin(),
        |_, _| {},
    );
    let mut sc = Soundcheck::all(&vec![PresetParams::default(); 6], listen_s, RATE);
    let mut last = 0.0;
    feed_multi(&mut bank, feed_s, performance, |t, b| {
        for ch in 0..6 {
            sc.feed(t, ch, &b.readings(ch));
        }
        last = t;
    });
    let results = sc.results();
    (sc, results, last)
}

#[test]
fn every_status_with_its_advice() {
    let (sc, r, last) = soundcheck(DEFAULT_LISTEN_S, 10.2);
    assert!(sc.is_done(last));
    let status: Vec<_> = r.iter().map(|r| r.status).collect();
    assert_eq!(
        status,
        vec![
            SoundcheckStatus::TurnDown,
            SoundcheckStatus::Ok,
            SoundcheckStatus::TurnUp,
            SoundcheckStatus::Clipped,
            SoundcheckStatus::NoSignal,
            SoundcheckStatus::TooDynamic,
        ]
    );
    assert_eq!(r[0].suggested_gain_db, Some(-9.0));
    // A 1 kHz sine's true peak is its amplitude to 0.01 dB at 4x.
    assert!((r[0].max_true_peak_dbtp.unwrap() + 3.0).abs() < 0.01);
    assert!(r[0].message.contains("down about 9 dB"), "{}", r[0].message);
    assert_eq!(r[1].suggested_gain_db, Some(0.5));
    assert_eq!(r[2].suggested_gain_db, Some(18.0));
    assert!(r[3].suggested_gain_db.unwrap() <= -12.0);
    assert_eq!(r[4].suggested_gain_db, None);
    assert_eq!(r[4].max_true_peak_dbtp, None);
    assert_eq!(r[5].suggested_gain_db, Some(-2.0));
    assert!(r[5].message.contains("above the body"), "{}", r[5].message);
    for (i, res) in r.iter().enumerate() {
        assert_eq!(res.channel, i + 1);
        assert!(res.message.starts_with(&format!("Input {}:", i + 1)));
    }
}

#[test]
fn json_has_the_contract_shape() {
    let (_, r, _) = soundcheck(DEFAULT_LISTEN_S, 10.2);
    let line = json_line(&r[..1]);
    assert!(
        line.starts_with(r#"{"soundcheck":[{"channel":1,"status":"turn_down","suggested_gain_db":-9.0,"max_true_peak_dbtp":-"#),
        "{line}"
    );
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let first = &v["soundcheck"][0];
    assert_eq!(first["channel"], 1);
    assert_eq!(first["status"], "turn_down");
    assert_eq!(first["suggested_gain_db"], -9.0);
    assert!(first["max_true_peak_dbtp"].as_f64().unwrap() > -3.3);
    assert!(first["message"].is_string());
    assert_eq!(first.as_object().unwrap().len(), 5);
    let back: Vec<SoundcheckResult> = serde_json::from_value(v["soundcheck"].clone()).unwrap();
    assert_eq!(back, r[..1]);
}

#[test]
fn progress_and_selected_channels() {
    let mut bank = MeterBank::new(6, RATE, &MeterConfig::default()).unwrap();
    let mut sc = Soundcheck::new(vec![(2, PresetParams::default())], 4.0, RATE);
    let mut half = None;
    feed_multi(&mut bank, 4.1, performance, |t, b| {
        for ch in 0..6 {
            sc.feed(t, ch, &b.readings(ch));
        }
        if (t - 2.1).abs() < 1e-9 {
            half = Some((sc.progress(t), sc.is_done(t)));
        }
    });
    assert_eq!(half, Some((0.5, false)));
    let r = sc.results();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].channel, 3);
    assert_eq!(r[0].status, SoundcheckStatus::TurnUp);
}
