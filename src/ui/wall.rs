//! The wall view: no controls, huge names, meters filling the height; a clipped channel's whole
//! strip turns red until reset, a hot one amber. All strips are one canvas (see `strips`).

use iced::widget::{Space, canvas, column, container, row, text};
use iced::{Element, Length, Size};

use super::layers::{Layers, WALL_ROWS};
use super::scene::Scene;
use super::strip_text::{ellipsize, width};
use super::strips::{SPACING, Strips, Style, column as strip_column, wall_lines};

/// The wall's type (names and numbers) is at most this fraction of its row's height, and no
/// wider than a strip: both scale with the screen, so a 4K wall reads from as far as a 1080p
/// one of the same size.
pub const TYPE_FRACTION: f32 = 0.09;
/// More rows are taken only for type at least this much larger: each row costs bar height.
const ROW_GAIN: f32 = 1.35;
/// A name may shrink to this fraction of the type size to fit its strip; past that it is cut.
const NAME_SHRINK: f32 = 0.85;
/// Space between rows of strips (px).
pub const ROW_GAP: f32 = 12.0;
/// Padding around the wall (px each side).
const PADDING: f32 = 8.0;
/// The number under a strip that sets how wide a strip must be.
const TYPICAL_NUMBER: &str = "-10.5";
/// The share of a strip's width its number may take: the rest keeps neighbours' numbers
/// apart, so "-12.0" beside "-12.0" never reads as one.
const NUMBER_SHARE: f32 = 0.82;

/// How the wall lays out its strips on a canvas area of a given size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub rows: usize,
    /// Strips to a row (the last row may have fewer).
    pub per_row: usize,
    /// Height of each row (px).
    pub row_height: f32,
    /// Width of each strip (px).
    pub strip: f32,
    /// Size of names and numbers (px).
    pub type_size: f32,
}

impl Grid {
    fn new(n: usize, area: Size, rows: usize) -> Grid {
        let per_row = n.max(1).div_ceil(rows);
        let row_height = (area.height - ROW_GAP * (rows - 1) as f32) / rows as f32;
        let strip = strip_column(0, per_row, area.width).1;
        let by_height = TYPE_FRACTION * row_height;
        let by_width = strip * NUMBER_SHARE / width(TYPICAL_NUMBER, 1.0);
        Grid {
            rows,
            per_row,
            row_height,
            strip,
            type_size: by_height.min(by_width),
        }
    }
}

/// The rows (up to [`WALL_ROWS`]) that give the largest type, as large as a row's height and
/// a strip's width allow; a row more only where it makes the type `ROW_GAIN` times larger.
pub fn grid(n: usize, area: Size) -> Grid {
    let mut best = Grid::new(n, area, 1);
    for rows in 2..=WALL_ROWS.min(n.max(1)) {
        let g = Grid::new(n, area, rows);
        if g.type_size >= best.type_size * ROW_GAIN {
            best = g;
        }
    }
    best
}

/// The canvas area of a wall filling a window of `window` logical px.
pub fn area(window: Size) -> Size {
    Size::new(
        (window.width - 2.0 * PADDING).max(1.0),
        (window.height - 2.0 * PADDING).max(1.0),
    )
}

/// A channel's name as the wall shows it: an unnamed channel its number ("Input 12" would not
/// fit at wall size).
fn wall_name(scene: &Scene<'_>, i: usize) -> String {
    let number = (i + 1).to_string();
    match scene.roster.name(i).trim() {
        "" => number,
        name if name == format!("Input {number}") => number,
        name => name.to_string(),
    }
}

