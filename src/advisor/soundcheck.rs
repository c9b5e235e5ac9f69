//! Soundcheck: listen to selected channels for a while (the performer plays their loudest
//! part), then say per channel what to change. Advice, not a knob: we cannot reach the preamp.

use serde::{Deserialize, Serialize};

use super::judge::{clip_cut_db, gain_phrase, round_half_db, run_ms};
use super::preset::PresetParams;
use crate::meter::ChannelReadings;

/// How long a soundcheck listens by default (s), as interfaces' auto-gain features do.
pub const DEFAULT_LISTEN_S: f64 = 10.0;
/// Levels in the first moments of listening are skipped (s): the meter's 300 ms RMS window and
/// true-peak interpolator still hold what played before the soundcheck started.
pub const SETTLE_S: f64 = 0.3;
/// Peaks within this many dB of the target are fine as they are.
pub const OK_TOLERANCE_DB: f64 = 3.0;

/// The verdict for one channel. The snake_case names are the JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SoundcheckStatus {
    Ok,
    TurnDown,
    TurnUp,
    Clipped,
    NoSignal,
    /// Peaks and body too far apart for one gain to put the peaks at the target and keep the
    /// body well above the floor.
    TooDynamic,
}

/// The advice for one channel:
/// `{"channel": 1, "status": "turn_down", "suggested_gain_db": -9.0, "max_true_peak_dbtp": -3.0, "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoundcheckResult {
    /// Channel number, from 1.
    pub channel: usize,
    pub status: SoundcheckStatus,
    /// Preamp change that brings the peaks to the target (dB, 0.5 steps); `null` without signal.
    pub suggested_gain_db: Option<f64>,
    /// Loudest true peak heard (dBTP); `null` when nothing was heard.
    pub max_true_peak_dbtp: Option<f64>,
    pub message: String,
}

#[derive(Debug, Clone)]
struct Listener {
    index: usize,
    params: PresetParams,
    fed: bool,
    last_max_tp: f64,
    last_overs: u64,
    overs: u64,
    longest_run: u32,
    peak_dbtp: f64,
    sample_peak_dbfs: f64,
    body_rms_dbfs: f64,
}

/// One soundcheck over some channels. Feed it readings as they come; after `listen_s`
/// seconds of feeding, [`Soundcheck::results`] is the verdict.
#[derive(Debug, Clone)]
pub struct Soundcheck {
    listen_s: f64,
    sample_rate: u32,
    started_s: Option<f64>,
    listeners: Vec<Listener>,
}

impl Soundcheck {
    /// Listens to the channels given as (0-based index, parameters).
    pub fn new(channels: Vec<(usize, PresetParams)>, listen_s: f64, sample_rate: u32) -> Self {
        let listeners = channels
            .into_iter()
            .map(|(index, params)| Listener {
                index,
                params,
                fed: false,
                last_max_tp: f64::NEG_INFINITY,
                last_overs: 0,
                overs: 0,
                longest_run: 0,
                peak_dbtp: f64::NEG_INFINITY,
                sample_peak_dbfs: f64::NEG_INFINITY,
                body_rms_dbfs: f64::NEG_INFINITY,
            })
            .collect();
        Self {
            listen_s,
            sample_rate,
            started_s: None,
            listeners,
        }
    }

    /// Every channel, one parameter set per channel (index 0 is input 1).
    pub fn all(params: &[PresetParams], listen_s: f64, sample_rate: u32) -> Self {
        Self::new(
            params.iter().cloned().enumerate().collect(),
            listen_s,
            sample_rate,
        )
    }

    pub fn listen_s(&self) -> f64 {
        self.listen_s
    }

