//! Every channel's meter in one canvas: the bridge's and the wall's bars, hold markers, target
//! zones, headroom tracks and readouts.
//!
//! One canvas instead of one per strip because of how the software renderer works: for every
//! damaged rectangle it redraws every geometry touching it and clears a window-sized clip mask
//! per geometry. Many small canvases made many small damage rectangles, each redrawing much
//! of the window: 32 strips took more than a core. Here three layers, each a cache:
//! - the static layer (scale labels), cleared only on resize, preset or theme change; on a
//!   crowded bridge it holds only the shared scale and is bounded to it, so it lies outside
//!   the band. On the wall, each strip's name and number (with its zone's colour) is a cache
//!   of its own in its own column, cleared when that strip's zone or number changes;
//! - the headroom tracks, cleared by the app at 4 Hz;
//! - the band: target zones, scale lines and floor, then bars, hold markers and selection, a
//!   [`LiveCache`] redrawn only when a rectangle moved, and then damaging just the band, once.
//!
//! Everything that changes is a plain rectangle, filled unantialiased and pixel-snapped.
//!
//! The canvas also paces itself: given the meter thread's snapshots, it takes the latest one
//! on every redraw and asks for the next redraw a frame later. The rest of the window is
//! rebuilt (view, layout, every widget) only when the app's slower tick brings new words and
//! numbers; rebuilding it at the frame rate cost a fifth of the GUI thread.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::widget::canvas::{self, Cache, Event, Frame, Geometry, Text};
use iced::widget::text::Alignment;
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, mouse, window};

use super::bars::Bars;
use super::layers::WallStrip;
use super::palette::{self, Neutral, Zone};
use super::scale::{FLOOR_DB, fraction};
use crate::advisor::Thresholds;
use crate::capture::SnapshotReader;
use crate::capture::publish::Board;
use crate::meter::level::finite;
use crate::snapshot::{ChannelSnapshot, Snapshot, StreamState};

/// Time between the meters' frames: 25 per second, the rate broadcast meters on a screen
/// commonly refresh at. Nothing is lost between frames: a bar shows the true peak falling
/// back at the meter's rate, and the hold marker and clip latch hold, so a peak shorter than
/// a frame is still drawn at its height. In software every frame redraws the bars' band:
/// 30 frames cost the 4K wall a third more than 25 (the X server's copy of each frame
/// competes for the same cores).
pub const FRAME: Duration = Duration::from_millis(40);
/// A redraw this close before a frame is due counts as that frame: the event loop may wake a
/// little early.
const FRAME_SLACK: Duration = Duration::from_millis(2);

/// Space between strips (px); the widget rows above and below use the same, so columns line up.
pub const SPACING: f32 = 4.0;
/// Nothing is drawn this close to the canvas's edges (px). The canvas sits at fractional
/// coordinates; a damaged rectangle is cleared only over whole pixels inside it, so an
/// antialiased edge on the border row would stay behind when the view changes.
const EDGE: f32 = 2.0;
/// Height of the 60 s headroom track under each bar (px).
const TRACK_HEIGHT: f32 = 24.0;
/// Values the headroom track holds when full: 60 s at 20 per second.
const TRACK_LEN: usize = 1200;

/// Where strip `i` of `n` sits in a width shared the way an iced row shares it among `Fill`
/// children with [`SPACING`] between them.
pub fn column(i: usize, n: usize, width: f32) -> (f32, f32) {
    let n = n.max(1) as f32;
    let w = ((width - SPACING * (n - 1.0)) / n).max(1.0);
    (i as f32 * (w + SPACING), w)
}

/// How the strips are dressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// Scale labels on every strip (else on the first only) and the headroom track.
    Bridge { labels: bool },
    /// No labels; the channel name on top; the whole strip amber when hot, red once clipped.
    Wall {
        name_size: f32,
        /// Lines the longest name takes (1 or 2).
        name_lines: usize,
        /// The loudest true peak's size under each strip.
        number_size: f32,
    },
}

#[derive(Debug)]
pub struct Strips<'a> {
    /// The static layer above or left of the band, owned by the app so it survives frames:
    /// the shared scale of a crowded bridge or a performer's meter (the wall's names, given
    /// no `wall` caches). Unused where every strip has its own scale (a widget draws those);
    /// `None` draws nothing static, or on the wall the strips' own caches in `wall`.
    pub scale: Option<&'a Cache>,
    /// The layer under the band, cleared by the app when the words and numbers refresh: the
    /// headroom tracks (bridge, performer), the wall's loudest true peaks (given no `wall`
    /// caches). `None` draws the tracks with the bars on every frame.
    pub below: Option<&'a Cache>,
    /// What the words, zones and numbers show; the bars too, until `live` has a snapshot.
    pub channels: &'a [ChannelSnapshot],
    /// Where the bars take the latest readings every frame; `None` draws `channels` only.
    pub live: Option<&'a SnapshotReader>,
    /// Per channel, index 0 = channel 1.
    pub thresholds: Vec<Thresholds>,
    /// Wall names, per channel.
    pub names: Vec<String>,
    /// The strip the arrow keys have selected, outlined.
    pub selected: Option<usize>,
    pub style: Style,
    pub neutral: Neutral,
    /// What the bars show: the true peak, or the meter chosen for this view.
    pub bars: Bars,
    /// One colour for every bar and hold marker instead of the level's: the performer's
    /// word's, so the word and the bar under it never disagree.
    pub bar_color: Option<Color>,
    /// The wall's caches outside the band, one per strip (index 0 = the first of
    /// `channels`), used instead of `scale` and `below`: a strip whose zone or number
    /// changed is redrawn alone. Empty for the other views.
    pub wall: &'a [WallStrip],
}

