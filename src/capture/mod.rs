//! Live capture: cpal devices, the real-time callback, the lock-free ring, the meter thread.

pub mod devices;
pub mod session;

pub use session::{CaptureError, MeterCommand, Session, SessionConfig, SnapshotReader};
