//! The frame clock every `/ws` client shares. Once per frame period one read of the session
//! (the latest snapshot, shared, and the peaks since the previous tick) becomes a [`Tick`];
//! each frame format is written from it at most once, when a client first needs it.
//!
//! Peaks stay per client: each client gets the maxima since its own previous frame, exactly
//! what its own `SnapshotReader` read at the same moments would give. A client that took the
//! previous tick's frame is owed exactly this tick's peaks, so it gets the shared bytes. A
//! client that missed ticks (its previous frame was still on its way) is owed the maxima over
//! every tick it missed, kept here for [`HISTORY_SPAN`]; it gets the shared bytes when those
//! equal this tick's, else a frame of its own. One reader slot for all clients also spares the
//! meter thread a merge per client.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::watch;

use super::frames::{compact_frame, json_frame, over_events, warnings_message};
use super::server::{ChannelInfo, State};
use crate::capture::publish::Peaks;
use crate::snapshot::Snapshot;

/// How far back a client that missed ticks can be caught up. A client further behind has
/// not taken a frame in twice the time that gets it dropped as stalled.
pub const HISTORY_SPAN: Duration = Duration::from_secs(10);

/// One read of the session, for every client.
#[derive(Debug)]
pub struct Tick {
    /// Counts from 1.
    pub n: u64,
    pub snapshot: Arc<Snapshot>,
    /// Per channel: what a client that took the previous tick's frame is owed.
    pub peaks: Vec<Peaks>,
    /// The channels' names and thresholds at this tick.
    pub channels: Arc<Vec<ChannelInfo>>,
    /// `over` events for the channels whose over count rose since the previous tick.
    pub over_events: Vec<Utf8Bytes>,
    /// Changes whenever any channel's warnings change.
    pub warnings_generation: u64,
    json: OnceLock<Utf8Bytes>,
    compact: OnceLock<Utf8Bytes>,
    warnings: OnceLock<Utf8Bytes>,
}

impl Tick {
    /// The JSON frame with this tick's peaks.
    pub fn json(&self) -> Utf8Bytes {
        self.json
            .get_or_init(|| json_frame(&self.snapshot, &self.peaks, &self.channels).into())
            .clone()
    }

    /// The compact frame with this tick's peaks.
    pub fn compact(&self) -> Utf8Bytes {
        self.compact
            .get_or_init(|| compact_frame(&self.snapshot, &self.peaks, &self.channels).into())
            .clone()
    }

    /// Every channel's warnings with their badges.
    pub fn warnings(&self) -> Utf8Bytes {
        self.warnings
            .get_or_init(|| warnings_message(&self.snapshot).into())
            .clone()
    }
}

/// Each tick's merged peaks (before the snapshot's own), oldest first.
#[derive(Debug)]
struct History {
    /// The tick number of `merged[0]`.
    first: u64,
    merged: VecDeque<Vec<Peaks>>,
    capacity: usize,
}

/// The latest tick for the clients, and the history that catches up those that missed some.
#[derive(Debug)]
pub struct Ticks {
    latest: watch::Sender<Option<Arc<Tick>>>,
    history: Mutex<History>,
}

