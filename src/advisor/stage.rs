//! Headroom after tracking: the rules for printed stems, a mix going to mastering and a master
//! going to a platform. Each judges readings `analyze` took and returns verdicts with the
//! change that fixes them, as the tracking rules return warnings.
//!
//! Pure logic: the caller measures (`analyze`), this module decides.

use serde::Serialize;

pub use super::judge::cut_to_half_db;
use super::judge::settle;
use crate::delivery::{MasterLevels, Outcome, PeakKind, Playback, Target};
use crate::overs::OverCounts;

/// Which stage's rules a file is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Recorded takes, by source preset (the advisor's warnings).
    #[default]
    Tracking,
    /// Printed stems, each against a print ceiling, and their sum.
    Stems,
    /// A mix going to mastering.
    Mix,
    /// A master going to a platform.
    Master,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Self::Tracking => "tracking",
            Self::Stems => "stems",
            Self::Mix => "mix",
            Self::Master => "master",
        }
    }
}

/// What a verdict is about; the snake_case names are the JSON `kind` contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// A stem's true peak is over the print ceiling.
    StemOverCeiling,
    /// A stem has clipped samples.
    StemClipped,
    /// The sum of the stems goes over full scale.
    SumClips,
    /// The mix has clipped samples.
    MixClipped,
    /// The mix's true peak is over the mastering margin's ceiling.
    MixPeaks,
    /// The mix's short-term loudness leaves too little room under the ceiling.
    MixLoud,
    /// A master misses a specification's loudness.
    OffTarget,
    /// A master's peak, after the platform's playback gain, is over its ceiling.
    PeaksOverCeiling,
    /// A master's noise floor is over the target's limit (ACX).
    NoiseFloor,
    /// A master whose peak-to-loudness ratio is under the minimum.
    LimitedHard,
    /// A master's true peak rises over the ceiling between samples.
    InterSampleOvers,
    /// No programme loudness could be measured (more than 5 channels, or silence).
    NoLoudness,
}

impl VerdictKind {
    /// The JSON and CSV name.
    pub fn name(self) -> &'static str {
        match self {
            Self::StemOverCeiling => "stem_over_ceiling",
            Self::StemClipped => "stem_clipped",
            Self::SumClips => "sum_clips",
            Self::MixClipped => "mix_clipped",
            Self::MixPeaks => "mix_peaks",
            Self::MixLoud => "mix_loud",
            Self::OffTarget => "off_target",
            Self::PeaksOverCeiling => "peaks_over_ceiling",
            Self::NoiseFloor => "noise_floor",
            Self::LimitedHard => "limited_hard",
            Self::InterSampleOvers => "inter_sample_overs",
            Self::NoLoudness => "no_loudness",
        }
    }
}

/// One finding with the change that fixes it, like the advisor's warnings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    pub message: String,
    /// Gain change that fixes it (dB), where one does.
    pub suggested_gain_db: Option<f64>,
}

fn verdict(kind: VerdictKind, message: String, suggested_gain_db: Option<f64>) -> Verdict {
    Verdict {
        kind,
        message,
        suggested_gain_db,
    }
}

/// A gain rounded to 0.1 dB, down (more cut) so it always suffices.
fn cut_to_tenth_db(db: f64) -> f64 {
    let r = settle(db * 10.0).floor() / 10.0;
    if r == 0.0 { 0.0 } else { r }
}

/// Print-safe ceiling for stems (dBTP): room for the mix bus to sum them.
pub const DEFAULT_STEM_CEILING_DBTP: f64 = -6.0;
/// Where a clipping sum's suggested cut brings its true peak (dBTP).
pub const SUM_AIM_DBTP: f64 = -1.0;

/// The mastering margin a mix is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MixMargin {
    /// True peaks at or under this (dBTP).
    pub ceiling_dbtp: f64,
    /// The highest short-term loudness at least this far under the ceiling (dB).
    pub loudness_gap_db: f64,
}

