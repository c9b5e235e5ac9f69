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
    /// The tick of the previous frame, or the one current when the client came (0: none).
    last_n: u64,
    /// That tick, for the over counts it showed.
    last: Option<Arc<Tick>>,
    /// The warnings a compact client was last sent.
    warnings_generation: Option<u64>,
}

impl Follower {
    /// A client that starts at `current`: its first frame covers the ticks after it.
    pub fn new(format: Format, current: Option<Arc<Tick>>) -> Self {
        Self {
            format,
            last_n: current.as_ref().map_or(0, |t| t.n),
            last: current,
            warnings_generation: None,
        }
    }

    /// The messages that bring this client from its previous frame to `now`: `over` events,
    /// the warnings (compact frames only, when they changed) and the frame. `None` when the
    /// client is further behind than the history reaches: it has stalled.
    pub fn messages(&mut self, ticks: &Ticks, now: &Arc<Tick>) -> Option<Vec<Utf8Bytes>> {
        if now.n <= self.last_n {
            return Some(Vec::new());
        }
        let mut out = Vec::new();
        let shared = if now.n == self.last_n + 1 {
            // Owed exactly this tick's peaks.
            if self.last.is_some() {
                out.extend(now.over_events.iter().cloned());
            }
            true
        } else {
            if let Some(last) = &self.last {
                out.extend(
                    over_events(&last.snapshot, &now.snapshot)
                        .into_iter()
                        .map(Utf8Bytes::from),
                );
            }
            let owed = match ticks.owed_since(self.last_n, now) {
                Some(owed) => owed,
                // A first frame owes nothing from before the client came.
                None if self.last.is_none() => now.peaks.clone(),
                None => return None,
            };
            if owed == now.peaks {
                true
            } else {
                out.push(self.own_frame(now, &owed));
                false
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
        self.last_n = now.n;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::SnapshotReader;
    use crate::capture::publish::{Board, ReaderSlot};
    use crate::meter::level::amplitude_to_db;
    use crate::monitor::db;
    use crate::snapshot::ChannelSnapshot;

    const CHANNELS: usize = 3;

    /// xorshift64: the same schedule on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// 0..1
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The meter thread as far as readers can tell: peaks merged into every reader's slot,
    /// then a snapshot carrying the same interval's peaks published.
    struct Meter {
        board: Arc<Board>,
        slots: Vec<Arc<ReaderSlot>>,
        seq: u64,
        template: Snapshot,
    }

    impl Meter {
        fn new() -> Self {
            let bank = crate::meter::MeterBank::new(
                CHANNELS,
                48_000,
                &crate::meter::MeterConfig::default(),
            )
            .expect("meter bank");
            let template = Snapshot {
                seq: 0,
                t_s: 0.0,
                state: crate::snapshot::StreamState::Running,
                source: crate::snapshot::SourceInfo {
                    channels: CHANNELS,
                    sample_rate: 48_000,
                    ..Default::default()
                },
                dropped_frames: 0,
                xruns: 0,
                channels: (0..CHANNELS)
                    .map(|c| ChannelSnapshot {
                        channel: c + 1,
                        readings: bank.readings(c),
                        warnings: Vec::new(),
                        history: Arc::from(Vec::new()),
                    })
                    .collect(),
                log: Default::default(),
                checkpoints: Default::default(),
                events: Arc::from(Vec::new()),
                takes: Arc::from(Vec::new()),
                takes_pending: false,
                open_take: None,
            };
            Self {
                board: Arc::new(Board::new(CHANNELS)),
                slots: Vec::new(),
                seq: 0,
                template,
            }
        }

        /// One publish whose interval peaked at `peaks` (linear: sample, true per channel).
        fn publish(&mut self, peaks: &[(f64, f64)]) {
            self.board.take_joining(&mut self.slots);
            for slot in &self.slots {
                for (c, (s, t)) in peaks.iter().enumerate() {
                    slot.merge(c, *s, *t);
                }
            }
            self.seq += 1;
            let mut snapshot = self.template.clone();
            snapshot.seq = self.seq;
            for (ch, (s, t)) in snapshot.channels.iter_mut().zip(peaks) {
                ch.readings.sample_peak_dbfs = amplitude_to_db(*s);
                ch.readings.true_peak_dbtp = amplitude_to_db(*t);
            }
            assert!(self.board.try_publish(Arc::new(snapshot)));
        }
    }

    fn infos() -> Arc<Vec<ChannelInfo>> {
        Arc::new(
            (1..=CHANNELS)
                .map(|channel| ChannelInfo {
                    channel,
                    name: format!("Input {channel}"),
                    preset: "default",
                    target_dbtp: -12.0,
                    hot_dbtp: -6.0,
                    low_dbtp: -40.0,
                })
                .collect(),
        )
    }

    /// A client under test and the independent truth for it: its own reader, read at the
    /// moments the client takes a frame.
    struct Client {
        follower: Follower,
        truth: SnapshotReader,
        format: Format,
        /// Chance it takes a given tick's frame (else its previous one is still on its way).
        takes: f64,
        shared: usize,
        own: usize,
    }

    /// The sample and true peak of `channel` (from 0) in a frame, as its reader would see it.
    fn frame_peaks(format: Format, frame: &str, channel: usize) -> (Option<f64>, Option<f64>) {
        let v: serde_json::Value = serde_json::from_str(frame).expect("frame is JSON");
        match format {
            Format::Json => {
                let c = &v["channels"][channel];
                (c["sample_peak_dbfs"].as_f64(), c["true_peak_dbtp"].as_f64())
            }
            Format::Compact => {
                let c = &v["c"][channel];
                (c[0].as_f64(), c[1].as_f64())
            }
        }
    }

    fn expected(format: Format, level_db: f64) -> Option<f64> {
        let v = db(level_db)?;
        Some(match format {
            Format::Json => v,
            Format::Compact => (v * 10.0).round() / 10.0,
        })
    }

    #[test]
    fn every_client_gets_the_maxima_since_its_own_previous_frame_as_its_own_reader_would() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut meter = Meter::new();
        let ticks = Ticks::new(Duration::from_millis(33));
        let mut tick_reader = SnapshotReader::new(Arc::clone(&meter.board));
        let new_client = |meter: &Meter, ticks: &Ticks, format: Format, takes: f64| Client {
            follower: Follower::new(format, ticks.latest()),
            truth: SnapshotReader::new(Arc::clone(&meter.board)),
            format,
            takes,
            shared: 0,
            own: 0,
        };
        let mut clients: Vec<Client> = [
            (Format::Json, 1.0),
            (Format::Compact, 1.0),
            (Format::Json, 0.7),
            (Format::Compact, 0.5),
            (Format::Json, 0.2),
        ]
        .into_iter()
        .map(|(f, p)| new_client(&meter, &ticks, f, p))
        .collect();
        let mut checked = 0;
        for step in 0..3000 {
            if step == 1000 {
                // One that comes mid-session: owed only what came after.
                clients.push(new_client(&meter, &ticks, Format::Json, 0.6));
            }
            // 0 to 3 publishes between two ticks; peaks mostly quiet, some loud, some silent.
            for _ in 0..(rng.next() % 4) {
                let peaks: Vec<(f64, f64)> = (0..CHANNELS)
                    .map(|_| {
                        let r = rng.unit();
                        let s = if r < 0.1 {
                            0.0
                        } else if r < 0.8 {
                            0.01 + 0.01 * rng.unit()
                        } else {
                            rng.unit()
                        };
                        (s, s * (1.0 + 0.2 * rng.unit()))
                    })
                    .collect();
                meter.publish(&peaks);
            }
            let Some((snapshot, merged)) = tick_reader.read_shared() else {
                continue;
            };
            let now = ticks.advance(snapshot, merged, infos());
            for client in &mut clients {
                if rng.unit() >= client.takes {
                    continue;
                }
                let messages = client
                    .follower
                    .messages(&ticks, &now)
                    .expect("within the history");
                let frame = messages.last().expect("a frame");
                let shared = match client.format {
                    Format::Json => now.json(),
                    Format::Compact => now.compact(),
                };
                if frame.as_str().as_ptr() == shared.as_str().as_ptr() {
                    client.shared += 1;
                } else {
                    client.own += 1;
                }
                let truth = client.truth.read().expect("published");
                for c in 0..CHANNELS {
                    let r = &truth.channels[c].readings;
                    assert_eq!(
                        frame_peaks(client.format, frame.as_str(), c),
                        (
                            expected(client.format, r.sample_peak_dbfs),
                            expected(client.format, r.true_peak_dbtp)
                        ),
                        "step {step}, channel {c}, a client taking {} of the frames",
                        client.takes
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 20_000, "{checked} readings checked");
        for client in &clients {
            assert!(client.shared > 100, "shared frames: {}", client.shared);
            if client.takes < 1.0 {
                // The catch-up path ran, both ways.
                assert!(client.own > 50, "own frames: {}", client.own);
            } else {
                assert_eq!(
                    client.own, 0,
                    "a client that takes every frame shares them all"
                );
            }
        }
    }

    #[test]
    fn a_client_further_behind_than_the_history_has_stalled() {
        let mut meter = Meter::new();
        // One frame a second: ten ticks of history.
        let ticks = Ticks::new(Duration::from_secs(1));
        let mut tick_reader = SnapshotReader::new(Arc::clone(&meter.board));
        let mut behind = Follower::new(Format::Json, None);
        let mut just_in = Follower::new(Format::Json, None);
        let mut now = None;
        for n in 1..=12 {
            meter.publish(&[(0.5, 0.5); CHANNELS]);
            let (snapshot, merged) = tick_reader.read_shared().expect("published");
            let tick = ticks.advance(snapshot, merged, infos());
            if n == 1 {
                assert!(behind.messages(&ticks, &tick).is_some());
            }
            if n == 2 {
                assert!(just_in.messages(&ticks, &tick).is_some());
            }
            now = Some(tick);
        }
        let now = now.expect("ticks");
        assert_eq!(now.n, 12);
        // Owed ticks 2 to 12, eleven: the history holds the latest ten.
        assert!(behind.messages(&ticks, &now).is_none());
        // Owed ticks 3 to 12: all there.
        let caught_up = just_in.messages(&ticks, &now).expect("within the history");
        assert_eq!(
            caught_up.last().map(Utf8Bytes::as_str),
            Some(now.json().as_str())
        );
    }
}
