//! Runs the `gainstage` binary the way every command-line test should: in a home of the test's
//! own, so no test reads or writes the user's settings, templates, session logs or takes, and no
//! test finds the user's sound server by accident.

#![allow(dead_code)] // each test file uses the part it needs

use std::path::Path;
use std::process::{Command, Output};

/// `gainstage` with HOME, the XDG directories and gainstage's own directory overrides all
/// inside `home` (config in `home/config`, data in `home/data`). The runtime directory is
/// `home/runtime` too, where no sound server listens: a test that wants one starts it and
/// names its own.
pub fn gainstage(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gainstage"));
    isolate(&mut cmd, home);
    cmd
}

/// Points `cmd`'s HOME, XDG and gainstage directories into `home`, as [`gainstage`] does.
pub fn isolate(cmd: &mut Command, home: &Path) {
    let runtime = home.join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    cmd.env("HOME", home)
        .env("XDG_RUNTIME_DIR", runtime)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("GAINSTAGE_CONFIG_DIR", home.join("config"))
        .env("GAINSTAGE_DATA_DIR", home.join("data"));
}

/// Runs `cmd`, fails the test with its stderr unless it succeeded, and returns its stdout.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_success(&out);
    String::from_utf8(out.stdout).unwrap()
}

/// Fails the test with the command's stderr unless it exited successfully.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each line of `text` as JSON.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
