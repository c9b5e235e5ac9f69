//! The iced GUI. The only module that imports iced.

use std::process::ExitCode;

use crate::cli::GuiArgs;

pub fn run(_args: GuiArgs) -> Result<ExitCode, crate::Error> {
    Err(crate::Error::Message("GUI: not built yet".into()))
}
