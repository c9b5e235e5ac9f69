//! Conversion of every device and file sample format to `f32`, marking clips on the way.
//!
//! A clip is a sample at the source format's full-scale code, positive or negative. Divided by
//! 2^(bits-1), the positive code lands one LSB below 1.0 (and for 32-bit integers rounds *to*
//! 1.0 in `f32`, where one code below full scale would falsely read as a clip). So conversion
//! here maps exactly the full-scale codes to ±1.0 and keeps every other code strictly inside
//! (-1.0, 1.0). Downstream code then needs one rule for every integer format: `|x| >= 1.0` is a
//! clip. The distortion is at most one `f32` step next to full scale (about -144 dBFS), far
//! below any converter's noise. Float formats pass through unchanged and clip at a level of
//! their own (`meter::clip::ClipRule`).

/// Largest `f32` below 1.0: where a non-full-scale code that rounds up is pinned.
pub const BELOW_FULL_SCALE: f32 = 1.0 - f32::EPSILON / 2.0;

/// True when a converted integer sample counts as clipped: at or beyond full scale, and
/// finite. Non-finite samples are faults, counted separately as invalid, never as clips.
#[inline]
pub fn is_clip(x: f32) -> bool {
    is_clip_at(x, 1.0)
}

/// True when a sample's magnitude is at or above `level` (a [`crate::meter::ClipRule`]
/// threshold), and it is finite.
#[inline]
pub fn is_clip_at(x: f32, level: f32) -> bool {
    x.is_finite() && x.abs() >= level
}

/// The one rule for samples that are not numbers (NaN, ±Inf): a fault, not a level. Each is
/// replaced by the latest finite sample before it (`held`, 0 at the start), which this updates;
/// returns whether `x` was finite, so callers can count the faults. A zero instead would be a
/// step the true-peak interpolator rings on (a 0.5 FS sine with a NaN read 1.4 dB hot);
/// repeating the last value keeps every reading within the signal's own range.
#[inline]
pub fn hold_finite(x: f32, held: &mut f32) -> bool {
    let finite = x.is_finite();
    if finite {
        *held = x;
    }
    finite
}

/// A sample format that converts to `f32` with clip marking (see the module docs).
pub trait ToMeterSample: Copy {
    /// Float formats clip at a level ([`crate::meter::ClipRule::FloatLevel`]); integer ones at
    /// their full-scale codes.
    const IS_FLOAT: bool = false;

    /// The sample as `f32` in [-1, 1] for integer formats, exactly ±1.0 only at full scale.
    fn to_meter_f32(self) -> f32;
}

#[inline]
fn pin_inside(x: f32) -> f32 {
    x.clamp(-BELOW_FULL_SCALE, BELOW_FULL_SCALE)
}

/// Signed integer held in a wider type, with `bits` significant bits (e.g. 24-bit in an `i32`).
#[inline]
pub fn signed_to_f32(code: i64, bits: u32) -> f32 {
    code_to_f32(i128::from(code), bits)
}

/// [`signed_to_f32`] for codes of at most 24 bits, bit for bit, but fast: every such code is
/// exact in `f32` and 2^(bits-1) is a power of two, so one multiply converts without rounding
/// and no code below full scale can land on 1.0. Decoding files is mostly this.
/// Codes beyond the `bits` range are pinned to its ends.
#[inline]
pub fn small_signed_to_f32(code: i32, bits: u32) -> f32 {
    let bits = bits.clamp(1, 24);
    let full = 1i32 << (bits - 1);
    // -full converts to exactly -1.0 on its own; only the top code needs lifting.
    let code = code.clamp(-full, full - 1);
    let x = code as f32 * (1.0 / full as f32);
    if code == full - 1 { 1.0 } else { x }
}

/// Unsigned integer with `bits` significant bits and its origin at 2^(bits-1).
#[inline]
pub fn unsigned_to_f32(code: u64, bits: u32) -> f32 {
    let origin = 1i128 << (bits.clamp(1, 64) - 1);
    code_to_f32(i128::from(code) - origin, bits)
}

/// Works in `i128` because 64-bit formats' full scale, 2^63, does not fit an `i64`.
#[inline]
fn code_to_f32(code: i128, bits: u32) -> f32 {
    let full = 1i128 << (bits.clamp(1, 64) - 1);
    if code >= full - 1 {
        1.0
    } else if code <= -full {
        -1.0
    } else {
        pin_inside((code as f64 / full as f64) as f32)
    }
}

/// Float formats already clip at |x| >= 1.0; non-finite values pass through to be counted.
#[inline]
pub fn float_to_f32(x: f64) -> f32 {
    x as f32
}

macro_rules! signed_impl {
    ($t:ty, $bits:expr) => {
        impl ToMeterSample for $t {
            #[inline]
            fn to_meter_f32(self) -> f32 {
                signed_to_f32(self as i64, $bits)
            }
        }
    };
}
macro_rules! unsigned_impl {
    ($t:ty, $bits:expr) => {
        impl ToMeterSample for $t {
            #[inline]
            fn to_meter_f32(self) -> f32 {
                unsigned_to_f32(self as u64, $bits)
            }
        }
    };
}
signed_impl!(i8, 8);
signed_impl!(i16, 16);
signed_impl!(i32, 32);
signed_impl!(i64, 64);
unsigned_impl!(u8, 8);
unsigned_impl!(u16, 16);
unsigned_impl!(u32, 32);
unsigned_impl!(u64, 64);

