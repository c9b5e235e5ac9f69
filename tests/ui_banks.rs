//! Many channels on the GUI: the bridge's banks and overview row (through iced's simulator, on
//! snapshots built from real meter readings), the strips' and the wall's text layout at every
//! channel count and window width, and pinned images of the wall and of a 128-channel bridge.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/snapshots.rs"]
mod snapshots;

use gainstage::meter::{MeterBank, MeterConfig};
use gainstage::snapshot::Snapshot;
use gainstage::ui::app::{App, Message, View};
use gainstage::ui::{banks, bridge, strip_text, strips, wall};
use iced::keyboard::Key;
use iced::keyboard::key::Named;
use iced::{Point, Rectangle, Size, mouse, window};
use iced_test::selector::Candidate;

const RATE: u32 = 48_000;

/// One second of a -12 dBFS 1 kHz sine (input 0) and of a -20 dBFS one with three isolated
/// full-scale samples (input 1), metered.
fn metered() -> MeterBank {
    let n = RATE as usize;
    let sine = |db: f64| -> Vec<f32> {
        let a = 10f64.powf(db / 20.0);
        (0..n)
            .map(|k| {
                (a * (std::f64::consts::TAU * 1000.0 * k as f64 / f64::from(RATE)).sin()) as f32
            })
            .collect()
    };
    let calm = sine(-12.0);
    let mut clipped = sine(-20.0);
    for k in [1000, 17_000, 33_000] {
        clipped[k] = 1.0;
    }
    let mut bank = MeterBank::new(2, RATE, &MeterConfig::default()).unwrap();
    bank.process_planar(&[&calm, &clipped]);
    bank
}

/// `n` channels of the calm input, except those in `clipped` (from 1), which carry the
/// clipped one.
fn session(n: usize, clipped: &[usize]) -> Snapshot {
    let bank = metered();
    let channels = (1..=n)
        .map(|c| snapshots::metered_channel(c, &bank, usize::from(clipped.contains(&c))))
        .collect();
    snapshots::running(1.0, RATE, Vec::new(), channels)
}

const FULL_HD: Size = Size::new(1920.0, 1080.0);

fn app(n: usize, clipped: &[usize], window: Size) -> App {
    let mut app = App::with_snapshot(session(n, clipped));
    app.window_size = window;
    app
}

fn simulator(app: &App, size: Size) -> iced_test::Simulator<'_, Message> {
    iced_test::simulator::Simulator::with_size(
        iced_test::core::Settings::default(),
        size,
        app.view(),
    )
}

fn key(app: &mut App, k: Key) {
    let _ = app.update(Message::Key(window::Id::unique(), k));
}

/// The texts the view shows, with their bounds.
fn texts(ui: &mut iced_test::Simulator<'_, Message>) -> Vec<(String, Rectangle)> {
    let mut found = Vec::new();
    let _ = ui.find(|c: Candidate<'_>| {
        if let Candidate::Text {
            content, bounds, ..
        } = c
        {
            found.push((content.to_string(), bounds));
        }
        None::<()>
    });
    found
}

