//! cpal devices as a source: host choice, device matching, stream configuration, the one
//! generic stream callback for every sample format, and reconnection after device loss.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{BufferSize, Device, ErrorKind, Host, HostId, SampleFormat, SizedSample, StreamConfig};

use super::callback::{CallbackState, ring, ring_frames};
use super::realtime::{self, Promoter};
use ringbuf::HeapCons;

use super::reconnect::{FIRST_GENERATION, Supervisor};
use super::session::{CaptureError, Pipeline, Session, SessionConfig};
use super::shared::Shared;
use super::source::{HostKind, SourceSpec};
use crate::meter::sample::ToMeterSample;
pub use crate::platform::hosts::{host_id, is_offered, realtime_plan};
use crate::platform::hosts::{is_jack, is_pulse};
use crate::snapshot::{SourceInfo, StreamState};

pub use super::reconnect::RETRY_INTERVAL;
/// How often the supervisor checks for loss and stop requests.
const SUPERVISE_TICK: Duration = Duration::from_millis(20);

fn msg(s: impl Into<String>) -> CaptureError {
    CaptureError::Message(s.into())
}

pub fn open_host(id: Option<HostId>) -> Result<Host, CaptureError> {
    match id {
        None => Ok(cpal::default_host()),
        Some(id) => cpal::host_from_id(id).map_err(|e| {
            msg(format!(
                "audio host {} is not available ({e}): start its server or pick another --host",
                id.name()
            ))
        }),
    }
}

/// A device's stable id as text (cpal `DeviceId`), or empty when the host cannot say.
pub fn device_id(d: &Device) -> String {
    d.id().map(|id| id.to_string()).unwrap_or_default()
}

pub fn device_name(d: &Device) -> String {
    d.description()
        .map(|desc| desc.name().to_owned())
        .unwrap_or_else(|_| device_id(d))
}

/// The id without its host prefix: the ALSA PCM name (`hw:CARD=x,DEV=0`, `gsfile`), the
/// PipeWire node name, the PulseAudio source name.
fn bare_id(id: &str) -> &str {
    id.split_once(':').map_or(id, |(_, rest)| rest)
}

/// Whether a candidate (id, name) matches.
type MatchRule<'a> = dyn Fn(&str, &str) -> bool + 'a;

/// Picks one of `candidates` (id, name). In order, the first rule that leaves exactly one
/// candidate wins: the exact id; the exact name or id without its host prefix (`gsfile` for
/// `alsa:gsfile`, as `arecord -D gsfile` takes it); the same ignoring case; a unique
/// case-insensitive part of an id or name. A rule that leaves several is an ambiguity the
/// user must settle; the error lists the candidates.
pub fn match_device(wanted: &str, candidates: &[(String, String)]) -> Result<usize, String> {
    if let Some(i) = candidates.iter().position(|(id, _)| id == wanted) {
        return Ok(i);
    }
    let w = wanted.to_lowercase();
    let rules: [&MatchRule<'_>; 3] = [
        &|id, name| name == wanted || bare_id(id) == wanted,
        &|id, name| name.to_lowercase() == w || bare_id(id).to_lowercase() == w,
        &|id, name| id.to_lowercase().contains(&w) || name.to_lowercase().contains(&w),
    ];
    let mut hits: Vec<usize> = Vec::new();
    for rule in rules {
        hits = candidates
            .iter()
            .enumerate()
            .filter(|(_, (id, name))| rule(id, name))
            .map(|(i, _)| i)
            .collect();
        if !hits.is_empty() {
            break;
        }
    }
    let list = |idx: &mut dyn Iterator<Item = usize>| {
        idx.map(|i| format!("{} ({})", candidates[i].0, candidates[i].1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "no input device matches \"{wanted}\"; candidates: {}",
            if candidates.is_empty() {
                "none (run `gainstage devices`)".into()
            } else {
                list(&mut (0..candidates.len()))
            }
        )),
        many => Err(format!(
            "\"{wanted}\" matches several input devices, give one id exactly: {}",
            list(&mut many.iter().copied())
        )),
    }
}

