//! The advisor's vocabulary: what can be wrong with a channel, and what to do about it.

use serde::{Deserialize, Serialize};

/// Fixed vocabulary; the snake_case names are the JSON `kind` contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    Clip,
    Hot,
    Low,
    NoSignal,
    DcOffset,
    Rumble,
    Noisy,
    /// A mix bus or master whose short-term loudness crowds its true-peak ceiling: limited
    /// so hard that mastering (or the platform's normalisation) has nothing left to work with.
    Loud,
}

/// One problem on one channel with the action that fixes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// One line naming the input and saying what to do, e.g. "Input 3: peaks reach -5.0 dBTP,
    /// under 6 dB headroom; turn the preamp down about 7 dB".
    pub message: String,
    /// Preamp change that fixes it (dB, rounded to 0.5), where a gain change does.
    pub suggested_gain_db: Option<f64>,
}
