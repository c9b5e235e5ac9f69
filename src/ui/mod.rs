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

pub fn run(args: GuiArgs) -> Result<ExitCode, crate::Error> {
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
    iced::daemon(boot, App::update, App::view_window)
        .title(App::title)
        .subscription(App::subscription)
        .theme(App::iced_theme)
        .style(App::style)
        .run()
        .map_err(|e| crate::Error::Message(format!("the GUI could not start: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