/// The input device `wanted` names, by [`match_device`]'s rules, else the host's default input.
/// The preamp backends find the opened device's controls through this same choice.
pub fn find_device(host: &Host, wanted: Option<&str>) -> Result<Device, CaptureError> {
    let hname = host.id().name();
    let Some(wanted) = wanted else {
        return host.default_input_device().ok_or_else(|| {
            if is_jack(host.id()) {
                msg("no JACK server is running (or JACK_DEFAULT_SERVER names another): start jackd or pick another --host")
            } else {
                msg(format!(
                    "no input device on {hname}: plug one in, pick one with --device (see `gainstage devices`), or use --demo"
                ))
            }
        });
    };
    let devices: Vec<Device> = host
        .input_devices()
        .map_err(|e| msg(format!("cannot list {hname} input devices: {e}")))?
        .collect();
    let candidates: Vec<(String, String)> = devices
        .iter()
        .map(|d| (device_id(d), device_name(d)))
        .collect();
    let i = match_device(wanted, &candidates).map_err(msg)?;
    devices
        .into_iter()
        .nth(i)
        .ok_or_else(|| msg("the device list changed while opening; try again"))
}

/// Preference when the default format cannot be used: widest first.
const FORMATS: [SampleFormat; 11] = [
    SampleFormat::F32,
    SampleFormat::I32,
    SampleFormat::I24,
    SampleFormat::F64,
    SampleFormat::I16,
    SampleFormat::U32,
    SampleFormat::U24,
    SampleFormat::U16,
    SampleFormat::I8,
    SampleFormat::U8,
    SampleFormat::I64,
];

/// The stream to ask for: all channels the device offers (or `--channels`), `--rate` or
/// the default rate, the default format where it fits.
fn choose_config(
    device: &Device,
    args: &SourceSpec,
    host: HostId,
) -> Result<(StreamConfig, SampleFormat), CaptureError> {
    let name = device_name(device);
    let default = device
        .default_input_config()
        .map_err(|e| open_error(&name, &e))?;
    let rate = args.rate.unwrap_or(default.sample_rate());
    let ranges: Vec<_> = device
        .supported_input_configs()
        .map_err(|e| open_error(&name, &e))?
        .filter(|r| r.contains_rate(rate))
        .collect();
    if ranges.is_empty() {
        return Err(msg(format!(
            "{name} does not run at {rate} Hz: pick a rate from `gainstage devices`"
        )));
    }
    let max_channels = ranges.iter().map(|r| r.channels()).max().unwrap_or(0);
    let channels = match args.channels {
        Some(n) => n,
        // JACK offers any number of ports, ALSA converting plugins (plug, default, pulse)
        // every count up to 64 by routing, a PulseAudio server every count up to 31 by
        // remixing: "all" there would be copies, silence or unconnected ports, not the
        // source's own channels (its default configuration).
        None if is_jack(host) || is_pulse(host) || is_converting(&ranges) => default.channels(),
        None => max_channels,
    };
    let format = std::iter::once(default.sample_format())
        .chain(FORMATS)
        .find(|f| ranges.iter().any(|r| r.sample_format() == *f && r.channels() >= channels))
        .ok_or_else(|| {
            msg(format!(
                "{name} offers at most {max_channels} input channels at {rate} Hz: use --channels {max_channels} or fewer"
            ))
        })?;
    let buffer_size = args.buffer.map_or(BufferSize::Default, BufferSize::Fixed);
    Ok((
        StreamConfig {
            channels,
            sample_rate: rate,
            buffer_size,
        },
        format,
    ))
}

/// Offers every channel count from 1 to 32 or more: routes channels rather than having them.
fn is_converting(ranges: &[cpal::SupportedStreamConfigRange]) -> bool {
    let has = |n: u16| ranges.iter().any(|r| r.channels() == n);
    (1..=32).all(has)
}

/// One clear line on what to do for each way opening can fail.
fn open_error(name: &str, e: &cpal::Error) -> CaptureError {
    let what = match e.kind() {
        ErrorKind::DeviceBusy => {
            "is busy: close the program using it (or let PipeWire/PulseAudio release it, or use --host pulse) and try again"
        }
        ErrorKind::UnsupportedConfig | ErrorKind::InvalidInput => {
            "does not support this configuration: pick channels, rate and buffer from `gainstage devices`"
        }
        ErrorKind::DeviceNotAvailable => {
            "is not available: check it is connected and powered (for JACK: that the server runs), then see `gainstage devices`"
        }
        ErrorKind::PermissionDenied => {
            "cannot be opened: permission denied; add yourself to the `audio` group"
        }
        ErrorKind::HostUnavailable => {
            "is on an audio host that is not running: start it or pick another --host"
        }
        _ => "cannot be opened: see `gainstage devices` or try --host",
    };
    msg(format!("input device {name} {what} ({e})"))
}

