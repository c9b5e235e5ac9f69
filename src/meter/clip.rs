//! Exact clip and over counting, and the rule for what counts as a clip.
//!
//! Used both inside each channel meter and, for live capture, in the audio callback itself, so
//! that counts stay exact even when frames are later dropped on the way to the meter thread.
//!
//! Two rules, chosen by the source's sample format ([`ClipRule::for_format`]):
//! - integer samples clip at the format's full-scale codes, which conversion maps to exactly
//!   ±1.0 (`meter::sample`), so the threshold is 1.0;
//! - float samples clip at a level just below full scale. A sound server's float stream is an
//!   integer converter divided by 2^(bits-1) (PipeWire's audioconvert: 16-bit codes by 32768,
//!   24-bit by 8388608), so the positive full-scale code arrives as 0.99997 or 0.99999988 and
//!   never reaches 1.0: a `>= 1.0` test would miss every positive clip behind PipeWire,
//!   PulseAudio or ALSA's `plug`. One 16-bit step below full scale catches both converters on
//!   both polarities.

use serde::{Deserialize, Serialize};

use super::sample::is_clip_at;

/// Default clip level for float streams: one 16-bit step below full scale, 1 − 2^-15
/// (about -0.00027 dBFS). Exactly representable in `f32`.
pub const DEFAULT_FLOAT_CLIP_LEVEL: f32 = 1.0 - 1.0 / 32768.0;

/// Range a float clip level may be set in (dBFS): from full scale down to an early warning.
pub const FLOAT_CLIP_LEVEL_RANGE_DBFS: std::ops::RangeInclusive<f64> = -6.0..=0.0;

/// [`DEFAULT_FLOAT_CLIP_LEVEL`] in dBFS.
pub fn default_float_clip_level_dbfs() -> f64 {
    20.0 * f64::from(DEFAULT_FLOAT_CLIP_LEVEL).log10()
}

/// A float clip level clamped to [`FLOAT_CLIP_LEVEL_RANGE_DBFS`]; NaN is the default level.
pub fn sane_float_level_dbfs(level_dbfs: f64) -> f64 {
    if level_dbfs.is_nan() {
        default_float_clip_level_dbfs()
    } else {
        level_dbfs.clamp(
            *FLOAT_CLIP_LEVEL_RANGE_DBFS.start(),
            *FLOAT_CLIP_LEVEL_RANGE_DBFS.end(),
        )
    }
}

/// Which samples count as clipped; the same rule drives clip and over counts, the clip light
/// and the advisor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ClipRule {
    /// Integer samples: only the format's most positive and most negative codes.
    #[default]
    FullScaleCode,
    /// Float samples: |x| at or above `level_dbfs`.
    FloatLevel { level_dbfs: f64 },
}

impl ClipRule {
    /// The rule for a source: integer formats keep exact full-scale codes, float formats get
    /// `float_level_dbfs` (clamped to [`FLOAT_CLIP_LEVEL_RANGE_DBFS`]; NaN means the default).
    pub fn for_format(is_float: bool, float_level_dbfs: f64) -> Self {
        if is_float {
            Self::FloatLevel {
                level_dbfs: sane_float_level_dbfs(float_level_dbfs),
            }
        } else {
            Self::FullScaleCode
        }
    }

    /// The linear magnitude at or above which a converted sample is a clip.
    pub fn threshold(&self) -> f32 {
        match *self {
            Self::FullScaleCode => 1.0,
            Self::FloatLevel { level_dbfs } => float_threshold(level_dbfs),
        }
    }

    /// One line for people: "full-scale codes" or "float at or above -0.0003 dBFS".
    pub fn describe(&self) -> String {
        match *self {
            Self::FullScaleCode => "full-scale codes (integer samples)".into(),
            Self::FloatLevel { level_dbfs } => {
                format!("float samples at or above {level_dbfs:.4} dBFS")
            }
        }
    }
}

/// A float clip level in dBFS as the linear threshold (never above full scale). The default
/// level's dBFS value maps back to exactly 1 − 2^-15: the f64 round trip is off by ~1e-16,
/// far inside half an f32 step (3e-8) there.
pub fn float_threshold(level_dbfs: f64) -> f32 {
    (10f64.powf(level_dbfs / 20.0) as f32).min(1.0)
}

/// Counts clipped samples and overs (runs of at least `over_len` consecutive clipped samples)
/// for one channel. A run longer than `over_len` is still one over.
#[derive(Debug, Clone)]
pub struct OverCounter {
    /// Consecutive clipped samples that make one over (1..=20).
    over_len: u32,
    /// Linear magnitude at or above which a sample is clipped ([`ClipRule::threshold`]).
    level: f32,
    /// Length of the clipped run that ends at the latest sample (samples).
    run: u32,
    /// Clipped samples since reset.
    clipped: u64,
    /// Overs since reset.
    overs: u64,
    /// Longest clipped run since reset (samples); the advisor asks for more gain cut when long.
    longest_run: u32,
}

/// Allowed range for the over length, as in RME DIGICheck.
pub const OVER_LEN_RANGE: std::ops::RangeInclusive<u32> = 1..=20;

impl OverCounter {
    /// `over_len` is clamped to [`OVER_LEN_RANGE`]; `level` is the clip threshold
    /// ([`ClipRule::threshold`]).
    pub fn new(over_len: u32, level: f32) -> Self {
        Self {
            over_len: over_len.clamp(*OVER_LEN_RANGE.start(), *OVER_LEN_RANGE.end()),
            level,
            run: 0,
            clipped: 0,
            overs: 0,
            longest_run: 0,
        }
    }