impl MixMargin {
    /// How far under the ceiling the loudest 3 s of a mix should stay (dB); the live
    /// `mix_bus` and `master` presets judge by the same gap.
    pub const DEFAULT_LOUDNESS_GAP_DB: f64 = 6.0;
}

impl Default for MixMargin {
    fn default() -> Self {
        Self {
            ceiling_dbtp: -3.0,
            loudness_gap_db: Self::DEFAULT_LOUDNESS_GAP_DB,
        }
    }
}

/// What a master is judged by besides its targets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MasterRules {
    /// A peak-to-loudness ratio under this is limited hard (dB).
    pub min_plr_db: f64,
}

impl Default for MasterRules {
    fn default() -> Self {
        Self { min_plr_db: 8.0 }
    }
}

/// One programme's readings, as the stage rules see them.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    /// The file's name in messages.
    pub name: String,
    pub integrated_lufs: f64,
    pub loudness_range_lu: f64,
    pub max_short_term_lufs: f64,
    /// Max true peak over the channels (dBTP).
    pub true_peak_dbtp: f64,
    /// Max sample peak over the channels (dBFS).
    pub sample_peak_dbfs: f64,
    /// The loudest channel's RMS over the whole file (dBFS).
    pub rms_dbfs: f64,
    /// The loudest channel's noise floor (dBFS).
    pub noise_floor_dbfs: f64,
    /// Clipped samples over the channels.
    pub clipped_samples: u64,
    /// Peak minus RMS of the most compressed channel (dB): 3.01 for a sine.
    pub crest_db: f64,
    /// Inter-sample overs above every level, when counted.
    pub overs: Option<OverCounts>,
}

impl Programme {
    /// Peak-to-loudness ratio: max true peak minus integrated loudness (dB).
    pub fn plr_db(&self) -> f64 {
        self.true_peak_dbtp - self.integrated_lufs
    }

    fn has_loudness(&self) -> bool {
        self.integrated_lufs.is_finite()
    }

    fn overs_above(&self, level_db: f64) -> Option<u64> {
        self.overs.as_ref().map(|o| o.above(level_db))
    }

    pub fn master_levels(&self) -> MasterLevels {
        MasterLevels {
            integrated_lufs: self.integrated_lufs,
            true_peak_dbtp: self.true_peak_dbtp,
            sample_peak_dbfs: self.sample_peak_dbfs,
            rms_dbfs: self.rms_dbfs,
            noise_floor_dbfs: self.noise_floor_dbfs,
        }
    }
}

/// One stem against the print ceiling.
pub fn judge_stem(
    name: &str,
    true_peak_dbtp: f64,
    clipped: u64,
    ceiling_dbtp: f64,
) -> Vec<Verdict> {
    let mut out = Vec::new();
    let cut = cut_to_half_db(ceiling_dbtp - true_peak_dbtp);
    if clipped > 0 {
        out.push(verdict(
            VerdictKind::StemClipped,
            format!(
                "{name}: {clipped} clipped samples; print it again {} dB lower",
                -cut
            ),
            Some(cut),
        ));
    } else if true_peak_dbtp > ceiling_dbtp {
        out.push(verdict(
            VerdictKind::StemOverCeiling,
            format!(
                "{name}: peaks reach {true_peak_dbtp:.1} dBTP, over the {ceiling_dbtp:.1} dBTP print ceiling; print it {} dB lower",
                -cut
            ),
            Some(cut),
        ));
    }
    out
}

/// The stems' sum: does a bounce at unity gain go over full scale?
pub fn judge_sum(sum: &Programme, stems: usize) -> Vec<Verdict> {
    let tp = sum.true_peak_dbtp;
    let clips = tp > 0.0 || sum.clipped_samples > 0;
    if !clips {
        return Vec::new();
    }
    let cut = cut_to_half_db(SUM_AIM_DBTP - tp);
    let overs = sum
        .overs_above(0.0)
        .map_or_else(String::new, |n| format!(", {n} overs above 0 dBTP"));
    vec![verdict(
        VerdictKind::SumClips,
        format!(
            "sum of {stems} stems: peaks reach {tp:+.1} dBTP{overs}; the bounce would clip: lower every stem (or the mix bus) {} dB",
            -cut
        ),
        Some(cut),
    )]
}