/// An open, playing stream.
struct Opened {
    // Held to keep the stream running; dropping it closes the device.
    _stream: cpal::Stream,
    buffer_frames: Option<u32>,
}

fn build_typed<T>(
    device: &Device,
    config: StreamConfig,
    mut cb: CallbackState,
    shared: Arc<Shared>,
    rt: Arc<realtime::Slot>,
    generation: u64,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + ToMeterSample,
{
    let mut promoter = Promoter::new(rt);
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], _info| {
            promoter.on_callback();
            cb.process(data)
        },
        move |e| on_stream_error(&shared, generation, &e),
        None,
    )
}

/// The stream's error callback: count xruns, record loss against this stream's generation.
/// No logging, no waiting.
fn on_stream_error(shared: &Shared, generation: u64, e: &cpal::Error) {
    match e.kind() {
        ErrorKind::Xrun => {
            shared.xruns.fetch_add(1, Ordering::Relaxed);
        }
        ErrorKind::DeviceNotAvailable
        | ErrorKind::StreamInvalidated
        | ErrorKind::BackendError
        | ErrorKind::DeviceChanged => {
            shared.report_loss(generation);
        }
        _ => {}
    }
}

fn build(
    device: &Device,
    config: StreamConfig,
    format: SampleFormat,
    cb: CallbackState,
    shared: Arc<Shared>,
    rt: Arc<realtime::Slot>,
    generation: u64,
) -> Result<Opened, cpal::Error> {
    let stream = match format {
        SampleFormat::I8 => build_typed::<i8>(device, config, cb, shared, rt, generation),
        SampleFormat::I16 => build_typed::<i16>(device, config, cb, shared, rt, generation),
        SampleFormat::I24 => build_typed::<cpal::I24>(device, config, cb, shared, rt, generation),
        SampleFormat::I32 => build_typed::<i32>(device, config, cb, shared, rt, generation),
        SampleFormat::I64 => build_typed::<i64>(device, config, cb, shared, rt, generation),
        SampleFormat::U8 => build_typed::<u8>(device, config, cb, shared, rt, generation),
        SampleFormat::U16 => build_typed::<u16>(device, config, cb, shared, rt, generation),
        SampleFormat::U24 => build_typed::<cpal::U24>(device, config, cb, shared, rt, generation),
        SampleFormat::U32 => build_typed::<u32>(device, config, cb, shared, rt, generation),
        SampleFormat::U64 => build_typed::<u64>(device, config, cb, shared, rt, generation),
        SampleFormat::F32 => build_typed::<f32>(device, config, cb, shared, rt, generation),
        SampleFormat::F64 => build_typed::<f64>(device, config, cb, shared, rt, generation),
        other => Err(cpal::Error::with_message(
            ErrorKind::UnsupportedConfig,
            format!("sample format {other} cannot be metered"),
        )),
    }?;
    stream.play()?;
    let buffer_frames = stream.buffer_size().ok();
    Ok(Opened {
        _stream: stream,
        buffer_frames,
    })
}

/// The names the host gives the device's channels, where it gives any (PipeWire).
fn host_channel_names(host: HostId, device_id: &str, channels: usize) -> Vec<String> {
    #[cfg(all(feature = "pipewire", target_os = "linux"))]
    if host == HostId::PipeWire
        && let Some(node) = device_id.strip_prefix("pipewire:")
        && let Some(names) = super::pipewire_names::channel_names(node, channels)
    {
        return names;
    }
    let _ = (host, device_id, channels);
    Vec::new()
}

/// `names` (a template's or the user's) with the device's names for the channels they leave
/// blank or at the "Input N" default.
pub fn with_device_names(names: &[String], device: &[String]) -> Vec<String> {
    (0..names.len().max(device.len()))
        .map(|i| {
            let given = names.get(i).map(String::as_str).unwrap_or("");
            let unnamed = given.trim().is_empty() || given == format!("Input {}", i + 1);
            match device.get(i) {
                Some(d) if unnamed => d.clone(),
                _ => given.to_owned(),
            }
        })
        .collect()
}

/// What the supervisor needs to reopen the same device.
struct Target {
    rt: Arc<realtime::Slot>,
    host: Option<HostId>,
    id: String,
    config: StreamConfig,
    format: SampleFormat,
    channels: usize,
    over_len: u32,
    float_clip_level: f32,
    ring_frames: usize,
}

