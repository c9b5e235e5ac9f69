//! What one channel meter reports. Levels are dB with `-inf` for silence.

use serde::Serialize;

/// A copy of one channel's readings at one moment. Cheap to copy; taken by snapshots and reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChannelReadings {
    /// Frames metered since reset.
    pub frames: u64,
    /// Max |sample| of the latest processed block (dBFS).
    pub sample_peak_dbfs: f64,
    /// Max |sample| since reset (dBFS).
    pub max_sample_peak_dbfs: f64,
    /// Held sample peak with IEC 60268-18 hold and fall-back (dBFS).
    pub peak_hold_dbfs: f64,
    /// True peak (BS.1770 Annex 2) of the latest processed block (dBTP).
    pub true_peak_dbtp: f64,
    /// True peak since reset (dBTP).
    pub max_true_peak_dbtp: f64,
    /// True peak with instant rise and IEC fall-back: the level a meter bar shows (dBTP).
    pub falling_true_peak_dbtp: f64,
    /// Held true peak with IEC 60268-18 hold and fall-back, as `peak_hold_dbfs` holds the
    /// sample peak: the hold marker on a true-peak bar (dBTP).
    pub true_peak_hold_dbtp: f64,
    /// Samples at full scale since reset.
    pub clipped_samples: u64,
    /// Runs of `over_len` clipped samples since reset.
    pub overs: u64,
    /// Longest run of clipped samples since reset.
    pub longest_clip_run: u32,
    /// NaN / ±Inf samples since reset; kept out of every other reading.
    pub invalid_samples: u64,
    /// RMS over the latest 300 ms (dBFS; a full-scale sine reads -3.01).
    pub rms_dbfs: f64,
    /// Highest 300 ms RMS since reset (dBFS).
    pub max_rms_dbfs: f64,
    /// RMS of everything since reset (dBFS).
    pub total_rms_dbfs: f64,
    /// Mean (DC) of the latest second, signed, linear full scale.
    pub dc_offset: f64,
    /// Mean (DC) since reset, signed, linear full scale.
    pub total_dc_offset: f64,
    /// Momentary loudness, 400 ms, mono BS.1770 (LUFS), updated every 100 ms.
    pub momentary_lufs: f64,
    /// Short-term loudness, 3 s (LUFS), updated every 100 ms.
    pub short_term_lufs: f64,
    /// Highest momentary loudness since reset, its 400 ms window moved on every 10 ms (LUFS).
    pub max_momentary_lufs: f64,
    /// Highest short-term loudness since reset, on the 100 ms update (LUFS).
    pub max_short_term_lufs: f64,
    /// Gated integrated loudness since reset (LUFS).
    pub integrated_lufs: f64,
    /// Loudness range since reset, EBU Tech 3342 (LU).
    pub loudness_range_lu: f64,
    /// Peak-to-loudness ratio: max true peak minus integrated (dB).
    pub plr_db: f64,
    /// Noise floor: the 10th percentile of 50 ms RMS values over the last 10 s (dBFS).
    pub noise_floor_dbfs: f64,
    /// The same estimate over everything since reset (dBFS).
    pub total_noise_floor_dbfs: f64,
    /// Share of energy below 40 Hz over the last 3 s (0..1; 0 for silence).
    pub low_band_share: f64,
    /// Share of energy below 40 Hz since reset (0..1).
    pub total_low_band_share: f64,
    /// The programme meters switched on (`MeterConfig::programme`); the others read `-inf`.
    /// The meter thread publishes each one's highest reading since its previous publish.
    #[serde(skip)]
    pub programme: super::programme::ProgrammeReadings,
}

impl ChannelReadings {
    /// Seconds metered since reset at `sample_rate`.
    pub fn duration_s(&self, sample_rate: u32) -> f64 {
        self.frames as f64 / f64::from(sample_rate.max(1))
    }

    /// DC offset since reset in dBFS (`-inf` when exactly zero).
    pub fn total_dc_offset_dbfs(&self) -> f64 {
        super::level::amplitude_to_db(self.total_dc_offset.abs())
    }

    /// Recent DC offset in dBFS.
    pub fn dc_offset_dbfs(&self) -> f64 {
        super::level::amplitude_to_db(self.dc_offset.abs())
    }
}
