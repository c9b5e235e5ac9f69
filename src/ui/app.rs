//! The application shell: owns the capture session, polls snapshots, routes messages to the
//! screens and draws the top bar.

use std::path::PathBuf;
use std::time::Duration;

use iced::keyboard::{self, Key, key::Named};
use iced::widget::canvas::Cache;
use iced::widget::{Space, button, column, container, row, text};
use iced::{Element, Length, Subscription, Task, window};

use super::palette;
use super::{bridge, performer, wall};
use crate::advisor::{ChannelPlan, PresetParams, SourcePreset};
use crate::capture::{MeterCommand, Session, SnapshotReader};
use crate::settings::{self, Settings};
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

#[derive(Debug, Clone)]
pub enum Message {
    /// Time to take the latest snapshot.
    Tick,
    ResetAll,
    ResetChannel(usize),
    ShowView(View),
    Key(Key),
    Bridge(bridge::Message),
}

/// Everything the GUI shows. The meter thread does all DSP; this only keeps what it drew.
#[derive(Debug)]
pub struct App {
    /// Kept alive for as long as the window is open.
    session: Option<Session>,
    reader: Option<SnapshotReader>,
    /// Why the GUI is not showing the requested source, shown until the window closes.
    pub banner: Option<String>,
    pub snapshot: Option<Snapshot>,
    pub view: View,
    pub plan: ChannelPlan,
    pub names: Vec<String>,
    /// One static scale layer per channel strip, cleared only when its size changes.
    pub scales: Vec<Cache>,
    pub help: bool,
    pub fullscreen: bool,
    /// Channels (from 0) the performer view shows.
    pub performer_channels: Vec<usize>,
    /// Source preset per channel (index 0 = channel 1).
    pub presets: Vec<SourcePreset>,
    /// Where settings are saved on change; `None` keeps them in memory only (tests).
    settings_dir: Option<PathBuf>,
}

impl App {
    pub fn new(session: Option<Session>, banner: Option<String>, view: View) -> Self {
        let reader = session.as_ref().map(Session::reader);
        Self {
            session,
            reader,
            banner,
            snapshot: None,
            view,
            plan: ChannelPlan::default(),
            names: Vec::new(),
            scales: Vec::new(),
            help: false,
            fullscreen: false,
            performer_channels: vec![0, 1],
            presets: Vec::new(),
            settings_dir: None,
        }
    }

    /// Gives every channel up to `n` a name: the template's, else "Input N".
    fn fill_names(&mut self, n: usize) {
        for i in self.names.len()..n {
            let name = self.plan.template.channel_name(i + 1);
            self.names.push(name);
        }
    }

    /// Takes names, presets and the performer's channels from saved settings, and saves
    /// changes to `dir` from now on.
    pub fn restore(&mut self, saved: &Settings, dir: Option<PathBuf>) {
        self.names = saved.names.clone();
        self.fill_names(self.snapshot.as_ref().map_or(0, |s| s.channels.len()));
        self.presets = saved.presets.clone();
        let chosen: Vec<usize> = saved
            .performer_channels
            .iter()
            .filter(|&&c| c >= 1)
            .map(|c| c - 1)
            .collect();
        if !chosen.is_empty() {
            self.performer_channels = chosen;
        }
        self.settings_dir = dir;
    }

    fn settings(&self) -> Settings {
        Settings {
            names: self.names.clone(),
            presets: self.presets.clone(),
            view: self.view.name().into(),
            performer_channels: self.performer_channels.iter().map(|c| c + 1).collect(),
        }
    }

    /// Saves on every change, so a crash or power cut keeps the session's names and presets.
    fn save(&mut self) {
        if let Some(dir) = &self.settings_dir
            && let Err(e) = settings::save(dir, &self.settings())
        {
            self.banner = Some(format!(
                "settings could not be saved in {}: {e}",
                dir.display()
            ));
            self.settings_dir = None;
        }
    }

    pub fn preset(&self, channel_index: usize) -> SourcePreset {
        self.presets.get(channel_index).copied().unwrap_or_default()
    }

    /// An app drawing a given snapshot, with no session (tests, screenshots of states).
    pub fn with_snapshot(snapshot: Snapshot) -> Self {
        let mut app = Self::new(None, None, View::Bridge);
        app.accept(snapshot);
        app
    }

    pub fn params(&self, channel_index: usize) -> PresetParams {
        self.plan.template.presets.get(self.preset(channel_index))
    }

    pub fn name(&self, channel_index: usize) -> &str {
        self.names.get(channel_index).map_or("", String::as_str)
    }

