//! The iced GUI: the only module that imports iced. The meter thread does all DSP; the GUI
//! reads snapshots, draws them and sends commands.
//!
//! - `app`: the shell (session, snapshot polling, top bar, keyboard, view switching).
//! - `bridge`, `wall`, `performer`: the three views.
//! - `meter`: the canvas meter bar (cached scale) and the 60 s headroom track.
//! - `palette`: the colours and what each means; `badge`: warnings in a few characters.

pub mod app;
pub mod badge;
pub mod bridge;
pub mod meter;
pub mod palette;
pub mod performer;
pub mod wall;

use std::process::ExitCode;

use crate::capture::{Session, SessionConfig};
use crate::cli::{GuiArgs, SourceArgs};
use crate::settings::{self, Settings};
use app::{App, View};

/// Opens the source the arguments name; without one that works, the demo, with a banner that
/// says why.
fn start(source: &SourceArgs, saved: &Settings) -> (Option<Session>, Option<String>) {
    let config = || SessionConfig {
        session_log: true,
        presets: saved.presets.clone(),
        channel_names: saved.names.clone(),
        ..SessionConfig::default()
    };
    match Session::start(source, config()) {
        Ok(s) => (Some(s), None),
        Err(e) if !source.demo && source.file.is_none() => {
            let demo = SourceArgs {
                demo: true,
                channels: source.channels,
                ..SourceArgs::default()
            };
            let banner = format!("No usable input device — showing the demo source. ({e})");
            match Session::start(&demo, config()) {
                Ok(s) => (Some(s), Some(banner)),
                Err(e2) => (None, Some(format!("{banner} The demo failed too: {e2}"))),
            }
        }
        Err(e) => (None, Some(e.to_string())),
    }
}

pub fn run(args: GuiArgs) -> Result<ExitCode, crate::Error> {
    let boot = move || {
        let dir = crate::paths::config_dir();
        let (saved, problem) = dir.as_deref().map(settings::load).unwrap_or_default();
        let (session, banner) = start(&args.source, &saved);
        let banner = match (banner, problem) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, b) => a.or(b),
        };
        let view = if args.wall {
            View::Wall
        } else {
            View::from_name(&saved.view)
        };
        let mut app = App::new(session, banner, view);
        app.restore(&saved, dir);
        let task = if view == View::Wall {
            app.update(app::Message::ShowView(View::Wall))
        } else {
            iced::Task::none()
        };
        (app, task)
    };
    iced::application(boot, App::update, App::view)
        .title("gainstage")
        .subscription(App::subscription)
        .theme(|_: &App| iced::Theme::Dark)
        .window_size((1600.0, 900.0))
        .run()
        .map_err(|e| crate::Error::Message(format!("the GUI could not start: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
