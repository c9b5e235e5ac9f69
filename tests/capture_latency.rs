//! What reaches a reader through the real meter thread: every period pushed into the callback
//! arrives in a snapshot, whole and in order. How fast it arrives is a figure for a machine,
//! not a test: `cargo bench --bench capture_latency` measures it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use gainstage::capture::{Session, SessionConfig, SnapshotReader};
use gainstage::snapshot::{Snapshot, SourceInfo};

const CH: usize = 16;
const PERIOD: usize = 256;

/// Reads until `done` holds for a snapshot. The deadline only stops a broken pipeline from
/// hanging the test run; it is minutes above any latency, not a performance bound.
fn read_until(reader: &mut SnapshotReader, mut done: impl FnMut(&Snapshot) -> bool) -> Snapshot {
    let start = Instant::now();
    loop {
        if let Some(s) = reader.read()
            && done(&s)
        {
            return s;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "never arrived");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn every_spike_pushed_arrives_in_a_snapshot_in_order() {
    let info = SourceInfo {
        host: "test".into(),
        device: "latency".into(),
        device_id: "test:latency".into(),
        sample_rate: 48_000,
        channels: CH,
        buffer_frames: Some(PERIOD as u32),
        sample_format: "f32".into(),
        is_demo: false,
        channel_names: Vec::new(),
        clip_rule: Default::default(),
    };
    let (session, mut cb) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let mut reader = session.reader();
    let quiet = vec![0.001f32; CH * PERIOD];
    let mut pushed = 0u64;
    let mut last_frames = 0u64;
    let mut last_seq = 0u64;
    // Spikes of rising level, each on its own channel: each must show in the channel it was
    // pushed to at the level it was pushed at, and nothing from a later period may show
    // before it.
    for (k, ch) in (0..CH).enumerate() {
        let level = 0.1 + 0.05 * k as f32;
        let mut spike = quiet.clone();
        spike[CH * 100 + ch] = level;
        cb.process(&quiet);
        cb.process(&spike);
        pushed += 2 * PERIOD as u64;
        let s = read_until(&mut reader, |s| s.channels[0].readings.frames >= pushed);
        assert_eq!(
            s.channels[0].readings.frames, pushed,
            "whole periods, no more"
        );
        assert!(s.seq > last_seq && s.channels[0].readings.frames > last_frames);
        last_seq = s.seq;
        last_frames = s.channels[0].readings.frames;
        for (c, x) in s.channels.iter().enumerate() {
            let want = if c < ch {
                // Earlier spikes, earlier levels: the since-reset maxima of their channels.
                20.0 * f64::from(0.1 + 0.05 * c as f32).log10()
            } else if c == ch {
                20.0 * f64::from(level).log10()
            } else {
                20.0 * 0.001f64.log10()
            };
            assert!(
                (x.readings.max_sample_peak_dbfs - want).abs() < 1e-4,
                "channel {c} after spike {k}: {} dBFS, want {want}",
                x.readings.max_sample_peak_dbfs
            );
        }
    }
    assert_eq!(read_until(&mut reader, |_| true).dropped_frames, 0);
}
