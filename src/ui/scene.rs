//! What every view draws from: one snapshot, the channels' names and levels, the reader the
//! meters take their frames from, and the colours. Views take this and their own layers, not
//! the whole application.

use super::palette::Neutral;
use super::roster::Roster;
use crate::capture::SnapshotReader;
use crate::snapshot::Snapshot;

#[derive(Debug, Clone, Copy)]
pub struct Scene<'a> {
    /// The snapshot the words and numbers show (taken at the latest tick).
    pub snapshot: &'a Snapshot,
    pub roster: &'a Roster,
    /// Where the meters take their snapshot every frame; `None` without a live input.
    pub live: Option<&'a SnapshotReader>,
    pub neutral: Neutral,
    /// What each view's bars show.
    pub bars: super::bars::ViewBars,
}
