//! The checks themselves, over a summary of what a channel did ([`Evidence`]). Whole takes
//! ([`judge_take`]) and the live advisor build that summary from different windows and share
//! these rules, so a take and a live session can never disagree about what "hot" means.

use super::preset::{GainControl, PresetParams};
use super::warning::{Warning, WarningKind};
use crate::meter::ChannelReadings;

/// How far the body of a signal (its typical level) must sit above the quietest 10 % of it
/// before that 10 % is a floor between phrases rather than the performance itself (dB). A
/// sustained tone, pad or drone has its floor right at its body and is never "noisy". The body
/// is a typical level, not the loudest moment: a loud burst followed by a steady part would
/// otherwise make the steady part look like a floor under the burst.
pub const NOISE_GAP_DB: f64 = 15.0;

/// Peaks must stand this far above the noise floor before a channel counts as carrying a
/// performance that could be "low" (dB). An idle mic between songs has peaks about 13 dB over
/// its own hiss, and must not be told to turn up 40 dB.
pub const PRESENCE_OVER_FLOOR_DB: f64 = 20.0;

/// Below this 300 ms RMS (dBFS) there is too little signal for a rumble share to mean much.
pub const RUMBLE_MIN_RMS_DBFS: f64 = -60.0;

/// Every clip costs at least this much gain: once clipped, the true level is unknown (dB).
pub const CLIP_MIN_CUT_DB: f64 = 6.0;
/// At most this much more for long clipped runs (dB).
pub const CLIP_MAX_EXTRA_DB: f64 = 12.0;
/// Clipped runs up to this long (ms) are a peak just touching full scale.
pub const CLIP_SHORT_RUN_MS: f64 = 0.1;

/// What the checks look at: one channel over one span (a whole take, or a live window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Channel number, from 1 (used in messages).
    pub channel: usize,
    /// Overs in the span.
    pub overs: u64,
    /// Longest clipped run (ms).
    pub longest_clip_run_ms: f64,
    /// Max true peak (dBTP).
    pub peak_dbtp: f64,
    /// Max sample peak (dBFS), what `no_signal` looks at.
    pub sample_peak_dbfs: f64,
    /// Signed DC offset (linear full scale).
    pub dc_offset: f64,
    /// Share of energy below 40 Hz (0..1), DC included.
    pub low_band_share: f64,
    /// Mean square level the share refers to (dBFS), to take the DC back out of it.
    pub rms_dbfs: f64,
    /// The body: the signal's typical level (dBFS). Whole takes: RMS of the take; live: the
    /// median of the recent quarter-second levels.
    pub body_rms_dbfs: f64,
    /// Noise floor: 10th percentile of 50 ms RMS (dBFS).
    pub noise_floor_dbfs: f64,
    /// The programme this channel carries part of (a mix bus's or master's stereo pair): its
    /// highest recent short-term loudness (LUFS); `-inf` where no programme is judged.
    pub programme_short_term_lufs: f64,
    /// The programme's first and last input (from 1), for messages.
    pub programme_inputs: (usize, usize),
}

impl Evidence {
    /// A whole take, from the since-reset readings.
    pub fn from_take(channel: usize, r: &ChannelReadings, sample_rate: u32) -> Self {
        Self {
            channel,
            overs: r.overs,
            longest_clip_run_ms: run_ms(r.longest_clip_run, sample_rate),
            peak_dbtp: r.max_true_peak_dbtp,
            sample_peak_dbfs: r.max_sample_peak_dbfs,
            dc_offset: r.total_dc_offset,
            low_band_share: r.total_low_band_share,
            rms_dbfs: r.total_rms_dbfs,
            body_rms_dbfs: r.total_rms_dbfs,
            noise_floor_dbfs: r.total_noise_floor_dbfs,
            // A whole programme's loudness is judged from the file itself, with every channel
            // summed (`analyze --stage mix|master`), not from one channel's take.
            programme_short_term_lufs: f64::NEG_INFINITY,
            programme_inputs: (channel, channel),
        }
    }

