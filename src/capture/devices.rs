//! `gainstage devices`: hosts and their input devices.

use std::process::ExitCode;

use crate::cli::DevicesArgs;

pub fn run(_args: &DevicesArgs) -> Result<ExitCode, crate::Error> {
    Err(crate::Error::Message("devices: not built yet".into()))
}
