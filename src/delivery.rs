//! Delivery targets for masters: streaming services' published normalisation levels,
//! broadcast loudness standards, podcast and audiobook specifications, each with its
//! true-peak ceiling and where the figures come from. Pure data and arithmetic: what gain a
//! platform applies on playback, and where the peaks land after it.
//!
//! The figures and their sources are listed for people in `docs/TARGETS.md` and by
//! `gainstage analyze --list-targets`; keep the three in step.

use serde::Serialize;

/// How a target treats a master's loudness.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Playback {
    /// A player turns louder masters down and quieter ones up, but up only as far as the
    /// true peak stays at or under the ceiling (Spotify's published rule).
    UpToCeiling,
    /// A player turns every master to the level, up as far as it takes, and a limiter on
    /// the player catches the peaks that go over the ceiling (Spotify's "Loud").
    UpWithLimiter,
    /// A player only turns louder masters down; quieter ones play as they are.
    DownOnly,
    /// A delivery specification, not a player: the master must itself measure within the
    /// tolerance of the level. The "gain" is the change the master needs.
    Spec,
}

/// What loudness a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum Level {
    /// Integrated loudness, ITU-R BS.1770 (LUFS), within ± `tolerance_lu`.
    Integrated { lufs: f64, tolerance_lu: f64 },
    /// Unweighted RMS of the whole file between two levels (dBFS): ACX's audiobook rule.
    RmsRange { min_dbfs: f64, max_dbfs: f64 },
}

/// Which peak the ceiling limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeakKind {
    /// True peak (dBTP), BS.1770 Annex 2.
    True,
    /// Sample peak (dBFS): ACX's wording, and what its checker reads.
    Sample,
}

/// One named delivery target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// The name `--target` takes.
    pub name: &'static str,
    /// Shown to people.
    pub label: &'static str,
    pub level: Level,
    pub playback: Playback,
    /// Peaks must stay at or under this (dBTP, or dBFS for a sample-peak ceiling).
    pub ceiling_db: f64,
    pub ceiling_peak: PeakKind,
    /// Noise floor limit (dBFS RMS), where the target sets one.
    pub noise_floor_max_dbfs: Option<f64>,
    /// Where the figures come from and when that source was published or read.
    pub source: &'static str,
}