/// Opens `device` (or the default input) on `host` with the channels, rate and buffer `spec`
/// asks for, and supervises it for loss and reconnection.
pub fn start(
    host: Option<HostKind>,
    device: Option<&str>,
    spec: &SourceSpec,
    config: &SessionConfig,
) -> Result<Session, CaptureError> {
    let hid = host_id(host).map_err(msg)?;
    let host = open_host(hid)?;
    let device = find_device(&host, device)?;
    let (stream_config, format) = choose_config(&device, spec, host.id())?;
    let name = device_name(&device);
    let mut info = SourceInfo {
        host: host.id().name().to_owned(),
        device: name.clone(),
        device_id: device_id(&device),
        sample_rate: stream_config.sample_rate,
        channels: usize::from(stream_config.channels),
        buffer_frames: match stream_config.buffer_size {
            BufferSize::Fixed(n) => Some(n),
            BufferSize::Default => None,
        },
        sample_format: format.to_string(),
        is_demo: false,
        channel_names: Vec::new(),
        clip_rule: crate::meter::ClipRule::default(),
    };
    info.channel_names = host_channel_names(host.id(), &info.device_id, info.channels);
    let named;
    let config = if info.channel_names.is_empty() {
        config
    } else {
        named = SessionConfig {
            channel_names: with_device_names(&config.channel_names, &info.channel_names),
            ..config.clone()
        };
        &named
    };
    let rt = realtime::Slot::new(realtime_plan(host.id(), &info.device_id));
    let parts = Pipeline::new(info, config)?.into_parts();
    let (callback, shared, stop, rings, mut session) = parts;
    // As the pipeline completed it (the clip rule for this format).
    let mut info = session.source().clone();
    let opened = build(
        &device,
        stream_config,
        format,
        callback,
        Arc::clone(&shared),
        Arc::clone(&rt),
        FIRST_GENERATION,
    )
    .map_err(|e| open_error(&name, &e))?;
    if info.buffer_frames.is_none() {
        info.buffer_frames = opened.buffer_frames;
    }
    session.set_source(info.clone());
    session.set_realtime(Arc::clone(&rt));
    shared.set_state(StreamState::Running);
    let target = Target {
        rt,
        host: Some(host.id()),
        id: info.device_id.clone(),
        config: stream_config,
        format,
        channels: info.channels,
        over_len: config.meter.over_len,
        float_clip_level: config.clip_rule("f32").threshold(),
        ring_frames: ring_frames(info.sample_rate),
    };
    let handle = std::thread::Builder::new()
        .name("gainstage-device".into())
        .spawn(move || supervise(opened, target, shared, stop, rings))
        .map_err(|e| msg(format!("cannot start the device supervisor thread: {e}")))?;
    session.adopt_thread(handle);
    Ok(session)
}

/// Owns the stream. When its error callback reports loss, drops it, and every 2 s tries to
/// open the same device again with the same configuration and a fresh ring.
fn supervise(
    opened: Opened,
    target: Target,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    rings: Sender<HeapCons<f32>>,
) {
    let mut supervisor = Supervisor::new(opened, Instant::now());
    while !stop.load(Ordering::Acquire) {
        supervisor.tick(Instant::now(), &shared, |generation| {
            reopen(&target, &shared, &rings, generation)
        });
        std::thread::sleep(SUPERVISE_TICK);
    }
}

