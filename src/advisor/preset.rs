//! Source presets: what kind of source sits on a channel. (Contract: the names; the targets
//! and thresholds each preset sets land with the advisor.)

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourcePreset {
    #[default]
    Generic,
    Vocal,
    Speech,
    Kick,
    Snare,
    Toms,
    Overheads,
    Room,
    BassDi,
    BassAmp,
    ElectricGuitar,
    AcousticGuitar,
    KeysLine,
    Synth,
}

impl SourcePreset {
    pub const ALL: [SourcePreset; 14] = [
        Self::Generic,
        Self::Vocal,
        Self::Speech,
        Self::Kick,
        Self::Snare,
        Self::Toms,
        Self::Overheads,
        Self::Room,
        Self::BassDi,
        Self::BassAmp,
        Self::ElectricGuitar,
        Self::AcousticGuitar,
        Self::KeysLine,
        Self::Synth,
    ];

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Generic => "Generic",
            Self::Vocal => "Vocal",
            Self::Speech => "Speech",
            Self::Kick => "Kick",
            Self::Snare => "Snare",
            Self::Toms => "Toms",
            Self::Overheads => "Overheads",
            Self::Room => "Room",
            Self::BassDi => "Bass DI",
            Self::BassAmp => "Bass amp",
            Self::ElectricGuitar => "Electric guitar",
            Self::AcousticGuitar => "Acoustic guitar",
            Self::KeysLine => "Keys / line",
            Self::Synth => "Synth",
        }
    }
}

impl std::fmt::Display for SourcePreset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