    fn accept(&mut self, snapshot: Snapshot) {
        let n = snapshot.channels.len();
        self.fill_names(n);
        self.scales
            .resize_with(n.max(self.scales.len()), Cache::new);
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
            }
            Message::ResetAll => self.send(MeterCommand::ResetAll),
            Message::ResetChannel(c) => self.send(MeterCommand::ResetChannel(c)),
            Message::ShowView(v) => return self.show(v),
            Message::Key(key) => return self.key(key),
            Message::Bridge(m) => {
                if let Some(command) = bridge::update(self, m) {
                    self.send(command);
                }
                self.save();
            }
        }
        Task::none()
    }

    fn show(&mut self, view: View) -> Task<Message> {
        self.view = view;
        self.save();
        // The wall is read from across the room: it takes the whole screen.
        let want_full = view == View::Wall;
        if want_full != self.fullscreen {
            self.fullscreen = want_full;
            return set_fullscreen(want_full);
        }
        Task::none()
    }

    fn key(&mut self, key: Key) -> Task<Message> {
        match key.as_ref() {
            Key::Character("r") | Key::Character("R") => self.send(MeterCommand::ResetAll),
            Key::Character("1") => return self.show(View::Bridge),
            Key::Character("2") => return self.show(View::Wall),
            Key::Character("3") => return self.show(View::Performer),
            Key::Character("?") => self.help = !self.help,
            Key::Named(Named::F11) => {
                self.fullscreen = !self.fullscreen;
                return set_fullscreen(self.fullscreen);
            }
            Key::Named(Named::Escape) => {
                self.help = false;
                if self.view == View::Wall {
                    self.view = View::Bridge;
                }
                if self.fullscreen {
                    self.fullscreen = false;
                    return set_fullscreen(false);
                }
            }
            _ => {}
        }
        Task::none()
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let keys = keyboard::listen().filter_map(|event| match event {
            keyboard::Event::KeyPressed { key, .. } => Some(Message::Key(key)),
            _ => None,
        });
        // Redraw at the meter rate only while audio can still change what is shown.
        let live = self.reader.is_some()
            && !matches!(
                self.snapshot.as_ref().map(|s| s.state),
                Some(StreamState::Finished)
            );
        if live {
            Subscription::batch([
                keys,
                iced::time::every(Duration::from_millis(33)).map(|_| Message::Tick),
            ])
        } else {
            keys
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let body: Element<'_, Message> = match (&self.snapshot, self.view) {
            (None, _) => container(text("Waiting for audio…").size(28).color(palette::DIM_TEXT))
                .center(Length::Fill)
                .into(),
            (Some(s), View::Bridge) => bridge::view(self, s),
            (Some(s), View::Wall) => return wall::view(self, s),
            (Some(s), View::Performer) => performer::view(self, s),
        };
        let mut page = column![self.top_bar()];
        if let Some(b) = &self.banner {
            page = page.push(
                container(text(b).size(18).color(palette::TEXT))
                    .padding(8)
                    .width(Length::Fill)
                    .style(|_| container::Style::default().background(palette::PANEL)),
            );
        }
        if self.help {
            page = page.push(help());
        }
        container(page.push(body).spacing(6).padding(8))
            .width(Length::Fill)
            .height(Length::Fill)
            .style(|_| container::Style::default().background(palette::BACKGROUND))
            .into()
    }

    fn top_bar(&self) -> Element<'_, Message> {
        let status = match &self.snapshot {
            Some(s) => {
                let clips: u64 = s.channels.iter().map(|c| c.readings.overs).sum();
                let buffer = s
                    .source
                    .buffer_frames
                    .map_or("-".to_string(), |b| format!("{b}"));
                format!(
                    "{} · {} · {} Hz · buffer {} · {} · dropped {} · xruns {} · overs {}",
                    s.source.device,
                    s.source.host,
                    s.source.sample_rate,
                    buffer,
                    state_word(s.state),
                    s.dropped_frames,
                    s.xruns,
                    clips
                )
            }
            None => "no audio yet".to_string(),
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
        row![
            text(status).size(16).color(palette::TEXT),
            Space::new().width(Length::Fill),
            button(text("Reset all (R)").size(16))
                .on_press(Message::ResetAll)
                .style(button::secondary),
            tab("1 Bridge", View::Bridge),
            tab("2 Wall", View::Wall),
            tab("3 Performer", View::Performer),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center)
        .into()
    }
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

fn help<'a>() -> Element<'a, Message> {
    let lines = [
        "R  reset all clips",
        "1 / 2 / 3  bridge / wall / performer view",
        "F11  fullscreen    Esc  leave wall or fullscreen",
        "?  this help",
        "Click a channel's clip light to reset that channel",
    ];
    container(
        column(
            lines
                .into_iter()
                .map(|l| text(l).size(18).color(palette::TEXT).into()),
        )
        .spacing(4),
    )
    .padding(12)
    .style(|_| container::Style::default().background(palette::PANEL))
    .into()
}

fn set_fullscreen(on: bool) -> Task<Message> {
    let mode = if on {
        window::Mode::Fullscreen
    } else {
        window::Mode::Windowed
    };
    window::latest().and_then(move |id| window::set_mode(id, mode))
}
