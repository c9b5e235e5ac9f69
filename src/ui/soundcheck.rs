//! The soundcheck flow: pick channels, press Soundcheck, a countdown runs while the performer
//! plays, then each chosen strip shows its verdict and suggested change until dismissed.
//!
//! The advisor's [`Soundcheck`] does the judging; this screen only feeds it the snapshots the
//! GUI already reads and keeps what it said.

use std::collections::BTreeSet;

use iced::widget::{button, container, row, text};
use iced::{Element, Length};

use super::palette::{self, Neutral};
use crate::advisor::{PresetParams, Soundcheck, SoundcheckResult, SoundcheckStatus};
use crate::preamps::PreampError;
use crate::preamps::Who;
use crate::preamps::worker::{Board, Done};
use crate::snapshot::Snapshot;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Add or remove a channel (from 0) from the next soundcheck.
    Toggle(usize),
    /// Start listening to the picked channels (all when none is picked).
    Start,
    /// Stop listening early; the channels keep no result.
    Cancel,
    /// Clear the results from the strips.
    Dismiss,
    /// Set every preamp the verdicts ask to (where preamps are reachable).
    SetAll,
    /// Put back the gains from before the latest Set all.
    Undo,
}

/// A soundcheck that is listening.
#[derive(Debug, Clone)]
struct Listening {
    check: Soundcheck,
    /// Stream time of the first snapshot fed (s); `None` until one arrives.
    now_s: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct State {
    /// Channels (from 0) the next soundcheck listens to; empty means every channel.
    pub picked: BTreeSet<usize>,
    listening: Option<Listening>,
    /// The latest verdicts, shown until dismissed.
    pub results: Vec<SoundcheckResult>,
    /// Preamps are reachable: verdicts can be applied.
    pub can_set: bool,
    /// Changes were made, from here or by a remote control client, that Undo can take back.
    pub can_undo: bool,
    /// These verdicts were applied: they describe the gains before, so Set all is offered
    /// again only after the next soundcheck.
    applied: bool,
    /// Each input's preamp gain as the preamps' thread last read it (input from 1 → dB), or
    /// why it could not: read at start and after every change, whoever made it.
    pub gains: std::collections::BTreeMap<usize, Result<f64, PreampError>>,
    /// What the latest Set all or Undo did, or that it is under way.
    pub preamp_status: Option<String>,
}

impl State {
    pub fn is_listening(&self) -> bool {
        self.listening.is_some()
    }

    /// Seconds left to listen, while listening.
    pub fn remaining_s(&self) -> Option<f64> {
        let l = self.listening.as_ref()?;
        let progress = l.now_s.map_or(0.0, |t| l.check.progress(t));
        Some((1.0 - progress) * l.check.listen_s())
    }

    /// The verdict for a channel (from 0), if the last soundcheck judged it.
    pub fn result(&self, index: usize) -> Option<&SoundcheckResult> {
        self.results.iter().find(|r| r.channel == index + 1)
    }

    /// Starts listening to the picked channels with each channel's parameters.
    pub fn start(&mut self, params: &[PresetParams], listen_s: f64, sample_rate: u32) {
        let channels: Vec<(usize, PresetParams)> = params
            .iter()
            .cloned()
            .enumerate()
            .filter(|(i, _)| self.picked.is_empty() || self.picked.contains(i))
            .collect();
        if channels.is_empty() {
            return;
        }
        self.results.clear();
        self.applied = false;
        self.listening = Some(Listening {
            check: Soundcheck::new(channels, listen_s, sample_rate),
            now_s: None,
        });
    }

    pub fn update(&mut self, message: Message) {
        match message {
            Message::Toggle(c) => {
                if !self.picked.remove(&c) {
                    self.picked.insert(c);
                }
            }
            // Start needs the channels' parameters, Set all and Undo the preamps: the app
            // handles them.
            Message::Start | Message::SetAll | Message::Undo => {}
            Message::Cancel => self.listening = None,
            Message::Dismiss => self.results.clear(),
        }
    }

    /// A strip's badge: the verdict, as an action where the preamp can be set from here; once
    /// set, the preamp's gain.
    pub fn badge(&self, r: &SoundcheckResult) -> String {
        if self.applied
            && let Some(Ok(g)) = self.gains.get(&r.channel)
        {
            return format!("GAIN {g:+.1} dB");
        }
        let s = short(r);
        if self.can_set && r.suggested_gain_db.is_some() && r.status != SoundcheckStatus::Ok {
            format!("Apply {s}")
        } else {
            s
        }
    }

    /// A strip's preamp gain in a few characters, for an input (from 1) with a preamp.
    pub fn gain_text(&self, input: usize) -> Option<String> {
        Some(match self.gains.get(&input)? {
            Ok(db) => format!("{db:+.1} dB"),
            Err(e) if e.is_unreachable() => "unreachable".into(),
            Err(_) => "gain unknown".into(),
        })
    }

    /// Takes what the preamps' thread posted: the gains it read, whether Undo can follow, and
    /// when `fresh`, the job it finished last (a line for the bar).
    pub fn take_board(&mut self, board: &Board, fresh: bool) {
        self.gains = board.gains.clone();
        self.can_undo = board.can_undo;
        if let Some(problem) = &board.problem {
            self.can_set = false;
            self.preamp_status = Some(format!("Preamps cannot be set: {problem}"));
            return;
        }
        if let Some(done) = board.last.as_ref().filter(|_| fresh) {
            self.preamps_done(done);
        }
    }

