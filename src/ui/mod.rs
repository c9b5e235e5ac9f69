//! The iced GUI: the only module that imports iced. The meter thread does all DSP; the GUI
//! reads snapshots, draws them and sends commands.
//!
//! - `app`: the shell (session, windows, snapshot polling, routing messages); `nav`: which
//!   view and panel are showing.
//! - `roster`: every channel's name, preset and levels; `layers`: the views' canvas caches
//!   and when each goes stale; `store`: saving settings and templates; `keys`: the key map
//!   and the help that lists it; `top_bar`: the status line and buttons.
//! - `scene`: what every view draws from. `bridge`, `wall`, `performer`: the three views,
//!   each taking a scene and its own layers; `strips`: every strip's meter in one canvas
//!   (bridge, wall and performer); `scale`: the dB scale of the true-peak bar; `bars`: what
//!   a view's bars show (true peak or the VU, PPM, K or digital peak meter chosen for it) on
//!   which scale; `scale_labels`: a scale's labels on every strip, as a widget over that
//!   canvas. `banks`: a bridge of many channels a bank at a time, with the overview of every
//!   channel; `strip_text`: the size and form of each strip's words and numbers at a strip's
//!   width.
//! - `soundcheck`, `log_panel`, `settings_panel`: the soundcheck flow, the session log, the
//!   settings and templates. `takes_panel`: marking takes, their list (saved and read back
//!   across runs); `take_view`: one take's verdicts and headroom tracks. `remote_panel`:
//!   the Remote panel, this session served to browsers (on/off, address, URLs, QR code,
//!   control link, viewers).
//! - `renderer`: which renderer draws (the GPU where it is real, else tiny-skia).
//! - `palette`: the colours, what each means, and the themes; `badge`: warnings in a few
//!   characters.

pub mod app;
pub mod badge;
pub mod banks;
pub mod bars;
pub mod bridge;
pub mod keys;
pub mod layers;
pub mod log_panel;
pub mod nav;
pub mod palette;
pub mod performer;
pub mod remote_panel;
pub mod renderer;
pub mod roster;
pub mod scale;
pub mod scale_labels;
pub mod scene;
pub mod settings_panel;
pub mod soundcheck;
pub mod store;
pub mod strip_text;
pub mod strips;
pub mod take_view;
pub mod takes_panel;
pub mod top_bar;
pub mod wall;

use std::process::ExitCode;

use crate::capture::{HostKind, Session, SessionConfig, SourceKind, SourceSpec};
use crate::meter::MeterConfig;
use crate::settings::{self, SavedSource, Settings};
use app::{App, View};

/// What the GUI starts with besides its saved settings.
#[derive(Debug, Clone, Default)]
pub struct GuiOptions {
    /// An input named for this run; it wins over the saved one. `None` opens the saved input.
    pub source: Option<SourceSpec>,
    /// Over length for this run instead of the saved one.
    pub over_len: Option<u32>,
    /// Float clip level (dBFS) for this run instead of the saved one.
    pub float_clip_level_dbfs: Option<f64>,
    /// Open straight into the wall view, fullscreen.
    pub wall: bool,
    /// Preamps the soundcheck may set (`--preamp`); `None`: advice only.
    pub preamps: Option<crate::preamps::RigConfig>,
}

/// The preamps saved in the settings; ones that no longer parse are left out.
fn saved_preamps(saved: &[String]) -> Option<crate::preamps::RigConfig> {
    let specs: Vec<crate::preamps::PreampSpec> =
        saved.iter().filter_map(|s| s.parse().ok()).collect();
    (!specs.is_empty()).then(|| crate::preamps::RigConfig {
        specs,
        ..crate::preamps::RigConfig::default()
    })
}

