//! A macOS device's input volumes through CoreAudio (`coreaudio:DEVICE`, found by itself for
//! `--host coreaudio`, the default host on macOS): the input scope's volume in decibels
//! (`kAudioDevicePropertyVolumeDecibels`) of each channel's element, or of the main element
//! when the device has no control per channel.
//!
//! DEVICE is what `--device` takes (the cpal id `coreaudio:UID`, the UID, the name, a unique
//! part of one), matched by the same rules that open the capture device; `default` is the
//! system's default input, the device gainstage opens without `--device`.
//!
//! Preamps are the device's input channels in order (element N is preamp N, so input N ↔
//! preamp N unless a template maps it); a device with only a main control has one preamp that
//! moves every channel. A control the device does not let be set is listed as fixed and never
//! written. CoreAudio gives a control's range in dB but no step: it counts as continuous, and
//! the driver rounds to its own steps.
//!
//! The rules (which elements, the range, the conversions) are plain code over [`Hal`], tested
//! on every platform with a fake; the CoreAudio calls are the thin `macos` layer, which this
//! project type-checks and lints for both macOS targets but has never run.

use super::range::GainRange;
use super::spec::Through;
use super::{Preamp, PreampError};

#[cfg(target_os = "macos")]
mod macos;

/// The spec's device text for the system's default input.
pub const DEFAULT_DEVICE: &str = "default";
/// CoreAudio's main element (`kAudioObjectPropertyElementMain`): the whole device.
pub const MAIN_ELEMENT: u32 = 0;

/// Which of a device's input elements carry a volume in dB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One control per channel: elements 1..=N.
    Channels(u32),
    /// Only the main element's control, moving every channel.
    Main,
    /// No input volume at all.
    Nothing,
}

/// The layout of a device with `channels` input channels, from which elements report a dB
/// volume. One channel's control makes it per channel: element N stays preamp N even where
/// another channel lacks one, so the mapping to inputs never shifts.
pub fn layout(channels: u32, has_volume: impl Fn(u32) -> bool) -> Layout {
    if (1..=channels).any(&has_volume) {
        Layout::Channels(channels)
    } else if has_volume(MAIN_ELEMENT) {
        Layout::Main
    } else {
        Layout::Nothing
    }
}

impl Layout {
    /// How many preamps the device offers.
    pub fn count(self) -> usize {
        match self {
            Self::Channels(n) => n as usize,
            Self::Main => 1,
            Self::Nothing => 0,
        }
    }

    /// The element of preamp `index` (from 0).
    pub fn element(self, index: usize) -> Option<u32> {
        if index >= self.count() {
            return None;
        }
        match self {
            Self::Channels(_) => u32::try_from(index + 1).ok(),
            Self::Main => Some(MAIN_ELEMENT),
            Self::Nothing => None,
        }
    }

    /// What preamp `index` is called.
    pub fn label(self, index: usize) -> String {
        match self {
            Self::Main => "input volume (all channels)".into(),
            _ => format!("input ch {}", index + 1),
        }
    }
}

/// A control's range from its `AudioValueRange` (dB): continuous, as CoreAudio gives no step.
/// `None` for a range no control could have (not finite, or upside down).
pub fn db_range(minimum: f64, maximum: f64) -> Option<GainRange> {
    (minimum.is_finite() && maximum.is_finite() && minimum <= maximum).then_some(GainRange {
        min_db: minimum,
        max_db: maximum,
        step_db: 0.0,
    })
}

/// A Float32 dB as read, to 0.01 dB: its last bits are not a gain anyone set.
pub fn to_db(value: f32) -> f64 {
    (f64::from(value) * 100.0).round() / 100.0
}

/// The Float32 dB written for `db`, kept inside the range.
pub fn to_device(db: f64, range: GainRange) -> f32 {
    db.clamp(range.min_db, range.max_db) as f32
}

/// One device as CoreAudio knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Its `AudioDeviceID`.
    pub id: u32,
    pub name: String,
    /// Its input channels: the elements 1..=N of the input scope.
    pub channels: u32,
}

/// What the backend asks of CoreAudio, every question about the input scope: the macOS layer
/// answers with the real calls, tests with a fake.
pub trait Hal: Send + std::fmt::Debug {
    /// The device `device` names (or [`DEFAULT_DEVICE`]).
    fn find(&self, device: &str) -> Result<Found, String>;
    /// Whether `element` has a volume in dB.
    fn has_volume(&self, id: u32, element: u32) -> bool;
    fn is_settable(&self, id: u32, element: u32) -> Result<bool, String>;
    /// The control's `AudioValueRange` (minimum, maximum dB).
    fn range(&self, id: u32, element: u32) -> Result<(f64, f64), String>;
    fn get_db(&self, id: u32, element: u32) -> Result<f32, String>;
    fn set_db(&self, id: u32, element: u32, db: f32) -> Result<(), String>;
}

