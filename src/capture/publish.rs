//! Snapshots from the meter thread to any number of readers, without ever blocking the meter
//! thread: it only `try_lock`s the board (a busy reader costs one skipped publish, never a
//! wait), and peaks reach each reader through its own lock-free accumulator, so a reader that
//! skips snapshots still sees the max since its previous read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::meter::level::{amplitude_to_db, db_to_amplitude};
use crate::snapshot::Snapshot;

/// One reader's peak maxima since its previous read, per channel: linear amplitude as `f64`
/// bits. Non-negative floats order like their bit patterns, so `fetch_max` is a float max.
#[derive(Debug)]
pub struct ReaderSlot {
    sample_peak: Vec<AtomicU64>,
    true_peak: Vec<AtomicU64>,
}

impl ReaderSlot {
    fn new(channels: usize) -> Self {
        Self {
            sample_peak: (0..channels).map(|_| AtomicU64::new(0)).collect(),
            true_peak: (0..channels).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Called by the meter thread at each publish with the peaks since the previous publish.
    pub fn merge(&self, channel: usize, sample_peak: f64, true_peak: f64) {
        if let (Some(s), Some(t)) = (self.sample_peak.get(channel), self.true_peak.get(channel)) {
            s.fetch_max(sample_peak.max(0.0).to_bits(), Ordering::AcqRel);
            t.fetch_max(true_peak.max(0.0).to_bits(), Ordering::AcqRel);
        }
    }

    fn take(&self, channel: usize) -> (f64, f64) {
        let take =
            |v: Option<&AtomicU64>| v.map_or(0.0, |a| f64::from_bits(a.swap(0, Ordering::AcqRel)));
        (
            take(self.sample_peak.get(channel)),
            take(self.true_peak.get(channel)),
        )
    }
}

/// Where the meter thread leaves snapshots and readers sign up.
#[derive(Debug)]
pub struct Board {
    channels: usize,
    latest: Mutex<Option<Arc<Snapshot>>>,
    /// Readers created since the meter thread last looked.
    joining: Mutex<Vec<Arc<ReaderSlot>>>,
}

impl Board {
    pub fn new(channels: usize) -> Self {
        Self {
            channels,
            latest: Mutex::new(None),
            joining: Mutex::new(Vec::new()),
        }
    }

    /// Meter thread: stores a snapshot unless a reader holds the lock right now.
    pub fn try_publish(&self, snapshot: Arc<Snapshot>) -> bool {
        match self.latest.try_lock() {
            Ok(mut latest) => {
                *latest = Some(snapshot);
                true
            }
            Err(_) => false,
        }
    }

    /// Meter thread: moves newly created readers into `slots`, never waiting.
    pub fn take_joining(&self, slots: &mut Vec<Arc<ReaderSlot>>) {
        if let Ok(mut joining) = self.joining.try_lock() {
            slots.append(&mut joining);
        }
    }

    fn latest(&self) -> Option<Arc<Snapshot>> {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn join(&self) -> Arc<ReaderSlot> {
        let slot = Arc::new(ReaderSlot::new(self.channels));
        self.joining
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&slot));
        slot
    }
}

/// One reader's view of the snapshots; peaks it reads are the maxima since its previous read.
#[derive(Debug)]
pub struct SnapshotReader {
    board: Arc<Board>,
    slot: Arc<ReaderSlot>,
}

impl Clone for SnapshotReader {
    /// A clone is a new, independent reader.
    fn clone(&self) -> Self {
        Self::new(Arc::clone(&self.board))
    }
}

impl SnapshotReader {
    pub fn new(board: Arc<Board>) -> Self {
        let slot = board.join();
        Self { board, slot }
    }

    /// The latest snapshot, with `sample_peak_dbfs` / `true_peak_dbtp` the maxima since this
    /// reader's previous call; `None` before the first publish.
    pub fn read(&mut self) -> Option<Snapshot> {
        let (latest, merged) = self.read_shared()?;
        let mut snapshot = Snapshot::clone(&latest);
        for (ch, peaks) in snapshot.channels.iter_mut().zip(merged) {
            let peaks = peaks.with_published(&ch.readings);
            ch.readings.sample_peak_dbfs = amplitude_to_db(peaks.sample);
            ch.readings.true_peak_dbtp = amplitude_to_db(peaks.true_peak);
        }
        Some(snapshot)
    }

    /// What [`SnapshotReader::read`] reads, uncopied: the latest snapshot as published, and per
    /// channel the peaks merged into this reader since its previous call (not yet combined
    /// with the snapshot's own: [`Peaks::with_published`]). For a server that turns one read
    /// into frames for many clients. `None` before the first publish.
    pub fn read_shared(&mut self) -> Option<(Arc<Snapshot>, Vec<Peaks>)> {
        let latest = self.board.latest()?;
        let merged = (0..latest.channels.len())
            .map(|c| {
                let (sample, true_peak) = self.slot.take(c);
                Peaks { sample, true_peak }
            })
            .collect();
        Some((latest, merged))
    }

    /// The latest snapshot as published, shared and uncopied; its `sample_peak_dbfs` and
    /// `true_peak_dbtp` cover only its own publish interval. For a meter drawn every frame,
    /// whose bar falls from the true peak the meter thread already holds.
    pub fn latest_shared(&self) -> Option<Arc<Snapshot>> {
        self.board.latest()
    }

    /// The board this reader reads: a view that keeps a snapshot between frames can tell
    /// when its input was switched.
    pub fn board(&self) -> &Arc<Board> {
        &self.board
    }
}

/// One channel's sample and true peak maxima over some span, as linear amplitude (0: none).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Peaks {
    pub sample: f64,
    pub true_peak: f64,
}

impl Peaks {
    /// The larger of each.
    pub fn max(self, other: Peaks) -> Peaks {
        Peaks {
            sample: self.sample.max(other.sample),
            true_peak: self.true_peak.max(other.true_peak),
        }
    }

    /// With a snapshot's own peaks, which cover its publish interval: that covers a reader
    /// too new to have been merged into yet.
    pub fn with_published(self, r: &crate::meter::ChannelReadings) -> Peaks {
        self.max(Peaks {
            sample: db_to_amplitude_or_zero(r.sample_peak_dbfs),
            true_peak: db_to_amplitude_or_zero(r.true_peak_dbtp),
        })
    }

    pub fn sample_dbfs(self) -> f64 {
        amplitude_to_db(self.sample)
    }

    pub fn true_peak_dbtp(self) -> f64 {
        amplitude_to_db(self.true_peak)
    }
}

fn db_to_amplitude_or_zero(db: f64) -> f64 {
    if db.is_finite() {
        db_to_amplitude(db)
    } else {
        0.0
    }
}
