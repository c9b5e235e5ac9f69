//! `gainstage monitor`: headless metering as a live table or JSON lines.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::advisor::{Warning, WarningKind};
use crate::capture::{Session, SessionConfig};
use crate::cli::MonitorArgs;
use crate::meter::level::finite;
use crate::snapshot::{Snapshot, StreamState};

/// One JSON line: the contract in issue 3. Levels are `null` for silence.
#[derive(Debug, Serialize)]
pub struct Line {
    pub t_s: f64,
    pub state: StreamState,
    pub dropped_frames: u64,
    pub xruns: u64,
    pub channels: Vec<LineChannel>,
}

#[derive(Debug, Serialize)]
pub struct LineChannel {
    pub channel: usize,
    pub sample_peak_dbfs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub peak_hold_dbfs: Option<f64>,
    pub momentary_lufs: Option<f64>,
    pub short_term_lufs: Option<f64>,
    pub clipped_samples: u64,
    pub overs: u64,
    pub warnings: Vec<Warning>,
}

/// The last line, at the end of `--duration`, Ctrl-C or SIGTERM.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub summary: bool,
    pub duration_s: f64,
    pub dropped_frames: u64,
    pub xruns: u64,
    pub channels: Vec<SummaryChannel>,
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

/// Two decimals: finer than any meter's accuracy, short enough to read.
fn db(v: f64) -> Option<f64> {
    finite(v)
        .filter(|v| *v > SILENCE_DB)
        .map(|v| (v * 100.0).round() / 100.0)
}

impl Line {
    pub fn from_snapshot(s: &Snapshot) -> Self {
        Self {
            t_s: (s.t_s * 1000.0).round() / 1000.0,
            state: s.state,
            dropped_frames: s.dropped_frames,
            xruns: s.xruns,
            channels: s
                .channels
                .iter()
                .map(|c| LineChannel {
                    channel: c.channel,
                    sample_peak_dbfs: db(c.readings.sample_peak_dbfs),
                    true_peak_dbtp: db(c.readings.true_peak_dbtp),
                    peak_hold_dbfs: db(c.readings.peak_hold_dbfs),
                    momentary_lufs: db(c.readings.momentary_lufs),
                    short_term_lufs: db(c.readings.short_term_lufs),
                    clipped_samples: c.readings.clipped_samples,
                    overs: c.readings.overs,
                    warnings: c.warnings.clone(),
                })
                .collect(),
        }
    }
}

impl Summary {
    pub fn from_snapshot(s: &Snapshot) -> Self {
        Self {
            summary: true,
            duration_s: (s.t_s * 1000.0).round() / 1000.0,
            dropped_frames: s.dropped_frames,
            xruns: s.xruns,
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
                    warnings: c.warnings.clone(),
                })
                .collect(),
        }
    }
}

pub fn run(args: &MonitorArgs) -> Result<ExitCode, crate::Error> {
    if args.soundcheck.is_some() {
        return Err(crate::Error::Message(
            "--soundcheck is not yet available: it arrives with the gain-staging advisor".into(),
        ));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Without the handler Ctrl-C would kill us before the summary line; carry on regardless.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Release));

    let session = Session::start(&args.source, SessionConfig::default())
        .map_err(|e| crate::Error::Message(e.to_string()))?;
    let mut reader = session.reader();
    let interval = Duration::from_millis(args.interval.max(1));
    let start = Instant::now();
    let end = args
        .duration
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map(|d| start + Duration::from_secs_f64(d));
    let mut out = std::io::stdout().lock();
    let mut last: Option<Snapshot> = None;
    let mut tick: u32 = 0;
    loop {
        tick = tick.saturating_add(1);
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
            let printed = if args.json {
                print_json(&mut out, &Line::from_snapshot(&snapshot))
            } else {
                print_table(&mut out, &snapshot)
            };
            if closed_pipe(&printed) {
                // The reader went away (`| head`): nothing left to tell anyone.
                return Ok(ExitCode::SUCCESS);
            }
            printed?;
            let finished = snapshot.state == StreamState::Finished;
            last = Some(snapshot);
            if finished {
                break;
            }
        }
        if end.is_some_and(|e| Instant::now() >= e) {
            break;
        }
    }
    // The final counts: after the source stops nothing changes, so read once more.
    let final_snapshot = reader.read().or(last);
    drop(session);
    if let Some(s) = final_snapshot {
        let summary = Summary::from_snapshot(&s);
        if args.json {
            print_json(&mut out, &summary)?;
        } else {
            print_summary_table(&mut out, &summary)?;
        }
    }
    Ok(ExitCode::SUCCESS)
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

fn kinds(w: &[Warning]) -> String {
    let names: Vec<&str> = w.iter().map(|w| kind_name(w.kind)).collect();
    names.join(",")
}

fn kind_name(k: WarningKind) -> &'static str {
    match k {
        WarningKind::Clip => "clip",
        WarningKind::Hot => "hot",
        WarningKind::Low => "low",
        WarningKind::NoSignal => "no_signal",
        WarningKind::DcOffset => "dc_offset",
        WarningKind::Rumble => "rumble",
        WarningKind::Noisy => "noisy",
    }
}

fn print_table(out: &mut impl Write, s: &Snapshot) -> Result<(), crate::Error> {
    let line = Line::from_snapshot(s);
    // Home and clear: the table redraws in place.
    write!(out, "\x1b[H\x1b[2J")?;
    writeln!(
        out,
        "{} {}  {} Hz  {:?}  t={:.1}s  dropped={} xruns={}",
        s.source.host,
        s.source.device,
        s.source.sample_rate,
        s.state,
        s.t_s,
        s.dropped_frames,
        s.xruns
    )?;
    writeln!(
        out,
        "{:>3} {:>8} {:>8} {:>8} {:>7} {:>6}  warnings",
        "ch", "peak", "TP", "S LUFS", "clips", "overs"
    )?;
    for c in &line.channels {
        writeln!(
            out,
            "{:>3} {:>8} {:>8} {:>8} {:>7} {:>6}  {}",
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
        "\nsummary: {:.1} s, dropped {} frames, {} xruns",
        s.duration_s, s.dropped_frames, s.xruns
    )?;
    writeln!(
        out,
        "{:>3} {:>8} {:>8} {:>8} {:>7} {:>6}",
        "ch", "max pk", "max TP", "max S", "clips", "overs"
    )?;
    for c in &s.channels {
        writeln!(
            out,
            "{:>3} {:>8} {:>8} {:>8} {:>7} {:>6}",
            c.channel,
            level(c.max_sample_peak_dbfs),
            level(c.max_true_peak_dbtp),
            level(c.max_short_term_lufs),
            c.clipped_samples,
            c.overs
        )?;
    }
    Ok(())
}