/// One column's geometry.
pub(super) struct Layout {
    pub(super) x: f32,
    w: f32,
    bar_top: f32,
    bar_bottom: f32,
    /// Width of the scale labels' column, left of the bar; 0 without labels.
    pub(super) label_w: f32,
    /// The scale the bar is drawn on.
    bars: Bars,
}

impl Layout {
    fn y_of(&self, db: f32) -> f32 {
        self.bar_bottom - (self.bar_bottom - self.bar_top) * self.bars.fraction(db)
    }

    fn bar_x(&self) -> f32 {
        self.x + self.label_w
    }

    fn bar_w(&self) -> f32 {
        (self.w - self.label_w).max(1.0)
    }
}

/// Rectangles to fill, gathered first so a frame can be compared with the last.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) rects: Vec<(Color, Point, Size)>,
}

impl Batch {
    fn push(&mut self, color: Color, at: Point, size: Size) {
        if size.width > 0.0 && size.height > 0.0 {
            self.rects.push((color, at, size));
        }
    }

    /// Plain rectangles: the renderer fills them unantialiased, straight into the pixels. (A
    /// path is antialiased by supersampling its whole bounding box, which for bars spanning
    /// the meter's height cost more than everything else on screen together.)
    fn fill(rects: &[(Color, Point, Size)], frame: &mut Frame) {
        for (color, at, size) in rects {
            frame.fill_rectangle(*at, *size, *color);
        }
    }
}

/// Rectangles of one kind, left to right, each joined to the one before it when they line
/// up across no more than the gap between strips.
#[derive(Default)]
struct Runs(Vec<(Color, Point, Size)>);

impl Runs {
    fn push(&mut self, color: Color, at: Point, size: Size) {
        if let Some((c, p, s)) = self.0.last_mut()
            && *c == color
            && p.y == at.y
            && s.height == size.height
            && (0.0..=SPACING + 1.0).contains(&(at.x - (p.x + s.width)))
        {
            s.width = at.x + size.width - p.x;
            return;
        }
        self.0.push((color, at, size));
    }
}

/// The bars' layer, kept in the canvas's state, with the rectangles it was drawn from.
///
/// Being a cache, the renderer sees it as one rectangle of damage (its bounds, the bars'
/// band) when it changes, and as none when it does not: for every damaged rectangle the
/// software renderer redraws everything touching it and clears a window-sized clip mask, so
/// one rectangle a frame is what keeps many strips cheap. A meter that does not move (a
/// silent input, a steady tone) costs no drawing at all.
#[derive(Debug, Default)]
pub struct LiveCache {
    cache: Cache,
    drawn: RefCell<Vec<(Color, Point, Size)>>,
    /// The snapshot taken at the latest frame, shared with the meter thread's board.
    latest: Option<Arc<Snapshot>>,
    /// The board it came from: a switch of input takes the new one's at once.
    board: Option<Arc<Board>>,
    /// When the bars next move. A redraw between frames (the app's tick bringing new words,
    /// a hover) keeps the bars as they were, so the band is not redrawn for it.
    due: Option<Instant>,
}

impl LiveCache {
    fn draw(&self, renderer: &Renderer, area: Rectangle, mut batch: Batch) -> Geometry {
        // A rectangle reaching even a pixel outside the area is drawn through a clip mask,
        // pixel by pixel: several times slower than a plain fill. Rounding can put one there.
        batch.rects.retain_mut(|(_, at, size)| {
            let Some(inside) = Rectangle::new(*at, *size).intersection(&area) else {
                return false;
            };
            (*at, *size) = (inside.position(), inside.size());
            true
        });
        if *self.drawn.borrow() != batch.rects {
            self.cache.clear();
            *self.drawn.borrow_mut() = batch.rects;
        }
        self.cache.draw_with_bounds(renderer, area, |frame| {
            Batch::fill(&self.drawn.borrow(), frame);
        })
    }
}

/// Strip `i` of `n` on a bridge (or a performer's meter) of the given size.
pub(super) fn bridge_layout(i: usize, n: usize, size: Size, labels: bool, bars: Bars) -> Layout {
    let (x, w) = column(i, n, size.width - 2.0 * EDGE);
    Layout {
        bars,
        x: x + EDGE,
        w,
        bar_top: EDGE,
        bar_bottom: (size.height - EDGE - TRACK_HEIGHT - 4.0).max(10.0),
        // Crowded strips share one scale, on the first strip.
        label_w: if labels || i == 0 {
            (w * 0.4).min(30.0)
        } else {
            0.0
        },
    }
}

/// Where a strip's scale labels go: each mark's label and the top of it, leaving out those
/// a short meter has no room for.
pub(super) fn label_spots(l: &Layout) -> Vec<(String, f32)> {
    let mut spots = Vec::new();
    let mut last_y = f32::NEG_INFINITY;
    for (db, label) in l.bars.marks() {
        let y = l.y_of(db);
        if y - last_y < 12.0 {
            continue;
        }
        last_y = y;
        // A meter squeezed shorter than one label (a tall panel above it) gets its top.
        let lowest = (l.bar_bottom - 12.0).max(l.bar_top);
        spots.push((label, (y - 6.0).clamp(l.bar_top, lowest)));
    }
    spots
}

/// Type size of the scale labels (px).
pub(super) const LABEL_SIZE: f32 = 11.0;

