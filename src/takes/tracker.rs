//! The take tracker: fed every metered block, it keeps each open take's per-input findings
//! and turns them into a [`TakeReport`] when the take ends. Pure: no I/O, no clock; frames in,
//! reports out.

use std::sync::Arc;

use super::auto::{AutoStep, AutoTakeConfig, AutoTaker};
use super::burst::{Burst, BurstDetector, db2};
use super::report::{InputReport, TakeReport, input_verdict, take_verdict};
use super::track::HeadroomTrack;
use super::{MAX_BURSTS, TakeSpan};
use crate::advisor::{Warning, WarningKind};
use crate::meter::gating::{IntegratedLoudness, LoudnessRange};
use crate::meter::level::amplitude_to_db;

/// Every warning kind, in the order a report lists them.
const KINDS: [WarningKind; 8] = [
    WarningKind::Clip,
    WarningKind::Hot,
    WarningKind::Low,
    WarningKind::NoSignal,
    WarningKind::DcOffset,
    WarningKind::Rumble,
    WarningKind::Noisy,
    WarningKind::Loud,
];

/// 100 ms slices in a 400 ms gating block and in a 3 s short-term window.
const SLICES_PER_BLOCK: u64 = 4;
const SLICES_PER_SHORT_TERM: u64 = 30;

/// What one channel's meter saw in one block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BlockReading {
    /// Max |sample| (linear).
    pub sample_peak: f64,
    /// True peak (linear).
    pub true_peak: f64,
    /// `(clipped samples, overs, first, last)`: clips with the offsets of the first and last
    /// clipped frame in the block ([`crate::meter::ChannelMeter::block_clips`]).
    pub clips: Option<(u64, u64, u32, u32)>,
    /// `(slices closed, 400 ms block energy, 3 s energy)`
    /// ([`crate::meter::ChannelMeter::latest_gating`]).
    pub gating: (u64, Option<f64>, Option<f64>),
}

/// One input's state in the open take; everything sized when the take starts.
#[derive(Debug, Clone)]
struct InputTake {
    max_sample: f64,
    max_true: f64,
    clipped: u64,
    overs: u64,
    detector: BurstDetector,
    bursts: Vec<Burst>,
    bursts_not_listed: u64,
    loudness: IntegratedLoudness,
    range: LoudnessRange,
    /// 3 s windows pushed into `range`.
    range_values: u64,
    /// Slices closed as of the previous block: a gating value is taken when this advances.
    slices_seen: Option<u64>,
    /// Slices closed since the take started.
    slices_in_take: u64,
    /// Warning kinds raised during the take, one bit each (index into `KINDS`).
    warnings: u8,
    track: HeadroomTrack,
}

impl InputTake {
    fn new(origin: u64, rate: u32) -> Self {
        Self::with_buffers(
            rate,
            Vec::with_capacity(MAX_BURSTS),
            IntegratedLoudness::new(),
            LoudnessRange::new(),
            HeadroomTrack::new(origin, rate),
        )
    }

    /// The same input's state for a take starting at `origin`, in the buffers this one
    /// holds: nothing allocated.
    fn restart(self, origin: u64, rate: u32) -> Self {
        let Self {
            mut bursts,
            mut loudness,
            mut range,
            mut track,
            ..
        } = self;
        bursts.clear();
        loudness.reset();
        range.reset();
        track.restart(origin, rate);
        Self::with_buffers(rate, bursts, loudness, range, track)
    }

    /// Fresh counts around buffers that are empty (new or cleared).
    fn with_buffers(
        rate: u32,
        bursts: Vec<Burst>,
        loudness: IntegratedLoudness,
        range: LoudnessRange,
        track: HeadroomTrack,
    ) -> Self {
        Self {
            max_sample: 0.0,
            max_true: 0.0,
            clipped: 0,
            overs: 0,
            detector: BurstDetector::new(rate),
            bursts,
            bursts_not_listed: 0,
            loudness,
            range,
            range_values: 0,
            slices_seen: None,
            slices_in_take: 0,
            warnings: 0,
            track,
        }
    }

    /// Bytes this input's state holds on the heap (sized when the take started).
    fn heap_bytes(&self) -> usize {
        self.bursts.capacity() * std::mem::size_of::<Burst>()
            + self.loudness.heap_bytes()
            + self.range.heap_bytes()
            + self.track.heap_bytes()
    }

    fn keep(&mut self, burst: Burst) {
        if self.bursts.len() < MAX_BURSTS {
            self.bursts.push(burst);
        } else {
            self.bursts_not_listed += 1;
        }
    }
}

