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

/// `gainstage analyze`: every file in `files` with `opts` (progress on stderr is turned on
/// here when stderr is a terminal), printed as tables or, with `json`, one JSON array.
pub fn run(
    files: &[std::path::PathBuf],
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