/// The same device as a new stream of `generation`, with a fresh ring.
fn reopen(
    target: &Target,
    shared: &Arc<Shared>,
    rings: &Sender<HeapCons<f32>>,
    generation: u64,
) -> Option<Opened> {
    // A fresh host: the old one may be tied to a server instance that is gone (JACK).
    let host = open_host(target.host).ok()?;
    let device = host
        .input_devices()
        .ok()?
        .find(|d| device_id(d) == target.id)?;
    let (producer, consumer) = ring(target.channels, target.ring_frames);
    let cb = CallbackState::new(
        target.channels,
        target.over_len,
        target.float_clip_level,
        producer,
        Arc::clone(shared),
    );
    match build(
        &device,
        target.config,
        target.format,
        cb,
        Arc::clone(shared),
        Arc::clone(&target.rt),
        generation,
    ) {
        Ok(opened) => {
            rings.send(consumer).ok()?;
            Some(opened)
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{match_device, with_device_names};

    #[test]
    fn device_names_fill_only_unnamed_channels() {
        let given: Vec<String> = ["Kick", "", "Input 3"].map(String::from).to_vec();
        let device: Vec<String> = ["AUX0", "AUX1", "AUX2", "AUX3"].map(String::from).to_vec();
        assert_eq!(
            with_device_names(&given, &device),
            ["Kick", "AUX1", "AUX2", "AUX3"].map(String::from).to_vec()
        );
        // "Input 3" on channel 1 is a name someone chose, not the default.
        let chosen: Vec<String> = vec!["Input 3".into()];
        assert_eq!(with_device_names(&chosen, &device[..1]), chosen);
    }

    fn devs() -> Vec<(String, String)> {
        [
            ("alsa:hw:CARD=Scarlett,DEV=0", "Scarlett 18i20, USB Audio"),
            ("alsa:hw:CARD=PCH,DEV=0", "HDA Intel PCH, ALC892 Analog"),
            ("alsa:front:CARD=Scarlett,DEV=0", "Scarlett 18i20, Front"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn exact_id_wins_over_substrings() {
        assert_eq!(match_device("alsa:hw:CARD=Scarlett,DEV=0", &devs()), Ok(0));
    }

    #[test]
    fn unique_case_insensitive_substring_of_id_or_name() {
        assert_eq!(match_device("pch", &devs()), Ok(1));
        assert_eq!(match_device("alc892", &devs()), Ok(1));
        assert_eq!(match_device("FRONT:", &devs()), Ok(2));
    }

    fn pcms() -> Vec<(String, String)> {
        [
            ("alsa:gsfile", "gainstage test source"),
            ("alsa:gsfileraw", "gainstage test source, raw"),
            ("alsa:hw:CARD=Scarlett,DEV=0", "Scarlett 18i20, USB Audio"),
            ("pipewire:alsa_input.usb-Focusrite", "Scarlett 18i20 Pro"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn exact_pcm_name_wins_over_a_longer_pcm_containing_it() {
        assert_eq!(match_device("gsfile", &pcms()), Ok(0));
        assert_eq!(match_device("gsfileraw", &pcms()), Ok(1));
        assert_eq!(match_device("alsa:gsfile", &pcms()), Ok(0));
        assert_eq!(match_device("hw:CARD=Scarlett,DEV=0", &pcms()), Ok(2));
        assert_eq!(match_device("alsa_input.usb-Focusrite", &pcms()), Ok(3));
    }

    #[test]
    fn exact_name_wins_then_exact_ignoring_case() {
        assert_eq!(match_device("gainstage test source", &pcms()), Ok(0));
        assert_eq!(match_device("GSFILE", &pcms()), Ok(0));
        assert_eq!(match_device("Scarlett 18i20 pro", &pcms()), Ok(3));
    }

    #[test]
    fn a_part_must_still_be_unique() {
        assert_eq!(match_device("RAW", &pcms()), Ok(1));
        let e = match_device("gsfil", &pcms()).unwrap_err();
        assert!(
            e.contains("matches several") && e.contains("alsa:gsfileraw"),
            "{e}"
        );
        let e = match_device("scarlett", &pcms()).unwrap_err();
        assert!(
            e.contains("alsa:hw:CARD=Scarlett") && e.contains("pipewire:"),
            "{e}"
        );
    }

    #[test]
    fn two_devices_with_one_name_are_ambiguous() {
        let twins: Vec<(String, String)> =
            [("alsa:hw:CARD=A", "USB Mic"), ("alsa:hw:CARD=B", "USB Mic")]
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        let e = match_device("USB Mic", &twins).unwrap_err();
        assert!(e.contains("CARD=A") && e.contains("CARD=B"), "{e}");
    }

    #[test]
    fn ambiguous_and_unknown_list_the_candidates() {
        let e = match_device("scarlett", &devs()).unwrap_err();
        assert!(e.contains("matches several"), "{e}");
        assert!(
            e.contains("alsa:hw:CARD=Scarlett,DEV=0")
                && e.contains("alsa:front:CARD=Scarlett,DEV=0")
        );
        assert!(!e.contains("PCH"));
        let e = match_device("motu", &devs()).unwrap_err();
        assert!(
            e.contains("no input device matches \"motu\"") && e.contains("PCH"),
            "{e}"
        );
    }
}
