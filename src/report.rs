//! Report rendering: the `analyze` JSON contract and the human tables.
//!
//! Levels that do not exist (silence's `-inf`, an undefined PLR's NaN) are `null` in JSON and
//! `-` in tables. Key names are a contract other tools parse: add keys, never rename.

use std::fmt::Write as _;

use serde::Serialize;

use crate::advisor::Warning;
use crate::file_report::{ChannelReport, FileReport, ProgramReport};
use crate::meter::config::DIGITAL_SILENCE_DBFS;
use crate::meter::level::finite;

#[derive(Debug, Serialize)]
struct FileJson<'a> {
    file: String,
    sample_rate: u32,
    channels: usize,
    bits_per_sample: u16,
    sample_format: &'static str,
    /// What counted as a clip: full-scale codes (integer files) or the float clip level.
    clip_rule: crate::meter::ClipRule,
    frames: u64,
    duration_s: f64,
    truncated: bool,
    per_channel: Vec<ChannelJson<'a>>,
    program: Option<ProgramJson>,
}

#[derive(Debug, Serialize)]
struct ChannelJson<'a> {
    channel: usize,
    sample_peak_dbfs: Option<f64>,
    true_peak_dbtp: Option<f64>,
    clipped_samples: u64,
    overs: u64,
    invalid_samples: u64,
    rms_dbfs: Option<f64>,
    max_momentary_lufs: Option<f64>,
    max_short_term_lufs: Option<f64>,
    integrated_lufs: Option<f64>,
    loudness_range_lu: Option<f64>,
    plr_db: Option<f64>,
    dc_offset_dbfs: Option<f64>,
    noise_floor_dbfs: Option<f64>,
    warnings: &'a [Warning],
    // Beyond the contract.
    max_rms_dbfs: Option<f64>,
    longest_clip_run: u32,
    dc_offset: f64,
    low_band_share: f64,
}

#[derive(Debug, Serialize)]
struct ProgramJson {
    integrated_lufs: Option<f64>,
    loudness_range_lu: Option<f64>,
    true_peak_dbtp: Option<f64>,
    max_short_term_lufs: Option<f64>,
}

/// DC below digital silence is no measurable offset.
fn dc_dbfs(c: &ChannelReport) -> Option<f64> {
    finite(c.readings.total_dc_offset_dbfs()).filter(|&db| db >= DIGITAL_SILENCE_DBFS)
}

fn channel_json(c: &ChannelReport) -> ChannelJson<'_> {
    let r = &c.readings;
    ChannelJson {
        channel: c.channel,
        sample_peak_dbfs: finite(r.max_sample_peak_dbfs),
        true_peak_dbtp: finite(r.max_true_peak_dbtp),
        clipped_samples: r.clipped_samples,
        overs: r.overs,
        invalid_samples: r.invalid_samples,
        rms_dbfs: finite(r.total_rms_dbfs),
        max_momentary_lufs: finite(r.max_momentary_lufs),
        max_short_term_lufs: finite(r.max_short_term_lufs),
        integrated_lufs: finite(r.integrated_lufs),
        loudness_range_lu: finite(r.loudness_range_lu),
        plr_db: finite(r.plr_db),
        dc_offset_dbfs: dc_dbfs(c),
        noise_floor_dbfs: finite(r.total_noise_floor_dbfs),
        warnings: &c.warnings,
        max_rms_dbfs: finite(r.max_rms_dbfs),
        longest_clip_run: r.longest_clip_run,
        dc_offset: r.total_dc_offset,
        low_band_share: r.total_low_band_share,
    }
}

fn program_json(p: &ProgramReport) -> ProgramJson {
    ProgramJson {
        integrated_lufs: finite(p.integrated_lufs),
        loudness_range_lu: finite(p.loudness_range_lu),
        true_peak_dbtp: finite(p.true_peak_dbtp),
        max_short_term_lufs: finite(p.max_short_term_lufs),
    }
}

