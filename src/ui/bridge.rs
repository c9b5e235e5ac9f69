//! The meter bridge: one strip per channel. Above the meters each strip has its number, name
//! and source preset; the meters (bar, hold, target zone, headroom track, readouts) are one
//! canvas for all strips; below them, the latched clip light and the advisor's badge.

use iced::widget::{
    Space, button, canvas, column, container, mouse_area, pick_list, row, text, text_input, tooltip,
};
use iced::{Element, Length};

use super::badge::{badge, compact_badge};
use super::banks;
use super::layers::Layers;
use super::palette;
use super::roster::Roster;
use super::scene::Scene;
use super::soundcheck;
use super::strip_text::{self, StripText};
use super::strips::{self, Strips, Style};
use crate::advisor::SourcePreset;
use crate::capture::MeterCommand;
use crate::snapshot::ChannelSnapshot;

#[derive(Debug, Clone)]
pub enum Message {
    /// A channel (from 0) was renamed.
    Rename(usize, String),
    /// A channel's latched clip light was clicked.
    ResetClip(usize),
    /// A channel (from 0) got another source preset.
    SetPreset(usize, SourcePreset),
    /// A channel (from 0) was picked for the detail panel.
    Select(usize),
    /// A channel (from 0) goes on the performer view, or comes off it.
    TogglePerformer(usize),
    /// A channel (from 0) goes into the next soundcheck, or comes out (the shell owns the
    /// soundcheck).
    PickForSoundcheck(usize),
    /// Show bank `b` (from 0) of a bridge too wide for one screen (the shell owns the bank).
    ShowBank(usize),
}

/// What a bridge message changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// What the meter thread must do, if anything.
    pub command: Option<MeterCommand>,
    /// A preset changed: the layers that show target zones are stale.
    pub restyled: bool,
}

/// Applies a bridge message to the channels, the selection and the performer's choice.
pub fn update(
    roster: &mut Roster,
    selected: &mut Option<usize>,
    performer_channels: &mut Vec<usize>,
    message: Message,
) -> Outcome {
    let mut restyled = false;
    let command = match message {
        Message::Rename(c, name) => {
            roster.rename(c, name.clone());
            Some(MeterCommand::Rename(c, name))
        }
        Message::ResetClip(c) => Some(MeterCommand::ResetChannel(c)),
        Message::SetPreset(c, preset) => {
            roster.set_preset(c, preset);
            restyled = true;
            Some(MeterCommand::SetPreset(c, preset))
        }
        Message::Select(c) => {
            *selected = if *selected == Some(c) { None } else { Some(c) };
            None
        }
        Message::PickForSoundcheck(_) | Message::ShowBank(_) => None,
        Message::TogglePerformer(c) => {
            if let Some(k) = performer_channels.iter().position(|&p| p == c) {
                performer_channels.remove(k);
            } else {
                // The performer view shows only so many: the oldest choice makes room.
                if performer_channels.len() >= super::performer::MAX_METERS {
                    performer_channels.remove(0);
                }
                performer_channels.push(c);
            }
            None
        }
    };
    Outcome { command, restyled }
}

/// What the bridge draws: the scene, its layers, and the state its strips show.
#[derive(Debug, Clone, Copy)]
pub struct Bridge<'a> {
    pub scene: Scene<'a>,
    pub layers: &'a Layers,
    /// The channel whose detail panel is open.
    pub selected: Option<usize>,
    /// Picked channels and results of the soundcheck.
    pub soundcheck: &'a soundcheck::State,
    /// Channels on the performer view.
    pub performer_channels: &'a [usize],
    /// The bank asked for (from 0); past the last shows the last.
    pub bank: usize,
    /// The bridge's width (logical px): how many strips a bank has.
    pub width: f32,
}

