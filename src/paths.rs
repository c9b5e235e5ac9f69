//! Where settings, templates and session logs live.
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

/// Session logs.
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("GAINSTAGE_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
}
