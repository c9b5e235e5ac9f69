//! Driving the GUI's `App` in tests: ticking it while its session plays, clicking through
//! iced's simulator.

#![allow(dead_code)] // each test file uses the part it needs

use std::time::Duration;

use gainstage::ui::app::{App, Message};
use iced::Size;

/// Ticks `app` until `done` holds (the session plays in real time).
pub fn tick_until(app: &mut App, done: impl Fn(&App) -> bool) {
    // A guard against a hang, not a speed limit: sessions deliver in tens of ms.
    for _ in 0..3000 {
        let _ = app.update(Message::Tick);
        if done(app) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the session never got there");
}

/// Clicks what `label` names in the main window and hands the app what it asked for.
pub fn click(app: &mut App, label: &str) {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(label).unwrap();
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "clicking {label} did nothing");
    for m in messages {
        let _ = app.update(m);
    }
}

/// iced's simulator on the main window's view at `size` (logical px).
pub fn simulator_at(app: &App, size: Size) -> iced_test::Simulator<'_, Message> {
    iced_test::simulator::Simulator::with_size(
        iced_test::core::Settings::default(),
        size,
        app.view(),
    )
}
