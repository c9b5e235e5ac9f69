//! The real binary under a real X server: the window comes up on the demo source and draws.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills and reaps the child when the test ends, however it ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Distinct pixel values in a screenshot of the whole display (xwd's raw dump).
fn distinct_pixels(display: &str) -> usize {
    let out = Command::new("xwd")
        .args(["-root", "-silent", "-display", display])
        .output()
        .expect("xwd (x11-apps) must be installed: scripts/install-deps --tests");
    assert!(out.status.success());
    // The image is at the end of the dump: 1920×1080 pixels of 4 bytes.
    let image = &out.stdout[out.stdout.len().saturating_sub(1920 * 1080 * 4)..];
    image
        .chunks_exact(4)
        .map(|p| [p[0], p[1], p[2]])
        .collect::<HashSet<_>>()
        .len()
}

#[test]
fn the_gui_opens_on_the_demo_source_and_draws_meters() {
    if Command::new("Xvfb")
        .arg("-help")
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        panic!("Xvfb must be installed: scripts/install-deps --tests");
    }
    let display = format!(":{}", 200 + std::process::id() % 300);
    let _x = Guard(
        Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1920x1080x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_secs(1));
    let blank = distinct_pixels(&display);
    assert!(
        blank <= 2,
        "a fresh X server should be one colour, saw {blank}"
    );

    let dirs = tempfile::tempdir().unwrap();
    let _app = Guard(
        Command::new(env!("CARGO_BIN_EXE_gainstage"))
            .arg("--demo")
            .env("DISPLAY", &display)
            .env("ICED_BACKEND", "tiny-skia")
            .env("GAINSTAGE_CONFIG_DIR", dirs.path())
            .env("GAINSTAGE_DATA_DIR", dirs.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Meters in three colours, scale labels and text: far more than a blank or frozen window.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = 0;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(1));
        seen = distinct_pixels(&display);
        if seen > 50 {
            break;
        }
    }
    assert!(
        seen > 50,
        "the window did not draw: {seen} distinct colours"
    );
}
