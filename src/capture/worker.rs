//! The meter thread: pops whole frames from the ring, drives the meter bank, folds in the
//! callback's exact clip counts and publishes snapshots about 60 times a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant, SystemTime};

use ringbuf::HeapCons;
use ringbuf::traits::{Consumer, Observer};

use super::publish::{Board, ReaderSlot};
use super::session::MeterCommand;
use super::shared::Shared;
use crate::advisor::LogEventKind;
use crate::advisor::{
    LiveAdvisor, LiveConfig, LogEntry, LogWriter, Presets, RecentEvents, SourcePreset, Warning,
};
use crate::meter::level::amplitude_to_db;
use crate::meter::{ChannelReadings, MeterBank, MeterConfig, MeterError};
use crate::snapshot::{ChannelSnapshot, Snapshot, SourceInfo, StreamState};
use crate::takes::burst::Burst;
use crate::takes::checkpoint::{CHECKPOINT_S, CheckpointTarget};
use crate::takes::keeper::Keeper;
use crate::takes::{
    AutoTakeConfig, BlockReading, BurstDetector, TakeReport, TakeSpan, TakeTracker,
};

/// Time between publishes: about 60 per second.
pub const PUBLISH_INTERVAL: Duration = Duration::from_micros(16_667);
/// Time between refreshes of the 60 s history copies: 20 Hz, the history's own resolution.
pub const HISTORY_INTERVAL: Duration = Duration::from_millis(50);
/// Time between the advisor's judgements: 20 Hz. Its holds and sustains last seconds, and it
/// sees every peak between judgements; judging at the publish rate was a tenth of the meter
/// thread at 32 channels.
pub const ADVISE_INTERVAL: Duration = Duration::from_millis(50);
/// Shortest sleep when the ring is empty: a publish due sooner is waited for this long.
pub const MIN_SLEEP: Duration = Duration::from_micros(100);

/// How long the meter thread sleeps when the ring is empty: until the next publish is due.
/// Readers see the meters only at a publish, and the meter thread drains the ring right
/// before each, so waking between publishes brings nothing to a reader sooner; the ring holds
/// a second. Waking every 4 ms for the demo's 10 ms blocks (241 wake-ups a second) cost about
/// as much in context switches as metering 32 channels.
pub fn sleep_until_publish(last_publish: Option<Instant>, now: Instant) -> Duration {
    last_publish
        .map_or(Duration::ZERO, |t| {
            (t + PUBLISH_INTERVAL).saturating_duration_since(now)
        })
        .clamp(MIN_SLEEP, PUBLISH_INTERVAL)
}

/// Everything the meter thread owns.
pub struct MeterWorker {
    bank: MeterBank,
    channels: usize,
    consumer: HeapCons<f32>,
    /// A rebuilt stream (after device loss) brings a new ring.
    next_consumer: Receiver<HeapCons<f32>>,
    commands: Receiver<MeterCommand>,
    shared: Arc<Shared>,
    board: Arc<Board>,
    source: SourceInfo,
    /// Whole frames popped at once, at most one meter block.
    buf: Vec<f32>,
    slots: Vec<Arc<ReaderSlot>>,
    /// Peaks since the previous publish, linear.
    interval_sample: Vec<f64>,
    interval_true: Vec<f64>,
    /// Callback counts at the latest reset, subtracted from its cumulative counts.
    baseline: Vec<(u64, u64)>,
    /// Shared with every snapshot published until the next refresh (every 50 ms): copying
    /// 60 s of history per channel into each of 60 snapshots a second was pure waste.
    histories: Vec<Arc<[f32]>>,
    last_history: Option<Instant>,
    last_publish: Option<Instant>,
    last_advice: Option<Instant>,
    /// Peaks since the advisor's previous judgement, linear.
    advice_sample: Vec<f64>,
    advice_true: Vec<f64>,
    seq: u64,
    /// Per-channel source presets, for the advisor.
    presets: Vec<SourcePreset>,
    /// The table `SetPreset` looks presets up in (built-ins plus the user's edits).
    preset_table: Presets,
    advisor: LiveAdvisor,
    /// Per-channel warnings as of the latest publish.
    warnings: Vec<Vec<Warning>>,
    /// Per-channel readings of the latest publish, reused so publishing does not allocate
    /// them anew 60 times a second.
    readings: Vec<ChannelReadings>,
    /// Where advisor events go (a queue to the log's own thread); `None` when logging is off.
    log: Option<LogWriter>,
    /// Channel names for the log ("Input 3" unless a template names it).
    names: Vec<String>,
    /// The latest advisor events, and a copy of them for readers to show (the GUI's log
    /// panel), rebuilt only when an event happens, so publishing shares it for the cost of a
    /// count.
    recent_events: RecentEvents<LogEntry>,
    shown_events: Arc<[LogEntry]>,
    /// Frames metered since the stream started: the clock takes are marked in.
    metered: u64,
    /// Takes: fed every metered block (see `crate::takes` for why here).
    takes: TakeTracker,
    /// The tracker's finished reports, shared with every snapshot until the next take ends,
    /// and how many takes had ended when it was taken.
    take_reports: Arc<[TakeReport]>,
    take_reports_ended: usize,
    /// Clip bursts over the whole session, per channel: the log gets one entry per burst.
    bursts: Vec<BurstDetector>,
    /// Bursts that have ended and are not yet logged, with their channel index.
    ended_bursts: Vec<(usize, Burst)>,
    /// The take whose start is logged, and how many ended takes are.
    logged_open_take: Option<usize>,
    logged_reports: usize,
    /// Builds take reports and writes checkpoints off this thread; `None`: built here.
    keeper: Option<Keeper>,
}