    /// Takes what a Set all or Undo did, from here or from a remote control client.
    fn preamps_done(&mut self, done: &Done) {
        let applied = &done.applied;
        let changed = applied.iter().filter(|a| a.change.is_some()).count();
        // A thread that reads no gains still says what it set.
        for c in applied.iter().filter_map(|a| a.change.as_ref()) {
            self.gains
                .entry(c.input)
                .or_insert(Ok(c.read_back_db.unwrap_or(c.to_db)));
        }
        let problems: Vec<&str> = applied
            .iter()
            .filter_map(|a| a.problem.as_deref())
            .collect();
        let mut line = match (done.undo, changed) {
            (true, 1) => "Undo: 1 preamp put back".to_string(),
            (true, n) => format!("Undo: {n} preamps put back"),
            (false, 1) => "Set 1 preamp".to_string(),
            (false, n) => format!("Set {n} preamps"),
        };
        if done.who == Who::Remote {
            line = format!("Remote: {line}");
        }
        if let Some(first) = problems.first() {
            line = format!("{line}; {first}");
        }
        if done.undo {
            self.applied = false;
        } else if done.who == Who::Gui {
            self.applied = true;
        }
        self.preamp_status = Some(line);
    }

    /// Feeds a snapshot; when the listening time is up, the verdicts replace the countdown.
    pub fn feed(&mut self, s: &Snapshot) {
        let Some(l) = self.listening.as_mut() else {
            return;
        };
        for (i, c) in s.channels.iter().enumerate() {
            l.check.feed(s.t_s, i, &c.readings);
        }
        l.now_s = Some(s.t_s);
        if l.check.is_done(s.t_s) {
            self.results = l.check.results();
            self.listening = None;
        }
    }

    /// The top bar's part: the button, or the countdown, or the way to dismiss results.
    pub fn bar(&self, neutral: Neutral) -> Element<'_, Message> {
        if let Some(left) = self.remaining_s() {
            return row![
                text(format!("SOUNDCHECK: play now… {:.0} s", left.ceil()))
                    .size(18)
                    .color(neutral.text),
                button(text("Cancel").size(16))
                    .on_press(Message::Cancel)
                    .style(button::secondary),
            ]
            .spacing(8)
            .align_y(iced::alignment::Vertical::Center)
            .into();
        }
        let picked = match self.picked.len() {
            0 => "all".to_string(),
            n => format!("{n} ch"),
        };
        let start = button(text(format!("Soundcheck {picked}")).size(16))
            .on_press(Message::Start)
            .style(button::secondary);
        let mut bar = row![start]
            .spacing(8)
            .align_y(iced::alignment::Vertical::Center);
        if !self.results.is_empty() {
            if self.can_set && !self.applied {
                bar = bar.push(
                    button(text("Set all").size(16))
                        .on_press(Message::SetAll)
                        .style(button::primary),
                );
            }
            bar = bar.push(
                button(text("Dismiss results").size(16))
                    .on_press(Message::Dismiss)
                    .style(button::secondary),
            );
        }
        if self.can_undo {
            bar = bar.push(
                button(text("Undo").size(16))
                    .on_press(Message::Undo)
                    .style(button::secondary),
            );
        }
        if let Some(status) = &self.preamp_status {
            bar = bar.push(text(status.clone()).size(16).color(neutral.text));
        }
        bar.into()
    }
}

/// The verdict in a few characters for a strip: what to do with the preamp.
pub fn short(r: &SoundcheckResult) -> String {
    let gain = |db: f64| {
        if db < 0.0 {
            format!("▼ {:.1} dB", -db)
        } else {
            format!("▲ {db:.1} dB")
        }
    };
    match (r.status, r.suggested_gain_db) {
        (SoundcheckStatus::Ok, _) => "OK".into(),
        (SoundcheckStatus::NoSignal, _) => "NO SIGNAL".into(),
        // The red box already says it clipped; the text says what to do.
        (SoundcheckStatus::Clipped, Some(db)) => gain(db),
        (_, Some(db)) => gain(db),
        (status, None) => format!("{status:?}").to_uppercase(),
    }
}

/// Background and text colours of a verdict: red for clips, amber for a change to make, green
/// for good, neutral for no signal: the same meanings as the meters.
pub fn colors(r: &SoundcheckResult, neutral: Neutral) -> (iced::Color, iced::Color) {
    let on_colour = iced::Color::BLACK;
    match r.status {
        SoundcheckStatus::Ok => (palette::GREEN, on_colour),
        SoundcheckStatus::Clipped => (palette::RED, on_colour),
        SoundcheckStatus::TurnDown | SoundcheckStatus::TurnUp | SoundcheckStatus::TooDynamic => {
            (palette::AMBER, on_colour)
        }
        SoundcheckStatus::NoSignal => (neutral.panel, neutral.text),
    }
}

/// A strip's result box showing `label`; the full advice is in the detail panel.
pub fn strip_result<'a, M: 'a>(
    r: &SoundcheckResult,
    label: String,
    font: f32,
    neutral: Neutral,
) -> Element<'a, M> {
    let (bg, fg) = colors(r, neutral);
    container(
        text(label)
            .size(font + 2.0)
            .color(fg)
            .center()
            .wrapping(text::Wrapping::None),
    )
    .width(Length::Fill)
    .padding(3)
    .style(move |_| container::Style::default().background(bg))
    .into()
}
