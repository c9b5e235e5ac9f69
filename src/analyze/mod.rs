//! Offline analysis of recorded takes with the live meter code (`gainstage analyze`).
//!
//! - [`decode`]: streaming WAV reading into planar blocks, with clip marking.
//! - [`file`]: one file through the meters, channel groups on parallel threads.
//! - `progress`: the stderr progress line for long runs.
//!
//! A file cut short (its header announces more data than there is) is reported for what could
//! be read, marked `truncated`, and counts as a failure for the exit status.

pub mod decode;
pub mod file;
mod progress;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub use file::{
    AnalyzeError, AnalyzeOptions, ChannelReport, FileReport, ProgramReport, analyze_file,
};

use crate::cli::AnalyzeArgs;

/// `gainstage analyze`.
pub fn run(args: &AnalyzeArgs) -> Result<ExitCode, crate::Error> {
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