/// The numbers of the strips the bridge shows: the numbers in the strips' headers, near the
/// top (a narrow strip's clip count, near the bottom, is a number too).
fn strip_numbers(app: &App) -> Vec<usize> {
    let mut ui = simulator(app, FULL_HD);
    let mut numbers: Vec<usize> = texts(&mut ui)
        .into_iter()
        .filter(|(_, bounds)| bounds.y < FULL_HD.height / 4.0)
        .filter_map(|(s, _)| s.trim_end_matches('●').parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The lit clip lights the bridge shows (their counts, in the strips' footers) and where.
fn clip_lights(app: &App) -> Vec<(String, Rectangle)> {
    let mut ui = simulator(app, FULL_HD);
    texts(&mut ui)
        .into_iter()
        .filter(|(s, bounds)| {
            bounds.y > FULL_HD.height * 0.75 && (s.starts_with("CLIP") || s.parse::<u64>().is_ok())
        })
        .collect()
}

/// An RGBA pixel of a snapshot written to `path` (the simulator draws at twice the size).
fn pixel(path: &std::path::Path, at: Point) -> [u8; 4] {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut bytes = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut bytes).unwrap();
    let (x, y) = ((at.x * 2.0) as usize, (at.y * 2.0) as usize);
    let k = (y * info.width as usize + x) * 4;
    [bytes[k], bytes[k + 1], bytes[k + 2], bytes[k + 3]]
}

fn rgba(c: iced::Color) -> [u8; 4] {
    c.into_rgba8()
}

#[test]
fn a_clip_on_another_bank_shows_in_the_overview_and_its_bank_shows_the_latched_strip() {
    let mut app = app(128, &[97], FULL_HD);
    // 32 strips of 1920 px fit; four banks, the first on show.
    assert_eq!(app.bank_size(), 32);
    assert_eq!(strip_numbers(&app), (1..=32).collect::<Vec<_>>());
    // No clip light lit: channel 97's strip is off screen.
    assert_eq!(clip_lights(&app), vec![]);
    let mut ui = simulator(&app, FULL_HD);

    // The overview's cell for channel 97 is drawn red, its neighbour's green.
    let cell = ui.find(banks::cell_id(96)).unwrap().bounds();
    let calm = ui.find(banks::cell_id(95)).unwrap().bounds();
    assert!(cell.width >= 4.0 && cell.height >= 10.0, "{cell:?}");
    let dir = tempfile::tempdir().unwrap();
    let shot = ui.snapshot(&iced::Theme::Dark).unwrap();
    assert!(shot.matches_image(dir.path().join("overview")).unwrap());
    let image = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(
        pixel(&image, cell.center()),
        rgba(gainstage::ui::palette::RED)
    );
    assert_eq!(
        pixel(&image, calm.center()),
        rgba(gainstage::ui::palette::GREEN)
    );

    // A click on that cell shows its bank, where the strip's clip light is latched.
    ui.click(banks::cell_id(96)).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(
        matches!(
            messages[..],
            [Message::Bridge(bridge::Message::ShowBank(3))]
        ),
        "{messages:?}"
    );
    for m in messages {
        let _ = app.update(m);
    }
    assert_eq!(app.shown_bank(), 3);
    assert_eq!(strip_numbers(&app), (97..=128).collect::<Vec<_>>());
    // The latched light (a narrow strip's shows the count alone) under channel 97's strip.
    let lights = clip_lights(&app);
    assert_eq!(lights.len(), 1, "{lights:?}");
    let (count, clip) = &lights[0];
    assert_eq!(count, "3");
    let mut ui = simulator(&app, FULL_HD);
    let number = ui.find("97").unwrap().bounds();
    assert!(
        clip.x <= number.x && number.x < clip.x + clip.width,
        "{clip:?} {number:?}"
    );
    // The overview stays: the cell is still there and still red.
    assert!(ui.find(banks::cell_id(96)).is_ok());
}

#[test]
fn keys_the_wheel_and_the_bank_labels_switch_banks() {
    let mut app = app(128, &[], Size::new(1280.0, 720.0));
    // 1280 px: 16 strips to a bank, eight banks.
    assert_eq!(app.bank_size(), 16);
    key(&mut app, Key::Named(Named::PageDown));
    assert_eq!(app.shown_bank(), 1);
    key(&mut app, Key::Character("]".into()));
    assert_eq!(app.shown_bank(), 2);
    key(&mut app, Key::Character("[".into()));
    key(&mut app, Key::Named(Named::PageUp));
    key(&mut app, Key::Named(Named::PageUp));
    assert_eq!(app.shown_bank(), 0, "stops at the first");
    for _ in 0..10 {
        key(&mut app, Key::Named(Named::PageDown));
    }
    assert_eq!(app.shown_bank(), 7, "stops at the last");

    // Arrow keys past a bank's end take the bank with the selection.
    app.bank = 0;
    app.selected = Some(15);
    key(&mut app, Key::Named(Named::ArrowRight));
    assert_eq!((app.selected, app.shown_bank()), (Some(16), 1));

    // The wheel over the overview: down is the next bank.
    app.selected = None;
    let size = Size::new(1280.0, 720.0);
    let mut ui = simulator(&app, size);
    let over = ui.find(banks::cell_id(0)).unwrap().bounds().center();
    ui.point_at(over);
    let _ = ui.simulate([iced::Event::Mouse(mouse::Event::WheelScrolled {
        delta: mouse::ScrollDelta::Lines { x: 0.0, y: -1.0 },
    })]);
    // A click on a bank's label shows it.
    ui.click("113–128").unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(
        matches!(
            messages[..],
            [
                Message::Bridge(bridge::Message::ShowBank(2)),
                Message::Bridge(bridge::Message::ShowBank(7))
            ]
        ),
        "{messages:?}"
    );
}

#[test]
fn the_help_lists_the_bank_keys_and_says_what_draws() {
    let mut app = app(64, &[], FULL_HD);
    app.renderer = "tiny-skia, software (no GPU adapter)".into();
    key(&mut app, Key::Character("?".into()));
    let mut ui = simulator(&app, FULL_HD);
    assert!(ui.find("PgUp PgDn / [ ]").is_ok());
    assert!(
        ui.find("Drawn with tiny-skia, software (no GPU adapter)")
            .is_ok()
    );
}

/// The widths the layout estimates for texts are never short of what the renderer measures.
#[test]
fn estimated_text_widths_cover_the_measured_ones() {
    let samples = [
        "128●",
        "Overhead left condenser",
        "Acoustic guitar",
        "Electric guitar",
        "-100.0",
        "-10.5",
        "TP",
        "S",
        "CLIP 12345",
        "no clip",
        "NO SIGNAL",
        "▼ 12.5 dB",
        "▲9.5",
        "MW Wim",
        "97–128",
    ];
    for size in [10.0, 13.0, 20.0, 38.0] {
        let view: iced::Element<'_, ()> = iced::widget::column(samples.iter().map(|s| {
            iced::widget::text(*s)
                .size(size)
                .wrapping(iced::widget::text::Wrapping::None)
                .into()
        }))
        .into();
        let mut ui = iced_test::simulator::Simulator::with_size(
            iced_test::core::Settings::default(),
            Size::new(4000.0, 4000.0),
            view,
        );
        for s in samples {
            let measured = ui.find(s).unwrap().bounds().width;
            let estimate = strip_text::width(s, size);
            assert!(
                measured <= estimate,
                "{s:?} at {size} px: measured {measured}, estimated {estimate}"
            );
        }
    }
}

