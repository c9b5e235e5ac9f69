//! The application shell: owns the capture session and the windows, polls snapshots, routes
//! messages to the screens, draws the top bar, and saves settings once changes settle.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::keyboard::{self, Key, key::Named};
use iced::widget::canvas::Cache;
use iced::widget::{button, column, container, row, text};
use iced::{Element, Length, Point, Size, Subscription, Task, event, window};

use super::palette::{self, Neutral, ThemeChoice, Zone};
use super::settings_panel::{self, Action, Form};
use super::strips::Thresholds;
use super::{bridge, log_panel, performer, soundcheck, wall};
use crate::advisor::{
    ChannelPlan, ChannelSetup, PresetParams, Presets, SessionTemplate, SourcePreset,
};
use crate::capture::{MeterCommand, Session, SnapshotReader};
use crate::settings::{self, SavedSource, Settings, WindowGeometry};
use crate::snapshot::{Snapshot, StreamState};

/// The three views, switched with 1 / 2 / 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Bridge,
    Wall,
    Performer,
}

impl View {
    pub fn name(self) -> &'static str {
        match self {
            View::Bridge => "bridge",
            View::Wall => "wall",
            View::Performer => "performer",
        }
    }

    pub fn from_name(name: &str) -> View {
        match name {
            "wall" => View::Wall,
            "performer" => View::Performer,
            _ => View::Bridge,
        }
    }
}

/// The panels that open under the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Log,
    Settings,
    Help,
}

#[derive(Debug, Clone)]
pub enum Message {
    /// Time to refresh the words and numbers from the latest snapshot (the meters take
    /// theirs every frame by themselves).
    Tick,
    ResetAll,
    ShowView(View),
    /// A key nobody else took, in a window.
    Key(window::Id, Key),
    TogglePanel(Panel),
    Bridge(bridge::Message),
    Soundcheck(soundcheck::Message),
    Settings(settings_panel::Message),
    /// Open the wall in a window of its own (for a second screen).
    OpenWallWindow,
    WindowMoved(window::Id, Point),
    WindowResized(window::Id, Size),
    WindowClosed(window::Id),
}

/// How often the words and numbers refresh, and with them the whole window's widgets: text
/// that changes every frame is what the software renderer finds dearest, and nobody reads a
/// count that fast. The meters redraw every frame on their own (`strips::FRAME`).
const TICK: Duration = Duration::from_millis(250);

/// The wall window's size when it opens (logical px).
const WALL_WINDOW: Size = Size::new(1280.0, 720.0);

/// A source to (re)open: what the GUI needs of `ui::open_session`.
pub type Opener = fn(&SavedSource, &Settings) -> (Option<Session>, Option<String>);

/// Everything the GUI shows. The meter thread does all DSP; this only keeps what it drew.
#[derive(Debug)]
pub struct App {
    /// Kept alive for as long as the windows are open.
    session: Option<Session>,
    reader: Option<SnapshotReader>,
    /// How to open another input from the settings panel; `None` in tests.
    opener: Option<Opener>,
    /// Why the GUI is not showing what was asked, until the next change of input.
    pub banner: Option<String>,
    /// The latest snapshot taken at a tick: what the words, numbers and zones show.
    pub snapshot: Option<Snapshot>,
    /// The zones and numbers the wall's static layers show; a change clears them.
    wall_zones: Vec<Zone>,
    wall_numbers: Vec<String>,
    pub view: View,
    pub plan: ChannelPlan,
    pub names: Vec<String>,
    /// Source preset per channel (index 0 = channel 1).
    pub presets: Vec<SourcePreset>,
    /// The user's targets and thresholds per preset.
    pub preset_table: Presets,
    /// Static layers: cleared on preset, threshold or theme change; resizes clear themselves.
    pub bridge_scale: Cache,
    /// The bridge's headroom tracks: cleared when the words and numbers refresh.
    pub bridge_tracks: Cache,
    pub wall_scale: Cache,
    /// The wall under its bars: zone colours and loudest true peaks.
    pub wall_below: Cache,
    /// Per performer meter: its scale, and its headroom track (refreshed with the words).
    pub performer_scales: [Cache; super::performer::MAX_METERS],
    pub performer_tracks: [Cache; super::performer::MAX_METERS],
    pub panel: Option<Panel>,
    pub fullscreen: bool,
    /// The channel (from 0) the arrow keys are on; its detail panel is open.
    pub selected: Option<usize>,
    /// Channels (from 0) the performer view shows.
    pub performer_channels: Vec<usize>,
    pub soundcheck: soundcheck::State,
    pub theme: ThemeChoice,
    /// Everything saved, as of the latest change.
    pub settings: Settings,
    pub form: Form,
    pub main_window: Option<window::Id>,
    pub wall_window: Option<window::Id>,
    /// Size of the main window (logical px), for the wall's type size.
    pub window_size: Size,
    /// Size of the wall window, likewise.
    pub wall_window_size: Size,
    /// Where settings are saved on change; `None` keeps them in memory only (tests).
    settings_dir: Option<PathBuf>,
    /// When changed settings are due to be written.
    save_due: settings::Debounce,
    /// Settings files written, for tests to count.
    settings_writes: u64,
}