/// Names at their size: as large as the type unless the longest line is wider than a strip,
/// then smaller down to `NAME_SHRINK` of it, and each line cut with "…" past that.
pub fn fit_names(names: &[String], g: &Grid) -> (Vec<String>, f32, usize) {
    let room = (g.strip - 4.0).max(1.0);
    let longest = names
        .iter()
        .flat_map(|n| wall_lines(n))
        .map(|l| width(&l, 1.0))
        .fold(0.0, f32::max);
    let size = if longest > 0.0 {
        g.type_size
            .min(room / longest)
            .max(g.type_size * NAME_SHRINK)
    } else {
        g.type_size
    };
    let lines = names.iter().map(|n| wall_lines(n).len()).max().unwrap_or(1);
    let fitted = names
        .iter()
        .map(|n| {
            wall_lines(n)
                .iter()
                .map(|l| ellipsize(l, size, room))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    (fitted, size, lines)
}

/// The size (px) of a running take's line over `n` strips in `window`: the strips' type,
/// between [`TAKE_MIN`] and [`TAKE_MAX`].
pub fn take_size(n: usize, window: Size) -> f32 {
    grid(n, area(window)).type_size.clamp(TAKE_MIN, TAKE_MAX)
}

/// The smallest and largest type of the take's line (px).
const TAKE_MIN: f32 = 24.0;
const TAKE_MAX: f32 = 64.0;

/// The canvas area the strips get: the whole wall, less the line of a running take whose
/// type is `take_size` px.
pub fn strips_area(window: Size, take_size: Option<f32>) -> Size {
    let whole = area(window);
    match take_size {
        None => whole,
        Some(size) => Size::new(
            whole.width,
            (whole.height - take_line_height(size) - ROW_GAP).max(1.0),
        ),
    }
}

fn take_line_height(size: f32) -> f32 {
    (size * 1.3).ceil()
}

/// Draws nothing that can be clicked, so it fits any message type. `window` is the size of
/// the window it fills (logical px: a HiDPI screen's scale factor is already out of it).
pub fn view<'a, M: 'a>(scene: Scene<'a>, layers: &'a Layers, window: Size) -> Element<'a, M> {
    let s = scene.snapshot;
    let n = s.channels.len();
    // A running take says so in a line over the strips, in plain text at their type's size
    // (the zone colours mean levels only); the strips give it the room while it runs.
    let size = s.open_take.as_ref().map(|_| take_size(n, window));
    let take = s.open_take.as_ref().zip(size).map(|(t, size)| {
        container(text(t.label(s.t_s)).size(size).color(scene.neutral.text))
            .align_right(Length::Fill)
            .height(Length::Fixed(take_line_height(size)))
    });
    let g = grid(n, strips_area(window, size));
    let names: Vec<String> = (0..n).map(|i| wall_name(&scene, i)).collect();
    let (names, name_size, name_lines) = fit_names(&names, &g);
    let thresholds = scene.roster.thresholds(n);
    let rows = (0..g.rows).filter_map(|r| {
        let start = r * g.per_row;
        let end = (start + g.per_row).min(n);
        (start < end).then(|| {
            let strips = canvas(Strips {
                scale: None,
                below: None,
                channels: &s.channels[start..end],
                live: scene.live,
                thresholds: thresholds[start..end].to_vec(),
                names: names[start..end].to_vec(),
                selected: None,
                style: Style::Wall {
                    name_size,
                    name_lines,
                    number_size: g.type_size,
                },
                neutral: scene.neutral,
                bars: scene.bars.wall,
                bar_color: None,
                wall: layers.wall.get(start..end).unwrap_or(&[]),
            })
            .height(Length::Fill);
            // A short last row keeps the other rows' strip width.
            let missing = g.per_row - (end - start);
            if missing == 0 {
                Element::from(strips.width(Length::Fill))
            } else {
                row![
                    strips.width(Length::FillPortion((end - start) as u16)),
                    Space::new().width(Length::FillPortion(missing as u16))
                ]
                .spacing(SPACING)
                .height(Length::Fill)
                .into()
            }
        })
    });
    container(column(take.map(Element::from).into_iter().chain(rows)).spacing(ROW_GAP))
        .padding(PADDING)
        .width(Length::Fill)
        .height(Length::Fill)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_take_gets_a_line_at_the_strips_type_and_the_strips_give_up_its_room() {
        let hd = Size::new(1920.0, 1080.0);
        let size = take_size(16, hd);
        assert_eq!(size, grid(16, area(hd)).type_size.clamp(24.0, 64.0));
        assert!(size >= 35.0, "{size}");
        assert_eq!(strips_area(hd, None), area(hd));
        let less = area(hd).height - strips_area(hd, Some(size)).height;
        assert_eq!(less, (size * 1.3).ceil() + ROW_GAP);
        // It scales with the screen, within its bounds.
        let uhd = Size::new(3840.0, 2160.0);
        assert!(take_size(16, uhd) > size);
        assert_eq!(take_size(16, uhd), 64.0);
        assert_eq!(take_size(128, Size::new(800.0, 480.0)), 24.0);
    }

    #[test]
    fn sixteen_channels_on_1080p_take_one_row_with_type_of_35_px() {
        let g = grid(16, area(Size::new(1920.0, 1080.0)));
        assert_eq!((g.rows, g.per_row), (1, 16));
        assert!(g.type_size >= 35.0, "{g:?}");
        assert!(width(TYPICAL_NUMBER, g.type_size) <= g.strip, "{g:?}");
    }

    #[test]
    fn sixty_four_channels_on_4k_go_in_rows_with_type_over_a_45th_of_the_height() {
        let g = grid(64, area(Size::new(3840.0, 2160.0)));
        assert!(g.rows >= 2, "{g:?}");
        assert!(g.per_row * g.rows >= 64);
        assert!(width(TYPICAL_NUMBER, g.type_size) <= g.strip, "{g:?}");
        assert!(g.type_size <= TYPE_FRACTION * g.row_height + 1e-3);
        assert!(g.type_size >= 2160.0 / 45.0, "{g:?}");
    }

    #[test]
    fn the_type_scales_with_the_window() {
        for n in [16, 32, 64] {
            let small = grid(n, Size::new(1920.0, 1080.0));
            let large = grid(n, Size::new(3840.0, 2160.0));
            assert_eq!(small.rows, large.rows, "{n}");
            // Twice the size, twice the type (but for the few fixed pixels between strips).
            let ratio = large.type_size / small.type_size;
            assert!((ratio - 2.0).abs() < 0.1, "{n}: {ratio}");
        }
    }

    #[test]
    fn names_shrink_a_little_then_are_cut_to_their_strip() {
        let g = grid(64, area(Size::new(3840.0, 2160.0)));
        let names = vec!["Kick".to_string(), "Overheadcondenserleft".to_string()];
        let (fitted, size, _) = fit_names(&names, &g);
        assert!(size >= g.type_size * NAME_SHRINK - 1e-3);
        assert_eq!(fitted[0], "Kick");
        assert!(fitted[1].ends_with('…'), "{fitted:?}");
        assert!(width(&fitted[1], size) <= g.strip, "{fitted:?}");
    }
}
