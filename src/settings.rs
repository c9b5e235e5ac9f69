//! GUI settings that persist between runs: TOML in the config directory, written on change.
//!
//! A settings file that cannot be read is never overwritten: it is renamed aside
//! (`settings.toml.broken-<unix seconds>`) so nothing the user wrote is lost, and the GUI starts
//! with defaults and says so.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::advisor::SourcePreset;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Channel names, index 0 = channel 1; empty means "Input N".
    pub names: Vec<String>,
    /// Source preset per channel, index 0 = channel 1.
    pub presets: Vec<SourcePreset>,
    /// "bridge", "wall" or "performer".
    pub view: String,
    /// Channels (from 1) the performer view shows.
    pub performer_channels: Vec<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            names: Vec::new(),
            presets: Vec::new(),
            view: "bridge".into(),
            performer_channels: vec![1, 2],
        }
    }
}

pub const FILE_NAME: &str = "settings.toml";

pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Loads settings from `dir`. Returns defaults with a message when the file was broken (and has
/// been renamed aside); defaults without a message when there is no file yet.
pub fn load(dir: &Path) -> (Settings, Option<String>) {
    let path = path_in(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Settings::default(), None),
        Err(e) => {
            return (
                Settings::default(),
                Some(format!("settings {}: {e}; using defaults", path.display())),
            );
        }
    };
    match toml::from_str(&text) {
        Ok(s) => (s, None),
        Err(e) => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let aside = dir.join(format!("{FILE_NAME}.broken-{stamp}"));
            let kept = match std::fs::rename(&path, &aside) {
                Ok(()) => format!("kept as {}", aside.display()),
                Err(r) => format!("could not be moved aside ({r}), left as it is"),
            };
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            (
                Settings::default(),
                Some(format!(
                    "settings file was broken ({first}); {kept}; using defaults"
                )),
            )
        }
    }
}

/// Writes settings to `dir` through a temporary file, so a crash mid-write never leaves a
/// half-written settings file.
pub fn save(dir: &Path, settings: &Settings) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = toml::to_string(settings).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!("{FILE_NAME}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path_in(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings {
            names: vec!["Kick".into(), String::new(), "Vox".into()],
            presets: vec![
                SourcePreset::Kick,
                SourcePreset::Generic,
                SourcePreset::Vocal,
            ],
            view: "wall".into(),
            performer_channels: vec![3],
        };
        save(dir.path(), &s).unwrap();
        assert_eq!(load(dir.path()), (s, None));
    }

    #[test]
    fn a_broken_file_is_kept_aside_and_defaults_are_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path_in(dir.path()), "names = [unclosed").unwrap();
        let (s, message) = load(dir.path());
        assert_eq!(s, Settings::default());
        assert!(message.unwrap().contains("broken"));
        assert!(!path_in(dir.path()).exists());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("settings.toml.broken-"))
            .collect();
        assert_eq!(aside.len(), 1);
        let kept = std::fs::read_to_string(dir.path().join(&aside[0])).unwrap();
        assert_eq!(kept, "names = [unclosed");
    }

    #[test]
    fn no_file_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), (Settings::default(), None));
    }
}
