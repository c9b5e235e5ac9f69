//! `gainstage monitor`: headless metering as a live table or JSON lines.

use std::process::ExitCode;

use crate::cli::MonitorArgs;

pub fn run(_args: &MonitorArgs) -> Result<ExitCode, crate::Error> {
    Err(crate::Error::Message("monitor: not built yet".into()))
}
