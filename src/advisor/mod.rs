//! Gain-staging advisor: pure logic over meter readings, no GUI, no I/O (the session log and
//! templates, which do touch files, live in their own submodules).

pub mod log;
pub mod preset;
pub mod warning;

pub use preset::SourcePreset;
pub use warning::{Warning, WarningKind};
