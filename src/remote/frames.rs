//! Snapshots as `/ws` messages. The JSON frame carries `monitor --json`'s keys, converted by
//! the very code `monitor` uses ([`crate::monitor::LineChannel::from_channel`]), plus what a
//! view needs (name, zone, word, falling and max true peak). The compact frame is what the
//! pages read: the same numbers in arrays, a tenth of the bytes. Events ride between frames.

use std::fmt::Write as _;

use serde::Serialize;

use super::server::ChannelInfo;
use crate::advisor::{StripZone, Warning, performer_word};
use crate::capture::publish::Peaks;
use crate::monitor::{Line, LineChannel, db};
use crate::snapshot::{Snapshot, StreamState};

/// One `/ws` JSON frame.
#[derive(Debug, Serialize)]
pub struct Frame<'a> {
    pub seq: u64,
    pub t_s: f64,
    pub state: StreamState,
    pub dropped_frames: u64,
    pub xruns: u64,
    pub log_failed_entries: u64,
    /// The take running now, `null` when none is (`monitor --json` leaves it out instead).
    pub take: Option<crate::takes::OpenTakeInfo>,
    pub channels: Vec<FrameChannel<'a>>,
}

/// One channel of a frame: `monitor --json`'s keys and a view's.
#[derive(Debug, Serialize)]
pub struct FrameChannel<'a> {
    #[serde(flatten)]
    pub line: LineChannel,
    pub name: &'a str,
    /// `clip` (an over since reset), `hot` or `good`: the strip's colour.
    pub zone: &'static str,
    /// The performer's word: GOOD, HOT, CLIP, LOW or NO SIGNAL.
    pub word: &'static str,
    pub falling_true_peak_dbtp: Option<f64>,
    pub max_true_peak_dbtp: Option<f64>,
    pub badges: Vec<String>,
}

fn hot(infos: &[ChannelInfo], index: usize) -> f64 {
    infos.get(index).map_or(-6.0, |c| c.hot_dbtp)
}

fn word_of(c: &crate::snapshot::ChannelSnapshot) -> &'static str {
    performer_word(&c.warnings, c.readings.overs > 0)
}

/// The JSON frame for `s` with `peaks` (per channel, the maxima since the client's previous
/// frame) as `sample_peak_dbfs` and `true_peak_dbtp`.
pub fn json_frame(s: &Snapshot, peaks: &[Peaks], infos: &[ChannelInfo]) -> String {
    let line = Line::from_snapshot(s, None);
    let channels = line
        .channels
        .into_iter()
        .zip(&s.channels)
        .enumerate()
        .map(|(i, (mut line, c))| FrameChannel {
            line: {
                if let Some(p) = peaks.get(i) {
                    line.sample_peak_dbfs = db(p.sample_dbfs());
                    line.true_peak_dbtp = db(p.true_peak_dbtp());
                }
                line
            },
            name: infos.get(i).map_or("", |c| c.name.as_str()),
            zone: StripZone::of(&c.readings, hot(infos, i)).name(),
            word: word_of(c),
            falling_true_peak_dbtp: db(c.readings.falling_true_peak_dbtp),
            max_true_peak_dbtp: db(c.readings.max_true_peak_dbtp),
            badges: c
                .warnings
                .iter()
                .map(crate::advisor::words::badge)
                .collect(),
        })
        .collect();
    let frame = Frame {
        seq: s.seq,
        t_s: line.t_s,
        state: line.state,
        dropped_frames: line.dropped_frames,
        xruns: line.xruns,
        log_failed_entries: line.log_failed_entries,
        take: line.take,
        channels,
    };
    // Numbers, strings and options cannot fail to serialise.
    serde_json::to_string(&frame).unwrap_or_default()
}

const WORDS: [&str; 5] = ["GOOD", "HOT", "CLIP", "LOW", "NO SIGNAL"];

fn state_name(s: StreamState) -> &'static str {
    match s {
        StreamState::Starting => "starting",
        StreamState::Running => "running",
        StreamState::Lost => "lost",
        StreamState::Reconnecting => "reconnecting",
        StreamState::Finished => "finished",
    }
}

