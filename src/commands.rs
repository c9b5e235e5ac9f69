//! Commands that join several modules: each does the work with the settings `cli` converted
//! from the command line and renders the output, so the modules it calls need not know
//! each other (`analyze` measures, `report` renders, neither imports the other).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::advisor::stage::{Stage, judge_master, judge_mix, judge_stem, judge_sum};
use crate::analyze::{AnalyzeOptions, Stems, analyze_file};
use crate::delivery::Target;
use crate::file_report::{FileReport, Role, StageReport, StageSettings, StagedFile};

/// `gainstage analyze`: every file in `files` with `opts` (progress on stderr is turned on
/// here when stderr is a terminal), printed as tables or, with `json`, one JSON array. Failures
/// go to stderr and the exit status; a file cut short is reported for what could be read and
/// still counts as a failure.
pub fn analyze(
    files: &[PathBuf],
    json: bool,
    opts: AnalyzeOptions,
) -> Result<ExitCode, crate::Error> {
    let opts = AnalyzeOptions {
        progress: std::io::stderr().is_terminal(),
        ..opts
    };
    let mut reports = Vec::new();
    let mut failed = false;
    for path in files {
        match analyze_file(path, &opts) {
            Ok(r) => {
                if let Some(why) = &r.truncated {
                    eprintln!(
                        "gainstage: {}: truncated ({why}); reporting the {:.3} s that could be read",
                        path.display(),
                        r.duration_s
                    );
                    failed = true;
                }
                reports.push(r);
            }
            Err(e) => {
                eprintln!("gainstage: {}: {e}", path.display());
                failed = true;
            }
        }
    }
    let text = if json {
        let mut s = crate::report::json(&reports)?;
        s.push('\n');
        s
    } else {
        crate::report::tables(&reports)
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// How `analyze --stage` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StageOutput {
    #[default]
    Table,
    Json,
    Csv,
}

/// What `analyze --stage stems|mix|master` judges by.
#[derive(Debug, Clone)]
pub struct StageOptions {
    pub stage: Stage,
    pub settings: StageSettings,
    /// The master stage's targets; empty: every named one.
    pub targets: Vec<Target>,
    pub reference: Option<PathBuf>,
}

/// `gainstage analyze --stage`: the stage's readings and verdicts for `files` (for stems, a
/// directory stands for its WAV files). A file that cannot be read, or stems that cannot be
/// summed, end the command with an error naming the file.
pub fn analyze_stage(
    files: &[PathBuf],
    output: StageOutput,
    opts: AnalyzeOptions,
    stage: StageOptions,
) -> Result<ExitCode, crate::Error> {
    let report = run_stage(files, opts, &stage)?;
    let text = match output {
        StageOutput::Table => crate::stage_report::table(&report),
        StageOutput::Json => {
            let mut s = crate::stage_report::json(&report)?;
            s.push('\n');
            s
        }
        StageOutput::Csv => crate::stage_report::csv(&report),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Measures and judges; the library's entry to the stages (tests call it too).
pub fn run_stage(
    files: &[PathBuf],
    opts: AnalyzeOptions,
    stage: &StageOptions,
) -> Result<StageReport, crate::Error> {
    let opts = AnalyzeOptions {
        progress: std::io::stderr().is_terminal(),
        count_overs: matches!(stage.stage, Stage::Mix | Stage::Master),
        ..opts
    };
    let targets: Vec<Target> = if stage.targets.is_empty() {
        crate::delivery::TARGETS.to_vec()
    } else {
        stage.targets.clone()
    };
    let settings = stage.settings;
    let measure = |path: &PathBuf| -> Result<FileReport, crate::Error> {
        let r = analyze_file(path, &opts)
            .map_err(|e| crate::Error::Message(format!("{}: {e}", path.display())))?;
        if let Some(why) = &r.truncated {
            return Err(crate::Error::Message(format!(
                "{}: truncated ({why})",
                path.display()
            )));
        }
        Ok(r)
    };
    let label = |p: &std::path::Path| {
        p.file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
    };
    let judge = |report: FileReport, role: Role| -> StagedFile {
        let programme = report.programme(&label(&report.file));
        let (verdicts, targets) = match role {
            Role::Stem => {
                let clipped = report
                    .per_channel
                    .iter()
                    .map(|c| c.readings.clipped_samples)
                    .sum();
                (
                    judge_stem(
                        &programme.name,
                        programme.true_peak_dbtp,
                        clipped,
                        settings.stem_ceiling_dbtp,
                    ),
                    Vec::new(),
                )
            }
            Role::Mix => (judge_mix(&programme, &settings.mix), Vec::new()),
            Role::Master => {
                let (t, v) = judge_master(&programme, &targets, &settings.master);
                (v, t)
            }
            // The sum is judged by its caller (it knows the stem count); a reference only
            // stands beside the others.
            Role::Sum | Role::Reference => {
                let t = if stage.stage == Stage::Master {
                    judge_master(&programme, &targets, &settings.master).0
                } else {
                    Vec::new()
                };
                (Vec::new(), t)
            }
        };
        StagedFile {
            role,
            report,
            programme,
            verdicts,
            targets,
        }
    };
    let role = match stage.stage {
        Stage::Stems => Role::Stem,
        Stage::Mix => Role::Mix,
        Stage::Master | Stage::Tracking => Role::Master,
    };
    let paths = if stage.stage == Stage::Stems {
        stem_files(files)?
    } else {
        files.to_vec()
    };
    let mut staged = Vec::with_capacity(paths.len());
    let mut sum = None;
    if stage.stage == Stage::Stems {
        // Opening checks rates and lengths, so mismatched stems fail before any is metered.
        // The sum then runs on a thread of its own beside the stems' metering: the two are
        // independent, and the sum alone would leave a core idle while it reads.
        let stems = Stems::open(&paths).map_err(|e| crate::Error::Message(e.to_string()))?;
        let summed = std::thread::scope(|s| {
            let sum = s.spawn(|| stems.sum(&opts));
            for path in &paths {
                staged.push(judge(measure(path)?, role));
            }
            sum.join()
                .map_err(|_| crate::Error::Message("internal: the summing thread stopped".into()))?
                .map_err(|e| crate::Error::Message(e.to_string()))
        })?;
        let mut s = judge(summed, Role::Sum);
        s.programme.name = "sum".into();
        s.verdicts = judge_sum(&s.programme, paths.len());
        sum = Some(s);
    } else {
        for path in &paths {
            staged.push(judge(measure(path)?, role));
        }
    }
    let reference = match &stage.reference {
        Some(path) => Some(judge(measure(path)?, Role::Reference)),
        None => None,
    };
    Ok(StageReport {
        stage: stage.stage,
        settings,
        files: staged,
        sum,
        reference,
    })
}

/// The stems named: files as given, a directory as its `.wav` files in name order.
fn stem_files(given: &[PathBuf]) -> Result<Vec<PathBuf>, crate::Error> {
    let mut out = Vec::new();
    for path in given {
        if path.is_dir() {
            let mut wavs: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| crate::Error::Message(format!("{}: {e}", path.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav")))
                .collect();
            if wavs.is_empty() {
                return Err(crate::Error::Message(format!(
                    "{}: no .wav files in this directory",
                    path.display()
                )));
            }
            wavs.sort();
            out.extend(wavs);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}