    /// Feeds channel `channel` (0-based) its readings at `now_s`. The first feed starts the
    /// clock; what the meter counted before it (overs, max peaks) does not count.
    pub fn feed(&mut self, now_s: f64, channel: usize, readings: &ChannelReadings) {
        let started = *self.started_s.get_or_insert(now_s);
        let settled = now_s - started >= SETTLE_S;
        for l in self.listeners.iter_mut().filter(|l| l.index == channel) {
            let mut tp = readings.true_peak_dbtp;
            if !l.fed {
                l.fed = true;
                l.last_overs = readings.overs;
            } else if readings.max_true_peak_dbtp > l.last_max_tp {
                tp = tp.max(readings.max_true_peak_dbtp);
            }
            l.last_max_tp = readings.max_true_peak_dbtp;
            let new_overs = if readings.overs >= l.last_overs {
                readings.overs - l.last_overs
            } else {
                readings.overs
            };
            if new_overs > 0 {
                l.longest_run = l.longest_run.max(readings.longest_clip_run);
            }
            l.overs += new_overs;
            l.last_overs = readings.overs;
            if !settled {
                continue;
            }
            l.peak_dbtp = l.peak_dbtp.max(tp);
            l.sample_peak_dbfs = l.sample_peak_dbfs.max(readings.sample_peak_dbfs);
            l.body_rms_dbfs = l.body_rms_dbfs.max(readings.rms_dbfs);
        }
    }

    /// How far through the listening (0..1).
    pub fn progress(&self, now_s: f64) -> f64 {
        match self.started_s {
            Some(t0) if self.listen_s > 0.0 => ((now_s - t0) / self.listen_s).clamp(0.0, 1.0),
            Some(_) => 1.0,
            None => 0.0,
        }
    }

    pub fn is_done(&self, now_s: f64) -> bool {
        self.progress(now_s) >= 1.0
    }

    /// The verdict per channel, in the order the channels were given. Callable any time; it
    /// judges what has been heard so far.
    pub fn results(&self) -> Vec<SoundcheckResult> {
        self.listeners
            .iter()
            .map(|l| verdict(l, self.sample_rate))
            .collect()
    }
}

fn verdict(l: &Listener, sample_rate: u32) -> SoundcheckResult {
    let ch = l.index + 1;
    let p = &l.params;
    let peak = l.peak_dbtp;
    let max_tp = peak.is_finite().then_some(peak);
    if l.sample_peak_dbfs.is_nan() || l.sample_peak_dbfs <= p.no_signal_dbfs {
        return SoundcheckResult {
            channel: ch,
            status: SoundcheckStatus::NoSignal,
            suggested_gain_db: None,
            max_true_peak_dbtp: max_tp,
            message: format!(
                "Input {ch}: nothing heard; check the cable, phantom power, mute and routing"
            ),
        };
    }
    let to_target = p.target_dbtp - peak;
    if l.overs > 0 {
        let gain = round_half_db(clip_cut_db(run_ms(l.longest_run, sample_rate)).min(to_target));
        return SoundcheckResult {
            channel: ch,
            status: SoundcheckStatus::Clipped,
            suggested_gain_db: Some(gain),
            max_true_peak_dbtp: max_tp,
            message: format!(
                "Input {ch}: clipped; {} and check again",
                gain_phrase(p.control, gain)
            ),
        };
    }
    let gain = round_half_db(to_target);
    let crest = peak - l.body_rms_dbfs;
    let (status, message) = if crest > p.max_crest_db {
        (
            SoundcheckStatus::TooDynamic,
            format!(
                "Input {ch}: peaks sit {crest:.0} dB above the body, too far apart for one gain; set for the peaks ({}) and ride or compress the rest",
                gain_phrase(p.control, gain)
            ),
        )
    } else if to_target.abs() <= OK_TOLERANCE_DB {
        (
            SoundcheckStatus::Ok,
            format!("Input {ch}: good, peaks at {peak:.1} dBTP"),
        )
    } else if to_target < 0.0 {
        (
            SoundcheckStatus::TurnDown,
            format!(
                "Input {ch}: peaks at {peak:.1} dBTP; {}",
                gain_phrase(p.control, gain)
            ),
        )
    } else {
        (
            SoundcheckStatus::TurnUp,
            format!(
                "Input {ch}: peaks at {peak:.1} dBTP; {}",
                gain_phrase(p.control, gain)
            ),
        )
    };
    SoundcheckResult {
        channel: ch,
        status,
        suggested_gain_db: Some(gain),
        max_true_peak_dbtp: max_tp,
        message,
    }
}

/// The headless output line: `{"soundcheck":[...]}`, each result's fields in the documented
/// order (a `serde_json::Value` would sort them).
pub fn json_line(results: &[SoundcheckResult]) -> String {
    // Plain structs of numbers and strings cannot fail to serialise.
    let list = serde_json::to_string(results).unwrap_or_else(|_| "[]".to_string());
    format!("{{\"soundcheck\":{list}}}")
}
