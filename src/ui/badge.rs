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

/// The full badge, "▼ 7 dB", "HPF", "NO SIGNAL": the library's rule, which the remote pages
/// show too.
pub use crate::advisor::words::badge;

/// The library's, so the remote performer page judges the same.
pub use crate::advisor::words::Verdict;

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
        use crate::advisor::performer_word as word;
        assert_eq!(word(&[], true), "CLIP");
        assert_eq!(word(&[w(WarningKind::Hot, Some(-3.0))], false), "HOT");
        assert_eq!(word(&[], false), "GOOD");
    }
}
