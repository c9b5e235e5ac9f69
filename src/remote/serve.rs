//! `gainstage serve`: a headless session served to browsers, WebSocket and OSC clients.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::server::{Remote, RemoteConfig, RemoteSource, local_urls};
use crate::advisor::ChannelPlan;
use crate::capture::{Session, SessionConfig, SourceSpec};
use crate::meter::MeterConfig;
use crate::meter::bank::MAX_CHANNELS;
use crate::snapshot::Snapshot;
use crate::takes::AutoTakeConfig;
use crate::takes::run::RunTakes;
use crate::takes::store::{session_name, takes_dir};

/// What `gainstage serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub source: SourceSpec,
    pub plan: ChannelPlan,
    pub over_len: u32,
    pub float_clip_level_dbfs: Option<f64>,
    pub remote: RemoteConfig,
    /// Stop after this many seconds; `None`: until Ctrl-C or SIGTERM.
    pub duration_s: Option<f64>,
    /// Takes started by level, besides those a remote client or OSC starts.
    pub auto_take: Option<AutoTakeConfig>,
}

pub fn run(opts: ServeOptions) -> Result<ExitCode, crate::Error> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Release));
    // Claimed before the capture starts, which checkpoints the running take in it.
    let (mut takes, notes) = RunTakes::new(takes_dir(), &session_name(SystemTime::now()));
    for note in notes {
        eprintln!("gainstage: {note}");
    }
    let plan = &opts.plan;
    let config = SessionConfig {
        meter: MeterConfig {
            over_len: opts.over_len,
            ..MeterConfig::default()
        },
        float_clip_level_dbfs: opts.float_clip_level_dbfs,
        presets: plan.presets_for(MAX_CHANNELS),
        preset_table: plan.template.presets.clone(),
        channel_names: plan.names_for(MAX_CHANNELS),
        session_log: true,
        auto_take: opts.auto_take,
        checkpoints: takes.checkpoints(),
        ..SessionConfig::default()
    };
    let session =
        Session::start(&opts.source, config).map_err(|e| crate::Error::Message(e.to_string()))?;
    // Takes started from a phone, a DAW's OSC or by level: each saved as it ends, as
    // `monitor` saves them.
    let mut reader = session.reader();
    let source = RemoteSource {
        reader: session.reader(),
        commander: session.commander(),
        plan: opts.plan.clone(),
        source: session.source().clone(),
    };
    let remote = Remote::start(source, opts.remote.clone())
        .map_err(|e| crate::Error::Message(e.to_string()))?;
    let urls = local_urls(remote.local_addr());
    // Printed to help; a closed stdout must not stop the server, so write errors are ignored.
    let _ = print_banner(&session, &remote, &opts, &urls, takes.file().as_deref());
    let end = opts
        .duration_s
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map(|d| Instant::now() + Duration::from_secs_f64(d));
    while !stop.load(Ordering::Acquire) && end.is_none_or(|e| Instant::now() < e) {
        std::thread::sleep(Duration::from_millis(50));
        keep(&mut takes, reader.read());
    }
    drop(remote);
    // Stopping ends a take still open; the last snapshot carries it.
    drop(session);
    keep(&mut takes, reader.read());
    let ended = takes.finish();
    if let Some(problem) = &ended.problem {
        eprintln!("gainstage: {problem}");
    }
    if let Some(file) = ended.file().filter(|_| ended.count > 0) {
        let _ = writeln!(
            std::io::stdout(),
            "{} saved in {} (`gainstage takes`)",
            crate::takes::saver::takes(ended.count),
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Keeps the takes a snapshot carries; tells what the saver has to say.
fn keep(takes: &mut RunTakes, snapshot: Option<Snapshot>) {
    if let Some(news) = snapshot.and_then(|s| takes.keep(&s.takes)) {
        eprintln!("gainstage: {news}");
    }
}

fn print_banner(
    session: &Session,
    remote: &Remote,
    opts: &ServeOptions,
    urls: &[String],
    takes_file: Option<&Path>,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let info = session.source();
    let addr = remote.local_addr();
    writeln!(out, "listening on {addr}")?;
    writeln!(
        out,
        "serving {} {} ({} channels); open on any device on the network:",
        info.host, info.device, info.channels
    )?;
    for url in urls {
        writeln!(out, "  {url}")?;
    }
    if let Some(osc) = remote.osc_listen_addr() {
        writeln!(out, "OSC control on udp {osc}")?;
    }
    if let Some(file) = takes_file {
        writeln!(out, "takes are saved in {}", file.display())?;
    }
    if let Some(rig) = &opts.remote.preamps {
        let specs: Vec<String> = rig.specs.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "preamps a control client may set (apply, undo): {}",
            specs.join(", ")
        )?;
    }
    // The performer's line last: scripts read the banner up to it.
    if let Some(url) = urls.first() {
        let key = opts
            .remote
            .view_token
            .as_ref()
            .map_or_else(String::new, |k| format!("&key={}", k.as_str()));
        writeln!(
            out,
            "control link (resets, soundcheck, takes; keep it to yourself): {url}?token={}{key}",
            remote.token().as_str()
        )?;
        writeln!(
            out,
            "performer: {url}performer?ch=1   wall: {url}wall   bridge: {url}bridge"
        )?;
    }
    out.flush()
}
