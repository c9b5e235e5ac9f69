//! Session-log entries for takes and clip bursts: one entry per burst (when it ends) instead
//! of one per publish, and one per take start and end.

use std::time::{Duration, SystemTime};

use super::burst::{Burst, db2, round_ms};
use super::report::TakeReport;
use crate::advisor::{LogEntry, LogEventKind};
use crate::meter::level::amplitude_to_db;

fn entry(time: SystemTime, channel: usize, name: &str, event: LogEventKind) -> LogEntry {
    LogEntry {
        time: humantime::format_rfc3339_millis(time).to_string(),
        channel,
        name: name.to_string(),
        event,
        kind: None,
        count: 0,
        level_dbtp: None,
        message: String::new(),
        stream_s: None,
        duration_s: None,
        clipped_samples: None,
        max_level_dbfs: None,
        gain: None,
    }
}

/// The wall-clock time of stream frame `frame`, given that frame `now_frame` is `now`.
pub fn wall_time(now: SystemTime, now_frame: u64, frame: u64, rate: u32) -> SystemTime {
    let back = now_frame.saturating_sub(frame) as f64 / f64::from(rate.max(1));
    now.checked_sub(Duration::from_secs_f64(back))
        .unwrap_or(now)
}

/// One clip burst on `channel` (from 1) named `name`; its time is the burst's start.
pub fn burst_entry(time: SystemTime, channel: usize, name: &str, b: &Burst, rate: u32) -> LogEntry {
    let r = b.report(0, rate);
    let mut e = entry(time, channel, name, LogEventKind::Clip);
    e.count = b.overs;
    let tp = amplitude_to_db(b.max_true_peak);
    e.level_dbtp = tp.is_finite().then(|| (tp * 10.0).round() / 10.0);
    e.stream_s = Some(r.start_s);
    e.duration_s = Some(r.duration_s);
    e.clipped_samples = Some(b.clipped_samples);
    e.max_level_dbfs = r.max_level_dbfs;
    let plural = |n: u64, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    e.message = format!(
        "{name}: clip burst at {:.3} s, {} {} ({} clipped {}) over {:.3} s, max {}",
        r.start_s,
        b.overs,
        plural(b.overs, "over", "overs"),
        b.clipped_samples,
        plural(b.clipped_samples, "sample", "samples"),
        r.duration_s,
        r.max_level_dbfs
            .map_or_else(|| "-".into(), |l| format!("{l:.2} dBFS"))
    );
    e
}

/// A take began at stream second `stream_s`.
pub fn take_start_entry(time: SystemTime, name: &str, stream_s: f64) -> LogEntry {
    let mut e = entry(time, 0, name, LogEventKind::TakeStart);
    e.stream_s = Some(round_ms(stream_s));
    e.message = format!("{name} started at {stream_s:.3} s");
    e
}

/// A take ended: its verdict and the inputs that were not clean.
pub fn take_end_entry(time: SystemTime, take: &TakeReport) -> LogEntry {
    let mut e = entry(time, 0, &take.name, LogEventKind::TakeEnd);
    e.stream_s = Some(take.end_s);
    e.duration_s = Some(round_ms(take.end_s - take.start_s));
    let worst: Vec<String> = take
        .inputs
        .iter()
        .filter(|i| i.verdict != "clean")
        .map(|i| format!("{} {}", i.name, i.verdict))
        .collect();
    e.count = take.inputs.iter().map(|i| i.overs).sum();
    e.level_dbtp = take
        .inputs
        .iter()
        .filter_map(|i| i.max_true_peak_dbtp)
        .max_by(f64::total_cmp)
        .and_then(|v| db2(v).map(|v| (v * 10.0).round() / 10.0));
    e.message = if worst.is_empty() {
        format!("{} ended at {:.3} s: clean", take.name, take.end_s)
    } else {
        format!(
            "{} ended at {:.3} s: {} ({})",
            take.name,
            take.end_s,
            take.verdict,
            worst.join(", ")
        )
    };
    e
}
