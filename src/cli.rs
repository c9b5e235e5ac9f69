//! Command-line interface. Each subcommand's arguments live here, and [`run`] converts them to
//! the library's own types; its behaviour lives in the module that owns it. No other module
//! imports this one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::capture::{HostKind, SourceKind, SourceSpec};
use crate::meter::clip::FLOAT_CLIP_LEVEL_RANGE_DBFS;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HostChoice {
    Alsa,
    Jack,
    Pulse,
}

impl From<HostChoice> for HostKind {
    fn from(h: HostChoice) -> Self {
        match h {
            HostChoice::Alsa => HostKind::Alsa,
            HostChoice::Jack => HostKind::Jack,
            HostChoice::Pulse => HostKind::Pulse,
        }
    }
}

/// Where audio comes from: a device, a WAV file played in real time, or the demo generator.
#[derive(Debug, Clone, Args, Default)]
pub struct SourceArgs {
    /// Audio host (default: the system's default host).
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
    /// Consecutive clipped samples that count as one over (1-20; default 1, or the GUI's
    /// saved setting).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub over_len: Option<u32>,
    #[command(flatten)]
    pub clip: ClipArgs,
}

/// The clip level for float sources.
#[derive(Debug, Clone, Copy, Args, Default)]
pub struct ClipArgs {
    /// Float streams (PipeWire, PulseAudio, ALSA plug, float WAV) count a sample as clipped
    /// at or above this level in dBFS, -6 to 0 (default -0.0003: one 16-bit step below full
    /// scale, so converters' positive full-scale codes count). Integer sources always clip at
    /// their full-scale codes.
    #[arg(long = "clip-level", value_name = "DBFS", allow_negative_numbers = true, value_parser = parse_clip_level)]
    pub clip_level_dbfs: Option<f64>,
}

fn parse_clip_level(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a level in dBFS (e.g. -0.05)"))?;
    if FLOAT_CLIP_LEVEL_RANGE_DBFS.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} dBFS is outside {} to {} dBFS",
            FLOAT_CLIP_LEVEL_RANGE_DBFS.start(),
            FLOAT_CLIP_LEVEL_RANGE_DBFS.end()
        ))
    }
}

impl SourceArgs {
    /// The library's description of the source these arguments name.
    pub fn spec(&self) -> SourceSpec {
        let kind = if let Some(path) = &self.file {
            SourceKind::File(path.clone())
        } else if self.demo {
            SourceKind::Demo
        } else {
            SourceKind::Device {
                host: self.host.map(HostKind::from),
                device: self.device.clone(),
            }
        };
        SourceSpec {
            kind,
            channels: self.channels,
            rate: self.rate,
            buffer: self.buffer,
        }
    }

    /// True when the command line names an input; it then wins over a saved one.
    pub fn names_a_source(&self) -> bool {
        self.host.is_some()
            || self.device.is_some()
            || self.file.is_some()
            || self.demo
            || self.channels.is_some()
            || self.rate.is_some()
            || self.buffer.is_some()
    }
}

#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// WAV files (8/16/24/32-bit integer, 32-bit float, any channel count).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Consecutive clipped samples that count as one over (1-20).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub over_len: u32,
    #[command(flatten)]
    pub clip: ClipArgs,
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

/// Runs the command line: converts each subcommand's arguments to the library's types and
/// calls the module that owns the command.
pub fn run(cli: Cli) -> Result<ExitCode, crate::Error> {
    match cli.command {
        Some(Command::Analyze(args)) => {
            let opts = crate::analyze::AnalyzeOptions {
                over_len: args.over_len,
                float_clip_level_dbfs: args.clip.clip_level_dbfs,
                plan: args.advice.plan()?,
                ..crate::analyze::AnalyzeOptions::default()
            };
            crate::commands::analyze(&args.files, args.json, opts)
        }
        Some(Command::Devices(args)) => {
            crate::capture::devices::run(args.host.map(HostKind::from), args.json)
        }
        Some(Command::Monitor(args)) => crate::monitor::run(&crate::monitor::MonitorOptions {
            source: args.source.spec(),
            duration_s: args.duration,
            interval_ms: args.interval,
            json: args.json,
            soundcheck_s: args.soundcheck,
            plan: args.advice.plan()?,
            over_len: args
                .source
                .over_len
                .unwrap_or(crate::meter::MeterConfig::default().over_len),
            float_clip_level_dbfs: args.source.clip.clip_level_dbfs,
        }),
        Some(Command::Log(args)) => crate::advisor::log::run(args.since.as_deref(), args.json),
        None => run_gui(&cli.gui),
    }
}

#[cfg(feature = "gui")]
fn run_gui(args: &GuiArgs) -> Result<ExitCode, crate::Error> {
    crate::ui::run(crate::ui::GuiOptions {
        source: args.source.names_a_source().then(|| args.source.spec()),
        over_len: args.source.over_len,
        float_clip_level_dbfs: args.source.clip.clip_level_dbfs,
        wall: args.wall,
    })
}

#[cfg(not(feature = "gui"))]
fn run_gui(_args: &GuiArgs) -> Result<ExitCode, crate::Error> {
    Err(crate::Error::Message(
        "built without the `gui` feature: use `gainstage monitor`".into(),
    ))
}
