//! What analysing one recorded file found: the per-channel readings with the advisor's
//! warnings, and the programme loudness. `analyze` fills these; `report` renders them.

use std::path::PathBuf;

use crate::advisor::Warning;
use crate::meter::{ChannelReadings, ClipRule};

/// One channel's result.
#[derive(Debug, Clone)]
pub struct ChannelReport {
    /// Channel number, from 1.
    pub channel: usize,
    pub readings: ChannelReadings,
    /// The advisor's judgement of the whole take on this channel.
    pub warnings: Vec<Warning>,
}

/// Programme loudness of a 1–5 channel file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgramReport {
    pub integrated_lufs: f64,
    pub loudness_range_lu: f64,
    /// Max true peak over all channels (dBTP).
    pub true_peak_dbtp: f64,
}

/// Everything `analyze` found in one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub file: PathBuf,
    pub sample_rate: u32,
    pub channels: usize,
    pub bits_per_sample: u16,
    pub float: bool,
    /// What counted as a clip in this file.
    pub clip_rule: ClipRule,
    /// Whole frames metered.
    pub frames: u64,
    pub duration_s: f64,
    /// Set when the file ended or failed before the length its header announces: the report
    /// covers the frames that could be read.
    pub truncated: Option<String>,
    pub per_channel: Vec<ChannelReport>,
    /// `None` for more than 5 channels (no standard weighting).
    pub program: Option<ProgramReport>,
}