    /// The noise floor with the DC taken out: an offset lifts every 50 ms RMS equally and is
    /// its own warning, not noise.
    pub fn noise_floor_without_dc(&self) -> f64 {
        let floor = 10f64.powf(self.noise_floor_dbfs / 10.0);
        let ac = floor - self.dc_offset * self.dc_offset;
        if ac > 0.0 {
            10.0 * ac.log10()
        } else {
            f64::NEG_INFINITY
        }
    }

    /// Share of the energy below 40 Hz once the DC is taken out: a lowpass passes DC, and an
    /// offset is its own warning, not rumble.
    pub fn rumble_share(&self) -> f64 {
        let total = 10f64.powf(self.rms_dbfs / 10.0);
        if total.is_nan() || total <= 0.0 || !total.is_finite() {
            return 0.0;
        }
        let dc = (self.dc_offset * self.dc_offset).min(total);
        let ac = total - dc;
        if ac <= total * 1e-6 {
            return 0.0;
        }
        ((self.low_band_share * total - dc) / ac).clamp(0.0, 1.0)
    }
}

/// Clipped run length in ms.
pub fn run_ms(samples: u32, sample_rate: u32) -> f64 {
    f64::from(samples) * 1000.0 / f64::from(sample_rate.max(1))
}

/// Rounded to the 0.5 dB a preamp knob can be set to by eye.
pub fn round_half_db(db: f64) -> f64 {
    let r = (db * 2.0).round() / 2.0;
    if r == 0.0 { 0.0 } else { r }
}

/// A cut rounded down to the 0.5 dB a fader is set to by eye, so the fix always suffices.
pub fn cut_to_half_db(db: f64) -> f64 {
    round_half_db(settle(db * 2.0).floor() / 2.0)
}

/// `x` without the last bits of float noise, so an exact step is not floored past itself.
pub(super) fn settle(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Gain cut after clipping: 6 dB, plus 3 dB per doubling of the longest clipped run beyond a
/// touch of full scale, because a longer flat top means the waveform wanted to go further.
pub fn clip_cut_db(longest_run_ms: f64) -> f64 {
    let extra = if longest_run_ms > CLIP_SHORT_RUN_MS {
        (3.0 * (longest_run_ms / CLIP_SHORT_RUN_MS).log2()).min(CLIP_MAX_EXTRA_DB)
    } else {
        0.0
    };
    -(CLIP_MIN_CUT_DB + extra)
}

/// "turn the preamp down about 7 dB" for -7.0 with the preamp; the mix bus is pulled down,
/// the master output turned down.
pub fn gain_phrase(control: GainControl, gain_db: f64) -> String {
    let mag = gain_db.abs();
    let amount = if mag.fract() == 0.0 {
        format!("{mag:.0}")
    } else {
        format!("{mag:.1}")
    };
    let (verb, what) = match control {
        GainControl::Preamp => ("turn", "the preamp"),
        GainControl::MixBus => ("pull", "the mix bus"),
        GainControl::MasterOutput => ("turn", "the master output"),
    };
    let way = if gain_db < 0.0 { "down" } else { "up" };
    format!("{verb} {what} {way} about {amount} dB")
}

/// Level shifts that make a check easier to keep than to raise; zero for whole takes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Slack {
    /// dB a level check may fall back across its threshold and still hold.
    pub level_db: f64,
    /// How much the rumble share may fall below its threshold and still hold.
    pub share: f64,
}

