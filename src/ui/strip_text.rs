//! How big each word and number on a bridge strip is, and which form of it is shown, for a
//! strip of a given width: the header's number, name and preset, the TP and S readouts, the
//! clip light's label and the advisor's badge. Every text is made to fit its strip (a smaller
//! size, a shorter form, or a name cut with "…"), so nothing runs into its neighbour at any
//! width the bridge allows. [`StripText::boxes`] lays the texts out as the bridge's widgets
//! do, for the tests that check no two overlap.

use iced::{Point, Rectangle, Size};

/// Advance width of `c` in em, in DejaVu Sans (the sans-serif face the GUI draws with),
/// rounded up; a character not listed takes a full em, so an estimate is never short.
fn advance(c: char) -> f32 {
    match c {
        ' ' | '.' | ',' | ':' | '\'' => 0.34,
        '-' | '(' | ')' => 0.40,
        '0'..='9' | '+' => 0.64,
        'i' | 'j' | 'l' | 'I' | 'J' | '|' => 0.31,
        'f' | 't' | 'r' => 0.42,
        'm' => 0.98,
        'w' => 0.83,
        'M' => 0.87,
        'W' => 1.0,
        'a'..='z' => 0.64,
        'A'..='Z' => 0.79,
        '–' => 0.51,
        '●' | '▼' | '▲' => 0.80,
        _ => 1.0,
    }
}

/// Width of `s` set at `size` px (an upper bound for DejaVu Sans).
pub fn width(s: &str, size: f32) -> f32 {
    s.chars().map(advance).sum::<f32>() * size
}

/// `s` at `size`, cut to fit `max` px with "…" when it is wider.
pub fn ellipsize(s: &str, size: f32, max: f32) -> String {
    if width(s, size) <= max {
        return s.to_string();
    }
    let room = max - width("…", size);
    let mut used = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        used += advance(c) * size;
        if used > room {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end();
    if out.is_empty() {
        // Not even one letter fits: the strip shows nothing rather than spill.
        return String::new();
    }
    format!("{out}…")
}

/// `base`, or smaller so that `s` fits `max` px.
pub fn fit_size(s: &str, base: f32, max: f32) -> f32 {
    let w = width(s, 1.0);
    if w <= 0.0 {
        base
    } else {
        base.min(max / w).max(1.0)
    }
}

/// A line of text takes this many times its size in height (iced's default line height).
pub const LINE: f32 = 1.3;
/// Padding inside a header button and a badge (px, each side).
pub const PAD: f32 = 3.0;
/// Vertical space between the footer's rows (px).
pub const FOOTER_SPACING: f32 = 3.0;
/// The widest readout value: `strips::db_text` of a level below -100.
pub const WIDEST_VALUE: &str = "-100.0";
/// Space kept between a readout's label and its value on one line (px).
const READOUT_GAP: f32 = 6.0;
/// The largest the readouts get: read from a few metres on a wide strip.
const MAX_READOUT: f32 = 28.0;
/// The clip light's words are no larger than this: on a wide strip "no clip" / "CLIP 3" fit
/// in words rather than going down to the bare count.
const MAX_CLIP: f32 = 15.0;
/// Below this a label beside its value gets too small to read: the label goes above.
const MIN_INLINE_READOUT: f32 = 15.0;

/// Sizes and forms of a strip's texts at one strip width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StripText {
    /// The strip's width (px).
    pub strip: f32,
    /// Room for a text inside a padded widget of the strip.
    pub inner: f32,
    /// The header's number and name.
    pub font: f32,
    /// The header's preset and the readouts' labels.
    pub small: f32,
    /// The readouts' values.
    pub readout: f32,
    /// Label and value on one line; else the label above its value.
    pub inline: bool,
    /// Short forms: the clip count without "CLIP", the compact badge.
    pub compact: bool,
}

impl StripText {
    pub fn for_width(strip: f32) -> StripText {
        let inner = (strip - 2.0 * PAD).max(1.0);
        let font = (strip / 4.0).clamp(11.0, 20.0);
        let small = (font - 2.0).max(10.0);
        // Inline: "TP" at 0.7 of the value's size, the gap, then the widest value.
        let per_px = width("TP", 0.7) + width(WIDEST_VALUE, 1.0);
        let inline_size = ((inner - READOUT_GAP) / per_px).min(MAX_READOUT);
        let (readout, inline) = if inline_size >= MIN_INLINE_READOUT {
            (inline_size, true)
        } else {
            ((inner / width(WIDEST_VALUE, 1.0)).min(MAX_READOUT), false)
        };
        StripText {
            strip,
            inner,
            font,
            small,
            readout,
            inline,
            compact: width("CLIP 999", font.min(MAX_CLIP)) > inner,
        }
    }

