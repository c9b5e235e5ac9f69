//! `gainstage serve`: a headless session served to browsers, WebSocket and OSC clients.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::server::{Remote, RemoteConfig, RemoteSource, local_urls};
use crate::advisor::ChannelPlan;
use crate::capture::{Session, SessionConfig, SourceSpec};
use crate::meter::MeterConfig;
use crate::meter::bank::MAX_CHANNELS;

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
}

pub fn run(opts: ServeOptions) -> Result<ExitCode, crate::Error> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Release));
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
        ..SessionConfig::default()
    };
    let session =
        Session::start(&opts.source, config).map_err(|e| crate::Error::Message(e.to_string()))?;
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
    let _ = print_banner(&session, &remote, &opts, &urls);
    let end = opts
        .duration_s
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map(|d| Instant::now() + Duration::from_secs_f64(d));
    while !stop.load(Ordering::Acquire) && end.is_none_or(|e| Instant::now() < e) {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(remote);
    drop(session);
    Ok(ExitCode::SUCCESS)
}

fn print_banner(
    session: &Session,
    remote: &Remote,
    opts: &ServeOptions,
    urls: &[String],
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
    if let Some(osc) = remote.osc_listen_addr() {
        writeln!(out, "OSC control on udp {osc}")?;
    }
    out.flush()
}
