//! Command-line interface. Each subcommand's arguments live here, and [`run`] converts them to
//! the library's own types; its behaviour lives in the module that owns it. No other module
//! imports this one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::capture::{HostKind, SourceKind, SourceSpec};
use crate::meter::clip::FLOAT_CLIP_LEVEL_RANGE_DBFS;

pub mod manuals;

#[derive(Debug, Parser)]
#[command(
    name = "gainstage",
    version,
    long_version = crate::build_info::long_version(),
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
    /// Meter a device, file or the demo headless and serve it: performer, wall and bridge pages
    /// to any browser on the network, a WebSocket/HTTP feed, OSC out and in.
    Serve(ServeArgs),
    /// Print the saved take reports of the GUI, `monitor` and `serve` (per take and input:
    /// verdict, peaks, clip bursts with their times, loudness).
    Takes(TakesArgs),
    /// List each input whose preamp gain gainstage can set: its gain, range and step, and
    /// through what (x32, xair, motu, pipewire, alsa, coreaudio).
    Preamps(PreampsArgs),
}

/// The preamps gainstage may set (`preamps`, `monitor`, `serve`, the GUI).
#[derive(Debug, Clone, Args, Default)]
pub struct PreampArgs {
    /// A device whose preamps gainstage may set: x32:HOST[:PORT], xair:HOST[:PORT],
    /// motu:HOST[:PORT], pipewire:NODE, alsa:CTL, wasapi:DEVICE or coreaudio:DEVICE
    /// (repeatable; input N is fed by the N-th preamp over them in order, unless the template
    /// maps it). Default: the template's, else with `--host pipewire --device NODE` that node's
    /// channel volumes, with `--host alsa --device hw:…` that card's capture volumes, with
    /// `--host wasapi` (Windows' default) the capture endpoint's channel volumes, on macOS with
    /// CoreAudio the capture device's input volumes.
    #[arg(long = "preamp", value_name = "SPEC", value_parser = parse_preamp)]
    pub preamps: Vec<crate::preamps::PreampSpec>,
    /// The largest raise made in one step without confirming (dB, default 12). Cuts are
    /// always made in full.
    #[arg(long, value_name = "DB", value_parser = parse_max_raise)]
    pub apply_max_raise: Option<f64>,
}

/// The capture device's own controls: with `--host pipewire --device NODE` that node's channel
/// volumes, with `--host alsa --device hw:…` (or `plughw:…`) the card's capture volumes.
#[cfg(target_os = "linux")]
fn own_controls(source: &SourceArgs) -> Option<crate::preamps::PreampSpec> {
    let device = source.device.as_deref()?;
    match source.host? {
        HostChoice::Pipewire => Some(crate::preamps::PreampSpec::PipeWire {
            node: device
                .strip_prefix("pipewire:")
                .unwrap_or(device)
                .to_string(),
        }),
        HostChoice::Alsa if device.starts_with("hw:") || device.starts_with("plughw:") => {
            Some(crate::preamps::PreampSpec::Alsa {
                ctl: crate::preamps::alsa::ctl_of_device(device),
            })
        }
        _ => None,
    }
}

/// The capture device's own controls: with `--host wasapi` (Windows' default host) or
/// `--device` the capture endpoint's channel volumes, the default endpoint's without
/// `--device`. Nothing when neither is named: the GUI may then pick another device.
#[cfg(windows)]
fn own_controls(source: &SourceArgs) -> Option<crate::preamps::PreampSpec> {
    let named = source.host == Some(HostChoice::Wasapi)
        || (source.host.is_none() && source.device.is_some());
    if !named || source.file.is_some() || source.demo {
        return None;
    }
    Some(crate::preamps::PreampSpec::Wasapi {
        device: source
            .device
            .clone()
            .unwrap_or_else(|| crate::preamps::spec::WASAPI_DEFAULT.to_string()),
    })
}

/// The capture device's own controls: with `--host coreaudio` (or no `--host`: CoreAudio is
/// macOS's default) the input volumes of `--device`, else of the default input.
#[cfg(target_os = "macos")]
fn own_controls(source: &SourceArgs) -> Option<crate::preamps::PreampSpec> {
    if source.file.is_some() || source.demo {
        return None;
    }
    match source.host {
        None | Some(HostChoice::Coreaudio) => Some(crate::preamps::PreampSpec::CoreAudio {
            device: source
                .device
                .clone()
                .unwrap_or_else(|| crate::preamps::coreaudio::DEFAULT_DEVICE.to_string()),
        }),
        Some(_) => None,
    }
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
fn own_controls(_source: &SourceArgs) -> Option<crate::preamps::PreampSpec> {
    None
}

fn parse_preamp(text: &str) -> Result<crate::preamps::PreampSpec, String> {
    text.parse()
}

fn parse_max_raise(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of dB"))?;
    if (0.0..=72.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} dB is outside 0 to 72 dB"))
    }
}