impl Ticks {
    pub fn new(frame_period: Duration) -> Self {
        let capacity =
            (HISTORY_SPAN.as_secs_f64() / frame_period.as_secs_f64().max(1e-3)).ceil() as usize;
        Self {
            latest: watch::channel(None).0,
            history: Mutex::new(History {
                first: 1,
                merged: VecDeque::with_capacity(capacity + 1),
                capacity: capacity.max(2),
            }),
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Tick>>> {
        self.latest.subscribe()
    }

    /// The latest tick, if any.
    pub fn latest(&self) -> Option<Arc<Tick>> {
        self.latest.borrow().clone()
    }

    /// Makes the next tick from one read: the latest snapshot and the peaks merged into the
    /// ticks' reader since the previous one.
    pub fn advance(
        &self,
        snapshot: Arc<Snapshot>,
        merged: Vec<Peaks>,
        channels: Arc<Vec<ChannelInfo>>,
    ) -> Arc<Tick> {
        let previous = self.latest();
        let n = previous.as_ref().map_or(1, |p| p.n + 1);
        let peaks = owed(std::iter::once(merged.as_slice()), &snapshot);
        let (over, warnings_generation) = match &previous {
            Some(p) => {
                let changed = p
                    .snapshot
                    .channels
                    .iter()
                    .map(|c| &c.warnings)
                    .ne(snapshot.channels.iter().map(|c| &c.warnings));
                (
                    over_events(&p.snapshot, &snapshot),
                    p.warnings_generation + u64::from(changed),
                )
            }
            None => (Vec::new(), 0),
        };
        {
            let mut h = self.history.lock().unwrap_or_else(PoisonError::into_inner);
            if h.merged.is_empty() {
                h.first = n;
            }
            h.merged.push_back(merged);
            while h.merged.len() > h.capacity {
                h.merged.pop_front();
                h.first += 1;
            }
        }
        let tick = Arc::new(Tick {
            n,
            snapshot,
            peaks,
            channels,
            over_events: over.into_iter().map(Utf8Bytes::from).collect(),
            warnings_generation,
            json: OnceLock::new(),
            compact: OnceLock::new(),
            warnings: OnceLock::new(),
        });
        self.latest.send_replace(Some(Arc::clone(&tick)));
        tick
    }

    /// What a client whose previous frame came from tick `after` is owed at `now`: the maxima
    /// over every tick since, with `now`'s snapshot's own. `None` when the history no longer
    /// reaches back that far.
    fn owed_since(&self, after: u64, now: &Tick) -> Option<Vec<Peaks>> {
        let h = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        let from = usize::try_from(after.checked_add(1)?.checked_sub(h.first)?).ok()?;
        let to = usize::try_from(now.n.checked_sub(h.first)?).ok()?;
        if to >= h.merged.len() || from > to {
            return None;
        }
        Some(owed(
            h.merged.range(from..=to).map(Vec::as_slice),
            &now.snapshot,
        ))
    }
}

/// Per channel, the maxima of `merged` over several ticks with `snapshot`'s own peaks.
fn owed<'a>(merged: impl Iterator<Item = &'a [Peaks]>, snapshot: &Snapshot) -> Vec<Peaks> {
    let mut peaks: Vec<Peaks> = snapshot
        .channels
        .iter()
        .map(|c| Peaks::default().with_published(&c.readings))
        .collect();
    for tick in merged {
        for (p, m) in peaks.iter_mut().zip(tick) {
            *p = p.max(*m);
        }
    }
    peaks
}

/// Which frames a client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Compact,
}

/// One client's place in the ticks: what it was sent last.
#[derive(Debug)]
pub struct Follower {
    format: Format,
    /// The tick of the previous frame; `None` before the first.
    last: Option<Arc<Tick>>,
    /// The warnings a compact client was last sent.
    warnings_generation: Option<u64>,
}

impl Follower {
    /// A client that starts at `current`: its first frame covers the ticks after it.
    pub fn new(format: Format, current: Option<Arc<Tick>>) -> Self {
        Self {
            format,
            last: current,
            warnings_generation: None,
        }
    }

    /// The messages that bring this client from its previous frame to `now`: `over` events,
    /// the warnings (compact frames only, when they changed) and the frame. `None` when the
    /// client is further behind than the history reaches: it has stalled.
    pub fn messages(&mut self, ticks: &Ticks, now: &Arc<Tick>) -> Option<Vec<Utf8Bytes>> {
        let mut out = Vec::new();
        let shared = match &self.last {
            None => true,
            Some(last) if last.n + 1 == now.n => {
                out.extend(now.over_events.iter().cloned());
                true
            }
            Some(last) => {
                out.extend(
                    over_events(&last.snapshot, &now.snapshot)
                        .into_iter()
                        .map(Utf8Bytes::from),
                );
                let owed = ticks.owed_since(last.n, now)?;
                if owed == now.peaks {
                    true
                } else {
                    out.push(self.own_frame(now, &owed));
                    false
                }
            }
        };
        if self.format == Format::Compact
            && self.warnings_generation != Some(now.warnings_generation)
        {
            self.warnings_generation = Some(now.warnings_generation);
            // Before the frame it goes with.
            let at = out.len() - usize::from(!shared);
            out.insert(at, now.warnings());
        }
        if shared {
            out.push(match self.format {
                Format::Json => now.json(),
                Format::Compact => now.compact(),
            });
        }
        self.last = Some(Arc::clone(now));
        Some(out)
    }

    fn own_frame(&self, now: &Tick, peaks: &[Peaks]) -> Utf8Bytes {
        match self.format {
            Format::Json => json_frame(&now.snapshot, peaks, &now.channels).into(),
            Format::Compact => compact_frame(&now.snapshot, peaks, &now.channels).into(),
        }
    }
}

/// Reads the session once per frame period until the server stops.
pub async fn run(state: Arc<State>) {
    let mut reader = state.prototype.clone();
    let mut stop = state.stop.clone();
    let mut tick = tokio::time::interval(state.frame_period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if let Some((snapshot, merged)) = reader.read_shared() {
            state.ticks.advance(snapshot, merged, state.channels());
        }
    }
}
