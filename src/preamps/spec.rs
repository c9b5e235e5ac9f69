//! What `--preamp` names, and how each device is reached.

use serde::{Deserialize, Serialize};

/// The X32/M32's OSC port.
pub const X32_PORT: u16 = 10023;
/// The X-Air's (XR12/XR16/XR18, MR18) OSC port.
pub const XAIR_PORT: u16 = 10024;
/// The MOTU AVB devices' web server.
pub const MOTU_PORT: u16 = 80;

/// How a preamp is reached; the names are what `preamps` prints and JSON carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Through {
    Pipewire,
    Alsa,
    Wasapi,
    Coreaudio,
    X32,
    Xair,
    Motu,
}

impl Through {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pipewire => "pipewire",
            Self::Alsa => "alsa",
            Self::Wasapi => "wasapi",
            Self::Coreaudio => "coreaudio",
            Self::X32 => "x32",
            Self::Xair => "xair",
            Self::Motu => "motu",
        }
    }
}

/// A device whose preamps gainstage sets: `x32:HOST[:PORT]`, `xair:HOST[:PORT]`,
/// `motu:HOST[:PORT]`, `pipewire:NODE`, `alsa:CTL`, `coreaudio:DEVICE`. Saved in settings and templates in that same text form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PreampSpec {
    X32 {
        host: String,
        port: u16,
    },
    XAir {
        host: String,
        port: u16,
    },
    Motu {
        host: String,
        port: u16,
    },
    /// A PipeWire node's channel volumes (`pipewire:NODE`); found by itself for
    /// `--host pipewire --device NODE`.
    PipeWire {
        node: String,
    },
    /// An ALSA ctl's capture volumes (`alsa:CTL`, e.g. `alsa:hw:1`); found by itself for
    /// `--host alsa --device hw:…`.
    Alsa {
        ctl: String,
    },
    /// A Windows capture endpoint's channel volumes (`wasapi:DEVICE`, DEVICE as `--device`
    /// takes it, or `default` for the default capture endpoint); found by itself for
    /// `--host wasapi` (Windows' default host).
    Wasapi {
        device: String,
    },
    /// A CoreAudio device's input volumes (`coreaudio:DEVICE`, DEVICE as `--device` takes it, or
    /// `default`); found by itself for `--host coreaudio`, macOS's default host.
    CoreAudio {
        device: String,
    },
}

/// What `wasapi:DEVICE` names for the default capture endpoint.
pub const WASAPI_DEFAULT: &str = "default";

impl PreampSpec {
    pub fn through(&self) -> Through {
        match self {
            Self::X32 { .. } => Through::X32,
            Self::XAir { .. } => Through::Xair,
            Self::Motu { .. } => Through::Motu,
            Self::PipeWire { .. } => Through::Pipewire,
            Self::Alsa { .. } => Through::Alsa,
            Self::Wasapi { .. } => Through::Wasapi,
            Self::CoreAudio { .. } => Through::Coreaudio,
        }
    }
}

impl std::fmt::Display for PreampSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Self::PipeWire { node } = self {
            return write!(f, "pipewire:{node}");
        }
        if let Self::Alsa { ctl } = self {
            return write!(f, "alsa:{ctl}");
        }
        if let Self::Wasapi { device } = self {
            return write!(f, "wasapi:{device}");
        }
        if let Self::CoreAudio { device } = self {
            return write!(f, "coreaudio:{device}");
        }
        let (host, port, default) = match self {
            Self::X32 { host, port } => (host, *port, X32_PORT),
            Self::XAir { host, port } => (host, *port, XAIR_PORT),
            Self::Motu { host, port } => (host, *port, MOTU_PORT),
            Self::PipeWire { .. }
            | Self::Alsa { .. }
            | Self::Wasapi { .. }
            | Self::CoreAudio { .. } => return Ok(()),
        };
        write!(f, "{}:{host}", self.through().name())?;
        if port != default {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PreampSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let Some((kind, rest)) = text.split_once(':') else {
            return Err(format!(
                "'{text}' names no preamp; use x32:HOST[:PORT], xair:HOST[:PORT], motu:HOST[:PORT], pipewire:NODE, alsa:CTL, wasapi:DEVICE or coreaudio:DEVICE"
            ));
        };
        if kind.eq_ignore_ascii_case("pipewire") {
            if rest.trim().is_empty() {
                return Err(format!("'{text}' names no PipeWire node"));
            }
            return Ok(Self::PipeWire {
                node: rest.trim().to_string(),
            });
        }
        if kind.eq_ignore_ascii_case("alsa") {
            let ctl = rest.trim();
            // alsa-lib takes the name as a C string.
            if ctl.is_empty() || ctl.contains('\0') {
                return Err(format!("'{text}' names no ALSA control device"));
            }
            return Ok(Self::Alsa {
                ctl: ctl.to_string(),
            });
        }
        if kind.eq_ignore_ascii_case("wasapi") {
            let device = rest.trim();
            // Windows takes the endpoint id as a NUL-terminated wide string.
            if device.is_empty() || device.contains('\0') {
                return Err(format!("'{text}' names no WASAPI capture endpoint"));
            }
            return Ok(Self::Wasapi {
                device: device.to_string(),
            });
        }
        if kind.eq_ignore_ascii_case("coreaudio") {
            // A device's UID may hold colons and spaces: all of the rest is the device.
            let device = rest.trim();
            if device.is_empty() {
                return Err(format!("'{text}' names no CoreAudio device"));
            }
            return Ok(Self::CoreAudio {
                device: device.to_string(),
            });
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => {
                let port: u16 = port
                    .parse()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| format!("'{port}' in '{text}' is not a port (1-65535)"))?;
                (host, Some(port))
            }
            None => (rest, None),
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(format!(
                "'{host}' in '{text}' is not a host name or address"
            ));
        }
        let host = host.to_string();
        match kind.to_ascii_lowercase().as_str() {
            "x32" | "m32" => Ok(Self::X32 {
                host,
                port: port.unwrap_or(X32_PORT),
            }),
            "xair" | "x-air" => Ok(Self::XAir {
                host,
                port: port.unwrap_or(XAIR_PORT),
            }),
            "motu" => Ok(Self::Motu {
                host,
                port: port.unwrap_or(MOTU_PORT),
            }),
            other => Err(format!(
                "unknown preamp kind '{other}'; one of x32, xair, motu, pipewire, alsa, wasapi, coreaudio"
            )),
        }
    }
}

