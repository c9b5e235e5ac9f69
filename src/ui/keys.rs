//! The keyboard: which key does what, and the help panel that lists it. One table, so the
//! help can never disagree with the keys.

use iced::keyboard::{Key, key::Named};
use iced::widget::{column, container, row, text};
use iced::{Element, Length};

use super::nav::{Panel, View};
use super::palette::Neutral;

/// What a key asks of the main window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    ResetAll,
    /// Start a soundcheck, or cancel the one listening.
    Soundcheck,
    Show(View),
    WallWindow,
    Toggle(Panel),
    /// Select the next (1) or previous (-1) strip.
    Select(isize),
    /// Add the selected channel to the next soundcheck, or take it out.
    PickForSoundcheck,
    /// Show the next (1) or previous (-1) bank of strips.
    Bank(isize),
    Fullscreen,
    /// Close a panel, leave the wall or fullscreen, drop the selection.
    Back,
    /// Start a take, or stop the one running.
    Take,
}

/// The shortcut a key stands for in the main window.
pub fn shortcut(key: Key<&str>) -> Option<Shortcut> {
    Some(match key {
        Key::Character("r" | "R") => Shortcut::ResetAll,
        Key::Character("s" | "S") => Shortcut::Soundcheck,
        Key::Character("1") => Shortcut::Show(View::Bridge),
        Key::Character("2") => Shortcut::Show(View::Wall),
        Key::Character("3") => Shortcut::Show(View::Performer),
        Key::Character("w" | "W") => Shortcut::WallWindow,
        Key::Character("l" | "L") => Shortcut::Toggle(Panel::Log),
        Key::Character("t" | "T") => Shortcut::Take,
        Key::Character("k" | "K") => Shortcut::Toggle(Panel::Takes),
        Key::Character("?") => Shortcut::Toggle(Panel::Help),
        Key::Named(Named::ArrowRight | Named::ArrowDown) => Shortcut::Select(1),
        Key::Named(Named::ArrowLeft | Named::ArrowUp) => Shortcut::Select(-1),
        Key::Named(Named::Space) => Shortcut::PickForSoundcheck,
        Key::Named(Named::PageDown) | Key::Character("]") => Shortcut::Bank(1),
        Key::Named(Named::PageUp) | Key::Character("[") => Shortcut::Bank(-1),
        Key::Named(Named::F11) => Shortcut::Fullscreen,
        Key::Named(Named::Escape) => Shortcut::Back,
        _ => return None,
    })
}

/// Every shortcut, shown with `?`.
pub const SHORTCUTS: [(&str, &str); 15] = [
    ("R", "reset all clips"),
    (
        "S",
        "start (or cancel) a soundcheck of the picked channels, all when none",
    ),
    ("1 / 2 / 3", "bridge / wall / performer view"),
    (
        "W",
        "open the wall in a window of its own, for a second screen",
    ),
    (
        "← →",
        "select the previous / next channel; its details open below",
    ),
    (
        "Space",
        "add the selected channel to the next soundcheck, or take it out",
    ),
    (
        "PgUp PgDn / [ ]",
        "previous / next bank of strips, when the bridge has more channels than fit",
    ),
    ("L", "session log"),
    (
        "T",
        "start a take (named in the takes panel), or stop the one running",
    ),
    (
        "K",
        "takes: the list, newest first; click one for its report",
    ),
    ("F11", "fullscreen; on the wall, back to the bridge"),
    ("Esc", "close a panel, leave the wall or fullscreen"),
    ("?", "this help"),
    ("click", "a channel's clip light resets that channel"),
    (
        "overview",
        "a click on a bank in the row of every channel's state shows it; so does the wheel",
    ),
];

/// The help panel.
pub fn help<'a, M: 'a>(neutral: Neutral) -> Element<'a, M> {
    container(
        column(SHORTCUTS.into_iter().map(|(k, what)| {
            row![
                text(k).size(18).color(neutral.text).width(170),
                text(what).size(18).color(neutral.dim_text),
            ]
            .into()
        }))
        .spacing(4),
    )
    .padding(12)
    .width(Length::Fill)
    .style(move |_| container::Style::default().background(neutral.panel))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_key_has_a_shortcut_and_others_have_none() {
        for k in ["r", "S", "1", "2", "3", "w", "L", "t", "K", "?", "[", "]"] {
            assert!(shortcut(Key::Character(k)).is_some(), "{k}");
        }
        assert_eq!(shortcut(Key::Character("x")), None);
        assert_eq!(
            shortcut(Key::Named(Named::ArrowLeft)),
            Some(Shortcut::Select(-1))
        );
        assert_eq!(
            shortcut(Key::Named(Named::PageDown)),
            Some(Shortcut::Bank(1))
        );
        assert_eq!(
            shortcut(Key::Named(Named::PageUp)),
            Some(Shortcut::Bank(-1))
        );
    }
}
