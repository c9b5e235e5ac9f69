//! What to meter, as the library takes it. The command line (`cli`) and the GUI's saved input
//! both convert to a [`SourceSpec`]; nothing here knows how either spells it.

use std::path::PathBuf;

pub use crate::platform::hosts::HostKind;

/// Where the audio comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    /// An input device: `host` `None` is the system's default host, `device` `None` its
    /// default input; otherwise an id, a name, or a unique part of either.
    Device {
        host: Option<HostKind>,
        device: Option<String>,
    },
    /// A WAV file played through the live path at real-time pace.
    File(PathBuf),
    /// The built-in demo session generator.
    Demo,
}

impl Default for SourceKind {
    fn default() -> Self {
        Self::Device {
            host: None,
            device: None,
        }
    }
}

/// A source and how to open it. Meter settings (over length, clip level) travel in the
/// session's config, where the caller has already decided between its saved settings and
/// what the user gave for this run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceSpec {
    pub kind: SourceKind,
    /// Input channels (default: all the device offers; demo: 16).
    pub channels: Option<u16>,
    /// Sample rate in Hz where the host allows (default: the device's).
    pub rate: Option<u32>,
    /// Buffer (period) size in frames where the host allows.
    pub buffer: Option<u32>,
}

impl SourceSpec {
    /// The demo source with `channels` (default 16).
    pub fn demo(channels: Option<u16>) -> Self {
        Self {
            kind: SourceKind::Demo,
            channels,
            ..Self::default()
        }
    }

    /// A WAV file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            kind: SourceKind::File(path.into()),
            ..Self::default()
        }
    }

    pub fn is_demo(&self) -> bool {
        self.kind == SourceKind::Demo
    }

    pub fn is_device(&self) -> bool {
        matches!(self.kind, SourceKind::Device { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_round_trip_case_insensitively() {
        for h in HostKind::ALL {
            assert_eq!(HostKind::from_name(h.name()), Some(h));
            assert_eq!(HostKind::from_name(&h.name().to_uppercase()), Some(h));
        }
        assert_eq!(HostKind::from_name("oss"), None);
        assert_eq!(HostKind::from_name("pipewire"), Some(HostKind::PipeWire));
    }
}
