//! The real binary under a real X server: the window comes up on the demo source and draws.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

#[path = "support/child.rs"]
mod child;
#[path = "support/xvfb.rs"]
mod xvfb;

use child::KillOnDrop;

#[test]
fn the_gui_opens_on_the_demo_source_and_draws_meters() {
    let x = xvfb::Xvfb::start();
    let dirs = tempfile::tempdir().unwrap();
    let _app = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_gainstage"))
            .arg("--demo")
            .env("DISPLAY", x.display())
            .env("ICED_BACKEND", "tiny-skia")
            .env("GAINSTAGE_CONFIG_DIR", dirs.path())
            .env("GAINSTAGE_DATA_DIR", dirs.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Meters in three colours, scale labels and text: far more than a blank or frozen window.
    let seen = x.wait_for_colours(50, 30);
    assert!(
        seen > 50,
        "the window did not draw: {seen} distinct colours"
    );
}

/// Over SSH or on a headless server there is no display: one line on what to use instead and
/// a failing exit code, not a panic with a backtrace.
#[test]
fn without_a_display_the_gui_says_what_to_use_instead_in_one_line() {
    let dirs = tempfile::tempdir().unwrap();
    let out = gui_with_display(None, dirs.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("gainstage: no display to open the window on")
            && lines[0].contains("`gainstage monitor`")
            && lines[0].contains("`gainstage analyze`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    // Nothing was opened or written: no input, no session log, no settings.
    assert_eq!(std::fs::read_dir(dirs.path()).unwrap().count(), 0);
}

/// A display that names no server (an SSH session's stale DISPLAY): the same one line.
#[test]
fn a_display_nobody_answers_at_gets_the_same_one_line() {
    let dirs = tempfile::tempdir().unwrap();
    // A display number past any X server's (Xvfb uses up to 65535): the socket never exists.
    let out = gui_with_display(Some(":65530"), dirs.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "gainstage: the window could not open (no X server answers at DISPLAY=:65530): \
         meter in this terminal with `gainstage monitor` (see `gainstage monitor --help`), \
         or measure recorded files with `gainstage analyze`"
    );
}

/// The GUI on the demo with `display` as DISPLAY (none when `None`), no Wayland, its files in
/// `dir`, backtraces on (so a panic would show).
fn gui_with_display(display: Option<&str>, dir: &std::path::Path) -> std::process::Output {
    let mut gui = Command::new(env!("CARGO_BIN_EXE_gainstage"));
    gui.arg("--demo")
        .env_remove("WAYLAND_DISPLAY")
        .env("RUST_BACKTRACE", "1")
        .env("GAINSTAGE_CONFIG_DIR", dir)
        .env("GAINSTAGE_DATA_DIR", dir);
    match display {
        Some(d) => gui.env("DISPLAY", d),
        None => gui.env_remove("DISPLAY"),
    };
    gui.output().unwrap()
}
