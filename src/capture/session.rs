//! A running capture: source → ring → meter thread → snapshots. The API the GUI and the
//! headless monitor drive. (Contract; the implementation lands with live capture.)

use crate::advisor::SourcePreset;
use crate::cli::SourceArgs;
use crate::meter::MeterConfig;
use crate::snapshot::Snapshot;

/// Why a capture could not start; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{0}")]
    Message(String),
}

/// Settings a session starts with.
#[derive(Debug, Clone, Default)]
pub struct SessionConfig {
    pub meter: MeterConfig,
    /// Preset per channel (index 0 = channel 1); missing channels use `SourcePreset::Generic`.
    pub presets: Vec<SourcePreset>,
}

/// Requests to the meter thread. Sending never blocks the sender or the meter thread.
#[derive(Debug, Clone, PartialEq)]
pub enum MeterCommand {
    /// Clear every channel's readings, counts and latched clips.
    ResetAll,
    /// Clear one channel (index from 0).
    ResetChannel(usize),
    /// Change one channel's source preset (index from 0).
    SetPreset(usize, SourcePreset),
}

/// A running capture. Dropping it stops the stream and the meter thread.
#[derive(Debug)]
pub struct Session {
    _private: (),
}

/// One reader's view of the snapshots; peaks it reads are the maxima since its previous read.
#[derive(Debug, Clone)]
pub struct SnapshotReader {
    _private: (),
}

impl Session {
    /// Opens the source the arguments name (device, `--file` or `--demo`).
    pub fn start(_source: &SourceArgs, _config: SessionConfig) -> Result<Session, CaptureError> {
        Err(CaptureError::Message(
            "live capture is not built yet".into(),
        ))
    }

    /// A new independent reader.
    pub fn reader(&self) -> SnapshotReader {
        SnapshotReader { _private: () }
    }

    /// Queues a command for the meter thread.
    pub fn send(&self, _command: MeterCommand) {}
}

impl SnapshotReader {
    /// The latest snapshot, with peaks merged since this reader's previous call; `None` before
    /// the first publish.
    pub fn read(&mut self) -> Option<Snapshot> {
        None
    }
}
