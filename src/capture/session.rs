//! A running capture: source → callback → ring → meter thread → snapshots. The API the GUI
//! and the headless monitor drive.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};

pub use super::commander::{Commander, Refused};
use std::thread::JoinHandle;

use super::callback::{CallbackState, ring, ring_frames};
use super::demo::{DEMO_CHANNELS, DEMO_RATE, Demo};
use super::file::WavSource;
use super::publish::Board;
use super::shared::Shared;
use super::source::{SourceKind, SourceSpec};
use super::worker::{MeterWorker, WorkerInputs};
use crate::advisor::{Calendar, LiveConfig, LogWriter, Presets, SourcePreset};
use crate::meter::{ClipRule, MeterConfig};
use crate::snapshot::SourceInfo;

pub use super::publish::SnapshotReader;

/// Why a capture could not start; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{0}")]
    Message(String),
}

/// Settings a session starts with.
#[derive(Debug, Clone, Default)]
pub struct SessionConfig {
    /// Meter settings; `meter.clip_rule` is replaced by the rule for the source's format.
    pub meter: MeterConfig,
    /// Clip level for float sources (dBFS); `None` is the default, one 16-bit step below full
    /// scale ([`crate::meter::clip::DEFAULT_FLOAT_CLIP_LEVEL`]). Integer sources always clip
    /// at their full-scale codes.
    pub float_clip_level_dbfs: Option<f64>,
    /// Preset per channel (index 0 = channel 1); missing channels use `SourcePreset::Generic`.
    pub presets: Vec<SourcePreset>,
    /// The parameters behind each preset: built-ins plus the user's edits.
    pub preset_table: Presets,
    /// How the live advisor smooths its warnings.
    pub live: LiveConfig,
    /// Channel names for the session log (index 0 = channel 1); blank or missing ones are
    /// "Input N".
    pub channel_names: Vec<String>,
    /// Record advisor events (clips, warnings raised and cleared) in today's session log in
    /// the data dir. Off by default so library users and tests write nothing unasked;
    /// `gainstage monitor` and the GUI turn it on.
    pub session_log: bool,
    /// Where the session log's day files go; `None`: `sessions/` in the data dir.
    pub log_dir: Option<std::path::PathBuf>,
    /// Takes marked ahead of time, in stream seconds (checked with
    /// [`crate::takes::check_spans`]).
    pub takes: Vec<crate::takes::TakeSpan>,
    /// Automatic takes by the level ([`crate::takes::auto`]); `None`: off.
    pub auto_take: Option<crate::takes::AutoTakeConfig>,
    /// Where the running take is checkpointed every 10 s of stream time
    /// ([`crate::takes::checkpoint`]); `None`: nowhere.
    pub checkpoints: Option<crate::takes::checkpoint::CheckpointTarget>,
}

/// The session log's writer thread, or `None` after one line on stderr: metering matters more.
/// Failures to write later are counted in every snapshot instead.
fn open_log(config: &SessionConfig) -> Option<LogWriter> {
    if !config.session_log {
        return None;
    }
    let dir = match &config.log_dir {
        Some(d) => d.clone(),
        None => crate::advisor::session_log::sessions_dir()
            .map_err(|e| eprintln!("gainstage: no session log: {e}"))
            .ok()?,
    };
    LogWriter::spawn(dir, Calendar::system())
        .map_err(|e| eprintln!("gainstage: no session log: cannot start its thread: {e}"))
        .ok()
}

/// Requests to the meter thread. Sending never blocks the sender or the meter thread: the
/// queue is bounded and take commands are rate-limited ([`Commander`]).
#[derive(Debug, Clone, PartialEq)]
pub enum MeterCommand {
    /// Clear every channel's readings, counts and latched clips.
    ResetAll,
    /// Clear one channel (index from 0).
    ResetChannel(usize),
    /// Change one channel's source preset (index from 0).
    SetPreset(usize, SourcePreset),
    /// Replace the table presets are looked up in (the user's targets and thresholds).
    SetPresetTable(Presets),
    /// Rename one channel (index from 0) for the session log.
    Rename(usize, String),
    /// Start a take now with this name (blank: "Take N"), ending any open one.
    StartTake(String),
    /// End the open take now.
    StopTake,
    /// Run these programme meters (VU, PPM, K, digital peak) from now on, and no others.
    SetProgramme(crate::meter::ProgrammeSet),
    /// End the open take now, or start one with this name when none is open.
    ToggleTake(String),
    /// Automatic takes on with these levels and times, or off (`None`).
    AutoTakes(Option<crate::takes::AutoTakeConfig>),
    /// A preamp's gain was changed ("Input 1 +30.0 → +21.0 dB"): the next take's report says so.
    GainChanged(String),
    /// Checkpoint the running take there from now on, or nowhere (`None`): for a reader that
    /// claims its take session after the capture started (the GUI).
    Checkpoints(Option<crate::takes::checkpoint::CheckpointTarget>),
}

