//! Takes: marked spans of a session, each with a headroom report per input (peaks, clip
//! bursts with their times, loudness, warnings, a verdict and a bounded headroom track).
//!
//! Where it runs: the meter thread feeds [`TakeTracker`] every metered block, not the readers
//! from snapshots. Snapshots carry clip counts and peaks only as of each publish (60 a second,
//! and a reader like `monitor` looks ten times a second), so a burst's time would be off by up
//! to a read interval; the meter thread knows each block's first and last clipped frame, so
//! bursts are placed to the sample and take boundaries fall on exact frames (the thread meters
//! up to a boundary and no further). Its cost there is O(channels) per block with no
//! allocation while a take is open but a copy of its state every 10 s for its checkpoint:
//! each input's state (burst list capped at [`MAX_BURSTS`], gating histograms, a
//! [`TRACK_POINTS`] headroom track) is sized when the take starts, and the report is built
//! when it ends, on the keeper thread. Clip counts are the meter's own (same rule and over
//! length as the callback's); they differ from the callback's exact counts only for frames the
//! meter thread dropped, and stream time here is metered frames.
//!
//! Integrated loudness and loudness range are gated ([`crate::meter::gating`]) from the
//! meter's own 400 ms blocks and 3 s windows (one each per 100 ms slice) that lie wholly
//! inside the take; a take shorter than about 3.1 s has no loudness range (`null`).
//!
//! Readers get finished reports as an `Arc<[TakeReport]>` in every snapshot, rebuilt only when
//! a take ends; [`store`] saves them per session (JSON and CSV) in the data directory. The
//! reports themselves are built off the meter thread by [`keeper`], which also checkpoints a
//! running take every 10 s ([`checkpoint`]) so a crash loses at most those seconds; [`lock`]
//! gives each run a session of its own.

pub mod auto;
pub mod burst;
pub mod checkpoint;
pub mod keeper;
pub mod lock;
pub mod log;
pub mod report;
pub mod run;
pub mod saver;
pub mod store;
pub mod summary;
pub mod track;
pub mod tracker;

pub use auto::AutoTakeConfig;
pub use burst::{BURST_GAP_S, BurstDetector, BurstReport};
pub use keeper::CheckpointHealth;
pub use report::{InputReport, TakeReport};
pub use summary::{InputSummary, TakeSummary};
pub use track::{TRACK_POINTS, TrackReport};
pub use tracker::{BlockReading, OpenTakeInfo, TakeState, TakeTracker};

/// Bursts a report lists per input and take; later ones are counted, not listed.
pub const MAX_BURSTS: usize = 250;

/// A take marked ahead of time, in seconds of stream time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TakeSpan {
    pub start_s: f64,
    pub end_s: f64,
}

impl std::str::FromStr for TakeSpan {
    type Err = String;

    /// "START-END" in seconds, e.g. "0.5-2.0".
    fn from_str(text: &str) -> Result<Self, String> {
        let (a, b) = text.trim().split_once('-').ok_or_else(|| {
            format!("'{text}' is not a span: give START-END in seconds, e.g. 0.5-2.0")
        })?;
        let secs = |v: &str| -> Result<f64, String> {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("'{v}' in '{text}' is not a time in seconds (0 or more)"))
        };
        let (start_s, end_s) = (secs(a)?, secs(b)?);
        if end_s <= start_s {
            return Err(format!("take '{text}' ends before it starts"));
        }
        Ok(Self { start_s, end_s })
    }
}

/// Spans sorted by start; overlapping spans are refused (one take is open at a time, as
/// when a person marks them). Touching spans (one's end is the next one's start) are fine.
pub fn check_spans(spans: &[TakeSpan]) -> Result<Vec<TakeSpan>, String> {
    let mut sorted = spans.to_vec();
    sorted.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    for pair in sorted.windows(2) {
        if pair[1].start_s < pair[0].end_s {
            return Err(format!(
                "takes {}-{} and {}-{} overlap: one take at a time",
                pair[0].start_s, pair[0].end_s, pair[1].start_s, pair[1].end_s
            ));
        }
    }
    Ok(sorted)
}
