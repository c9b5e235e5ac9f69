//! Pure metering DSP: no I/O, no threads, no GUI. Live capture and offline analysis run this
//! same code. Every buffer is sized when a meter is built; `process` allocates nothing.
//!
//! - [`sample`]: any sample format to `f32`, with full-scale codes marked as exactly ±1.0.
//! - [`clip`]: exact clipped-sample and over counting, and the clip rule (full-scale codes for
//!   integer sources, a level just below full scale for float ones).
//! - [`channel`]: one channel's meter (peaks, true peak, clips, RMS, DC, loudness, noise
//!   floor, rumble share, headroom history).
//! - [`bank`]: a meter per channel, fed planar or interleaved audio in chunks of any size.
//! - [`k_weighting`]: the BS.1770 K-weighting filter and the energy it passes.
//! - [`gating`]: integrated loudness and loudness range from gating histograms, for every
//!   channel meter and the programme meter alike.
//! - [`true_peak`]: the BS.1770 oversampled peak, a block at a time.
//! - [`program`]: programme loudness of a 1–5 channel file, K-weighted by `ebur128` and gated
//!   by [`gating`].
//! - [`kind`]: the programme meters an engineer picks (VU, PPMs, K, digital peak), their
//!   scales and alignment levels; [`programme`] runs a channel's, built from [`vu`],
//!   [`ppm`], [`k_meter`] and [`digital_peak`] (IEC 60268-17, -10, -18 and the K-system).
//! - [`config`], [`readings`], [`level`]: settings, the readings struct, dB conversions.

pub mod ballistics;
pub mod bank;
pub mod channel;
pub mod clip;
pub mod config;
pub mod digital_peak;
pub mod gating;
pub mod k_meter;
pub mod k_weighting;
pub mod kind;
pub mod level;
pub mod lowpass;
pub mod ppm;
pub mod program;
pub mod programme;
pub mod readings;
pub mod sample;
pub mod slices;
pub mod true_peak;
pub mod vu;
pub mod window;

pub use bank::MeterBank;
pub use channel::ChannelMeter;
pub use clip::ClipRule;
pub use config::MeterConfig;
pub use kind::MeterKind;
pub use program::{ProgramMeter, ProgramReadings};
pub use programme::{ProgrammeReadings, ProgrammeSet};
pub use readings::ChannelReadings;

/// Why a meter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MeterError {
    #[error("unsupported sample rate {0} Hz")]
    SampleRate(u32),
    #[error("unsupported channel count {0} (1 to {max})", max = bank::MAX_CHANNELS)]
    Channels(usize),
    #[error("loudness meter: {0}")]
    Loudness(ebur128::Error),
}
