//! gainstage: a live input monitor for recording sessions.
//!
//! Data flows one way:
//!
//! ```text
//! device (cpal callback) → ring buffer → meter thread → snapshots → GUI / headless / analyze report
//!                                                ↘ advisor (warnings, advice) ↗
//! ```
//!
//! # Module map
//! - [`meter`]: pure DSP, one meter per channel (sample peak, true peak, clips and overs, RMS,
//!   DC, momentary / short-term / integrated loudness, LRA, noise floor, rumble share, headroom
//!   history). No I/O, no threads.
//! - [`analyze`]: offline analysis of WAV takes with the same meters; `gainstage analyze`.
//! - [`report`]: JSON and table rendering shared by the commands.

pub mod analyze;
pub mod meter;
pub mod report;
