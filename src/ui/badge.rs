//! The short form of a warning that fits on a strip: the action, not the diagnosis.

use crate::advisor::{Warning, WarningKind};

/// The badge for a narrow strip: the same action in fewer characters ("▼7", "NO SIG").
pub fn compact_badge(w: &Warning) -> String {
    match (w.kind, w.suggested_gain_db) {
        (WarningKind::NoSignal, _) => "NO SIG".into(),
        (_, Some(db)) if db != 0.0 => badge(w).replace(" dB", "").replace(' ', ""),
        _ => badge(w),
    }
}

/// "▼ 7 dB", "▲ 6 dB", "HPF", "NO SIGNAL", ...
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
    }
}

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

/// One word for a performer across the room.
pub fn word(warnings: &[Warning], clipped: bool) -> &'static str {
    Verdict::of(warnings, clipped).word()
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

    fn w(kind: WarningKind, gain: Option<f64>) -> Warning {
        Warning {
            kind,
            message: String::new(),
            suggested_gain_db: gain,
        }
    }

    #[test]
    fn badges_name_the_action() {
        assert_eq!(badge(&w(WarningKind::Hot, Some(-7.0))), "▼ 7 dB");
        assert_eq!(badge(&w(WarningKind::Low, Some(6.5))), "▲ 6.5 dB");
        assert_eq!(badge(&w(WarningKind::Rumble, None)), "HPF");
        assert_eq!(badge(&w(WarningKind::NoSignal, None)), "NO SIGNAL");
        assert_eq!(compact_badge(&w(WarningKind::Hot, Some(-9.5))), "▼9.5");
        assert_eq!(compact_badge(&w(WarningKind::NoSignal, None)), "NO SIG");
    }

    #[test]
    fn performer_word_puts_clip_first() {
        assert_eq!(word(&[], true), "CLIP");
        assert_eq!(word(&[w(WarningKind::Hot, Some(-3.0))], false), "HOT");
        assert_eq!(word(&[], false), "GOOD");
    }
}
