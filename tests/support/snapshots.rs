//! Snapshots for the GUI tests: what the meter thread would publish for a source the test
//! meters itself, so a view can be driven without a running session.

#![allow(dead_code)] // each test file uses the part it needs

use std::sync::Arc;

use gainstage::meter::MeterBank;
use gainstage::snapshot::{ChannelSnapshot, Snapshot, SourceInfo, StreamState};

/// A running f32 test source's snapshot at `t_s` s with these channels and no log, events or
/// takes; `names` name the inputs (empty: they are numbered).
pub fn running(
    t_s: f64,
    rate: u32,
    names: Vec<String>,
    channels: Vec<ChannelSnapshot>,
) -> Snapshot {
    Snapshot {
        seq: 1,
        t_s,
        state: StreamState::Running,
        source: SourceInfo {
            host: "test".into(),
            device: "test".into(),
            device_id: "test".into(),
            sample_rate: rate,
            channels: channels.len(),
            buffer_frames: Some(256),
            sample_format: "f32".into(),
            is_demo: false,
            channel_names: names,
            clip_rule: Default::default(),
        },
        dropped_frames: 0,
        xruns: 0,
        channels,
        log: Default::default(),
        checkpoints: Default::default(),
        events: Arc::from(Vec::new()),
        takes: Arc::from(Vec::new()),
        takes_pending: false,
        open_take: None,
    }
}

/// Channel `number` (from 1) showing what `bank`'s meter `index` read, with its history and
/// no warnings.
pub fn metered_channel(number: usize, bank: &MeterBank, index: usize) -> ChannelSnapshot {
    ChannelSnapshot {
        channel: number,
        readings: bank.readings(index),
        warnings: Vec::new(),
        history: bank.meter(index).peak_history().collect(),
    }
}