impl PreampArgs {
    /// The library's preamp configuration: these specs (else the template's), the template's
    /// input mapping and the raise limit.
    fn config(
        &self,
        plan: &crate::advisor::ChannelPlan,
        source: &SourceArgs,
    ) -> Result<crate::preamps::RigConfig, crate::Error> {
        let own = own_controls(source)
            .filter(|_| self.preamps.is_empty() && plan.template.preamps.is_empty());
        let specs = if let Some(own) = own {
            vec![own]
        } else if self.preamps.is_empty() {
            plan.template
                .preamps
                .iter()
                .map(|s| {
                    s.parse()
                        .map_err(|e| crate::Error::Message(format!("template preamp: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?
        } else {
            self.preamps.clone()
        };
        Ok(crate::preamps::RigConfig {
            specs,
            mapping: plan.template.preamp_mapping(),
            limits: crate::preamps::PlanLimits {
                max_raise_db: self
                    .apply_max_raise
                    .unwrap_or(crate::preamps::plan::DEFAULT_MAX_RAISE_DB),
            },
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct PreampsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub advice: AdviceArgs,
    #[command(flatten)]
    pub preamps: PreampArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The audio hosts `--host` offers on this platform. ALSA, PipeWire and PulseAudio exist only
/// on Linux; JACK also on macOS; CoreAudio, WASAPI and ASIO are their platforms' own.
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
    /// Steinberg ASIO drivers: only in builds with `--features asio`.
    #[cfg(target_os = "windows")]
    Asio,
}

impl From<HostChoice> for HostKind {
    fn from(h: HostChoice) -> Self {
        match h {
            #[cfg(target_os = "linux")]
            HostChoice::Alsa => HostKind::Alsa,
            #[cfg(any(target_os = "linux", target_os = "macos"))]
            HostChoice::Jack => HostKind::Jack,
            #[cfg(target_os = "linux")]
            HostChoice::Pipewire => HostKind::PipeWire,
            #[cfg(target_os = "linux")]
            HostChoice::Pulse => HostKind::Pulse,
            #[cfg(target_os = "macos")]
            HostChoice::Coreaudio => HostKind::CoreAudio,
            #[cfg(target_os = "windows")]
            HostChoice::Wasapi => HostKind::Wasapi,
            #[cfg(target_os = "windows")]
            HostChoice::Asio => HostKind::Asio,
        }
    }
}

/// Where audio comes from: a device, a WAV file played in real time, or the demo generator.
#[derive(Debug, Clone, Args, Default)]
pub struct SourceArgs {
    /// Audio host (default: the system's; on Linux PipeWire where its server runs, else
    /// PulseAudio, else ALSA; CoreAudio on macOS; WASAPI on Windows).
    #[arg(long, value_enum)]
    pub host: Option<HostChoice>,
    /// Device: its id, its name or its id without the host prefix (an ALSA PCM name such as
    /// `hw:CARD=x,DEV=0`, a PipeWire node name), else a unique case-insensitive part of one.
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
    /// WAV files (8/16/24/32-bit integer, 32-bit float, any channel count); with
    /// `--stage stems`, a directory stands for its WAV files.
    #[arg(required_unless_present = "list_targets")]
    pub files: Vec<PathBuf>,
    /// Print one JSON array (with `--stage`: one object) instead of a table.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// With `--stage stems|mix|master`: print CSV, a row per verdict.
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub stage: StageArgs,
    /// Consecutive clipped samples that count as one over (1-20).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub over_len: u32,
    #[command(flatten)]
    pub clip: ClipArgs,
    #[command(flatten)]
    pub advice: AdviceArgs,
}

/// The stage whose rules `analyze` judges by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum StageChoice {
    /// Recorded takes, per channel by source preset.
    #[default]
    Tracking,
    /// Printed stems against a print ceiling, and their sum.
    Stems,
    /// A mix against the mastering margin.
    Mix,
    /// A master against delivery targets.
    Master,
}

/// `analyze`'s stage options.
#[derive(Debug, Clone, Args, Default)]
pub struct StageArgs {
    /// Judge by this stage's rules.
    #[arg(long, value_enum, default_value_t = StageChoice::Tracking)]
    pub stage: StageChoice,
    /// Stems: the print ceiling (default -6 dBTP). Mix: the mastering margin's peak ceiling
    /// (default -3 dBTP). Master: the true-peak ceiling of `--target-lufs`.
    #[arg(long, allow_hyphen_values = true, value_name = "DBTP")]
    pub ceiling: Option<f64>,
    /// Mix: how far the highest short-term loudness must stay under the ceiling (dB).
    #[arg(long, default_value_t = 6.0, value_name = "DB")]
    pub loudness_gap: f64,
    /// Master: a delivery target by name (repeatable; default every one); see
    /// `--list-targets`.
    #[arg(long = "target", value_parser = parse_target, value_name = "NAME")]
    pub targets: Vec<crate::delivery::Target>,
    /// Master: an explicit target loudness (LUFS), with `--ceiling` (default -1 dBTP).
    #[arg(long, allow_hyphen_values = true, value_name = "LUFS")]
    pub target_lufs: Option<f64>,
    /// Master: a peak-to-loudness ratio under this is limited hard (dB).
    #[arg(long, default_value_t = 8.0, value_name = "DB")]
    pub min_plr: f64,
    /// Mix or master: a reference track measured the same way, with the differences.
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// List the delivery targets with their figures and sources, and exit.
    #[arg(long)]
    pub list_targets: bool,
}

impl StageArgs {
    /// The library's stage options.
    pub fn options(&self) -> crate::commands::StageOptions {
        use crate::advisor::stage::{DEFAULT_STEM_CEILING_DBTP, MasterRules, MixMargin, Stage};
        let stage = match self.stage {
            StageChoice::Tracking => Stage::Tracking,
            StageChoice::Stems => Stage::Stems,
            StageChoice::Mix => Stage::Mix,
            StageChoice::Master => Stage::Master,
        };
        let mut targets = self.targets.clone();
        if let Some(lufs) = self.target_lufs {
            targets.push(crate::delivery::custom(lufs, self.ceiling.unwrap_or(-1.0)));
        }
        let mix_default = MixMargin::default();
        crate::commands::StageOptions {
            stage,
            settings: crate::file_report::StageSettings {
                stem_ceiling_dbtp: match stage {
                    Stage::Stems => self.ceiling.unwrap_or(DEFAULT_STEM_CEILING_DBTP),
                    _ => DEFAULT_STEM_CEILING_DBTP,
                },
                mix: MixMargin {
                    ceiling_dbtp: match stage {
                        Stage::Mix => self.ceiling.unwrap_or(mix_default.ceiling_dbtp),
                        _ => mix_default.ceiling_dbtp,
                    },
                    loudness_gap_db: self.loudness_gap,
                },
                master: MasterRules {
                    min_plr_db: self.min_plr,
                },
            },
            targets,
            reference: self.reference.clone(),
        }
    }
}

fn parse_target(name: &str) -> Result<crate::delivery::Target, String> {
    crate::delivery::find(name).ok_or_else(|| {
        let names: Vec<_> = crate::delivery::TARGETS.iter().map(|t| t.name).collect();
        format!("unknown target '{name}'; one of: {}", names.join(", "))
    })
}

/// Which source preset the advisor judges each channel by.
#[derive(Debug, Clone, Args, Default)]
pub struct AdviceArgs {
    /// Source preset for every channel the template does not list (generic, vocal, speech,
    /// kick, snare, toms, overheads, room, bass_di, bass_amp, electric_guitar,
    /// acoustic_guitar, keys_line, synth, mix_bus, master).
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
    /// Mark a take from START to END seconds of stream time, e.g. 0.5-2.0 (repeatable; takes
    /// may touch but not overlap). Each take's report is printed in the summary and saved in
    /// the data directory (`gainstage takes`).
    #[arg(long = "take", value_name = "START-END", value_parser = parse_take)]
    pub takes: Vec<crate::takes::TakeSpan>,
    /// Also show this programme meter's reading per channel (the `meter` key in --json): its
    /// ballistics and scale (IEC digital peak, VU, BBC/EBU/DIN/Nordic PPM, K-system).
    #[arg(long, value_enum, value_name = "KIND")]
    pub meter: Option<MeterArg>,
    /// Alignment level of --meter in dBFS: where 0 VU, PPM 4, TEST or DIN's 0 dB sits
    /// (default -18; DIN -9). The K-meters keep their own (-20, -14, -12).
    #[arg(long, value_name = "DBFS", allow_negative_numbers = true, requires = "meter", value_parser = parse_alignment)]
    pub alignment: Option<f64>,
    #[command(flatten)]
    pub auto_take: AutoTakeArgs,
    /// After the soundcheck, set every preamp that needs it (never during a take), listen
    /// again for as long and report what the input heard (the summary's `applied`).
    #[arg(long, requires = "soundcheck")]
    pub apply: bool,
    #[command(flatten)]
    pub preamps: PreampArgs,
}

/// Automatic takes by level (`monitor`, `serve`).
#[derive(Debug, Clone, Args)]
pub struct AutoTakeArgs {
    /// Start a take by itself when any input's sample peak passes this level (dBFS, e.g.
    /// -40) for the rise time, and end it after the quiet time. Off unless given.
    #[arg(long, value_name = "DBFS", allow_negative_numbers = true)]
    pub auto_take_level: Option<f64>,
    /// Seconds the level must hold for an automatic take to start (default 0.3).
    #[arg(long, value_name = "SECS", requires = "auto_take_level")]
    pub auto_take_rise: Option<f64>,
    /// Seconds of quiet that end an automatic take (default 5).
    #[arg(long, value_name = "SECS", requires = "auto_take_level")]
    pub auto_take_quiet: Option<f64>,
}

impl AutoTakeArgs {
    /// The automatic takes asked for, checked; `None` without `--auto-take-level`.
    fn config(&self) -> Result<Option<crate::takes::AutoTakeConfig>, crate::Error> {
        let Some(level_dbfs) = self.auto_take_level else {
            return Ok(None);
        };
        let d = crate::takes::AutoTakeConfig::default();
        crate::takes::AutoTakeConfig {
            level_dbfs,
            rise_s: self.auto_take_rise.unwrap_or(d.rise_s),
            quiet_s: self.auto_take_quiet.unwrap_or(d.quiet_s),
        }
        .checked()
        .map(Some)
        .map_err(crate::Error::Message)
    }
}

/// The programme meters `--meter` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeterArg {
    Peak,
    Vu,
    BbcPpm,
    EbuPpm,
    DinPpm,
    NordicPpm,
    K20,
    K14,
    K12,
}

impl From<MeterArg> for crate::meter::MeterKind {
    fn from(m: MeterArg) -> Self {
        use crate::meter::MeterKind as K;
        match m {
            MeterArg::Peak => K::Peak,
            MeterArg::Vu => K::Vu,
            MeterArg::BbcPpm => K::BbcPpm,
            MeterArg::EbuPpm => K::EbuPpm,
            MeterArg::DinPpm => K::DinPpm,
            MeterArg::NordicPpm => K::NordicPpm,
            MeterArg::K20 => K::K20,
            MeterArg::K14 => K::K14,
            MeterArg::K12 => K::K12,
        }
    }
}

fn parse_alignment(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a level in dBFS (e.g. -18)"))?;
    if crate::meter::kind::ALIGNMENT_RANGE_DBFS.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} dBFS is outside {} to {} dBFS",
            crate::meter::kind::ALIGNMENT_RANGE_DBFS.start(),
            crate::meter::kind::ALIGNMENT_RANGE_DBFS.end()
        ))
    }
}

fn parse_take(text: &str) -> Result<crate::takes::TakeSpan, String> {
    text.parse()
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub advice: AdviceArgs,
    /// Address and port to serve on (default: every interface, port 8040).
    #[arg(long, default_value = "0.0.0.0:8040", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// Viewers served at once; one more is refused.
    #[arg(long, default_value_t = 64)]
    pub max_clients: usize,
    /// Viewers served at once from one address, so that one device never takes every place.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub max_clients_per_address: usize,
    /// Connections of every kind (pages, /api, /ws) open at once.
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub max_connections: usize,
    /// Connections open at once from one address.
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub max_connections_per_address: usize,
    /// A host name this server may be reached by besides its IP addresses, localhost and this
    /// machine's own name (NAME and NAME.local), e.g. studio.lan (repeatable). Requests naming
    /// any other host are refused.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// Protect viewing too: pages, /api and /ws need ?key=THIS.
    #[arg(long, value_name = "KEY")]
    pub view_token: Option<String>,
    /// Another server's page origin allowed to open this server's feed (for a wall showing
    /// several servers), e.g. http://host-a:8040 (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Send readings by OSC to HOST:PORT (repeatable).
    #[arg(long = "osc", value_name = "HOST:PORT")]
    pub osc: Vec<String>,
    /// OSC bundles per second.
    #[arg(long, default_value_t = 20.0, value_name = "HZ")]
    pub osc_rate: f64,
    /// Take OSC control messages on this UDP port (or ADDR:PORT).
    #[arg(long, value_name = "PORT")]
    pub osc_listen: Option<String>,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    pub duration: Option<f64>,
    #[command(flatten)]
    pub auto_take: AutoTakeArgs,
    /// The preamps a control client's `apply` and `undo` set.
    #[command(flatten)]
    pub preamps: PreampArgs,
}

/// `HOST:PORT` as socket addresses (a name is looked up once, at start).
fn resolve(text: &str) -> Result<std::net::SocketAddr, crate::Error> {
    use std::net::ToSocketAddrs;
    text.to_socket_addrs()
        .map_err(|e| crate::Error::Message(format!("'{text}' is not HOST:PORT: {e}")))?
        .next()
        .ok_or_else(|| crate::Error::Message(format!("'{text}' names no address")))
}

/// `PORT` (every interface) or `ADDR:PORT`.
fn listen_addr(text: &str) -> Result<std::net::SocketAddr, crate::Error> {
    match text.trim().parse::<u16>() {
        Ok(port) => Ok(std::net::SocketAddr::from(([0, 0, 0, 0], port))),
        Err(_) => resolve(text),
    }
}

impl ServeArgs {
    fn options(self) -> Result<crate::remote::serve::ServeOptions, crate::Error> {
        let osc_targets = self
            .osc
            .iter()
            .map(|t| resolve(t))
            .collect::<Result<Vec<_>, _>>()?;
        let osc_listen = self.osc_listen.as_deref().map(listen_addr).transpose()?;
        let plan = self.advice.plan()?;
        let preamps = self.preamps.config(&plan, &self.source)?;
        let preamps = (!preamps.specs.is_empty()).then_some(preamps);
        // The changes go to the session log `serve` writes; without one they are still made.
        let preamp_log_dir = preamps
            .as_ref()
            .and_then(|_| crate::preamps::log::log_dir().ok());
        Ok(crate::remote::serve::ServeOptions {
            source: self.source.spec(),
            plan,
            over_len: self
                .source
                .over_len
                .unwrap_or(crate::meter::MeterConfig::default().over_len),
            float_clip_level_dbfs: self.source.clip.clip_level_dbfs,
            remote: crate::remote::RemoteConfig {
                listen: self.listen,
                max_clients: self.max_clients,
                max_clients_per_address: self.max_clients_per_address,
                connections: crate::remote::ConnectionLimits {
                    max_connections: self.max_connections,
                    max_per_address: self.max_connections_per_address,
                    ..crate::remote::ConnectionLimits::default()
                },
                allowed_hosts: self.allow_hosts,
                view_token: self
                    .view_token
                    .as_deref()
                    .and_then(crate::remote::Token::given),
                allowed_origins: self.allow_origins,
                osc_targets,
                osc_rate_hz: self.osc_rate,
                osc_listen,
                preamps,
                preamp_log_dir,
                ..crate::remote::RemoteConfig::default()
            },
            duration_s: self.duration,
            auto_take: self.auto_take.config()?,
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct TakesArgs {
    /// The session to print (a name `gainstage takes` lists; default: the latest).
    #[arg(long)]
    pub session: Option<String>,
    /// Print the reports as JSON (the keys `monitor --json`'s summary carries).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the reports as CSV, one row per take and input.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Only entries at or after this time: RFC 3339 with its zone ("2026-11-28T13:30:00Z"), a
    /// local time ("2026-11-28 14:30", or "14:30" for today), or a span ago ("10m", "2h").
    #[arg(long)]
    pub since: Option<String>,
    /// Print JSON lines as stored instead of a table.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (one row per entry, the JSON keys as columns) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, Args, Default)]
pub struct GuiArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Open straight into the wall view, fullscreen.
    #[arg(long)]
    pub wall: bool,
    #[command(flatten)]
    pub preamps: PreampArgs,
}

/// Runs the command line: converts each subcommand's arguments to the library's types and
/// calls the module that owns the command.
pub fn run(cli: Cli) -> Result<ExitCode, crate::Error> {
    match cli.command {
        Some(Command::Analyze(args)) => {
            if args.stage.list_targets {
                print!("{}", crate::stage_report::targets_table());
                return Ok(ExitCode::SUCCESS);
            }
            let opts = crate::analyze::AnalyzeOptions {
                over_len: args.over_len,
                float_clip_level_dbfs: args.clip.clip_level_dbfs,
                plan: args.advice.plan()?,
                ..crate::analyze::AnalyzeOptions::default()
            };
            if args.stage.stage == StageChoice::Tracking {
                if args.csv {
                    return Err(crate::Error::Message(
                        "--csv needs --stage stems, mix or master".into(),
                    ));
                }
                return crate::commands::analyze(&args.files, args.json, opts);
            }
            let output = if args.json {
                crate::commands::StageOutput::Json
            } else if args.csv {
                crate::commands::StageOutput::Csv
            } else {
                crate::commands::StageOutput::Table
            };
            crate::commands::analyze_stage(&args.files, output, opts, args.stage.options())
        }
        Some(Command::Devices(args)) => {
            crate::capture::devices::run(args.host.map(HostKind::from), args.json)
        }
        Some(Command::Monitor(args)) => {
            let plan = args.advice.plan()?;
            let apply = if args.apply {
                let config = args.preamps.config(&plan, &args.source)?;
                if config.specs.is_empty() {
                    return Err(crate::Error::Message(
                        "--apply needs a preamp to set: --preamp x32:HOST, xair:HOST or motu:HOST (or the template's)".into(),
                    ));
                }
                Some(config)
            } else {
                None
            };
            crate::monitor::run(&crate::monitor::MonitorOptions {
                source: args.source.spec(),
                duration_s: args.duration,
                interval_ms: args.interval,
                json: args.json,
                soundcheck_s: args.soundcheck,
                plan,
                over_len: args
                    .source
                    .over_len
                    .unwrap_or(crate::meter::MeterConfig::default().over_len),
                float_clip_level_dbfs: args.source.clip.clip_level_dbfs,
                auto_take: args.auto_take.config()?,
                takes: args.takes,
                meter: args.meter.map(|m| crate::monitor::MeterChoice {
                    kind: m.into(),
                    alignment_dbfs: args.alignment,
                }),
                apply,
            })
        }
        Some(Command::Preamps(args)) => {
            let plan = args.advice.plan()?;
            crate::preamps::list::run(&crate::preamps::list::ListOptions {
                source: args.source.spec(),
                rig: args.preamps.config(&plan, &args.source)?,
                json: args.json,
            })
        }
        Some(Command::Serve(args)) => crate::remote::serve::run(args.options()?),
        Some(Command::Takes(args)) => {
            crate::takes::store::run(args.session.as_deref(), list_format(args.json, args.csv))
        }
        Some(Command::Log(args)) => {
            crate::advisor::log::run(args.since.as_deref(), list_format(args.json, args.csv))
        }
        None => run_gui(&cli.gui),
    }
}

/// `--json` / `--csv` of a listing command (clap keeps them exclusive).
fn list_format(json: bool, csv: bool) -> crate::listing::ListFormat {
    use crate::listing::ListFormat;
    if json {
        ListFormat::Json
    } else if csv {
        ListFormat::Csv
    } else {
        ListFormat::Table
    }
}

#[cfg(feature = "gui")]
fn run_gui(args: &GuiArgs) -> Result<ExitCode, crate::Error> {
    // The GUI keeps its own names and presets: only `--preamp` (or the PipeWire node) counts.
    let preamps = args
        .preamps
        .config(&crate::advisor::ChannelPlan::default(), &args.source)?;
    crate::ui::run(crate::ui::GuiOptions {
        source: args.source.names_a_source().then(|| args.source.spec()),
        over_len: args.source.over_len,
        float_clip_level_dbfs: args.source.clip.clip_level_dbfs,
        wall: args.wall,
        preamps: (!preamps.specs.is_empty()).then_some(preamps),
    })
}

#[cfg(not(feature = "gui"))]
fn run_gui(_args: &GuiArgs) -> Result<ExitCode, crate::Error> {
    Err(crate::Error::Message(
        "built without the `gui` feature: use `gainstage monitor`".into(),
    ))
}
