//! The colours of the GUI. Each means one thing: green in range, amber hot, red clip. Nothing
//! else on screen uses them, so a glance from across the room reads the state.

use iced::Color;

use crate::meter::ChannelReadings;

pub const GREEN: Color = Color::from_rgb(0.16, 0.78, 0.38);
pub const AMBER: Color = Color::from_rgb(0.98, 0.68, 0.10);
pub const RED: Color = Color::from_rgb(0.92, 0.20, 0.18);
/// The neutral tones of one theme: everything on screen that is not a level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neutral {
    pub background: Color,
    pub panel: Color,
    pub scale: Color,
    pub target_zone: Color,
    pub text: Color,
    pub dim_text: Color,
}

impl Neutral {
    /// The scale's lines across the meters: the scale's colour, faint, so the bars and the
    /// zone stay what the eye finds first.
    pub fn grid(&self) -> Color {
        Color {
            a: 0.22,
            ..self.scale
        }
    }
}

/// The default: dark grey, easy on the eyes in a dim control room.
pub const DARK: Neutral = Neutral {
    background: Color::from_rgb(0.07, 0.07, 0.08),
    panel: Color::from_rgb(0.13, 0.13, 0.15),
    scale: Color::from_rgb(0.55, 0.56, 0.60),
    target_zone: Color::from_rgba(0.55, 0.65, 0.95, 0.18),
    text: Color::from_rgb(0.93, 0.93, 0.95),
    dim_text: Color::from_rgb(0.62, 0.63, 0.67),
};

/// For bright rooms and daylight: light panels, dark text; the level colours stay.
pub const LIGHT: Neutral = Neutral {
    background: Color::from_rgb(0.94, 0.94, 0.95),
    panel: Color::from_rgb(0.82, 0.82, 0.85),
    scale: Color::from_rgb(0.30, 0.31, 0.35),
    target_zone: Color::from_rgba(0.20, 0.35, 0.85, 0.20),
    text: Color::from_rgb(0.05, 0.05, 0.07),
    dim_text: Color::from_rgb(0.30, 0.31, 0.35),
};

/// The themes a user can pick; saved by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    #[default]
    Dark,
    Light,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 2] = [ThemeChoice::Dark, ThemeChoice::Light];

    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::Dark => "dark",
            ThemeChoice::Light => "light",
        }
    }

    pub fn from_name(name: &str) -> ThemeChoice {
        if name == "light" {
            ThemeChoice::Light
        } else {
            ThemeChoice::Dark
        }
    }

    pub fn neutral(self) -> Neutral {
        match self {
            ThemeChoice::Dark => DARK,
            ThemeChoice::Light => LIGHT,
        }
    }

    pub fn iced(self) -> iced::Theme {
        match self {
            ThemeChoice::Dark => iced::Theme::Dark,
            ThemeChoice::Light => iced::Theme::Light,
        }
    }
}

impl std::fmt::Display for ThemeChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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
    /// Where a channel stands against its preset's hot level (dBTP).
    /// The rule is the library's, so the remote wall colours a strip the same.
    pub fn of(r: &ChannelReadings, hot_dbtp: f64) -> Zone {
        match crate::advisor::StripZone::of(r, hot_dbtp) {
            crate::advisor::StripZone::Clip => Zone::Clip,
            crate::advisor::StripZone::Hot => Zone::Hot,
            crate::advisor::StripZone::Good => Zone::Good,
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

/// `top` composed over the opaque `under`: what a translucent fill looks like, as one opaque
/// colour the renderer can fill without blending.
pub fn over(top: Color, under: Color) -> Color {
    let mix = |t: f32, u: f32| t * top.a + u * (1.0 - top.a);
    Color::from_rgb(
        mix(top.r, under.r),
        mix(top.g, under.g),
        mix(top.b, under.b),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_over_another_mixes_by_its_alpha() {
        let top = Color::from_rgba(1.0, 0.0, 0.5, 0.25);
        let mixed = over(top, Color::from_rgb(0.0, 1.0, 0.5));
        assert!((mixed.r - 0.25).abs() < 1e-6);
        assert!((mixed.g - 0.75).abs() < 1e-6);
        assert!((mixed.b - 0.5).abs() < 1e-6);
        assert_eq!(mixed.a, 1.0);
        assert_eq!(over(GREEN, RED), GREEN);
    }
}
