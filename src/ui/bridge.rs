//! The meter bridge: one strip per channel with name, bar, readouts, clip light and advice.

use iced::widget::{
    button, canvas, column, container, pick_list, row, scrollable, text, text_input, tooltip,
};
use iced::{Element, Length};

use super::app::{self, App};
use super::badge::{badge, compact_badge};
use super::meter::{HeadroomTrack, MeterBar};
use super::palette;
use crate::advisor::SourcePreset;
use crate::capture::MeterCommand;
use crate::meter::level::finite;
use crate::snapshot::{ChannelSnapshot, Snapshot};

#[derive(Debug, Clone)]
pub enum Message {
    /// A channel (from 0) was renamed.
    Rename(usize, String),
    /// A channel's latched clip light was clicked.
    ResetClip(usize),
    /// A channel (from 0) got another source preset.
    SetPreset(usize, SourcePreset),
}

/// Applies a bridge message; returns what the meter thread must do, if anything.
pub fn update(app: &mut App, message: Message) -> Option<MeterCommand> {
    match message {
        Message::Rename(c, name) => {
            if let Some(n) = app.names.get_mut(c) {
                *n = name;
            }
            None
        }
        Message::ResetClip(c) => Some(MeterCommand::ResetChannel(c)),
        Message::SetPreset(c, preset) => {
            if app.presets.len() <= c {
                app.presets.resize(c + 1, SourcePreset::Generic);
            }
            app.presets[c] = preset;
            Some(MeterCommand::SetPreset(c, preset))
        }
    }
}

/// Up to this many channels share the window's width; more get narrow fixed strips and the
/// bridge scrolls, so names and numbers stay readable.
const FIT_CHANNELS: usize = 32;
/// Width of a strip when the bridge scrolls (px).
const NARROW_STRIP: f32 = 56.0;

pub fn view<'a>(app: &'a App, s: &'a Snapshot) -> Element<'a, app::Message> {
    let n = s.channels.len();
    let (width, font) = if n <= FIT_CHANNELS {
        (Length::Fill, if n <= 16 { 15.0 } else { 12.0 })
    } else {
        (Length::Fixed(NARROW_STRIP), 11.0)
    };
    let strips = row(s
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| strip(app, i, c, width, font)))
    .spacing(4);
    if n <= FIT_CHANNELS {
        return strips.height(Length::Fill).into();
    }
    scrollable(strips)
        .direction(scrollable::Direction::Horizontal(
            scrollable::Scrollbar::default(),
        ))
        .height(Length::Fill)
        .into()
}

fn db_text(db: f64, unit: &str) -> String {
    finite(db).map_or("-".to_string(), |v| format!("{v:.1}{unit}"))
}

fn strip<'a>(
    app: &'a App,
    i: usize,
    c: &'a ChannelSnapshot,
    width: Length,
    font: f32,
) -> Element<'a, app::Message> {
    let params = app.params(i);
    let r = &c.readings;
    let name = text_input(&format!("Input {}", c.channel), app.name(i))
        .on_input(move |s| app::Message::Bridge(Message::Rename(i, s)))
        .size(font)
        .padding(3);
    let preset = pick_list(SourcePreset::ALL, Some(app.preset(i)), move |p| {
        app::Message::Bridge(Message::SetPreset(i, p))
    })
    .text_size(font - 2.0)
    .padding(2)
    .width(Length::Fill);
    let bar = canvas(MeterBar::for_channel(
        &app.scales[i],
        r,
        &params,
        font >= 15.0,
    ))
    .width(Length::Fill)
    .height(Length::Fill);
    let track = canvas(HeadroomTrack {
        history: &c.history,
        hot_db: params.hot_dbtp as f32,
    })
    .width(Length::Fill)
    .height(24);
    let clip_label = match (r.overs, font < 15.0) {
        (0, false) => "no clip".to_string(),
        (0, true) => "–".to_string(),
        (n, _) => format!("CLIP {n}"),
    };
    let clip = button(text(clip_label).size(font).center())
        .width(Length::Fill)
        .on_press(app::Message::Bridge(Message::ResetClip(i)))
        .style(move |theme, status| {
            if r.overs > 0 {
                button::Style {
                    background: Some(palette::RED.into()),
                    text_color: palette::TEXT,
                    ..button::primary(theme, status)
                }
            } else {
                button::secondary(theme, status)
            }
        });
    let advice: Element<'a, app::Message> = match c.warnings.first() {
        Some(w) => tooltip(
            container(
                text(if font < 15.0 {
                    compact_badge(w)
                } else {
                    badge(w)
                })
                .size(font + 2.0)
                .color(palette::TEXT)
                .center()
                .wrapping(text::Wrapping::None),
            )
            .width(Length::Fill)
            .padding(3)
            .style(|_| container::Style::default().background(palette::PANEL)),
            container(text(&w.message).size(16))
                .padding(8)
                .style(container::rounded_box),
            tooltip::Position::Top,
        )
        .into(),
        None => text(" ").size(font + 2.0).into(),
    };
    container(
        column![
            text(format!("{}", c.channel))
                .size(font)
                .color(palette::DIM_TEXT),
            name,
            preset,
            bar,
            track,
            text(format!("TP {}", db_text(r.max_true_peak_dbtp, "")))
                .size(font)
                .color(palette::TEXT),
            text(format!("S {}", db_text(r.short_term_lufs, "")))
                .size(font)
                .color(palette::DIM_TEXT),
            clip,
            advice,
        ]
        .spacing(3),
    )
    .width(width)
    .height(Length::Fill)
    .padding(3)
    .into()
}
