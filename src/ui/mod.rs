//! The iced GUI: the only module that imports iced. The meter thread does all DSP; the GUI
//! reads snapshots, draws them and sends commands.
//!
//! - `app`: the shell (session, windows, snapshot polling, top bar, keyboard, saving).
//! - `bridge`, `wall`, `performer`: the three views; `strips`: every strip's meter in one
//!   canvas (bridge, wall and performer); `scale`: the dB scale they share;
//!   `scale_labels`: a scale's labels on every strip, as a widget over that canvas.
//! - `soundcheck`, `log_panel`, `settings_panel`: the soundcheck flow, the session log, the
//!   settings and templates.
//! - `palette`: the colours, what each means, and the themes; `badge`: warnings in a few
//!   characters.

pub mod app;
pub mod badge;
pub mod bridge;
pub mod log_panel;
pub mod palette;
pub mod performer;
pub mod scale;
pub mod scale_labels;
pub mod settings_panel;
pub mod soundcheck;
pub mod strips;
pub mod wall;

use std::process::ExitCode;

use clap::ValueEnum;

use crate::capture::{Session, SessionConfig};
use crate::cli::{GuiArgs, HostChoice, SourceArgs};
use crate::meter::MeterConfig;
use crate::settings::{self, SavedSource, Settings};
use app::{App, View};

/// The command-line form of a saved input.
pub fn source_args(saved: &SavedSource) -> SourceArgs {
    SourceArgs {
        host: saved
            .host
            .as_deref()
            .and_then(|h| HostChoice::from_str(h, true).ok()),
        device: saved.device.clone(),
        channels: saved.channels,
        rate: saved.rate,
        buffer: saved.buffer,
        demo: saved.demo,
        ..SourceArgs::default()
    }
}

fn session_config(saved: &Settings) -> SessionConfig {
    SessionConfig {
        session_log: true,
        meter: MeterConfig {
            over_len: saved.over_len,
            peak_hold_s: saved.peak_hold_s,
            ..MeterConfig::default()
        },
        presets: saved.presets.clone(),
        preset_table: saved.preset_table.clone(),
        channel_names: saved.names.clone(),
        ..SessionConfig::default()
    }
}

/// Opens the source the arguments name; without one that works, the demo, with a banner that
/// says why and points at the device picker.
fn start(source: &SourceArgs, saved: &Settings) -> (Option<Session>, Option<String>) {
    // A saved source's arguments are built with `Default`, whose over length is 0, not
    // clap's default of 1 (which defers to the saved setting).
    let source = SourceArgs {
        over_len: source.over_len.max(1),
        ..source.clone()
    };
    match Session::start(&source, session_config(saved)) {
        Ok(s) => (Some(s), None),
        Err(e) if !source.demo && source.file.is_none() => {
            let demo = SourceArgs {
                demo: true,
                channels: source.channels,
                ..SourceArgs::default()
            };
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
    start(&source_args(source), saved)
}

/// True when the command line names an input; it then wins over the saved one.
fn names_a_source(s: &SourceArgs) -> bool {
    s.host.is_some()
        || s.device.is_some()
        || s.file.is_some()
        || s.demo
        || s.channels.is_some()
        || s.rate.is_some()
        || s.buffer.is_some()
}

/// What to do instead of the window, for a machine that cannot show one (SSH, a headless
/// studio server).
const NO_WINDOW_HINT: &str = "meter in this terminal with `gainstage monitor` (see `gainstage monitor --help`), or measure recorded files with `gainstage analyze`";

/// Whether the environment names a display a window could open on.
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

pub fn run(args: GuiArgs) -> Result<ExitCode, crate::Error> {
    // Checked before any input is opened: without a display there is nothing to show it on.
    if !has_display() {
        return Err(crate::Error::Message(format!(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset): {NO_WINDOW_HINT}"
        )));
    }
    let boot = move || {
        let dir = crate::paths::config_dir();
        let (saved, problem) = dir.as_deref().map(settings::load).unwrap_or_default();
        let source = if names_a_source(&args.source) {
            args.source.clone()
        } else {
            SourceArgs {
                over_len: args.source.over_len,
                ..source_args(&saved.source)
            }
        };
        let (session, banner) = start(&source, &saved);
        let banner = match (banner, problem) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, b) => a.or(b),
        };
        let view = if args.wall {
            View::Wall
        } else {
            View::from_name(&saved.view)
        };
        let fell_back = !source.demo
            && source.file.is_none()
            && session.as_ref().is_some_and(|s| s.source().is_demo);
        let mut app = App::new(session, banner, view).with_opener(open_saved);
        app.restore(&saved, dir);
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
