//! The meter thread: pops whole frames from the ring, drives the meter bank, folds in the
//! callback's exact clip counts and publishes snapshots about 60 times a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use ringbuf::HeapCons;
use ringbuf::traits::{Consumer, Observer};

use super::publish::{Board, ReaderSlot};
use super::session::MeterCommand;
use super::shared::Shared;
use crate::advisor::{SourcePreset, Warning};
use crate::meter::level::{amplitude_to_db, db_to_amplitude};
use crate::meter::{MeterBank, MeterConfig, MeterError};
use crate::snapshot::{ChannelSnapshot, Snapshot, SourceInfo};

/// Time between publishes: about 60 per second.
pub const PUBLISH_INTERVAL: Duration = Duration::from_micros(16_667);
/// Time between refreshes of the 60 s history copies: 20 Hz, the history's own resolution.
pub const HISTORY_INTERVAL: Duration = Duration::from_millis(50);
/// Sleep when the ring is empty; small against the 20 ms latency budget.
pub const POLL_INTERVAL: Duration = Duration::from_millis(1);

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
    histories: Vec<Vec<f32>>,
    last_history: Option<Instant>,
    last_publish: Option<Instant>,
    seq: u64,
    /// Per-channel source presets, for the advisor.
    presets: Vec<SourcePreset>,
    /// Per-channel warnings. The advisor fills these in `advise`; empty until it lands.
    warnings: Vec<Vec<Warning>>,
}

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
            histories: vec![Vec::new(); channels],
            last_history: None,
            last_publish: None,
            seq: 0,
            presets,
            warnings: vec![Vec::new(); channels],
        })
    }

    /// Runs until `stop`; publishes even when no audio arrives, so state changes show.
    pub fn run(mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::Acquire) {
            let worked = self.step();
            self.publish_if_due(Instant::now());
            if !worked {
                std::thread::sleep(POLL_INTERVAL);
            }
        }
        self.publish();
    }

    /// Applies pending commands and meters every whole frame in the ring. Returns whether
    /// any audio was metered.
    pub fn step(&mut self) -> bool {
        while let Ok(cmd) = self.commands.try_recv() {
            self.apply(cmd);
        }
        let mut worked = false;
        // Only what is in the ring now: a source that outruns the meter must not keep this
        // loop from returning, or nothing would be published.
        let mut budget = self.consumer.occupied_len();
        loop {
            let ch = self.channels;
            let n = (self.consumer.occupied_len().min(budget) / ch).min(self.buf.len() / ch) * ch;
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
            worked = true;
        }
        worked
    }

    fn meter(&mut self, samples: usize) {
        // One call of at most one meter block per channel: the block readings then cover
        // exactly these samples, so no peak falls between two reads.
        self.bank.process_interleaved(&self.buf[..samples]);
        for c in 0..self.channels {
            let r = self.bank.readings(c);
            let s = db_to_linear(r.sample_peak_dbfs);
            let t = db_to_linear(r.true_peak_dbtp);
            self.interval_sample[c] = self.interval_sample[c].max(s);
            self.interval_true[c] = self.interval_true[c].max(t);
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
            MeterCommand::SetPreset(c, preset) if c < self.channels => self.presets[c] = preset,
            MeterCommand::ResetChannel(_) | MeterCommand::SetPreset(..) => {}
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
        self.histories[c].clear();
        self.warnings[c].clear();
    }

    pub fn publish_if_due(&mut self, now: Instant) {
        if self
            .last_publish
            .is_none_or(|t| now - t >= PUBLISH_INTERVAL)
        {
            self.last_publish = Some(now);
            self.publish();
        }
    }

    /// Where the advisor will turn readings and presets into warnings (with hysteresis).
    /// Until it lands every channel's list stays empty.
    fn advise(&mut self) {
        let _ = &self.presets;
    }

    pub fn publish(&mut self) {
        let now = Instant::now();
        if self
            .last_history
            .is_none_or(|t| now - t >= HISTORY_INTERVAL)
        {
            self.last_history = Some(now);
            for (c, h) in self.histories.iter_mut().enumerate() {
                h.clear();
                h.extend(self.bank.meter(c).peak_history());
            }
        }
        self.advise();
        self.board.take_joining(&mut self.slots);
        self.slots.retain(|s| Arc::strong_count(s) > 1);
        for slot in &self.slots {
            for c in 0..self.channels {
                slot.merge(c, self.interval_sample[c], self.interval_true[c]);
            }
        }
        let channels = (0..self.channels)
            .map(|c| {
                let mut readings = self.bank.readings(c);
                let counts = &self.shared.channels[c];
                readings.sample_peak_dbfs = amplitude_to_db(self.interval_sample[c]);
                readings.true_peak_dbtp = amplitude_to_db(self.interval_true[c]);
                readings.clipped_samples =
                    counts.clipped.load(Ordering::Relaxed) - self.baseline[c].0;
                readings.overs = counts.overs.load(Ordering::Relaxed) - self.baseline[c].1;
                readings.longest_clip_run =
                    u32::try_from(counts.longest_run.load(Ordering::Relaxed))
                        .unwrap_or(u32::MAX)
                        .max(readings.longest_clip_run);
                ChannelSnapshot {
                    channel: c + 1,
                    readings,
                    warnings: self.warnings[c].clone(),
                    history: self.histories[c].clone(),
                }
            })
            .collect();
        self.interval_sample.fill(0.0);
        self.interval_true.fill(0.0);
        self.seq += 1;
        let snapshot = Snapshot {
            seq: self.seq,
            t_s: self.shared.frames_in.load(Ordering::Relaxed) as f64
                / f64::from(self.source.sample_rate.max(1)),
            state: self.shared.state(),
            source: self.source.clone(),
            dropped_frames: self.shared.dropped_frames.load(Ordering::Relaxed),
            xruns: self.shared.xruns.load(Ordering::Relaxed),
            channels,
        };
        self.board.try_publish(Arc::new(snapshot));
    }
}

fn db_to_linear(db: f64) -> f64 {
    if db.is_finite() {
        db_to_amplitude(db)
    } else {
        0.0
    }
}