impl App {
    pub fn new(session: Option<Session>, banner: Option<String>, view: View) -> Self {
        let reader = session.as_ref().map(Session::reader);
        Self {
            session,
            reader,
            opener: None,
            banner,
            snapshot: None,
            wall_zones: Vec::new(),
            wall_numbers: Vec::new(),
            view,
            plan: ChannelPlan::default(),
            names: Vec::new(),
            presets: Vec::new(),
            preset_table: Presets::default(),
            bridge_scale: Cache::new(),
            bridge_tracks: Cache::new(),
            wall_scale: Cache::new(),
            wall_below: Cache::new(),
            performer_scales: std::array::from_fn(|_| Cache::new()),
            performer_tracks: std::array::from_fn(|_| Cache::new()),
            panel: None,
            fullscreen: false,
            selected: None,
            performer_channels: vec![0, 1],
            soundcheck: soundcheck::State::default(),
            theme: ThemeChoice::Dark,
            settings: Settings::default(),
            form: Form::default(),
            main_window: None,
            wall_window: None,
            window_size: Size::new(1600.0, 900.0),
            wall_window_size: WALL_WINDOW,
            settings_dir: None,
            save_due: settings::Debounce::default(),
            settings_writes: 0,
        }
    }

    /// Lets the settings panel open other inputs.
    pub fn with_opener(mut self, opener: Opener) -> Self {
        self.opener = Some(opener);
        self
    }

    /// Gives every channel up to `n` a name: the template's, else "Input N".
    fn fill_names(&mut self, n: usize) {
        for i in self.names.len()..n {
            let name = self.plan.template.channel_name(i + 1);
            self.names.push(name);
        }
    }

    /// Takes everything from saved settings, and saves changes to `dir` from now on.
    pub fn restore(&mut self, saved: &Settings, dir: Option<PathBuf>) {
        self.settings = saved.clone();
        self.names = saved.names.clone();
        self.fill_names(self.snapshot.as_ref().map_or(0, |s| s.channels.len()));
        self.presets = saved.presets.clone();
        self.preset_table = saved.preset_table.clone();
        self.theme = ThemeChoice::from_name(&saved.theme);
        self.window_size = Size::new(saved.window.width, saved.window.height);
        let chosen: Vec<usize> = saved
            .performer_channels
            .iter()
            .filter(|&&c| c >= 1)
            .map(|c| c - 1)
            .collect();
        if !chosen.is_empty() {
            self.performer_channels = chosen;
        }
        let templates = dir
            .as_deref()
            .map(crate::advisor::template::list_templates_in)
            .unwrap_or_default();
        self.form = Form::from_settings(saved, &self.params(self.selected.unwrap_or(0)), templates);
        self.settings_dir = dir;
        self.clear_caches();
    }

