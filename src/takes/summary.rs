//! A take as a list shows it: number, name, times, verdicts and when each input first
//! clipped. The headroom tracks and burst lists are almost all of a saved report (a 3-minute
//! take on 32 inputs is 209 kB of JSON); read from a file, a summary skips them without
//! parsing a number of them, so a list of the last 200 takes opens without building 40 MB of
//! reports.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::report::TakeReport;

/// One take, for a list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TakeSummary {
    /// Number within the session, from 1.
    pub take: usize,
    pub name: String,
    /// Stream time of the take's start and end (s).
    pub start_s: f64,
    pub end_s: f64,
    /// The worst input's verdict, as in [`TakeReport::verdict`].
    pub verdict: String,
    pub inputs: Vec<InputSummary>,
}

/// One input over one take, for a list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InputSummary {
    pub name: String,
    /// `clipped at MM:SS.d`, `hot` or `clean`.
    pub verdict: String,
    /// When the first clip burst started, from the take's start (s); `None`: no clip.
    #[serde(rename = "bursts", deserialize_with = "first_start")]
    pub first_burst_s: Option<f64>,
}

impl From<&TakeReport> for TakeSummary {
    fn from(t: &TakeReport) -> Self {
        Self {
            take: t.take,
            name: t.name.clone(),
            start_s: t.start_s,
            end_s: t.end_s,
            verdict: t.verdict.clone(),
            inputs: t
                .inputs
                .iter()
                .map(|i| InputSummary {
                    name: i.name.clone(),
                    verdict: i.verdict.clone(),
                    first_burst_s: i.bursts.first().map(|b| b.start_s),
                })
                .collect(),
        }
    }
}

/// The first burst's start out of a list of bursts; the rest are skipped, not built.
fn first_start<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    struct Start {
        start_s: f64,
    }
    struct First;
    impl<'de> Visitor<'de> for First {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of bursts")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<f64>, A::Error> {
            let first = seq.next_element::<Start>()?.map(|b| b.start_s);
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(first)
        }
    }
    d.deserialize_seq(First)
}