/// The input volumes of one CoreAudio device.
#[derive(Debug)]
pub struct CoreAudioInput<H> {
    device: String,
    hal: H,
    /// The device and its layout, found on first use; forgotten after any failed call, so a
    /// device unplugged and back (a new `AudioDeviceID`) is found again.
    found: Option<(Found, Layout)>,
}

/// The real device, through CoreAudio.
#[cfg(target_os = "macos")]
pub fn open(device: &str) -> CoreAudioInput<macos::CoreAudio> {
    CoreAudioInput::with_hal(device, macos::CoreAudio)
}

impl<H: Hal> CoreAudioInput<H> {
    pub fn with_hal(device: &str, hal: H) -> Self {
        Self {
            device: device.to_string(),
            hal,
            found: None,
        }
    }

    fn name(&self) -> String {
        match &self.found {
            Some((found, _)) => format!("coreaudio {}", found.name),
            None => format!("coreaudio {}", self.device),
        }
    }

    fn resolve(&mut self) -> Result<(u32, Layout), PreampError> {
        if let Some((found, layout)) = &self.found {
            return Ok((found.id, *layout));
        }
        let found = self
            .hal
            .find(&self.device)
            .map_err(|e| PreampError::Unreachable(self.name(), e))?;
        let layout = layout(found.channels, |e| self.hal.has_volume(found.id, e));
        let id = found.id;
        self.found = Some((found, layout));
        Ok((id, layout))
    }

    /// The device and element of preamp `index`, and what it is called on the device.
    fn element(&mut self, index: usize) -> Result<(u32, u32, String), PreampError> {
        let (id, layout) = self.resolve()?;
        let element = layout.element(index).ok_or_else(|| {
            PreampError::NoSuchPreamp(self.name(), format!("input volume {}", index + 1))
        })?;
        let what = format!("{} on {}", layout.label(index), self.name());
        if !self.hal.has_volume(id, element) {
            return Err(PreampError::NoSuchPreamp(self.name(), layout.label(index)));
        }
        Ok((id, element, what))
    }

    fn failed(&mut self, what: &str, e: String) -> PreampError {
        let error = PreampError::Protocol(self.name(), format!("{what}: {e}"));
        self.found = None;
        error
    }

    /// The range of a control gainstage may set: a fixed one is refused here, so nothing
    /// below ever writes it.
    fn settable_range(&mut self, index: usize) -> Result<(u32, u32, GainRange), PreampError> {
        let (id, element, what) = self.element(index)?;
        let settable = self
            .hal
            .is_settable(id, element)
            .map_err(|e| self.failed("asking whether the input volume can be set", e))?;
        if !settable {
            return Err(PreampError::NotSettable(
                what,
                "fixed by the device: never set".into(),
            ));
        }
        let (minimum, maximum) = self
            .hal
            .range(id, element)
            .map_err(|e| self.failed("reading the input volume's range", e))?;
        let range = db_range(minimum, maximum).ok_or_else(|| {
            PreampError::Protocol(
                self.name(),
                format!("{what} has the range {minimum}..{maximum} dB"),
            )
        })?;
        Ok((id, element, range))
    }
}