    /// Feeds one converted sample.
    #[inline]
    pub fn push(&mut self, x: f32) {
        if is_clip_at(x, self.level) {
            self.clipped += 1;
            self.run = self.run.saturating_add(1);
            if self.run == self.over_len {
                self.overs += 1;
            }
            self.longest_run = self.longest_run.max(self.run);
        } else {
            self.run = 0;
        }
    }

    /// Feeds a block of one channel's samples.
    #[inline]
    pub fn push_block(&mut self, block: &[f32]) {
        for &x in block {
            self.push(x);
        }
    }

    pub fn clipped_samples(&self) -> u64 {
        self.clipped
    }
    pub fn overs(&self) -> u64 {
        self.overs
    }
    pub fn longest_run(&self) -> u32 {
        self.longest_run
    }
    pub fn over_len(&self) -> u32 {
        self.over_len
    }
    pub fn level(&self) -> f32 {
        self.level
    }

    /// Changes the clip threshold, keeping the counts (the callback learns its sample type
    /// only when the first block arrives).
    pub fn set_level(&mut self, level: f32) {
        self.level = level;
    }

    pub fn reset(&mut self) {
        *self = Self::new(self.over_len, self.level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolated_clips_are_one_over_each_at_default_length() {
        let mut c = OverCounter::new(1, 1.0);
        c.push_block(&[0.0, 1.0, 0.0, -1.0, 0.5, 1.0, 1.0, 1.0, 0.0]);
        assert_eq!(c.clipped_samples(), 5);
        assert_eq!(c.overs(), 3);
        assert_eq!(c.longest_run(), 3);
    }

    #[test]
    fn over_needs_the_configured_run_length() {
        let mut c = OverCounter::new(3, 1.0);
        c.push_block(&[1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, -1.0, -1.0, -1.0]);
        assert_eq!(c.clipped_samples(), 9);
        assert_eq!(c.overs(), 2);
    }

    #[test]
    fn runs_continue_across_blocks() {
        let mut c = OverCounter::new(2, 1.0);
        c.push_block(&[0.0, 1.0]);
        c.push_block(&[1.0, 0.0]);
        assert_eq!(c.overs(), 1);
    }

    #[test]
    fn over_length_is_clamped() {
        assert_eq!(OverCounter::new(0, 1.0).over_len(), 1);
        assert_eq!(OverCounter::new(99, 1.0).over_len(), 20);
    }

    /// PipeWire's audioconvert scales integer codes by 2^(bits-1) (see the module docs).
    fn server_float(code: i32, bits: u32) -> f32 {
        (f64::from(code) / f64::from(1u32 << (bits - 1))) as f32
    }

    #[test]
    fn the_default_float_level_is_one_sixteen_bit_step_below_full_scale() {
        assert_eq!(DEFAULT_FLOAT_CLIP_LEVEL, 32767.0 / 32768.0);
        let rule = ClipRule::for_format(true, default_float_clip_level_dbfs());
        assert_eq!(rule.threshold(), DEFAULT_FLOAT_CLIP_LEVEL);
        assert!((default_float_clip_level_dbfs() - (-0.000_265_1)).abs() < 1e-6);
    }

    #[test]
    fn float_streams_from_16_and_24_bit_converters_clip_on_both_polarities() {
        let level = ClipRule::for_format(true, default_float_clip_level_dbfs()).threshold();
        for bits in [16, 24] {
            let full = (1i32 << (bits - 1)) - 1;
            let mut c = OverCounter::new(1, level);
            c.push_block(&[
                server_float(full, bits),
                0.0,
                server_float(-full - 1, bits),
                0.0,
            ]);
            assert_eq!(c.clipped_samples(), 2, "{bits}-bit full-scale codes");
        }
        // Two codes in from either end of a 16-bit converter is a level, not a clip. (One in
        // from the negative end, -32767, has the positive full scale's magnitude: a float
        // stream cannot tell them apart, and the symmetric level counts both.)
        let mut c = OverCounter::new(1, level);
        c.push_block(&[server_float(32_766, 16), server_float(-32_766, 16)]);
        assert_eq!(c.clipped_samples(), 0);
    }

    #[test]
    fn a_unity_threshold_misses_the_positive_float_clip() {
        // What gainstage did before float streams had a clip level.
        let mut c = OverCounter::new(1, ClipRule::FullScaleCode.threshold());
        c.push_block(&[server_float(8_388_607, 24), server_float(-8_388_608, 24)]);
        assert_eq!(c.clipped_samples(), 1);
    }

    #[test]
    fn integer_formats_keep_full_scale_codes_whatever_the_float_level() {
        assert_eq!(ClipRule::for_format(false, -3.0), ClipRule::FullScaleCode);
        assert_eq!(ClipRule::FullScaleCode.threshold(), 1.0);
    }

    #[test]
    fn an_earlier_level_counts_hot_samples_and_levels_are_clamped() {
        let rule = ClipRule::for_format(true, -0.05);
        let t = rule.threshold();
        assert!((f64::from(t) - 10f64.powf(-0.05 / 20.0)).abs() < 1e-7);
        let mut c = OverCounter::new(1, t);
        c.push_block(&[0.995, 0.99, -0.9943]);
        assert_eq!(c.clipped_samples(), 2);
        assert_eq!(
            ClipRule::for_format(true, 3.0),
            ClipRule::FloatLevel { level_dbfs: 0.0 }
        );
        assert_eq!(
            ClipRule::for_format(true, -60.0),
            ClipRule::FloatLevel { level_dbfs: -6.0 }
        );
        assert_eq!(
            ClipRule::for_format(true, f64::NAN),
            ClipRule::FloatLevel {
                level_dbfs: default_float_clip_level_dbfs()
            }
        );
    }
}