impl ToMeterSample for dasp_sample::I24 {
    #[inline]
    fn to_meter_f32(self) -> f32 {
        signed_to_f32(i64::from(self.inner()), 24)
    }
}
impl ToMeterSample for dasp_sample::U24 {
    #[inline]
    fn to_meter_f32(self) -> f32 {
        unsigned_to_f32(self.inner() as u64, 24)
    }
}
/// A sample already converted from an integer code by this module's rule (full-scale codes
/// exactly ±1.0): fed on as this rather than as `f32`, it keeps the integer clip rule, as the
/// file reader's integer samples must.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ConvertedInt(pub f32);

impl ToMeterSample for ConvertedInt {
    #[inline]
    fn to_meter_f32(self) -> f32 {
        self.0
    }
}
impl ToMeterSample for f32 {
    const IS_FLOAT: bool = true;
    #[inline]
    fn to_meter_f32(self) -> f32 {
        self
    }
}
impl ToMeterSample for f64 {
    const IS_FLOAT: bool = true;
    #[inline]
    fn to_meter_f32(self) -> f32 {
        float_to_f32(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bit_full_scale_codes_are_clips_and_one_below_is_not() {
        assert!(is_clip(i16::MAX.to_meter_f32()));
        assert!(is_clip(i16::MIN.to_meter_f32()));
        assert!(!is_clip((i16::MAX - 1).to_meter_f32()));
        assert!(!is_clip((i16::MIN + 1).to_meter_f32()));
    }

    #[test]
    fn thirty_two_bit_one_below_full_scale_is_not_a_clip() {
        // (2^31 - 2) / 2^31 rounds to 1.0 in f32 without pinning.
        assert!(!is_clip((i32::MAX - 1).to_meter_f32()));
        assert!(!is_clip((i32::MIN + 1).to_meter_f32()));
        assert!(is_clip(i32::MAX.to_meter_f32()));
        assert!(is_clip(i32::MIN.to_meter_f32()));
    }

    #[test]
    fn twenty_four_bit_codes() {
        let max = dasp_sample::I24::new_unchecked((1 << 23) - 1);
        let below = dasp_sample::I24::new_unchecked((1 << 23) - 2);
        let min = dasp_sample::I24::new_unchecked(-(1 << 23));
        assert!(is_clip(max.to_meter_f32()));
        assert!(is_clip(min.to_meter_f32()));
        assert!(!is_clip(below.to_meter_f32()));
        assert!((below.to_meter_f32() - 0.999_999_76).abs() < 1e-7);
    }

    #[test]
    fn unsigned_formats_clip_at_both_ends_and_centre_is_zero() {
        assert_eq!(128u8.to_meter_f32(), 0.0);
        assert!(is_clip(0u8.to_meter_f32()));
        assert!(is_clip(255u8.to_meter_f32()));
        assert!(!is_clip(254u8.to_meter_f32()));
        assert!(is_clip(u16::MAX.to_meter_f32()));
        assert_eq!(32768u16.to_meter_f32(), 0.0);
    }

    #[test]
    fn floats_clip_at_unity_and_non_finite_is_not_a_clip() {
        assert!(is_clip(1.0f32));
        assert!(is_clip(-1.5f32));
        assert!(!is_clip(0.999_999f32));
        assert!(!is_clip(f32::NAN));
        assert!(!is_clip(f32::INFINITY));
    }

    #[test]
    fn sixty_four_bit_codes_convert_without_overflow() {
        assert!(is_clip(i64::MAX.to_meter_f32()));
        assert!(is_clip(i64::MIN.to_meter_f32()));
        assert!(!is_clip((i64::MAX - 1).to_meter_f32()));
        assert!(!is_clip((i64::MIN + 1).to_meter_f32()));
        assert!(is_clip(u64::MAX.to_meter_f32()));
        assert!(is_clip(0u64.to_meter_f32()));
        assert!(!is_clip((u64::MAX - 1).to_meter_f32()));
        assert_eq!((1u64 << 63).to_meter_f32(), 0.0);
        assert_eq!((i64::MIN / 2).to_meter_f32(), -0.5);
    }

    #[test]
    fn small_codes_convert_exactly_as_the_general_rule_does() {
        for bits in [8, 12, 16, 20, 24] {
            let full = 1i32 << (bits - 1);
            let step = (full / 4096).max(1);
            let codes = (-full..full)
                .step_by(step as usize)
                .chain([-full, full - 2, full - 1]);
            for code in codes {
                let want = signed_to_f32(i64::from(code), bits);
                assert_eq!(
                    small_signed_to_f32(code, bits).to_bits(),
                    want.to_bits(),
                    "{bits}-bit {code}"
                );
            }
        }
    }

    #[test]
    fn a_non_finite_sample_is_replaced_by_the_latest_finite_one() {
        let mut held = 0.0;
        let cleaned: Vec<(f32, bool)> = [f32::NAN, 0.25, f32::INFINITY, f32::NEG_INFINITY, -0.5]
            .into_iter()
            .map(|x| {
                let ok = hold_finite(x, &mut held);
                (held, ok)
            })
            .collect();
        assert_eq!(
            cleaned,
            vec![
                (0.0, false),
                (0.25, true),
                (0.25, false),
                (0.25, false),
                (-0.5, true)
            ]
        );
    }

    #[test]
    fn mid_scale_values_convert_exactly() {
        assert_eq!(16384i16.to_meter_f32(), 0.5);
        assert_eq!((-16384i16).to_meter_f32(), -0.5);
    }
}
