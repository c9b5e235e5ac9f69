//! The takes panel: the name of the next take, the button that starts and stops one (key T
//! does the same), and every take so far, newest first, each with its verdict in its colour
//! (red: clipped, and where; amber: hot; green: clean). Clicking a take opens it
//! ([`super::take_view`]).
//!
//! Takes outlive the app: each finished report is handed to a [`TakeSaver`] (its own thread
//! writes `<data dir>/takes/<session>.json` and `.csv`), and at start the panel lists the
//! takes saved by earlier runs. In memory it keeps one line per take (at most [`LIST_MAX`])
//! and the one take that is open; the reports themselves live in the meter thread's bounded
//! list and on disk.

use std::path::PathBuf;

use iced::widget::{button, column, container, row, scrollable, text, text_input};
use iced::{Element, Length};

use super::palette::{Neutral, Zone};
use super::take_view::TakeView;
use crate::snapshot::Snapshot;
use crate::takes::checkpoint::CheckpointTarget;
use crate::takes::lock::SessionLock;
use crate::takes::saver::TakeSaver;
use crate::takes::{TakeReport, TakeSummary, store};

/// Takes the list shows; older ones are in the files (`gainstage takes`).
pub const LIST_MAX: usize = 200;

/// Height of the list (px): about eight takes, the rest a scroll away.
const LIST_HEIGHT: f32 = 330.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The name field changed.
    Name(String),
    /// Start a take, or stop the one running.
    Toggle,
    /// Open the take at this place in the list (0: newest).
    Open(usize),
    /// Back from a take to the list.
    Close,
}

/// What the panel asks of the shell.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send the meter thread a start (with this name) or a stop.
    Toggle(String),
}

/// One take in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The session the take belongs to (a file name in the takes directory).
    pub session: String,
    pub take: usize,
    pub name: String,
    pub start_s: f64,
    pub end_s: f64,
    /// The verdict and where: "clipped at 00:12.3 on Kick In", "hot on Vox", "clean".
    pub headline: String,
    pub zone: Zone,
    /// Taken in this run of the app (else loaded from an earlier one's file).
    pub this_run: bool,
}

impl Entry {
    pub fn of(session: &str, t: &TakeSummary, this_run: bool) -> Self {
        let zone = verdict_zone(&t.verdict);
        let on = |names: Vec<&str>| {
            if names.is_empty() {
                String::new()
            } else {
                format!(" on {}", names.join(", "))
            }
        };
        let headline = match zone {
            // The input whose first clip came earliest: the one the take's verdict names.
            Zone::Clip => {
                let first = t
                    .inputs
                    .iter()
                    .filter_map(|i| i.first_burst_s.map(|s| (s, i.name.as_str())))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, n)| n);
                let others = t
                    .inputs
                    .iter()
                    .filter(|i| verdict_zone(&i.verdict) == Zone::Clip)
                    .count()
                    .saturating_sub(1);
                let more = match others {
                    0 => String::new(),
                    1 => " and 1 more".into(),
                    n => format!(" and {n} more"),
                };
                format!("{}{}{more}", t.verdict, on(first.into_iter().collect()))
            }
            Zone::Hot => {
                let hot: Vec<&str> = t
                    .inputs
                    .iter()
                    .filter(|i| i.verdict == "hot")
                    .map(|i| i.name.as_str())
                    .collect();
                format!("{}{}", t.verdict, on(hot))
            }
            Zone::Good => t.verdict.clone(),
        };
        Self {
            session: session.to_string(),
            take: t.take,
            name: t.name.clone(),
            start_s: t.start_s,
            end_s: t.end_s,
            headline,
            zone,
            this_run,
        }
    }
}

/// The colour a verdict is shown in.
pub fn verdict_zone(verdict: &str) -> Zone {
    if verdict.starts_with("clipped") {
        Zone::Clip
    } else if verdict == "hot" {
        Zone::Hot
    } else {
        Zone::Good
    }
}

/// "1:02.5": minutes, seconds and tenths of stream time.
pub fn clock(s: f64) -> String {
    let tenths = (s.max(0.0) * 10.0).round() as u64;
    format!("{}:{:02}.{}", tenths / 600, (tenths / 10) % 60, tenths % 10)
}

#[derive(Debug, Default)]
pub struct State {
    /// Newest first, at most [`LIST_MAX`].
    entries: Vec<Entry>,
    /// The name the next take gets (blank: "Take N").
    pub name: String,
    /// Where takes are saved; `None`: nowhere (no data directory, or a test).
    dir: Option<PathBuf>,
    /// This run's session: its takes' file name.
    session: String,
    saver: Option<TakeSaver>,
    /// Keeps `session` this run's (another run started in the same second gets its own),
    /// and is where the meter thread checkpoints the running take.
    checkpoints: Option<CheckpointTarget>,
    /// Takes of the current input already listed, by number (the meter thread numbers them).
    seen: usize,
    /// The take shown instead of the list.
    pub open: Option<TakeView>,
    /// Why something could not be saved or read.
    pub problem: Option<String>,
    /// Why the saver's latest write failed, while takes wait to be written (it keeps trying).
    save_problem: Option<String>,
}