/// Judges one kind. `slack` relaxes the thresholds for a warning already raised.
pub fn check(kind: WarningKind, e: &Evidence, p: &PresetParams, slack: Slack) -> Option<Warning> {
    let ch = e.channel;
    let has_signal = e.sample_peak_dbfs > p.no_signal_dbfs;
    let performing = has_signal
        && (!e.noise_floor_dbfs.is_finite()
            || e.peak_dbtp - e.noise_floor_dbfs >= PRESENCE_OVER_FLOOR_DB);
    match kind {
        WarningKind::Clip => (e.overs > 0).then(|| {
            let mut gain = clip_cut_db(e.longest_clip_run_ms);
            if e.peak_dbtp.is_finite() {
                gain = gain.min(p.target_dbtp - e.peak_dbtp);
            }
            let gain = round_half_db(gain);
            let overs = if e.overs == 1 {
                "1 over".to_string()
            } else {
                format!("{} overs", e.overs)
            };
            warn(
                kind,
                format!(
                    "Input {ch}: clipped ({overs}); {} and redo the take",
                    gain_phrase(p.control, gain)
                ),
                Some(gain),
            )
        }),
        WarningKind::Hot => (p.check_hot && e.peak_dbtp > p.hot_dbtp - slack.level_db).then(|| {
            let gain = round_half_db(p.target_dbtp - e.peak_dbtp);
            warn(
                kind,
                format!(
                    "Input {ch}: peaks reach {:.1} dBTP, under {:.0} dB headroom; {}",
                    e.peak_dbtp,
                    -p.hot_dbtp,
                    gain_phrase(p.control, gain)
                ),
                Some(gain),
            )
        }),
        WarningKind::Low => {
            (p.check_low && performing && e.peak_dbtp < p.low_dbtp + slack.level_db).then(|| {
                let gain = round_half_db(p.target_dbtp - e.peak_dbtp);
                warn(
                    kind,
                    format!(
                        "Input {ch}: peaks only reach {:.1} dBTP; {}",
                        e.peak_dbtp,
                        gain_phrase(p.control, gain)
                    ),
                    Some(gain),
                )
            })
        }
        WarningKind::Loud => {
            let lufs = e.programme_short_term_lufs;
            let loudest_allowed = p.hot_dbtp - p.loud_gap_db;
            (p.check_loud && lufs.is_finite() && lufs > loudest_allowed - slack.level_db)
                .then(|| loud(ch, e.programme_inputs, lufs, loudest_allowed, p))
        }
        WarningKind::NoSignal => {
            (e.sample_peak_dbfs <= p.no_signal_dbfs + slack.level_db).then(|| {
                warn(
                    kind,
                    format!(
                        "Input {ch}: no signal; check the cable, phantom power, mute and routing"
                    ),
                    None,
                )
            })
        }
        WarningKind::DcOffset => {
            let dc_db = 20.0 * e.dc_offset.abs().log10();
            (p.check_dc && dc_db > p.dc_dbfs - slack.level_db).then(|| {
                warn(
                    kind,
                    format!(
                        "Input {ch}: DC offset at {dc_db:.1} dBFS; check the source or the converter"
                    ),
                    None,
                )
            })
        }
        WarningKind::Rumble => {
            let share = e.rumble_share();
            (p.check_rumble
                && e.rms_dbfs > RUMBLE_MIN_RMS_DBFS
                && share >= p.rumble_share - slack.share)
                .then(|| {
                    warn(
                        kind,
                        format!(
                            "Input {ch}: {:.0} % of the energy is below 40 Hz; engage the preamp's high-pass filter",
                            share * 100.0
                        ),
                        None,
                    )
                })
        }
        WarningKind::Noisy => {
            let floor = e.noise_floor_without_dc();
            (p.check_noisy
                && floor.is_finite()
                && floor > p.noisy_dbfs - slack.level_db
                && floor < e.body_rms_dbfs - NOISE_GAP_DB + slack.level_db)
                .then(|| {
                    warn(
                        kind,
                        format!(
                            "Input {ch}: noise floor between phrases at {floor:.0} dBFS; look for hum, buzz or a noisy preamp, or gain set high on a quiet source"
                        ),
                        None,
                    )
                })
        }
    }
}

/// A programme limited so hard that its loudness crowds the ceiling. A mix is pulled down
/// until its loudest 3 s leave the gap (peaks follow, as a fader moves both); a master's
/// peaks are already at the ceiling, so turning it down only hides the limiting.
fn loud(
    ch: usize,
    inputs: (usize, usize),
    lufs: f64,
    loudest_allowed: f64,
    p: &PresetParams,
) -> Warning {
    let programme = match inputs {
        (a, b) if a == b => format!("input {a}"),
        (a, b) => format!("inputs {a}-{b}"),
    };
    let left = p.hot_dbtp - lufs;
    let reading = format!(
        "reaches {lufs:.1} LUFS short-term, {left:.1} dB under the {:.1} dBTP ceiling",
        p.hot_dbtp
    );
    match p.control {
        GainControl::MasterOutput => warn(
            WarningKind::Loud,
            format!(
                "Input {ch}: the master ({programme}) {reading}; limited hard (keep {:.0} dB): every platform turns it down to its level, so ease the limiter",
                p.loud_gap_db
            ),
            None,
        ),
        _ => {
            let gain = cut_to_half_db(loudest_allowed - lufs).min(-0.5);
            warn(
                WarningKind::Loud,
                format!(
                    "Input {ch}: the mix ({programme}) {reading} (mastering wants {:.0} dB); {} or ease the bus limiting",
                    p.loud_gap_db,
                    gain_phrase(p.control, gain)
                ),
                Some(gain),
            )
        }
    }
}