/// How long a stopping session waits for the session log's last entries to reach the disk.
pub const LOG_CLOSE_PATIENCE: Duration = Duration::from_secs(2);
/// How long a stopping session waits for the keeper's last take reports (the last snapshot
/// carries them) and its last checkpoint.
pub const KEEPER_PATIENCE: Duration = Duration::from_secs(5);

/// Advisor events a snapshot carries.
pub const RECENT_EVENTS: usize = 100;

/// The channels that talk to a running worker.
pub struct WorkerInputs {
    pub consumer: HeapCons<f32>,
    pub next_consumer: Receiver<HeapCons<f32>>,
    pub commands: Receiver<MeterCommand>,
}

impl std::fmt::Debug for MeterWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeterWorker")
            .field("source", &self.source)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WorkerInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerInputs").finish_non_exhaustive()
    }
}

impl MeterWorker {
    pub fn new(
        source: SourceInfo,
        meter: &MeterConfig,
        presets: &[SourcePreset],
        inputs: WorkerInputs,
        shared: Arc<Shared>,
        board: Arc<Board>,
    ) -> Result<Self, MeterError> {
        let channels = source.channels;
        let bank = MeterBank::new(channels, source.sample_rate, meter)?;
        let block = meter.max_block_frames.max(1);
        let mut presets = presets.to_vec();
        presets.resize(channels, SourcePreset::Generic);
        let readings = (0..channels).map(|c| bank.readings(c)).collect();
        let preset_table = Presets::default();
        let hot: Vec<f64> = presets
            .iter()
            .map(|p| preset_table.get(*p).hot_dbtp)
            .collect();
        let takes = TakeTracker::new(channels, source.sample_rate, &hot, &[]);
        let bursts = vec![BurstDetector::new(source.sample_rate); channels];
        let advisor = LiveAdvisor::new(
            presets.iter().map(|p| preset_table.get(*p)).collect(),
            source.sample_rate,
            LiveConfig::default(),
        );
        Ok(Self {
            bank,
            channels,
            consumer: inputs.consumer,
            next_consumer: inputs.next_consumer,
            commands: inputs.commands,
            shared,
            board,
            source,
            buf: vec![0.0; block * channels],
            slots: Vec::new(),
            interval_sample: vec![0.0; channels],
            interval_true: vec![0.0; channels],
            baseline: vec![(0, 0); channels],
            histories: vec![Arc::from([]); channels],
            last_history: None,
            last_publish: None,
            last_advice: None,
            advice_sample: vec![0.0; channels],
            advice_true: vec![0.0; channels],
            seq: 0,
            presets,
            preset_table,
            advisor,
            warnings: vec![Vec::new(); channels],
            readings,
            log: None,
            names: (1..=channels).map(|c| format!("Input {c}")).collect(),
            recent_events: RecentEvents::new(RECENT_EVENTS),
            shown_events: Arc::from(Vec::new()),
            metered: 0,
            takes,
            take_reports: Arc::from(Vec::new()),
            take_reports_ended: 0,
            bursts,
            ended_bursts: Vec::with_capacity(channels * 4),
            logged_open_take: None,
            logged_reports: 0,
            keeper: None,
        })
    }

