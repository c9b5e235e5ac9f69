//! `gainstage monitor`: headless metering as a live table or JSON lines.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::advisor::{
    ChannelPlan, PresetParams, Soundcheck, SoundcheckResult, Warning, events::kind_name,
    judge_take, soundcheck,
};
use crate::capture::realtime::Realtime;
use crate::capture::{Session, SessionConfig, SourceSpec};
use crate::meter::bank::MAX_CHANNELS;
use crate::meter::level::finite;
use crate::meter::{ClipRule, MeterConfig, MeterKind, ProgrammeSet};
use crate::snapshot::{Snapshot, SourceInfo, StreamState};
use crate::takes::run::RunTakes;

/// What `gainstage monitor` runs: the source, how long, how it prints, how it judges.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    pub source: SourceSpec,
    /// Stop after this many seconds; `None` runs until Ctrl-C, SIGTERM or the end of a file.
    pub duration_s: Option<f64>,
    /// Between output lines / redraws (ms).
    pub interval_ms: u64,
    /// JSON lines instead of a live table.
    pub json: bool,
    /// Listen this long (s), then print per-channel soundcheck advice.
    pub soundcheck_s: Option<f64>,
    /// Presets and names the advisor judges each channel by.
    pub plan: ChannelPlan,
    /// Consecutive clipped samples that make one over (1-20).
    pub over_len: u32,
    /// Clip level for float sources (dBFS); `None`: one 16-bit step below full scale.
    pub float_clip_level_dbfs: Option<f64>,
    /// Takes marked in stream seconds; each gets a headroom report, printed in the summary
    /// and saved in the data directory. Overlapping spans are refused.
    pub takes: Vec<crate::takes::TakeSpan>,
    /// A programme meter whose reading each line carries besides the peaks.
    pub meter: Option<MeterChoice>,
    /// Takes started and ended by the level; `None`: off.
    pub auto_take: Option<crate::takes::AutoTakeConfig>,
    /// After the soundcheck, set these preamps and listen again (`--apply`); `None`: advice
    /// only.
    pub apply: Option<crate::preamps::RigConfig>,
}

/// A soundcheck whose advice was applied: what was asked, what was done, what was heard
/// before.
#[derive(Debug)]
struct ApplyRound {
    requests: Vec<crate::preamps::ChangeRequest>,
    applied: Vec<crate::preamps::Applied>,
    before: Vec<SoundcheckResult>,
}

/// A programme meter to show, and its alignment (`None`: the kind's own).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterChoice {
    pub kind: MeterKind,
    pub alignment_dbfs: Option<f64>,
}

/// One channel's programme-meter reading in `monitor --json` (the `meter` key).
#[derive(Debug, Serialize)]
pub struct MeterReading {
    /// "vu", "bbc-ppm", "k20" ...
    pub kind: MeterKind,
    /// The alignment in force (dBFS): where the meter's reference mark sits.
    pub alignment_dbfs: f64,
    /// The highest reading since the previous line (dBFS of a sine's peak; null: silence).
    pub dbfs: Option<f64>,
    /// The same on the meter's own scale: VU, dB re TEST, the BBC's mark number.
    pub scale: Option<f64>,
    /// The scale's unit ("VU", "PPM", "dB", "dBFS").
    pub unit: &'static str,
}

impl MeterChoice {
    fn reading(&self, r: &crate::meter::ProgrammeReadings) -> MeterReading {
        let alignment = self.kind.alignment_dbfs(self.alignment_dbfs);
        let dbfs = db(r.of(self.kind));
        MeterReading {
            kind: self.kind,
            alignment_dbfs: alignment,
            dbfs,
            scale: dbfs.map(|v| {
                let s = self.kind.on_scale(v, alignment);
                (s * 100.0).round() / 100.0
            }),
            unit: self.kind.scale().unit,
        }
    }
}