fn push_level(out: &mut String, v: f64) {
    // One decimal: a tenth of a dB is finer than a bar can show; null is silence.
    // Written as whole tenths: integer formatting costs a fraction of float formatting, and
    // this runs 32 × 6 times per frame per client.
    match db(v) {
        Some(v) => {
            let tenths = (v * 10.0).round() as i64;
            let sign = if tenths < 0 { "-" } else { "" };
            let a = tenths.unsigned_abs();
            let _ = write!(out, "{sign}{}.{}", a / 10, a % 10);
        }
        None => out.push_str("null"),
    }
}

/// The compact frame: `{"k":[seq,t_s,"state",dropped_frames,xruns,take],"c":[[sample_peak_dbfs,
/// true_peak_dbtp, peak_hold_dbfs, falling_true_peak_dbtp, max_true_peak_dbtp,
/// short_term_lufs, clipped_samples, overs, zone, word], ...]}`, zone 0 good, 1 hot, 2 clip;
/// word an index into GOOD, HOT, CLIP, LOW, NO SIGNAL; take `null` or the running take's
/// `[number,start_s,auto (0 or 1),"name"]`.
pub fn compact_frame(s: &Snapshot, peaks: &[Peaks], infos: &[ChannelInfo]) -> String {
    let mut out = String::with_capacity(64 + s.channels.len() * 56);
    let _ = write!(
        out,
        "{{\"k\":[{},{:.3},\"{}\",{},{},",
        s.seq,
        s.t_s,
        state_name(s.state),
        s.dropped_frames,
        s.xruns
    );
    match &s.open_take {
        Some(t) => {
            // A name is the user's text: escaped as JSON escapes it.
            let name = serde_json::to_string(&*t.name).unwrap_or_else(|_| "\"\"".into());
            let _ = write!(
                out,
                "[{},{:.3},{},{name}]",
                t.number,
                t.start_s,
                u8::from(t.auto)
            );
        }
        None => out.push_str("null"),
    }
    out.push_str("],\"c\":[");
    for (i, c) in s.channels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let r = &c.readings;
        let p = peaks.get(i).copied().unwrap_or_default();
        out.push('[');
        for v in [
            p.sample_dbfs(),
            p.true_peak_dbtp(),
            r.peak_hold_dbfs,
            r.falling_true_peak_dbtp,
            r.max_true_peak_dbtp,
            r.short_term_lufs,
        ] {
            push_level(&mut out, v);
            out.push(',');
        }
        let zone = match StripZone::of(r, hot(infos, i)) {
            StripZone::Good => 0,
            StripZone::Hot => 1,
            StripZone::Clip => 2,
        };
        let word = WORDS.iter().position(|w| *w == word_of(c)).unwrap_or(0);
        let _ = write!(out, "{},{},{},{}]", r.clipped_samples, r.overs, zone, word);
    }
    out.push_str("]}");
    out
}

/// The warnings of every channel with their badges: sent to compact clients when they change.
pub fn warnings_message(s: &Snapshot) -> String {
    #[derive(Serialize)]
    struct Shown<'a> {
        #[serde(flatten)]
        warning: &'a Warning,
        badge: String,
    }
    let list: Vec<Vec<Shown<'_>>> = s
        .channels
        .iter()
        .map(|c| {
            c.warnings
                .iter()
                .map(|w| Shown {
                    warning: w,
                    badge: crate::advisor::words::badge(w),
                })
                .collect()
        })
        .collect();
    serde_json::to_string(&serde_json::json!({ "warnings": list })).unwrap_or_default()
}

/// `over` events for the channels whose over count rose from `before` to `now`.
pub fn over_events(before: &Snapshot, now: &Snapshot) -> Vec<String> {
    before
        .channels
        .iter()
        .zip(&now.channels)
        .filter(|(b, n)| n.readings.overs > b.readings.overs)
        .map(|(b, n)| {
            serde_json::json!({
                "event": "over",
                "channel": n.channel,
                "new_overs": n.readings.overs - b.readings.overs,
                "overs": n.readings.overs,
                "clipped_samples": n.readings.clipped_samples,
            })
            .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn levels_are_written_in_tenths() {
        for (v, want) in [
            (-6.04, "-6.0"),
            (-0.04, "0.0"),
            (-0.06, "-0.1"),
            (3.25, "3.3"),
            (-125.0, "-125.0"),
            (f64::NEG_INFINITY, "null"),
        ] {
            let mut out = String::new();
            super::push_level(&mut out, v);
            assert_eq!(out, want, "{v}");
        }
    }
}
