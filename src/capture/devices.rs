//! `gainstage devices`: hosts and their input devices.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{Device, SupportedBufferSize};
use serde::Serialize;

use super::device::{device_id, device_name, host_id, realtime_plan};
use super::realtime::{self, Plan, Realtime};
use super::session::is_float_format;
use super::source::HostKind;
use crate::meter::ClipRule;

/// Rates worth listing out of a device's continuous ranges.
/// Sample rates a converter can actually run at (Hz).
const PLAUSIBLE_RATES: std::ops::RangeInclusive<u32> = 4_000..=768_000;

const COMMON_RATES: [u32; 11] = [
    8000, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000, 384000,
];

#[derive(Debug, Serialize)]
pub struct HostEntry {
    pub host: String,
    pub available: bool,
    /// Why the host lists nothing, where that is known.
    pub note: Option<String>,
    pub devices: Vec<DeviceEntry>,
}

#[derive(Debug, Serialize)]
pub struct DeviceEntry {
    /// Stable id (cpal `DeviceId`): what `--device` and settings take.
    pub id: String,
    pub name: String,
    pub is_default: bool,
    pub channels: Vec<u16>,
    pub sample_rates: Vec<u32>,
    pub sample_formats: Vec<String>,
    pub default_config: Option<ConfigEntry>,
    /// The priority its capture callback would run at.
    pub realtime: RealtimeEntry,
}

/// Real-time priority for a device's capture callback, as this system would grant it now.
#[derive(Debug, Clone, Serialize)]
pub struct RealtimeEntry {
    /// gainstage asks for it (else the host's server owns the thread, or it is not asked for).
    pub requested: bool,
    /// What the request gets: a probe thread makes the very same request and reads back what
    /// the kernel runs it at. `None` where nothing is requested or the system cannot tell.
    pub granted: Option<bool>,
    /// "SCHED_FIFO 40" when granted.
    pub policy: Option<String>,
    /// Why not, or who decides instead.
    pub why: Option<String>,
}

impl RealtimeEntry {
    fn new(plan: Plan, probe: Option<&Realtime>) -> Self {
        match plan {
            Plan::Promote => Self {
                requested: true,
                granted: probe.map(|p| p.granted),
                policy: probe.map(|p| format!("{} {}", p.policy, p.priority)),
                why: probe.map_or_else(
                    || Some("this system cannot tell".to_owned()),
                    |p| p.why.clone(),
                ),
            },
            Plan::Observe(why) | Plan::Skip(why) => Self {
                requested: false,
                granted: None,
                policy: None,
                why: Some(why.to_owned()),
            },
        }
    }