/// One line of `monitor --json`: a contract other tools parse (add keys, never rename).
/// Levels are `null` for silence.
#[derive(Debug, Serialize)]
pub struct Line {
    pub t_s: f64,
    pub state: StreamState,
    pub dropped_frames: u64,
    pub xruns: u64,
    /// Session log entries that could not be written, and why (absent while none failed).
    pub log_failed_entries: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_error: Option<String>,
    /// Checkpoints of the open take that could not be written, and why (the reason absent
    /// while none failed): a crash loses the open take since its last checkpoint written.
    pub checkpoint_failures: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_error: Option<String>,
    /// The take running now, absent when none is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub take: Option<crate::takes::OpenTakeInfo>,
    pub channels: Vec<LineChannel>,
    /// On the first line only: what is metered (host, device, format, channel names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceInfo>,
    /// On the first line a device's callback has run by: the priority it runs at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realtime: Option<Realtime>,
}

#[derive(Debug, Serialize)]
pub struct LineChannel {
    pub channel: usize,
    pub sample_peak_dbfs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub peak_hold_dbfs: Option<f64>,
    /// The held true peak: IEC hold and fall on the true peak, as `peak_hold_dbfs` on the
    /// sample peak.
    pub true_peak_hold_dbtp: Option<f64>,
    pub momentary_lufs: Option<f64>,
    pub short_term_lufs: Option<f64>,
    pub clipped_samples: u64,
    pub overs: u64,
    pub warnings: Vec<Warning>,
    /// The `--meter` reading, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter: Option<MeterReading>,
}

/// The last line, at the end of `--duration`, Ctrl-C or SIGTERM.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub summary: bool,
    pub duration_s: f64,
    /// What counted as a clip in this run (full-scale codes, or the float clip level).
    pub clip_rule: ClipRule,
    pub dropped_frames: u64,
    pub xruns: u64,
    /// Session log entries handed to the log, written, and not written (with why).
    pub log_entries: u64,
    pub log_written: u64,
    pub log_failed_entries: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_error: Option<String>,
    /// Take checkpoints written, and not written (with why).
    pub checkpoints_written: u64,
    pub checkpoint_failures: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_error: Option<String>,
    pub channels: Vec<SummaryChannel>,
    /// The takes of this run, as saved in `<data dir>/takes/` (absent when none were marked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub takes: Vec<crate::takes::TakeReport>,
}

#[derive(Debug, Serialize)]
pub struct SummaryChannel {
    pub channel: usize,
    pub max_sample_peak_dbfs: Option<f64>,
    pub max_true_peak_dbtp: Option<f64>,
    pub max_short_term_lufs: Option<f64>,
    pub clipped_samples: u64,
    pub overs: u64,
    pub warnings: Vec<Warning>,
}

/// Below this a level is numerically silence (the loudness meter can report thousands of dB
/// below zero for a silent window); the contract shows silence as null.
const SILENCE_DB: f64 = -200.0;

/// Two decimals: finer than any meter's accuracy, short enough to read; `None` for silence.
pub fn db(v: f64) -> Option<f64> {
    finite(v)
        .filter(|v| *v > SILENCE_DB)
        .map(|v| (v * 100.0).round() / 100.0)
}

impl Line {
    pub fn from_snapshot(s: &Snapshot, meter: Option<&MeterChoice>) -> Self {
        Self {
            t_s: (s.t_s * 1000.0).round() / 1000.0,
            state: s.state,
            dropped_frames: s.dropped_frames,
            xruns: s.xruns,
            log_failed_entries: s.log.failed,
            log_error: s.log.error.as_deref().map(str::to_owned),
            checkpoint_failures: s.checkpoints.failed,
            checkpoint_error: s.checkpoints.error.as_deref().map(str::to_owned),
            take: s.open_take.clone(),
            channels: s
                .channels
                .iter()
                .map(|c| LineChannel::from_channel(c, meter))
                .collect(),
            source: None,
            realtime: None,
        }
    }
}

