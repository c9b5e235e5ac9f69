//! What a take's report says, as saved (JSON, CSV) and printed. Plain data plus the
//! verdict's wording; the tracker fills it in.

use serde::{Deserialize, Serialize};

use super::burst::BurstReport;
use super::track::TrackReport;
use crate::advisor::WarningKind;
use crate::listing::csv_cell;

/// One take: when, its verdict, and every input's findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TakeReport {
    /// Number within the session, from 1.
    pub take: usize,
    pub name: String,
    /// Stream time of the take's start and end (s).
    pub start_s: f64,
    pub end_s: f64,
    /// True when the stream ended (or was stopped) before the take's marked end, or the run
    /// stopped without saving it and it was recovered from its last checkpoint.
    pub cut_short: bool,
    /// Started by the level (automatic takes), not by a person or a marked span. Files
    /// saved before this key existed read as `false`.
    #[serde(default)]
    pub auto: bool,
    /// The worst input's verdict: `clipped at MM:SS.d` (earliest clip), `hot` or `clean`.
    pub verdict: String,
    pub inputs: Vec<InputReport>,
    /// "gain changed before this take: Input 1 +30.0 → +21.0 dB", when gainstage changed a
    /// preamp since the previous take started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gain_changed: Option<String>,
}

/// One input over one take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputReport {
    /// Channel number, from 1.
    pub channel: usize,
    pub name: String,
    /// `clipped at MM:SS.d` (first burst, from the take's start), `hot` (true peak above the
    /// preset's hot level) or `clean`.
    pub verdict: String,
    pub max_sample_peak_dbfs: Option<f64>,
    pub max_true_peak_dbtp: Option<f64>,
    pub clipped_samples: u64,
    pub overs: u64,
    /// Clip bursts, oldest first; at most [`super::MAX_BURSTS`].
    pub bursts: Vec<BurstReport>,
    /// Bursts past the cap: counted here, their clips still in the counts above.
    pub bursts_not_listed: u64,
    /// Gated over the take's 400 ms blocks (BS.1770); `null` when nothing passed the gates.
    pub integrated_lufs: Option<f64>,
    /// EBU Tech 3342 over the take's 3 s windows; `null` for takes too short to have one.
    pub loudness_range_lu: Option<f64>,
    /// Every kind of warning the advisor raised during the take.
    pub warnings: Vec<WarningKind>,
    /// Max true peak over the whole take at bounded resolution.
    pub headroom: TrackReport,
}

impl TakeReport {
    /// Bytes the report holds on the heap (strings, bursts, warnings, headroom tracks).
    pub fn heap_bytes(&self) -> usize {
        self.name.capacity()
            + self.verdict.capacity()
            + self.inputs.capacity() * std::mem::size_of::<InputReport>()
            + self
                .inputs
                .iter()
                .map(InputReport::heap_bytes)
                .sum::<usize>()
    }
}

impl InputReport {
    /// Bytes the input's findings hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.name.capacity()
            + self.verdict.capacity()
            + self.bursts.capacity() * std::mem::size_of::<BurstReport>()
            + self.warnings.capacity() * std::mem::size_of::<WarningKind>()
            + self.headroom.heap_bytes()
    }
}

/// How bad a verdict is, for picking a take's worst input.
fn rank(verdict: &str) -> u8 {
    if verdict.starts_with("clipped") {
        2
    } else if verdict == "hot" {
        1
    } else {
        0
    }
}

/// "clipped at 00:12.3": minutes, seconds and tenths from the take's start.
pub fn clipped_at(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).floor() as u64;
    format!(
        "clipped at {:02}:{:02}.{}",
        tenths / 600,
        (tenths / 10) % 60,
        tenths % 10
    )
}

/// An input's verdict: its first burst if it clipped, else `hot` above `hot_dbtp`.
pub fn input_verdict(first_burst_s: Option<f64>, max_true_peak_dbtp: f64, hot_dbtp: f64) -> String {
    match first_burst_s {
        Some(s) => clipped_at(s),
        None if max_true_peak_dbtp > hot_dbtp => "hot".into(),
        None => "clean".into(),
    }
}

/// A take's verdict: the earliest clip of any input, else `hot` if any input ran hot.
pub fn take_verdict(inputs: &[InputReport]) -> String {
    let first_clip = inputs
        .iter()
        .filter_map(|i| i.bursts.first().map(|b| b.start_s))
        .min_by(f64::total_cmp);
    if let Some(s) = first_clip {
        return clipped_at(s);
    }
    match inputs.iter().map(|i| rank(&i.verdict)).max() {
        Some(r) if r > 0 => "hot".into(),
        _ => "clean".into(),
    }
}

/// Columns of the CSV, one row per take and input.
pub const CSV_HEADER: &str = "take,name,start_s,end_s,cut_short,take_verdict,channel,input,verdict,max_sample_peak_dbfs,max_true_peak_dbtp,clipped_samples,overs,bursts,bursts_not_listed,burst_starts_s,burst_overs,integrated_lufs,loudness_range_lu,warnings";

/// The reports as CSV (RFC 4180 quoting); lists inside a cell are separated by `;`.
pub fn to_csv(takes: &[TakeReport]) -> String {
    let mut s = String::from(CSV_HEADER);
    s.push('\n');
    s.push_str(&csv_rows(takes));
    s
}

/// The CSV's rows for `takes`, without the header: what adding takes to a file appends.
pub fn csv_rows(takes: &[TakeReport]) -> String {
    let mut s = String::new();
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    for t in takes {
        for i in &t.inputs {
            let starts: Vec<String> = i.bursts.iter().map(|b| b.start_s.to_string()).collect();
            let overs: Vec<String> = i.bursts.iter().map(|b| b.overs.to_string()).collect();
            let warnings: Vec<&str> = i
                .warnings
                .iter()
                .map(|k| crate::advisor::events::kind_name(*k))
                .collect();
            let cells = [
                t.take.to_string(),
                csv_cell(&t.name),
                t.start_s.to_string(),
                t.end_s.to_string(),
                t.cut_short.to_string(),
                csv_cell(&t.verdict),
                i.channel.to_string(),
                csv_cell(&i.name),
                csv_cell(&i.verdict),
                num(i.max_sample_peak_dbfs),
                num(i.max_true_peak_dbtp),
                i.clipped_samples.to_string(),
                i.overs.to_string(),
                i.bursts.len().to_string(),
                i.bursts_not_listed.to_string(),
                starts.join(";"),
                overs.join(";"),
                num(i.integrated_lufs),
                num(i.loudness_range_lu),
                warnings.join(";"),
            ];
            s.push_str(&cells.join(","));
            s.push('\n');
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_name_the_first_clip_in_minutes_seconds_and_tenths() {
        assert_eq!(clipped_at(12.34), "clipped at 00:12.3");
        assert_eq!(clipped_at(75.06), "clipped at 01:15.0");
        assert_eq!(input_verdict(None, -0.5, -1.0), "hot");
        assert_eq!(input_verdict(None, -1.0, -1.0), "clean");
        assert_eq!(input_verdict(Some(0.3), -40.0, -1.0), "clipped at 00:00.3");
    }

    #[test]
    fn cells_with_commas_or_quotes_are_quoted() {}
}