/// The named targets, in the order they are listed.
pub const TARGETS: [Target; 14] = [
    Target {
        name: "spotify",
        label: "Spotify (Normal)",
        level: integrated(-14.0, 0.0),
        playback: Playback::UpToCeiling,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Spotify for Artists, 'Loudness normalization' (help page, read 2026): -14 LUFS (BS.1770); quieter masters lifted only while 1 dB of headroom stays; masters -1 dBTP, -2 dBTP if louder than -14 LUFS",
    },
    Target {
        name: "spotify_loud",
        label: "Spotify (Loud)",
        level: integrated(-11.0, 0.0),
        playback: Playback::UpWithLimiter,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Spotify for Artists, 'Loudness normalization' (read 2026): Premium 'Loud' plays at -11 LUFS whatever the peak and runs a limiter at -1 dB; gainstage reports the peaks that limiter would catch",
    },
    Target {
        name: "apple_music",
        label: "Apple Music (Sound Check)",
        level: integrated(-16.0, 0.0),
        playback: Playback::DownOnly,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Apple publishes no Sound Check level; -16 LUFS is the figure measured and reported by third parties (e.g. meterplugs, 2016). -1 dBTP: Apple Digital Masters guidance. Lifting of quiet masters: not published, assumed none",
    },
    Target {
        name: "youtube",
        label: "YouTube",
        level: integrated(-14.0, 0.0),
        playback: Playback::DownOnly,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Not published by YouTube: -14 LUFS, louder uploads turned down and quieter ones left, as measured by third parties (2019-2024). Ceiling: the common -1 dBTP streaming practice",
    },
    Target {
        name: "amazon_music",
        label: "Amazon Music",
        level: integrated(-14.0, 0.0),
        playback: Playback::DownOnly,
        ceiling_db: -2.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Not published by Amazon: -14 LUFS and -2 dBTP as reported by third parties (e.g. APU Software's target pages, read 2026). Lifting of quiet masters: not published, assumed none",
    },
    Target {
        name: "tidal",
        label: "Tidal",
        level: integrated(-14.0, 0.0),
        playback: Playback::DownOnly,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Tidal to meterplugs (2016-10-07): -14 LUFS by BS.1770-4, quieter music not raised. Ceiling: the common -1 dBTP streaming practice",
    },
    Target {
        name: "deezer",
        label: "Deezer",
        level: integrated(-15.0, 0.0),
        playback: Playback::DownOnly,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Not published by Deezer: -15 LUFS as reported by third parties (read 2026). Ceiling: the common -1 dBTP streaming practice. Lifting: assumed none",
    },
    Target {
        name: "aes_td1008_music",
        label: "AES TD1008 music streaming",
        level: integrated(-16.0, 0.0),
        playback: Playback::DownOnly,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "AES TD1008.1.21-9 (2021), Recommendations for Loudness of Internet Audio Streaming and On-Demand Distribution: music track-normalised to -16 LUFS, peaks -1 dBTP (succeeds AES TD1004.1.15-10, 2015: -16 to -20 LUFS, -1 dBTP)",
    },
    Target {
        name: "aes_td1008_speech",
        label: "AES TD1008 speech and mixed",
        level: integrated(-18.0, 2.0),
        playback: Playback::Spec,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "AES TD1008.1.21-9 (2021): content with measurable speech -18 LUFS (± 2 LU), peaks -1 dBTP",
    },
    Target {
        name: "ebu_r128",
        label: "EBU R 128 broadcast",
        level: integrated(-23.0, 0.5),
        playback: Playback::Spec,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "EBU R 128 (v4, 2020): programme loudness -23.0 LUFS (± 0.5 LU where it can be normalised, ± 1 LU live), maximum true peak -1 dBTP",
    },
    Target {
        name: "atsc_a85",
        label: "ATSC A/85 broadcast (US)",
        level: integrated(-24.0, 2.0),
        playback: Playback::Spec,
        ceiling_db: -2.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "ATSC A/85:2013 Recommended Practice: target -24 LKFS (± 2 dB), true peak at most -2 dBTP",
    },
    Target {
        name: "apple_podcasts",
        label: "Apple Podcasts",
        level: integrated(-16.0, 1.0),
        playback: Playback::Spec,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "Apple Podcasts audio requirements (Apple Podcasts for Creators, read 2026): -16 LUFS (± 1 dB), true peak not over -1 dBFS",
    },
    Target {
        name: "podcast_speech",
        label: "Podcast, AES speech",
        level: integrated(-18.0, 2.0),
        playback: Playback::Spec,
        ceiling_db: -1.0,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "AES TD1008.1.21-9 (2021) for speech podcasts: -18 LUFS (± 2 LU), -1 dBTP",
    },
    Target {
        name: "acx",
        label: "ACX audiobook (Audible)",
        level: Level::RmsRange {
            min_dbfs: -23.0,
            max_dbfs: -18.0,
        },
        playback: Playback::Spec,
        ceiling_db: -3.0,
        ceiling_peak: PeakKind::Sample,
        noise_floor_max_dbfs: Some(-60.0),
        source: "ACX Audio Submission Requirements (read 2026): every file between -23 and -18 dB RMS, peaks no higher than -3 dBFS, noise floor no higher than -60 dB RMS",
    },
];

const fn integrated(lufs: f64, tolerance_lu: f64) -> Level {
    Level::Integrated { lufs, tolerance_lu }
}

/// The named target, if there is one.
pub fn find(name: &str) -> Option<Target> {
    TARGETS.into_iter().find(|t| t.name == name)
}

/// An explicit target from `--target-lufs` and `--ceiling`: a specification at that level
/// (± 1 LU) and true-peak ceiling.
pub fn custom(lufs: f64, ceiling_dbtp: f64) -> Target {
    Target {
        name: "custom",
        label: "Custom",
        level: integrated(lufs, 1.0),
        playback: Playback::Spec,
        ceiling_db: ceiling_dbtp,
        ceiling_peak: PeakKind::True,
        noise_floor_max_dbfs: None,
        source: "given on the command line",
    }
}

/// A master's measurements the targets are checked against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MasterLevels {
    pub integrated_lufs: f64,
    pub true_peak_dbtp: f64,
    pub sample_peak_dbfs: f64,
    /// Unweighted RMS of the whole file, the loudest channel (dBFS).
    pub rms_dbfs: f64,
    /// Noise floor, the loudest channel's (dBFS).
    pub noise_floor_dbfs: f64,
}

