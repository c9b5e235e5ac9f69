//! The top bar: the source and its health in one line, the soundcheck's state, and the
//! buttons for views and panels.

use iced::widget::{button, row, text};
use iced::{Element, Length};

use super::nav::{Panel, View};
use super::palette::{self, Neutral};
use super::soundcheck;
use crate::capture::realtime::Realtime;
use crate::snapshot::{Snapshot, StreamState};

/// What the bar's buttons ask for.
#[derive(Debug, Clone)]
pub enum Message {
    ResetAll,
    ShowView(View),
    TogglePanel(Panel),
    OpenWallWindow,
    Soundcheck(soundcheck::Message),
    /// Start a take, or stop the one running.
    ToggleTake,
}

/// What the bar shows besides the snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Bar<'a> {
    pub view: View,
    pub panel: Option<Panel>,
    pub soundcheck: &'a soundcheck::State,
    pub neutral: Neutral,
    /// The device callback's priority, once known.
    pub realtime: Option<&'a Realtime>,
    /// While the remote view serves: how many are watching.
    pub viewers: Option<usize>,
}

/// The source, state, losses and clip rule in words, and the colour they are shown in (red
/// when the device is lost, amber while it (re)opens or while the session log fails). A
/// refused real-time priority is said; a granted one is what a studio expects and goes unsaid.
pub fn status(
    snapshot: Option<&Snapshot>,
    realtime: Option<&Realtime>,
    neutral: Neutral,
) -> (String, iced::Color) {
    let Some(s) = snapshot else {
        return ("no audio yet".to_string(), neutral.dim_text);
    };
    let overs: u64 = s.channels.iter().map(|c| c.readings.overs).sum();
    let buffer = s
        .source
        .buffer_frames
        .map_or("-".to_string(), |b| format!("{b}"));
    let log_problem = s.log.problem();
    let checkpoint_problem = s.checkpoints.problem();
    let color = match s.state {
        StreamState::Lost => palette::RED,
        StreamState::Reconnecting | StreamState::Starting => palette::AMBER,
        _ if log_problem.is_some() || checkpoint_problem.is_some() => palette::AMBER,
        _ => neutral.text,
    };
    let mut status = format!(
        "{} · {} · {} Hz · clips: {} · buffer {} · {} · dropped {} · xruns {} · overs {}",
        s.source.device,
        s.source.host,
        s.source.sample_rate,
        s.source.clip_rule.describe(),
        buffer,
        state_word(s.state),
        s.dropped_frames,
        s.xruns,
        overs
    );
    if let Some(r) = realtime.filter(|r| !r.granted) {
        status.push_str(" · ");
        status.push_str(&r.describe());
    }
    for problem in [log_problem, checkpoint_problem].into_iter().flatten() {
        status.push_str(" · ");
        status.push_str(&problem);
    }
    (status, color)
}

pub fn view<'a>(snapshot: Option<&Snapshot>, bar: Bar<'a>) -> Element<'a, Message> {
    let (status, state_color) = status(snapshot, bar.realtime, bar.neutral);
    let tab = |label: &'static str, v: View| {
        let b = button(text(label).size(16));
        if bar.view == v {
            b
        } else {
            b.style(button::secondary)
        }
        .on_press(Message::ShowView(v))
    };
    // A panel's button, highlighted while its panel is open.
    let panel_button = |label: Element<'a, Message>, p: Panel| {
        let b = button(label).on_press(Message::TogglePanel(p));
        if bar.panel == Some(p) {
            b
        } else {
            b.style(button::secondary)
        }
    };
    let toggle = |label: &'static str, p: Panel| panel_button(text(label).size(16).into(), p);
    row![
        // The status wraps rather than pushing the buttons off a narrow window.
        text(status).size(16).color(state_color).width(Length::Fill),
        bar.soundcheck.bar(bar.neutral).map(Message::Soundcheck),
        button(text("Reset all").size(16))
            .on_press(Message::ResetAll)
            .style(button::secondary),
        take_button(snapshot.is_some_and(|s| s.open_take.is_some())),
    ]
    .push({
        // Served to the network, it says so and counts the viewers: a reminder that the
        // session is on the network.
        let label: Element<'a, Message> = match bar.viewers {
            Some(n) => row![
                text("●").size(16).color(palette::GREEN),
                text(format!("Remote {n}")).size(16)
            ]
            .spacing(4)
            .into(),
            None => text("Remote").size(16).into(),
        };
        panel_button(label, Panel::Remote)
    })
    .extend(
        [
            toggle("Takes", Panel::Takes),
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
        .map(Element::from),
    )
    .spacing(8)
    .align_y(iced::alignment::Vertical::Center)
    .into()
}

/// "● Take" starts one; while one runs, "■ Stop take".
fn take_button<'a>(running: bool) -> Element<'a, Message> {
    let label = if running { "■ Stop take" } else { "● Take" };
    let b = button(text(label).size(16)).on_press(Message::ToggleTake);
    if running {
        b
    } else {
        b.style(button::secondary)
    }
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
