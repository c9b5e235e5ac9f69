//! An ALSA card's capture volumes, through its mixer (`alsa:CTL`, found by itself for
//! `--host alsa --device hw:…`): the simple mixer's elements that have a capture volume, set by
//! dB through the element's own dB scale.
//!
//! Preamps are numbered over those elements in the mixer's own order, each element's channels
//! in ALSA's channel order (front left, front right, …; a mono element is one preamp): on a
//! USB interface with "Mic Capture Volume" (2 channels) and "Line Capture Volume" (2), preamps
//! 1-2 are Mic's and 3-4 Line's. A template's input mapping then says which input each feeds.
//!
//! Only capture volumes are ever written: capture switches, phantom power, pads and enumerated
//! controls ("Mic Boost", "Input Source") are never touched. An element without a dB scale is
//! listed but never changed: without one, a raw step says nothing about the gain.
//!
//! The mixer is opened afresh for every question, so each read is what the card says now (an
//! open mixer's values go stale without an event loop) and nothing stays open between changes.

use std::ffi::CString;

use ::alsa::Round;
use ::alsa::mixer::{MilliBel, Mixer, Selem, SelemChannelId, SelemId};

use super::range::GainRange;
use super::spec::Through;
use super::{Preamp, PreampError};

/// What alsa-lib reports for a muted step (`SND_CTL_TLV_DB_GAIN_MUTE`, in 0.01 dB).
const DB_GAIN_MUTE: i64 = -9_999_999;

/// ALSA's channel order: the order an element's channels become preamps.
const CHANNELS: [SelemChannelId; 9] = [
    SelemChannelId::FrontLeft,
    SelemChannelId::FrontRight,
    SelemChannelId::RearLeft,
    SelemChannelId::RearRight,
    SelemChannelId::FrontCenter,
    SelemChannelId::Woofer,
    SelemChannelId::SideLeft,
    SelemChannelId::SideRight,
    SelemChannelId::RearCenter,
];

/// The ctl whose mixer holds a capture device's controls: `hw:CARD=X,DEV=0` and
/// `plughw:CARD=X,DEV=0` → `hw:CARD=X` (`hw:1,0` → `hw:1`); any other name is its own ctl name.
pub fn ctl_of_device(device: &str) -> String {
    let device = device.trim();
    let Some(args) = device
        .strip_prefix("plughw:")
        .or_else(|| device.strip_prefix("hw:"))
    else {
        return device.to_string();
    };
    // The card is the first argument, named (CARD=X) or by position.
    let card = args.split(',').next().unwrap_or_default();
    format!("hw:{card}")
}

/// One preamp: a channel of a capture volume element.
#[derive(Debug, Clone, PartialEq)]
struct Slot {
    name: String,
    index: u32,
    channel: SelemChannelId,
    /// How many channels the element has (its label names the channel only when > 1).
    channels: usize,
    position: usize,
}

impl Slot {
    fn label(&self) -> String {
        let mut s = self.name.clone();
        if self.index > 0 {
            s.push_str(&format!(",{}", self.index));
        }
        if self.channels > 1 {
            s.push_str(&format!(" ch {}", self.position + 1));
        }
        s
    }
}

/// The capture channels of an element, in ALSA's order.
fn capture_channels(selem: &Selem<'_>) -> Vec<SelemChannelId> {
    if selem.is_capture_mono() {
        return vec![SelemChannelId::mono()];
    }
    CHANNELS
        .into_iter()
        .filter(|c| selem.has_capture_channel(*c))
        .collect()
}

/// The dB range and step of an element with a dB scale; `None` without one.
fn db_range(selem: &Selem<'_>) -> Option<GainRange> {
    let (raw_min, raw_max) = selem.get_capture_volume_range();
    let at = |raw: i64| selem.ask_capture_vol_db(raw).ok().map(|m| m.0);
    // Asking the lowest step's dB fails without a dB scale.
    let mut lowest = at(raw_min)?;
    let (_, db_max) = selem.get_capture_db_range();
    let mut first = raw_min;
    // A scale whose lowest step mutes starts, as a gain, one step up.
    if lowest <= DB_GAIN_MUTE && raw_max > raw_min {
        first = raw_min + 1;
        lowest = at(first)?;
    }
    let max = db_max.0;
    let steps = raw_max - first;
    // A linear scale (DB_SCALE, the usual one) has one step; any other is treated as
    // continuous and the element rounds (down) to its nearest raw value.
    let step = if steps > 0 {
        let one = at(first + 1)? - lowest;
        if one > 0 && (one * steps - (max - lowest)).abs() <= 1 {
            one as f64 / 100.0
        } else {
            0.0
        }
    } else {
        0.0
    };
    Some(GainRange {
        min_db: lowest as f64 / 100.0,
        max_db: max as f64 / 100.0,
        step_db: step,
    })
}

/// The capture volumes of one ALSA ctl.
#[derive(Debug)]
pub struct AlsaMixer {
    ctl: String,
}

impl AlsaMixer {
    pub fn new(ctl: &str) -> Self {
        Self {
            ctl: ctl.to_string(),
        }
    }

    fn name(&self) -> String {
        format!("alsa {}", self.ctl)
    }

