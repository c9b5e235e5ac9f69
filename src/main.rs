use std::process::ExitCode;

use clap::Parser;
use gainstage::cli::Cli;

fn main() -> ExitCode {
    match gainstage::cli::run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gainstage: {e}");
            ExitCode::FAILURE
        }
    }
}
