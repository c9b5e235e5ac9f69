//! Rendering of `analyze --stage stems|mix|master`: the JSON contract, the table and CSV.
//!
//! JSON is one object: `stage`, `settings`, `files` (each file's `analyze --json` object with
//! `role`, `programme`, `verdicts`, `targets` and `vs_reference` added), `sum`, `reference`,
//! and `verdicts` (every verdict, flattened). Levels that do not exist are `null`, as in
//! `report`. Keys may be added, never renamed.

use std::fmt::Write as _;

use serde::Serialize;

use crate::advisor::stage::{Programme, TargetResult, Verdict};
use crate::delivery::{Level, PeakKind, Playback};
use crate::file_report::{Differences, Role, StageReport, StageSettings, StagedFile};
use crate::listing::csv_cell;
use crate::meter::level::finite;

#[derive(Debug, Serialize)]
struct StageJson<'a> {
    stage: &'static str,
    settings: StageSettings,
    files: Vec<StagedJson<'a>>,
    sum: Option<StagedJson<'a>>,
    reference: Option<StagedJson<'a>>,
    verdicts: Vec<&'a Verdict>,
}

#[derive(Debug, Serialize)]
struct StagedJson<'a> {
    role: Role,
    #[serde(flatten)]
    file: serde_json::Value,
    programme: ProgrammeJson,
    verdicts: &'a [Verdict],
    targets: Vec<TargetJson>,
    vs_reference: Option<DifferencesJson>,
}

#[derive(Debug, Serialize)]
struct ProgrammeJson {
    integrated_lufs: Option<f64>,
    loudness_range_lu: Option<f64>,
    max_short_term_lufs: Option<f64>,
    true_peak_dbtp: Option<f64>,
    /// How far the true peak is under full scale (dB; negative when over).
    headroom_db: Option<f64>,
    sample_peak_dbfs: Option<f64>,
    plr_db: Option<f64>,
    crest_db: Option<f64>,
    rms_dbfs: Option<f64>,
    noise_floor_dbfs: Option<f64>,
    clipped_samples: u64,
    /// Inter-sample overs above 0 dBTP, when counted.
    overs_above_0_dbtp: Option<u64>,
}

#[derive(Debug, Serialize)]
struct TargetJson {
    name: &'static str,
    label: &'static str,
    level: Level,
    playback: Playback,
    ceiling_db: f64,
    ceiling_peak: PeakKind,
    /// Playback gain (platforms) or the change the master needs (specifications), dB.
    gain_db: Option<f64>,
    peak_after_db: Option<f64>,
    peak_ok: bool,
    level_ok: bool,
    noise_ok: bool,
    overs_after: Option<u64>,
    source: &'static str,
}

#[derive(Debug, Serialize)]
struct DifferencesJson {
    integrated_lu: Option<f64>,
    plr_db: Option<f64>,
    loudness_range_lu: Option<f64>,
    true_peak_db: Option<f64>,
    max_short_term_lu: Option<f64>,
    crest_db: Option<f64>,
}

fn programme_json(p: &Programme) -> ProgrammeJson {
    ProgrammeJson {
        integrated_lufs: finite(p.integrated_lufs),
        loudness_range_lu: finite(p.loudness_range_lu),
        max_short_term_lufs: finite(p.max_short_term_lufs),
        true_peak_dbtp: finite(p.true_peak_dbtp),
        headroom_db: finite(-p.true_peak_dbtp),
        sample_peak_dbfs: finite(p.sample_peak_dbfs),
        plr_db: finite(p.plr_db()),
        crest_db: finite(p.crest_db),
        rms_dbfs: finite(p.rms_dbfs),
        noise_floor_dbfs: finite(p.noise_floor_dbfs),
        clipped_samples: p.clipped_samples,
        overs_above_0_dbtp: p.overs.as_ref().map(|o| o.above(0.0)),
    }
}

fn target_json(r: &TargetResult) -> TargetJson {
    let t = &r.target;
    TargetJson {
        name: t.name,
        label: t.label,
        level: t.level,
        playback: t.playback,
        ceiling_db: t.ceiling_db,
        ceiling_peak: t.ceiling_peak,
        gain_db: r.outcome.gain_db,
        peak_after_db: finite(r.outcome.peak_after_db),
        peak_ok: r.outcome.peak_ok,
        level_ok: r.outcome.level_ok,
        noise_ok: r.outcome.noise_ok,
        overs_after: r.overs_after,
        source: t.source,
    }
}

fn differences_json(d: &Differences) -> DifferencesJson {
    DifferencesJson {
        integrated_lu: finite(d.integrated_lu),
        plr_db: finite(d.plr_db),
        loudness_range_lu: finite(d.loudness_range_lu),
        true_peak_db: finite(d.true_peak_db),
        max_short_term_lu: finite(d.max_short_term_lu),
        crest_db: finite(d.crest_db),
    }
}