/// A mix against the mastering margin.
pub fn judge_mix(p: &Programme, margin: &MixMargin) -> Vec<Verdict> {
    let mut out = Vec::new();
    let name = &p.name;
    let peak_cut = cut_to_half_db(margin.ceiling_dbtp - p.true_peak_dbtp);
    if p.clipped_samples > 0 {
        out.push(verdict(
            VerdictKind::MixClipped,
            format!(
                "{name}: {} clipped samples; pull the mix bus down {} dB and print again",
                p.clipped_samples, -peak_cut
            ),
            Some(peak_cut),
        ));
    } else if p.true_peak_dbtp > margin.ceiling_dbtp {
        out.push(verdict(
            VerdictKind::MixPeaks,
            format!(
                "{name}: peaks reach {:.1} dBTP, over the {:.1} dBTP mastering margin; pull the mix bus down {} dB before printing",
                p.true_peak_dbtp, margin.ceiling_dbtp, -peak_cut
            ),
            Some(peak_cut),
        ));
    }
    let loudest_allowed = margin.ceiling_dbtp - margin.loudness_gap_db;
    if p.max_short_term_lufs > loudest_allowed {
        let cut = cut_to_half_db(loudest_allowed - p.max_short_term_lufs);
        out.push(verdict(
            VerdictKind::MixLoud,
            format!(
                "{name}: short-term loudness reaches {:.1} LUFS, leaving {:.1} dB to the {:.1} dBTP ceiling (mastering wants {:.0} dB); pull the mix bus down {} dB or ease the bus limiting",
                p.max_short_term_lufs,
                margin.ceiling_dbtp - p.max_short_term_lufs,
                margin.ceiling_dbtp,
                margin.loudness_gap_db,
                -cut
            ),
            Some(cut),
        ));
    }
    if !p.has_loudness() {
        out.push(no_loudness(name));
    }
    out
}

fn no_loudness(name: &str) -> Verdict {
    verdict(
        VerdictKind::NoLoudness,
        format!("{name}: no programme loudness (more than 5 channels, or nothing above the gate)"),
        None,
    )
}

/// What one target makes of a master.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetResult {
    pub target: Target,
    pub outcome: Outcome,
    /// Overs over the ceiling after the playback gain, when counted (true-peak ceilings).
    pub overs_after: Option<u64>,
}

/// A master against its targets, and its dynamics against `rules`.
pub fn judge_master(
    p: &Programme,
    targets: &[Target],
    rules: &MasterRules,
) -> (Vec<TargetResult>, Vec<Verdict>) {
    let name = &p.name;
    let levels = p.master_levels();
    let mut out = Vec::new();
    if !p.has_loudness() {
        out.push(no_loudness(name));
    }
    let results: Vec<TargetResult> = targets
        .iter()
        .map(|t| {
            let outcome = t.apply(&levels);
            let overs_after = match t.ceiling_peak {
                PeakKind::True => p.overs_above(t.ceiling_db - outcome.gain_db.unwrap_or(0.0)),
                PeakKind::Sample => None,
            };
            TargetResult {
                target: *t,
                outcome,
                overs_after,
            }
        })
        .collect();
    for r in &results {
        target_verdicts(p, r, &mut out);
    }
    // The strictest true-peak ceiling named, else the streaming practice of -1 dBTP.
    let ceiling = targets
        .iter()
        .filter(|t| t.ceiling_peak == PeakKind::True)
        .map(|t| t.ceiling_db)
        .fold(f64::INFINITY, f64::min);
    let ceiling = if ceiling.is_finite() { ceiling } else { -1.0 };
    let overs = p.overs_above(ceiling);
    let plr = p.plr_db();
    if p.has_loudness() && plr < rules.min_plr_db {
        let overs_text = overs.map_or_else(String::new, |n| {
            format!(", {n} overs above {ceiling:.1} dBTP")
        });
        out.push(verdict(
            VerdictKind::LimitedHard,
            format!(
                "{name}: limited hard: PLR {plr:.1} dB (under {:.1}), crest factor {:.1} dB{overs_text}; every platform turns it down to its level, so the limiting buys no loudness: ease the limiter",
                rules.min_plr_db, p.crest_db
            ),
            None,
        ));
    }
    if let Some(n) = overs.filter(|&n| n > 0) {
        let cut = cut_to_tenth_db(ceiling - p.true_peak_dbtp);
        out.push(verdict(
            VerdictKind::InterSampleOvers,
            format!(
                "{name}: {n} inter-sample overs above {ceiling:.1} dBTP (true peak {:+.1} dBTP); set a true-peak limiter's ceiling {} dB lower",
                p.true_peak_dbtp, -cut
            ),
            Some(cut),
        ));
    }
    (results, out)
}