    /// Size of a readout's label ("TP", "S").
    pub fn label_size(&self) -> f32 {
        if self.inline {
            (self.readout * 0.7).min(self.inner / width("TP", 1.0))
        } else {
            self.small.min(self.inner / width("TP", 1.0))
        }
    }

    /// The clip light's words: "no clip" / "CLIP 3", or "–" / "3" on a narrow strip.
    pub fn clip_label(&self, overs: u64) -> String {
        match (overs, self.compact) {
            (0, false) => "no clip".to_string(),
            (0, true) => "–".to_string(),
            (n, false) => format!("CLIP {n}"),
            (n, true) => n.to_string(),
        }
    }

    /// The clip light's type size for `label`.
    pub fn clip_size(&self, label: &str) -> f32 {
        fit_size(label, self.font.min(MAX_CLIP), self.inner - 2.0 * PAD)
    }

    /// The badge's type size (also the height it keeps when there is none).
    pub fn badge_size(&self) -> f32 {
        self.font + 2.0
    }

    /// Height of the badge's row, with or without a badge.
    pub fn badge_height(&self) -> f32 {
        self.badge_size() * LINE + 2.0 * PAD
    }

    /// Which badge text fits: the long one when it does, else the short one, and its size.
    pub fn badge<'s>(&self, long: &'s str, short: &'s str) -> (&'s str, f32) {
        let s = if self.compact || width(long, self.badge_size()) > self.inner {
            short
        } else {
            long
        };
        (s, fit_size(s, self.badge_size(), self.inner))
    }

    /// The texts of one strip at `x` as the bridge lays them out: header (number, name,
    /// preset), then from `footer_top` the TP and S readouts, the clip light and the badge.
    /// Each box is as wide as [`width`] says the text is, where its widget puts it.
    pub fn boxes(&self, x: f32, footer_top: f32, texts: &StripTexts<'_>) -> Vec<Rectangle> {
        let mut out = Vec::new();
        let mut at = |left: f32, y: f32, s: &str, size: f32| {
            if !s.is_empty() {
                out.push(Rectangle::new(
                    Point::new(left, y),
                    Size::new(width(s, size), size * LINE),
                ));
            }
        };
        // Header: a column of three lines in a button padded by PAD, one pixel apart.
        let mut y = PAD;
        let name = ellipsize(texts.name, self.font, self.inner);
        let preset = ellipsize(texts.preset, self.small, self.inner);
        for (s, size) in [
            (texts.number, self.font),
            (name.as_str(), self.font),
            (preset.as_str(), self.small),
        ] {
            at(x + PAD, y, s, size);
            y += size * LINE + 1.0;
        }
        // Footer: the readouts fill the strip's padded width, label left and value right.
        let mut y = footer_top;
        let label = self.label_size();
        for (l, v) in [("TP", texts.true_peak), ("S", texts.short_term)] {
            let right = x + self.strip - PAD - width(v, self.readout);
            if self.inline {
                at(x + PAD, y, l, label);
                at(right, y, v, self.readout);
                y += self.readout.max(label) * LINE + FOOTER_SPACING;
            } else {
                at(x + PAD, y, l, label);
                at(right, y + label * LINE, v, self.readout);
                y += (label + self.readout) * LINE + FOOTER_SPACING;
            }
        }
        // The clip light: its label centred in a button padded by PAD on each side.
        let clip = self.clip_label(texts.overs);
        let size = self.clip_size(&clip);
        let w = width(&clip, size);
        at(x + (self.strip - w) / 2.0, y + PAD, &clip, size);
        y += size.max(self.font) * LINE + 2.0 * PAD + FOOTER_SPACING;
        let (badge, size) = self.badge(texts.badge, texts.compact_badge);
        let w = width(badge, size);
        at(x + (self.strip - w) / 2.0, y + PAD, badge, size);
        out
    }
}

/// What one strip says, for [`StripText::boxes`].
#[derive(Debug, Clone, Copy)]
pub struct StripTexts<'a> {
    pub number: &'a str,
    pub name: &'a str,
    pub preset: &'a str,
    pub true_peak: &'a str,
    pub short_term: &'a str,
    pub overs: u64,
    pub badge: &'a str,
    pub compact_badge: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_name_is_cut_with_an_ellipsis_and_fits() {
        let cut = ellipsize("Overhead left condenser", 14.0, 60.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(width(&cut, 14.0) <= 60.0, "{cut}");
        assert!(cut.len() > "…".len(), "{cut}");
        assert_eq!(ellipsize("Kick", 14.0, 60.0), "Kick");
    }

    #[test]
    fn readouts_go_inline_only_when_label_and_value_fit_side_by_side() {
        let narrow = StripText::for_width(56.0);
        assert!(!narrow.inline);
        let wide = StripText::for_width(200.0);
        assert!(wide.inline);
        assert!(
            width("TP", wide.label_size()) + READOUT_GAP + width(WIDEST_VALUE, wide.readout)
                <= wide.inner
        );
    }
}