/// Whether two texts are apart: not touching, and on one line at least [`APART`] px apart
/// (closer, "-12.0" and a neighbour's "TP" read as one word).
fn disjoint(a: &Rectangle, b: &Rectangle) -> bool {
    a.x + a.width + APART <= b.x
        || b.x + b.width + APART <= a.x
        || a.y + a.height <= b.y
        || b.y + b.height <= a.y
}

const APART: f32 = 5.0;

fn inside(r: &Rectangle, left: f32, right: f32) -> bool {
    r.x >= left - 0.01 && r.x + r.width <= right + 0.01
}

/// The channel counts and window widths the layout must hold at.
fn cases() -> impl Iterator<Item = (usize, f32)> {
    [16, 32, 64, 128]
        .into_iter()
        .flat_map(|n| (1280..=3840).step_by(32).map(move |w| (n, w as f32)))
}

#[test]
fn no_bridge_text_overlaps_another_at_any_channel_count_and_width() {
    // The longest of everything a strip can say.
    let badges = [
        ("NO SIGNAL", "NO SIG"),
        ("▼ 12.5 dB", "▼12.5"),
        ("HPF", "HPF"),
    ];
    for (n, window) in cases() {
        let width = window - 16.0;
        let k = banks::bank_size(n, width);
        let t = strip_text::StripText::for_width(banks::strip_width(k, width));
        for (badge, compact_badge) in badges {
            let mut boxes = Vec::new();
            for j in 0..k {
                let (x, w) = strips::column(j, k, width);
                let number = format!("{}●", n - k + j + 1);
                let texts = strip_text::StripTexts {
                    number: &number,
                    name: "Overhead left condenser",
                    preset: "Acoustic guitar",
                    true_peak: strip_text::WIDEST_VALUE,
                    short_term: strip_text::WIDEST_VALUE,
                    overs: 12_345,
                    badge,
                    compact_badge,
                };
                for b in t.boxes(x, 700.0, &texts) {
                    assert!(
                        inside(&b, x, x + w),
                        "{n} channels at {window} px: {b:?} leaves its strip {x}..{}",
                        x + w
                    );
                    boxes.push(b);
                }
            }
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    assert!(
                        disjoint(a, b),
                        "{n} channels at {window} px: {a:?} overlaps {b:?}"
                    );
                }
            }
        }
        // The overview's bank labels fit their groups.
        let banks = banks::count(n, k);
        if banks > 1 {
            let group = (width - 4.0 * (banks - 1) as f32) / banks as f32 - 8.0;
            let label = banks::label(banks - 1, k, n);
            assert!(
                strip_text::width(&label, 12.0) <= group,
                "{n} at {window}: {label} in {group} px"
            );
        }
    }
}