    fn open(&self) -> Result<Mixer, PreampError> {
        let unreachable = |e: ::alsa::Error| PreampError::Unreachable(self.name(), e.to_string());
        let ctl = CString::new(self.ctl.as_str())
            .map_err(|_| PreampError::Unreachable(self.name(), "the name has a NUL byte".into()))?;
        let mut mixer = Mixer::open(false).map_err(unreachable)?;
        mixer.attach(&ctl).map_err(unreachable)?;
        Selem::register(&mut mixer).map_err(unreachable)?;
        mixer.load().map_err(unreachable)?;
        Ok(mixer)
    }

    /// Every capture volume channel, in preamp order.
    fn slots(mixer: &Mixer) -> Vec<Slot> {
        let mut out = Vec::new();
        for elem in mixer.iter() {
            let Some(selem) = Selem::new(elem) else {
                continue;
            };
            if !selem.has_capture_volume() {
                continue;
            }
            let id = selem.get_id();
            let name = id.get_name().unwrap_or_default().to_string();
            let channels = capture_channels(&selem);
            let n = channels.len();
            out.extend(
                channels
                    .into_iter()
                    .enumerate()
                    .map(|(position, channel)| Slot {
                        name: name.clone(),
                        index: id.get_index(),
                        channel,
                        channels: n,
                        position,
                    }),
            );
        }
        out
    }

    /// Runs `f` on preamp `index`'s element and channel, with its dB range (an element
    /// without a dB scale is refused here, so nothing below ever reads or sets it by dB).
    fn with_slot<T>(
        &self,
        index: usize,
        f: impl FnOnce(&Selem<'_>, &Slot, GainRange) -> Result<T, PreampError>,
    ) -> Result<T, PreampError> {
        let mixer = self.open()?;
        let slots = Self::slots(&mixer);
        let slot = slots.get(index).ok_or_else(|| {
            PreampError::NoSuchPreamp(self.name(), format!("capture volume {}", index + 1))
        })?;
        let selem = mixer
            .find_selem(&SelemId::new(&slot.name, slot.index))
            .ok_or_else(|| PreampError::NoSuchPreamp(self.name(), slot.label()))?;
        let range = db_range(&selem).ok_or_else(|| {
            PreampError::NotSettable(
                format!("{} on {}", slot.label(), self.name()),
                "no dB scale: not set".into(),
            )
        })?;
        f(&selem, slot, range)
    }

    fn failed(&self, what: &str, e: ::alsa::Error) -> PreampError {
        PreampError::Protocol(self.name(), format!("{what}: {e}"))
    }
}

impl Preamp for AlsaMixer {
    fn through(&self) -> Through {
        Through::Alsa
    }
    fn place(&self) -> String {
        self.name()
    }
    fn count(&mut self) -> Result<usize, PreampError> {
        Ok(Self::slots(&self.open()?).len())
    }
    fn label(&self, index: usize) -> String {
        // Labels come from the card; one that cannot be asked is named by number.
        self.open()
            .ok()
            .and_then(|m| Self::slots(&m).get(index).map(Slot::label))
            .unwrap_or_else(|| format!("capture volume {}", index + 1))
    }
    fn range(&mut self, index: usize) -> Result<GainRange, PreampError> {
        self.with_slot(index, |_, _, range| Ok(range))
    }
    fn read_db(&mut self, index: usize) -> Result<f64, PreampError> {
        self.with_slot(index, |selem, slot, range| {
            let raw = selem
                .get_capture_volume(slot.channel)
                .map_err(|e| self.failed("reading the capture volume", e))?;
            let mb = selem
                .ask_capture_vol_db(raw)
                .map_err(|e| self.failed("reading the capture volume", e))?;
            // A muted lowest step reads as the bottom of the range: as low as it goes.
            Ok((mb.0 as f64 / 100.0).max(range.min_db))
        })
    }
    fn write_db(&mut self, index: usize, db: f64) -> Result<(), PreampError> {
        self.with_slot(index, |selem, slot, range| {
            let db = db.clamp(range.min_db, range.max_db);
            // The caller put `db` on the grid; rounding down keeps any float error from
            // landing a step higher (never the riskier way).
            let mb = MilliBel((db * 100.0).round() as i64);
            selem
                .set_capture_db(slot.channel, mb, Round::Floor)
                .map_err(|e| self.failed("setting the capture volume", e))
        })
    }
    fn is_hardware(&self) -> bool {
        // The kernel's mixer of a card is the interface's own; a plugin's ctl (pulse, …) is
        // a software volume.
        self.ctl.starts_with("hw:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_device_names_its_cards_ctl() {
        assert_eq!(ctl_of_device("hw:CARD=USB,DEV=0"), "hw:CARD=USB");
        assert_eq!(ctl_of_device("plughw:CARD=USB,DEV=0"), "hw:CARD=USB");
        assert_eq!(ctl_of_device("hw:1,0"), "hw:1");
        assert_eq!(ctl_of_device("hw:1"), "hw:1");
        assert_eq!(ctl_of_device("pulse"), "pulse");
        assert_eq!(ctl_of_device("sysdefault:CARD=USB"), "sysdefault:CARD=USB");
    }

    #[test]
    fn labels_name_the_channel_only_of_a_multichannel_element() {
        let slot = |channels, index, position| Slot {
            name: "Mic".into(),
            index,
            channel: SelemChannelId::FrontRight,
            channels,
            position,
        };
        assert_eq!(slot(2, 0, 1).label(), "Mic ch 2");
        assert_eq!(slot(1, 0, 0).label(), "Mic");
        assert_eq!(slot(1, 1, 0).label(), "Mic,1");
    }
}
