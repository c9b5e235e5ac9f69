//! Session templates: the channel names and presets of a whole input list, plus any edited
//! preset parameters, saved as TOML under `<config dir>/templates/<name>.toml` so a band's
//! setup comes back next week.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::preset::{PresetParams, Presets, SourcePreset};

/// One input of the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSetup {
    /// Channel number, from 1.
    pub channel: usize,
    /// What people call it ("Lead vox").
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub preset: SourcePreset,
}

/// A whole session setup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionTemplate {
    pub channels: Vec<ChannelSetup>,
    /// Presets whose parameters the user edited; the others keep the built-in values.
    pub presets: Presets,
    /// The devices whose preamps gainstage may set, in order, as `--preamp` takes them
    /// (`x32:HOST[:PORT]` …; checked where they are used, so the advisor needs no preamps).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preamps: Vec<String>,
    /// Inputs fed by another preamp than the N-th: input N ↔ preamp N otherwise (the
    /// consoles' default USB routing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preamp_map: Vec<PreampRoute>,
}

/// Input `input` is fed by preamp number `preamp` (both from 1; preamps counted over the
/// devices in the order `preamps` lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreampRoute {
    pub input: usize,
    pub preamp: usize,
}

/// Why a template could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no config directory: set GAINSTAGE_CONFIG_DIR")]
    NoConfigDir,
    #[error("template name {0:?} must be non-empty and use only letters, digits, '-', '_' and '.'")]
    BadName(String),
    #[error("template {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template {path} is not valid (file left as it is, defaults used): {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("template: {0}")]
    Encode(#[from] toml::ser::Error),
}

impl SessionTemplate {
    /// The name of channel `channel` (from 1), or "Input N" when the template has none.
    pub fn channel_name(&self, channel: usize) -> String {
        self.setup(channel)
            .map(|c| c.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("Input {channel}"))
    }

    /// The preset of channel `channel` (from 1); generic when the template has none.
    pub fn preset(&self, channel: usize) -> SourcePreset {
        self.setup(channel).map(|c| c.preset).unwrap_or_default()
    }

    /// The parameters in force for channel `channel` (from 1).
    pub fn params(&self, channel: usize) -> PresetParams {
        self.presets.get(self.preset(channel))
    }

    /// The template's input → preamp mapping (input → preamp number, both from 1).
    pub fn preamp_mapping(&self) -> std::collections::BTreeMap<usize, usize> {
        self.preamp_map
            .iter()
            .map(|r| (r.input, r.preamp))
            .collect()
    }

    fn setup(&self, channel: usize) -> Option<&ChannelSetup> {
        self.channels.iter().find(|c| c.channel == channel)
    }

    pub fn to_toml(&self) -> Result<String, TemplateError> {
        Ok(toml::to_string_pretty(self)?)
    }

    pub fn from_toml(text: &str, path: &Path) -> Result<Self, TemplateError> {
        toml::from_str(text).map_err(|e| TemplateError::Corrupt {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Writes `<config_dir>/templates/<name>.toml`, creating directories. Written
    /// atomically ([`crate::atomic_file`]), so a crash never leaves half a template.
    pub fn save_in(&self, config_dir: &Path, name: &str) -> Result<PathBuf, TemplateError> {
        let path = template_path_in(config_dir, name)?;
        let io = |source| TemplateError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        crate::atomic_file::write(&path, self.to_toml()?.as_bytes()).map_err(io)?;
        Ok(path)
    }

    /// Reads `templates/<name>.toml` from the config dir.
    pub fn load(name: &str) -> Result<Self, TemplateError> {
        Self::load_from(&config_dir()?, name)
    }

    /// As [`Self::load`], from under `config_dir`.
    pub fn load_from(config_dir: &Path, name: &str) -> Result<Self, TemplateError> {
        let path = template_path_in(config_dir, name)?;
        let text = std::fs::read_to_string(&path).map_err(|source| TemplateError::Io {
            path: path.clone(),
            source,
        })?;
        Self::from_toml(&text, &path)
    }
}

fn config_dir() -> Result<PathBuf, TemplateError> {
    crate::platform::paths::config_dir().ok_or(TemplateError::NoConfigDir)
}

/// `<config_dir>/templates/<name>.toml`, for a name that cannot escape that directory.
pub fn template_path_in(config_dir: &Path, name: &str) -> Result<PathBuf, TemplateError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(TemplateError::BadName(name.to_string()));
    }
    Ok(config_dir.join("templates").join(format!("{name}.toml")))
}

/// Names of the templates saved under `config_dir`, sorted.
pub fn list_templates_in(config_dir: &Path) -> Vec<String> {
    let dir = config_dir;
    let mut names: Vec<String> = std::fs::read_dir(dir.join("templates"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "toml")
                .then(|| p.file_stem()?.to_str().map(str::to_string))
                .flatten()
        })
        .collect();
    names.sort();
    names
}

/// Who is on each channel for one run: the template's channels, and one preset for every
/// channel the template does not list (what `--template` and `--preset` give).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelPlan {
    pub template: SessionTemplate,
    /// Preset of channels the template does not list.
    pub fallback: SourcePreset,
}

impl ChannelPlan {
    /// The preset of channel `channel` (from 1).
    pub fn preset(&self, channel: usize) -> SourcePreset {
        self.template
            .setup(channel)
            .map_or(self.fallback, |c| c.preset)
    }

    /// The parameters in force for channel `channel` (from 1), with the template's edits.
    pub fn params(&self, channel: usize) -> PresetParams {
        self.template.presets.get(self.preset(channel))
    }

    /// Presets of channels 1..=n, index 0 first.
    pub fn presets_for(&self, n: usize) -> Vec<SourcePreset> {
        (1..=n).map(|ch| self.preset(ch)).collect()
    }

    /// Names of channels 1..=n, index 0 first ("Input N" where the template has none).
    pub fn names_for(&self, n: usize) -> Vec<String> {
        (1..=n).map(|ch| self.template.channel_name(ch)).collect()
    }
}
