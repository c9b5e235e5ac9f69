//! The scale every meter shares, and the single large meter of the performer view: a dB scale
//! drawn once into a cache (cleared only when its size changes), and the bar, hold marker and
//! target zone drawn fresh every frame.

use iced::widget::canvas::{self, Cache, Frame, Geometry, Text};
use iced::{Point, Rectangle, Renderer, Size, Theme, mouse};

use super::palette::{self, Neutral};
use crate::advisor::PresetParams;
use crate::meter::ChannelReadings;

/// Lowest level the scale shows (dBFS).
pub const FLOOR_DB: f32 = -60.0;
/// Where the scale has a tick and a label.
pub const TICKS_DB: [f32; 10] = [
    0.0, -3.0, -6.0, -12.0, -18.0, -24.0, -30.0, -40.0, -50.0, -60.0,
];

/// One channel's bar as drawn this frame.
#[derive(Debug)]
pub struct MeterBar<'a> {
    /// The static scale layer, owned by the screen so it survives frames.
    pub scale: &'a Cache,
    /// Bar level: true peak with IEC fall-back (dBTP).
    pub level_db: f32,
    /// Peak-hold marker (dBFS).
    pub hold_db: f32,
    /// The preset's target and hot threshold (dBTP).
    pub target_db: f32,
    pub hot_db: f32,
    /// An over since reset: the whole bar turns red.
    pub clipped: bool,
    /// Labels on the scale (off for narrow strips and the wall).
    pub labels: bool,
    pub neutral: Neutral,
}

impl<'a> MeterBar<'a> {
    /// The bar for one channel's readings under its preset.
    pub fn for_channel(
        scale: &'a Cache,
        readings: &ChannelReadings,
        params: &PresetParams,
        labels: bool,
        neutral: Neutral,
    ) -> Self {
        Self {
            scale,
            level_db: readings.falling_true_peak_dbtp as f32,
            hold_db: readings.peak_hold_dbfs as f32,
            target_db: params.target_dbtp as f32,
            hot_db: params.hot_dbtp as f32,
            clipped: readings.overs > 0,
            labels,
            neutral,
        }
    }
}

/// Height fraction from the bottom for a level.
pub fn fraction(db: f32) -> f32 {
    if db.is_nan() {
        return 0.0;
    }
    ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0)
}

impl<Message> canvas::Program<Message> for MeterBar<'_> {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let size = bounds.size();
        let label_w = if self.labels {
            (size.width * 0.4).min(30.0)
        } else {
            0.0
        };
        let bar_x = label_w;
        let bar_w = (size.width - label_w).max(1.0);
        let y_of = |db: f32| size.height * (1.0 - fraction(db));

        let scale = self.scale.draw(renderer, size, |frame: &mut Frame| {
            frame.fill_rectangle(
                Point::new(bar_x, 0.0),
                Size::new(bar_w, size.height),
                self.neutral.panel,
            );
            for db in TICKS_DB {
                let y = y_of(db).clamp(0.0, size.height - 1.0);
                frame.fill_rectangle(
                    Point::new(bar_x, y),
                    Size::new(bar_w * 0.25, 1.0),
                    self.neutral.scale,
                );
                if self.labels {
                    frame.fill_text(Text {
                        content: format!("{}", db.abs()),
                        position: Point::new(
                            label_w - 3.0,
                            (y - 6.0).clamp(0.0, size.height - 12.0),
                        ),
                        color: self.neutral.scale,
                        size: 11.0.into(),
                        align_x: iced::widget::text::Alignment::Right,
                        ..Text::default()
                    });
                }
            }
        });

        let mut frame = Frame::new(renderer, size);
        let zone_top = y_of(self.target_db + 3.0);
        let zone_bottom = y_of(self.target_db - 3.0);
        frame.fill_rectangle(
            Point::new(bar_x, zone_top),
            Size::new(bar_w, (zone_bottom - zone_top).max(1.0)),
            self.neutral.target_zone,
        );
        let top = y_of(self.level_db);
        let color = if self.clipped {
            palette::RED
        } else {
            palette::level_color(self.level_db, self.hot_db)
        };
        let inset = (bar_w * 0.3).min(6.0);
        frame.fill_rectangle(
            Point::new(bar_x + inset, top),
            Size::new((bar_w - 2.0 * inset).max(1.0), size.height - top),
            color,
        );
        if self.hold_db > FLOOR_DB {
            let y = y_of(self.hold_db).clamp(0.0, size.height - 3.0);
            frame.fill_rectangle(
                Point::new(bar_x, y),
                Size::new(bar_w, 3.0),
                palette::level_color(self.hold_db, self.hot_db),
            );
        }
        vec![scale, frame.into_geometry()]
    }
}