fn staged_json<'a>(
    f: &'a StagedFile,
    reference: Option<&StagedFile>,
) -> Result<StagedJson<'a>, crate::Error> {
    Ok(StagedJson {
        role: f.role,
        file: crate::report::file_value(&f.report)?,
        programme: programme_json(&f.programme),
        verdicts: &f.verdicts,
        targets: f.targets.iter().map(target_json).collect(),
        vs_reference: reference
            .map(|r| differences_json(&Differences::between(&f.programme, &r.programme))),
    })
}

/// The stage's JSON object.
pub fn json(r: &StageReport) -> Result<String, crate::Error> {
    let reference = r.reference.as_ref();
    let doc = StageJson {
        stage: r.stage.name(),
        settings: r.settings,
        files: r
            .files
            .iter()
            .map(|f| staged_json(f, reference))
            .collect::<Result<_, _>>()?,
        sum: r.sum.as_ref().map(|f| staged_json(f, None)).transpose()?,
        reference: reference.map(|f| staged_json(f, None)).transpose()?,
        verdicts: r.verdicts().collect(),
    };
    serde_json::to_string_pretty(&doc).map_err(|e| crate::Error::Message(e.to_string()))
}

fn db(v: f64) -> String {
    finite(v).map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

fn signed(v: f64) -> String {
    finite(v).map_or_else(|| "-".to_string(), |v| format!("{v:+.1}"))
}

fn name(f: &StagedFile) -> String {
    match f.role {
        Role::Sum => "sum".to_string(),
        _ => f.report.file.display().to_string(),
    }
}

const HEADERS: [&str; 11] = [
    "file", "role", "ch", "TP", "headroom", "peak", "I", "S max", "LRA", "PLR", "crest",
];
const UNITS: [&str; 11] = [
    "", "", "", "dBTP", "dB", "dBFS", "LUFS", "LUFS", "LU", "dB", "dB",
];

fn row(f: &StagedFile) -> [String; 11] {
    let p = &f.programme;
    [
        name(f),
        f.role.name().to_string(),
        f.report.channels.to_string(),
        db(p.true_peak_dbtp),
        db(-p.true_peak_dbtp),
        db(p.sample_peak_dbfs),
        db(p.integrated_lufs),
        db(p.max_short_term_lufs),
        db(p.loudness_range_lu),
        db(p.plr_db()),
        db(p.crest_db),
    ]
}

fn aligned(rows: &[[String; 11]], out: &mut String) {
    let mut widths = [0usize; 11];
    for (k, w) in widths.iter_mut().enumerate() {
        *w = rows
            .iter()
            .map(|r| r[k].chars().count())
            .chain([HEADERS[k].len(), UNITS[k].len()])
            .max()
            .unwrap_or(0);
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (c, w))| {
                if k == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(out, "{}", line(&HEADERS.map(String::from)));
    let _ = writeln!(out, "{}", line(&UNITS.map(String::from)));
    for r in rows {
        let _ = writeln!(out, "{}", line(r));
    }
}

fn settings_line(r: &StageReport) -> String {
    let s = &r.settings;
    match r.stage {
        crate::advisor::stage::Stage::Stems => {
            format!("print ceiling {:.1} dBTP", s.stem_ceiling_dbtp)
        }
        crate::advisor::stage::Stage::Mix => format!(
            "mastering margin: peaks at or under {:.1} dBTP, short-term loudness {:.1} dB under it",
            s.mix.ceiling_dbtp, s.mix.loudness_gap_db
        ),
        crate::advisor::stage::Stage::Master => {
            format!("limited hard under PLR {:.1} dB", s.master.min_plr_db)
        }
        crate::advisor::stage::Stage::Tracking => String::new(),
    }
}

/// The stage's table: one row per file (and the sum, the reference), the verdicts, each
/// master's targets and the differences from the reference.
pub fn table(r: &StageReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "stage: {}  ({})", r.stage.name(), settings_line(r));
    let all: Vec<&StagedFile> = r.files.iter().chain(&r.sum).chain(&r.reference).collect();
    let rows: Vec<[String; 11]> = all.iter().map(|f| row(f)).collect();
    aligned(&rows, &mut out);
    for f in &r.files {
        if f.targets.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\ntargets for {}:", name(f));
        for t in &f.targets {
            let o = &t.outcome;
            let unit = match t.target.ceiling_peak {
                PeakKind::True => "dBTP",
                PeakKind::Sample => "dBFS",
            };
            let level = match t.target.level {
                Level::Integrated { lufs, .. } => format!("{lufs:.0} LUFS"),
                Level::RmsRange { min_dbfs, max_dbfs } => {
                    format!("{min_dbfs:.0}..{max_dbfs:.0} dB RMS")
                }
            };
            let overs = t
                .overs_after
                .map_or_else(String::new, |n| format!(", {n} overs"));
            let ok = if o.peak_ok && o.level_ok && o.noise_ok {
                "ok"
            } else {
                "FAILS"
            };
            let _ = writeln!(
                out,
                "  {:<28} {:>16}  ceiling {:>5.1} {unit}  gain {:>6} dB  peak then {:>6} {unit}{overs}  {ok}",
                t.target.label,
                level,
                t.target.ceiling_db,
                o.gain_db.map_or_else(|| "-".into(), |g| format!("{g:+.1}")),
                signed(o.peak_after_db),
            );
        }
    }
    if let Some(reference) = &r.reference {
        for f in &r.files {
            let d = Differences::between(&f.programme, &reference.programme);
            let _ = writeln!(
                out,
                "\n{} against {}: I {} LU  PLR {} dB  LRA {} LU  TP {} dB  S max {} LU",
                name(f),
                name(reference),
                signed(d.integrated_lu),
                signed(d.plr_db),
                signed(d.loudness_range_lu),
                signed(d.true_peak_db),
                signed(d.max_short_term_lu),
            );
        }
    }
    let verdicts: Vec<&Verdict> = r.verdicts().collect();
    if verdicts.is_empty() {
        let _ = writeln!(out, "\nverdicts: none");
    } else {
        let _ = writeln!(out, "\nverdicts:");
        for v in verdicts {
            let _ = writeln!(out, "  {}", v.message);
        }
    }
    out
}

const CSV_HEADER: &str = "stage,role,file,integrated_lufs,loudness_range_lu,max_short_term_lufs,true_peak_dbtp,plr_db,crest_db,kind,message,suggested_gain_db";

fn opt(v: f64) -> String {
    finite(v).map_or_else(String::new, |v| format!("{v:.2}"))
}

/// One row per verdict (a file without any has one row with an empty `kind`), each master's
/// targets as rows of kind `target`, with the file's readings repeated on each row.
pub fn csv(r: &StageReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{CSV_HEADER}");
    for f in r.files.iter().chain(&r.sum).chain(&r.reference) {
        let p = &f.programme;
        let role = f.role.name().to_string();
        let lead = [
            r.stage.name().to_string(),
            role,
            csv_cell(&name(f)),
            opt(p.integrated_lufs),
            opt(p.loudness_range_lu),
            opt(p.max_short_term_lufs),
            opt(p.true_peak_dbtp),
            opt(p.plr_db()),
            opt(p.crest_db),
        ]
        .join(",");
        let mut rows: Vec<(String, String, Option<f64>)> = f
            .verdicts
            .iter()
            .map(|v| {
                (
                    v.kind.name().to_string(),
                    v.message.clone(),
                    v.suggested_gain_db,
                )
            })
            .collect();
        for t in &f.targets {
            let o = &t.outcome;
            rows.push((
                "target".to_string(),
                format!(
                    "{}: gain {}, peak then {}, {}",
                    t.target.name,
                    o.gain_db
                        .map_or_else(|| "-".into(), |g| format!("{g:+.2} dB")),
                    signed(o.peak_after_db),
                    if o.peak_ok && o.level_ok && o.noise_ok {
                        "ok"
                    } else {
                        "fails"
                    }
                ),
                o.gain_db,
            ));
        }
        if rows.is_empty() {
            rows.push((String::new(), String::new(), None));
        }
        for (kind, message, gain) in rows {
            let _ = writeln!(
                out,
                "{lead},{kind},{},{}",
                csv_cell(&message),
                gain.map_or_else(String::new, |g| format!("{g:.2}"))
            );
        }
    }
    out
}

/// `analyze --list-targets`: every named target, its figures and their source.
pub fn targets_table() -> String {
    let mut out = String::new();
    for t in crate::delivery::TARGETS {
        let level = match t.level {
            Level::Integrated { lufs, tolerance_lu } if tolerance_lu > 0.0 => {
                format!("{lufs:.0} LUFS ± {tolerance_lu}")
            }
            Level::Integrated { lufs, .. } => format!("{lufs:.0} LUFS"),
            Level::RmsRange { min_dbfs, max_dbfs } => {
                format!("{min_dbfs:.0} to {max_dbfs:.0} dB RMS")
            }
        };
        let unit = match t.ceiling_peak {
            PeakKind::True => "dBTP",
            PeakKind::Sample => "dBFS",
        };
        let playback = match t.playback {
            Playback::UpToCeiling => "turns down, and up to the ceiling",
            Playback::UpWithLimiter => "turns down and up, limiter at the ceiling",
            Playback::DownOnly => "turns down only",
            Playback::Spec => "specification",
        };
        let _ = writeln!(
            out,
            "{:<18} {:<28} {:<20} {:>3.0} {unit}  {playback}\n    source: {}",
            t.name, t.label, level, t.ceiling_db, t.source
        );
        if let Some(floor) = t.noise_floor_max_dbfs {
            let _ = writeln!(out, "    noise floor at most {floor:.0} dBFS");
        }
    }
    out
}