/// The source a saved input describes.
pub fn saved_spec(saved: &SavedSource) -> SourceSpec {
    SourceSpec {
        kind: if saved.demo {
            SourceKind::Demo
        } else {
            SourceKind::Device {
                host: saved.host.as_deref().and_then(HostKind::from_name),
                device: saved.device.clone(),
            }
        },
        channels: saved.channels,
        rate: saved.rate,
        buffer: saved.buffer,
    }
}

fn session_config(saved: &Settings) -> SessionConfig {
    SessionConfig {
        session_log: true,
        meter: MeterConfig {
            over_len: saved.over_len,
            peak_hold_s: saved.peak_hold_s,
            programme: saved.meters.programme(),
            ..MeterConfig::default()
        },
        float_clip_level_dbfs: Some(saved.clip_level_dbfs),
        presets: saved.presets.clone(),
        preset_table: saved.preset_table.clone(),
        channel_names: saved.names.clone(),
        auto_take: saved.auto_take.config(),
        ..SessionConfig::default()
    }
}

/// Opens the source `spec` names; without one that works, the demo, with a banner that says
/// why and points at the device picker.
fn start(spec: &SourceSpec, saved: &Settings) -> (Option<Session>, Option<String>) {
    match Session::start(spec, session_config(saved)) {
        Ok(s) => (Some(s), None),
        Err(e) if spec.is_device() => {
            let demo = SourceSpec::demo(spec.channels);
            let banner = format!(
                "No usable input device ({e}) — showing the demo source. Pick an input under Settings."
            );
            match Session::start(&demo, session_config(saved)) {
                Ok(s) => (Some(s), Some(banner)),
                Err(e2) => (None, Some(format!("{banner} The demo failed too: {e2}"))),
            }
        }
        Err(e) => (None, Some(e.to_string())),
    }
}

/// Opens a saved input (the settings panel's picker).
fn open_saved(source: &SavedSource, saved: &Settings) -> (Option<Session>, Option<String>) {
    start(&saved_spec(source), saved)
}

/// What to do instead of the window, for a machine that cannot show one (SSH, a headless
/// studio server).
const NO_WINDOW_HINT: &str = "meter in this terminal with `gainstage monitor` (see `gainstage monitor --help`), or measure recorded files with `gainstage analyze`";

