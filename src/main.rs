// A Windows GUI program opens no console window of its own; the subcommands then borrow the
// terminal they were started from (see `gainstage::platform::console`).
#![cfg_attr(all(windows, feature = "gui"), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use gainstage::cli::Cli;

fn main() -> ExitCode {
    #[cfg(all(windows, feature = "gui"))]
    gainstage::platform::console::attach_to_parent();
    // Viewers' sockets, take files and the audio device share one open-file budget: take all
    // the kernel allows. Where it refuses, the usual limit still serves the connection caps.
    let _ = gainstage::platform::raise_open_file_limit();
    match gainstage::cli::run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gainstage: {e}");
            ExitCode::FAILURE
        }
    }
}
