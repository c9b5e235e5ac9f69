//! Source presets: what kind of source sits on a channel, and the targets and thresholds the
//! advisor judges it by. The snake_case names are a contract (JSON, TOML, CLI).

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
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
    /// A DAW's mix bus routed in (JACK, PipeWire or a loopback), heading for mastering.
    MixBus,
    /// A finished master, heading for a platform.
    Master,
}

impl SourcePreset {
    pub const ALL: [SourcePreset; 16] = [
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
        Self::MixBus,
        Self::Master,
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
            Self::MixBus => "Mix bus",
            Self::Master => "Master",
        }
    }
}

impl std::fmt::Display for SourcePreset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Targets and thresholds the advisor judges one channel against. Users may edit every field;
/// the defaults come from [`SourcePreset::params`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PresetParams {
    /// Where peaks should land (dBTP); every suggested gain change aims here.
    pub target_dbtp: f64,
    /// Peaks above this leave too little headroom (dBTP).
    pub hot_dbtp: f64,
    /// Peaks that stay below this are too quiet (dBTP).
    pub low_dbtp: f64,
    /// Nothing above this (dBFS) for the whole window means no signal.
    pub no_signal_dbfs: f64,
    /// Live: how long nothing must arrive before `no_signal` (s).
    pub no_signal_window_s: f64,
    /// |DC| above this is an offset worth fixing (dBFS).
    pub dc_dbfs: f64,
    /// A noise floor between phrases above this is noisy (dBFS).
    pub noisy_dbfs: f64,
    /// Share of energy below 40 Hz that counts as rumble: 0.1 is "within 10 dB of the full band".
    pub rumble_share: f64,
    /// Soundcheck: peak minus the loudest 300 ms RMS beyond which one gain cannot serve both
    /// the peaks and the body of the sound (dB).
    pub max_crest_db: f64,
    pub check_hot: bool,
    pub check_low: bool,
    pub check_dc: bool,
    pub check_rumble: bool,
    pub check_noisy: bool,
    /// Judge the programme's short-term loudness against the hot level (the ceiling): a mix
    /// bus or master, whose inputs carry a whole programme.
    pub check_loud: bool,
    /// The programme's highest short-term loudness (3 s) must stay at least this far under
    /// the hot level (dB): the mastering margin of `analyze --stage mix`.
    pub loud_gap_db: f64,
    /// What a suggested gain change is made with, named in the advice.
    pub control: GainControl,
    /// Why these numbers, shown next to the preset.
    pub reason: String,
}

/// Where a channel's level is set: the advice names it ("turn the preamp down", "pull the
/// mix bus down").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GainControl {
    #[default]
    Preamp,
    MixBus,
    MasterOutput,
}

/// The two levels a channel's meter shows it is judged against (dBTP): the top of its
/// target zone and where hot begins. The advisor decides; the meters draw these.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub target_db: f32,
    pub hot_db: f32,
}

impl Thresholds {
    pub fn of(params: &PresetParams) -> Self {
        Self {
            target_db: params.target_dbtp as f32,
            hot_db: params.hot_dbtp as f32,
        }
    }
}

impl Default for PresetParams {
    fn default() -> Self {
        Self {
            target_dbtp: -12.0,
            hot_dbtp: -6.0,
            low_dbtp: -30.0,
            no_signal_dbfs: -70.0,
            no_signal_window_s: 5.0,
            dc_dbfs: -40.0,
            noisy_dbfs: -50.0,
            rumble_share: 0.1,
            max_crest_db: 30.0,
            check_hot: true,
            check_low: true,
            check_dc: true,
            check_rumble: true,
            check_noisy: true,
            check_loud: false,
            loud_gap_db: crate::advisor::stage::MixMargin::DEFAULT_LOUDNESS_GAP_DB,
            control: GainControl::Preamp,
            reason: String::new(),
        }
    }
}