pub fn run(args: GuiOptions) -> Result<ExitCode, crate::Error> {
    // Checked before any input is opened: without a display there is nothing to show it on.
    if !crate::platform::display::has_display() {
        return Err(crate::Error::Message(format!(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset): {NO_WINDOW_HINT}"
        )));
    }
    // Before iced starts: it takes its renderer from the environment only.
    // The help panel says which (stderr stays for errors: one line each).
    let drawn_with = renderer::settle(renderer::choose()).describe();
    let boot = move || {
        let dir = crate::platform::paths::config_dir();
        let (saved, problem) = dir.as_deref().map(settings::load).unwrap_or_default();
        let source = args
            .source
            .clone()
            .unwrap_or_else(|| saved_spec(&saved.source));
        // This run's meter options open the first input; the saved ones stay as they are.
        let first = Settings {
            over_len: args.over_len.unwrap_or(saved.over_len),
            clip_level_dbfs: args.float_clip_level_dbfs.unwrap_or(saved.clip_level_dbfs),
            ..saved.clone()
        };
        let (session, banner) = start(&source, &first);
        let banner = match (banner, problem) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, b) => a.or(b),
        };
        let view = if args.wall {
            View::Wall
        } else {
            View::from_name(&saved.view)
        };
        let fell_back = source.is_device() && session.as_ref().is_some_and(|s| s.source().is_demo);
        let commander = session.as_ref().map(Session::commander);
        // Every input's gain is read at start, so each strip shows it from the first frame.
        let inputs = session.as_ref().map_or(0, |s| s.source().channels);
        let mut app = App::new(session, banner, view).with_opener(open_saved);
        // This run's `--preamp`, else the ones saved from the last run that named some.
        let preamps = args
            .preamps
            .clone()
            .or_else(|| saved_preamps(&saved.preamps));
        if let Some(config) = preamps {
            // One thread for the soundcheck and the remote view's control clients alike.
            match crate::preamps::worker::PreampWorker::spawn(
                config,
                inputs,
                crate::preamps::log::log_dir().ok(),
                commander,
            ) {
                Ok(worker) => app = app.with_preamps(worker),
                Err(e) => app.banner = Some(format!("Preamps cannot be set: {e}")),
            }
        }
        app.renderer = drawn_with.clone();
        app.restore(&saved, dir);
        if let Some(config) = &args.preamps {
            // A PipeWire node, an ALSA card, a WASAPI endpoint or a CoreAudio device belongs to this run's input,
            // not to the next run's.
            let named = config
                .specs
                .iter()
                .filter(|s| {
                    !matches!(
                        s.through(),
                        crate::preamps::Through::Pipewire
                            | crate::preamps::Through::Alsa
                            | crate::preamps::Through::Wasapi
                            | crate::preamps::Through::Coreaudio
                    )
                })
                .map(ToString::to_string)
                .collect();
            app.remember_preamps(named);
        }
        match crate::takes::store::takes_dir() {
            Ok(takes) => app.open_takes(takes),
            Err(e) => app.banner = Some(format!("Takes will not be saved: {e}")),
        }
        let (id, open) = iced::window::open(app::main_window_settings(&saved.window, args.wall));
        app.main_window = Some(id);
        app.fullscreen = args.wall;
        let picker = if fell_back {
            app.open_device_picker()
        } else {
            iced::Task::none()
        };
        (app, iced::Task::batch([open.discard(), picker]))
    };
    let ran = unless_no_window_system(|| {
        iced::daemon(boot, App::update, App::view_window)
            .title(App::title)
            .subscription(App::subscription)
            .theme(App::iced_theme)
            .style(App::style)
            .run()
    });
    match ran {
        Ok(Ok(())) => Ok(ExitCode::SUCCESS),
        Ok(Err(e)) => Err(crate::Error::Message(format!(
            "the window could not open ({e}): {NO_WINDOW_HINT}"
        ))),
        Err(why) => Err(crate::Error::Message(format!(
            "the window could not open ({why}): {NO_WINDOW_HINT}"
        ))),
    }
}

/// What iced says, as it panics, when no window system answers (a `DISPLAY` or
/// `WAYLAND_DISPLAY` naming a server that is gone, a forwarded X11 that does not work).
const EVENT_LOOP_PANIC: &str = "Create event loop";

/// Runs `gui`; when no window system answers, returns why instead of the panic iced raises
/// then (iced 0.14 has no error for it). That one panic is kept off stderr; every other
/// panic is reported and goes on as usual.
fn unless_no_window_system<T>(gui: impl FnOnce() -> T) -> Result<T, String> {
    static NO_WINDOW: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let said = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if said.starts_with(EVENT_LOOP_PANIC)
            && let Ok(mut slot) = NO_WINDOW.lock()
        {
            *slot = Some(display_problem(said));
            return;
        }
        report(info);
    }));
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(gui));
    match ran {
        Ok(v) => Ok(v),
        Err(panic) => match NO_WINDOW.lock().ok().and_then(|mut s| s.take()) {
            Some(why) => Err(why),
            None => std::panic::resume_unwind(panic),
        },
    }
}

/// The display iced could not reach, from its panic message, in a few words.
fn display_problem(said: &str) -> String {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if said.contains("Wayland") {
        format!(
            "no Wayland compositor answers at WAYLAND_DISPLAY={}",
            var("WAYLAND_DISPLAY")
        )
    } else if said.contains("XOpenDisplayFailed") || said.contains("XNotSupported") {
        format!("no X server answers at DISPLAY={}", var("DISPLAY"))
    } else {
        "no window system answers".to_string()
    }
}
