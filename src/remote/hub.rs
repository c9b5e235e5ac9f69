//! The session's events for every client: advisor and take entries as the session log records
//! them, numbered for `GET /api/log?since=`, broadcast to every `/ws` client the moment the
//! hub sees them; and the soundcheck a remote client started.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::broadcast;

use super::server::State;
use crate::advisor::{LogEntry, Soundcheck, SoundcheckResult};

/// Entries `/api/log` keeps: older ones are in the session log on disk.
const HISTORY: usize = 2000;
/// Events a slow client may fall behind by before it skips some (it still gets every frame).
const EVENT_BACKLOG: usize = 256;
/// How often the hub looks at the session: events reach clients within this.
const HUB_PERIOD: Duration = Duration::from_millis(25);

/// One numbered entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Numbered {
    pub id: u64,
    #[serde(flatten)]
    pub entry: LogEntry,
}

#[derive(Debug)]
pub struct Hub {
    history: Mutex<VecDeque<Numbered>>,
    events: broadcast::Sender<Arc<str>>,
    soundcheck: Mutex<Option<Soundcheck>>,
    /// The verdicts of the latest soundcheck that ended: what `apply` sets the preamps by.
    latest: Mutex<Option<Vec<SoundcheckResult>>>,
}

impl Hub {
    pub fn new() -> Self {
        Self {
            history: Mutex::new(VecDeque::new()),
            events: broadcast::channel(EVENT_BACKLOG).0,
            soundcheck: Mutex::new(None),
            latest: Mutex::new(None),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.events.subscribe()
    }

    /// Sends `text` to every connected client (none connected is fine).
    pub fn broadcast(&self, text: String) {
        let _ = self.events.send(Arc::from(text));
    }

    /// Entries after `since` (an id), or at or after a time (RFC 3339, UTC).
    pub fn entries_since(&self, since: Since) -> Vec<Numbered> {
        let history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        history
            .iter()
            .filter(|n| match &since {
                Since::All => true,
                Since::Id(id) => n.id > *id,
                Since::Time(t) => entry_time(&n.entry).is_some_and(|e| e >= *t),
            })
            .cloned()
            .collect()
    }

    /// Starts listening for a soundcheck over `secs`, replacing one under way.
    pub fn start_soundcheck(&self, state: &State, secs: f64) {
        let plan = state.plan();
        let params: Vec<_> = (1..=state.channel_count())
            .map(|ch| plan.params(ch))
            .collect();
        let check = Soundcheck::all(&params, secs, state.source.sample_rate);
        *self
            .soundcheck
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(check);
        self.broadcast(
            serde_json::json!({"event": "soundcheck_started", "secs": secs}).to_string(),
        );
    }

    /// The verdicts of the latest soundcheck that ended, if one has.
    pub fn latest_soundcheck(&self) -> Option<Vec<SoundcheckResult>> {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, entry: LogEntry) {
        let mut history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        let id = history.back().map_or(1, |n| n.id + 1);
        let numbered = Numbered { id, entry };
        if let Ok(text) = serde_json::to_string(&numbered) {
            self.broadcast(text);
        }
        history.push_back(numbered);
        while history.len() > HISTORY {
            history.pop_front();
        }
    }
}

/// Where `/api/log` starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Since {
    All,
    Id(u64),
    Time(jiff::Timestamp),
}

impl Since {
    /// An id ("42") or an RFC 3339 time ("2026-11-28T21:00:00Z").
    pub fn parse(text: Option<&str>) -> Result<Since, String> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Since::All);
        };
        if let Ok(id) = text.parse::<u64>() {
            return Ok(Since::Id(id));
        }
        text.parse::<jiff::Timestamp>()
            .map(Since::Time)
            .map_err(|_| format!("since: '{text}' is neither an entry id nor an RFC 3339 time"))
    }
}

fn entry_time(e: &LogEntry) -> Option<jiff::Timestamp> {
    e.time.parse().ok()
}

/// The entries of `now` that `before` did not have: both are the latest N, oldest first.
fn new_entries<'a>(before: &[LogEntry], now: &'a [LogEntry]) -> &'a [LogEntry] {
    let Some(last) = before.last() else {
        return now;
    };
    match now.iter().rposition(|e| e == last) {
        Some(i) => &now[i + 1..],
        None => now,
    }
}

/// Watches the session for new entries and a soundcheck's end until the server stops.
pub async fn run(state: Arc<State>) {
    let mut reader = state.prototype.clone();
    let mut stop = state.stop.clone();
    let mut tick = tokio::time::interval(HUB_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut seen: Option<Arc<[LogEntry]>> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        // Shared, not copied: the peaks since the previous look matter only to a soundcheck.
        let Some((s, merged)) = reader.read_shared() else {
            continue;
        };
        let changed = seen
            .as_ref()
            .is_none_or(|prev| !Arc::ptr_eq(prev, &s.events));
        if changed {
            let before = seen.as_deref().unwrap_or(&[]);
            for e in new_entries(before, &s.events) {
                state.hub.push(e.clone());
            }
            seen = Some(Arc::clone(&s.events));
        }
        let done = {
            let mut slot = state
                .hub
                .soundcheck
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match slot.as_mut() {
                Some(check) => {
                    for (c, (ch, peaks)) in s.channels.iter().zip(merged).enumerate() {
                        let peaks = peaks.with_published(&ch.readings);
                        let readings = crate::meter::ChannelReadings {
                            sample_peak_dbfs: peaks.sample_dbfs(),
                            true_peak_dbtp: peaks.true_peak_dbtp(),
                            ..ch.readings
                        };
                        check.feed(s.t_s, c, &readings);
                    }
                    if check.is_done(s.t_s) {
                        slot.take().map(|c| c.results())
                    } else {
                        None
                    }
                }
                None => None,
            }
        };
        if let Some(results) = done {
            // Kept before it is told, so a client that hears the event can apply it at once.
            *state
                .hub
                .latest
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(results.clone());
            state.hub.broadcast(
                serde_json::json!({"event": "soundcheck", "results": results}).to_string(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(message: &str) -> LogEntry {
        LogEntry {
            time: "2026-11-28T21:00:00.000Z".into(),
            channel: 1,
            name: String::new(),
            event: crate::advisor::LogEventKind::Raised,
            kind: None,
            count: 0,
            level_dbtp: None,
            message: message.into(),
            stream_s: None,
            duration_s: None,
            clipped_samples: None,
            max_level_dbfs: None,
            gain: None,
        }
    }

    #[test]
    fn only_entries_after_the_last_seen_are_new() {
        let all = [e("a"), e("b"), e("c")];
        let (a, b, bc, c) = (&all[0..1], &all[1..2], &all[1..3], &all[2..3]);
        assert_eq!(new_entries(&[], a), a);
        assert_eq!(new_entries(&all[0..2], bc), c);
        assert!(new_entries(&all[0..2], &all[0..2]).is_empty());
        assert_eq!(new_entries(a, b), b, "the last seen is gone: all are new");
    }

    #[test]
    fn since_takes_ids_and_times() {
        assert_eq!(Since::parse(None).unwrap(), Since::All);
        assert_eq!(Since::parse(Some("17")).unwrap(), Since::Id(17));
        assert!(matches!(
            Since::parse(Some("2026-11-28T21:00:00Z")).unwrap(),
            Since::Time(_)
        ));
        assert!(Since::parse(Some("yesterday-ish")).is_err());
    }
}