impl State {
    /// Lists the takes saved in `dir` by earlier runs (newest first) and saves this run's
    /// there from now on, as session `session`.
    pub fn load(dir: PathBuf, session: String) -> Self {
        // Takes a killed `monitor` or `serve` checkpointed go into their sessions first, so
        // the list shows them.
        let (_, problems) = crate::takes::checkpoint::recover(&dir);
        let mut state = Self {
            dir: Some(dir),
            problem: problems.into_iter().next(),
            ..Self::default()
        };
        state.load_earlier();
        state.new_session(session);
        state
    }

    /// The takes of earlier sessions, newest first, until the list is full.
    fn load_earlier(&mut self) {
        let Some(dir) = self.dir.clone() else {
            return;
        };
        let sessions = match store::sessions(&dir) {
            Ok(s) => s,
            Err(e) => {
                self.problem = Some(format!("saved takes not read: {e}"));
                return;
            }
        };
        for session in sessions.iter().rev() {
            if self.entries.len() >= LIST_MAX {
                break;
            }
            match store::summaries(&dir, session) {
                Ok(takes) => self.entries.extend(
                    takes
                        .iter()
                        .rev()
                        .take(LIST_MAX - self.entries.len())
                        .map(|t| Entry::of(session, t, false)),
                ),
                Err(e) => self.problem = Some(format!("saved takes not read: {e}")),
            }
        }
    }

    /// Takes from now on belong to session `session` (a new input numbers its takes from 1
    /// again, so it is a new session).
    pub fn new_session(&mut self, session: String) {
        for e in &mut self.entries {
            e.this_run = false;
        }
        self.seen = 0;
        self.saver = None;
        self.checkpoints = None;
        let mut session = session;
        if let Some(dir) = &self.dir {
            // Where the directory cannot be locked (not there yet, the disk refusing) the
            // saver still starts, unlocked, and keeps trying until the disk takes the takes.
            if let Ok((name, lock)) = SessionLock::claim_new(dir, &session) {
                self.checkpoints = Some(CheckpointTarget {
                    dir: dir.clone(),
                    session: name.clone(),
                    lock: std::sync::Arc::new(lock),
                });
                session = name;
            }
            match TakeSaver::spawn(dir.clone(), session.clone()) {
                Ok(s) => self.saver = Some(s),
                Err(e) => self.problem = Some(format!("takes will not be saved: {e}")),
            }
        }
        self.session = session;
    }

    /// Where the meter thread checkpoints the running take (this run's session), if anywhere:
    /// for [`crate::capture::MeterCommand::Checkpoints`].
    pub fn checkpoints(&self) -> Option<CheckpointTarget> {
        self.checkpoints.clone()
    }