fn file_json(r: &FileReport) -> FileJson<'_> {
    FileJson {
        file: r.file.display().to_string(),
        sample_rate: r.sample_rate,
        channels: r.channels,
        bits_per_sample: r.bits_per_sample,
        sample_format: if r.float { "float" } else { "int" },
        clip_rule: r.clip_rule,
        frames: r.frames,
        duration_s: r.duration_s,
        truncated: r.truncated.is_some(),
        per_channel: r.per_channel.iter().map(channel_json).collect(),
        program: r.program.as_ref().map(program_json),
    }
}

/// One file's `analyze --json` object, for documents that embed it.
pub fn file_value(r: &FileReport) -> Result<serde_json::Value, crate::Error> {
    serde_json::to_value(file_json(r)).map_err(|e| crate::Error::Message(e.to_string()))
}

/// One JSON array with one object per file read.
pub fn json(reports: &[FileReport]) -> Result<String, crate::Error> {
    let files: Vec<_> = reports.iter().map(file_json).collect();
    serde_json::to_string_pretty(&files).map_err(|e| crate::Error::Message(e.to_string()))
}

fn db(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

const HEADERS: [&str; 14] = [
    "ch", "peak", "TP", "clips", "overs", "invalid", "RMS", "M max", "S max", "I", "LRA", "PLR",
    "DC", "noise",
];
const UNITS: [&str; 14] = [
    "", "dBFS", "dBTP", "", "", "", "dBFS", "LUFS", "LUFS", "LUFS", "LU", "dB", "dBFS", "dBFS",
];

fn row(c: &ChannelReport) -> [String; 14] {
    let j = channel_json(c);
    [
        j.channel.to_string(),
        db(j.sample_peak_dbfs),
        db(j.true_peak_dbtp),
        j.clipped_samples.to_string(),
        j.overs.to_string(),
        j.invalid_samples.to_string(),
        db(j.rms_dbfs),
        db(j.max_momentary_lufs),
        db(j.max_short_term_lufs),
        db(j.integrated_lufs),
        db(j.loudness_range_lu),
        db(j.plr_db),
        db(j.dc_offset_dbfs),
        db(j.noise_floor_dbfs),
    ]
}

/// One aligned table per file, numbers right-aligned under their headers.
pub fn table(r: &FileReport) -> String {
    let mut out = String::new();
    let format = if r.float { "float" } else { "int" };
    let _ = writeln!(
        out,
        "{}  {} Hz  {} ch  {}-bit {format}  {:.2} s  clips: {}{}",
        r.file.display(),
        r.sample_rate,
        r.channels,
        r.bits_per_sample,
        r.duration_s,
        r.clip_rule.describe(),
        if r.truncated.is_some() {
            "  (truncated)"
        } else {
            ""
        }
    );
    let rows: Vec<[String; 14]> = r.per_channel.iter().map(row).collect();
    let mut widths = [0usize; 14];
    for (k, w) in widths.iter_mut().enumerate() {
        *w = rows
            .iter()
            .map(|row| row[k].len())
            .chain([HEADERS[k].len(), UNITS[k].len()])
            .max()
            .unwrap_or(0);
    }
    for line in [&HEADERS, &UNITS] {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(h, w)| format!("{h:>w$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:>w$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  "));
    }
    match &r.program {
        Some(p) => {
            let p = program_json(p);
            let _ = writeln!(
                out,
                "program: I {} LUFS  LRA {} LU  TP {} dBTP",
                db(p.integrated_lufs),
                db(p.loudness_range_lu),
                db(p.true_peak_dbtp)
            );
        }
        None => {
            let _ = writeln!(out, "program: - (more than 5 channels)");
        }
    }
    out
}

/// Every file's table, separated by a blank line.
pub fn tables(reports: &[FileReport]) -> String {
    reports.iter().map(table).collect::<Vec<_>>().join("\n")
}
