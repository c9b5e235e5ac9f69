//! Meter settings. Defaults follow IEC 60268-18 and tracking practice (see README).

use serde::{Deserialize, Serialize};

use super::clip::ClipRule;

/// Settings shared by every channel meter of a bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeterConfig {
    /// Consecutive clipped samples that count as one over (1..=20). Tracking wants 1.
    pub over_len: u32,
    /// What counts as a clip for this source's sample format (resolved by whoever knows the
    /// format: the capture pipeline, `analyze`). The default, full-scale codes, is right for
    /// integer sources and for float test signals that reach exactly ±1.0.
    pub clip_rule: ClipRule,
    /// Peak-hold time before the held value starts to fall (s). IEC 60268-18: 1.0 ± 0.5.
    pub peak_hold_s: f64,
    /// Fall-back rate of the held peak and the falling bar (dB/s). IEC: 20 dB in 1.7 s.
    pub peak_fall_db_per_s: f64,
    /// Largest block the meter converts at once (frames); longer blocks are split, so any
    /// block length works and nothing is allocated after construction.
    pub max_block_frames: usize,
    /// Programme meters (VU, PPM, K, digital peak) each channel runs besides its peaks and
    /// loudness: only those some view or output shows, as each costs work per sample.
    pub programme: super::programme::ProgrammeSet,
    /// Work out the true peak only where it could raise the maximum so far (offline
    /// analysis, which reports only the maximum). Each block's own true peak, the falling
    /// bar and the headroom history then read the sample peak wherever the interpolator was
    /// skipped, so live meters leave this off.
    pub true_peak_max_only: bool,
}

impl Default for MeterConfig {
    fn default() -> Self {
        Self {
            over_len: 1,
            clip_rule: ClipRule::default(),
            peak_hold_s: 1.0,
            peak_fall_db_per_s: 20.0 / 1.7,
            max_block_frames: 4096,
            programme: super::programme::ProgrammeSet::NONE,
            true_peak_max_only: false,
        }
    }
}

/// Window of the RMS reading (s): 300 ms, a VU-like integration time.
pub const RMS_WINDOW_S: f64 = 0.3;
/// Window of the recent DC-offset reading (s).
pub const DC_WINDOW_S: f64 = 1.0;
/// Window of the recent low-band share (s): as long as short-term loudness.
pub const LOW_BAND_WINDOW_S: f64 = 3.0;
/// Corner of the low band that counts as rumble (Hz).
pub const LOW_BAND_HZ: f64 = 40.0;
/// Length of the peak history (s) and its resolution (values per second).
pub const HISTORY_S: usize = 60;
pub const HISTORY_RATE_HZ: usize = 20;
/// Window over which the recent noise floor is estimated (s).
pub const NOISE_WINDOW_S: usize = 10;
/// Percentile of 50 ms RMS values taken as the noise floor: the quietest stretches.
pub const NOISE_PERCENTILE: f64 = 0.10;
/// 50 ms stretches quieter than this are digital silence, not a noise floor (dBFS).
pub const DIGITAL_SILENCE_DBFS: f64 = -150.0;
