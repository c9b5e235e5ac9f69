//! Where settings, templates, session logs and takes live: the platform's own places.
//!
//! | | settings, templates | session logs, takes |
//! |---|---|---|
//! | Linux | `$XDG_CONFIG_HOME/gainstage` | `$XDG_DATA_HOME/gainstage` |
//! | macOS | `~/Library/Application Support/gainstage` | the same |
//! | Windows | `%APPDATA%\gainstage\config` (roams with the user) | `%LOCALAPPDATA%\gainstage\data` (large, this machine's) |
//!
//! `GAINSTAGE_CONFIG_DIR` and `GAINSTAGE_DATA_DIR` override the platform directories, so tests
//! and portable setups never touch a user's real files.

use std::path::PathBuf;

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "gainstage")
}

/// Settings and session templates (TOML).
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("GAINSTAGE_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.config_dir().to_path_buf()))
}

/// Session logs and takes. The local (non-roaming) data directory: on Linux and macOS the
/// same as the data directory; on Windows it keeps recordings out of the roaming profile.
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("GAINSTAGE_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.data_local_dir().to_path_buf()))
}