    /// Builds take reports on a keeper thread of its own, which also checkpoints the running
    /// take every [`CHECKPOINT_S`] of stream time to `checkpoints` when given. When that
    /// thread cannot start, reports are built here as before and nothing is checkpointed.
    #[must_use]
    pub fn with_keeper(mut self, checkpoints: Option<CheckpointTarget>) -> Self {
        if let Ok(keeper) = Keeper::spawn(checkpoints) {
            self.takes.defer_reports(true);
            self.keeper = Some(keeper);
        }
        self
    }

    /// Judges with `table` (the user's edited presets) and `live` instead of the defaults,
    /// names channels after `names` where given, and records advisor events in `log`.
    #[must_use]
    pub fn with_advice(
        mut self,
        table: Presets,
        live: LiveConfig,
        names: &[String],
        log: Option<LogWriter>,
    ) -> Self {
        self.advisor = LiveAdvisor::new(
            self.presets.iter().map(|p| table.get(*p)).collect(),
            self.source.sample_rate,
            live,
        );
        self.preset_table = table;
        for (slot, name) in self.names.iter_mut().zip(names) {
            if !name.trim().is_empty() {
                slot.clone_from(name);
            }
        }
        self.log = log;
        for c in 0..self.channels {
            self.takes
                .set_hot(c, self.preset_table.get(self.presets[c]).hot_dbtp);
            self.takes.rename(c, &self.names[c]);
        }
        self
    }

    /// Marks `spans` (stream seconds) as takes; each starts and ends on its exact frame.
    /// `auto`: takes also start and end by the level ([`crate::takes::auto`]).
    #[must_use]
    pub fn with_takes(mut self, spans: &[TakeSpan], auto: Option<AutoTakeConfig>) -> Self {
        self.takes.schedule(spans);
        self.takes.set_auto(auto, 0);
        self
    }