impl TryFrom<String> for PreampSpec {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<PreampSpec> for String {
    fn from(s: PreampSpec) -> String {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_with_default_ports_and_print_back() {
        let x: PreampSpec = "x32:192.168.1.20".parse().unwrap();
        assert_eq!(
            x,
            PreampSpec::X32 {
                host: "192.168.1.20".into(),
                port: 10023
            }
        );
        assert_eq!(x.to_string(), "x32:192.168.1.20");
        let a: PreampSpec = "xair:mixer.local:4000".parse().unwrap();
        assert_eq!(
            a,
            PreampSpec::XAir {
                host: "mixer.local".into(),
                port: 4000
            }
        );
        assert_eq!(a.to_string(), "xair:mixer.local:4000");
        let m: PreampSpec = "motu:828es.local".parse().unwrap();
        assert_eq!(
            m,
            PreampSpec::Motu {
                host: "828es.local".into(),
                port: 80
            }
        );
        let p: PreampSpec = "pipewire:alsa_input.usb-Focusrite:1".parse().unwrap();
        assert_eq!(
            p,
            PreampSpec::PipeWire {
                node: "alsa_input.usb-Focusrite:1".into()
            }
        );
        assert_eq!(p.to_string(), "pipewire:alsa_input.usb-Focusrite:1");
        let a: PreampSpec = "alsa:hw:CARD=USB".parse().unwrap();
        assert_eq!(
            a,
            PreampSpec::Alsa {
                ctl: "hw:CARD=USB".into()
            }
        );
        assert_eq!(a.to_string(), "alsa:hw:CARD=USB");
        // An endpoint id holds colons, braces and dots; all of it is the device.
        let w: PreampSpec = "wasapi:wasapi:{0.0.1.00000000}.{5c2a}".parse().unwrap();
        assert_eq!(
            w,
            PreampSpec::Wasapi {
                device: "wasapi:{0.0.1.00000000}.{5c2a}".into()
            }
        );
        assert_eq!(w.to_string(), "wasapi:wasapi:{0.0.1.00000000}.{5c2a}");
        assert_eq!(w.through(), Through::Wasapi);
        let named: PreampSpec = "WASAPI:Microphone (USB Audio)".parse().unwrap();
        assert_eq!(named.to_string(), "wasapi:Microphone (USB Audio)");
        let c: PreampSpec = "coreaudio:coreaudio:AppleUSBAudioEngine:Focusrite:Scarlett 2i2:1"
            .parse()
            .unwrap();
        assert_eq!(
            c,
            PreampSpec::CoreAudio {
                device: "coreaudio:AppleUSBAudioEngine:Focusrite:Scarlett 2i2:1".into()
            }
        );
        assert_eq!(c.through(), Through::Coreaudio);
        assert_eq!(
            c.to_string(),
            "coreaudio:coreaudio:AppleUSBAudioEngine:Focusrite:Scarlett 2i2:1"
        );
        let d: PreampSpec = "CoreAudio: default ".parse().unwrap();
        assert_eq!(
            d,
            PreampSpec::CoreAudio {
                device: "default".into()
            }
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        for bad in [
            "x32",
            "x32:",
            "x32:host:0",
            "x32:host:99999",
            "yamaha:host",
            "motu:a b",
            "alsa:",
            "wasapi:",
            "wasapi: ",
            "coreaudio:",
            "coreaudio: ",
        ] {
            assert!(bad.parse::<PreampSpec>().is_err(), "{bad}");
        }
    }
}