/// A running capture. Dropping it stops the stream and the meter thread.
#[derive(Debug)]
pub struct Session {
    info: SourceInfo,
    /// The device callback's real-time state; `None` for sources that are not devices.
    realtime: Option<Arc<super::realtime::Slot>>,
    board: Arc<Board>,
    commands: Commander,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// The pieces every source is wired from: the callback state to drive and the meter thread.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub callback: CallbackState,
    pub shared: Arc<Shared>,
    pub stop: Arc<AtomicBool>,
    /// Where a rebuilt stream sends its new ring's consumer.
    pub rings: Sender<ringbuf::HeapCons<f32>>,
    session: Session,
}

impl SessionConfig {
    /// The clip rule for a source in `sample_format` ("f32", "i24", ...).
    pub fn clip_rule(&self, sample_format: &str) -> ClipRule {
        ClipRule::for_format(
            is_float_format(sample_format),
            self.float_clip_level_dbfs
                .unwrap_or_else(crate::meter::clip::default_float_clip_level_dbfs),
        )
    }
}

/// True for the float sample formats as cpal and the WAV sources name them ("f32", "f64").
pub fn is_float_format(sample_format: &str) -> bool {
    sample_format.starts_with('f')
}

impl Pipeline {
    /// Builds the ring, the callback state and starts the meter thread. Fills in the source's
    /// clip rule from its sample format and the config.
    pub fn new(mut info: SourceInfo, config: &SessionConfig) -> Result<Self, CaptureError> {
        info.clip_rule = config.clip_rule(&info.sample_format);
        let over_len = config.meter.over_len;
        let float_clip_level = config.clip_rule("f32").threshold();
        let channels = info.channels;
        // Before anything is sized by it: a WAV header may claim 65535 channels, and a ring of
        // a second of those (12.8 GB) fails to allocate and aborts instead of saying why.
        crate::meter::bank::check_channels(channels)
            .map_err(|e| CaptureError::Message(format!("cannot meter this source: {e}")))?;
        let shared = Arc::new(Shared::new(channels));
        let board = Arc::new(Board::new(channels));
        let stop = Arc::new(AtomicBool::new(false));
        let (producer, consumer) = ring(channels, ring_frames(info.sample_rate));
        let (ring_tx, ring_rx) = mpsc::channel();
        let (cmd_tx, cmd_rx) = mpsc::sync_channel(super::commander::COMMAND_QUEUE);
        let mut meter = config.meter.clone();
        meter.clip_rule = info.clip_rule;
        let worker = MeterWorker::new(
            info.clone(),
            &meter,
            &config.presets,
            WorkerInputs {
                consumer,
                next_consumer: ring_rx,
                commands: cmd_rx,
            },
            Arc::clone(&shared),
            Arc::clone(&board),
        )
        .map_err(|e| CaptureError::Message(format!("cannot meter this source: {e}")))?
        .with_advice(
            config.preset_table.clone(),
            config.live.clone(),
            &config.channel_names,
            open_log(config),
        )
        .with_takes(&config.takes, config.auto_take)
        .with_keeper(config.checkpoints.clone());
        let worker_stop = Arc::clone(&stop);
        let meter_thread = std::thread::Builder::new()
            .name("gainstage-meter".into())
            .spawn(move || worker.run(&worker_stop))
            .map_err(|e| CaptureError::Message(format!("cannot start the meter thread: {e}")))?;
        Ok(Self {
            callback: CallbackState::new(
                channels,
                over_len,
                float_clip_level,
                producer,
                Arc::clone(&shared),
            ),
            shared,
            stop: Arc::clone(&stop),
            rings: ring_tx,
            session: Session {
                info,
                realtime: None,
                board,
                commands: Commander::new(cmd_tx),
                stop,
                threads: vec![meter_thread],
            },
        })
    }

    /// The parts, for a source that drives the callback state itself (a device stream).
    #[allow(clippy::type_complexity)]
    pub fn into_parts(
        self,
    ) -> (
        CallbackState,
        Arc<Shared>,
        Arc<AtomicBool>,
        Sender<ringbuf::HeapCons<f32>>,
        Session,
    ) {
        (
            self.callback,
            self.shared,
            self.stop,
            self.rings,
            self.session,
        )
    }

    /// Runs `body` (which owns the callback state) on a source thread; the session owns it.
    pub fn spawn_source(
        self,
        name: &str,
        body: impl FnOnce(CallbackState, Arc<Shared>, Arc<AtomicBool>) + Send + 'static,
    ) -> Result<Session, CaptureError> {
        let Pipeline {
            callback,
            shared,
            stop,
            mut session,
            ..
        } = self;
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || body(callback, shared, stop))
            .map_err(|e| CaptureError::Message(format!("cannot start the {name} thread: {e}")))?;
        session.threads.push(handle);
        Ok(session)
    }
}

