//! The meter bridge: one strip per channel. Above the meters each strip has its number, name
//! and source preset; the meters (bar, hold, target zone, headroom track, readouts) are one
//! canvas for all strips; below them, the latched clip light and the advisor's badge.

use iced::widget::{
    Space, button, canvas, column, container, pick_list, row, scrollable, text, text_input, tooltip,
};
use iced::{Element, Length};

use super::badge::{badge, compact_badge};
use super::layers::Layers;
use super::palette;
use super::roster::Roster;
use super::scene::Scene;
use super::soundcheck;
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
        Message::PickForSoundcheck(_) => None,
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
}

/// Up to this many channels share the window's width; more get narrow fixed strips and the
/// bridge scrolls, so names and numbers stay readable.
const FIT_CHANNELS: usize = 32;
/// Width of a strip when the bridge scrolls (px).
const NARROW_STRIP: f32 = 56.0;

pub fn view(b: Bridge<'_>) -> Element<'_, Message> {
    let s = b.scene.snapshot;
    let n = s.channels.len();
    let neutral = b.scene.neutral;
    let fits = n <= FIT_CHANNELS;
    let (width, font) = if fits {
        (Length::Fill, if n <= 16 { 15.0 } else { 12.0 })
    } else {
        (Length::Fixed(NARROW_STRIP), 11.0)
    };
    let compact = font < 15.0;
    let headers = row(s
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| header(&b, i, c, width, font)))
    .spacing(strips::SPACING);
    let meters = canvas(Strips {
        scale: Some(&b.layers.bridge_scale),
        below: Some(&b.layers.bridge_tracks),
        channels: &s.channels,
        live: b.scene.live,
        thresholds: b.scene.roster.thresholds(n),
        names: Vec::new(),
        selected: b.selected,
        style: Style::Bridge { labels: !compact },
        neutral,
        bars: b.scene.bars.bridge,
        bar_color: None,
    })
    .width(if fits {
        Length::Fill
    } else {
        Length::Fixed(n as f32 * (NARROW_STRIP + strips::SPACING) - strips::SPACING)
    })
    .height(Length::Fill);
    let meters: Element<'_, Message> = if compact {
        meters.into()
    } else {
        iced::widget::stack![
            meters,
            super::scale_labels::scale_labels(n, neutral.scale, b.scene.bars.bridge)
        ]
        .width(Length::Fill)
        .height(Length::Fill)
        .into()
    };
    let footers = row(s
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| footer(&b, i, c, width, font)))
    .spacing(strips::SPACING);
    let body = column![headers, meters, footers].spacing(4);
    let body: Element<'_, Message> = if fits {
        body.height(Length::Fill).into()
    } else {
        scrollable(body.height(Length::Fill))
            // The scrollbar gets a row of its own, under the badges rather than over them.
            .direction(scrollable::Direction::Horizontal(
                scrollable::Scrollbar::default().spacing(4),
            ))
            .height(Length::Fill)
            .into()
    };
    match b.selected.and_then(|i| s.channels.get(i).map(|c| (i, c))) {
        Some((i, c)) => column![body, detail(&b, i, c)].spacing(6).into(),
        None => body,
    }
}

/// Number, name and preset: plain text that wraps, so a narrow strip clips nothing. A click
/// selects the channel; its name and preset are edited in the detail panel.
fn header<'a>(
    b: &Bridge<'a>,
    i: usize,
    c: &'a ChannelSnapshot,
    width: Length,
    font: f32,
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
    button(
        column![
            text(number).size(font).color(neutral.dim_text),
            text(name)
                .size(font)
                .color(neutral.text)
                .wrapping(text::Wrapping::WordOrGlyph),
            text(b.scene.roster.preset(i).label())
                .size(font - 2.0)
                .color(neutral.dim_text)
                .wrapping(text::Wrapping::WordOrGlyph),
        ]
        .spacing(1),
    )
    .padding(3)
    .width(width)
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
    width: Length,
    font: f32,
) -> Element<'a, Message> {
    let neutral = b.scene.neutral;
    let overs = c.readings.overs;
    let compact = font < 15.0;
    // One line always: a label that wrapped on the first clip would shrink every meter.
    // A narrow strip shows the count alone; red says what it counts.
    let clip_label = match (overs, compact) {
        (0, false) => "no clip".to_string(),
        (0, true) => "–".to_string(),
        (n, false) => format!("CLIP {n}"),
        (n, true) => n.to_string(),
    };
    let clip = button(
        text(clip_label)
            .size(font)
            .width(Length::Fill)
            .center()
            .wrapping(text::Wrapping::None),
    )
    .padding(if compact { [4, 2] } else { [5, 10] })
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
        soundcheck::strip_result(r, font, neutral)
    } else if let Some(w) = c.warnings.first() {
        tooltip(
            container(
                text(if compact { compact_badge(w) } else { badge(w) })
                    .size(font + 2.0)
                    .color(neutral.text)
                    .center()
                    .wrapping(text::Wrapping::None),
            )
            .width(Length::Fill)
            .padding(3)
            .style(move |_| container::Style::default().background(neutral.panel)),
            container(text(&w.message).size(16))
                .padding(8)
                .style(container::rounded_box),
            tooltip::Position::Top,
        )
        .into()
    } else {
        // As tall as a badge (a line of its type and its padding): a warning that comes or
        // goes must not move the meters.
        Space::new().height((font + 2.0) * 1.3 + 6.0).into()
    };
    let r = &c.readings;
    // Label and value are separate texts with no space between: the software renderer
    // re-hints a blank glyph every time it draws one.
    let readout = |label: &'static str, value: f64, color: iced::Color| {
        row![
            text(label).size(font).color(neutral.dim_text),
            Space::new().width(Length::Fill),
            text(strips::db_text(value)).size(font).color(color),
        ]
    };
    column![
        readout("TP", r.max_true_peak_dbtp, neutral.text),
        readout("S", r.short_term_lufs, neutral.dim_text),
        clip,
        advice
    ]
    .spacing(3)
    .width(width)
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