    /// What would be saved now.
    pub fn current_settings(&self) -> Settings {
        Settings {
            names: self.names.clone(),
            presets: self.presets.clone(),
            preset_table: self.preset_table.clone(),
            view: self.view.name().into(),
            performer_channels: self.performer_channels.iter().map(|c| c + 1).collect(),
            theme: self.theme.name().into(),
            ..self.settings.clone()
        }
    }

    /// Takes a change into the settings; the file is written once changes settle
    /// ([`settings::SAVE_DELAY`]), so a crash or power cut keeps the session's setup.
    fn save(&mut self) {
        self.settings = self.current_settings();
        self.save_due.changed(Instant::now());
    }

    /// Writes the settings if a change is pending and none came for [`settings::SAVE_DELAY`]
    /// before `now`.
    pub fn save_if_due(&mut self, now: Instant) {
        if self.save_due.due(now) {
            self.write_settings();
        }
    }

    /// Writes the settings now if a change is pending (the window is closing).
    pub fn save_now(&mut self) {
        if self.save_due.take() {
            self.write_settings();
        }
    }

    /// Settings files written so far.
    pub fn settings_writes(&self) -> u64 {
        self.settings_writes
    }

    fn write_settings(&mut self) {
        let Some(dir) = &self.settings_dir else {
            return;
        };
        self.settings_writes += 1;
        if let Err(e) = settings::save(dir, &self.settings) {
            self.banner = Some(format!(
                "settings could not be saved in {}: {e}",
                dir.display()
            ));
            self.settings_dir = None;
        }
    }

    pub fn neutral(&self) -> Neutral {
        self.theme.neutral()
    }

    /// Static layers depend on presets, thresholds and theme.
    pub fn clear_caches(&mut self) {
        self.bridge_scale.clear();
        self.bridge_tracks.clear();
        self.wall_scale.clear();
        self.wall_below.clear();
        for cache in self.performer_scales.iter().chain(&self.performer_tracks) {
            cache.clear();
        }
    }

    pub fn preset(&self, channel_index: usize) -> SourcePreset {
        self.presets
            .get(channel_index)
            .copied()
            .unwrap_or_else(|| self.plan.preset(channel_index + 1))
    }

    /// An app drawing a given snapshot, with no session (tests, screenshots of states).
    pub fn with_snapshot(snapshot: Snapshot) -> Self {
        let mut app = Self::new(None, None, View::Bridge);
        app.accept(snapshot);
        app
    }

    pub fn params(&self, channel_index: usize) -> PresetParams {
        self.preset_table.get(self.preset(channel_index))
    }

    /// Target and hot level of one channel (from 0), for its meter.
    pub fn threshold(&self, channel_index: usize) -> Thresholds {
        Thresholds::of(&self.params(channel_index))
    }

    /// Target and hot level of the first `n` channels.
    pub fn thresholds(&self, n: usize) -> Vec<Thresholds> {
        (0..n).map(|i| self.threshold(i)).collect()
    }

    pub fn name(&self, channel_index: usize) -> &str {
        self.names.get(channel_index).map_or("", String::as_str)
    }

    /// Where the meters take their snapshot every frame; `None` without a live input.
    pub fn live_reader(&self) -> Option<&SnapshotReader> {
        self.reader.as_ref()
    }

    fn channels(&self) -> usize {
        self.snapshot.as_ref().map_or(0, |s| s.channels.len())
    }

