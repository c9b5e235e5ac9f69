//! Commands that join several modules: each does the work with the settings `cli` converted
//! from the command line and renders the output, so the modules it calls need not know
//! each other (`analyze` measures, `report` renders, neither imports the other).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::analyze::{AnalyzeOptions, analyze_file};

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
