//! Progress on stderr for long analyses. Callers enable it only when stderr is a terminal,
//! so logs and pipes never see carriage returns.

use std::path::Path;
use std::time::{Duration, Instant};

/// Short runs finish before this and print nothing.
const QUIET_START: Duration = Duration::from_secs(1);
const INTERVAL: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    name: String,
    total: u64,
    start: Instant,
    last: Option<Instant>,
}

impl Progress {
    pub fn new(enabled: bool, path: &Path, total_frames: u64) -> Self {
        Self {
            enabled,
            name: path.display().to_string(),
            total: total_frames,
            start: Instant::now(),
            last: None,
        }
    }

    pub fn update(&mut self, frames: u64) {
        if !self.enabled || self.total == 0 {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.start) < QUIET_START
            || self.last.is_some_and(|t| now.duration_since(t) < INTERVAL)
        {
            return;
        }
        self.last = Some(now);
        let pct = (frames as f64 / self.total as f64 * 100.0).min(100.0);
        eprint!("\r{}: {pct:5.1} %", self.name);
    }

    /// Clears the progress line if one was drawn.
    pub fn finish(&mut self) {
        if self.last.is_some() {
            eprint!("\r{}\r", " ".repeat(self.name.len() + 10));
        }
    }
}