/// Which channels (from 0) the bridge shows now: the bank asked for, or the last one.
pub fn shown(n: usize, bank: usize, width: f32) -> (usize, usize, std::ops::Range<usize>) {
    let size = banks::bank_size(n, width);
    let bank = bank.min(banks::count(n, size) - 1);
    (bank, size, banks::range(bank, size, n))
}

pub fn view(b: Bridge<'_>) -> Element<'_, Message> {
    let s = b.scene.snapshot;
    let n = s.channels.len();
    let neutral = b.scene.neutral;
    let (bank, size, shown) = shown(n, b.bank, b.width);
    let channels = &s.channels[shown.clone()];
    let k = channels.len();
    let t = StripText::for_width(banks::strip_width(k, b.width));
    // Every strip has its own scale only where there is room for it beside the bar.
    let labels = k <= 16 && t.strip >= 80.0;
    let headers = row(channels
        .iter()
        .enumerate()
        .map(|(j, c)| header(&b, shown.start + j, c, &t)))
    .spacing(strips::SPACING);
    let thresholds = b.scene.roster.thresholds(n)[shown.clone()].to_vec();
    let meters = canvas(Strips {
        scale: Some(&b.layers.bridge_scale),
        below: Some(&b.layers.bridge_tracks),
        channels,
        live: b.scene.live,
        thresholds,
        names: Vec::new(),
        selected: b
            .selected
            .filter(|i| shown.contains(i))
            .map(|i| i - shown.start),
        style: Style::Bridge { labels },
        neutral,
        bars: b.scene.bars.bridge,
        bar_color: None,
        wall: &[],
    })
    .width(Length::Fill)
    .height(Length::Fill);
    let meters: Element<'_, Message> = if labels {
        iced::widget::stack![
            meters,
            super::scale_labels::scale_labels(k, neutral.scale, b.scene.bars.bridge)
        ]
        .width(Length::Fill)
        .height(Length::Fill)
        .into()
    } else {
        meters.into()
    };
    let footers = row(channels
        .iter()
        .enumerate()
        .map(|(j, c)| footer(&b, shown.start + j, c, &t)))
    .spacing(strips::SPACING);
    let mut body = column![].spacing(4).height(Length::Fill);
    let banked = banks::count(n, size) > 1;
    if banked {
        body = body.push(banks::overview(
            &s.channels,
            b.scene.roster,
            bank,
            size,
            neutral,
            Message::ShowBank,
        ));
    }
    let strips = column![headers, meters, footers].spacing(4);
    let strips: Element<'_, Message> = if banked {
        // The wheel over the strips pages through the banks too.
        let last = banks::count(n, size) - 1;
        mouse_area(strips)
            .on_scroll(move |d| {
                banks::wheel(
                    d,
                    Message::ShowBank(bank.saturating_sub(1)),
                    Message::ShowBank((bank + 1).min(last)),
                )
            })
            .into()
    } else {
        strips.into()
    };
    let body = body.push(strips);
    match b.selected.and_then(|i| s.channels.get(i).map(|c| (i, c))) {
        Some((i, c)) => column![body, detail(&b, i, c)].spacing(6).into(),
        None => body.into(),
    }
}