impl Session {
    /// Opens the source `spec` names (a device, a WAV file or the demo).
    pub fn start(spec: &SourceSpec, config: SessionConfig) -> Result<Session, CaptureError> {
        match &spec.kind {
            SourceKind::File(path) => {
                let wav = WavSource::open(path)?;
                let info = SourceInfo {
                    host: "file".into(),
                    device: path.display().to_string(),
                    device_id: format!("file:{}", path.display()),
                    sample_rate: wav.sample_rate(),
                    channels: wav.channels(),
                    buffer_frames: Some(super::paced::PERIOD_FRAMES as u32),
                    sample_format: wav.format_name().into(),
                    is_demo: false,
                    channel_names: Vec::new(),
                    clip_rule: ClipRule::default(),
                };
                let rate = info.sample_rate;
                Pipeline::new(info, &config)?
                    .spawn_source("gainstage-file", move |cb, shared, stop| {
                        super::paced::run(wav, cb, rate, shared, stop)
                    })
            }
            SourceKind::Demo => {
                Self::start_demo(spec.channels.map(usize::from), spec.rate, &config)
            }
            SourceKind::Device { host, device } => {
                super::device::start(*host, device.as_deref(), spec, &config)
            }
        }
    }

    /// The built-in demo session (`channels` default 16, `rate` default 48 kHz): what the GUI
    /// falls back to when no input device exists.
    pub fn start_demo(
        channels: Option<usize>,
        rate: Option<u32>,
        config: &SessionConfig,
    ) -> Result<Session, CaptureError> {
        let channels = channels.unwrap_or(DEMO_CHANNELS).max(1);
        let rate = rate.unwrap_or(DEMO_RATE).clamp(8_000, 384_000);
        let info = SourceInfo {
            host: "demo".into(),
            device: "Demo session".into(),
            device_id: "demo".into(),
            sample_rate: rate,
            channels,
            buffer_frames: Some(super::paced::PERIOD_FRAMES as u32),
            sample_format: "f32".into(),
            is_demo: true,
            channel_names: Vec::new(),
            clip_rule: ClipRule::default(),
        };
        let demo = Demo::new(channels, rate);
        Pipeline::new(info, config)?.spawn_source("gainstage-demo", move |cb, shared, stop| {
            super::paced::run(demo, cb, rate, shared, stop)
        })
    }

    pub(crate) fn adopt_thread(&mut self, handle: JoinHandle<()>) {
        self.threads.push(handle);
    }

    pub(crate) fn set_source(&mut self, info: SourceInfo) {
        self.info = info;
    }

    pub(crate) fn set_realtime(&mut self, slot: Arc<super::realtime::Slot>) {
        self.realtime = Some(slot);
    }

    /// The priority the kernel runs the device callback's thread at, once it has run; `None`
    /// before and for sources that are not devices (files, the demo, custom sources).
    pub fn realtime(&self) -> Option<super::realtime::Realtime> {
        self.realtime.as_ref().and_then(|slot| slot.report())
    }

    /// A session fed by the caller: the returned callback state is what a device callback
    /// would drive (`CallbackState::process` with interleaved samples of any format). For
    /// custom sources, latency measurements and tests. `info.clip_rule` is filled in from
    /// `info.sample_format`; the callback applies the rule of the type it is fed.
    pub fn start_custom(
        info: SourceInfo,
        config: &SessionConfig,
    ) -> Result<(Session, CallbackState), CaptureError> {
        let (callback, shared, _stop, _rings, session) = Pipeline::new(info, config)?.into_parts();
        shared.set_state(crate::snapshot::StreamState::Running);
        Ok((session, callback))
    }

    /// What is being metered.
    pub fn source(&self) -> &SourceInfo {
        &self.info
    }

    /// A new independent reader.
    pub fn reader(&self) -> SnapshotReader {
        SnapshotReader::new(Arc::clone(&self.board))
    }

    /// A handle that queues commands for the meter thread from anywhere (a web server's
    /// tasks), as [`Session::send`] does; it outlives nothing: once the session stops, its
    /// commands go nowhere.
    pub fn commander(&self) -> Commander {
        self.commands.clone()
    }

    /// Queues a command for the meter thread. A command refused ([`Refused`]: the meter
    /// thread has ended, the queue is full, take commands come too fast) is dropped; a
    /// sender that must know uses [`Session::commander`].
    pub fn send(&self, command: MeterCommand) {
        let _ = self.commands.send(command);
    }

    /// Stops the source and the meter thread and waits for them.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GUI keeps a session in its state and readers on other threads.
    #[test]
    fn session_and_readers_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Session>();
        send::<SnapshotReader>();
        send::<MeterCommand>();
    }

    #[test]
    fn start_demo_publishes_and_stops_on_drop() {
        let session = Session::start_demo(Some(3), None, &SessionConfig::default()).unwrap();
        let mut reader = session.reader();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let snap = loop {
            if let Some(s) = reader.read()
                && s.t_s > 0.1
            {
                break s;
            }
            assert!(std::time::Instant::now() < deadline, "no snapshot");
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        assert_eq!(snap.channels.len(), 3);
        assert_eq!(snap.state, crate::snapshot::StreamState::Running);
        assert_eq!(session.source().host, "demo");
        let t = std::time::Instant::now();
        drop(session);
        assert!(
            t.elapsed() < std::time::Duration::from_millis(500),
            "drop joins promptly"
        );
    }
}
