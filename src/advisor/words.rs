//! What a view shows for a channel at a glance: the performer's one word, a strip's zone and a
//! warning's badge. Pure rules, shared by the GUI and the remote views so both say the same.

use crate::advisor::{Warning, WarningKind};
use crate::meter::ChannelReadings;

/// Where a channel stands for a performer: the advisor's judgement (with its hysteresis)
/// and the latched clip. The performer's word and the colour of everything under it come
/// from this one state, so they can never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Clip,
    Hot,
    Low,
    NoSignal,
    Good,
}

impl Verdict {
    /// An over since the last reset wins over every warning.
    pub fn of(warnings: &[Warning], clipped: bool) -> Verdict {
        if clipped {
            return Verdict::Clip;
        }
        match warnings.first().map(|w| w.kind) {
            Some(WarningKind::Clip) => Verdict::Clip,
            Some(WarningKind::Hot) => Verdict::Hot,
            Some(WarningKind::Low) => Verdict::Low,
            Some(WarningKind::NoSignal) => Verdict::NoSignal,
            _ => Verdict::Good,
        }
    }

    /// One word for a performer across the room.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Clip => "CLIP",
            Verdict::Hot => "HOT",
            Verdict::Low => "LOW",
            Verdict::NoSignal => "NO SIGNAL",
            Verdict::Good => "GOOD",
        }
    }
}

/// The performer's word: GOOD, HOT, CLIP, LOW or NO SIGNAL.
pub fn performer_word(warnings: &[Warning], clipped: bool) -> &'static str {
    Verdict::of(warnings, clipped).word()
}

/// Where a channel stands, most urgent first: the colour of its whole strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StripZone {
    /// An over since the last reset: latched until the engineer resets it.
    Clip,
    /// Falling true peak above the preset's hot threshold.
    Hot,
    /// Anything else.
    Good,
}

impl StripZone {
    /// Where a channel stands against its preset's hot level (dBTP).
    pub fn of(r: &ChannelReadings, hot_dbtp: f64) -> StripZone {
        if r.overs > 0 {
            StripZone::Clip
        } else if r.falling_true_peak_dbtp > hot_dbtp {
            StripZone::Hot
        } else {
            StripZone::Good
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StripZone::Clip => "clip",
            StripZone::Hot => "hot",
            StripZone::Good => "good",
        }
    }
}

/// "▼ 7 dB", "▲ 6 dB", "HPF", "NO SIGNAL", ...: the action, not the diagnosis.
pub fn badge(w: &Warning) -> String {
    match (w.kind, w.suggested_gain_db) {
        (WarningKind::NoSignal, _) => "NO SIGNAL".into(),
        (WarningKind::Rumble, _) => "HPF".into(),
        (WarningKind::DcOffset, _) => "DC".into(),
        (WarningKind::Noisy, _) => "NOISE".into(),
        (_, Some(db)) if db < 0.0 => format!("▼ {} dB", trim(-db)),
        (_, Some(db)) if db > 0.0 => format!("▲ {} dB", trim(db)),
        (WarningKind::Clip, _) => "CLIP".into(),
        (WarningKind::Hot, _) => "HOT".into(),
        (WarningKind::Low, _) => "LOW".into(),
        (WarningKind::Loud, _) => "LIMITED".into(),
    }
}

fn trim(db: f64) -> String {
    if db.fract() == 0.0 {
        format!("{db:.0}")
    } else {
        format!("{db:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(kind: WarningKind) -> Warning {
        Warning {
            kind,
            message: String::new(),
            suggested_gain_db: None,
        }
    }

    #[test]
    fn an_over_outranks_every_warning() {
        assert_eq!(performer_word(&[w(WarningKind::Low)], true), "CLIP");
        assert_eq!(performer_word(&[w(WarningKind::Hot)], false), "HOT");
        assert_eq!(
            performer_word(&[w(WarningKind::NoSignal)], false),
            "NO SIGNAL"
        );
        assert_eq!(performer_word(&[w(WarningKind::Rumble)], false), "GOOD");
        assert_eq!(performer_word(&[], false), "GOOD");
    }

    #[test]
    fn zone_latches_red_on_an_over_and_amber_above_hot() {
        let meter =
            crate::meter::ChannelMeter::new(48_000, &crate::meter::MeterConfig::default()).unwrap();
        let mut r = meter.readings();
        r.falling_true_peak_dbtp = -3.0;
        assert_eq!(StripZone::of(&r, -6.0), StripZone::Hot);
        assert_eq!(StripZone::of(&r, -2.0), StripZone::Good);
        r.overs = 1;
        assert_eq!(StripZone::of(&r, -2.0), StripZone::Clip);
    }
}