/// Number, name and preset, one line each, the name and preset cut with "…" where the strip
/// is too narrow for them. A click selects the channel; its name and preset are edited in the
/// detail panel.
fn header<'a>(
    b: &Bridge<'a>,
    i: usize,
    c: &'a ChannelSnapshot,
    t: &StripText,
) -> Element<'a, Message> {
    let neutral = b.scene.neutral;
    let picked = b.soundcheck.picked.contains(&i);
    let number = if picked {
        format!("{}●", c.channel)
    } else {
        c.channel.to_string()
    };
    let name = match b.scene.roster.name(i) {
        "" => format!("Input {}", c.channel),
        n => n.to_string(),
    };
    let selected = b.selected == Some(i);
    let line = |s: String, size: f32, color| {
        text(s)
            .size(size)
            .color(color)
            .wrapping(text::Wrapping::None)
    };
    let number = line(
        strip_text::ellipsize(&number, t.font, t.inner),
        t.font,
        neutral.dim_text,
    );
    // The preamp's gain beside the number, where preamps are set from here: read at start and
    // after every change, so what a remote client set shows too.
    let number: Element<'a, Message> = match b.soundcheck.gain_text(c.channel) {
        Some(gain) => {
            let color = match b.soundcheck.gains.get(&c.channel) {
                Some(Ok(_)) => neutral.dim_text,
                _ => palette::AMBER,
            };
            row![
                number,
                Space::new().width(Length::Fill),
                line(
                    strip_text::ellipsize(&gain, t.small, t.inner * 0.7),
                    t.small,
                    color
                ),
            ]
            .align_y(iced::alignment::Vertical::Center)
            .into()
        }
        None => number.into(),
    };
    button(
        column![
            number,
            line(
                strip_text::ellipsize(&name, t.font, t.inner),
                t.font,
                neutral.text
            ),
            line(
                strip_text::ellipsize(b.scene.roster.preset(i).label(), t.small, t.inner),
                t.small,
                neutral.dim_text
            ),
        ]
        .spacing(1),
    )
    .padding(strip_text::PAD)
    .width(Length::Fill)
    .on_press(Message::Select(i))
    .style(move |theme, status| {
        let base = button::text(theme, status);
        button::Style {
            background: Some(
                if selected {
                    neutral.panel
                } else {
                    neutral.background
                }
                .into(),
            ),
            ..base
        }
    })
    .into()
}

fn footer<'a>(
    b: &Bridge<'a>,
    i: usize,
    c: &'a ChannelSnapshot,
    t: &StripText,
) -> Element<'a, Message> {
    let neutral = b.scene.neutral;
    let overs = c.readings.overs;
    // One line always: a label that wrapped on the first clip would shrink every meter.
    // A narrow strip shows the count alone; red says what it counts.
    let clip_label = t.clip_label(overs);
    let clip_size = t.clip_size(&clip_label);
    let clip = button(
        text(clip_label)
            .size(clip_size)
            // As tall as the largest label, so a long count that shrinks moves nothing.
            .line_height(iced::Pixels(t.font * strip_text::LINE))
            .width(Length::Fill)
            .center()
            .wrapping(text::Wrapping::None),
    )
    .padding(strip_text::PAD)
    .width(Length::Fill)
    .on_press(Message::ResetClip(i))
    .style(move |theme, status| {
        if overs > 0 {
            button::Style {
                background: Some(palette::RED.into()),
                text_color: iced::Color::BLACK,
                ..button::primary(theme, status)
            }
        } else {
            button::secondary(theme, status)
        }
    });
    let advice: Element<'a, Message> = if let Some(r) = b.soundcheck.result(i) {
        // Sized so that the longest result ("NO SIGNAL", "Apply ▲ 38.5 dB") stays in its strip.
        let label = b.soundcheck.badge(r);
        let size = strip_text::fit_size(&label, t.badge_size(), t.inner);
        soundcheck::strip_result(r, label, size - 2.0, neutral)
    } else if let Some(w) = c.warnings.first() {
        let (long, short) = (badge(w), compact_badge(w));
        let (shown, size) = t.badge(&long, &short);
        tooltip(
            container(
                text(shown.to_string())
                    .size(size)
                    .line_height(iced::Pixels(t.badge_size() * strip_text::LINE))
                    .color(neutral.text)
                    .center()
                    .wrapping(text::Wrapping::None),
            )
            .width(Length::Fill)
            .padding(strip_text::PAD)
            .style(move |_| container::Style::default().background(neutral.panel)),
            container(text(&w.message).size(16))
                .padding(8)
                .style(container::rounded_box),
            tooltip::Position::Top,
        )
        .into()
    } else {
        // As tall as a badge: a warning that comes or goes must not move the meters.
        Space::new().height(t.badge_height()).into()
    };
    let r = &c.readings;
    let label_size = t.label_size();
    // Label and value are separate texts with no space between: the software renderer
    // re-hints a blank glyph every time it draws one.
    let readout = |label: &'static str, value: f64, color: iced::Color| -> Element<'a, Message> {
        let label = text(label).size(label_size).color(neutral.dim_text);
        let value = text(strips::db_text(value))
            .size(t.readout)
            .color(color)
            .wrapping(text::Wrapping::None);
        // Padded like the buttons, so a value never runs into the next strip's label.
        if t.inline {
            row![label, Space::new().width(Length::Fill), value]
                .align_y(iced::alignment::Vertical::Bottom)
                .padding([0.0, strip_text::PAD])
                .into()
        } else {
            column![label, row![Space::new().width(Length::Fill), value]]
                .padding([0.0, strip_text::PAD])
                .into()
        }
    };
    column![
        readout("TP", r.max_true_peak_dbtp, neutral.text),
        readout("S", r.short_term_lufs, neutral.dim_text),
        clip,
        advice
    ]
    .spacing(strip_text::FOOTER_SPACING)
    .width(Length::Fill)
    .into()
}