impl LineChannel {
    /// One channel of a line: the conversion `monitor --json` and the remote feeds share.
    pub fn from_channel(c: &crate::snapshot::ChannelSnapshot, meter: Option<&MeterChoice>) -> Self {
        Self {
            channel: c.channel,
            sample_peak_dbfs: db(c.readings.sample_peak_dbfs),
            true_peak_dbtp: db(c.readings.true_peak_dbtp),
            peak_hold_dbfs: db(c.readings.peak_hold_dbfs),
            true_peak_hold_dbtp: db(c.readings.true_peak_hold_dbtp),
            momentary_lufs: db(c.readings.momentary_lufs),
            short_term_lufs: db(c.readings.short_term_lufs),
            clipped_samples: c.readings.clipped_samples,
            overs: c.readings.overs,
            warnings: c.warnings.clone(),
            meter: meter.map(|m| m.reading(&c.readings.programme)),
        }
    }
}

impl Summary {
    /// Warnings are judged over the whole run: [`judge_take`] on the final since-reset
    /// readings with each channel's preset, so a clip early in the run still shows even after
    /// the live warning would have cleared (a live `clip` latches anyway).
    pub fn from_snapshot(s: &Snapshot, plan: &ChannelPlan) -> Self {
        let rate = s.source.sample_rate;
        Self {
            summary: true,
            duration_s: (s.t_s * 1000.0).round() / 1000.0,
            clip_rule: s.source.clip_rule,
            dropped_frames: s.dropped_frames,
            xruns: s.xruns,
            log_entries: s.log.entries,
            log_written: s.log.written,
            log_failed_entries: s.log.failed,
            log_error: s.log.error.as_deref().map(str::to_owned),
            checkpoints_written: s.checkpoints.written,
            checkpoint_failures: s.checkpoints.failed,
            checkpoint_error: s.checkpoints.error.as_deref().map(str::to_owned),
            channels: s
                .channels
                .iter()
                .map(|c| SummaryChannel {
                    channel: c.channel,
                    max_sample_peak_dbfs: db(c.readings.max_sample_peak_dbfs),
                    max_true_peak_dbtp: db(c.readings.max_true_peak_dbtp),
                    max_short_term_lufs: db(c.readings.max_short_term_lufs),
                    clipped_samples: c.readings.clipped_samples,
                    overs: c.readings.overs,
                    warnings: judge_take(c.channel, &c.readings, &plan.params(c.channel), rate),
                })
                .collect(),
            takes: s.takes.to_vec(),
        }
    }
}

