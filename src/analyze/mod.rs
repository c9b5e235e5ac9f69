//! Offline analysis of recorded takes with the live meter code (`gainstage analyze`).
//!
//! - [`file`](mod@file): one file through the meters, channel groups on one thread per core, reading
//!   with [`crate::wav`].
//! - `schedule`: reading and each channel group's metering as jobs for any free thread, every
//!   group's blocks in order.
//! - `progress`: the stderr progress line for long runs.
//! - [`stems`]: the sum of a set of stems, sample by sample, metered as one programme.
//!
//! Results are [`crate::file_report`] reports, rendered elsewhere (`gainstage analyze` joins the two).
//!
//! A file cut short (its header announces more data than there is) is reported for what could
//! be read, marked `truncated`, and counts as a failure for the exit status.

pub mod file;
mod progress;
mod schedule;
pub mod stems;

pub use file::{AnalyzeError, AnalyzeOptions, analyze_file};
pub use stems::{Stems, StemsError, sum_stems};