impl Strips<'_> {
    fn layout(&self, i: usize, size: Size) -> Layout {
        let n = self.channels.len();
        match self.style {
            Style::Bridge { labels } => bridge_layout(i, n, size, labels, self.bars),
            // Two lines of name above the bar, the loudest true peak under it.
            Style::Wall {
                name_size,
                name_lines,
                number_size,
            } => {
                let (x, w) = column(i, n, size.width - 2.0 * EDGE);
                Layout {
                    bars: self.bars,
                    x: x + EDGE,
                    w,
                    bar_top: name_size * 1.25 * name_lines as f32 + 8.0,
                    bar_bottom: (size.height - EDGE - number_size * 1.3 - 8.0)
                        .max(name_size * 1.25 * name_lines as f32 + 18.0),
                    label_w: 0.0,
                }
            }
        }
    }

    /// Whether every strip has its own scale, drawn by [`super::scale_labels`] over the
    /// canvas rather than by it.
    fn labels_by_widget(&self) -> bool {
        self.style == (Style::Bridge { labels: true })
    }

    /// Each of our channels as the latest snapshot has it, or as given when it has none
    /// (before the first redraw; a snapshot of another input after a switch).
    fn live_channels<'s>(&'s self, latest: Option<&'s Snapshot>) -> Vec<&'s ChannelSnapshot> {
        self.channels
            .iter()
            .map(|c| {
                latest
                    .and_then(|s| s.channels.get(c.channel.wrapping_sub(1)))
                    .filter(|l| l.channel == c.channel)
                    .unwrap_or(c)
            })
            .collect()
    }

    fn zone(&self, i: usize) -> Zone {
        Zone::of(
            &self.channels[i].readings,
            f64::from(self.threshold(i).hot_db),
        )
    }

    /// Channel `i`'s levels; the generic preset's for a channel the caller left out.
    fn threshold(&self, i: usize) -> Thresholds {
        self.thresholds
            .get(i)
            .copied()
            .unwrap_or_else(|| Thresholds::of(&crate::advisor::SourcePreset::Generic.params()))
    }

    /// The canvas's `size`, not the frame's: the frame may be bounded to part of it.
    fn draw_static(&self, frame: &mut Frame, size: Size) {
        let mut texts = Vec::new();
        for i in 0..self.channels.len() {
            let l = self.layout(i, size);
            if let Style::Wall { name_size, .. } = self.style {
                self.wall_name(frame, &mut texts, i, &l, self.band_top(size), name_size);
            }
            if l.label_w > 0.0 && !self.labels_by_widget() {
                for (label, y) in label_spots(&l) {
                    texts.push(Text {
                        content: label,
                        position: Point::new(l.x + l.label_w - 3.0, y),
                        color: self.neutral.scale,
                        size: LABEL_SIZE.into(),
                        align_x: Alignment::Right,
                        ..Text::default()
                    });
                }
            }
        }
        fill_outlined(frame, texts);
    }

    /// What lies under the bars inside their band: target zones, scale lines and the floor.
    /// None of it moves, but the band is redrawn whenever a bar moves, so it belongs to the
    /// band's layer; drawn there, the static layer stays out of the band and is not redrawn
    /// with it. Neighbouring strips' equal rectangles are joined across the gap between them:
    /// one line across 32 strips instead of 32 (the renderer's cost is per rectangle and row).
    fn band_static(&self, size: Size) -> Batch {
        let mut grounds = Batch::default();
        let mut zones = Runs::default();
        let marks = self.bars.marks();
        let mut lines: Vec<Runs> = marks.iter().map(|_| Runs::default()).collect();
        let mut floors = Runs::default();
        let (band_top, band_bottom) = (self.band_top(size), self.band_bottom(size));
        for i in 0..self.channels.len() {
            let l = self.layout(i, size);
            let t = self.threshold(i);
            // Opaque, composed over what lies under it: a translucent fill is blended pixel
            // by pixel on every frame. The wall strip's ground within the band is drawn here,
            // not in the static layer, which would otherwise be redrawn through the clip mask
            // with every frame: its zone's colour, or a panel behind the bar.
            let under = match self.style {
                Style::Bridge { .. } => self.neutral.background,
                // A good strip has no ground of its own: on a 4K wall a panel behind every bar
                // was a third of the pixels filled each frame.
                Style::Wall { .. } => match self.wall_ground(i, &l, band_top, band_bottom) {
                    Some((color, at, extent)) => {
                        grounds.push(color, at, extent);
                        color
                    }
                    None => self.neutral.background,
                },
            };
            let x = l.bar_x().round();
            let w = l.bar_w().round();
            // The target is a true-peak range: on a VU's or PPM's scale it would mislead.
            if self.bars.shows_target() {
                let zone_top = l.y_of(t.target_db + 3.0).round();
                let zone_bottom = l.y_of(t.target_db - 3.0).round();
                zones.push(
                    palette::over(self.neutral.target_zone, under),
                    Point::new(x, zone_top),
                    Size::new(w, (zone_bottom - zone_top).max(1.0)),
                );
            }
            let line = palette::over(self.neutral.grid(), under);
            for (runs, &(db, _)) in lines.iter_mut().zip(&marks) {
                let y = l
                    .y_of(db)
                    .round()
                    .clamp(l.bar_top, (l.bar_bottom - 1.0).max(l.bar_top));
                runs.push(line, Point::new(x, y), Size::new(w, 1.0));
            }
            if let Style::Bridge { .. } = self.style {
                floors.push(
                    self.neutral.panel,
                    Point::new(x, l.bar_bottom.round()),
                    Size::new(w, 1.0),
                );
            }
        }
        let mut batch = grounds;
        for runs in std::iter::once(zones)
            .chain(lines)
            .chain(std::iter::once(floors))
        {
            batch.rects.extend(runs.0);
        }
        batch
    }

    /// The band of this frame: what lies under the bars, then the bars, hold markers and
    /// selection, from `live` (one per channel in `self.channels`).
    pub(super) fn live_batch(&self, size: Size, live: &[&ChannelSnapshot]) -> Batch {
        let mut batch = self.band_static(size);
        for (i, &c) in live.iter().enumerate() {
            let l = self.layout(i, size);
            let t = self.threshold(i);
            let r = &c.readings;
            let level = self.bars.level(r);
            // Snapped to whole pixels: sub-pixel edges would shimmer from frame to frame.
            let top = l.y_of(level).round();
            // A VU's or PPM's height says nothing about the true peak: there the colour is
            // the channel's true-peak state, as everywhere else on screen.
            let by_level = |db: f32| {
                if self.bars.colours_by_level() {
                    palette::level_color(db, t.hot_db)
                } else {
                    Zone::of(r, f64::from(t.hot_db)).color()
                }
            };
            let color = match (self.bar_color, self.style) {
                (Some(c), _) => c,
                // On a red or amber wall strip the bar is a shadow of the same shape, opaque
                // (a translucent fill is blended pixel by pixel every frame).
                (None, Style::Wall { .. }) if self.zone(i) != Zone::Good => {
                    palette::over(Color::from_rgba(0.0, 0.0, 0.0, 0.45), self.zone(i).color())
                }
                _ if r.overs > 0 => palette::RED,
                _ => by_level(level),
            };
            let inset = (l.bar_w() * 0.3).min(6.0).round();
            if level > self.bars.floor() {
                batch.push(
                    color,
                    Point::new((l.bar_x() + inset).round(), top),
                    Size::new(
                        (l.bar_w() - 2.0 * inset).max(1.0).round(),
                        l.bar_bottom - top,
                    ),
                );
            }
            // The held true peak over the true-peak bar (the held sample peak over the
            // digital peak meter's): never below its bar, which falls as it does.
            if let Some(hold) = self.bars.hold(r)
                && hold > self.bars.floor()
            {
                let y = l
                    .y_of(hold)
                    .round()
                    .clamp(l.bar_top, (l.bar_bottom - 3.0).max(l.bar_top));
                batch.push(
                    self.bar_color.unwrap_or_else(|| by_level(hold)),
                    Point::new(l.bar_x().round(), y),
                    Size::new(l.bar_w().round(), 3.0),
                );
            }
            if self.selected == Some(i) {
                // Under the bar only: the scale labels left of it are outside the live band.
                let y = l.bar_bottom + 1.0;
                batch.push(
                    self.neutral.text,
                    Point::new(l.bar_x().round(), y.round()),
                    Size::new(l.bar_w().round(), 2.0),
                );
            }
            if let (Style::Bridge { .. }, None) = (self.style, self.below) {
                self.track_panel(&mut batch, &l);
                self.track(&mut batch, &l, c, t);
            }
        }
        batch
    }

    /// Where the live layer draws: the bars' band, from the first bar's left edge (the scale
    /// labels left of it are static) to the last strip's right edge, down to the headroom
    /// tracks when those have their own cache. Wall names and numbers stay outside it.
    fn live_area(&self, size: Size) -> Rectangle {
        let Some(last) = self.channels.len().checked_sub(1) else {
            return Rectangle::new(Point::ORIGIN, Size::ZERO);
        };
        let first = self.layout(0, size);
        let last = self.layout(last, size);
        let top = self.band_top(size);
        Rectangle::new(
            Point::new(first.bar_x().floor(), top),
            Size::new(
                (last.x + last.w).ceil() - first.bar_x().floor(),
                self.band_bottom(size) - top,
            ),
        )
    }

    /// Top of the bars' band: the bars' top, on a whole pixel.
    fn band_top(&self, size: Size) -> f32 {
        self.layout(0, size).bar_top.floor()
    }

    /// Bottom of the bars' band: under the selection mark, or at the canvas's edge when
    /// the bridge's headroom tracks are drawn with the bars.
    fn band_bottom(&self, size: Size) -> f32 {
        match (self.style, self.below) {
            (Style::Bridge { .. }, None) => size.height - EDGE,
            _ => self.layout(0, size).bar_bottom + 4.0,
        }
    }

    /// Where the static layer draws: the shared scale's labels left of the band, the wall's
    /// names above it. Kept out of the band, it is not redrawn with it (each geometry a
    /// damaged rectangle touches costs the renderer two clears of a window-sized clip mask,
    /// and whatever of it lies partly outside the damage is drawn through that mask).
    fn static_area(&self, size: Size) -> Rectangle {
        match (self.style, self.channels.is_empty()) {
            (Style::Bridge { labels: false }, false) => Rectangle::new(
                Point::ORIGIN,
                Size::new(self.layout(0, size).bar_x().floor(), size.height),
            ),
            (Style::Wall { .. }, false) => {
                Rectangle::new(Point::ORIGIN, Size::new(size.width, self.band_top(size)))
            }
            _ => Rectangle::new(Point::ORIGIN, size),
        }
    }

    /// Where the layer under the band draws: the headroom tracks, the wall's numbers.
    fn below_area(&self, size: Size) -> Rectangle {
        let top = self
            .channels
            .first()
            .map_or(EDGE, |_| self.band_bottom(size));
        match self.style {
            Style::Bridge { .. } => Rectangle::new(
                Point::new(EDGE, top),
                Size::new(size.width - 2.0 * EDGE, TRACK_HEIGHT),
            ),
            Style::Wall { .. } => Rectangle::new(
                Point::new(0.0, top),
                Size::new(size.width, (size.height - top).max(0.0)),
            ),
        }
    }

    /// The headroom tracks alone, for their own cache: they change at 4 Hz, not every frame.
    fn draw_tracks(&self, frame: &mut Frame, size: Size) {
        let mut batch = Batch::default();
        for (i, c) in self.channels.iter().enumerate() {
            let l = self.layout(i, size);
            self.track_panel(&mut batch, &l);
            self.track(&mut batch, &l, c, self.threshold(i));
        }
        Batch::fill(&batch.rects, frame);
    }

    /// Text colour on a strip: black on amber or red, else the theme's.
    fn on_zone(&self, i: usize) -> Color {
        match self.style {
            Style::Wall { .. } if self.zone(i) != Zone::Good => Color::BLACK,
            _ => self.neutral.text,
        }
    }

    /// A hot or clipped wall strip's zone colour between `top` and `bottom`: the whole strip
    /// takes it, above, in and under the band, to be read from across the room. `None` for a
    /// good strip.
    fn wall_ground(
        &self,
        i: usize,
        l: &Layout,
        top: f32,
        bottom: f32,
    ) -> Option<(Color, Point, Size)> {
        let zone = self.zone(i);
        (zone != Zone::Good).then(|| {
            (
                zone.color(),
                Point::new(l.x, top),
                Size::new(l.w, bottom - top),
            )
        })
    }

    /// The wall strip above the band: its zone's colour and its name. Static: the app clears
    /// the wall's cache when a zone changes.
    fn wall_name(
        &self,
        frame: &mut Frame,
        texts: &mut Vec<Text>,
        i: usize,
        l: &Layout,
        band_top: f32,
        name_size: f32,
    ) {
        if let Some((color, at, extent)) = self.wall_ground(i, l, EDGE, band_top) {
            frame.fill_rectangle(at, extent, color);
        }
        let name = self.names.get(i).map_or("", String::as_str);
        for (k, line) in wall_lines(name).iter().enumerate() {
            texts.push(Text {
                content: line.clone(),
                position: Point::new(l.x + l.w / 2.0, 4.0 + k as f32 * name_size * 1.2),
                color: self.on_zone(i),
                size: name_size.into(),
                align_x: Alignment::Center,
                ..Text::default()
            });
        }
    }

    /// The wall strip under the band: its zone's colour and its loudest true peak, cleared
    /// by the app when a zone or a number changes.
    fn draw_wall_numbers(&self, frame: &mut Frame, size: Size, number_size: f32) {
        let mut texts = Vec::new();
        for i in 0..self.channels.len() {
            let l = self.layout(i, size);
            self.wall_number(frame, &mut texts, i, &l, size, number_size);
        }
        fill_outlined(frame, texts);
    }

    /// Strip `i`'s ground under the band and its number's text, for `texts`.
    fn wall_number(
        &self,
        frame: &mut Frame,
        texts: &mut Vec<Text>,
        i: usize,
        l: &Layout,
        size: Size,
        number_size: f32,
    ) {
        let top = self.band_bottom(size);
        if let Some((color, at, extent)) = self.wall_ground(i, l, top, size.height - EDGE) {
            frame.fill_rectangle(at, extent, color);
        }
        let content = db_text(self.channels[i].readings.max_true_peak_dbtp);
        // A rare long number ("-100.0") shrinks rather than run into its neighbour.
        let size = number_size.min((l.w - 4.0) / super::strip_text::width(&content, 1.0));
        texts.push(Text {
            content,
            position: Point::new(l.x + l.w / 2.0, l.bar_bottom + 6.0),
            color: self.on_zone(i),
            size: size.into(),
            align_x: Alignment::Center,
            ..Text::default()
        });
    }

    /// The wall's layers outside the band, a cache per strip above it and one under it
    /// (each strip's own columns, so neither touches the band nor a neighbour).
    fn wall_layers(
        &self,
        renderer: &Renderer,
        size: Size,
        name_size: f32,
        number_size: f32,
        layers: &mut Vec<Geometry>,
    ) {
        let band_top = self.band_top(size);
        for i in 0..self.channels.len() {
            let l = self.layout(i, size);
            let (above, below) = self.wall_strip_areas(&l, size);
            let name = |f: &mut Frame| {
                let mut texts = Vec::new();
                self.wall_name(f, &mut texts, i, &l, band_top, name_size);
                fill_outlined(f, texts);
            };
            let number = |f: &mut Frame| {
                let mut texts = Vec::new();
                self.wall_number(f, &mut texts, i, &l, size, number_size);
                fill_outlined(f, texts);
            };
            match self.wall.get(i) {
                Some(caches) => {
                    layers.push(caches.name.draw_with_bounds(renderer, above, name));
                    layers.push(caches.number.draw_with_bounds(renderer, below, number));
                }
                // No caches for this strip (the app refreshes them with each snapshot):
                // drawn for this frame alone.
                None => {
                    let mut f = Frame::with_bounds(renderer, above);
                    name(&mut f);
                    layers.push(f.into_geometry());
                    let mut f = Frame::with_bounds(renderer, below);
                    number(&mut f);
                    layers.push(f.into_geometry());
                }
            }
        }
    }

    /// Where wall strip `l`'s caches draw: its column above the band, and under it.
    fn wall_strip_areas(&self, l: &Layout, size: Size) -> (Rectangle, Rectangle) {
        let (band_top, band_bottom) = (self.band_top(size), self.band_bottom(size));
        let (left, right) = (l.x.floor(), (l.x + l.w).ceil());
        (
            Rectangle::new(Point::new(left, 0.0), Size::new(right - left, band_top)),
            Rectangle::new(
                Point::new(left, band_bottom),
                Size::new(right - left, (size.height - band_bottom).max(0.0)),
            ),
        )
    }

    /// The ground the headroom track is drawn on.
    fn track_panel(&self, batch: &mut Batch, l: &Layout) {
        batch.push(
            self.neutral.panel,
            Point::new(l.x, l.bar_bottom + 4.0),
            Size::new(l.w, TRACK_HEIGHT),
        );
    }

    /// The last 60 s of peaks under the bar, newest at the right.
    fn track(&self, batch: &mut Batch, l: &Layout, c: &ChannelSnapshot, t: Thresholds) {
        let top = l.bar_bottom + 4.0;
        // Two-pixel columns: half the rectangles, no visible loss at this height.
        let columns = ((l.w / 2.0).floor() as usize).max(1);
        let per_column = TRACK_LEN.div_ceil(columns).max(1);
        let history = &c.history;
        let offset = TRACK_LEN.saturating_sub(history.len());
        for col in 0..columns {
            let start = (col * per_column).saturating_sub(offset);
            let end = ((col + 1) * per_column)
                .saturating_sub(offset)
                .min(history.len());
            if start >= end {
                continue;
            }
            let peak = history[start..end]
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
            if peak > FLOOR_DB {
                let h = (TRACK_HEIGHT * fraction(peak)).round().max(1.0);
                batch.push(
                    palette::level_color(peak, t.hot_db),
                    Point::new(l.x + 2.0 * col as f32, top + TRACK_HEIGHT - h),
                    Size::new(2.0, h),
                );
            }
        }
    }
}