/// The selected channel in full: every warning's message and the soundcheck's advice.
fn detail<'a>(b: &Bridge<'a>, i: usize, c: &'a ChannelSnapshot) -> Element<'a, Message> {
    let neutral = b.scene.neutral;
    let roster = b.scene.roster;
    let edit = row![
        text(format!("Input {}", c.channel))
            .size(18)
            .color(neutral.dim_text),
        text_input(&format!("Input {}", c.channel), roster.name(i))
            .on_input(move |s| Message::Rename(i, s))
            .size(18)
            .padding(4)
            .width(260),
        pick_list(SourcePreset::ALL, Some(roster.preset(i)), move |p| {
            Message::SetPreset(i, p)
        })
        .text_size(18),
        text(roster.params(i).reason)
            .size(16)
            .color(neutral.dim_text),
    ]
    .spacing(10)
    .align_y(iced::alignment::Vertical::Center);
    let mut lines = column![edit].spacing(4);
    if c.warnings.is_empty() {
        lines = lines.push(text("No warnings.").size(18).color(neutral.dim_text));
    }
    for w in &c.warnings {
        lines = lines.push(text(&w.message).size(18).color(neutral.text));
    }
    match b.soundcheck.gains.get(&c.channel) {
        Some(Ok(db)) => {
            lines = lines.push(
                text(format!("Preamp: {db:+.1} dB"))
                    .size(18)
                    .color(neutral.text),
            )
        }
        Some(Err(e)) => {
            lines = lines.push(text(format!("Preamp: {e}")).size(18).color(neutral.text))
        }
        None => {}
    }
    if let Some(r) = b.soundcheck.result(i) {
        lines = lines.push(
            text(format!("Soundcheck: {}", r.message))
                .size(18)
                .color(neutral.text),
        );
    }
    let picked = b.soundcheck.picked.contains(&i);
    let pick = button(
        text(if picked {
            "In the next soundcheck (Space)"
        } else {
            "Add to the next soundcheck (Space)"
        })
        .size(16),
    )
    .on_press(Message::PickForSoundcheck(i))
    .style(button::secondary);
    let on_stage = b.performer_channels.contains(&i);
    let performer = button(
        text(if on_stage {
            "On the performer view"
        } else {
            "Show on the performer view"
        })
        .size(16),
    )
    .on_press(Message::TogglePerformer(i))
    .style(button::secondary);
    container(
        row![
            lines.width(Length::Fill),
            column![pick, performer].spacing(6)
        ]
        .spacing(12)
        .align_y(iced::alignment::Vertical::Center),
    )
    .padding(10)
    .width(Length::Fill)
    .style(move |_| container::Style::default().background(neutral.panel))
    .into()
}