impl SourcePreset {
    /// Parse the snake_case name used in JSON and TOML ("bass_di").
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The snake_case name used in JSON and TOML.
    pub fn name(self) -> &'static str {
        match self {
            Self::Generic => "generic",
            Self::Vocal => "vocal",
            Self::Speech => "speech",
            Self::Kick => "kick",
            Self::Snare => "snare",
            Self::Toms => "toms",
            Self::Overheads => "overheads",
            Self::Room => "room",
            Self::BassDi => "bass_di",
            Self::BassAmp => "bass_amp",
            Self::ElectricGuitar => "electric_guitar",
            Self::AcousticGuitar => "acoustic_guitar",
            Self::KeysLine => "keys_line",
            Self::Synth => "synth",
            Self::MixBus => "mix_bus",
            Self::Master => "master",
        }
    }

    /// Built-in targets and thresholds for this kind of source, with the reason for each.
    pub fn params(self) -> PresetParams {
        let base = PresetParams::default();
        let reason = |s: &str| s.to_string();
        match self {
            Self::Generic => PresetParams {
                reason: reason(
                    "Peaks around -12 dBTP: at 24 bit the floor is 110 dB down, so headroom costs nothing and a clipped take is lost.",
                ),
                ..base
            },
            Self::Vocal => PresetParams {
                target_dbtp: -14.0,
                hot_dbtp: -8.0,
                reason: reason(
                    "Singers get louder in the take than at soundcheck and move on the mic: 2 dB more margin.",
                ),
                ..base
            },
            Self::Speech => PresetParams {
                target_dbtp: -15.0,
                hot_dbtp: -8.0,
                low_dbtp: -33.0,
                reason: reason(
                    "Laughs and plosives jump 10 dB over talking level; speech is mixed low anyway.",
                ),
                ..base
            },
            Self::Kick => PresetParams {
                target_dbtp: -16.0,
                hot_dbtp: -10.0,
                max_crest_db: 36.0,
                check_rumble: false,
                reason: reason(
                    "Crest factor 15-25 dB and drummers hit harder in the take: keep more margin. Its 40-60 Hz is the sound, not rumble.",
                ),
                ..base
            },
            Self::Snare | Self::Toms => PresetParams {
                target_dbtp: -16.0,
                hot_dbtp: -10.0,
                max_crest_db: 36.0,
                reason: reason(
                    "Percussive, crest factor 15-25 dB, and drummers hit harder in the take than at soundcheck: keep more margin.",
                ),
                ..base
            },
            Self::Overheads | Self::Room => PresetParams {
                target_dbtp: -14.0,
                hot_dbtp: -8.0,
                max_crest_db: 36.0,
                check_noisy: false,
                reason: reason(
                    "Cymbal and drum transients need margin; the room's own sound between hits is wanted, not noise.",
                ),
                ..base
            },
            Self::BassDi => PresetParams {
                target_dbtp: -10.0,
                hot_dbtp: -5.0,
                check_rumble: false,
                reason: reason(
                    "A DI is sustained and predictable, so it can sit a little hotter; low E is 41 Hz and drop tunings go lower.",
                ),
                ..base
            },
            Self::BassAmp => PresetParams {
                check_rumble: false,
                reason: reason(
                    "A miked cabinet moves more than a DI, so the generic margin; bass legitimately carries energy below 40 Hz.",
                ),
                ..base
            },
            Self::ElectricGuitar => PresetParams {
                reason: reason(
                    "Amp sound is compressed and steady: the generic target fits; amp hiss shows up as noisy.",
                ),
                ..base
            },
            Self::AcousticGuitar => PresetParams {
                target_dbtp: -14.0,
                hot_dbtp: -8.0,
                reason: reason(
                    "Strums are sharp transients with a wide swing between picking and strumming: 2 dB more margin.",
                ),
                ..base
            },
            Self::KeysLine => PresetParams {
                target_dbtp: -10.0,
                hot_dbtp: -4.0,
                reason: reason(
                    "A keyboard's line output has a known maximum and no performer moving on a mic: it can run hotter.",
                ),
                ..base
            },
            Self::Synth => PresetParams {
                target_dbtp: -10.0,
                hot_dbtp: -4.0,
                check_noisy: false,
                reason: reason(
                    "Line level and predictable, so it can run hotter; pads and drones leave no quiet stretch to judge a floor by.",
                ),
                ..base
            },
            // The mix stage's margin (`advisor::stage::MixMargin`): peaks at or under -3
            // dBTP leave mastering room to work.
            Self::MixBus => PresetParams {
                target_dbtp: -6.0,
                hot_dbtp: -3.0,
                low_dbtp: -24.0,
                check_rumble: false,
                check_noisy: false,
                check_loud: true,
                control: GainControl::MixBus,
                reason: reason(
                    "A mix for mastering: peaks at or under -3 dBTP and short-term loudness 6 dB under that leave the mastering engineer room; kick and bass below 40 Hz belong to the mix, and its quiet breaks are not noise.",
                ),
                ..base
            },
            // The ceiling most delivery targets name (`delivery::TARGETS`): -1 dBTP.
            Self::Master => PresetParams {
                target_dbtp: -1.5,
                hot_dbtp: -1.0,
                low_dbtp: -12.0,
                check_rumble: false,
                check_noisy: false,
                check_loud: true,
                control: GainControl::MasterOutput,
                reason: reason(
                    "A finished master: true peaks over -1 dBTP distort when streaming services encode it (the ceiling Spotify, AES TD1008 and EBU R 128 name); short-term loudness within 6 dB of that ceiling is limited so hard that every platform turns it down and only the lost dynamics remain.",
                ),
                ..base
            },
        }
    }
}

/// The preset table a session uses: built-in defaults plus the user's edits. Only edited
/// presets are stored, so improved defaults reach presets nobody touched.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Presets {
    edited: std::collections::BTreeMap<SourcePreset, PresetParams>,
}

impl Presets {
    /// The parameters in force for `preset`.
    pub fn get(&self, preset: SourcePreset) -> PresetParams {
        self.edited
            .get(&preset)
            .cloned()
            .unwrap_or_else(|| preset.params())
    }

    /// Replace the parameters of `preset`.
    pub fn set(&mut self, preset: SourcePreset, params: PresetParams) {
        self.edited.insert(preset, params);
    }

    /// Back to the built-in parameters of `preset`.
    pub fn restore(&mut self, preset: SourcePreset) {
        self.edited.remove(&preset);
    }

    /// The presets the user has edited.
    pub fn edited(&self) -> impl Iterator<Item = (SourcePreset, &PresetParams)> {
        self.edited.iter().map(|(k, v)| (*k, v))
    }
}

/// An edited preset that names only some fields keeps that preset's own values for the rest
/// (not the generic ones), so editing a bass preset's target cannot switch its rumble check
/// back on.
impl<'de> Deserialize<'de> for Presets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = std::collections::BTreeMap::<SourcePreset, serde_json::Value>::deserialize(d)?;
        let mut edited = std::collections::BTreeMap::new();
        for (preset, given) in raw {
            let mut merged = serde_json::to_value(preset.params()).map_err(D::Error::custom)?;
            match (merged.as_object_mut(), given) {
                (Some(base), serde_json::Value::Object(fields)) => base.extend(fields),
                (_, other) => {
                    return Err(D::Error::custom(format!(
                        "preset {}: expected a table of parameters, found {other}",
                        preset.name()
                    )));
                }
            }
            let params = serde_json::from_value(merged)
                .map_err(|e| D::Error::custom(format!("preset {}: {e}", preset.name())))?;
            edited.insert(preset, params);
        }
        Ok(Self { edited })
    }
}