/// A wall name on at most two lines: where it has a line break, else split at the space
/// nearest the middle.
pub fn wall_lines(name: &str) -> Vec<String> {
    let name = name.trim();
    if let Some((first, second)) = name.split_once('\n') {
        return vec![first.trim().to_string(), second.trim().to_string()];
    }
    let middle = name.len() / 2;
    let split = name
        .match_indices(' ')
        .map(|(k, _)| k)
        .min_by_key(|k| k.abs_diff(middle));
    match split {
        Some(k) => vec![name[..k].trim().to_string(), name[k..].trim().to_string()],
        None => vec![name.to_string()],
    }
}

/// Draws texts as filled outlines. The software renderer draws canvas text with an unbounded
/// clip, so each text costs a clear of a window-sized mask on every frame it is redrawn; as
/// outlines (which a non-uniform scale one part in ten thousand away from 1 makes it produce)
/// they are plain paths. Only for the static layer: outlining is not free either.
fn fill_outlined(frame: &mut Frame, texts: Vec<Text>) {
    frame.with_save(|f| {
        f.scale_nonuniform(iced::Vector::new(1.0, 1.0001));
        for t in texts {
            f.fill_text(t);
        }
    });
}

pub fn db_text(db: f64) -> String {
    finite(db).map_or("-".to_string(), |v| format!("{v:.1}"))
}

