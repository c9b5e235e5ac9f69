// A Windows GUI program opens no console window of its own; the subcommands then borrow the
// terminal they were started from (see `console`).
#![cfg_attr(all(windows, feature = "gui"), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use gainstage::cli::Cli;

fn main() -> ExitCode {
    #[cfg(all(windows, feature = "gui"))]
    console::attach_to_parent();
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

/// The Windows exe is built for the GUI subsystem, so double-clicking it opens only the window.
/// Such a program starts without a console: when started from a terminal (cmd, PowerShell,
/// Windows Terminal) it attaches to that terminal's console, so `devices`, `analyze`,
/// `monitor` and errors print there. Per `GetStdHandle`'s documentation, attaching replaces
/// the standard handles with the console's unless the parent passed its own
/// (`STARTF_USESTDHANDLES`: a redirection to a file or pipe), which are kept. Started from
/// Explorer or a shortcut there is no parent console and nothing happens.
///
/// The price of the GUI subsystem: an interactive prompt does not wait for such a program, so
/// it may come back while the output is still printing; `start /wait` (cmd) or a pipeline
/// (PowerShell) waits. The alternative, a console program that hides its console when it was
/// started alone, flashes a console window at every double-click.
#[cfg(all(windows, feature = "gui"))]
mod console {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};

    #[allow(unsafe_code)]
    pub fn attach_to_parent() {
        // SAFETY: AttachConsole takes a process id and touches no memory of ours. It fails
        // harmlessly when there is no parent console or one is attached already.
        unsafe {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}
