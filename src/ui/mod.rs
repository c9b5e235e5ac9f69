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
//!   (bridge, wall and performer); `scale`: the dB scale they share; `scale_labels`: a
//!   scale's labels on every strip, as a widget over that canvas.
//! - `soundcheck`, `log_panel`, `settings_panel`: the soundcheck flow, the session log, the
//!   settings and templates.
//! - `palette`: the colours, what each means, and the themes; `badge`: warnings in a few
//!   characters.

pub mod app;
pub mod badge;
pub mod bridge;
pub mod keys;
pub mod layers;
pub mod log_panel;
pub mod nav;
pub mod palette;
pub mod performer;
pub mod roster;
pub mod scale;
pub mod scale_labels;
pub mod scene;
pub mod settings_panel;
pub mod soundcheck;
pub mod store;
pub mod strips;
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
            ..MeterConfig::default()
        },
        float_clip_level_dbfs: Some(saved.clip_level_dbfs),
        presets: saved.presets.clone(),
        preset_table: saved.preset_table.clone(),
        channel_names: saved.names.clone(),
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

pub fn run(args: GuiOptions) -> Result<ExitCode, crate::Error> {
    let boot = move || {
        let dir = crate::paths::config_dir();
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
