//! An hour of 32-channel audio through the whole live path (callback state, ring, meter
//! thread, advisor, session log) as fast as it goes: resident memory stays flat after the
//! warm-up, no frame is dropped, and every clip the source wrote is counted, in the readings
//! and in the session log. `cargo bench --bench soak` runs the same for 24 hours.
// Linux: memory is read from /proc.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The only unsafe: pointing this single-test binary's session log at a private directory
// before the session's threads start.
#![allow(unsafe_code)]

#[path = "support/soak.rs"]
mod soak;

use std::collections::BTreeMap;

use gainstage::advisor::{LogEventKind, WarningKind};

/// Audio pushed through: one hour.
const AUDIO_S: f64 = 3600.0;
/// Audio before the warm-up memory sample: every scene has played five times by then.
const WARMUP_S: f64 = 600.0;
/// Resident growth allowed after the warm-up.
const MAX_GROWTH_KB: i64 = 1024;

#[test]
fn an_hour_of_audio_keeps_memory_flat_and_counts_every_clip() {
    let data = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary, before any session thread exists.
    unsafe { soak::private_data_home(data.path()) };

    let r = soak::run(AUDIO_S, WARMUP_S, false);
    println!("{}", r.summary());

    assert_eq!(r.last.dropped_frames, 0, "the feeder waits for room");
    assert_eq!(r.last.xruns, 0);
    assert!(
        r.growth_kb() <= MAX_GROWTH_KB,
        "resident memory grew {} kB after warm-up: {}",
        r.growth_kb(),
        r.summary()
    );
    assert_eq!(r.last.t_s, r.frames as f64 / f64::from(soak::RATE));

    let mut log_overs: BTreeMap<usize, u64> = BTreeMap::new();
    let mut raised: BTreeMap<(usize, WarningKind), u64> = BTreeMap::new();
    let mut cleared: BTreeMap<(usize, WarningKind), u64> = BTreeMap::new();
    for e in &r.log {
        match (e.event, e.kind) {
            (LogEventKind::Clip, _) => *log_overs.entry(e.channel).or_default() += e.count,
            (LogEventKind::Raised, Some(k)) => *raised.entry((e.channel, k)).or_default() += 1,
            (LogEventKind::Cleared, Some(k)) => *cleared.entry((e.channel, k)).or_default() += 1,
            (LogEventKind::TakeStart | LogEventKind::TakeEnd, _) => {
                panic!("the soak marks no takes: {e:?}")
            }
            (LogEventKind::Gain, _) => panic!("the soak sets no preamps: {e:?}"),
            (_, None) => panic!("a warning event without its kind: {e:?}"),
        }
    }

    for (c, (ch, fed)) in r.last.channels.iter().zip(&r.fed).enumerate() {
        let n = c + 1;
        assert_eq!(
            ch.readings.frames, r.frames,
            "channel {n}: every frame metered"
        );
        assert_eq!(ch.readings.clipped_samples, fed.clipped, "channel {n}");
        assert_eq!(ch.readings.overs, fed.overs, "channel {n}");
        assert_eq!(ch.readings.longest_clip_run, fed.longest_run, "channel {n}");
        assert_eq!(
            log_overs.get(&n).copied().unwrap_or(0),
            fed.overs,
            "channel {n}: the session log's clip counts add up to the overs"
        );
        if c % 2 == 0 {
            assert!(fed.overs > 0, "channel {n} was fed overs");
            // Latched: raised once, never cleared without a reset.
            assert_eq!(raised.get(&(n, WarningKind::Clip)), Some(&1), "channel {n}");
            assert_eq!(cleared.get(&(n, WarningKind::Clip)), None, "channel {n}");
        } else {
            assert_eq!(fed.clipped, 0);
            assert_eq!(raised.get(&(n, WarningKind::Clip)), None, "channel {n}");
        }
        // A warning is cleared only after it was raised, and at most once per raise.
        for kind in [
            WarningKind::Hot,
            WarningKind::Low,
            WarningKind::NoSignal,
            WarningKind::Noisy,
            WarningKind::DcOffset,
            WarningKind::Rumble,
        ] {
            let up = raised.get(&(n, kind)).copied().unwrap_or(0);
            let down = cleared.get(&(n, kind)).copied().unwrap_or(0);
            assert!(
                up == down || up == down + 1,
                "channel {n} {kind:?}: {up} raised, {down} cleared"
            );
        }
    }
    // The scenes raise and clear warnings over and over: every 2-minute cycle on every channel.
    let cycles = (AUDIO_S / 120.0) as u64 - 1;
    for kind in [WarningKind::NoSignal, WarningKind::Low, WarningKind::Noisy] {
        for n in 1..=soak::CHANNELS {
            let up = raised.get(&(n, kind)).copied().unwrap_or(0);
            assert!(up >= cycles, "channel {n} {kind:?}: raised {up} times");
        }
    }
    for n in (2..=soak::CHANNELS).step_by(2) {
        let up = raised.get(&(n, WarningKind::Hot)).copied().unwrap_or(0);
        assert!(up >= cycles, "channel {n} hot: raised {up} times");
    }
}
