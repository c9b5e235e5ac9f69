//! A private X server for tests that open real windows, and what they look at on it.
//!
//! Xvfb picks a display nobody uses and says which once it listens: a fixed number could be
//! a user's running X server, and the test would draw on it.

#![allow(dead_code)] // each test file uses the part it needs

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The screen's size; screenshots are read as this many 4-byte pixels.
const WIDTH: usize = 1920;
const HEIGHT: usize = 1080;

/// A running Xvfb on a display of its own choosing, killed and reaped when dropped.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Starts Xvfb on a free display and waits until it listens; the screen is still blank
    /// (one colour).
    pub fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0"])
            .arg(format!("{WIDTH}x{HEIGHT}x24"))
            .args(["-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb must be installed: scripts/install-deps --tests");
        let mut number = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut number)
            .unwrap();
        let number = number.trim().to_string();
        // Built before the check: a server that failed is still killed and reaped.
        let x = Xvfb {
            child,
            display: format!(":{number}"),
        };
        assert!(
            !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
            "Xvfb did not report a display: {number:?}"
        );
        let blank = x.distinct_pixels();
        assert!(
            blank <= 2,
            "a fresh X server should be one colour, saw {blank}"
        );
        x
    }

    /// The display's name, for `DISPLAY`: `:N`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Distinct pixel values in a screenshot of the whole display (xwd's raw dump).
    pub fn distinct_pixels(&self) -> usize {
        let out = Command::new("xwd")
            .args(["-root", "-silent", "-display", &self.display])
            .output()
            .expect("xwd (x11-apps) must be installed: scripts/install-deps --tests");
        assert!(out.status.success());
        // The image is at the end of the dump.
        let image = &out.stdout[out.stdout.len().saturating_sub(WIDTH * HEIGHT * 4)..];
        image
            .chunks_exact(4)
            .map(|p| [p[0], p[1], p[2]])
            .collect::<HashSet<_>>()
            .len()
    }

    /// Looks once a second, at most `looks` times, until the screen shows more than
    /// `colours` distinct pixel values; returns the last count. A window that draws meters,
    /// scale labels and text shows far more than a blank or frozen one.
    pub fn wait_for_colours(&self, colours: usize, looks: u32) -> usize {
        let mut seen = 0;
        for _ in 0..looks {
            std::thread::sleep(Duration::from_secs(1));
            seen = self.distinct_pixels();
            if seen > colours {
                break;
            }
        }
        seen
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
