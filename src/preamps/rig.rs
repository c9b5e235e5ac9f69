//! The preamps of a session: the devices `--preamp` names, which preamp feeds which input, and
//! applying changes to them (query, plan, set, read back) with a record of each.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::plan::{ChangeRequest, PlanLimits, plan_change};
use super::range::GainRange;
use super::spec::{PreampSpec, Through};
use super::{Preamp, PreampError};

/// Who asked for a change (the session log's `who`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Who {
    Gui,
    Soundcheck,
    Remote,
}

impl Who {
    pub fn name(self) -> &'static str {
        match self {
            Self::Gui => "gui",
            Self::Soundcheck => "soundcheck",
            Self::Remote => "remote",
        }
    }
}

/// One input's preamp as `gainstage preamps` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputPreamp {
    /// Input number, from 1.
    pub input: usize,
    pub through: Through,
    /// The device and what it calls this preamp ("x32 at 10.0.0.2:10023", "headamp 5").
    pub device: String,
    pub preamp: String,
    /// Current gain (dB); `null` when the device did not answer.
    pub gain_db: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<GainRange>,
    /// True for an analogue preamp, false for a software volume.
    pub hardware: bool,
    /// Why the gain is unknown ("unreachable: …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// A change made: the session log's `gain` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GainChange {
    pub input: usize,
    pub from_db: f64,
    pub to_db: f64,
    /// What the device said after the set (dB): `to_db` when the change took.
    pub read_back_db: Option<f64>,
    /// The part of a raise the 12 dB limit held back.
    pub held_back_db: f64,
    pub why: String,
    pub who: Who,
    /// "headamp 5 on x32 at …", for messages.
    pub preamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl GainChange {
    /// The line the next take's report carries ("Input 1 +30.0 → +21.0 dB").
    pub fn take_note(&self) -> String {
        format!(
            "Input {} {:+.1} → {:+.1} dB",
            self.input, self.from_db, self.to_db
        )
    }
}

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    pub input: usize,
    /// The change made, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<GainChange>,
    /// Why nothing (or not all) was done: refused, unreachable, at the range's end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// What a session's preamps are: the devices, the template's input mapping, the raise limit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RigConfig {
    pub specs: Vec<PreampSpec>,
    /// Input (from 1) → preamp number (from 1) where it is not input N ↔ preamp N.
    pub mapping: BTreeMap<usize, usize>,
    pub limits: PlanLimits,
}

/// The devices, in the order given, and the input each preamp feeds.
#[derive(Debug)]
pub struct Rig {
    devices: Vec<Box<dyn Preamp>>,
    /// Input (from 1) → preamp number (from 1, counted over the devices in order), where the
    /// template says; every other input N is fed by preamp N.
    mapping: BTreeMap<usize, usize>,
    limits: PlanLimits,
    /// Inputs the closed loop stopped: nothing more is changed on them this session.
    stopped: BTreeMap<usize, String>,
    /// The gains before the latest batch of changes, for undo.
    undo: Vec<(usize, f64)>,
}

impl Rig {
    pub fn new(
        devices: Vec<Box<dyn Preamp>>,
        mapping: BTreeMap<usize, usize>,
        limits: PlanLimits,
    ) -> Self {
        Self {
            devices,
            mapping,
            limits,
            stopped: BTreeMap::new(),
            undo: Vec::new(),
        }
    }