#[derive(Debug, Clone)]
struct OpenTake {
    number: usize,
    name: Arc<str>,
    start: u64,
    /// Scheduled end, if the take has one.
    end: Option<u64>,
    /// Started by the level ([`super::auto`]), so the quiet ends it.
    auto: bool,
    /// Preamp gains changed before this take started ("gain changed before this take: …").
    gain_changed: Option<String>,
    /// An automatic take whose level has not yet held for the rise time: dropped, not
    /// reported, if it falls before.
    provisional: bool,
    inputs: Vec<InputTake>,
}

/// The open take as readers see it; as `take` in `monitor --json` lines and `/ws` frames.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpenTakeInfo {
    pub number: usize,
    pub name: Arc<str>,
    /// Stream time of its first frame (s).
    pub start_s: f64,
    /// Started by the level, and ends after the quiet.
    pub auto: bool,
}

impl OpenTakeInfo {
    /// "TAKE 3 · Verse · 0:42" at stream time `now_s` ("AUTO TAKE 4 · 1:05" for one started
    /// by the level; a default "Take N" name is not said twice). The remote pages write the
    /// same from their frames.
    pub fn label(&self, now_s: f64) -> String {
        let secs = (now_s - self.start_s).max(0.0).floor() as u64;
        let kind = if self.auto { "AUTO TAKE" } else { "TAKE" };
        let name = if self.name.is_empty() || *self.name == *format!("Take {}", self.number) {
            String::new()
        } else {
            format!(" · {}", self.name)
        };
        format!(
            "{kind} {}{name} · {}:{:02}",
            self.number,
            secs / 60,
            secs % 60
        )
    }
}

/// Tracks takes over a stream of `channels` inputs at `rate`.
#[derive(Debug)]
pub struct TakeTracker {
    rate: u32,
    channels: usize,
    /// Per input: the true peak (dBTP) above which a take is `hot` (the preset's hot level).
    hot_dbtp: Vec<f64>,
    names: Vec<String>,
    /// Scheduled takes not yet started, as (start, end) frames, earliest last.
    schedule: Vec<(u64, u64)>,
    open: Option<OpenTake>,
    /// The last provisional automatic take dropped, kept for the next take to start in: a
    /// level hovering at the threshold would otherwise build and free every input's state
    /// (tens of kB each) on the meter thread at every crossing.
    spare: Option<OpenTake>,
    /// The latest [`MAX_TAKES_KEPT`] reports, oldest first.
    done: Vec<TakeReport>,
    /// Takes ended since the stream started (kept or not).
    ended: usize,
    next_number: usize,
    /// Per input, the warning kinds shown at the latest look (one bit each).
    shown: Vec<u8>,
    /// Automatic takes, when on.
    auto: Option<AutoTaker>,
    /// Preamp gains changed since the last take started, said in the next take's report.
    gain_note: Option<String>,
    /// Reports are built by whoever takes ended takes' state ([`Self::drain_ended`]) and
    /// hands them back ([`Self::add_report`]), not in [`Self::stop`]: the meter thread sends
    /// them to the keeper thread ([`super::keeper`]).
    defer: bool,
    /// Ended takes waiting to be taken, oldest first (only when `defer`).
    ended_states: Vec<TakeState>,
    /// Ended takes whose reports have not come back yet.
    building: usize,
}

/// A take's state as it ended (or as it stood at a checkpoint), with what its report needs:
/// its report can be built on any thread.
#[derive(Debug)]
pub struct TakeState {
    take: OpenTake,
    names: Vec<String>,
    hot_dbtp: Vec<f64>,
    rate: u32,
    end: u64,
    cut_short: bool,
}

impl TakeState {
    /// The take's number.
    pub fn number(&self) -> usize {
        self.take.number
    }

    /// The take's report (allocates its burst lists and tracks).
    pub fn report(self) -> TakeReport {
        build_report(
            self.take,
            &self.names,
            &self.hot_dbtp,
            self.rate,
            self.end,
            self.cut_short,
        )
    }
}

/// Reports the tracker keeps in memory (for snapshots, which readers take new reports from
/// and save); older ones are only in the saved files. Each holds a headroom track and up to
/// [`MAX_BURSTS`] bursts per input, so this bounds memory however many takes a session has:
/// at most `MAX_TAKES_KEPT × channels × (TRACK_POINTS × 2 + MAX_BURSTS × 40)` bytes of
/// tracks and bursts. A reader looking at least once per `MAX_TAKES_KEPT` takes misses none.
pub const MAX_TAKES_KEPT: usize = 16;