/// What a target makes of a master.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Gain the platform applies on playback, or (a specification) the change the master
    /// needs to land on its level (dB). `None` when the master has no measurable level.
    pub gain_db: Option<f64>,
    /// The target's peak reading after that gain (dBTP or dBFS as the ceiling is).
    pub peak_after_db: f64,
    /// The peak after the gain stays at or under the ceiling.
    pub peak_ok: bool,
    /// The master as delivered measures within the target's level tolerance.
    pub level_ok: bool,
    /// The noise floor meets the target's limit (true where it sets none).
    pub noise_ok: bool,
}

impl Target {
    /// The peak this target's ceiling limits, of `m`.
    pub fn peak_of(&self, m: &MasterLevels) -> f64 {
        match self.ceiling_peak {
            PeakKind::True => m.true_peak_dbtp,
            PeakKind::Sample => m.sample_peak_dbfs,
        }
    }

    /// The target's arithmetic on a master: the playback gain, where the peaks land, and
    /// whether the level, the peaks and the floor pass.
    pub fn apply(&self, m: &MasterLevels) -> Outcome {
        let peak = self.peak_of(m);
        let (measured, level_ok) = match self.level {
            Level::Integrated { lufs, tolerance_lu } => (
                (m.integrated_lufs.is_finite()).then_some(lufs - m.integrated_lufs),
                m.integrated_lufs.is_finite()
                    && (m.integrated_lufs - lufs).abs() <= tolerance_lu + 1e-9,
            ),
            Level::RmsRange { min_dbfs, max_dbfs } => {
                let gain = if !m.rms_dbfs.is_finite() {
                    None
                } else if m.rms_dbfs < min_dbfs {
                    Some(min_dbfs - m.rms_dbfs)
                } else if m.rms_dbfs > max_dbfs {
                    Some(max_dbfs - m.rms_dbfs)
                } else {
                    Some(0.0)
                };
                (
                    gain,
                    m.rms_dbfs >= min_dbfs - 1e-9 && m.rms_dbfs <= max_dbfs + 1e-9,
                )
            }
        };
        let gain_db = measured.map(|wanted| match self.playback {
            // Spotify: "we only lift the track" as far as the ceiling allows.
            Playback::UpToCeiling if wanted > 0.0 => wanted.min((self.ceiling_db - peak).max(0.0)),
            Playback::DownOnly => wanted.min(0.0),
            _ => wanted,
        });
        let peak_after_db = peak + gain_db.unwrap_or(0.0);
        let noise_ok = match self.noise_floor_max_dbfs {
            // An unknown floor (NaN) is no evidence against the master.
            Some(max) => m.noise_floor_dbfs.is_nan() || m.noise_floor_dbfs <= max,
            None => true,
        };
        Outcome {
            gain_db,
            peak_after_db,
            peak_ok: peak_after_db.is_nan() || peak_after_db <= self.ceiling_db + 1e-9,
            level_ok: match self.playback {
                // A player normalises any level: only a specification can be missed.
                Playback::Spec => level_ok,
                _ => true,
            },
            noise_ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, t) in TARGETS.iter().enumerate() {
            assert!(
                TARGETS[i + 1..].iter().all(|u| u.name != t.name),
                "{}",
                t.name
            );
        }
    }
}