    fn describe(&self) -> String {
        match (self.granted, &self.policy, &self.why) {
            (Some(true), Some(policy), _) => format!("real-time ({policy})"),
            (_, _, Some(why)) => format!("not real-time: {why}"),
            _ => "not real-time".to_owned(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConfigEntry {
    pub channels: u16,
    pub sample_rate: u32,
    pub sample_format: String,
    pub buffer_min: Option<u32>,
    pub buffer_max: Option<u32>,
    /// What counts as a clip in this format: full-scale codes (integer) or the float clip
    /// level (the default level; `--clip-level` changes it).
    pub clip_rule: ClipRule,
}

fn describe(
    device: &Device,
    host: cpal::HostId,
    default_id: Option<&str>,
    probe: Option<&Realtime>,
) -> DeviceEntry {
    let id = device_id(device);
    let realtime = RealtimeEntry::new(realtime_plan(host, &id), probe);
    let mut channels = BTreeSet::new();
    let mut rates = BTreeSet::new();
    let mut formats = BTreeSet::new();
    if let Ok(ranges) = device.supported_input_configs() {
        for r in ranges {
            channels.insert(r.channels());
            formats.insert(r.sample_format().to_string());
            // Software PCMs (ALSA plug, null) report limits like 1 Hz to 4294967295 Hz; such
            // endpoints are not rates anyone can record at, so only real ones are listed.
            for edge in [r.min_sample_rate(), r.max_sample_rate()] {
                if PLAUSIBLE_RATES.contains(&edge) {
                    rates.insert(edge);
                }
            }
            rates.extend(COMMON_RATES.iter().copied().filter(|&f| r.contains_rate(f)));
        }
    }
    let default_config = device.default_input_config().ok().map(|c| {
        let (buffer_min, buffer_max) = match c.buffer_size() {
            SupportedBufferSize::Range { min, max } => (Some(*min), Some(*max)),
            SupportedBufferSize::Unknown => (None, None),
        };
        let sample_format = c.sample_format().to_string();
        ConfigEntry {
            channels: c.channels(),
            sample_rate: c.sample_rate(),
            clip_rule: ClipRule::for_format(
                is_float_format(&sample_format),
                crate::meter::clip::default_float_clip_level_dbfs(),
            ),
            sample_format,
            buffer_min,
            buffer_max,
        }
    });
    DeviceEntry {
        is_default: default_id == Some(id.as_str()),
        name: device_name(device),
        id,
        channels: channels.into_iter().collect(),
        sample_rates: rates.into_iter().collect(),
        sample_formats: formats.into_iter().collect(),
        default_config,
        realtime,
    }
}

/// Every host compiled in (or the one asked for) with its input devices. A host that cannot
/// be opened is listed as unavailable, not an error.
pub fn list(only: Option<cpal::HostId>) -> Vec<HostEntry> {
    let probe = realtime::probe();
    cpal::ALL_HOSTS
        .iter()
        .copied()
        .filter(|h| super::device::is_offered(*h))
        .filter(|h| only.is_none_or(|o| o == *h))
        .map(|hid| match cpal::host_from_id(hid) {
            Err(e) => HostEntry {
                host: hid.name().to_owned(),
                available: false,
                note: Some(e.to_string()),
                devices: Vec::new(),
            },
            Ok(host) => {
                let default_id = host.default_input_device().map(|d| device_id(&d));
                let devices: Vec<DeviceEntry> = host
                    .input_devices()
                    .map(|it| {
                        it.map(|d| describe(&d, hid, default_id.as_deref(), probe.as_ref()))
                            .collect()
                    })
                    .unwrap_or_default();
                let note = devices
                    .is_empty()
                    .then(|| "no input devices (is its server running?)".to_owned());
                HostEntry {
                    host: hid.name().to_owned(),
                    available: true,
                    note,
                    devices,
                }
            }
        })
        .collect()
}

/// "1-64" for a run of consecutive channel counts, "2, 8" otherwise.
fn runs(v: &[u16]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}-{}", v[i], v[j])
        } else {
            v[i..=j]
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// `gainstage devices`: every host's input devices (or `host`'s), as a table or JSON.
pub fn run(host: Option<HostKind>, json: bool) -> Result<ExitCode, crate::Error> {
    let only = host_id(host).map_err(|e| crate::Error::Message(e.to_string()))?;
    let hosts = list(only);
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string_pretty(&hosts)
            .map_err(|e| crate::Error::Message(format!("cannot encode JSON: {e}")))?;
        writeln!(out, "{text}")?;
        return Ok(ExitCode::SUCCESS);
    }
    for h in &hosts {
        let status = if h.available { "" } else { " (unavailable)" };
        writeln!(out, "{}{status}", h.host)?;
        if let Some(note) = &h.note {
            writeln!(out, "  {note}")?;
        }
        for d in &h.devices {
            let mark = if d.is_default { " [default]" } else { "" };
            writeln!(out, "  {}{mark}\n    name: {}", d.id, d.name)?;
            let join = |v: Vec<String>| v.join(", ");
            writeln!(
                out,
                "    channels: {}\n    rates: {}\n    formats: {}",
                runs(&d.channels),
                join(d.sample_rates.iter().map(u32::to_string).collect()),
                join(d.sample_formats.clone())
            )?;
            if let Some(c) = &d.default_config {
                writeln!(
                    out,
                    "    default: {} ch, {} Hz, {}\n    clips: {}",
                    c.channels,
                    c.sample_rate,
                    c.sample_format,
                    c.clip_rule.describe()
                )?;
            }
            writeln!(out, "    {}", d.realtime.describe())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