impl TakeTracker {
    /// `hot_dbtp` and `names` per input (missing ones: 0 dBTP, "Input N").
    pub fn new(channels: usize, rate: u32, hot_dbtp: &[f64], names: &[String]) -> Self {
        let mut hot = hot_dbtp.to_vec();
        hot.resize(channels, 0.0);
        let names = (0..channels)
            .map(|c| {
                names
                    .get(c)
                    .filter(|n| !n.trim().is_empty())
                    .cloned()
                    .unwrap_or_else(|| format!("Input {}", c + 1))
            })
            .collect();
        Self {
            rate: rate.max(1),
            channels,
            hot_dbtp: hot,
            names,
            schedule: Vec::new(),
            open: None,
            spare: None,
            done: Vec::new(),
            ended: 0,
            next_number: 1,
            gain_note: None,
            shown: vec![0; channels],
            auto: None,
            defer: false,
            ended_states: Vec::new(),
            building: 0,
        }
    }

    /// From now on [`Self::stop`] leaves reports to be built by the caller: see `defer`.
    pub fn defer_reports(&mut self, on: bool) {
        self.defer = on;
    }

    /// The ended takes whose reports are to be built, oldest first: each report goes back
    /// through [`Self::add_report`], in the same order.
    pub fn drain_ended(&mut self) -> std::vec::Drain<'_, TakeState> {
        self.ended_states.drain(..)
    }

    /// Ended takes whose reports have not come back through [`Self::add_report`].
    pub fn building(&self) -> usize {
        self.building
    }

    /// Files the report of a take handed out by [`Self::drain_ended`].
    pub fn add_report(&mut self, report: TakeReport) {
        self.building = self.building.saturating_sub(1);
        self.file(report);
    }

    fn file(&mut self, report: TakeReport) {
        if self.done.len() == MAX_TAKES_KEPT {
            self.done.remove(0);
        }
        self.done.push(report);
        self.ended += 1;
    }

    /// A copy of the open take as it stands at `frame` (not an automatic one still rising),
    /// whose report is the take cut short there: what a checkpoint saves. Allocates the copy.
    pub fn checkpoint(&self, frame: u64) -> Option<TakeState> {
        let take = self.open.as_ref().filter(|t| !t.provisional)?;
        Some(self.state(take.clone(), frame, true))
    }

    fn state(&self, take: OpenTake, end: u64, cut_short: bool) -> TakeState {
        TakeState {
            take,
            names: self.names.clone(),
            hot_dbtp: self.hot_dbtp.clone(),
            rate: self.rate,
            end,
            cut_short,
        }
    }

    /// Turns automatic takes on with `config`, or off with `None` (an automatic take that is
    /// open ends now, at `frame`).
    pub fn set_auto(&mut self, config: Option<AutoTakeConfig>, frame: u64) {
        if self.open.as_ref().is_some_and(|t| t.auto) {
            self.stop(frame);
        }
        self.auto = config.map(|c| AutoTaker::new(c, self.rate));
        if self.auto.is_none() {
            // No more provisional takes to recycle it for.
            self.spare = None;
        }
    }

    /// The loudest input's sample peak (linear) over the block `start..start + frames`,
    /// before the block's channels are fed: an automatic take may begin with this block.
    pub fn auto_block(&mut self, start: u64, frames: u64, loudest: f64) {
        if self.open.as_ref().is_some_and(|t| !t.auto) {
            return;
        }
        let Some(auto) = self.auto.as_mut() else {
            return;
        };
        match auto.block(start, frames, loudest) {
            AutoStep::Nothing => {}
            AutoStep::Begin(at) => {
                let confirmed = auto.running();
                self.begin(None, at, None);
                if let Some(t) = self.open.as_mut() {
                    t.auto = true;
                    t.provisional = !confirmed;
                }
            }
            AutoStep::Confirm => {
                if let Some(t) = self.open.as_mut() {
                    t.provisional = false;
                }
            }
            AutoStep::Drop => self.drop_provisional(),
        }
    }

    /// Forgets a provisional automatic take as if it never began; its state is kept for the
    /// next take.
    fn drop_provisional(&mut self) {
        if self.open.as_ref().is_some_and(|t| t.provisional) {
            self.spare = self.open.take();
            self.next_number -= 1;
            // The take never was: its note waits for the next one.
            if let Some(note) = self.spare.as_mut().and_then(|t| t.gain_changed.take()) {
                self.gain_note = Some(match self.gain_note.take() {
                    Some(later) => format!("{note}; {later}"),
                    None => note,
                });
            }
        }
        if let Some(a) = self.auto.as_mut() {
            a.reset();
        }
    }

    /// The frame the open automatic take ends at, unless the level comes back first.
    fn auto_end(&self) -> Option<u64> {
        self.open
            .as_ref()
            .filter(|t| t.auto && !t.provisional)
            .and(self.auto.as_ref())
            .and_then(AutoTaker::end)
    }

    /// Marks takes ahead of time in stream seconds; they start and end as the stream passes
    /// them. Spans must not overlap ([`super::check_spans`]); a span already passed is kept
    /// and starts at once.
    pub fn schedule(&mut self, spans: &[TakeSpan]) {
        let frame = |s: f64| (s.max(0.0) * f64::from(self.rate)).round() as u64;
        self.schedule
            .extend(spans.iter().map(|s| (frame(s.start_s), frame(s.end_s))));
        self.schedule.sort_by_key(|s| std::cmp::Reverse(s.0));
    }

    /// The next frame after `frame` at which a scheduled take starts or ends: the caller
    /// meters up to it and no further, so takes begin and end on the exact sample.
    pub fn next_boundary(&self, frame: u64) -> Option<u64> {
        let end = self
            .open
            .as_ref()
            .and_then(|t| t.end)
            .or_else(|| self.auto_end())
            .filter(|&e| e > frame);
        let start = self.schedule.last().map(|s| s.0).filter(|&s| s > frame);
        match (end, start) {
            (Some(e), Some(s)) => Some(e.min(s)),
            (e, s) => e.or(s),
        }
    }

    /// The stream has reached `frame`: scheduled takes start and end here, and bursts that
    /// have been quiet for the gap end.
    pub fn advance_to(&mut self, frame: u64) {
        if let Some(end) = self.auto_end().filter(|&e| e <= frame) {
            self.stop(end);
        }
        if self.open.as_ref().is_some_and(|t| t.provisional)
            && self.schedule.last().is_some_and(|s| s.0 <= frame)
        {
            // A marked take wins over one the level may be starting.
            self.drop_provisional();
        }
        if self
            .open
            .as_ref()
            .and_then(|t| t.end)
            .is_some_and(|e| e <= frame)
        {
            self.stop(frame);
        }
        if self.open.is_none()
            && let Some(&(start, end)) = self.schedule.last()
            && start <= frame
        {
            self.schedule.pop();
            self.begin(None, start.max(frame), Some(end));
            if end <= frame {
                self.stop(frame);
            }
        }
        if let Some(t) = self.open.as_mut() {
            for input in &mut t.inputs {
                if let Some(b) = input.detector.quiet_until(frame) {
                    input.keep(b);
                }
            }
        }
    }

    /// Notes a preamp change (`what`: "Input 1 +30.0 → +21.0 dB") for the next take's report.
    /// A take already running is not affected: gains never change during one.
    pub fn note_gain_change(&mut self, what: &str) {
        let note = match self.gain_note.take() {
            Some(before) => format!("{before}; {what}"),
            None => format!("gain changed before this take: {what}"),
        };
        self.gain_note = Some(note);
    }

    /// Starts a take named `name` at `frame` (a mark from a person); ends the open one there
    /// first. Allocates the take's state: nothing more until it ends.
    pub fn start(&mut self, name: &str, frame: u64) {
        self.drop_provisional();
        if self.open.is_some() {
            self.stop(frame);
        }
        let name = (!name.trim().is_empty()).then(|| Arc::from(name));
        self.begin(name, frame, None);
    }

    /// Ends the open take at `frame` if one is open (an automatic one still rising is
    /// dropped), else starts one named `name`: one key or button does both.
    pub fn toggle(&mut self, name: &str, frame: u64) {
        if self.is_open() {
            self.stop(frame);
        } else {
            self.start(name, frame);
        }
    }

    /// Opens take `next_number` named `name` ("Take N" when `None`) at `start`, in the
    /// spare's state when there is one.
    fn begin(&mut self, name: Option<Arc<str>>, start: u64, end: Option<u64>) {
        let number = self.next_number;
        let rate = self.rate;
        let (inputs, spare_name) = match self.spare.take() {
            Some(t) => (
                // Collected in place: the same `Vec` (takes_memory checks nothing is allocated).
                t.inputs
                    .into_iter()
                    .map(|i| i.restart(start, rate))
                    .collect(),
                Some(t.name).filter(|_| t.number == number),
            ),
            None => (
                (0..self.channels)
                    .map(|_| InputTake::new(start, rate))
                    .collect(),
                None,
            ),
        };
        // A dropped automatic take had this number, so its default name is this one's.
        let name = name
            .or(spare_name)
            .unwrap_or_else(|| Arc::from(format!("Take {number}")));
        self.open = Some(OpenTake {
            number,
            name,
            start,
            end,
            auto: false,
            gain_changed: self.gain_note.take(),
            provisional: false,
            inputs,
        });
        self.next_number += 1;
    }

    /// Ends the open take at `frame` and files its report.
    pub fn stop(&mut self, frame: u64) {
        if self.open.as_ref().is_some_and(|t| t.provisional) {
            self.drop_provisional();
            return;
        }
        if let Some(a) = self.auto.as_mut() {
            a.reset();
        }
        if let Some(t) = self.open.take() {
            let cut_short = t.end.is_some_and(|e| frame < e);
            let state = self.state(t, frame, cut_short);
            if self.defer {
                self.building += 1;
                self.ended_states.push(state);
            } else {
                self.file(state.report());
            }
        }
    }

    /// The stream ended at `frame`: the open take ends there (cut short if it was marked to
    /// run longer); takes scheduled later never start.
    pub fn finish(&mut self, frame: u64) {
        self.advance_to(frame);
        self.stop(frame);
        self.schedule.clear();
    }

    /// One channel's block `start..start + frames`. O(1) and allocation-free.
    pub fn block(&mut self, channel: usize, start: u64, frames: u64, r: &BlockReading) {
        let Some(t) = self.open.as_mut() else {
            return;
        };
        let Some(input) = t.inputs.get_mut(channel) else {
            return;
        };
        input.max_sample = input.max_sample.max(r.sample_peak);
        input.max_true = input.max_true.max(r.true_peak);
        input.track.push(start, frames, r.true_peak);
        if let Some((clipped, overs, first, last)) = r.clips {
            input.clipped += clipped;
            input.overs += overs;
            let closed = input.detector.clips(
                start + u64::from(first),
                start + u64::from(last),
                (clipped, overs),
                r.sample_peak,
                r.true_peak,
            );
            if let Some(b) = closed {
                input.keep(b);
            }
        }
        let (slices, block, short) = r.gating;
        // The first block of a take only sets where slices stand. Only windows wholly inside
        // the take count: the first slice closed in it may have begun before it, so a 400 ms
        // block counts from the 5th slice closed, a 3 s window from the 31st.
        if let Some(seen) = input.slices_seen
            && slices > seen
        {
            input.slices_in_take += slices - seen;
            if let Some(e) = block.filter(|_| input.slices_in_take > SLICES_PER_BLOCK) {
                input.loudness.push(e);
            }
            if let Some(e) = short.filter(|_| input.slices_in_take > SLICES_PER_SHORT_TERM) {
                input.range.push(e);
                input.range_values += 1;
            }
        }
        input.slices_seen = Some(slices);
    }

    /// The advisor's warnings on `channel` now. A kind that appears while a take is open is
    /// remembered for it; one already up when the take started (a latched clip from the take
    /// before) is not this take's.
    pub fn warnings(&mut self, channel: usize, warnings: &[Warning]) {
        let Some(shown) = self.shown.get_mut(channel) else {
            return;
        };
        let now = warnings
            .iter()
            .filter_map(|w| KINDS.iter().position(|k| *k == w.kind))
            .fold(0u8, |bits, bit| bits | 1 << bit);
        let raised = now & !*shown;
        *shown = now;
        if let Some(input) = self.open.as_mut().and_then(|t| t.inputs.get_mut(channel)) {
            input.warnings |= raised;
        }
    }

    /// The hot level `channel` is judged by from now on (its preset changed).
    pub fn set_hot(&mut self, channel: usize, hot_dbtp: f64) {
        if let Some(h) = self.hot_dbtp.get_mut(channel) {
            *h = hot_dbtp;
        }
    }

    pub fn rename(&mut self, channel: usize, name: &str) {
        if let Some(n) = self.names.get_mut(channel)
            && !name.trim().is_empty()
        {
            name.clone_into(n);
        }
    }

    /// Takes that have ended, oldest first: the latest [`MAX_TAKES_KEPT`].
    pub fn reports(&self) -> &[TakeReport] {
        &self.done
    }

    /// How many takes have ended since the stream started; grows by one per take even when
    /// the oldest report is no longer kept.
    pub fn ended(&self) -> usize {
        self.ended
    }

    /// True while a take is open, a scheduled one has yet to start or an ended one's report
    /// has yet to come back.
    pub fn pending(&self) -> bool {
        self.is_open() || !self.schedule.is_empty() || self.building > 0
    }

    /// The open take's number, name and first frame (not an automatic one still rising).
    pub fn open_take(&self) -> Option<(usize, &str, u64)> {
        self.open
            .as_ref()
            .filter(|t| !t.provisional)
            .map(|t| (t.number, &*t.name, t.start))
    }

    /// The open take for readers; cheap to clone (the name is shared).
    pub fn open_info(&self) -> Option<OpenTakeInfo> {
        self.open
            .as_ref()
            .filter(|t| !t.provisional)
            .map(|t| OpenTakeInfo {
                number: t.number,
                name: Arc::clone(&t.name),
                start_s: t.start as f64 / f64::from(self.rate),
                auto: t.auto,
            })
    }

    /// True while a take is open (not an automatic one still rising).
    pub fn is_open(&self) -> bool {
        self.open.as_ref().is_some_and(|t| !t.provisional)
    }

    /// Bytes the tracker holds on the heap: the open take's state and the kept reports
    /// (their own accounting, [`TakeReport::heap_bytes`]).
    pub fn heap_bytes(&self) -> usize {
        let take = |t: &OpenTake| {
            t.name.len()
                + t.inputs.capacity() * std::mem::size_of::<InputTake>()
                + t.inputs.iter().map(InputTake::heap_bytes).sum::<usize>()
        };
        let open = self.open.as_ref().map_or(0, take) + self.spare.as_ref().map_or(0, take);
        let done = self.done.capacity() * std::mem::size_of::<TakeReport>()
            + self.done.iter().map(TakeReport::heap_bytes).sum::<usize>();
        let names: usize = self.names.iter().map(String::capacity).sum();
        open + done
            + names
            + self.names.capacity() * std::mem::size_of::<String>()
            + self.hot_dbtp.capacity() * 8
            + self.shown.capacity()
            + self.schedule.capacity() * 16
    }
}

