//! Banks: a bridge with more channels than its width can show readably shows them a bank at a
//! time (32, 16 or 8 strips), and an overview row of every channel's state stays above it, so
//! a clip on a channel of another bank is never off screen. A click on the overview, a key or
//! the mouse wheel switches banks.

use std::ops::Range;

use iced::widget::{Space, button, column, container, mouse_area, row, text};
use iced::{Color, Element, Length, mouse};

use super::palette::{self, Neutral, Zone};
use super::roster::Roster;
use crate::snapshot::ChannelSnapshot;

/// A strip narrower than this (px) has no room for a readable number: fewer strips to a bank.
pub const MIN_STRIP: f32 = 52.0;
/// The bank sizes, largest first.
const SIZES: [usize; 3] = [32, 16, 8];

/// Strips shown at once for `n` channels on a bridge `width` px wide: all of them when they
/// are few enough to stay readable, else the largest bank whose strips do.
pub fn bank_size(n: usize, width: f32) -> usize {
    let fits = |k: usize| strip_width(k, width) >= MIN_STRIP;
    if n <= SIZES[0] && fits(n) {
        return n.max(1);
    }
    SIZES
        .into_iter()
        .find(|&k| k < n && fits(k))
        .unwrap_or(SIZES[SIZES.len() - 1])
        .min(n.max(1))
}

/// Width of each of `k` strips sharing `width` px the way the bridge's rows share it.
pub fn strip_width(k: usize, width: f32) -> f32 {
    super::strips::column(0, k, width).1
}

/// How many banks `n` channels make, `size` to a bank.
pub fn count(n: usize, size: usize) -> usize {
    n.div_ceil(size.max(1)).max(1)
}

/// The channels (from 0) of bank `bank`.
pub fn range(bank: usize, size: usize, n: usize) -> Range<usize> {
    let start = (bank * size).min(n);
    start..(start + size).min(n)
}

/// The bank channel `channel` (from 0) is in.
pub fn of(channel: usize, size: usize) -> usize {
    channel / size.max(1)
}

/// A bank's label: "33–64".
pub fn label(bank: usize, size: usize, n: usize) -> String {
    let r = range(bank, size, n);
    format!("{}–{}", r.start + 1, r.end)
}

/// What an overview cell shows of a channel, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// An over since the last reset (latched, as the strip's clip light).
    Clip,
    /// True peak above the preset's hot level.
    Hot,
    /// The advisor has a warning (too low, no signal, rumble …).
    Warning,
    Ok,
}

impl Cell {
    pub fn of(c: &ChannelSnapshot, hot_dbtp: f64) -> Cell {
        match Zone::of(&c.readings, hot_dbtp) {
            Zone::Clip => Cell::Clip,
            Zone::Hot => Cell::Hot,
            Zone::Good if !c.warnings.is_empty() => Cell::Warning,
            Zone::Good => Cell::Ok,
        }
    }

    pub fn color(self) -> Color {
        match self {
            Cell::Clip => palette::RED,
            Cell::Hot => palette::AMBER,
            Cell::Warning => WARNING,
            Cell::Ok => palette::GREEN,
        }
    }
}

/// A warning that is neither hot nor a clip: a colour of its own, none of the level colours.
pub const WARNING: Color = Color::from_rgb(0.45, 0.62, 1.0);

/// Height of the overview's cells (px).
const CELL_HEIGHT: f32 = 14.0;

/// The overview: one group per bank, labelled with its channels, each channel a cell in its
/// state's colour; the bank on show is on a lighter ground. A click on a group shows that
/// bank, the wheel over it the next or previous one.
pub fn overview<'a, M: Clone + 'a>(
    channels: &'a [ChannelSnapshot],
    roster: &Roster,
    shown: usize,
    size: usize,
    neutral: Neutral,
    on_bank: impl Fn(usize) -> M + 'a,
) -> Element<'a, M> {
    let n = channels.len();
    let banks = count(n, size);
    let groups = (0..banks).map(|b| {
        let cells = range(b, size, n).map(|i| {
            let color = Cell::of(&channels[i], roster.params(i).hot_dbtp).color();
            container(Space::new().width(Length::Fill).height(CELL_HEIGHT))
                .id(cell_id(i))
                .width(Length::Fill)
                .style(move |_| container::Style::default().background(color))
                .into()
        });
        let on_show = b == shown;
        // A last bank with fewer channels keeps cells as wide as the others'.
        let missing = size - range(b, size, n).len();
        let mut cells = row(cells).spacing(1);
        if missing > 0 {
            cells = cells.push(Space::new().width(Length::FillPortion(missing as u16 * 10)));
        }
        button(
            column![
                text(label(b, size, n))
                    .size(12)
                    .color(if on_show {
                        neutral.text
                    } else {
                        neutral.dim_text
                    })
                    .wrapping(text::Wrapping::None),
                cells.width(Length::Fill),
            ]
            .spacing(2),
        )
        .padding([3, 4])
        .width(Length::Fill)
        .on_press(on_bank(b))
        .style(move |_, _| button::Style {
            background: Some(
                if on_show {
                    neutral.panel
                } else {
                    neutral.background
                }
                .into(),
            ),
            border: iced::Border {
                color: if on_show { neutral.text } else { neutral.panel },
                width: 1.0,
                radius: 2.0.into(),
            },
            ..button::Style::default()
        })
        .into()
    });
    let next = on_bank((shown + 1).min(banks - 1));
    let previous = on_bank(shown.saturating_sub(1));
    mouse_area(row(groups).spacing(4).width(Length::Fill))
        .on_scroll(move |delta| wheel(delta, previous.clone(), next.clone()))
        .into()
}

/// The wheel moves one bank a notch: down or right the next, up or left the previous.
pub fn wheel<M>(delta: mouse::ScrollDelta, previous: M, next: M) -> M {
    let (x, y) = match delta {
        mouse::ScrollDelta::Lines { x, y } | mouse::ScrollDelta::Pixels { x, y } => (x, y),
    };
    if y < 0.0 || (y == 0.0 && x < 0.0) {
        next
    } else {
        previous
    }
}

/// The widget id of channel `i`'s (from 0) overview cell.
pub fn cell_id(i: usize) -> iced::widget::Id {
    iced::widget::Id::from(format!("overview-{}", i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_channels_share_the_width_many_go_in_banks_of_readable_strips() {
        assert_eq!(bank_size(16, 1904.0), 16);
        assert_eq!(bank_size(32, 1904.0), 32);
        assert_eq!(bank_size(32, 1264.0), 16);
        assert_eq!(bank_size(128, 1904.0), 32);
        assert_eq!(bank_size(128, 1264.0), 16);
        assert_eq!(bank_size(128, 384.0), 8);
        assert_eq!(bank_size(3, 384.0), 3);
        for (n, width) in [(64, 1264.0), (128, 3824.0), (40, 1904.0)] {
            let k = bank_size(n, width);
            assert!(strip_width(k, width) >= MIN_STRIP, "{n} on {width}: {k}");
        }
    }

    #[test]
    fn banks_cover_every_channel_once() {
        let (n, size) = (100, 32);
        assert_eq!(count(n, size), 4);
        let all: Vec<usize> = (0..count(n, size))
            .flat_map(|b| range(b, size, n))
            .collect();
        assert_eq!(all, (0..n).collect::<Vec<_>>());
        assert_eq!(of(96, size), 3);
        assert_eq!(label(3, size, n), "97–100");
    }
}