    /// Shows a new snapshot (each tick; tests call it directly).
    pub fn accept(&mut self, snapshot: Snapshot) {
        let n = snapshot.channels.len();
        self.fill_names(n);
        self.soundcheck.feed(&snapshot);
        let zones: Vec<Zone> = snapshot
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| Zone::of(&c.readings, self.params(i).hot_dbtp))
            .collect();
        if zones != self.wall_zones {
            self.wall_scale.clear();
            self.wall_below.clear();
            self.wall_zones = zones;
        }
        let numbers: Vec<String> = snapshot
            .channels
            .iter()
            .map(|c| super::strips::db_text(c.readings.max_true_peak_dbtp))
            .collect();
        if numbers != self.wall_numbers {
            self.wall_below.clear();
            self.wall_numbers = numbers;
        }
        self.bridge_tracks.clear();
        for cache in &self.performer_tracks {
            cache.clear();
        }
        self.snapshot = Some(snapshot);
    }

    fn send(&self, command: MeterCommand) {
        if let Some(s) = &self.session {
            s.send(command);
        }
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Tick => {
                if let Some(s) = self.reader.as_mut().and_then(SnapshotReader::read) {
                    self.accept(s);
                }
                self.save_if_due(Instant::now());
            }
            Message::ResetAll => self.send(MeterCommand::ResetAll),
            Message::ShowView(v) => return self.show(v),
            Message::Key(window, key) => return self.key(window, key),
            Message::TogglePanel(p) => return self.toggle_panel(p),
            Message::Bridge(m) => {
                if let Some(command) = bridge::update(self, m) {
                    self.send(command);
                }
                self.save();
            }
            Message::Soundcheck(m) => self.soundcheck_message(m),
            Message::Settings(m) => {
                if let Some(action) = self.form.update(m) {
                    return self.act(action);
                }
            }
            Message::OpenWallWindow => return self.open_wall_window(),
            Message::WindowMoved(id, at) if Some(id) == self.main_window => {
                self.settings.window.x = Some(at.x);
                self.settings.window.y = Some(at.y);
                self.save();
            }
            Message::WindowResized(id, size) if Some(id) == self.main_window => {
                self.window_size = size;
                if !self.fullscreen {
                    self.settings.window.width = size.width;
                    self.settings.window.height = size.height;
                    self.save();
                }
            }
            Message::WindowResized(id, size) if Some(id) == self.wall_window => {
                self.wall_window_size = size;
            }
            Message::WindowMoved(..) | Message::WindowResized(..) => {}
            Message::WindowClosed(id) => {
                if Some(id) == self.wall_window {
                    self.wall_window = None;
                } else if Some(id) == self.main_window {
                    self.save();
                    self.save_now();
                    return iced::exit();
                }
            }
        }
        Task::none()
    }

    fn soundcheck_message(&mut self, m: soundcheck::Message) {
        if m == soundcheck::Message::Start {
            let Some(s) = &self.snapshot else {
                return;
            };
            let params: Vec<PresetParams> = (0..s.channels.len()).map(|i| self.params(i)).collect();
            let rate = s.source.sample_rate;
            self.soundcheck
                .start(&params, self.settings.soundcheck_s, rate);
        } else {
            self.soundcheck.update(m);
        }
    }

    /// Opens the settings panel with the input picker: what the GUI shows when it fell back
    /// to the demo because the wanted device could not be opened.
    pub fn open_device_picker(&mut self) -> Task<Message> {
        self.panel = None;
        self.toggle_panel(Panel::Settings)
    }

    fn toggle_panel(&mut self, p: Panel) -> Task<Message> {
        self.panel = if self.panel == Some(p) { None } else { Some(p) };
        if self.panel == Some(Panel::Settings) {
            self.form.templates = self
                .settings_dir
                .as_deref()
                .map(crate::advisor::template::list_templates_in)
                .unwrap_or_default();
            self.refresh_threshold_form();
            if self.form.devices.is_empty() && self.opener.is_some() {
                return list_devices();
            }
        }
        Task::none()
    }

    fn refresh_threshold_form(&mut self) {
        let p = self.params(self.selected.unwrap_or(0));
        self.form.target = format!("{}", p.target_dbtp);
        self.form.hot = format!("{}", p.hot_dbtp);
        self.form.low = format!("{}", p.low_dbtp);
    }

    /// Carries out what the settings form asked for, and saves it.
    fn act(&mut self, action: Action) -> Task<Message> {
        match action {
            Action::ListDevices => return list_devices(),
            Action::OpenSource(source) => {
                self.settings.source = source;
                self.reopen();
            }
            Action::Meter {
                over_len,
                peak_hold_s,
            } => {
                self.settings.over_len = over_len;
                self.settings.peak_hold_s = peak_hold_s;
                self.reopen();
            }
            Action::SoundcheckLen(s) => self.settings.soundcheck_s = s,
            Action::Thresholds { target, hot, low } => {
                let preset = self.preset(self.selected.unwrap_or(0));
                let mut p = self.preset_table.get(preset);
                p.target_dbtp = target;
                p.hot_dbtp = hot;
                p.low_dbtp = low;
                self.preset_table.set(preset, p);
                self.thresholds_changed(&format!("{} levels saved", preset.label()));
            }
            Action::RestoreThresholds => {
                let preset = self.preset(self.selected.unwrap_or(0));
                self.preset_table.restore(preset);
                self.refresh_threshold_form();
                self.thresholds_changed(&format!("{} back to built-in levels", preset.label()));
            }
            Action::Theme(t) => {
                self.theme = t;
                self.clear_caches();
            }
            Action::SaveTemplate(name) => self.save_template(&name),
            Action::LoadTemplate(name) => self.load_template(&name),
        }
        self.save();
        Task::none()
    }

    fn thresholds_changed(&mut self, status: &str) {
        self.send(MeterCommand::SetPresetTable(self.preset_table.clone()));
        self.clear_caches();
        self.form.status = Some(status.to_string());
    }

    /// Opens the saved input again with the saved meter settings.
    fn reopen(&mut self) {
        let Some(open) = self.opener else {
            return;
        };
        // The old stream must let go of the device before the new one opens it.
        if let Some(old) = self.session.take() {
            old.stop();
        }
        self.reader = None;
        self.snapshot = None;
        let settings = self.current_settings();
        let (session, banner) = open(&self.settings.source, &settings);
        self.reader = session.as_ref().map(Session::reader);
        self.session = session;
        self.banner = banner;
        self.form.status = Some(match &self.session {
            Some(s) => format!("opened {} · {}", s.source().host, s.source().device),
            None => "no input open".into(),
        });
    }

    fn template(&self) -> SessionTemplate {
        SessionTemplate {
            channels: (0..self.channels().max(self.names.len()))
                .map(|i| ChannelSetup {
                    channel: i + 1,
                    name: self.name(i).to_string(),
                    preset: self.preset(i),
                })
                .collect(),
            presets: self.preset_table.clone(),
        }
    }

    fn save_template(&mut self, name: &str) {
        let Some(dir) = self.settings_dir.clone() else {
            self.form.status = Some("no config directory: templates cannot be saved".into());
            return;
        };
        self.form.status = Some(match self.template().save_in(&dir, name) {
            Ok(path) => {
                self.form.templates = crate::advisor::template::list_templates_in(&dir);
                format!("template saved as {}", path.display())
            }
            Err(e) => e.to_string(),
        });
    }

    fn load_template(&mut self, name: &str) {
        let Some(dir) = self.settings_dir.clone() else {
            self.form.status = Some("no config directory: no templates".into());
            return;
        };
        match SessionTemplate::load_from(&dir, name) {
            Ok(t) => {
                let n = self.channels().max(t.channels.len());
                self.preset_table = t.presets.clone();
                self.send(MeterCommand::SetPresetTable(self.preset_table.clone()));
                self.names = (1..=n).map(|c| t.channel_name(c)).collect();
                self.presets = (1..=n).map(|c| t.preset(c)).collect();
                for i in 0..n {
                    self.send(MeterCommand::SetPreset(i, self.presets[i]));
                    self.send(MeterCommand::Rename(i, self.names[i].clone()));
                }
                self.plan.template = t;
                self.clear_caches();
                self.refresh_threshold_form();
                self.form.status = Some(format!("template {name} loaded"));
            }
            Err(e) => self.form.status = Some(e.to_string()),
        }
    }

    fn show(&mut self, view: View) -> Task<Message> {
        self.view = view;
        self.save();
        // The wall is read from across the room: it takes the whole screen.
        let want_full = view == View::Wall;
        if want_full != self.fullscreen {
            self.fullscreen = want_full;
            return self.set_fullscreen(want_full);
        }
        Task::none()
    }

    fn set_fullscreen(&self, on: bool) -> Task<Message> {
        match self.main_window {
            Some(id) => window::set_mode(id, mode(on)),
            None => Task::none(),
        }
    }

    fn open_wall_window(&mut self) -> Task<Message> {
        if let Some(id) = self.wall_window {
            return window::gain_focus(id);
        }
        let (id, open) = window::open(window::Settings {
            size: WALL_WINDOW,
            ..window::Settings::default()
        });
        self.wall_window = Some(id);
        open.discard()
    }

    /// Moves the selection by `step` strips, wrapping at the ends.
    fn select_step(&mut self, step: isize) {
        let n = self.channels();
        if n == 0 {
            return;
        }
        let next = match self.selected {
            None if step > 0 => 0,
            None => n - 1,
            Some(i) => (i as isize + step).rem_euclid(n as isize) as usize,
        };
        self.selected = Some(next);
        self.refresh_threshold_form();
    }

    fn key(&mut self, window: window::Id, key: Key) -> Task<Message> {
        // The wall window has no controls: F11 and Esc are all it answers to.
        if Some(window) == self.wall_window && self.main_window != Some(window) {
            return match key.as_ref() {
                Key::Named(Named::F11) => window::set_mode(window, window::Mode::Fullscreen),
                Key::Named(Named::Escape) => window::set_mode(window, window::Mode::Windowed),
                _ => Task::none(),
            };
        }
        match key.as_ref() {
            Key::Character("r" | "R") => self.send(MeterCommand::ResetAll),
            Key::Character("s" | "S") => {
                let m = if self.soundcheck.is_listening() {
                    soundcheck::Message::Cancel
                } else {
                    soundcheck::Message::Start
                };
                self.soundcheck_message(m);
            }
            Key::Character("1") => return self.show(View::Bridge),
            Key::Character("2") => return self.show(View::Wall),
            Key::Character("3") => return self.show(View::Performer),
            Key::Character("w" | "W") => return self.open_wall_window(),
            Key::Character("l" | "L") => return self.toggle_panel(Panel::Log),
            Key::Character("?") => return self.toggle_panel(Panel::Help),
            Key::Named(Named::ArrowRight | Named::ArrowDown) => self.select_step(1),
            Key::Named(Named::ArrowLeft | Named::ArrowUp) => self.select_step(-1),
            Key::Named(Named::Space) => {
                if let Some(i) = self.selected {
                    self.soundcheck.update(soundcheck::Message::Toggle(i));
                }
            }
            // F11 leaves the wall as Esc does; elsewhere it toggles fullscreen.
            Key::Named(Named::F11) if self.view == View::Wall => return self.show(View::Bridge),
            Key::Named(Named::F11) => {
                self.fullscreen = !self.fullscreen;
                return self.set_fullscreen(self.fullscreen);
            }
            Key::Named(Named::Escape) => {
                if self.panel.is_some() {
                    self.panel = None;
                    return Task::none();
                }
                if self.view == View::Wall {
                    self.view = View::Bridge;
                    self.save();
                }
                if self.fullscreen {
                    self.fullscreen = false;
                    return self.set_fullscreen(false);
                }
                self.selected = None;
            }
            _ => {}
        }
        Task::none()
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let events = event::listen_with(|event, status, id| match (event, status) {
            // A key a text field took (a name being typed) is not a shortcut.
            (
                iced::Event::Keyboard(keyboard::Event::KeyPressed { key, .. }),
                event::Status::Ignored,
            ) => Some(Message::Key(id, key)),
            (iced::Event::Window(window::Event::Moved(at)), _) => {
                Some(Message::WindowMoved(id, at))
            }
            (iced::Event::Window(window::Event::Resized(size)), _) => {
                Some(Message::WindowResized(id, size))
            }
            _ => None,
        });
        let closes = window::close_events().map(Message::WindowClosed);
        // Refresh only while audio can still change what is shown.
        let live = self.reader.is_some()
            && !matches!(
                self.snapshot.as_ref().map(|s| s.state),
                Some(StreamState::Finished)
            );
        // Ticks also while a settings write waits for changes to settle.
        if live || self.save_due.pending() {
            Subscription::batch([
                events,
                closes,
                iced::time::every(TICK).map(|_| Message::Tick),
            ])
        } else {
            Subscription::batch([events, closes])
        }
    }

    pub fn title(&self, window: window::Id) -> String {
        let what = match &self.snapshot {
            Some(s) => format!("{} · {}", s.source.host, s.source.device),
            None => "no input".into(),
        };
        if Some(window) == self.wall_window {
            format!("gainstage wall — {what}")
        } else {
            format!("gainstage — {what}")
        }
    }

    pub fn iced_theme(&self, _window: window::Id) -> iced::Theme {
        self.theme.iced()
    }

    /// The window background is the theme's: no full-window quad to repaint every frame.
    pub fn style(&self, _theme: &iced::Theme) -> iced::theme::Style {
        let n = self.neutral();
        iced::theme::Style {
            background_color: n.background,
            text_color: n.text,
        }
    }

    /// What a window shows: the wall window only the wall, the main window the current view.
    pub fn view_window(&self, window: window::Id) -> Element<'_, Message> {
        if Some(window) == self.wall_window && self.main_window != Some(window) {
            return match &self.snapshot {
                Some(s) => wall::view(self, s, self.wall_window_size.width),
                None => waiting(self.neutral()),
            };
        }
        self.view()
    }

    /// The main window.
    pub fn view(&self) -> Element<'_, Message> {
        let neutral = self.neutral();
        let body: Element<'_, Message> = match (&self.snapshot, self.view) {
            (None, _) => waiting(neutral),
            (Some(s), View::Bridge) => bridge::view(self, s),
            (Some(s), View::Wall) => return wall::view(self, s, self.window_size.width),
            (Some(s), View::Performer) => performer::view(self, s),
        };
        let mut page = column![self.top_bar()];
        if let Some(b) = &self.banner {
            page = page.push(
                container(text(b).size(18).color(neutral.text))
                    .padding(8)
                    .width(Length::Fill)
                    .style(move |_| container::Style::default().background(neutral.panel)),
            );
        }
        match self.panel {
            Some(Panel::Help) => page = page.push(help(neutral)),
            Some(Panel::Log) => {
                let events = self.snapshot.as_ref().map_or(&[][..], |s| &s.events[..]);
                let dir = crate::advisor::session_log::sessions_dir()
                    .map_or_else(|e| e.to_string(), |d| d.display().to_string());
                page = page.push(log_panel::view(events, neutral, &dir));
            }
            Some(Panel::Settings) => {
                let preset = self.preset(self.selected.unwrap_or(0));
                let label = match self.selected {
                    Some(i) => format!("{} ({})", preset.label(), i + 1),
                    None => format!("{} (1)", preset.label()),
                };
                page = page.push(
                    self.form
                        .view(self.theme, &label, neutral)
                        .map(Message::Settings),
                );
            }
            None => {}
        }
        container(page.push(body).spacing(6).padding(8))
            .width(Length::Fill)
            .height(Length::Fill)
            .into()
    }

    fn top_bar(&self) -> Element<'_, Message> {
        let neutral = self.neutral();
        let (status, state_color) = match &self.snapshot {
            Some(s) => {
                let clips: u64 = s.channels.iter().map(|c| c.readings.overs).sum();
                let buffer = s
                    .source
                    .buffer_frames
                    .map_or("-".to_string(), |b| format!("{b}"));
                let log_problem = s.log.problem();
                let color = match s.state {
                    StreamState::Lost => palette::RED,
                    StreamState::Reconnecting | StreamState::Starting => palette::AMBER,
                    _ if log_problem.is_some() => palette::AMBER,
                    _ => neutral.text,
                };
                let mut status = format!(
                    "{} · {} · {} Hz · buffer {} · {} · dropped {} · xruns {} · overs {}",
                    s.source.device,
                    s.source.host,
                    s.source.sample_rate,
                    buffer,
                    state_word(s.state),
                    s.dropped_frames,
                    s.xruns,
                    clips
                );
                if let Some(problem) = log_problem {
                    status.push_str(" · ");
                    status.push_str(&problem);
                }
                (status, color)
            }
            None => ("no audio yet".to_string(), neutral.dim_text),
        };
        let tab = |label: &'static str, v: View| {
            let b = button(text(label).size(16));
            if self.view == v {
                b
            } else {
                b.style(button::secondary)
            }
            .on_press(Message::ShowView(v))
        };
        let toggle = |label: &'static str, p: Panel| {
            let b = button(text(label).size(16)).on_press(Message::TogglePanel(p));
            if self.panel == Some(p) {
                b
            } else {
                b.style(button::secondary)
            }
        };
        row![
            // The status wraps rather than pushing the buttons off a narrow window.
            text(status).size(16).color(state_color).width(Length::Fill),
            self.soundcheck.bar(neutral).map(Message::Soundcheck),
            button(text("Reset all").size(16))
                .on_press(Message::ResetAll)
                .style(button::secondary),
            toggle("Log", Panel::Log),
            toggle("Settings", Panel::Settings),
            tab("1 Bridge", View::Bridge),
            tab("2 Wall", View::Wall),
            tab("3 Performer", View::Performer),
            button(text("Wall window").size(16))
                .on_press(Message::OpenWallWindow)
                .style(button::secondary),
            toggle("?", Panel::Help),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center)
        .into()
    }
}

