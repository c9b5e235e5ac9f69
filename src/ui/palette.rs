//! The colours of the GUI. Each means one thing: green in range, amber hot, red clip. Nothing
//! else on screen uses them, so a glance from across the room reads the state.

use iced::Color;

use crate::advisor::PresetParams;
use crate::meter::ChannelReadings;

pub const GREEN: Color = Color::from_rgb(0.16, 0.78, 0.38);
pub const AMBER: Color = Color::from_rgb(0.98, 0.68, 0.10);
pub const RED: Color = Color::from_rgb(0.92, 0.20, 0.18);
/// Neutral tones for everything that is not a level.
pub const BACKGROUND: Color = Color::from_rgb(0.07, 0.07, 0.08);
pub const PANEL: Color = Color::from_rgb(0.13, 0.13, 0.15);
pub const SCALE: Color = Color::from_rgb(0.55, 0.56, 0.60);
pub const TARGET_ZONE: Color = Color::from_rgba(0.55, 0.65, 0.95, 0.18);
pub const TEXT: Color = Color::from_rgb(0.93, 0.93, 0.95);
pub const DIM_TEXT: Color = Color::from_rgb(0.62, 0.63, 0.67);

/// Where a channel stands, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// An over since the last reset: latched until the engineer resets it.
    Clip,
    /// True peak above the preset's hot threshold in the latest interval.
    Hot,
    /// Anything else.
    Good,
}

impl Zone {
    pub fn of(r: &ChannelReadings, params: &PresetParams) -> Zone {
        if r.overs > 0 {
            Zone::Clip
        } else if r.falling_true_peak_dbtp > params.hot_dbtp {
            Zone::Hot
        } else {
            Zone::Good
        }
    }

    pub fn color(self) -> Color {
        match self {
            Zone::Clip => RED,
            Zone::Hot => AMBER,
            Zone::Good => GREEN,
        }
    }
}

/// Colour of one level on a bar: the same zones, by level alone.
pub fn level_color(db: f32, hot_dbtp: f32) -> Color {
    if db >= 0.0 {
        RED
    } else if db > hot_dbtp {
        AMBER
    } else {
        GREEN
    }
}
