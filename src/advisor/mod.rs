//! Gain-staging advisor: pure logic over meter readings, no GUI, no I/O.

pub mod warning;

pub use warning::{Warning, WarningKind};
pub mod log;
