//! `gainstage preamps`: each input whose gain can be set, its gain, range and step, and through
//! what.

use std::io::Write;
use std::process::ExitCode;

use super::rig::{InputPreamp, Rig, RigConfig};
use crate::capture::{Session, SessionConfig, SourceSpec};

#[derive(Debug, Clone)]
pub struct ListOptions {
    /// The inputs: their count is the source's channel count.
    pub source: SourceSpec,
    pub rig: RigConfig,
    pub json: bool,
}

/// How many inputs the source has: `--channels` when given, else the opened source's count.
fn input_count(source: &SourceSpec) -> Result<usize, crate::Error> {
    if let Some(n) = source.channels {
        return Ok(usize::from(n));
    }
    let session = Session::start(source, SessionConfig::default()).map_err(|e| {
        crate::Error::Message(format!("cannot open the input to count its channels: {e}"))
    })?;
    Ok(session.source().channels)
}

pub fn run(opts: &ListOptions) -> Result<ExitCode, crate::Error> {
    if opts.rig.specs.is_empty() {
        return Err(crate::Error::Message(
            "no preamps to list: name them with --preamp x32:HOST, xair:HOST, motu:HOST, pipewire:NODE, alsa:CTL, wasapi:DEVICE or coreaudio:DEVICE (or in the template)".into(),
        ));
    }
    let inputs = input_count(&opts.source)?;
    let mut rig = Rig::from_config(&opts.rig).map_err(|e| crate::Error::Message(e.to_string()))?;
    let listed = rig.list(inputs);
    let mut out = std::io::stdout().lock();
    if opts.json {
        let text = serde_json::to_string(&listed)
            .map_err(|e| crate::Error::Message(format!("cannot encode JSON: {e}")))?;
        writeln!(out, "{text}")?;
    } else {
        out.write_all(table(&listed).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn table(listed: &[InputPreamp]) -> String {
    let mut s = format!(
        "{:>5}  {:<9}  {:<14}  {:>7}  {:<16}  {:<8}  {}\n",
        "INPUT", "THROUGH", "PREAMP", "GAIN", "RANGE (STEP)", "KIND", "DEVICE"
    );
    for p in listed {
        let gain = p.gain_db.map_or_else(|| "-".into(), |g| format!("{g:+.1}"));
        let range = p.range.map_or_else(
            || "-".into(),
            |r| format!("{:+.0}..{:+.0} ({})", r.min_db, r.max_db, r.step_db),
        );
        let kind = if p.hardware { "hardware" } else { "software" };
        s.push_str(&format!(
            "{:>5}  {:<9}  {:<14}  {:>7}  {:<16}  {:<8}  {}\n",
            p.input,
            p.through.name(),
            p.preamp,
            gain,
            range,
            kind,
            p.device
        ));
        if let Some(problem) = &p.problem {
            s.push_str(&format!("       {problem}\n"));
        }
    }
    s
}
