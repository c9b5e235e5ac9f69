//! Command-line interface. Each subcommand's arguments live here; its behaviour lives in the
//! module that owns it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gainstage",
    version,
    about = "Live input monitor for recording sessions: peaks, true peak, clips, loudness and gain-staging advice per channel."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for the GUI (used when no subcommand is given).
    #[command(flatten)]
    pub gui: GuiArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse recorded WAV takes and report every channel.
    Analyze(AnalyzeArgs),
    /// List audio hosts and their input devices.
    Devices(DevicesArgs),
    /// Meter a device, file or the demo source headless, as a live table or JSON lines.
    Monitor(MonitorArgs),
    /// Print the session log (clips and warnings with times).
    Log(LogArgs),
}

/// The audio hosts `--host` offers on this platform. ALSA, PipeWire and PulseAudio exist only
/// on Linux; JACK also on macOS; CoreAudio and WASAPI are their platforms' own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HostChoice {
    #[cfg(target_os = "linux")]
    Alsa,
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    Jack,
    #[cfg(target_os = "linux")]
    Pipewire,
    #[cfg(target_os = "linux")]
    Pulse,
    #[cfg(target_os = "macos")]
    Coreaudio,
    #[cfg(target_os = "windows")]
    Wasapi,
}

/// Where audio comes from: a device, a WAV file played in real time, or the demo generator.
#[derive(Debug, Clone, Args, Default)]
pub struct SourceArgs {
    /// Audio host (default: the system's; on Linux PipeWire where its server runs, else
    /// PulseAudio, else ALSA).
    #[arg(long, value_enum)]
    pub host: Option<HostChoice>,
    /// Device id, or a case-insensitive part of its id or name.
    #[arg(long)]
    pub device: Option<String>,
    /// Number of input channels (default: all the device offers; demo: 16).
    #[arg(long)]
    pub channels: Option<u16>,
    /// Sample rate in Hz where the host allows.
    #[arg(long)]
    pub rate: Option<u32>,
    /// Buffer (period) size in frames where the host allows.
    #[arg(long)]
    pub buffer: Option<u32>,
    /// Play a WAV file through the meters at real-time pace instead of a device.
    #[arg(long, conflicts_with_all = ["demo", "device", "host"])]
    pub file: Option<PathBuf>,
    /// Use the built-in demo session generator instead of a device.
    #[arg(long, conflicts_with_all = ["device", "host"])]
    pub demo: bool,
    /// Consecutive full-scale samples that count as one over (1-20).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub over_len: u32,
}

#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// WAV files (8/16/24/32-bit integer, 32-bit float, any channel count).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Consecutive full-scale samples that count as one over (1-20).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub over_len: u32,
    #[command(flatten)]
    pub advice: AdviceArgs,
}

/// Which source preset the advisor judges each channel by.
#[derive(Debug, Clone, Args, Default)]
pub struct AdviceArgs {
    /// Source preset for every channel the template does not list (generic, vocal, speech,
    /// kick, snare, toms, overheads, room, bass_di, bass_amp, electric_guitar,
    /// acoustic_guitar, keys_line, synth).
    #[arg(long, value_parser = parse_preset)]
    pub preset: Option<crate::advisor::SourcePreset>,
    /// Session template (a saved input list in the config directory) giving channels their
    /// names and presets.
    #[arg(long)]
    pub template: Option<String>,
}

impl AdviceArgs {
    /// Loads the named template; an unreadable or corrupt one is an error, not a silent default.
    pub fn plan(&self) -> Result<crate::advisor::ChannelPlan, crate::Error> {
        let template = match &self.template {
            Some(name) => crate::advisor::SessionTemplate::load(name)
                .map_err(|e| crate::Error::Message(format!("template '{name}': {e}")))?,
            None => crate::advisor::SessionTemplate::default(),
        };
        Ok(crate::advisor::ChannelPlan {
            template,
            fallback: self.preset.unwrap_or_default(),
        })
    }
}

fn parse_preset(name: &str) -> Result<crate::advisor::SourcePreset, String> {
    crate::advisor::SourcePreset::from_name(name).ok_or_else(|| {
        let names: Vec<_> = crate::advisor::SourcePreset::ALL
            .iter()
            .map(|p| p.name())
            .collect();
        format!("unknown preset '{name}'; one of: {}", names.join(", "))
    })
}

#[derive(Debug, Clone, Args)]
pub struct DevicesArgs {
    /// Only this host.
    #[arg(long, value_enum)]
    pub host: Option<HostChoice>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct MonitorArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    pub duration: Option<f64>,
    /// Milliseconds between output lines / redraws.
    #[arg(long, default_value_t = 100)]
    pub interval: u64,
    /// One JSON object per line instead of a live table.
    #[arg(long)]
    pub json: bool,
    /// Listen this many seconds while the performer plays loud, then print per-channel advice.
    #[arg(long, value_name = "SECS")]
    pub soundcheck: Option<f64>,
    #[command(flatten)]
    pub advice: AdviceArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Only entries at or after this time (RFC 3339, or seconds ago like "10m", "2h").
    #[arg(long)]
    pub since: Option<String>,
    /// Print JSON lines as stored instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args, Default)]
pub struct GuiArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Open straight into the wall view, fullscreen.
    #[arg(long)]
    pub wall: bool,
}
