//! Gain-staging advisor: turns meter readings into a short list of problems per channel, each
//! with the action that fixes it.
//!
//! - [`warning`]: the vocabulary (`clip`, `hot`, `low`, `no_signal`, `dc_offset`, `rumble`,
//!   `noisy`).
//! - [`preset`]: source presets and their targets and thresholds, user-editable.
//! - [`judge`]: the checks, and [`judge_take`] for whole takes.
//! - [`live`]: [`LiveAdvisor`], the same checks over recent windows with hysteresis.
//! - [`soundcheck`]: listen N seconds, then per-channel advice.
//! - [`stage`]: after tracking: printed stems against a print ceiling and their sum, a mix
//!   against the mastering margin, a master against delivery targets ([`crate::delivery`]).
//! - [`template`]: session templates (channel names and presets) as TOML in the config dir.
//! - [`events`]: what changed on a channel, as session-log events, and [`RecentEvents`], the
//!   one in-memory event buffer.
//! - [`session_log`]: the session log file (JSON lines in the data dir); [`log`]: `gainstage log`.
//! - [`log_writer`]: the thread that writes the session log, so the meter thread never waits.
//!
//! Everything but `template`, `session_log`, `log_writer` and `log` is pure logic: no I/O, no clock (callers
//! pass the time in).

pub mod events;
pub mod judge;
pub mod live;
pub mod log;
pub mod log_writer;
pub mod preset;
pub mod session_log;
pub mod soundcheck;
pub mod stage;
pub mod template;
pub mod warning;
pub mod words;

pub use events::{LogEvent, LogEventKind, RecentEvents, diff_events};
pub use judge::judge_take;
pub use live::{LiveAdvisor, LiveConfig};
pub use log_writer::{Calendar, LogHealth, LogWriter};
pub use preset::{GainControl, PresetParams, Presets, SourcePreset, Thresholds};
pub use session_log::{GainFields, LogEntry, SessionLog};
pub use soundcheck::{Soundcheck, SoundcheckResult, SoundcheckStatus};
pub use template::{ChannelPlan, ChannelSetup, PreampRoute, SessionTemplate, TemplateError};
pub use warning::{Warning, WarningKind};
pub use words::{StripZone, Verdict, performer_word};