#[test]
fn the_bridge_draws_readouts_larger_than_before_on_a_full_hd_bank() {
    // 32 strips on 1080p: the TP and S numbers were 12 px.
    let k = banks::bank_size(32, 1904.0);
    let t = strip_text::StripText::for_width(banks::strip_width(k, 1904.0));
    assert!(t.readout >= 14.0, "{t:?}");
}

#[test]
fn no_wall_text_overlaps_another_at_any_channel_count_and_size() {
    let names: Vec<String> = (1..=128)
        .map(|i| match i % 4 {
            0 => "Overhead left condenser".to_string(),
            1 => "Kick in".to_string(),
            2 => i.to_string(),
            _ => "Bass DI".to_string(),
        })
        .collect();
    for (n, window) in cases() {
        let height = window * 9.0 / 16.0;
        let area = wall::area(Size::new(window, height));
        let g = wall::grid(n, area);
        let (fitted, name_size, lines) = wall::fit_names(&names[..n], &g);
        assert!(lines <= 2);
        assert!(g.rows * g.per_row >= n);
        // Readable from across the room where the screen has room for it (64 channels on
        // 4K: a 60th of the height), never degenerate where it has not.
        let least = if window >= 3840.0 && n <= 64 {
            height / 60.0
        } else {
            5.0
        };
        assert!(g.type_size >= least, "{n} at {window}: {} px", g.type_size);
        for (i, name) in fitted.iter().enumerate() {
            let row = i / g.per_row;
            let (x, w) = strips::column(i % g.per_row, g.per_row, area.width);
            let top = row as f32 * (g.row_height + wall::ROW_GAP);
            for (k, line) in strips::wall_lines(name).iter().enumerate() {
                let lw = strip_text::width(line, name_size);
                let b = Rectangle::new(
                    Point::new(x + (w - lw) / 2.0, top + k as f32 * name_size * 1.2),
                    Size::new(lw, name_size * 1.2),
                );
                assert!(
                    inside(&b, x, x + w),
                    "{n} at {window}: {line:?} {b:?} leaves {x}..{}",
                    x + w
                );
            }
            let number = strip_text::width("-10.5", g.type_size);
            assert!(number <= w, "{n} at {window}: number {number} in {w}");
        }
    }
}

/// The wall on a 1080p and on a 4K screen, and a 128-channel bridge, match the images kept in
/// `tests/snapshots/` (to look at; regenerate by deleting them and running once).
#[test]
fn wall_and_crowded_bridge_match_their_pinned_images() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let named = |mut app: App| {
        for (i, name) in ["Kick in", "Snare top", "Overhead left condenser", "Bass DI"]
            .iter()
            .enumerate()
        {
            let _ = app.update(Message::Bridge(bridge::Message::Rename(
                i,
                (*name).to_string(),
            )));
        }
        app
    };
    let cases = [
        ("wall-64-1080p", View::Wall, 64, Size::new(1920.0, 1080.0)),
        ("wall-64-4k", View::Wall, 64, Size::new(3840.0, 2160.0)),
        ("bridge-128", View::Bridge, 128, Size::new(1920.0, 1080.0)),
    ];
    for (name, view, n, size) in cases {
        let mut app = named(app(n, &[3, 97], size));
        let _ = app.update(Message::ShowView(view));
        let mut ui = simulator(&app, size);
        let shot = ui.snapshot(&iced::Theme::Dark).unwrap();
        let path = dir.join(name);
        assert!(
            shot.matches_image(&path).unwrap(),
            "the {name} view no longer draws as pinned in tests/snapshots"
        );
    }
}