pub fn run(args: &MonitorOptions) -> Result<ExitCode, crate::Error> {
    let soundcheck_s = match args.soundcheck_s {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(crate::Error::Message(
                "--soundcheck needs a positive number of seconds".into(),
            ));
        }
        other => other,
    };
    let spans = crate::takes::check_spans(&args.takes).map_err(crate::Error::Message)?;
    let session_name = crate::takes::store::session_name(std::time::SystemTime::now());
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Without the handler Ctrl-C would kill us before the summary line; carry on regardless.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Release));

    // Every take of the run, saved as it ends; snapshots carry only the latest ones. Its
    // session is claimed before the capture starts, which checkpoints the running take there.
    let (mut takes, notes) = RunTakes::new(crate::takes::store::takes_dir(), &session_name);
    for note in notes {
        eprintln!("gainstage: {note}");
    }
    let session_name = takes.session().unwrap_or(&session_name).to_string();
    let plan = &args.plan;
    let config = SessionConfig {
        meter: MeterConfig {
            over_len: args.over_len,
            programme: ProgrammeSet::of(args.meter.map(|m| m.kind)),
            ..MeterConfig::default()
        },
        float_clip_level_dbfs: args.float_clip_level_dbfs,
        presets: plan.presets_for(MAX_CHANNELS),
        preset_table: plan.template.presets.clone(),
        channel_names: plan.names_for(MAX_CHANNELS),
        session_log: true,
        takes: spans.clone(),
        auto_take: args.auto_take,
        checkpoints: takes.checkpoints(),
        ..SessionConfig::default()
    };
    let session =
        Session::start(&args.source, config).map_err(|e| crate::Error::Message(e.to_string()))?;
    let mut reader = session.reader();
    let interval = Duration::from_millis(args.interval_ms.max(1));
    let start = Instant::now();
    let duration_end = args
        .duration_s
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map(|d| start + Duration::from_secs_f64(d));
    // Wall clock ends a listen as a backstop; the audio clock (t_s) decides it. None while
    // the preamps are being set: their thread has its own timeouts.
    let mut listen_end: Option<Instant> = None;
    let info = session.source().clone();
    let params: Vec<PresetParams> = (1..=info.channels).map(|ch| plan.params(ch)).collect();
    let mut check = soundcheck_s.map(|secs| {
        listen_end = Some(start + Duration::from_secs_f64(secs + 1.0));
        Soundcheck::all(&params, secs, info.sample_rate)
    });
    // The preamps are reached on their own thread: this loop prints on meanwhile.
    let preamps = match &args.apply {
        Some(config) => Some(Preamps::start(config, &session, plan, info.channels)?),
        None => None,
    };
    let mut pending: Option<Pending> = None;
    let mut round: Option<ApplyRound> = None;
    let mut out = std::io::stdout().lock();
    let mut last: Option<Snapshot> = None;
    // Known once the callback has run; said on the first line after that.
    let mut realtime: Option<Realtime> = None;
    let mut told_realtime = false;
    let mut told_source = false;
    let mut tick: u32 = 0;
    loop {
        tick = tick.saturating_add(1);
        let end = match (duration_end, listen_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut deadline = start + interval * tick;
        if let Some(e) = end {
            deadline = deadline.min(e);
        }
        while Instant::now() < deadline && !stop.load(Ordering::Acquire) {
            let left = deadline.saturating_duration_since(Instant::now());
            std::thread::sleep(left.min(Duration::from_millis(20)));
        }
        if stop.load(Ordering::Acquire) {
            break;
        }
        if let Some(snapshot) = reader.read() {
            if let Some(news) = takes.keep(&snapshot.takes) {
                eprintln!("gainstage: {news}");
            }
            if let Some(check) = check.as_mut() {
                for (c, ch) in snapshot.channels.iter().enumerate() {
                    check.feed(snapshot.t_s, c, &ch.readings);
                }
            }
            if realtime.is_none() {
                realtime = session.realtime();
            }
            let printed = if args.json {
                let mut line = Line::from_snapshot(&snapshot, args.meter.as_ref());
                if !told_source {
                    line.source = Some(snapshot.source.clone());
                    told_source = true;
                }
                if !told_realtime && realtime.is_some() {
                    line.realtime = realtime.clone();
                    told_realtime = true;
                }
                print_json(&mut out, &line)
            } else {
                print_table(&mut out, &snapshot, realtime.as_ref(), args.meter.as_ref())
            };
            if closed_pipe(&printed) {
                // The reader went away (`| head`): nothing left to tell anyone.
                return Ok(ExitCode::SUCCESS);
            }
            printed?;
            let mut finished = snapshot.state == StreamState::Finished;
            if let Some(c) = check.as_ref().filter(|c| c.is_done(snapshot.t_s)) {
                finished = true;
                if let (Some(p), None, None) = (&preamps, &round, &pending) {
                    pending = Some(p.ask(c.results(), c.listen_s(), snapshot.open_take.is_some()));
                    listen_end = None;
                }
            }
            if let Some(p) = pending.take() {
                match p.try_finish() {
                    Err(p) => {
                        // Lines go on while the preamps' thread works.
                        pending = Some(p);
                        finished = false;
                    }
                    Ok((r, secs)) => {
                        if r.applied.iter().any(|a| a.change.is_some()) {
                            // Listen again, as long, to hear what the change did.
                            check = Some(Soundcheck::all(&params, secs, info.sample_rate));
                            listen_end = Some(Instant::now() + Duration::from_secs_f64(secs + 1.0));
                            finished = false;
                        }
                        round = Some(r);
                    }
                }
            }
            last = Some(snapshot);
            if finished {
                break;
            }
        }
        if end.is_some_and(|e| Instant::now() >= e) {
            break;
        }
    }
    // The stream ended while the preamps were being set: no lines left to print meanwhile.
    if let Some(p) = pending.take() {
        round = Some(p.finish());
    }
    if last
        .as_ref()
        .is_some_and(|s| s.state == StreamState::Finished && s.takes_pending)
    {
        last = wait_for_takes(&mut reader).or(last);
    }
    // The final counts: after the source stops nothing changes, so read once more, after the
    // stop, whose last snapshot also says which session log entries never reached the disk.
    // Stopping also ends a take still open.
    drop(session);
    let final_snapshot = reader.read().or(last);
    if (!spans.is_empty() || args.auto_take.is_some())
        && let Some(s) = &final_snapshot
    {
        if let Some(news) = takes.keep(&s.takes) {
            eprintln!("gainstage: {news}");
        }
        // With automatic takes as well, the count says nothing about the marked ones.
        if args.auto_take.is_none() && takes.count() < spans.len() {
            eprintln!(
                "gainstage: {} of {} takes never started: the stream ended at {:.1} s",
                spans.len() - takes.count(),
                spans.len(),
                s.t_s
            );
        }
    }
    // Every take of the run for the summary; a failure to save is one line on stderr and the
    // summary still prints what is in memory.
    let ended = takes.finish();
    if let Some(problem) = &ended.problem {
        eprintln!("gainstage: {problem}");
    }
    let (takes, unread) = ended.all();
    if let Some(why) = unread {
        eprintln!("gainstage: {why}");
    }
    if let Some(check) = check {
        let results = check.results();
        if let Some(r) = round {
            let applied =
                crate::preamps::soundcheck::summarise(&r.requests, &r.applied, &r.before, &results);
            if let Some(p) = &preamps {
                for a in applied.iter().filter(|a| {
                    a.verdict == crate::preamps::soundcheck::AppliedVerdict::DidNotReach
                }) {
                    p.worker.stop_input(a.input, a.message.clone());
                }
            }
            if args.json {
                let line = serde_json::json!({ "soundcheck": r.before, "applied": applied });
                writeln!(out, "{line}")?;
            } else {
                print_soundcheck_table(&mut out, &r.before)?;
                writeln!(out, "\napplied:")?;
                for a in &applied {
                    writeln!(out, "  {}", a.message)?;
                }
            }
            out.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        if args.json {
            writeln!(out, "{}", soundcheck::json_line(&results))?;
        } else {
            print_soundcheck_table(&mut out, &results)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(s) = final_snapshot {
        let mut summary = Summary::from_snapshot(&s, plan);
        summary.takes = takes;
        if args.json {
            print_json(&mut out, &summary)?;
        } else {
            print_summary_table(&mut out, &summary)?;
            if !summary.takes.is_empty() {
                out.write_all(
                    crate::takes::store::table(&session_name, &summary.takes).as_bytes(),
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The preamps `--apply` sets, on their own thread, which logs every change and tells the
/// meter thread of it.
struct Preamps {
    worker: crate::preamps::worker::PreampWorker,
    /// Input names (index 0 is input 1), for the session log.
    names: Vec<String>,
    /// Why changes cannot be written to the session log, said once changes are made.
    unlogged: Option<String>,
}

/// A soundcheck's verdicts handed to the preamps' thread, waiting for what it did.
struct Pending {
    requests: Vec<crate::preamps::ChangeRequest>,
    before: Vec<SoundcheckResult>,
    listen_s: f64,
    done: std::sync::mpsc::Receiver<Vec<crate::preamps::Applied>>,
    unlogged: Option<String>,
}

impl Preamps {
    fn start(
        config: &crate::preamps::RigConfig,
        session: &Session,
        plan: &ChannelPlan,
        inputs: usize,
    ) -> Result<Self, crate::Error> {
        let log_dir = crate::preamps::log::log_dir();
        let worker = crate::preamps::worker::PreampWorker::spawn(
            config.clone(),
            // Nothing shows gains here: none are read besides the changes' own.
            0,
            log_dir.as_ref().ok().cloned(),
            Some(session.commander()),
        )
        .map_err(|e| crate::Error::Message(format!("cannot start the preamps' thread: {e}")))?;
        Ok(Self {
            worker,
            names: (1..=inputs)
                .map(|ch| plan.template.channel_name(ch))
                .collect(),
            unlogged: log_dir.err(),
        })
    }

    /// Asks for the changes the soundcheck's verdicts ask for (none while a take runs);
    /// never waits.
    fn ask(&self, before: Vec<SoundcheckResult>, listen_s: f64, take_running: bool) -> Pending {
        let requests = crate::preamps::soundcheck::requests(&before);
        let (tx, done) = std::sync::mpsc::channel();
        // Not queued: the thread has ended, `done` says so.
        let _ = self.worker.apply_then(
            crate::preamps::Who::Soundcheck,
            requests.clone(),
            take_running,
            self.names.clone(),
            Box::new(move |applied| {
                let _ = tx.send(applied);
            }),
        );
        Pending {
            requests,
            before,
            listen_s,
            done,
            unlogged: self.unlogged.clone(),
        }
    }
}

impl Pending {
    /// What the thread did and the listen's length, once it is done; else the wait goes on.
    fn try_finish(self) -> Result<(ApplyRound, f64), Self> {
        match self.done.try_recv() {
            Ok(applied) => {
                let secs = self.listen_s;
                Ok((self.round(applied), secs))
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => Err(self),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                let secs = self.listen_s;
                Ok((self.finish(), secs))
            }
        }
    }

    /// Waits for what the thread did.
    fn finish(self) -> ApplyRound {
        let applied = self.done.recv().unwrap_or_else(|_| {
            vec![crate::preamps::Applied {
                input: 0,
                change: None,
                problem: Some("the preamps cannot be reached: their thread has stopped".into()),
            }]
        });
        self.round(applied)
    }

    /// Says each problem on stderr (a preamp that does not answer; metering went on).
    fn round(self, applied: Vec<crate::preamps::Applied>) -> ApplyRound {
        for problem in applied.iter().filter_map(|a| a.problem.as_ref()) {
            eprintln!("gainstage: {problem}");
        }
        if let Some(why) = &self.unlogged
            && applied.iter().any(|a| a.change.is_some())
        {
            eprintln!("gainstage: gain changes not written to the session log: {why}");
        }
        ApplyRound {
            requests: self.requests,
            applied,
            before: self.before,
        }
    }
}

/// Reads until the meter thread has closed the takes of a finished file (it does once the
/// file's last frames are metered). Wall clock is only a backstop here.
fn wait_for_takes(reader: &mut crate::capture::SnapshotReader) -> Option<Snapshot> {
    let give_up = Instant::now() + Duration::from_secs(2);
    let mut latest = None;
    while Instant::now() < give_up {
        if let Some(s) = reader.read() {
            let done = !s.takes_pending;
            latest = Some(s);
            if done {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    latest
}

fn closed_pipe(r: &Result<(), crate::Error>) -> bool {
    matches!(r, Err(crate::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn print_json(out: &mut impl Write, value: &impl Serialize) -> Result<(), crate::Error> {
    let line = serde_json::to_string(value)
        .map_err(|e| crate::Error::Message(format!("cannot encode JSON: {e}")))?;
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn level(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.1}"))
}

/// Each warning's kind with the preamp change that fixes it, where one does: short enough
/// for a table column ("hot -7.0dB,rumble").
fn kinds(w: &[Warning]) -> String {
    let names: Vec<String> = w
        .iter()
        .map(|w| match w.suggested_gain_db {
            Some(g) => format!("{} {g:+.1}dB", kind_name(w.kind)),
            None => kind_name(w.kind).to_string(),
        })
        .collect();
    names.join(",")
}

fn print_soundcheck_table(
    out: &mut impl Write,
    results: &[SoundcheckResult],
) -> Result<(), crate::Error> {
    writeln!(out, "\nsoundcheck:")?;
    writeln!(
        out,
        "{:>3} {:>11} {:>8} {:>8}  advice",
        "ch", "status", "gain", "max TP"
    )?;
    for r in results {
        let status = serde_json::to_value(r.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        writeln!(
            out,
            "{:>3} {:>11} {:>8} {:>8}  {}",
            r.channel,
            status,
            r.suggested_gain_db
                .map_or_else(|| "-".into(), |g| format!("{g:+.1}")),
            level(r.max_true_peak_dbtp),
            r.message
        )?;
    }
    Ok(())
}

fn print_table(
    out: &mut impl Write,
    s: &Snapshot,
    realtime: Option<&Realtime>,
    meter: Option<&MeterChoice>,
) -> Result<(), crate::Error> {
    let line = Line::from_snapshot(s, meter);
    // Home and clear: the table redraws in place.
    write!(out, "\x1b[H\x1b[2J")?;
    writeln!(
        out,
        "{} {}  {} Hz  {:?}  clips: {}  t={:.1}s  dropped={} xruns={}{}",
        s.source.host,
        s.source.device,
        s.source.sample_rate,
        s.state,
        s.source.clip_rule.describe(),
        s.t_s,
        s.dropped_frames,
        s.xruns,
        realtime.map_or_else(String::new, |r| format!("  {}", r.describe()))
    )?;
    if let Some(take) = &s.open_take {
        writeln!(out, "{}", take.label(s.t_s))?;
    }
    if let Some(problem) = s.log.problem() {
        writeln!(out, "{problem}")?;
    }
    if let Some(problem) = s.checkpoints.problem() {
        writeln!(out, "{problem}")?;
    }
    let meter_head = meter.map_or(String::new(), |m| format!(" {:>10}", m.kind.label()));
    writeln!(
        out,
        "{:>3} {:>8} {:>8} {:>8}{meter_head} {:>7} {:>6}  warnings",
        "ch", "peak", "TP", "S LUFS", "clips", "overs"
    )?;
    for c in &line.channels {
        let reading = c.meter.as_ref().map_or(String::new(), |m| {
            format!(" {:>10}", format!("{} {}", level(m.scale), m.unit))
        });
        writeln!(
            out,
            "{:>3} {:>8} {:>8} {:>8}{reading} {:>7} {:>6}  {}",
            c.channel,
            level(c.sample_peak_dbfs),
            level(c.true_peak_dbtp),
            level(c.short_term_lufs),
            c.clipped_samples,
            c.overs,
            kinds(&c.warnings)
        )?;
    }
    out.flush()?;
    Ok(())
}

fn print_summary_table(out: &mut impl Write, s: &Summary) -> Result<(), crate::Error> {
    writeln!(
        out,
        "\nsummary: {:.1} s, dropped {} frames, {} xruns; clips: {}",
        s.duration_s,
        s.dropped_frames,
        s.xruns,
        s.clip_rule.describe()
    )?;
    if s.log_failed_entries > 0 {
        let why = s.log_error.as_deref().unwrap_or("unknown reason");
        writeln!(
            out,
            "session log failed: {why}, {} of {} entries not written",
            s.log_failed_entries, s.log_entries
        )?;
    }
    if s.checkpoint_failures > 0 {
        let why = s.checkpoint_error.as_deref().unwrap_or("unknown reason");
        writeln!(
            out,
            "take checkpoints failed: {why}, {} of {} not written",
            s.checkpoint_failures,
            s.checkpoint_failures + s.checkpoints_written
        )?;
    }
    writeln!(
        out,
        "{:>3} {:>8} {:>8} {:>8} {:>7} {:>6}  warnings",
        "ch", "max pk", "max TP", "max S", "clips", "overs"
    )?;
    for c in &s.channels {
        writeln!(
            out,
            "{:>3} {:>8} {:>8} {:>8} {:>7} {:>6}  {}",
            c.channel,
            level(c.max_sample_peak_dbfs),
            level(c.max_true_peak_dbtp),
            level(c.max_short_term_lufs),
            c.clipped_samples,
            c.overs,
            kinds(&c.warnings)
        )?;
    }
    Ok(())
}
