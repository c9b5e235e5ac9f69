//! Software preamp control: reads and sets the input gain of the preamps gainstage can reach,
//! so the advisor's "turn input 3 down about 9 dB" can be applied and then checked at the input.
//!
//! - [`spec`]: what `--preamp` names (`x32:HOST[:PORT]`, `xair:HOST[:PORT]`, `motu:HOST`,
//!   `pipewire:NODE`, `alsa:CTL`, `wasapi:DEVICE`, `coreaudio:DEVICE`).
//! - [`range`]: a preamp's gain range and step, and quantising to it.
//! - [`plan`]: the pure rules that turn advice into safe changes (raise limit, range, step,
//!   never during a take).
//! - [`rig`]: the preamps of a session and which input each one feeds; applies a plan
//!   (query, set, read back) and says what happened.
//! - [`soundcheck`]: the changes a soundcheck asks for, and the summary of what took.
//! - [`list`]: `gainstage preamps`.
//! - [`worker`]: the one thread a process sets its preamps on, shared by the GUI and its
//!   remote server; it reads the gains the GUI shows.
//! - [`log`]: each change as a `gain` entry of the session log.
//! - [`verify`]: the closed loop: did the level at the input move by the change made?
//! - Backends, one a file: [`x32`] and [`xair`] (OSC over UDP: [`headamps`] through
//!   [`osc_link`]),
//!   [`motu`] (the MOTU AVB HTTP datastore, through [`http`]), [`pipewire`] (a capture
//!   node's channel volumes, through `pw-dump` and `pw-cli`), [`alsa`] (a card's capture
//!   volume elements, through alsa-lib's mixer; Linux only), [`wasapi`] (a capture endpoint's
//!   channel volumes, through `IAudioEndpointVolume`; Windows only), [`coreaudio`] (a device's
//!   input volumes in dB per element; the calls are macOS only, checked but never run).
//!
//! Every call here may wait on the network: callers run it on a thread of its own, never on
//! the meter thread or the GUI's update.

#[cfg(target_os = "linux")]
pub mod alsa;
pub mod coreaudio;
pub mod headamps;
pub mod http;
pub mod list;
pub mod log;
pub mod motu;
pub mod osc_link;
pub mod pipewire;
pub mod plan;
pub mod range;
pub mod rig;
pub mod soundcheck;
pub mod spec;
pub mod verify;
#[cfg(windows)]
pub mod wasapi;
pub mod worker;
pub mod x32;
pub mod xair;

use std::time::Duration;

pub use plan::{ChangeRequest, PlanLimits, PlannedChange, Refusal, plan_change};
pub use range::GainRange;
pub use rig::{Applied, GainChange, InputPreamp, Rig, RigConfig, Who};
pub use spec::{PreampSpec, Through};
pub use verify::{LoopCheck, LoopVerdict, check_loop};

/// How long one request to a network preamp may take before it counts as unanswered.
pub const NETWORK_TIMEOUT: Duration = Duration::from_millis(400);
/// Tries of one request before a preamp counts as unreachable (UDP may lose a datagram).
pub const NETWORK_TRIES: u32 = 3;

/// Why a preamp could not be read or set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PreampError {
    /// Nothing answered in time, or the connection was refused.
    #[error("{0} is unreachable: {1}")]
    Unreachable(String, String),
    /// It answered, but not as its protocol says.
    #[error("{0} answered unexpectedly: {1}")]
    Protocol(String, String),
    /// The preamp asked for does not exist on this device.
    #[error("{0} has no {1}")]
    NoSuchPreamp(String, String),
    /// It exists but gainstage will not set it (an ALSA volume without a dB scale).
    #[error("{0}: {1}")]
    NotSettable(String, String),
}

impl PreampError {
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable(..))
    }
}

/// One device's preamps, numbered from 0 in the device's own order.
///
/// Only gain is ever read or written: phantom power, pads and high-pass filters are never
/// touched, and no backend has a way to.
pub trait Preamp: Send + std::fmt::Debug {
    /// How this device is reached (`x32`, `motu` ...).
    fn through(&self) -> Through;
    /// Where it is reached (the host and port, the node), for messages.
    fn place(&self) -> String;
    /// How many preamps the device offers.
    fn count(&mut self) -> Result<usize, PreampError>;
    /// What the device calls preamp `index` ("headamp 5", "Mic In 2").
    fn label(&self, index: usize) -> String;
    /// The gain range and step of preamp `index`.
    fn range(&mut self, index: usize) -> Result<GainRange, PreampError>;
    /// The current gain of preamp `index` (dB), asked of the device.
    fn read_db(&mut self, index: usize) -> Result<f64, PreampError>;
    /// Sets preamp `index` to `db`, which the caller has put on the range's grid.
    fn write_db(&mut self, index: usize, db: f64) -> Result<(), PreampError>;
    /// True when the gain is an analogue preamp's, false when it is a software volume.
    fn is_hardware(&self) -> bool {
        true
    }
}

/// Connects to the device a spec names. Network backends connect lazily: this never waits.
pub fn open(spec: &PreampSpec) -> Result<Box<dyn Preamp>, PreampError> {
    Ok(match spec {
        PreampSpec::X32 { host, port } => Box::new(x32::open(host, *port)),
        PreampSpec::XAir { host, port } => Box::new(xair::open(host, *port)),
        PreampSpec::Motu { host, port } => Box::new(motu::Motu::new(host, *port)),
        PreampSpec::PipeWire { node } => Box::new(pipewire::PipeWireNode::new(node)),
        #[cfg(target_os = "linux")]
        PreampSpec::Alsa { ctl } => Box::new(alsa::AlsaMixer::new(ctl)),
        #[cfg(not(target_os = "linux"))]
        PreampSpec::Alsa { ctl } => {
            return Err(PreampError::Unreachable(
                format!("alsa {ctl}"),
                "ALSA exists only on Linux".into(),
            ));
        }
        #[cfg(windows)]
        PreampSpec::Wasapi { device } => Box::new(wasapi::WasapiEndpoint::new(device)),
        #[cfg(not(windows))]
        PreampSpec::Wasapi { device } => {
            return Err(PreampError::Unreachable(
                format!("wasapi {device}"),
                "WASAPI exists only on Windows".into(),
            ));
        }
        #[cfg(target_os = "macos")]
        PreampSpec::CoreAudio { device } => Box::new(coreaudio::open(device)),
        #[cfg(not(target_os = "macos"))]
        PreampSpec::CoreAudio { device } => {
            return Err(PreampError::Unreachable(
                format!("coreaudio {device}"),
                "CoreAudio exists only on macOS".into(),
            ));
        }
    })
}

#[cfg(all(test, not(windows)))]
mod tests {
    use super::*;

    #[test]
    fn wasapi_parses_everywhere_and_opens_only_on_windows() {
        let spec: PreampSpec = "wasapi:Microphone (USB Audio)".parse().unwrap();
        let err = open(&spec).unwrap_err();
        assert_eq!(
            err.to_string(),
            "wasapi Microphone (USB Audio) is unreachable: WASAPI exists only on Windows"
        );
    }
}
