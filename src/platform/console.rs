//! The Windows exe is built for the GUI subsystem, so double-clicking it opens only the window.
//! Such a program starts without a console: when started from a terminal (cmd, PowerShell,
//! Windows Terminal) it attaches to that terminal's console, so `devices`, `analyze`,
//! `monitor` and errors print there. Per `GetStdHandle`'s documentation, attaching replaces
//! the standard handles with the console's unless the parent passed its own
//! (`STARTF_USESTDHANDLES`: a redirection to a file or pipe), which are kept. Started from
//! Explorer or a shortcut there is no parent console and nothing happens.
//!
//! The price of the GUI subsystem: an interactive prompt does not wait for such a program, so
//! it may come back while the output is still printing; `start /wait` (cmd) or a pipeline
//! (PowerShell) waits. The alternative, a console program that hides its console when it was
//! started alone, flashes a console window at every double-click.

use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};

#[allow(unsafe_code)]
pub fn attach_to_parent() {
    // SAFETY: AttachConsole takes a process id and touches no memory of ours. It fails
    // harmlessly when there is no parent console or one is attached already.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}
