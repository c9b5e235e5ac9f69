//! Commands that join several modules: each turns its command-line arguments into library
//! settings, does the work and renders the output, so the modules it calls need not know
//! each other (`analyze` measures, `report` renders, neither imports the other).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::analyze::{AnalyzeOptions, analyze_file};
use crate::cli::AnalyzeArgs;

/// `gainstage analyze`: every file's report on stdout, failures on stderr and in the exit
/// status. A file cut short is reported for what could be read and still counts as a failure.
pub fn analyze(args: &AnalyzeArgs) -> Result<ExitCode, crate::Error> {
    let opts = AnalyzeOptions {
        over_len: args.over_len,
        progress: std::io::stderr().is_terminal(),
        plan: args.advice.plan()?,
        ..AnalyzeOptions::default()
    };
    let mut reports = Vec::new();
    let mut failed = false;
    for path in &args.files {
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
    let text = if args.json {
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