    /// Takes ended since the last look: listed, and handed to the saver.
    pub fn feed(&mut self, snapshot: &Snapshot) {
        self.save_problem = self.saver.as_ref().and_then(|s| s.status().problem);
        let new: Vec<TakeReport> = snapshot
            .takes
            .iter()
            .filter(|t| t.take > self.seen)
            .cloned()
            .collect();
        let Some(last) = new.last() else {
            return;
        };
        self.seen = last.take;
        for t in &new {
            self.entries
                .insert(0, Entry::of(&self.session, &TakeSummary::from(t), true));
        }
        self.entries.truncate(LIST_MAX);
        if let Some(saver) = &self.saver {
            saver.save(new);
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    /// Why takes wait to be written, as the panel shows it; `None` once they are.
    pub fn save_problem(&self) -> Option<&str> {
        self.save_problem.as_deref()
    }

    /// Bytes the panel holds on the heap: the list and the open take.
    pub fn heap_bytes(&self) -> usize {
        let entries: usize = self
            .entries
            .iter()
            .map(|e| e.session.capacity() + e.name.capacity() + e.headline.capacity())
            .sum();
        entries
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.open.as_ref().map_or(0, TakeView::heap_bytes)
    }

    /// `hot_dbtp`: each channel's hot level (from 0), for the open take's colours.
    pub fn update(
        &mut self,
        message: Message,
        snapshot: Option<&Snapshot>,
        hot_dbtp: &dyn Fn(usize) -> f64,
    ) -> Option<Action> {
        match message {
            Message::Name(n) => self.name = n,
            Message::Toggle => {
                let starting = snapshot.is_none_or(|s| s.open_take.is_none());
                // The name goes with the take it starts; the field is free for the next.
                let name = if starting {
                    std::mem::take(&mut self.name)
                } else {
                    String::new()
                };
                return Some(Action::Toggle(name));
            }
            Message::Open(i) => {
                let entry = self.entries.get(i)?;
                match self.report(entry, snapshot) {
                    Ok(report) => {
                        let hot = (0..report.inputs.len()).map(hot_dbtp).collect();
                        self.open = Some(TakeView::new(entry.session.clone(), report, hot));
                    }
                    Err(e) => self.problem = Some(e),
                }
            }
            Message::Close => self.open = None,
        }
        None
    }

    /// The whole report of a listed take: from the latest snapshot while the meter thread
    /// still holds it, else from its file.
    fn report(&self, entry: &Entry, snapshot: Option<&Snapshot>) -> Result<TakeReport, String> {
        if entry.this_run
            && let Some(t) = snapshot.and_then(|s| s.takes.iter().find(|t| t.take == entry.take))
        {
            return Ok(t.clone());
        }
        let dir = self
            .dir
            .as_ref()
            .ok_or_else(|| "takes are not saved: no data directory".to_string())?;
        store::load_take(dir, &entry.session, entry.take)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("take {} is not in {}", entry.take, entry.session))
    }

    pub fn view<'a>(
        &'a self,
        snapshot: Option<&'a Snapshot>,
        neutral: Neutral,
    ) -> Element<'a, Message> {
        if let Some(open) = &self.open {
            return open.view(neutral);
        }
        let open_take = snapshot.and_then(|s| s.open_take.as_ref());
        let (label, recording) = match open_take {
            Some(t) => (
                "■ Stop take (T)".to_string(),
                text(format!(
                    "● recording {} since {}{}",
                    t.name,
                    clock(t.start_s),
                    if t.auto {
                        " (started by the level)"
                    } else {
                        ""
                    }
                ))
                .size(20)
                .color(neutral.text),
            ),
            None => (
                "● Start take (T)".to_string(),
                text("no take running").size(20).color(neutral.dim_text),
            ),
        };
        let controls = row![
            text_input("name of the next take (blank: Take N)", &self.name)
                .on_input(Message::Name)
                .on_submit(Message::Toggle)
                .size(20)
                .width(420),
            button(text(label).size(20)).on_press(Message::Toggle),
            recording,
        ]
        .spacing(12)
        .align_y(iced::alignment::Vertical::Center);
        let list: Element<'a, Message> = if self.entries.is_empty() {
            text("No takes yet: press T to start one and T again to stop it.")
                .size(20)
                .color(neutral.dim_text)
                .into()
        } else {
            column(self.entries.iter().enumerate().map(|(i, e)| {
                let when = if e.this_run {
                    format!("{}–{}", clock(e.start_s), clock(e.end_s))
                } else {
                    format!(
                        "{} · {}–{}",
                        session_day(&e.session),
                        clock(e.start_s),
                        clock(e.end_s)
                    )
                };
                button(
                    row![
                        text(format!("{}", e.take))
                            .size(22)
                            .color(neutral.dim_text)
                            .width(48),
                        text(&e.name).size(22).color(neutral.text).width(220),
                        text(when).size(18).color(neutral.dim_text).width(380),
                        text(&e.headline).size(22).color(e.zone.color()),
                    ]
                    .spacing(12)
                    .align_y(iced::alignment::Vertical::Center),
                )
                .on_press(Message::Open(i))
                .style(button::text)
                .width(Length::Fill)
                .into()
            }))
            .spacing(2)
            .into()
        };
        let mut body = column![controls].spacing(10);
        for p in [&self.problem, &self.save_problem].into_iter().flatten() {
            body = body.push(text(p).size(18).color(neutral.text));
        }
        body = body.push(
            text(format!(
                "Takes, newest first — click one for every input's verdict and headroom track.{}",
                if self.saver.is_some() {
                    format!(" Saved as session {}.", self.session)
                } else {
                    " Not saved: no data directory.".to_string()
                }
            ))
            .size(16)
            .color(neutral.dim_text),
        );
        container(body.push(scrollable(list).height(Length::Fill)))
            .padding(12)
            .width(Length::Fill)
            .height(LIST_HEIGHT)
            .style(move |_| container::Style::default().background(neutral.panel))
            .into()
    }
}

/// "2026-11-28 14:30" from a session name "2026-11-28T14-30-05Z" (UTC, as the file says).
fn session_day(session: &str) -> String {
    match (session.get(0..10), session.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {} UTC", time.replace('-', ":")),
        _ => session.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_session_days_read_as_people_write_them() {
        assert_eq!(clock(62.54), "1:02.5");
        assert_eq!(clock(0.0), "0:00.0");
        assert_eq!(session_day("2026-11-28T14-30-05Z"), "2026-11-28 14:30 UTC");
        assert_eq!(session_day("odd"), "odd");
    }
}