fn target_verdicts(p: &Programme, r: &TargetResult, out: &mut Vec<Verdict>) {
    let t = &r.target;
    let o = &r.outcome;
    let name = &p.name;
    let unit = match t.ceiling_peak {
        PeakKind::True => "dBTP",
        PeakKind::Sample => "dBFS",
    };
    if !o.level_ok
        && let Some(gain) = o.gain_db
    {
        let (what, measured) = match t.level {
            crate::delivery::Level::Integrated { lufs, tolerance_lu } => (
                format!("{lufs:.1} LUFS ± {tolerance_lu:.1}"),
                format!("{:.1} LUFS", p.integrated_lufs),
            ),
            crate::delivery::Level::RmsRange { min_dbfs, max_dbfs } => (
                format!("{min_dbfs:.0} to {max_dbfs:.0} dB RMS"),
                format!("{:.1} dB RMS", p.rms_dbfs),
            ),
        };
        out.push(verdict(
            VerdictKind::OffTarget,
            format!(
                "{name}: {}: {measured}, wants {what}; change the master {gain:+.1} dB",
                t.label
            ),
            Some((gain * 10.0).round() / 10.0),
        ));
    }
    if !o.peak_ok {
        let fix = cut_to_tenth_db(t.ceiling_db - o.peak_after_db);
        let overs = r
            .overs_after
            .map_or_else(String::new, |n| format!(" ({n} overs)"));
        let played = match (t.playback, o.gain_db) {
            (Playback::Spec, _) | (_, None) => String::new(),
            (_, Some(g)) if g.abs() < 0.05 => "plays it as it is; ".to_string(),
            (_, Some(g)) => format!(
                "plays it {:.1} dB {}; ",
                g.abs(),
                if g > 0.0 { "up" } else { "down" }
            ),
        };
        out.push(verdict(
            VerdictKind::PeaksOverCeiling,
            format!(
                "{name}: {}: {played}peak then {:+.1} {unit}, over its {:.1} {unit} ceiling{overs}; lower the limiter's ceiling {:.1} dB",
                t.label, o.peak_after_db, t.ceiling_db, -fix
            ),
            Some(fix),
        ));
    }
    if !o.noise_ok
        && let Some(max) = t.noise_floor_max_dbfs
    {
        out.push(verdict(
            VerdictKind::NoiseFloor,
            format!(
                "{name}: {}: noise floor {:.1} dBFS, over its {max:.0} dBFS limit; treat the room or denoise",
                t.label, p.noise_floor_dbfs
            ),
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_json_names() {
        use VerdictKind::*;
        for k in [
            StemOverCeiling,
            StemClipped,
            SumClips,
            MixClipped,
            MixPeaks,
            MixLoud,
            OffTarget,
            PeaksOverCeiling,
            NoiseFloor,
            LimitedHard,
            InterSampleOvers,
            NoLoudness,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.name());
        }
    }

    #[test]
    fn cuts_round_to_more_cut() {
        assert_eq!(cut_to_half_db(-2.3), -2.5);
        assert_eq!(cut_to_half_db(-2.5), -2.5);
        assert_eq!(cut_to_tenth_db(-0.31), -0.4);
        assert_eq!(cut_to_tenth_db(-0.3), -0.3);
    }
}
