//! Which audio hosts (sound systems) exist on each platform and in each build, and how each
//! host's callback thread is scheduled: the one place where `--host` meets `cfg`.

use cpal::HostId;

use super::realtime::Plan;

/// An audio host (sound system) to open devices on. Every platform's hosts are named here;
/// which exist in a build is decided by [`host_id`]: ALSA,
/// PipeWire and PulseAudio on Linux, JACK on Linux and macOS, CoreAudio on macOS,
/// WASAPI and ASIO on Windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// ALSA: the kernel's devices and its plugins (`hw:`, `plughw:`, `default`, `file`).
    Alsa,
    /// A running JACK server's capture ports.
    Jack,
    /// A PipeWire server's nodes, through its native protocol.
    PipeWire,
    /// A PulseAudio server, or PipeWire's PulseAudio service.
    Pulse,
    /// macOS's audio devices.
    CoreAudio,
    /// Windows' audio devices (shared mode).
    Wasapi,
    /// Steinberg ASIO drivers on Windows (a build option: needs the ASIO SDK).
    Asio,
}

impl HostKind {
    /// Every host, in the order the command line lists them.
    pub const ALL: [HostKind; 7] = [
        HostKind::Alsa,
        HostKind::Jack,
        HostKind::PipeWire,
        HostKind::Pulse,
        HostKind::CoreAudio,
        HostKind::Wasapi,
        HostKind::Asio,
    ];

    /// The name the command line and the settings file use ("alsa", "pipewire", ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Alsa => "alsa",
            Self::Jack => "jack",
            Self::PipeWire => "pipewire",
            Self::Pulse => "pulse",
            Self::CoreAudio => "coreaudio",
            Self::Wasapi => "wasapi",
            Self::Asio => "asio",
        }
    }

    /// The host a name stands for, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(name))
    }
}

/// The error for a host this build left out.
#[allow(dead_code)] // Only reached when a host's Cargo feature is off.
fn built_without(name: &str, feature: &str) -> Result<Option<HostId>, String> {
    Err(format!(
        "this gainstage was built without {name}: rebuild with `--features {feature}`"
    ))
}

/// The cpal host for a `--host` choice, or the system default (cpal's: PipeWire where its
/// server runs, else PulseAudio, else ALSA on Linux; CoreAudio on macOS; WASAPI on Windows,
/// also when ASIO is built in).
pub fn host_id(choice: Option<HostKind>) -> Result<Option<HostId>, String> {
    let Some(choice) = choice else {
        return Ok(None);
    };
    match choice {
        #[cfg(target_os = "linux")]
        HostKind::Alsa => Ok(Some(HostId::Alsa)),
        #[cfg(all(feature = "jack", any(target_os = "linux", target_os = "macos")))]
        HostKind::Jack => Ok(Some(HostId::Jack)),
        #[cfg(all(not(feature = "jack"), any(target_os = "linux", target_os = "macos")))]
        HostKind::Jack => built_without("JACK", "jack"),
        #[cfg(all(feature = "pipewire", target_os = "linux"))]
        HostKind::PipeWire => Ok(Some(HostId::PipeWire)),
        #[cfg(all(not(feature = "pipewire"), target_os = "linux"))]
        HostKind::PipeWire => built_without("PipeWire", "pipewire"),
        #[cfg(all(feature = "pulseaudio", target_os = "linux"))]
        HostKind::Pulse => Ok(Some(HostId::PulseAudio)),
        #[cfg(all(not(feature = "pulseaudio"), target_os = "linux"))]
        HostKind::Pulse => built_without("PulseAudio", "pulseaudio"),
        #[cfg(target_os = "macos")]
        HostKind::CoreAudio => Ok(Some(HostId::CoreAudio)),
        #[cfg(target_os = "windows")]
        HostKind::Wasapi => Ok(Some(HostId::Wasapi)),
        #[cfg(all(feature = "asio", target_os = "windows"))]
        HostKind::Asio => Ok(Some(HostId::Asio)),
        #[cfg(all(not(feature = "asio"), target_os = "windows"))]
        HostKind::Asio => built_without("ASIO", "asio"),
        #[allow(unreachable_patterns)] // Every host this platform has is matched above.
        other => Err(format!(
            "the {} host does not exist on this platform; see `gainstage devices`",
            other.name()
        )),
    }
}

/// Whether gainstage offers a host cpal has built: all of them, but JACK on Windows (cpal
/// builds it wherever its `jack` feature is on; `--host` does not name it there).
pub fn is_offered(id: HostId) -> bool {
    #[cfg(all(feature = "jack", target_os = "windows"))]
    if id == HostId::Jack {
        return false;
    }
    let _ = id;
    true
}

/// Whether the host is PulseAudio (or PipeWire's PulseAudio service).
pub fn is_pulse(_host: HostId) -> bool {
    #[cfg(all(feature = "pulseaudio", target_os = "linux"))]
    {
        _host == HostId::PulseAudio
    }
    #[cfg(not(all(feature = "pulseaudio", target_os = "linux")))]
    {
        false
    }
}

/// Whether the host is a JACK server.
pub fn is_jack(_host: HostId) -> bool {
    #[cfg(all(feature = "jack", any(target_os = "linux", target_os = "macos")))]
    {
        _host == HostId::Jack
    }
    #[cfg(not(all(feature = "jack", any(target_os = "linux", target_os = "macos"))))]
    {
        false
    }
}

/// Whether the callback thread of a host's stream is gainstage's to promote.
pub fn realtime_plan(host: HostId, device_id: &str) -> Plan {
    #[cfg(target_os = "linux")]
    if host == HostId::Alsa {
        // cpal reads hardware PCMs from a thread that sleeps in poll(); plugin PCMs (null,
        // file, dmix, pulse) can spin or feed a sound server, and a spinning real-time thread
        // takes a whole CPU.
        let hardware = ["alsa:hw:", "alsa:plughw:"]
            .iter()
            .any(|p| device_id.starts_with(p));
        return if hardware {
            Plan::Promote
        } else {
            Plan::Skip(
                "not asked: ALSA plugin PCMs can spin or feed a sound server; open a hw: or \
                 plughw: device, or use --host pipewire",
            )
        };
    }
    #[cfg(all(feature = "pipewire", target_os = "linux"))]
    if host == HostId::PipeWire {
        return Plan::Promote;
    }
    #[cfg(all(feature = "pulseaudio", target_os = "linux"))]
    if host == HostId::PulseAudio {
        return Plan::Skip(
            "not asked: the PulseAudio client thread waits on the server's socket; use --host \
             pipewire for a real-time callback",
        );
    }
    #[cfg(all(feature = "jack", any(target_os = "linux", target_os = "macos")))]
    if host == HostId::Jack {
        return Plan::Observe(
            "the JACK server sets its callback thread's priority: start it real-time (jackd -R)",
        );
    }
    #[cfg(target_os = "windows")]
    if host == HostId::Wasapi {
        // cpal's WASAPI thread asks for nothing unless cpal is built with `realtime`.
        return Plan::Promote;
    }
    #[cfg(all(feature = "asio", target_os = "windows"))]
    if host == HostId::Asio {
        return Plan::Observe("the ASIO driver runs and schedules its callback thread");
    }
    let _ = (host, device_id);
    Plan::Observe("the platform's audio service sets the callback thread's priority")
}
