use std::process::ExitCode;

use clap::Parser;
use gainstage::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Analyze(args)) => gainstage::commands::analyze(&args),
        Some(Command::Devices(args)) => gainstage::capture::devices::run(&args),
        Some(Command::Monitor(args)) => gainstage::monitor::run(&args),
        Some(Command::Log(args)) => gainstage::advisor::log::run(&args),
        None => run_gui(cli.gui),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gainstage: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "gui")]
fn run_gui(args: gainstage::cli::GuiArgs) -> Result<ExitCode, gainstage::Error> {
    gainstage::ui::run(args)
}

#[cfg(not(feature = "gui"))]
fn run_gui(_args: gainstage::cli::GuiArgs) -> Result<ExitCode, gainstage::Error> {
    Err(gainstage::Error::Message(
        "built without the `gui` feature: use `gainstage monitor`".into(),
    ))
}
