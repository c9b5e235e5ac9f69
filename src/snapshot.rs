//! What the meter thread publishes and every reader (GUI, headless printer) takes.
//! Plain data, no behaviour: the contract between capture and its readers.

use serde::Serialize;

use crate::advisor::Warning;
use crate::meter::{ChannelReadings, ClipRule};

/// Where the stream is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamState {
    /// Opening the device.
    Starting,
    /// Audio arriving.
    Running,
    /// The device went away; readings and counts are kept.
    Lost,
    /// Trying to open the same device again (every 2 s).
    Reconnecting,
    /// A finite source (a file) has played to its end.
    Finished,
}

/// What is being metered.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SourceInfo {
    /// cpal host name ("ALSA", "JACK", "PipeWire", "PulseAudio"), or "demo" / "file".
    pub host: String,
    /// Human-readable device name.
    pub device: String,
    /// Stable device id (cpal `DeviceId` as text), the thing settings store.
    pub device_id: String,
    pub sample_rate: u32,
    pub channels: usize,
    /// Period size in frames where the host reports it.
    pub buffer_frames: Option<u32>,
    /// Device sample format ("i16", "f32", ...).
    pub sample_format: String,
    /// True for the built-in demo generator.
    pub is_demo: bool,
    /// The names the device gives its channels (PipeWire channel positions such as "FL" or
    /// "AUX0", or the node's own channel names), in channel order; empty when it gives none.
    /// Channels a template or the user has not named show these.
    pub channel_names: Vec<String>,
    /// What counts as a clip here: full-scale codes for integer formats, a level for float
    /// ones. Set by the session from `sample_format` and its config.
    pub clip_rule: ClipRule,
}

/// One channel at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelSnapshot {
    /// Channel number, from 1.
    pub channel: usize,
    /// Meter readings. `sample_peak_dbfs` and `true_peak_dbtp` are the maxima since the
    /// reader's previous read; clip and over counts are the callback's exact counts.
    pub readings: ChannelReadings,
    /// The advisor's current warnings for this channel (with hysteresis applied).
    pub warnings: Vec<Warning>,
    /// Max true peak per 50 ms over the last 60 s (dBTP), oldest first: the headroom track.
    /// Shared: it changes every 50 ms, snapshots come every 17.
    pub history: std::sync::Arc<[f32]>,
}

/// Everything a reader needs to draw or print one frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// Increases by one per publish.
    pub seq: u64,
    /// Seconds of audio metered since the stream started: the clock takes are marked in
    /// (frames dropped when the meter thread fell behind are not in it; `dropped_frames`).
    pub t_s: f64,
    pub state: StreamState,
    pub source: SourceInfo,
    /// Whole frames dropped because the meter thread fell behind (clips are still counted).
    pub dropped_frames: u64,
    /// Over- and underruns the host reported.
    pub xruns: u64,
    pub channels: Vec<ChannelSnapshot>,
    /// The session log: entries handed to it, written, and not written (with why).
    pub log: crate::advisor::LogHealth,
    /// The open take's checkpoints: written, and not written (with why).
    pub checkpoints: crate::takes::CheckpointHealth,
    /// The latest clips and warnings raised or cleared, oldest first, as the session log
    /// records them; shared between snapshots until the next event.
    #[serde(skip)]
    pub events: std::sync::Arc<[crate::advisor::LogEntry]>,
    /// Takes that have ended, oldest first; shared between snapshots until the next one ends.
    #[serde(skip)]
    pub takes: std::sync::Arc<[crate::takes::TakeReport]>,
    /// True while a take is open or a marked one has yet to start.
    #[serde(skip)]
    pub takes_pending: bool,
    /// The take being recorded now, if any.
    #[serde(skip)]
    pub open_take: Option<crate::takes::OpenTakeInfo>,
}