impl<H: Hal> Preamp for CoreAudioInput<H> {
    fn through(&self) -> Through {
        Through::Coreaudio
    }
    fn place(&self) -> String {
        self.name()
    }
    fn count(&mut self) -> Result<usize, PreampError> {
        Ok(self.resolve()?.1.count())
    }
    fn label(&self, index: usize) -> String {
        match &self.found {
            Some((_, layout)) => layout.label(index),
            None => format!("input volume {}", index + 1),
        }
    }
    fn range(&mut self, index: usize) -> Result<GainRange, PreampError> {
        self.settable_range(index).map(|(_, _, range)| range)
    }
    fn read_db(&mut self, index: usize) -> Result<f64, PreampError> {
        let (id, element, _) = self.element(index)?;
        self.hal
            .get_db(id, element)
            .map(to_db)
            .map_err(|e| self.failed("reading the input volume", e))
    }
    fn write_db(&mut self, index: usize, db: f64) -> Result<(), PreampError> {
        let (id, element, range) = self.settable_range(index)?;
        self.hal
            .set_db(id, element, to_device(db, range))
            .map_err(|e| self.failed("setting the input volume", e))
    }
    fn is_hardware(&self) -> bool {
        // CoreAudio keeps no input volume of its own: a device's control is its driver's.
        true
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// One element's control on the fake device.
    #[derive(Debug, Clone, Copy)]
    struct Control {
        db: f32,
        range: (f64, f64),
        settable: bool,
    }

    /// A device with the controls a test gives it; what was set is kept for the test to read.
    #[derive(Debug, Clone, Default)]
    struct Fake {
        channels: u32,
        controls: Arc<Mutex<BTreeMap<u32, Control>>>,
        sets: Arc<Mutex<Vec<(u32, f32)>>>,
        /// How often the device was looked up.
        finds: Arc<Mutex<u32>>,
        /// Every read fails (a device unplugged).
        broken: Arc<Mutex<bool>>,
    }

    const ID: u32 = 73;

    impl Fake {
        fn new(channels: u32, controls: &[(u32, Control)]) -> Self {
            Self {
                channels,
                controls: Arc::new(Mutex::new(controls.iter().copied().collect())),
                sets: Arc::default(),
                finds: Arc::default(),
                broken: Arc::default(),
            }
        }
        fn control(&self, element: u32) -> Result<Control, String> {
            self.controls
                .lock()
                .unwrap()
                .get(&element)
                .copied()
                .ok_or_else(|| "'who?'".to_string())
        }
    }

    impl Hal for Fake {
        fn find(&self, device: &str) -> Result<Found, String> {
            *self.finds.lock().unwrap() += 1;
            (device == "Scarlett")
                .then(|| Found {
                    id: ID,
                    name: "Scarlett 2i2".into(),
                    channels: self.channels,
                })
                .ok_or_else(|| format!("no input device matches \"{device}\""))
        }
        fn has_volume(&self, id: u32, element: u32) -> bool {
            id == ID && self.control(element).is_ok()
        }
        fn is_settable(&self, _: u32, element: u32) -> Result<bool, String> {
            Ok(self.control(element)?.settable)
        }
        fn range(&self, _: u32, element: u32) -> Result<(f64, f64), String> {
            Ok(self.control(element)?.range)
        }
        fn get_db(&self, _: u32, element: u32) -> Result<f32, String> {
            if *self.broken.lock().unwrap() {
                return Err("!obj".into());
            }
            Ok(self.control(element)?.db)
        }
        fn set_db(&self, _: u32, element: u32, db: f32) -> Result<(), String> {
            self.sets.lock().unwrap().push((element, db));
            let mut controls = self.controls.lock().unwrap();
            let c = controls.get_mut(&element).ok_or("'who?'")?;
            c.db = db;
            Ok(())
        }
    }

    const MIC: Control = Control {
        db: 12.0,
        range: (0.0, 56.0),
        settable: true,
    };

    #[test]
    fn per_channel_controls_are_the_preamps_else_the_main_one() {
        // Channel 2 without a control stays preamp 2, so input 3 is still element 3's.
        let channels = |e: u32| [1, 3].contains(&e);
        assert_eq!(layout(3, channels), Layout::Channels(3));
        assert_eq!(Layout::Channels(3).element(2), Some(3));
        assert_eq!(Layout::Channels(3).element(3), None);
        let main = |e: u32| e == MAIN_ELEMENT;
        assert_eq!(layout(2, main), Layout::Main);
        assert_eq!(Layout::Main.count(), 1);
        assert_eq!(Layout::Main.element(0), Some(0));
        assert_eq!(Layout::Main.element(1), None);
        assert_eq!(layout(2, |_| false), Layout::Nothing);
        assert_eq!(Layout::Nothing.count(), 0);
        assert_eq!(Layout::Channels(2).label(1), "input ch 2");
    }

    #[test]
    fn ranges_are_continuous_and_writes_stay_inside() {
        let r = db_range(-12.0, 40.5).unwrap();
        assert_eq!(
            r,
            GainRange {
                min_db: -12.0,
                max_db: 40.5,
                step_db: 0.0
            }
        );
        assert_eq!(db_range(10.0, -10.0), None);
        assert_eq!(db_range(f64::NEG_INFINITY, 0.0), None);
        assert_eq!(to_device(50.0, r), 40.5);
        assert_eq!(to_device(-20.0, r), -12.0);
        assert_eq!(to_device(3.25, r), 3.25);
        // 0.1 as a Float32 is 0.100000001…: read as 0.1.
        assert_eq!(to_db(0.1_f32), 0.1);
        assert_eq!(to_db(-6.02_f32), -6.02);
    }

    #[test]
    fn a_device_with_channel_controls_reads_and_sets_each() {
        let fake = Fake::new(2, &[(1, MIC), (2, Control { db: -3.5, ..MIC })]);
        let mut pre = CoreAudioInput::with_hal("Scarlett", fake.clone());
        assert_eq!(pre.count().unwrap(), 2);
        assert_eq!(pre.read_db(0).unwrap(), 12.0);
        assert_eq!(pre.read_db(1).unwrap(), -3.5);
        assert_eq!(pre.range(1).unwrap(), db_range(0.0, 56.0).unwrap());
        assert_eq!(pre.label(1), "input ch 2");
        assert_eq!(pre.place(), "coreaudio Scarlett 2i2");
        pre.write_db(1, 20.0).unwrap();
        pre.write_db(0, 70.0).unwrap();
        assert_eq!(*fake.sets.lock().unwrap(), vec![(2, 20.0), (1, 56.0)]);
        assert_eq!(pre.read_db(1).unwrap(), 20.0);
        assert!(matches!(pre.read_db(2), Err(PreampError::NoSuchPreamp(..))));
    }

    #[test]
    fn a_device_with_only_a_main_control_has_one_preamp_on_element_0() {
        let fake = Fake::new(2, &[(0, Control { db: 6.0, ..MIC })]);
        let mut pre = CoreAudioInput::with_hal("Scarlett", fake.clone());
        assert_eq!(pre.count().unwrap(), 1);
        assert_eq!(pre.label(0), "input volume (all channels)");
        pre.write_db(0, 9.0).unwrap();
        assert_eq!(*fake.sets.lock().unwrap(), vec![(0, 9.0)]);
    }

    #[test]
    fn a_fixed_control_is_read_but_never_written() {
        let fake = Fake::new(
            1,
            &[(
                1,
                Control {
                    settable: false,
                    ..MIC
                },
            )],
        );
        let mut pre = CoreAudioInput::with_hal("Scarlett", fake.clone());
        assert_eq!(pre.read_db(0).unwrap(), 12.0);
        let refused = pre.write_db(0, 20.0).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "input ch 1 on coreaudio Scarlett 2i2: fixed by the device: never set"
        );
        assert!(matches!(pre.range(0), Err(PreampError::NotSettable(..))));
        assert!(fake.sets.lock().unwrap().is_empty());
    }

