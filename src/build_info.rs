//! What this binary is: its version, the commit it was built from (`build.rs`) and the audio
//! hosts and GUI renderers compiled into it, for `gainstage --version` and bug reports.

use crate::capture::HostKind;
use crate::capture::device::host_id;

/// The package version (Cargo.toml's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The commit's short hash, or "unknown" when built outside a git checkout.
pub const COMMIT: &str = env!("GAINSTAGE_COMMIT");

/// The hosts `--host` can open in this build, by their command-line names.
pub fn hosts() -> Vec<&'static str> {
    HostKind::ALL
        .into_iter()
        .filter(|h| host_id(Some(*h)).is_ok())
        .map(HostKind::name)
        .collect()
}

/// The GUI renderers compiled in (none without the `gui` feature).
pub fn renderers() -> Vec<&'static str> {
    let mut names = Vec::new();
    if cfg!(feature = "gpu") {
        names.push("wgpu");
    }
    if cfg!(feature = "gui") {
        names.push("tiny-skia");
    }
    names
}

/// The text `gainstage --version` prints after the program's name.
pub fn long_version() -> String {
    let renderers = renderers();
    let renderers = if renderers.is_empty() {
        "none (built without the GUI)".to_owned()
    } else {
        renderers.join(", ")
    };
    format!(
        "{VERSION}\ncommit: {COMMIT}\nhosts: {}\nrenderers: {renderers}",
        hosts().join(", ")
    )
}
