//! Session log: clips and warnings with wall-clock times, appended as JSON lines.

use std::process::ExitCode;

use crate::cli::LogArgs;

pub fn run(_args: &LogArgs) -> Result<ExitCode, crate::Error> {
    Err(crate::Error::Message("log: not built yet".into()))
}
