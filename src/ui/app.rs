//! The application shell: owns the capture session and the windows, polls snapshots and
//! routes messages to the screens. What it delegates: `roster` (names, presets, levels),
//! `layers` (the canvas caches), `store` (saving), `keys` (the key map and help), `top_bar`,
//! and each view and panel its own module.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::keyboard::{self, Key};
use iced::widget::{column, container, scrollable, text};
use iced::{Element, Length, Point, Size, Subscription, Task, event, window};

use super::keys::{self, Shortcut};
use super::layers::Layers;
pub use super::nav::{Panel, View};
use super::palette::{Neutral, ThemeChoice};
use super::roster::Roster;
use super::scene::Scene;
use super::settings_panel::{self, Action, Form};
use super::store::Store;
use super::{bridge, log_panel, performer, remote_panel, soundcheck, takes_panel, top_bar, wall};
use crate::advisor::{ChannelPlan, PresetParams};
use crate::capture::{MeterCommand, Session, SnapshotReader};
use crate::settings::{SavedSource, Settings, WindowGeometry};
use crate::snapshot::{Snapshot, StreamState};

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
    /// A button of the top bar.
    TopBar(top_bar::Message),
    Settings(settings_panel::Message),
    /// The Remote panel.
    Remote(remote_panel::Message),
    Takes(takes_panel::Message),
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
    /// The device callback's real-time priority, once it has run (read once per input).
    pub realtime: Option<crate::capture::realtime::Realtime>,
    pub view: View,
    /// Every channel's name, preset and levels.
    pub roster: Roster,
    /// The views' seldom-changing canvas layers.
    layers: Layers,
    pub panel: Option<Panel>,
    pub fullscreen: bool,
    /// The channel (from 0) the arrow keys are on; its detail panel is open.
    pub selected: Option<usize>,
    /// The bank of strips the bridge shows (from 0), when it has more channels than fit.
    pub bank: usize,
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
    /// Where settings and templates are saved; in memory only in tests.
    store: Store,
    /// What draws the windows, as the help panel says it.
    pub renderer: String,
    /// Marking takes and the list of them.
    pub takes: takes_panel::State,
    /// This session served to browsers on the network (the Remote panel).
    pub remote: remote_panel::State,
    /// The preamps this session may set (`--preamp`), on their own thread.
    preamps: Option<crate::preamps::worker::PreampWorker>,
    /// The preamps' board as last taken ([`crate::preamps::worker::Board::version`]).
    preamps_seen: u64,
    /// Jobs of the preamps' thread whose outcome the bar has said.
    preamp_jobs_seen: u64,
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
            realtime: None,
            view,
            roster: Roster::default(),
            layers: Layers::default(),
            panel: None,
            fullscreen: false,
            selected: None,
            bank: 0,
            performer_channels: vec![0, 1],
            soundcheck: soundcheck::State::default(),
            theme: ThemeChoice::Dark,
            settings: Settings::default(),
            form: Form::default(),
            main_window: None,
            wall_window: None,
            window_size: Size::new(1600.0, 900.0),
            wall_window_size: WALL_WINDOW,
            store: Store::default(),
            renderer: String::new(),
            takes: takes_panel::State::default(),
            remote: remote_panel::State::default(),
            preamps: None,
            preamps_seen: 0,
            preamp_jobs_seen: 0,
        }
    }

    /// Lists the takes saved in `dir` by earlier runs and saves this run's there.
    pub fn open_takes(&mut self, dir: PathBuf) {
        let session = crate::takes::store::session_name(std::time::SystemTime::now());
        self.takes = takes_panel::State::load(dir, session);
        // The capture started before the session was claimed: its running takes go there.
        self.send(MeterCommand::Checkpoints(self.takes.checkpoints()));
    }

    /// Lets the settings panel open other inputs.
    pub fn with_opener(mut self, opener: Opener) -> Self {
        self.opener = Some(opener);
        self
    }

    /// Takes everything from saved settings, and saves changes to `dir` from now on.
    pub fn restore(&mut self, saved: &Settings, dir: Option<PathBuf>) {
        self.settings = saved.clone();
        self.roster.names = saved.names.clone();
        let device = self
            .snapshot
            .as_ref()
            .map_or_else(Vec::new, |s| s.source.channel_names.clone());
        self.roster.fill_names(self.channels(), &device);
        self.roster.presets = saved.presets.clone();
        self.roster.preset_table = saved.preset_table.clone();
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
        self.store = Store::new(dir);
        self.form = Form::from_settings(saved, &self.selected_params(), self.store.templates());
        self.layers.clear();
        self.remote = remote_panel::State::with_saved(&saved.remote);
        if saved.remote.on
            && let Err(why) = self.serve_remote(saved.remote.listen_addr())
        {
            let said = format!("Remote view is off: {why}");
            self.banner = Some(match self.banner.take() {
                Some(b) => format!("{b} {said}"),
                None => said,
            });
        }
    }

    /// What the remote view serves: this session, with the GUI's names and presets.
    fn remote_source(&self) -> Option<crate::remote::RemoteSource> {
        let session = self.session.as_ref()?;
        Some(crate::remote::RemoteSource {
            reader: session.reader(),
            commander: session.commander(),
            plan: self.remote_plan(session),
            source: session.source().clone(),
        })
    }

    /// The GUI's names, presets and levels for `session`'s channels, as the remote pages
    /// show them.
    fn remote_plan(&self, session: &Session) -> ChannelPlan {
        let n = session.source().channels;
        // Before the first snapshot the roster may not have named every input yet.
        let mut roster = self.roster.clone();
        roster.fill_names(n, &session.source().channel_names);
        ChannelPlan {
            template: roster.template(n),
            fallback: roster.plan.fallback,
        }
    }

    /// Serves this session at `at` (restarting the server if it runs).
    fn serve_remote(&mut self, at: std::net::SocketAddr) -> Result<(), String> {
        let source = self.remote_source();
        // Set here, not once: restoring the settings makes the panel anew. The GUI's own
        // thread: one undo history and one idea of each gain for both.
        self.remote.preamps = self.preamps.clone();
        self.remote.serve(source, at)
    }

    /// Carries out what the remote view's section asked for, and saves it.
    fn remote_message(&mut self, m: remote_panel::Message) -> Task<Message> {
        let Some(want) = self.remote.update(m) else {
            return Task::none();
        };
        match want {
            remote_panel::Want::Copy(link) => return iced::clipboard::write(link),
            remote_panel::Want::Serve(at) => {
                // Saved on only once it serves: a port taken today is said, not retried
                // at every start.
                let served = self.serve_remote(at).is_ok();
                self.settings.remote.on = served;
                self.settings.remote.listen = at.to_string();
                self.settings.remote.view_key = self.remote.view_key.trim().to_owned();
            }
            remote_panel::Want::Remember(at) => {
                self.settings.remote.listen = at.to_string();
                self.settings.remote.view_key = self.remote.view_key.trim().to_owned();
            }
            remote_panel::Want::Stop => {
                self.remote.stop();
                self.settings.remote.on = false;
            }
        }
        self.save();
        Task::none()
    }

    /// What would be saved now.
    pub fn current_settings(&self) -> Settings {
        Settings {
            names: self.roster.names.clone(),
            presets: self.roster.presets.clone(),
            preset_table: self.roster.preset_table.clone(),
            view: self.view.name().into(),
            performer_channels: self.performer_channels.iter().map(|c| c + 1).collect(),
            theme: self.theme.name().into(),
            ..self.settings.clone()
        }
    }

    /// Takes a change into the settings; the file is written once changes settle
    /// ([`crate::settings::SAVE_DELAY`]), so a crash or power cut keeps the session's setup.
    fn save(&mut self) {
        self.settings = self.current_settings();
        self.store.changed(Instant::now());
        // Every edit of names, presets or levels is saved: the remote pages follow them here.
        if self.remote.is_serving()
            && let Some(session) = &self.session
        {
            let plan = self.remote_plan(session);
            self.remote.set_plan(&plan);
        }
    }

    /// Writes the settings if a change is pending and none came for
    /// [`crate::settings::SAVE_DELAY`] before `now` (every tick asks).
    pub fn save_if_due(&mut self, now: Instant) {
        if let Err(why) = self.store.save_if_due(now, &self.settings) {
            self.banner = Some(why);
        }
    }

    /// Settings files written so far.
    pub fn settings_writes(&self) -> u64 {
        self.store.writes()
    }

    pub fn neutral(&self) -> Neutral {
        self.theme.neutral()
    }

    /// An app drawing a given snapshot, with no session (tests, screenshots of states).
    /// Gives the soundcheck preamps to set (Set all, Undo, the strips' Apply badges and
    /// gains), and the remote view's control clients the same thread (`apply`, `undo`).
    pub fn with_preamps(mut self, worker: crate::preamps::worker::PreampWorker) -> Self {
        self.preamps = Some(worker);
        self.soundcheck.can_set = true;
        self
    }

    /// Saves the preamps this run was given, for the next run that names none.
    pub fn remember_preamps(&mut self, specs: Vec<String>) {
        if self.settings.preamps != specs {
            self.settings.preamps = specs;
            self.save();
        }
    }

    /// Takes what the preamps' thread posted since the last look (gains read, a job
    /// finished, from here or from a remote control client), if anything.
    pub fn poll_preamps(&mut self) {
        let seen = self.preamps_seen;
        let Some(board) = self.preamps.as_ref().and_then(|w| w.board_since(seen)) else {
            return;
        };
        self.preamps_seen = board.version;
        let fresh = board.jobs_done != self.preamp_jobs_seen;
        self.preamp_jobs_seen = board.jobs_done;
        self.soundcheck.take_board(&board, fresh);
    }

    fn channel_names(&self) -> Vec<String> {
        (0..self.channels())
            .map(|i| self.roster.name(i).to_string())
            .collect()
    }

    pub fn with_snapshot(snapshot: Snapshot) -> Self {
        let mut app = Self::new(None, None, View::Bridge);
        app.accept(snapshot);
        app
    }

    /// The levels of the channel the settings panel edits: the selected one, else the first.
    fn selected_params(&self) -> PresetParams {
        self.roster.params(self.selected.unwrap_or(0))
    }

    fn channels(&self) -> usize {
        self.snapshot.as_ref().map_or(0, |s| s.channels.len())
    }

    /// Shows a new snapshot (each tick; tests call it directly).
    pub fn accept(&mut self, snapshot: Snapshot) {
        self.roster
            .fill_names(snapshot.channels.len(), &snapshot.source.channel_names);
        self.soundcheck.feed(&snapshot);
        self.takes.feed(&snapshot);
        self.layers.refresh(&snapshot, &self.roster);
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
                if self.realtime.is_none() {
                    self.realtime = self.session.as_ref().and_then(Session::realtime);
                }
                self.adopt_remote_renames();
                self.poll_preamps();
                self.save_if_due(Instant::now());
            }
            Message::ResetAll => self.send(MeterCommand::ResetAll),
            Message::ShowView(v) => return self.show(v),
            Message::Key(window, key) => return self.key(window, key),
            Message::TogglePanel(p) => return self.toggle_panel(p),
            Message::TopBar(m) => {
                return self.update(match m {
                    top_bar::Message::ResetAll => Message::ResetAll,
                    top_bar::Message::ShowView(v) => Message::ShowView(v),
                    top_bar::Message::TogglePanel(p) => Message::TogglePanel(p),
                    top_bar::Message::OpenWallWindow => Message::OpenWallWindow,
                    top_bar::Message::Soundcheck(m) => Message::Soundcheck(m),
                    top_bar::Message::ToggleTake => Message::Takes(takes_panel::Message::Toggle),
                });
            }
            Message::Bridge(bridge::Message::ShowBank(b)) => self.bank = b,
            Message::Bridge(bridge::Message::PickForSoundcheck(i)) => {
                self.soundcheck.update(soundcheck::Message::Toggle(i));
            }
            Message::Bridge(m) => {
                let outcome = bridge::update(
                    &mut self.roster,
                    &mut self.selected,
                    &mut self.performer_channels,
                    m,
                );
                if outcome.restyled {
                    self.layers.clear();
                }
                if let Some(command) = outcome.command {
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
            Message::Remote(m) => return self.remote_message(m),
            Message::Takes(m) => self.takes_message(m),
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
                    if let Err(why) = self.store.save_pending(&self.settings) {
                        self.banner = Some(why);
                    }
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
            let params: Vec<PresetParams> = (0..s.channels.len())
                .map(|i| self.roster.params(i))
                .collect();
            let rate = s.source.sample_rate;
            self.soundcheck
                .start(&params, self.settings.soundcheck_s, rate);
        } else if m == soundcheck::Message::SetAll || m == soundcheck::Message::Undo {
            let Some(worker) = &self.preamps else {
                return;
            };
            // Never during a take: the preamps' thread refuses, and the bar says so.
            let take_running = self
                .snapshot
                .as_ref()
                .is_some_and(|s| s.open_take.is_some());
            let names = self.channel_names();
            let who = crate::preamps::Who::Gui;
            let queued = if m == soundcheck::Message::Undo {
                worker.undo(who, take_running, names)
            } else {
                let requests = crate::preamps::soundcheck::requests(&self.soundcheck.results);
                worker.apply(who, requests, take_running, names)
            };
            self.soundcheck.preamp_status = Some(if queued {
                "Setting preamps…".into()
            } else {
                "The preamps cannot be reached: their thread has stopped".into()
            });
        } else {
            self.soundcheck.update(m);
        }
    }

    fn takes_message(&mut self, m: takes_panel::Message) {
        let roster = &self.roster;
        let hot = |c: usize| roster.params(c).hot_dbtp;
        if let Some(takes_panel::Action::Toggle(name)) =
            self.takes.update(m, self.snapshot.as_ref(), &hot)
        {
            self.send(MeterCommand::ToggleTake(name));
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
            self.form.templates = self.store.templates();
            self.refresh_threshold_form();
            if self.form.devices.is_empty() && self.opener.is_some() {
                return list_devices();
            }
        }
        Task::none()
    }

    fn refresh_threshold_form(&mut self) {
        let p = self.selected_params();
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
                clip_level_dbfs,
            } => {
                self.settings.over_len = over_len;
                self.settings.peak_hold_s = peak_hold_s;
                self.settings.clip_level_dbfs = clip_level_dbfs;
                self.reopen();
            }
            Action::SoundcheckLen(s) => self.settings.soundcheck_s = s,
            Action::Thresholds { target, hot, low } => {
                let preset = self.roster.preset(self.selected.unwrap_or(0));
                let mut p = self.roster.preset_table.get(preset);
                p.target_dbtp = target;
                p.hot_dbtp = hot;
                p.low_dbtp = low;
                self.roster.preset_table.set(preset, p);
                self.thresholds_changed(&format!("{} levels saved", preset.label()));
            }
            Action::RestoreThresholds => {
                let preset = self.roster.preset(self.selected.unwrap_or(0));
                self.roster.preset_table.restore(preset);
                self.refresh_threshold_form();
                self.thresholds_changed(&format!("{} back to built-in levels", preset.label()));
            }
            Action::Theme(t) => {
                self.theme = t;
                self.layers.clear();
            }
            Action::Meters(meters) => {
                // Only the meters some view shows run, each from rest when switched on.
                self.send(MeterCommand::SetProgramme(meters.programme()));
                self.settings.meters = meters;
                // The scales are drawn in the static layers.
                self.layers.clear();
            }
            Action::SaveTemplate(name) => {
                let template = self.roster.template(self.channels());
                self.form.status = Some(self.store.save_template(&template, &name));
                self.form.templates = self.store.templates();
            }
            Action::LoadTemplate(name) => self.load_template(&name),
            Action::AutoTake(auto) => {
                self.settings.auto_take = auto;
                self.send(MeterCommand::AutoTakes(auto.config()));
                self.form.status = Some(match auto.config() {
                    Some(c) => format!(
                        "automatic takes on: above {} dBFS for {} s, ending after {} s of quiet",
                        c.level_dbfs, c.rise_s, c.quiet_s
                    ),
                    None => "automatic takes off".into(),
                });
            }
        }
        self.save();
        Task::none()
    }

    fn thresholds_changed(&mut self, status: &str) {
        self.send(MeterCommand::SetPresetTable(
            self.roster.preset_table.clone(),
        ));
        self.layers.clear();
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
        // The new input's meter thread numbers its takes from 1: a session of their own.
        self.takes.new_session(crate::takes::store::session_name(
            std::time::SystemTime::now(),
        ));
        self.realtime = None;
        let settings = self.current_settings();
        let (session, banner) = open(&self.settings.source, &settings);
        self.reader = session.as_ref().map(Session::reader);
        self.session = session;
        if let (Some(preamps), Some(s)) = (&self.preamps, &self.session) {
            // The strips show the gains of the new input's channels.
            preamps.watch(s.source().channels);
        }
        self.send(MeterCommand::Checkpoints(self.takes.checkpoints()));
        self.banner = banner;
        self.form.status = Some(match &self.session {
            Some(s) => format!("opened {} · {}", s.source().host, s.source().device),
            None => "no input open".into(),
        });
        // Viewers follow the new input: the server starts again on the port it had, and the
        // pages reconnect by themselves. Saved on but not serving (no input could be opened
        // at start): this input is served now.
        let wanted = self.remote.addr().or_else(|| {
            self.settings
                .remote
                .on
                .then(|| self.settings.remote.listen_addr())
        });
        if let Some(at) = wanted {
            let _ = self.serve_remote(at);
        }
    }

    /// A name a viewer gave with the control token becomes the GUI's too, through the same
    /// path as a rename typed on the bridge, so the engineer and the booth read one name.
    fn adopt_remote_renames(&mut self) {
        let renames = self.remote.remote_renames();
        if renames.is_empty() {
            return;
        }
        for (i, name) in renames {
            let _ = self.update(Message::Bridge(bridge::Message::Rename(i, name)));
        }
        self.layers.clear();
    }

    /// Loads a template and tells the meter thread every channel's new preset and name.
    fn load_template(&mut self, name: &str) {
        match self.store.load_template(name) {
            Ok(t) => {
                let n = self.roster.adopt(t, self.channels());
                self.send(MeterCommand::SetPresetTable(
                    self.roster.preset_table.clone(),
                ));
                for i in 0..n {
                    self.send(MeterCommand::SetPreset(i, self.roster.preset(i)));
                    self.send(MeterCommand::Rename(i, self.roster.name(i).to_string()));
                }
                self.layers.clear();
                self.refresh_threshold_form();
                self.form.status = Some(format!("template {name} loaded"));
            }
            Err(e) => self.form.status = Some(e),
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
        // The selected strip is always on screen: its bank comes with it.
        self.bank = super::banks::of(next, self.bank_size());
        self.refresh_threshold_form();
    }

    /// Width of the bridge: the main window's less the page's padding.
    fn bridge_width(&self) -> f32 {
        self.window_size.width - 16.0
    }

    /// Strips to a bank on the bridge now.
    pub fn bank_size(&self) -> usize {
        super::banks::bank_size(self.channels(), self.bridge_width())
    }

    /// The bank on show (from 0): the one asked for, or the last there is.
    pub fn shown_bank(&self) -> usize {
        bridge::shown(self.channels(), self.bank, self.bridge_width()).0
    }

    /// Shows the next (`step` 1) or previous (-1) bank, stopping at the ends.
    fn bank_step(&mut self, step: isize) {
        let banks = super::banks::count(self.channels(), self.bank_size());
        self.bank = self
            .shown_bank()
            .saturating_add_signed(step)
            .min(banks.saturating_sub(1));
    }

    fn key(&mut self, window: window::Id, key: Key) -> Task<Message> {
        let Some(shortcut) = keys::shortcut(key.as_ref()) else {
            return Task::none();
        };
        // The wall window has no controls: F11 and Esc are all it answers to.
        if Some(window) == self.wall_window && self.main_window != Some(window) {
            return match shortcut {
                Shortcut::Fullscreen => window::set_mode(window, window::Mode::Fullscreen),
                Shortcut::Back => window::set_mode(window, window::Mode::Windowed),
                _ => Task::none(),
            };
        }
        match shortcut {
            Shortcut::ResetAll => self.send(MeterCommand::ResetAll),
            Shortcut::Soundcheck => {
                let m = if self.soundcheck.is_listening() {
                    soundcheck::Message::Cancel
                } else {
                    soundcheck::Message::Start
                };
                self.soundcheck_message(m);
            }
            Shortcut::Show(v) => return self.show(v),
            Shortcut::WallWindow => return self.open_wall_window(),
            Shortcut::Toggle(p) => return self.toggle_panel(p),
            Shortcut::Take => self.takes_message(takes_panel::Message::Toggle),
            Shortcut::Select(step) => self.select_step(step),
            Shortcut::Bank(step) => self.bank_step(step),
            Shortcut::PickForSoundcheck => {
                if let Some(i) = self.selected {
                    self.soundcheck.update(soundcheck::Message::Toggle(i));
                }
            }
            // F11 leaves the wall as Esc does; elsewhere it toggles fullscreen.
            Shortcut::Fullscreen if self.view == View::Wall => return self.show(View::Bridge),
            Shortcut::Fullscreen => {
                self.fullscreen = !self.fullscreen;
                return self.set_fullscreen(self.fullscreen);
            }
            Shortcut::Back => {
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
        if live || self.store.pending() {
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

    /// What the views draw from, when there is a snapshot.
    fn scene(&self) -> Option<Scene<'_>> {
        self.snapshot.as_ref().map(|snapshot| Scene {
            snapshot,
            roster: &self.roster,
            live: self.reader.as_ref(),
            neutral: self.neutral(),
            bars: super::bars::ViewBars::from_settings(&self.settings.meters),
        })
    }

    /// What a window shows: the wall window only the wall, the main window the current view.
    pub fn view_window(&self, window: window::Id) -> Element<'_, Message> {
        if Some(window) == self.wall_window && self.main_window != Some(window) {
            return match self.scene() {
                Some(scene) => wall::view(scene, &self.layers, self.wall_window_size),
                None => waiting(self.neutral()),
            };
        }
        self.view()
    }

    /// The main window.
    pub fn view(&self) -> Element<'_, Message> {
        let neutral = self.neutral();
        let body: Element<'_, Message> = match (self.scene(), self.view) {
            (None, _) => waiting(neutral),
            (Some(scene), View::Bridge) => bridge::view(bridge::Bridge {
                scene,
                layers: &self.layers,
                selected: self.selected,
                soundcheck: &self.soundcheck,
                performer_channels: &self.performer_channels,
                bank: self.bank,
                width: self.bridge_width(),
            })
            .map(Message::Bridge),
            (Some(scene), View::Wall) => {
                return wall::view(scene, &self.layers, self.window_size);
            }
            (Some(scene), View::Performer) => {
                performer::view(scene, &self.performer_channels, &self.layers)
            }
        };
        let bar = top_bar::Bar {
            realtime: self.realtime.as_ref(),
            view: self.view,
            panel: self.panel,
            soundcheck: &self.soundcheck,
            neutral,
            viewers: self.remote.viewers(),
        };
        let mut page = column![top_bar::view(self.snapshot.as_ref(), bar).map(Message::TopBar)];
        if let Some(b) = &self.banner {
            page = page.push(
                container(text(b).size(18).color(neutral.text))
                    .padding(8)
                    .width(Length::Fill)
                    .style(move |_| container::Style::default().background(neutral.panel)),
            );
        }
        match self.panel {
            Some(Panel::Help) => {
                page = page.push(keys::help(neutral));
                if !self.renderer.is_empty() {
                    page = page.push(
                        text(format!("Drawn with {}", self.renderer))
                            .size(16)
                            .color(neutral.dim_text),
                    );
                }
            }
            Some(Panel::Takes) => {
                page = page.push(
                    self.takes
                        .view(self.snapshot.as_ref(), neutral)
                        .map(Message::Takes),
                );
                // An open take is read as a page of its own: every input's row needs the room.
                if self.takes.open.is_some() {
                    return container(page.spacing(6).padding(8))
                        .width(Length::Fill)
                        .height(Length::Fill)
                        .into();
                }
            }
            Some(Panel::Log) => {
                let events = self.snapshot.as_ref().map_or(&[][..], |s| &s.events[..]);
                let dir = crate::advisor::session_log::sessions_dir()
                    .map_or_else(|e| e.to_string(), |d| d.display().to_string());
                page = page.push(log_panel::view(events, neutral, &dir));
            }
            Some(Panel::Settings) => {
                let i = self.selected.unwrap_or(0);
                let label = format!("{} ({})", self.roster.preset(i).label(), i + 1);
                page = page.push(
                    self.capped(
                        self.form
                            .view(self.theme, &label, neutral)
                            .map(Message::Settings),
                    ),
                );
            }
            Some(Panel::Remote) => {
                page = page.push(self.capped(self.remote.view(neutral).map(Message::Remote)));
            }
            None => {}
        }
        container(page.push(body).spacing(6).padding(8))
            .width(Length::Fill)
            .height(Length::Fill)
            .into()
    }

    /// A panel under the top bar, scrolling where it would take more than
    /// [`PANEL_SHARE`] of the window: the meters keep the rest, however short the window.
    fn capped<'a>(&self, panel: Element<'a, Message>) -> Element<'a, Message> {
        container(scrollable(panel).spacing(4).width(Length::Fill))
            .max_height(self.window_size.height * PANEL_SHARE)
            .into()
    }
}

/// The most of the main window's height a settings panel takes before it scrolls.
const PANEL_SHARE: f32 = 0.45;

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
