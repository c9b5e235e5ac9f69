//! Offline analysis of recorded takes with the live meter code.

use std::process::ExitCode;

use crate::cli::AnalyzeArgs;

/// `gainstage analyze`.
pub fn run(_args: &AnalyzeArgs) -> Result<ExitCode, crate::Error> {
    Err(crate::Error::Message("analyze: not built yet".into()))
}