impl<Message> canvas::Program<Message> for Strips<'_> {
    type State = LiveCache;

    fn update(
        &self,
        state: &mut LiveCache,
        event: &Event,
        _bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Option<canvas::Action<Message>> {
        let Event::Window(window::Event::RedrawRequested(now)) = event else {
            return None;
        };
        let reader = self.live?;
        let same_input = state
            .board
            .as_ref()
            .is_some_and(|b| Arc::ptr_eq(b, reader.board()));
        let next = match state.due {
            Some(due) if same_input && *now + FRAME_SLACK < due => due,
            _ => {
                state.latest = reader.latest_shared();
                state.board = Some(Arc::clone(reader.board()));
                *now + FRAME
            }
        };
        state.due = Some(next);
        let running = state
            .latest
            .as_ref()
            .is_some_and(|s| s.state != StreamState::Finished);
        running.then(|| canvas::Action::request_redraw_at(next))
    }

    fn draw(
        &self,
        live: &LiveCache,
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let size = bounds.size();
        let mut layers = Vec::with_capacity(3);
        // With the labels drawn by a widget, a bridge has nothing static left; an empty layer
        // would still cost two mask clears every frame.
        if let Style::Wall {
            name_size,
            number_size,
            ..
        } = self.style
            && self.scale.is_none()
        {
            self.wall_layers(renderer, size, name_size, number_size, &mut layers);
        } else if let Some(cache) = self.scale
            && !self.labels_by_widget()
        {
            layers.push(
                cache.draw_with_bounds(renderer, self.static_area(size), |frame| {
                    self.draw_static(frame, size);
                }),
            );
        }
        let channels = self.live_channels(self.live.and(live.latest.as_deref()));
        let bars = live.draw(
            renderer,
            self.live_area(size),
            self.live_batch(size, &channels),
        );
        if let Some(cache) = self.below {
            layers.push(cache.draw_with_bounds(
                renderer,
                self.below_area(size),
                |f| match self.style {
                    Style::Bridge { .. } => self.draw_tracks(f, size),
                    Style::Wall { number_size, .. } => self.draw_wall_numbers(f, size, number_size),
                },
            ));
        }
        layers.push(bars);
        layers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_tile_the_width_like_a_row_of_fill_children() {
        let (x0, w) = column(0, 4, 412.0);
        assert_eq!((x0, w), (0.0, 100.0));
        let (x3, w3) = column(3, 4, 412.0);
        assert_eq!(x3 + w3, 412.0);
    }

    #[test]
    fn equal_rectangles_join_across_the_gap_between_strips_only() {
        let grey = Color::from_rgb(0.2, 0.2, 0.2);
        let mut runs = Runs::default();
        runs.push(grey, Point::new(10.0, 50.0), Size::new(40.0, 1.0));
        // Across a strip gap: joined.
        runs.push(grey, Point::new(54.0, 50.0), Size::new(40.0, 1.0));
        // Across a scale label's width: a new run.
        runs.push(grey, Point::new(130.0, 50.0), Size::new(40.0, 1.0));
        // Another colour, height or row: new runs.
        runs.push(Color::WHITE, Point::new(174.0, 50.0), Size::new(40.0, 1.0));
        runs.push(Color::WHITE, Point::new(218.0, 50.0), Size::new(40.0, 2.0));
        runs.push(Color::WHITE, Point::new(262.0, 51.0), Size::new(40.0, 2.0));
        let spans: Vec<(f32, f32)> = runs.0.iter().map(|(_, p, s)| (p.x, s.width)).collect();
        assert_eq!(
            spans,
            vec![
                (10.0, 84.0),
                (130.0, 40.0),
                (174.0, 40.0),
                (218.0, 40.0),
                (262.0, 40.0)
            ]
        );
    }

    /// Two channels of a sine at `db` dBFS, as the meter thread would publish them.
    fn snapshot(db: f64, state: StreamState) -> Snapshot {
        use crate::meter::{MeterBank, MeterConfig};
        let a = 10f64.powf(db / 20.0);
        let sine: Vec<f32> = (0..4800)
            .map(|k| (a * (std::f64::consts::TAU * 1000.0 * f64::from(k) / 48_000.0).sin()) as f32)
            .collect();
        let mut bank = MeterBank::new(2, 48_000, &MeterConfig::default()).expect("meter bank");
        bank.process_planar(&[&sine, &sine]);
        Snapshot {
            seq: 1,
            t_s: 0.1,
            state,
            source: crate::snapshot::SourceInfo {
                host: "test".into(),
                device: "test".into(),
                device_id: "test".into(),
                sample_rate: 48_000,
                channels: 2,
                buffer_frames: Some(256),
                sample_format: "f32".into(),
                is_demo: false,
                channel_names: Vec::new(),
                clip_rule: crate::meter::ClipRule::default(),
            },
            dropped_frames: 0,
            xruns: 0,
            channels: (0..2)
                .map(|c| ChannelSnapshot {
                    channel: c + 1,
                    readings: bank.readings(c),
                    warnings: Vec::new(),
                    history: bank.meter(c).peak_history().collect(),
                })
                .collect(),
            log: Default::default(),
            checkpoints: Default::default(),
            events: Arc::from(Vec::new()),
            takes: Arc::from(Vec::new()),
            takes_pending: false,
            open_take: None,
        }
    }

    /// What the canvas asks for after `event`.
    fn update(
        strips: &Strips<'_>,
        state: &mut LiveCache,
        event: &Event,
    ) -> Option<window::RedrawRequest> {
        canvas::Program::<()>::update(
            strips,
            state,
            event,
            Rectangle::new(Point::ORIGIN, Size::new(100.0, 400.0)),
            mouse::Cursor::Unavailable,
        )
        .map(|a| a.into_inner().1)
    }

    fn redraw_at(t: Instant) -> Event {
        Event::Window(window::Event::RedrawRequested(t))
    }

    #[test]
    fn the_bars_take_the_latest_snapshot_each_frame_until_the_stream_ends() {
        let board = Arc::new(Board::new(2));
        let reader = SnapshotReader::new(Arc::clone(&board));
        let scale = Cache::new();
        let shown = snapshot(-40.0, StreamState::Running);
        // The performer view's strip: channel 2 alone.
        let strips = Strips {
            scale: Some(&scale),
            below: None,
            channels: &shown.channels[1..],
            live: Some(&reader),
            thresholds: Vec::new(),
            names: Vec::new(),
            selected: None,
            style: Style::Bridge { labels: true },
            neutral: palette::ThemeChoice::Dark.neutral(),
            bars: Bars::TruePeak,
            bar_color: None,
            wall: &[],
        };
        let bar = |state: &LiveCache| {
            strips.live_channels(state.latest.as_deref())[0]
                .readings
                .falling_true_peak_dbtp
        };
        let mut state = LiveCache::default();
        let now = Instant::now();
        let update = |state: &mut LiveCache, event: &Event| update(&strips, state, event);

        assert_eq!(
            update(&mut state, &redraw_at(now)),
            None,
            "nothing published yet"
        );
        assert!((bar(&state) + 40.0).abs() < 0.5, "{}", bar(&state));

        assert!(board.try_publish(Arc::new(snapshot(-6.0, StreamState::Running))));
        let moved = Event::Mouse(mouse::Event::CursorMoved {
            position: Point::ORIGIN,
        });
        assert_eq!(update(&mut state, &moved), None);
        assert!(
            (bar(&state) + 40.0).abs() < 0.5,
            "only a redraw takes a snapshot"
        );
        assert_eq!(
            update(&mut state, &redraw_at(now + FRAME)),
            Some(window::RedrawRequest::At(now + 2 * FRAME))
        );
        assert!((bar(&state) + 6.0).abs() < 0.5, "{}", bar(&state));

        // A redraw between frames (the app's tick, a hover) leaves the bars, and the next
        // frame where it was.
        assert!(board.try_publish(Arc::new(snapshot(-12.0, StreamState::Running))));
        let between = now + FRAME + FRAME / 2;
        assert_eq!(
            update(&mut state, &redraw_at(between)),
            Some(window::RedrawRequest::At(now + 2 * FRAME))
        );
        assert!((bar(&state) + 6.0).abs() < 0.5, "{}", bar(&state));

        assert!(board.try_publish(Arc::new(snapshot(-20.0, StreamState::Finished))));
        assert_eq!(
            update(&mut state, &redraw_at(now + 2 * FRAME)),
            None,
            "a finished stream stops"
        );
        assert!((bar(&state) + 20.0).abs() < 0.5, "{}", bar(&state));
    }

    #[test]
    fn a_switch_of_input_shows_the_new_bars_at_once() {
        let scale = Cache::new();
        let shown = snapshot(-40.0, StreamState::Running);
        let first = Arc::new(Board::new(2));
        let second = Arc::new(Board::new(2));
        assert!(first.try_publish(Arc::new(snapshot(-6.0, StreamState::Running))));
        assert!(second.try_publish(Arc::new(snapshot(-30.0, StreamState::Running))));
        let readers = [
            SnapshotReader::new(Arc::clone(&first)),
            SnapshotReader::new(Arc::clone(&second)),
        ];
        let strips = |reader| Strips {
            scale: Some(&scale),
            below: None,
            channels: &shown.channels,
            live: Some(reader),
            thresholds: Vec::new(),
            names: Vec::new(),
            selected: None,
            style: Style::Bridge { labels: true },
            neutral: palette::ThemeChoice::Dark.neutral(),
            bars: Bars::TruePeak,
            bar_color: None,
            wall: &[],
        };
        let now = Instant::now();
        let mut state = LiveCache::default();
        for (reader, at, db) in [
            (&readers[0], now, -6.0),
            (&readers[1], now + FRAME / 3, -30.0),
        ] {
            let strips = strips(reader);
            let _ = update(&strips, &mut state, &redraw_at(at));
            let bar = strips.live_channels(state.latest.as_deref())[0]
                .readings
                .falling_true_peak_dbtp;
            assert!((bar - db).abs() < 0.5, "{bar} instead of {db}");
        }
    }

    #[test]
    fn the_layers_that_change_seldom_lie_outside_the_band() {
        // The band is redrawn every frame; a layer it overlapped would be redrawn with it,
        // through the clip mask.
        let shown = snapshot(-12.0, StreamState::Running);
        let (scale, below) = (Cache::new(), Cache::new());
        let size = Size::new(1904.0, 1064.0);
        for style in [
            Style::Bridge { labels: false },
            Style::Wall {
                name_size: 60.0,
                name_lines: 2,
                number_size: 60.0,
            },
        ] {
            let strips = Strips {
                scale: Some(&scale),
                below: Some(&below),
                channels: &shown.channels,
                live: None,
                thresholds: Vec::new(),
                names: vec!["Kick in".into(), "Snare".into()],
                selected: None,
                style,
                neutral: palette::ThemeChoice::Dark.neutral(),
                bars: Bars::TruePeak,
                bar_color: None,
                wall: &[],
            };
            let band = strips.live_area(size);
            assert!(band.height > 800.0, "{style:?}: {band:?}");
            for (what, area) in [
                ("static", strips.static_area(size)),
                ("below", strips.below_area(size)),
            ] {
                assert!(
                    band.intersection(&area).is_none(),
                    "{style:?}: the {what} layer {area:?} overlaps the band {band:?}"
                );
            }
        }
    }

    #[test]
    fn each_wall_strips_layers_lie_outside_the_band_and_apart_from_its_neighbours() {
        // A strip's name or number redrawn alone damages only its own column: touching the
        // band or a neighbour's, it would drag that along through the clip mask.
        let mut shown = snapshot(-12.0, StreamState::Running);
        let mut third = shown.channels[1].clone();
        third.channel = 3;
        shown.channels.push(third);
        let size = Size::new(3824.0, 1066.0);
        let strips = Strips {
            scale: None,
            below: None,
            channels: &shown.channels,
            live: None,
            thresholds: Vec::new(),
            names: vec!["Kick in".into(), "Snare".into(), "Hat".into()],
            selected: None,
            style: Style::Wall {
                name_size: 77.0,
                name_lines: 2,
                number_size: 77.0,
            },
            neutral: palette::ThemeChoice::Dark.neutral(),
            bars: Bars::TruePeak,
            bar_color: None,
            wall: &[],
        };
        let band = strips.live_area(size);
        let areas: Vec<(Rectangle, Rectangle)> = (0..3)
            .map(|i| strips.wall_strip_areas(&strips.layout(i, size), size))
            .collect();
        for (i, (above, below)) in areas.iter().enumerate() {
            let l = strips.layout(i, size);
            // Each covers its strip's whole width, the band's top and bottom edges included.
            assert!(
                above.x <= l.x && above.x + above.width >= l.x + l.w,
                "{above:?}"
            );
            assert_eq!(above.y + above.height, band.y);
            assert_eq!(below.y, band.y + band.height);
            assert_eq!(below.y + below.height, size.height);
            for area in [above, below] {
                assert!(
                    band.intersection(area).is_none(),
                    "{area:?} overlaps {band:?}"
                );
            }
            if let Some((next_above, next_below)) = areas.get(i + 1) {
                assert!(above.intersection(next_above).is_none(), "{above:?}");
                assert!(below.intersection(next_below).is_none(), "{below:?}");
            }
        }
    }

    #[test]
    fn the_hold_marker_on_the_true_peak_bar_is_the_held_true_peak() {
        let mut shown = snapshot(-12.0, StreamState::Running);
        let scale = Cache::new();
        let size = Size::new(200.0, 600.0);
        let marker_top = |shown: &Snapshot| {
            let strips = Strips {
                scale: Some(&scale),
                below: None,
                channels: &shown.channels[..1],
                live: None,
                thresholds: Vec::new(),
                names: Vec::new(),
                selected: None,
                style: Style::Bridge { labels: true },
                neutral: palette::ThemeChoice::Dark.neutral(),
                bars: Bars::TruePeak,
                bar_color: None,
                wall: &[],
            };
            let l = strips.layout(0, size);
            let channels: Vec<&ChannelSnapshot> = shown.channels[..1].iter().collect();
            let markers: Vec<f32> = strips
                .live_batch(size, &channels)
                .rects
                .iter()
                .filter(|(_, _, s)| s.height == 3.0)
                .map(|(_, p, _)| p.y)
                .collect();
            assert_eq!(markers.len(), 1, "{markers:?}");
            (markers[0], l)
        };
        // The true peak held at -6 while the bar fell to -12; the sample peak (held at -9,
        // three dB under its true peak) is not what this bar's marker shows.
        let r = &mut shown.channels[0].readings;
        (
            r.falling_true_peak_dbtp,
            r.true_peak_hold_dbtp,
            r.peak_hold_dbfs,
        ) = (-12.0, -6.0, -9.0);
        let (y, l) = marker_top(&shown);
        assert_eq!(y, l.y_of(-6.0).round());
        // Fresh peak: the marker sits on the bar's top.
        let r = &mut shown.channels[0].readings;
        (r.falling_true_peak_dbtp, r.true_peak_hold_dbtp) = (-6.0, -6.0);
        let (y, l) = marker_top(&shown);
        assert_eq!(y, l.y_of(-6.0).round());
    }

    #[test]
    fn wall_names_split_near_the_middle() {
        assert_eq!(wall_lines("Kick"), vec!["Kick"]);
        assert_eq!(wall_lines("Lead vox"), vec!["Lead", "vox"]);
        assert_eq!(wall_lines("Gtr amp L mic"), vec!["Gtr amp", "L mic"]);
    }
}