    #[test]
    fn a_missing_device_is_unreachable_and_a_failed_call_finds_it_again() {
        let mut gone = CoreAudioInput::with_hal("Behringer", Fake::new(1, &[(1, MIC)]));
        assert_eq!(
            gone.count().unwrap_err(),
            PreampError::Unreachable(
                "coreaudio Behringer".into(),
                "no input device matches \"Behringer\"".into()
            )
        );
        let fake = Fake::new(1, &[(1, MIC)]);
        let mut pre = CoreAudioInput::with_hal("Scarlett", fake.clone());
        assert_eq!(pre.read_db(0).unwrap(), 12.0);
        assert_eq!(pre.read_db(0).unwrap(), 12.0);
        assert_eq!(*fake.finds.lock().unwrap(), 1);
        *fake.broken.lock().unwrap() = true;
        assert_eq!(
            pre.read_db(0).unwrap_err(),
            PreampError::Protocol(
                "coreaudio Scarlett 2i2".into(),
                "reading the input volume: !obj".into()
            )
        );
        *fake.broken.lock().unwrap() = false;
        assert_eq!(pre.read_db(0).unwrap(), 12.0);
        assert_eq!(*fake.finds.lock().unwrap(), 2);
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn elsewhere_the_spec_parses_but_does_not_open() {
        let spec: crate::preamps::PreampSpec = "coreaudio:default".parse().unwrap();
        assert_eq!(
            crate::preamps::open(&spec).unwrap_err().to_string(),
            "coreaudio default is unreachable: CoreAudio exists only on macOS"
        );
    }

    #[test]
    fn the_templates_mapping_reaches_the_right_element() {
        use crate::preamps::{ChangeRequest, PlanLimits, Rig, Who};
        let fake = Fake::new(2, &[(1, MIC), (2, MIC)]);
        let devices: Vec<Box<dyn Preamp>> =
            vec![Box::new(CoreAudioInput::with_hal("Scarlett", fake.clone()))];
        // Input 1 is fed by preamp 2.
        let mapping = BTreeMap::from([(1, 2)]);
        let mut rig = Rig::new(devices, mapping, PlanLimits::default());
        let applied = rig.apply(
            &[ChangeRequest {
                input: 1,
                change_db: -4.0,
                why: "test".into(),
            }],
            Who::Gui,
            false,
        );
        assert_eq!(applied[0].problem, None);
        assert_eq!(*fake.sets.lock().unwrap(), vec![(2, 8.0)]);
    }
}
