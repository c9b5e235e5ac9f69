//! Live capture: cpal devices, the real-time callback, the lock-free ring, the meter thread.

pub mod devices;