    /// Opens every spec (network devices are reached on first use).
    pub fn open(
        specs: &[PreampSpec],
        mapping: BTreeMap<usize, usize>,
        limits: PlanLimits,
    ) -> Result<Self, PreampError> {
        let devices = specs
            .iter()
            .map(super::open)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::new(devices, mapping, limits))
    }

    pub fn from_config(config: &RigConfig) -> Result<Self, PreampError> {
        Self::open(&config.specs, config.mapping.clone(), config.limits)
    }

    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// The device and preamp feeding `input`, or `None` when no device has that many.
    fn locate(&mut self, input: usize) -> Result<Option<(usize, usize)>, PreampError> {
        let number = self.mapping.get(&input).copied().unwrap_or(input);
        let Some(mut index) = number.checked_sub(1) else {
            return Ok(None);
        };
        for (d, device) in self.devices.iter_mut().enumerate() {
            let n = device.count()?;
            if index < n {
                return Ok(Some((d, index)));
            }
            index -= n;
        }
        Ok(None)
    }

    /// Every input of `inputs` that has a preamp: its gain, range and how it is reached.
    pub fn list(&mut self, inputs: usize) -> Vec<InputPreamp> {
        let mut out = Vec::new();
        for input in 1..=inputs {
            let located = self.locate(input);
            let (d, i) = match located {
                Ok(Some(at)) => at,
                Ok(None) => continue,
                Err(e) => {
                    // Which preamp cannot be known without the device: name the first one.
                    if let Some(device) = self.devices.first() {
                        out.push(InputPreamp {
                            input,
                            through: device.through(),
                            device: device.place(),
                            preamp: String::new(),
                            gain_db: None,
                            range: None,
                            hardware: device.is_hardware(),
                            problem: Some(e.to_string()),
                        });
                    }
                    continue;
                }
            };
            let device = &mut self.devices[d];
            let gain = device.read_db(i);
            let range = device.range(i);
            let problem = gain
                .as_ref()
                .err()
                .or(range.as_ref().err())
                .map(ToString::to_string);
            out.push(InputPreamp {
                input,
                through: device.through(),
                device: device.place(),
                preamp: device.label(i),
                gain_db: gain.ok(),
                range: range.ok(),
                hardware: device.is_hardware(),
                problem,
            });
        }
        out
    }

    /// The gain of every input of `inputs` that has a preamp, or why it could not be read. An
    /// unreachable device is asked once a pass: its other inputs take the same answer, so a
    /// console unplugged costs one timeout, not one per input.
    pub fn gains(&mut self, inputs: usize) -> BTreeMap<usize, Result<f64, PreampError>> {
        let mut out = BTreeMap::new();
        let mut gone: BTreeMap<usize, PreampError> = BTreeMap::new();
        for input in 1..=inputs {
            let (d, i) = match self.locate(input) {
                Ok(Some(at)) => at,
                Ok(None) => continue,
                Err(e) => {
                    out.insert(input, Err(e));
                    continue;
                }
            };
            if let Some(e) = gone.get(&d) {
                out.insert(input, Err(e.clone()));
                continue;
            }
            let read = self.devices[d].read_db(i);
            if let Err(e) = &read
                && e.is_unreachable()
            {
                gone.insert(d, e.clone());
            }
            out.insert(input, read);
        }
        out
    }

    /// Undo has changes to put back.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Stops all further changes on `input` (the closed loop found the change did not reach it).
    pub fn stop(&mut self, input: usize, why: String) {
        self.stopped.insert(input, why);
    }

    pub fn stopped(&self) -> BTreeSet<usize> {
        self.stopped.keys().copied().collect()
    }

    /// Applies each request: asks the preamp's gain first, plans the change by the safety rules,
    /// sets it and reads it back. `take_running` refuses them all.
    pub fn apply(
        &mut self,
        requests: &[ChangeRequest],
        who: Who,
        take_running: bool,
    ) -> Vec<Applied> {
        let mut undo = Vec::new();
        let out = requests
            .iter()
            .map(|r| {
                let a = self.apply_one(r, who, take_running);
                if let Some(c) = &a.change {
                    undo.push((c.input, c.from_db));
                }
                a
            })
            .collect();
        if !undo.is_empty() {
            self.undo = undo;
        }
        out
    }

    /// Puts back the gains from before the latest changes.
    pub fn undo(&mut self, who: Who, take_running: bool) -> Vec<Applied> {
        let back = std::mem::take(&mut self.undo);
        if take_running {
            self.undo = back;
            return vec![Applied {
                input: 0,
                change: None,
                problem: Some(super::plan::Refusal::TakeRunning.to_string()),
            }];
        }
        back.into_iter()
            .map(|(input, from)| self.set_to(input, from, "undo".into(), who))
            .collect()
    }

    fn set_to(&mut self, input: usize, db: f64, why: String, who: Who) -> Applied {
        let failed = |problem: String| Applied {
            input,
            change: None,
            problem: Some(problem),
        };
        let (d, i) = match self.locate(input) {
            Ok(Some(at)) => at,
            Ok(None) => return failed(format!("Input {input}: no preamp reaches it")),
            Err(e) => return failed(e.to_string()),
        };
        let device = &mut self.devices[d];
        let from = match device.read_db(i) {
            Ok(v) => v,
            Err(e) => return failed(e.to_string()),
        };
        let to = match device.range(i) {
            Ok(r) => r.nearest(db),
            Err(e) => return failed(e.to_string()),
        };
        if let Err(e) = device.write_db(i, to) {
            return failed(e.to_string());
        }
        let read_back = device.read_db(i).ok();
        Applied {
            input,
            change: Some(GainChange {
                input,
                from_db: from,
                to_db: to,
                read_back_db: read_back,
                held_back_db: 0.0,
                why,
                who,
                preamp: format!("{} on {}", device.label(i), device.place()),
                note: None,
            }),
            problem: None,
        }
    }

    fn apply_one(&mut self, r: &ChangeRequest, who: Who, take_running: bool) -> Applied {
        let input = r.input;
        let failed = |problem: String| Applied {
            input,
            change: None,
            problem: Some(problem),
        };
        if let Some(why) = self.stopped.get(&input) {
            return failed(format!("Input {input}: not changed again ({why})"));
        }
        if take_running {
            return failed(format!(
                "Input {input}: {}",
                super::plan::Refusal::TakeRunning
            ));
        }
        let (d, i) = match self.locate(input) {
            Ok(Some(at)) => at,
            Ok(None) => return failed(format!("Input {input}: no preamp reaches it")),
            Err(e) => return failed(e.to_string()),
        };
        let limits = self.limits;
        let device = &mut self.devices[d];
        // Query before set: the change is planned from what the preamp says now, not from
        // what we last set (someone may have turned it at the desk).
        let from = match device.read_db(i) {
            Ok(v) => v,
            Err(e) => return failed(e.to_string()),
        };
        let range = match device.range(i) {
            Ok(r) => r,
            Err(e) => return failed(e.to_string()),
        };
        let planned = match plan_change(input, from, range, r.change_db, limits, take_running) {
            Ok(p) => p,
            Err(refusal) => return failed(format!("Input {input}: {refusal}")),
        };
        let preamp = format!("{} on {}", device.label(i), device.place());
        if planned.is_nothing() {
            return failed(format!(
                "Input {input}: {preamp} not changed: {}",
                planned.note.as_deref().unwrap_or("already there")
            ));
        }
        if let Err(e) = device.write_db(i, planned.to_db) {
            return failed(e.to_string());
        }
        let read_back = device.read_db(i).ok();
        let problem = match read_back {
            Some(v) if (v - planned.to_db).abs() > range.step_db.max(0.01) / 2.0 => Some(format!(
                "Input {input}: {preamp} was set to {:+.1} dB but reads {v:+.1} dB",
                planned.to_db
            )),
            Some(_) => None,
            None => Some(format!(
                "Input {input}: {preamp} did not answer after the change"
            )),
        };
        Applied {
            input,
            change: Some(GainChange {
                input,
                from_db: planned.from_db,
                to_db: planned.to_db,
                read_back_db: read_back,
                held_back_db: planned.held_back_db,
                why: r.why.clone(),
                who,
                preamp,
                note: planned.note,
            }),
            problem,
        }
    }
}
