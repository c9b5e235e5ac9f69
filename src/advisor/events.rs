//! What changed on one channel between two looks at it, as session-log events. Pure: the
//! caller decides when to look and writes the events with [`super::SessionLog`]. Also the
//! one in-memory buffer of events, [`RecentEvents`].

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::warning::{Warning, WarningKind};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogEventKind {
    /// New overs on the converter.
    Clip,
    /// A warning appeared.
    Raised,
    /// A warning went away.
    Cleared,
    /// A take began (channel 0; `name` is the take's).
    TakeStart,
    /// A take ended, with its verdict.
    TakeEnd,
    /// A preamp's gain was changed by gainstage (the entry also carries `from_db`, `to_db`,
    /// `why` and `who`).
    Gain,
}

/// One event on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    /// Channel number, from 1.
    pub channel: usize,
    pub event: LogEventKind,
    /// The warning raised or cleared; `None` for clips.
    pub kind: Option<WarningKind>,
    /// New overs for `clip`.
    pub count: u64,
    /// The warning's message when raised; a short description otherwise.
    pub message: String,
    /// The channel's level when it happened (dBTP), where the producer knows it:
    /// [`super::LiveAdvisor`] fills in its recent max true peak; [`diff_events`] leaves `None`.
    #[serde(default)]
    pub level_dbtp: Option<f64>,
}

/// Events between the previous and current warnings of a channel and its over count: new
/// overs first, then warnings raised, then warnings cleared. An over count that went down
/// means the meter was reset, and everything counted since is new.
pub fn diff_events(
    channel: usize,
    previous: &[Warning],
    current: &[Warning],
    previous_overs: u64,
    overs: u64,
) -> Vec<LogEvent> {
    let mut out = Vec::new();
    let new_overs = if overs >= previous_overs {
        overs - previous_overs
    } else {
        overs
    };
    if new_overs > 0 {
        out.push(LogEvent {
            channel,
            event: LogEventKind::Clip,
            kind: None,
            count: new_overs,
            message: if new_overs == 1 {
                format!("Input {channel}: 1 new over")
            } else {
                format!("Input {channel}: {new_overs} new overs")
            },
            level_dbtp: None,
        });
    }
    let has = |set: &[Warning], k: WarningKind| set.iter().any(|w| w.kind == k);
    for w in current.iter().filter(|w| !has(previous, w.kind)) {
        out.push(LogEvent {
            channel,
            event: LogEventKind::Raised,
            kind: Some(w.kind),
            count: 0,
            message: w.message.clone(),
            level_dbtp: None,
        });
    }
    for w in previous.iter().filter(|w| !has(current, w.kind)) {
        out.push(LogEvent {
            channel,
            event: LogEventKind::Cleared,
            kind: Some(w.kind),
            count: 0,
            message: format!("Input {channel}: {} cleared", kind_name(w.kind)),
            level_dbtp: None,
        });
    }
    out
}

/// The latest events, oldest first, at most `capacity` of them: pushing onto a full buffer
/// drops the oldest. The one in-memory event buffer: [`super::LiveAdvisor`]'s events waiting
/// to be logged, and the log entries a live session shows.
#[derive(Debug, Clone)]
pub struct RecentEvents<T> {
    items: VecDeque<T>,
    capacity: usize,
}

impl<T> RecentEvents<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            items: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, item: T) {
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// Takes every event out, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.items.drain(..)
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The JSON name of a kind ("no_signal").
pub fn kind_name(kind: WarningKind) -> &'static str {
    match kind {
        WarningKind::Clip => "clip",
        WarningKind::Hot => "hot",
        WarningKind::Low => "low",
        WarningKind::NoSignal => "no_signal",
        WarningKind::DcOffset => "dc_offset",
        WarningKind::Rumble => "rumble",
        WarningKind::Noisy => "noisy",
        WarningKind::Loud => "loud",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(kind: WarningKind) -> Warning {
        Warning {
            kind,
            message: format!("{kind:?}"),
            suggested_gain_db: None,
        }
    }

    #[test]
    fn diff_reports_overs_raised_and_cleared() {
        let ev = diff_events(2, &[w(WarningKind::Hot)], &[w(WarningKind::Clip)], 3, 5);
        let kinds: Vec<_> = ev.iter().map(|e| (e.event, e.kind, e.count)).collect();
        assert_eq!(
            kinds,
            vec![
                (LogEventKind::Clip, None, 2),
                (LogEventKind::Raised, Some(WarningKind::Clip), 0),
                (LogEventKind::Cleared, Some(WarningKind::Hot), 0),
            ]
        );
    }

    #[test]
    fn nothing_changed_nothing_logged() {
        assert!(diff_events(1, &[w(WarningKind::Low)], &[w(WarningKind::Low)], 4, 4).is_empty());
    }

    #[test]
    fn recent_events_keep_the_latest_in_order() {
        let mut buf = RecentEvents::new(3);
        for n in 1..=5 {
            buf.push(n);
        }
        assert_eq!(buf.iter().copied().collect::<Vec<_>>(), vec![3, 4, 5]);
        assert_eq!(buf.drain().collect::<Vec<_>>(), vec![3, 4, 5]);
        assert!(buf.is_empty());
    }

    #[test]
    fn meter_reset_counts_from_zero() {
        let ev = diff_events(1, &[], &[], 9, 1);
        assert_eq!(ev[0].count, 1);
    }
}