/// The settings the main window opens with: the saved size and place.
pub fn main_window_settings(geometry: &WindowGeometry, fullscreen: bool) -> window::Settings {
    window::Settings {
        size: Size::new(geometry.width, geometry.height),
        position: match (geometry.x, geometry.y) {
            (Some(x), Some(y)) => window::Position::Specific(Point::new(x, y)),
            _ => window::Position::Default,
        },
        fullscreen,
        min_size: Some(Size::new(400.0, 300.0)),
        ..window::Settings::default()
    }
}

fn list_devices() -> Task<Message> {
    Task::perform(async { settings_panel::list_devices() }, |d| {
        Message::Settings(settings_panel::Message::Devices(d))
    })
}

fn mode(fullscreen: bool) -> window::Mode {
    if fullscreen {
        window::Mode::Fullscreen
    } else {
        window::Mode::Windowed
    }
}

fn waiting<'a>(neutral: Neutral) -> Element<'a, Message> {
    container(text("Waiting for audio…").size(28).color(neutral.dim_text))
        .center(Length::Fill)
        .into()
}

fn state_word(state: StreamState) -> &'static str {
    match state {
        StreamState::Starting => "starting",
        StreamState::Running => "running",
        StreamState::Lost => "LOST",
        StreamState::Reconnecting => "reconnecting",
        StreamState::Finished => "finished",
    }
}

/// Every shortcut, shown with `?`.
pub const SHORTCUTS: [(&str, &str); 11] = [
    ("R", "reset all clips"),
    (
        "S",
        "start (or cancel) a soundcheck of the picked channels, all when none",
    ),
    ("1 / 2 / 3", "bridge / wall / performer view"),
    (
        "W",
        "open the wall in a window of its own, for a second screen",
    ),
    (
        "← →",
        "select the previous / next channel; its details open below",
    ),
    (
        "Space",
        "add the selected channel to the next soundcheck, or take it out",
    ),
    ("L", "session log"),
    ("F11", "fullscreen; on the wall, back to the bridge"),
    ("Esc", "close a panel, leave the wall or fullscreen"),
    ("?", "this help"),
    ("click", "a channel's clip light resets that channel"),
];

fn help<'a>(neutral: Neutral) -> Element<'a, Message> {
    container(
        column(SHORTCUTS.into_iter().map(|(k, what)| {
            row![
                text(k).size(18).color(neutral.text).width(110),
                text(what).size(18).color(neutral.dim_text),
            ]
            .into()
        }))
        .spacing(4),
    )
    .padding(12)
    .width(Length::Fill)
    .style(move |_| container::Style::default().background(neutral.panel))
    .into()
}