fn warn(kind: WarningKind, message: String, suggested_gain_db: Option<f64>) -> Warning {
    Warning {
        kind,
        message,
        suggested_gain_db,
    }
}

/// Every kind in the order warnings are listed: the most urgent first.
pub const ALL_KINDS: [WarningKind; 8] = [
    WarningKind::Clip,
    WarningKind::NoSignal,
    WarningKind::Hot,
    WarningKind::Loud,
    WarningKind::Low,
    WarningKind::DcOffset,
    WarningKind::Rumble,
    WarningKind::Noisy,
];

/// Kinds that say nothing new next to a stronger one: a clip already asks for the cut `hot`
/// would, and a silent channel has no level to call low.
pub fn is_redundant(kind: WarningKind, raised: &[Warning]) -> bool {
    let has = |k| raised.iter().any(|w| w.kind == k);
    match kind {
        WarningKind::Hot => has(WarningKind::Clip),
        WarningKind::Low | WarningKind::Noisy | WarningKind::Rumble | WarningKind::Loud => {
            has(WarningKind::NoSignal)
        }
        _ => false,
    }
}

/// Judges one whole take: every warning that applies, most urgent first.
pub fn judge_evidence(e: &Evidence, params: &PresetParams) -> Vec<Warning> {
    let mut out: Vec<Warning> = Vec::new();
    for kind in ALL_KINDS {
        if is_redundant(kind, &out) {
            continue;
        }
        if let Some(w) = check(kind, e, params, Slack::default()) {
            out.push(w);
        }
    }
    out
}

/// Judges a recorded take from its since-reset readings (what `analyze` reports).
pub fn judge_take(
    channel_number: usize,
    readings: &ChannelReadings,
    params: &PresetParams,
    sample_rate: u32,
) -> Vec<Warning> {
    if readings.frames == 0 {
        return Vec::new();
    }
    judge_evidence(
        &Evidence::from_take(channel_number, readings, sample_rate),
        params,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_to_half_db() {
        assert_eq!(round_half_db(-6.74), -6.5);
        assert_eq!(round_half_db(-6.76), -7.0);
        assert_eq!(round_half_db(-0.1), 0.0);
    }

    #[test]
    fn clip_cut_grows_with_run_length() {
        assert_eq!(clip_cut_db(0.02), -6.0);
        assert_eq!(clip_cut_db(0.4), -12.0);
        assert_eq!(clip_cut_db(100.0), -18.0);
    }

    #[test]
    fn phrases_name_the_amount() {
        assert_eq!(
            gain_phrase(GainControl::Preamp, -7.0),
            "turn the preamp down about 7 dB"
        );
        assert_eq!(
            gain_phrase(GainControl::Preamp, 4.5),
            "turn the preamp up about 4.5 dB"
        );
        assert_eq!(
            gain_phrase(GainControl::MixBus, -2.5),
            "pull the mix bus down about 2.5 dB"
        );
    }

    #[test]
    fn dc_is_not_rumble() {
        let e = Evidence {
            channel: 1,
            overs: 0,
            longest_clip_run_ms: 0.0,
            peak_dbtp: -12.0,
            sample_peak_dbfs: -12.0,
            dc_offset: 0.05,
            low_band_share: 0.1,
            rms_dbfs: 10.0 * (0.05f64 * 0.05 / 0.1).log10(),
            body_rms_dbfs: -20.0,
            noise_floor_dbfs: -90.0,
            programme_short_term_lufs: f64::NEG_INFINITY,
            programme_inputs: (1, 1),
        };
        assert!(e.rumble_share() < 1e-9);
    }
}