/// The report of take `t` ended at `end`, its inputs named `names` and judged hot above
/// `hot_dbtp`.
fn build_report(
    mut t: OpenTake,
    names: &[String],
    hot_dbtp: &[f64],
    rate: u32,
    end: u64,
    cut_short: bool,
) -> TakeReport {
    let secs = |f: u64| super::burst::round_ms(f as f64 / f64::from(rate));
    let inputs: Vec<InputReport> = t
        .inputs
        .iter_mut()
        .enumerate()
        .map(|(c, input)| {
            if let Some(b) = input.detector.finish() {
                input.keep(b);
            }
            let bursts: Vec<_> = input
                .bursts
                .iter()
                .map(|b| b.report(t.start, rate))
                .collect();
            let max_tp = amplitude_to_db(input.max_true);
            let integrated = input.loudness.lufs();
            let lra = input.range.lu();
            InputReport {
                channel: c + 1,
                name: names[c].clone(),
                verdict: input_verdict(bursts.first().map(|b| b.start_s), max_tp, hot_dbtp[c]),
                max_sample_peak_dbfs: db2(amplitude_to_db(input.max_sample)),
                max_true_peak_dbtp: db2(max_tp),
                clipped_samples: input.clipped,
                overs: input.overs,
                bursts,
                bursts_not_listed: input.bursts_not_listed,
                integrated_lufs: db2(integrated),
                // A range needs 3 s windows: none at all is "not measured", not 0 LU.
                loudness_range_lu: (input.range_values > 0).then(|| (lra * 10.0).round() / 10.0),
                warnings: KINDS
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| input.warnings & (1 << bit) != 0)
                    .map(|(_, k)| *k)
                    .collect(),
                headroom: input.track.report(rate),
            }
        })
        .collect();
    TakeReport {
        take: t.number,
        name: t.name.to_string(),
        start_s: secs(t.start),
        end_s: secs(end.max(t.start)),
        cut_short,
        auto: t.auto,
        gain_changed: t.gain_changed.take(),
        verdict: take_verdict(&inputs),
        inputs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 1000;

    #[test]
    fn an_open_take_reads_as_its_number_name_and_whole_seconds_run() {
        let take = |number, name: &str, auto| OpenTakeInfo {
            number,
            name: name.into(),
            start_s: 12.4,
            auto,
        };
        assert_eq!(take(3, "Verse", false).label(54.9), "TAKE 3 · Verse · 0:42");
        assert_eq!(take(3, "Take 3", false).label(12.4), "TAKE 3 · 0:00");
        assert_eq!(take(4, "Take 4", true).label(77.4), "AUTO TAKE 4 · 1:05");
        assert_eq!(take(12, "", false).label(12.4 + 3600.0), "TAKE 12 · 60:00");
        // A reading from before the take (a late frame) is no negative time.
        assert_eq!(take(1, "Intro", false).label(10.0), "TAKE 1 · Intro · 0:00");
    }

    fn quiet(level: f64) -> BlockReading {
        BlockReading {
            sample_peak: level,
            true_peak: level,
            ..BlockReading::default()
        }
    }

    /// Feeds 10-frame blocks of one channel from `from` to `to`, splitting at boundaries as
    /// the meter thread does; `clip_at` frames clip one sample each.
    fn run(t: &mut TakeTracker, from: u64, to: u64, level: f64, clip_at: &[u64]) {
        in_blocks(t, from, to, |t, f, n| {
            let clips: Vec<u64> = clip_at
                .iter()
                .copied()
                .filter(|c| (f..f + n).contains(c))
                .collect();
            let mut r = quiet(level);
            if let (Some(first), Some(last)) = (clips.first(), clips.last()) {
                r.sample_peak = 1.0;
                r.true_peak = 1.2;
                r.clips = Some((
                    clips.len() as u64,
                    clips.len() as u64,
                    (first - f) as u32,
                    (last - f) as u32,
                ));
            }
            t.block(0, f, n, &r);
        });
    }

    /// 10-frame blocks from `from` to `to`, cut at every boundary the tracker names, as the
    /// meter thread cuts them; the stream is advanced to each block's start and to `to`.
    fn in_blocks(
        t: &mut TakeTracker,
        from: u64,
        to: u64,
        mut feed: impl FnMut(&mut TakeTracker, u64, u64),
    ) {
        let mut f = from;
        t.advance_to(f);
        while f < to {
            let mut n = 10.min(to - f);
            if let Some(b) = t.next_boundary(f) {
                n = n.min(b - f);
            }
            feed(t, f, n);
            f += n;
            t.advance_to(f);
        }
    }

    /// Automatic takes, 10-frame blocks of one channel at `level` from `from` to `to`: the
    /// level goes to the automatic taker first, as on the meter thread, and every 50th frame
    /// clips when the level is full scale. Gating values follow the level.
    fn run_auto(t: &mut TakeTracker, from: u64, to: u64, level: f64) {
        in_blocks(t, from, to, |t, f, n| {
            t.auto_block(f, n, level);
            let mut r = quiet(level);
            r.true_peak = level * 1.05;
            r.gating = (f / 100, Some(level * level), Some(level * level));
            if level >= 1.0 && f.is_multiple_of(50) {
                r.clips = Some((1, 1, 0, 0));
            }
            t.block(0, f, n, &r);
        });
    }

    #[test]
    fn a_take_started_in_a_dropped_provisional_takes_state_reports_as_a_fresh_one() {
        let config = AutoTakeConfig {
            level_dbfs: -20.0,
            rise_s: 4.0,
            quiet_s: 1.0,
        };
        let mut fresh = TakeTracker::new(1, RATE, &[-1.0], &[]);
        fresh.set_auto(Some(config), 0);
        run_auto(&mut fresh, 0, 4100, 0.0);
        let mut reused = TakeTracker::new(1, RATE, &[-1.0], &[]);
        reused.set_auto(Some(config), 0);
        // 3.9 s loud, shorter than the rise time: a provisional take, dropped. It saw a burst
        // of clips (closed by the quiet after it), loudness, a 3 s window for the loudness
        // range and a headroom track, all at levels the take after it does not have.
        run_auto(&mut reused, 0, 100, 1.0);
        run_auto(&mut reused, 100, 3900, 0.25);
        let provisional = reused.open.as_ref().expect("a provisional take");
        assert!(provisional.provisional);
        assert_eq!(provisional.inputs[0].bursts.len(), 1);
        assert!(provisional.inputs[0].loudness.lufs().is_finite());
        assert!(provisional.inputs[0].range_values > 0);
        run_auto(&mut reused, 3900, 4100, 0.0);
        assert!(reused.open.is_none() && reused.spare.is_some());

        for t in [&mut fresh, &mut reused] {
            run_auto(t, 4100, 9100, 0.5);
            assert_eq!(
                t.open_take().map(|(n, name, at)| (n, name.to_owned(), at)),
                Some((1, "Take 1".to_owned(), 4100))
            );
            run_auto(t, 9100, 11000, 0.0);
        }
        assert!(reused.spare.is_none(), "the take started in the spare");
        assert_eq!(fresh.reports().len(), 1);
        assert_eq!(reused.reports(), fresh.reports());
        let input = &fresh.reports()[0].inputs[0];
        assert_eq!((input.clipped_samples, input.bursts.len()), (0, 0));
    }

    #[test]
    fn scheduled_takes_list_bursts_at_their_times_and_judge_each_take() {
        let mut t = TakeTracker::new(1, RATE, &[-1.0], &["Vox".to_string()]);
        t.schedule(&[
            TakeSpan {
                start_s: 0.5,
                end_s: 2.0,
            },
            TakeSpan {
                start_s: 3.0,
                end_s: 4.5,
            },
            TakeSpan {
                start_s: 5.0,
                end_s: 6.0,
            },
        ]);
        // Clips before the first take, three near 0.803 s (one burst), one at 1.9 s; none in
        // the second take; the third runs hot.
        run(&mut t, 0, 5000, 0.5, &[100, 803, 900, 1250, 1900]);
        run(&mut t, 5000, 5500, 0.95, &[]);
        t.finish(5500);
        let r = t.reports();
        assert_eq!(r.len(), 3);
        let a = &r[0].inputs[0];
        assert_eq!(
            (r[0].start_s, r[0].end_s, r[0].cut_short),
            (0.5, 2.0, false)
        );
        assert_eq!(a.name, "Vox");
        assert_eq!((a.clipped_samples, a.overs), (4, 4));
        assert_eq!(a.bursts.len(), 2);
        assert_eq!(
            (a.bursts[0].start_s, a.bursts[0].duration_s),
            (0.303, 0.448)
        );
        assert_eq!((a.bursts[0].overs, a.bursts[0].clipped_samples), (3, 3));
        assert_eq!(a.bursts[1].start_s, 1.4);
        assert_eq!(a.verdict, "clipped at 00:00.3");
        assert_eq!(r[0].verdict, "clipped at 00:00.3");
        assert_eq!(a.max_true_peak_dbtp, Some(1.58));
        let b = &r[1].inputs[0];
        assert_eq!((b.clipped_samples, b.bursts.len()), (0, 0));
        assert_eq!(b.verdict, "clean");
        assert_eq!(b.max_true_peak_dbtp, Some(-6.02));
        let c = &r[2];
        assert_eq!((c.start_s, c.end_s, c.cut_short), (5.0, 5.5, true));
        assert_eq!(c.verdict, "hot");
        assert!(!t.pending());
    }

    #[test]
    fn marked_takes_start_and_stop_on_command_and_count_warnings() {
        let mut t = TakeTracker::new(2, RATE, &[], &[]);
        t.start("", 100);
        t.block(1, 100, 50, &quiet(0.1));
        t.warnings(
            1,
            &[Warning {
                kind: WarningKind::Low,
                message: String::new(),
                suggested_gain_db: None,
            }],
        );
        t.start("Second", 150);
        let low = |kind| Warning {
            kind,
            message: String::new(),
            suggested_gain_db: None,
        };
        // Low is still up from the first take: not this one's. Hot is new.
        t.warnings(1, &[low(WarningKind::Low), low(WarningKind::Hot)]);
        t.stop(200);
        let r = t.reports();
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].name.as_str(), r[0].start_s, r[0].end_s),
            ("Take 1", 0.1, 0.15)
        );
        assert_eq!(r[0].inputs[1].warnings, vec![WarningKind::Low]);
        assert_eq!(r[0].inputs[1].name, "Input 2");
        assert_eq!(
            r[0].inputs[0].max_true_peak_dbtp, None,
            "no audio on input 1"
        );
        assert_eq!(r[1].name, "Second");
        assert_eq!(r[1].inputs[1].warnings, vec![WarningKind::Hot]);
    }

    #[test]
    fn reports_built_off_the_tracker_and_checkpoints_match_reports_built_in_it() {
        let clips = [100, 803, 900, 1250, 1900, 2600];
        let mut inline = TakeTracker::new(1, RATE, &[-1.0], &["Vox".to_string()]);
        let mut deferred = TakeTracker::new(1, RATE, &[-1.0], &["Vox".to_string()]);
        deferred.defer_reports(true);
        // What a run stopped at 1.5 s reports: the checkpoint's take, cut short there.
        let mut stopped = TakeTracker::new(1, RATE, &[-1.0], &["Vox".to_string()]);
        for t in [&mut inline, &mut deferred, &mut stopped] {
            t.start("Verse", 50);
            run(t, 50, 1500, 0.5, &clips);
        }
        // A burst is open at 1.5 s (1250 was 250 ms before): the checkpoint closes it there.
        let checkpoint = deferred.checkpoint(1500).expect("a take is open");
        stopped.stop(1500);
        let mut cut = stopped.reports()[0].clone();
        cut.cut_short = true;
        assert_eq!(checkpoint.report(), cut);
        for t in [&mut inline, &mut deferred] {
            run(t, 1500, 3000, 0.5, &clips);
            t.stop(3000);
        }
        assert!(deferred.reports().is_empty() && deferred.pending());
        let states: Vec<TakeState> = deferred.drain_ended().collect();
        assert_eq!(states.len(), 1);
        for s in states {
            let report = s.report();
            deferred.add_report(report);
        }
        assert!(!deferred.pending());
        assert_eq!(deferred.reports(), inline.reports());
        assert_eq!(deferred.ended(), 1);
        assert_eq!(inline.reports()[0].inputs[0].bursts.len(), 4);
    }

    #[test]
    fn bursts_past_the_cap_are_counted_not_listed() {
        let mut t = TakeTracker::new(1, RATE, &[], &[]);
        t.start("long", 0);
        let gap = 600;
        let n = MAX_BURSTS as u64 + 5;
        for k in 0..n {
            let r = BlockReading {
                clips: Some((1, 1, 0, 0)),
                ..quiet(1.0)
            };
            t.block(0, k * gap, 1, &r);
        }
        t.stop(n * gap);
        let i = &t.reports()[0].inputs[0];
        assert_eq!(i.bursts.len(), MAX_BURSTS);
        assert_eq!(i.bursts_not_listed, 5);
        assert_eq!(i.overs, n);
    }
}