    /// Runs until `stop`; publishes even when no audio arrives, so state changes show.
    pub fn run(mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::Acquire) {
            let worked = self.step();
            if !worked
                && self.shared.state() == StreamState::Finished
                && self.consumer.occupied_len() < self.channels
            {
                // A file has played out and its last frames are metered: an open take and
                // clip burst end with it, and later takes never start.
                if self.takes.pending() {
                    self.takes.finish(self.metered);
                }
                self.end_bursts();
            }
            let now = Instant::now();
            self.publish_if_due(now);
            if !worked {
                std::thread::sleep(sleep_until_publish(self.last_publish, now));
            }
        }
        self.takes.finish(self.metered);
        self.end_bursts();
        self.collect_reports(Some(KEEPER_PATIENCE));
        self.log_takes_and_bursts();
        // The last entries out before the last snapshot, which then counts what the disk
        // did not take: waiting here holds up no metering, only the stop.
        if let Some(log) = self.log.as_mut() {
            log.close_within(LOG_CLOSE_PATIENCE);
        }
        self.publish();
    }

    /// Every open clip burst ends here (the stream ended).
    fn end_bursts(&mut self) {
        for (c, d) in self.bursts.iter_mut().enumerate() {
            if let Some(b) = d.finish() {
                self.ended_bursts.push((c, b));
            }
        }
    }

    /// Applies pending commands and meters every whole frame in the ring. Returns whether
    /// any audio was metered.
    pub fn step(&mut self) -> bool {
        // At most a queue's worth: senders refilling it as fast as it drains must not keep
        // this thread from metering.
        for _ in 0..super::commander::COMMAND_QUEUE {
            match self.commands.try_recv() {
                Ok(cmd) => self.apply(cmd),
                Err(_) => break,
            }
        }
        let mut worked = false;
        self.takes.advance_to(self.metered);
        // Only what is in the ring now: a source that outruns the meter must not keep this
        // loop from returning, or nothing would be published.
        let mut budget = self.consumer.occupied_len();
        loop {
            let ch = self.channels;
            let mut frames =
                (self.consumer.occupied_len().min(budget) / ch).min(self.buf.len() / ch);
            // A take starts, ends or is checkpointed on its exact frame: meter up to it and
            // no further.
            let boundary = match (
                self.takes.next_boundary(self.metered),
                self.next_checkpoint(),
            ) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(b) = boundary {
                frames = frames.min(usize::try_from(b - self.metered).unwrap_or(usize::MAX));
            }
            let n = frames * ch;
            if n == 0 {
                if self.consumer.occupied_len() >= ch {
                    break;
                }
                // The old ring is drained; only now can a rebuilt stream's ring take over.
                match self.next_consumer.try_recv() {
                    Ok(next) => {
                        self.consumer = next;
                        budget = self.consumer.occupied_len();
                        continue;
                    }
                    Err(_) => break,
                }
            }
            let got = self.consumer.pop_slice(&mut self.buf[..n]);
            budget -= got;
            self.meter(got);
            self.checkpoint_if_due();
            worked = true;
        }
        worked
    }

    fn meter(&mut self, samples: usize) {
        // One call of at most one meter block per channel: the block readings then cover
        // exactly these samples, so no peak falls between two reads.
        self.bank.process_interleaved(&self.buf[..samples]);
        for c in 0..self.channels {
            let (s, t) = self.bank.meter(c).block_peaks();
            self.interval_sample[c] = self.interval_sample[c].max(s);
            self.interval_true[c] = self.interval_true[c].max(t);
        }
        let frames = (samples / self.channels.max(1)) as u64;
        let loudest = (0..self.channels)
            .map(|c| self.bank.meter(c).block_peaks().0)
            .fold(0.0, f64::max);
        // Before the channels: an automatic take may begin with this very block.
        self.takes.auto_block(self.metered, frames, loudest);
        for c in 0..self.channels {
            let meter = self.bank.meter(c);
            let (sample_peak, true_peak) = meter.block_peaks();
            let reading = BlockReading {
                sample_peak,
                true_peak,
                clips: meter.block_clips(),
                gating: meter.latest_gating(),
            };
            self.takes.block(c, self.metered, frames, &reading);
            if let Some((clipped, overs, first, last)) = reading.clips {
                let ended = self.bursts[c].clips(
                    self.metered + u64::from(first),
                    self.metered + u64::from(last),
                    (clipped, overs),
                    sample_peak,
                    true_peak,
                );
                self.ended_bursts.extend(ended.map(|b| (c, b)));
            }
        }
        self.metered += frames;
        for (c, d) in self.bursts.iter_mut().enumerate() {
            if let Some(b) = d.quiet_until(self.metered) {
                self.ended_bursts.push((c, b));
            }
        }
        self.takes.advance_to(self.metered);
    }

    /// The frame after now at which the open take is next checkpointed: every
    /// [`CHECKPOINT_S`] from its start. `None` without a take or a place for checkpoints.
    fn next_checkpoint(&self) -> Option<u64> {
        if !self.keeper.as_ref().is_some_and(Keeper::checkpoints) {
            return None;
        }
        let (_, _, start) = self.takes.open_take()?;
        let every = CHECKPOINT_S * u64::from(self.source.sample_rate.max(1));
        let since = self.metered.checked_sub(start)?;
        Some(start + (since / every + 1) * every)
    }

    /// At a checkpoint frame of the open take, a copy of it goes to the keeper (which writes
    /// it). The copy is the only allocation here, once per checkpoint; a keeper still busy
    /// with the previous checkpoint skips this one.
    fn checkpoint_if_due(&mut self) {
        let Some(keeper) = self.keeper.as_ref().filter(|k| k.checkpoints()) else {
            return;
        };
        let Some((_, _, start)) = self.takes.open_take() else {
            return;
        };
        let every = CHECKPOINT_S * u64::from(self.source.sample_rate.max(1));
        let since = self.metered.saturating_sub(start);
        if since == 0 || !since.is_multiple_of(every) {
            return;
        }
        if keeper.ready_for_checkpoint() {
            if let Some(state) = self.takes.checkpoint(self.metered) {
                keeper.checkpoint(state);
            }
        } else {
            // Counted as a failed checkpoint, not waited for.
            keeper.checkpoint_skipped();
        }
    }

    /// Hands ended takes to the keeper and files the reports it has built; with `patience`
    /// (the session is ending), waits up to that for every report still being built.
    fn collect_reports(&mut self, patience: Option<Duration>) {
        let Some(keeper) = self.keeper.as_ref() else {
            return;
        };
        let mut inline = Vec::new();
        for state in self.takes.drain_ended() {
            if let Some(state) = keeper.ended(state) {
                inline.push(state.report());
            }
        }
        for report in inline {
            self.takes.add_report(report);
        }
        while let Some(r) = keeper.try_report() {
            self.takes.add_report(r);
        }
        if let Some(patience) = patience {
            let deadline = Instant::now() + patience;
            while self.takes.building() > 0 {
                let left = deadline.saturating_duration_since(Instant::now());
                match keeper.report_within(left) {
                    Some(r) => self.takes.add_report(r),
                    None => break,
                }
            }
        }
    }

    fn apply(&mut self, cmd: MeterCommand) {
        match cmd {
            MeterCommand::ResetAll => {
                self.bank.reset();
                for c in 0..self.channels {
                    self.reset_counts(c);
                }
            }
            MeterCommand::ResetChannel(c) if c < self.channels => {
                self.bank.reset_channel(c);
                self.reset_counts(c);
            }
            MeterCommand::SetPreset(c, preset) if c < self.channels => {
                self.presets[c] = preset;
                self.advisor.set_params(c, self.preset_table.get(preset));
                self.takes
                    .set_hot(c, self.preset_table.get(preset).hot_dbtp);
            }
            MeterCommand::SetPresetTable(table) => {
                self.preset_table = table;
                for c in 0..self.channels {
                    let params = self.preset_table.get(self.presets[c]);
                    self.takes.set_hot(c, params.hot_dbtp);
                    self.advisor.set_params(c, params);
                }
            }
            MeterCommand::Rename(c, name) if c < self.channels => {
                if self.names.len() <= c {
                    self.names.resize(c + 1, String::new());
                }
                self.takes.rename(c, &name);
                self.names[c] = name;
            }
            MeterCommand::SetProgramme(on) => self.bank.set_programme(on),
            MeterCommand::StartTake(name) => self.takes.start(&name, self.metered),
            MeterCommand::StopTake => self.takes.stop(self.metered),
            MeterCommand::ToggleTake(name) => self.takes.toggle(&name, self.metered),
            MeterCommand::AutoTakes(config) => self.takes.set_auto(config, self.metered),
            MeterCommand::GainChanged(what) => self.takes.note_gain_change(&what),
            MeterCommand::Checkpoints(target) => {
                if let Some(keeper) = self.keeper.as_mut() {
                    keeper.set_target(target);
                }
            }
            MeterCommand::ResetChannel(_)
            | MeterCommand::SetPreset(..)
            | MeterCommand::Rename(..) => {}
        }
    }

    fn reset_counts(&mut self, c: usize) {
        let counts = &self.shared.channels[c];
        self.baseline[c] = (
            counts.clipped.load(Ordering::Relaxed),
            counts.overs.load(Ordering::Relaxed),
        );
        // A max cannot be rebased; from here on the bank's own longest run (reset with it)
        // and any new record from the callback make up the value.
        counts.longest_run.store(0, Ordering::Relaxed);
        self.interval_sample[c] = 0.0;
        self.interval_true[c] = 0.0;
        self.advice_sample[c] = 0.0;
        self.advice_true[c] = 0.0;
        self.histories[c] = Arc::from([]);
        // Unlatches the clip warning; the cleared warning shows on the next publish.
        self.advisor.reset(c);
    }

    pub fn publish_if_due(&mut self, now: Instant) {
        if self
            .last_publish
            .is_none_or(|t| now - t >= PUBLISH_INTERVAL)
        {
            self.last_publish = Some(now);
            let advise = self.last_advice.is_none_or(|t| now - t >= ADVISE_INTERVAL);
            if advise {
                self.last_advice = Some(now);
            }
            self.publish_with(advise);
        }
    }

    /// Turns this publish's readings into warnings (the advisor keeps the hysteresis) and
    /// writes what changed to the session log.
    fn advise(&mut self, now_s: f64) {
        for c in 0..self.channels {
            // The block peaks it judges are those since its last judgement, not this
            // publish's: no peak falls between two.
            let readings = ChannelReadings {
                sample_peak_dbfs: amplitude_to_db(self.advice_sample[c]),
                true_peak_dbtp: amplitude_to_db(self.advice_true[c]),
                ..self.readings[c]
            };
            self.advice_sample[c] = 0.0;
            self.advice_true[c] = 0.0;
            let shown = self.advisor.update(now_s, c, &readings);
            // Warnings change rarely: only then does the list get rebuilt.
            if self.warnings[c] != shown {
                self.warnings[c].clear();
                self.warnings[c].extend_from_slice(shown);
            }
            self.takes.warnings(c, &self.warnings[c]);
        }
        let events = self.advisor.drain_events();
        if events.is_empty() {
            return;
        }
        let mut entries = Vec::with_capacity(events.len());
        // Clips are logged once per burst (`log_takes_and_bursts`), not per judgement.
        for ev in events.into_iter().filter(|e| e.event != LogEventKind::Clip) {
            let name = ev
                .channel
                .checked_sub(1)
                .and_then(|c| self.names.get(c))
                .filter(|n| !n.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| format!("Input {}", ev.channel));
            entries.push(LogEntry::new(
                SystemTime::now(),
                &name,
                ev.level_dbtp.unwrap_or(f64::NEG_INFINITY),
                &ev,
            ));
        }
        self.record(entries);
    }

    /// Logs clip bursts that have ended and takes that started or ended since the previous
    /// publish; allocates only when there is one.
    fn log_takes_and_bursts(&mut self) {
        let open = self.takes.open_take().map(|(n, _, _)| n);
        if self.ended_bursts.is_empty()
            && open == self.logged_open_take
            && self.logged_reports == self.takes.ended()
        {
            return;
        }
        let now = SystemTime::now();
        let rate = self.source.sample_rate;
        let mut entries = Vec::new();
        // Ends first, then starts: touching takes read in order.
        let reports = self.takes.reports();
        let new = (self.takes.ended() - self.logged_reports).min(reports.len());
        for take in &reports[reports.len() - new..] {
            let end = (take.end_s * f64::from(rate)).round() as u64;
            let at = crate::takes::log::wall_time(now, self.metered, end, rate);
            entries.push(crate::takes::log::take_end_entry(at, take));
        }
        self.logged_reports = self.takes.ended();
        if let Some((number, name, start)) = self.takes.open_take()
            && self.logged_open_take != Some(number)
        {
            let at = crate::takes::log::wall_time(now, self.metered, start, rate);
            let stream_s = start as f64 / f64::from(rate.max(1));
            entries.push(crate::takes::log::take_start_entry(at, name, stream_s));
        }
        self.logged_open_take = open;
        for (c, b) in self.ended_bursts.drain(..) {
            let at = crate::takes::log::wall_time(now, self.metered, b.start, rate);
            let name = self
                .names
                .get(c)
                .filter(|n| !n.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| format!("Input {}", c + 1));
            entries.push(crate::takes::log::burst_entry(at, c + 1, &name, &b, rate));
        }
        entries.sort_by(|a, b| a.time.cmp(&b.time));
        self.record(entries);
    }

    /// Writes `entries` to the session log and keeps them for readers; the readers' copy is
    /// rebuilt only when there is something new.
    fn record(&mut self, entries: Vec<LogEntry>) {
        if entries.is_empty() {
            return;
        }
        for entry in entries {
            // Never waits: an entry the writer cannot take is counted, and the count published.
            if let Some(log) = &self.log {
                log.submit(entry.clone());
            }
            self.recent_events.push(entry);
        }
        self.shown_events = self.recent_events.iter().cloned().collect();
    }

    /// Publishes a snapshot with the advisor's judgement of it.
    pub fn publish(&mut self) {
        self.last_advice = Some(Instant::now());
        self.publish_with(true);
    }

    /// Publishes a snapshot; the advisor judges it only if `advise`, else its warnings stand.
    fn publish_with(&mut self, advise: bool) {
        let now = Instant::now();
        if self
            .last_history
            .is_none_or(|t| now - t >= HISTORY_INTERVAL)
        {
            self.last_history = Some(now);
            for (c, h) in self.histories.iter_mut().enumerate() {
                *h = self.bank.meter(c).peak_history().collect();
            }
        }
        // One clock: the frames metered, the one takes, bursts and checkpoints are marked
        // in. The callback's count also holds frames dropped when the ring was full, so a
        // reader comparing a take's start with `t_s` would drift after every drop.
        let t_s = self.metered as f64 / f64::from(self.source.sample_rate.max(1));
        self.board.take_joining(&mut self.slots);
        self.slots.retain(|s| Arc::strong_count(s) > 1);
        for slot in &self.slots {
            for c in 0..self.channels {
                slot.merge(c, self.interval_sample[c], self.interval_true[c]);
            }
        }
        for c in 0..self.channels {
            let mut readings = self.bank.readings(c);
            // The highest since the previous publish: no programme meter's peak is lost
            // between two.
            readings.programme = self.bank.take_programme(c);
            let counts = &self.shared.channels[c];
            readings.sample_peak_dbfs = amplitude_to_db(self.interval_sample[c]);
            readings.true_peak_dbtp = amplitude_to_db(self.interval_true[c]);
            self.advice_sample[c] = self.advice_sample[c].max(self.interval_sample[c]);
            self.advice_true[c] = self.advice_true[c].max(self.interval_true[c]);
            readings.clipped_samples = counts.clipped.load(Ordering::Relaxed) - self.baseline[c].0;
            readings.overs = counts.overs.load(Ordering::Relaxed) - self.baseline[c].1;
            readings.longest_clip_run = u32::try_from(counts.longest_run.load(Ordering::Relaxed))
                .unwrap_or(u32::MAX)
                .max(readings.longest_clip_run);
            self.readings[c] = readings;
        }
        // After the callback's counts are folded in: the advisor judges what is published.
        if advise {
            self.advise(t_s);
        }
        let channels = (0..self.channels)
            .map(|c| ChannelSnapshot {
                channel: c + 1,
                readings: self.readings[c],
                warnings: self.warnings[c].clone(),
                history: Arc::clone(&self.histories[c]),
            })
            .collect();
        self.interval_sample.fill(0.0);
        self.interval_true.fill(0.0);
        self.collect_reports(None);
        if self.take_reports_ended != self.takes.ended() {
            // Only when a take has ended.
            self.take_reports = Arc::from(self.takes.reports());
            self.take_reports_ended = self.takes.ended();
        }
        self.log_takes_and_bursts();
        self.seq += 1;
        let snapshot = Snapshot {
            seq: self.seq,
            t_s,
            state: self.shared.state(),
            source: self.source.clone(),
            dropped_frames: self.shared.dropped_frames.load(Ordering::Relaxed),
            xruns: self.shared.xruns.load(Ordering::Relaxed),
            channels,
            log: self.log.as_mut().map(LogWriter::health).unwrap_or_default(),
            checkpoints: self.keeper.as_mut().map(Keeper::health).unwrap_or_default(),
            events: Arc::clone(&self.shown_events),
            takes: Arc::clone(&self.take_reports),
            takes_pending: self.takes.pending(),
            open_take: self.takes.open_info(),
        };
        self.board.try_publish(Arc::new(snapshot));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meter_thread_sleeps_until_the_next_publish() {
        let t = Instant::now();
        // 5 ms after a publish: the rest of the interval.
        let rest = sleep_until_publish(Some(t), t + Duration::from_millis(5));
        assert_eq!(rest, PUBLISH_INTERVAL - Duration::from_millis(5));
        // Due or overdue, or never published: the shortest sleep, never a busy loop.
        assert_eq!(
            sleep_until_publish(Some(t), t + PUBLISH_INTERVAL),
            MIN_SLEEP
        );
        assert_eq!(
            sleep_until_publish(Some(t), t + Duration::from_secs(1)),
            MIN_SLEEP
        );
        assert_eq!(sleep_until_publish(None, t), MIN_SLEEP);
        // A clock that went back (a publish "in the future") never sleeps past an interval.
        assert_eq!(
            sleep_until_publish(Some(t + Duration::from_secs(1)), t),
            PUBLISH_INTERVAL
        );
    }
}
