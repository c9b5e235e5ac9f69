//! What analysing one recorded file found: the per-channel readings with the advisor's
//! warnings, and the programme loudness; and for the stages after tracking, each file's
//! verdicts, the stems' sum and the reference. `analyze` and `commands` fill these; `report`
//! renders them.

use std::path::PathBuf;

use crate::advisor::Warning;
use crate::advisor::stage::{MasterRules, MixMargin, Programme, Stage, TargetResult, Verdict};
use crate::meter::{ChannelReadings, ClipRule};
use crate::overs::OverCounts;

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
    /// Highest short-term (3 s) programme loudness (LUFS).
    pub max_short_term_lufs: f64,
    /// Max true peak over all channels (dBTP).
    pub true_peak_dbtp: f64,
}

impl ProgramReport {
    /// The programme's loudness readings, its true peak the loudest of `per_channel`'s.
    pub fn new(
        integrated_lufs: f64,
        loudness_range_lu: f64,
        max_short_term_lufs: f64,
        per_channel: &[ChannelReport],
    ) -> Self {
        ProgramReport {
            integrated_lufs,
            loudness_range_lu,
            max_short_term_lufs,
            true_peak_dbtp: per_channel
                .iter()
                .map(|c| c.readings.max_true_peak_dbtp)
                .fold(f64::NEG_INFINITY, f64::max),
        }
    }
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
    /// The programme's inter-sample overs above every level, when they were counted
    /// (`AnalyzeOptions::count_overs`, 1 to 5 channels).
    pub true_peak_overs: Option<OverCounts>,
}

impl FileReport {
    /// The readings the stage rules judge this file by, named `name` in messages.
    pub fn programme(&self, name: &str) -> Programme {
        let channels = &self.per_channel;
        let max =
            |f: fn(&ChannelReport) -> f64| channels.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        // Crest factor of the most compressed channel that carries anything.
        let crest_db = channels
            .iter()
            .map(|c| c.readings.max_sample_peak_dbfs - c.readings.total_rms_dbfs)
            .filter(|d| d.is_finite())
            .fold(f64::INFINITY, f64::min);
        Programme {
            name: name.to_string(),
            integrated_lufs: self.program.map_or(f64::NAN, |p| p.integrated_lufs),
            loudness_range_lu: self.program.map_or(f64::NAN, |p| p.loudness_range_lu),
            max_short_term_lufs: self
                .program
                .map_or(f64::NEG_INFINITY, |p| p.max_short_term_lufs),
            true_peak_dbtp: max(|c| c.readings.max_true_peak_dbtp),
            sample_peak_dbfs: max(|c| c.readings.max_sample_peak_dbfs),
            rms_dbfs: max(|c| c.readings.total_rms_dbfs),
            noise_floor_dbfs: max(|c| c.readings.total_noise_floor_dbfs),
            clipped_samples: channels.iter().map(|c| c.readings.clipped_samples).sum(),
            crest_db: if crest_db.is_finite() {
                crest_db
            } else {
                f64::NAN
            },
            overs: self.true_peak_overs.clone(),
        }
    }
}

/// What a file is in a stage's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Stem,
    /// The stems summed.
    Sum,
    Mix,
    Master,
    /// The reference track compared with the others.
    Reference,
}

impl Role {
    /// The JSON and CSV name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Stem => "stem",
            Self::Sum => "sum",
            Self::Mix => "mix",
            Self::Master => "master",
            Self::Reference => "reference",
        }
    }
}

/// One file (or the stems' sum) judged by a stage.
#[derive(Debug, Clone)]
pub struct StagedFile {
    pub role: Role,
    pub report: FileReport,
    pub programme: Programme,
    pub verdicts: Vec<Verdict>,
    /// The master stage: what each delivery target makes of it.
    pub targets: Vec<TargetResult>,
}

/// The settings a stage judged by, reported with its results.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StageSettings {
    /// Stems: the print ceiling (dBTP).
    pub stem_ceiling_dbtp: f64,
    pub mix: MixMargin,
    pub master: MasterRules,
}

/// Everything `analyze --stage` found: the files, the sum of stems, the reference.
#[derive(Debug, Clone)]
pub struct StageReport {
    pub stage: Stage,
    pub settings: StageSettings,
    pub files: Vec<StagedFile>,
    /// Stems: their sum.
    pub sum: Option<StagedFile>,
    pub reference: Option<StagedFile>,
}

impl StageReport {
    /// Every verdict, the files' first, then the sum's and the reference's.
    pub fn verdicts(&self) -> impl Iterator<Item = &Verdict> {
        self.files
            .iter()
            .chain(&self.sum)
            .chain(&self.reference)
            .flat_map(|f| &f.verdicts)
    }
}

/// A programme's readings minus a reference's: positive means louder, wider or higher.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Differences {
    pub integrated_lu: f64,
    pub plr_db: f64,
    pub loudness_range_lu: f64,
    pub true_peak_db: f64,
    pub max_short_term_lu: f64,
    pub crest_db: f64,
}

impl Differences {
    pub fn between(p: &Programme, reference: &Programme) -> Self {
        Self {
            integrated_lu: p.integrated_lufs - reference.integrated_lufs,
            plr_db: p.plr_db() - reference.plr_db(),
            loudness_range_lu: p.loudness_range_lu - reference.loudness_range_lu,
            true_peak_db: p.true_peak_dbtp - reference.true_peak_dbtp,
            max_short_term_lu: p.max_short_term_lufs - reference.max_short_term_lufs,
            crest_db: p.crest_db - reference.crest_db,
        }
    }
}
