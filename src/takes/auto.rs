//! Automatic takes: a take starts when any input rises above a level and stays there for a
//! while, and ends after a set time of quiet. Pure: block levels in, decisions out, in frames.
//!
//! The take starts at the first frame of the first loud block, not when the rise is confirmed:
//! the tracker opens a provisional take at once and drops it if the level falls before the
//! rise time, so a confirmed take holds its own first note. It ends exactly `quiet` frames
//! after the last loud block ended (the meter thread meters up to that frame and no further).

/// What starts and ends automatic takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoTakeConfig {
    /// Sample peak (dBFS) any input must pass.
    pub level_dbfs: f64,
    /// How long the level must hold (s) for a take to count.
    pub rise_s: f64,
    /// Quiet (s) after which the take ends.
    pub quiet_s: f64,
}

impl Default for AutoTakeConfig {
    fn default() -> Self {
        Self {
            level_dbfs: -40.0,
            rise_s: 0.3,
            quiet_s: 5.0,
        }
    }
}

impl AutoTakeConfig {
    /// The config, or why not: a level from -120 to 0 dBFS, times of 0 to an hour.
    pub fn checked(self) -> Result<Self, String> {
        if !(self.level_dbfs.is_finite() && (-120.0..=0.0).contains(&self.level_dbfs)) {
            return Err(format!(
                "auto-take level {} dBFS is not between -120 and 0",
                self.level_dbfs
            ));
        }
        for (what, s) in [("rise", self.rise_s), ("quiet", self.quiet_s)] {
            if !(s.is_finite() && (0.0..=3600.0).contains(&s)) {
                return Err(format!(
                    "auto-take {what} time {s} s is not between 0 and 3600"
                ));
            }
        }
        if self.quiet_s <= 0.0 {
            return Err("auto-take quiet time must be more than 0 s".into());
        }
        Ok(self)
    }
}

/// Where the automatic take stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoState {
    /// Below the level.
    Idle,
    /// Loud since `start`, not yet for the rise time: the take is provisional.
    Rising { start: u64 },
    /// A take is running; the latest loud block ended at `loud_end`.
    Running { loud_end: u64 },
}

/// What a block means for the automatic take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoStep {
    Nothing,
    /// Open a provisional take at this frame.
    Begin(u64),
    /// The provisional take held the level for the rise time: it counts.
    Confirm,
    /// The level fell before the rise time: drop the provisional take.
    Drop,
}

/// The automatic take's state machine, in frames.
#[derive(Debug, Clone)]
pub struct AutoTaker {
    level: f64,
    rise: u64,
    quiet: u64,
    state: AutoState,
}

impl AutoTaker {
    pub fn new(config: AutoTakeConfig, rate: u32) -> Self {
        let frames = |s: f64| (s.max(0.0) * f64::from(rate.max(1))).round() as u64;
        Self {
            level: 10f64.powf(config.level_dbfs / 20.0),
            rise: frames(config.rise_s),
            quiet: frames(config.quiet_s).max(1),
            state: AutoState::Idle,
        }
    }

    pub fn state(&self) -> AutoState {
        self.state
    }

    /// The block `start..start + frames` peaked at `loudest` (linear, the loudest input).
    pub fn block(&mut self, start: u64, frames: u64, loudest: f64) -> AutoStep {
        let end = start + frames;
        let loud = loudest >= self.level;
        match self.state {
            AutoState::Idle if loud => {
                self.state = AutoState::Rising { start };
                // A rise time this block already covers confirms in the same step.
                if end - start >= self.rise {
                    self.state = AutoState::Running { loud_end: end };
                }
                AutoStep::Begin(start)
            }
            AutoState::Idle => AutoStep::Nothing,
            AutoState::Rising { start: from } if loud => {
                if end - from >= self.rise {
                    self.state = AutoState::Running { loud_end: end };
                    AutoStep::Confirm
                } else {
                    AutoStep::Nothing
                }
            }
            AutoState::Rising { .. } => {
                self.state = AutoState::Idle;
                AutoStep::Drop
            }
            AutoState::Running { .. } if loud => {
                self.state = AutoState::Running { loud_end: end };
                AutoStep::Nothing
            }
            AutoState::Running { .. } => AutoStep::Nothing,
        }
    }

    /// True when `Begin` confirmed at once (the rise time fit in the first block).
    pub fn running(&self) -> bool {
        matches!(self.state, AutoState::Running { .. })
    }

    /// The frame the running take ends at unless the level comes back first.
    pub fn end(&self) -> Option<u64> {
        match self.state {
            AutoState::Running { loud_end } => Some(loud_end + self.quiet),
            _ => None,
        }
    }

    /// The take ended (by quiet, by hand, or the stream): wait for the next rise.
    pub fn reset(&mut self) {
        self.state = AutoState::Idle;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taker() -> AutoTaker {
        // 1000 "Hz": -20 dBFS, 50 ms to rise, 200 ms of quiet.
        AutoTaker::new(
            AutoTakeConfig {
                level_dbfs: -20.0,
                rise_s: 0.05,
                quiet_s: 0.2,
            },
            1000,
        )
    }

    #[test]
    fn a_short_rise_is_dropped_and_a_held_one_confirms_with_its_first_frame() {
        let mut a = taker();
        assert_eq!(a.block(0, 10, 0.05), AutoStep::Nothing);
        assert_eq!(a.block(10, 10, 0.2), AutoStep::Begin(10));
        assert_eq!(a.block(20, 10, 0.2), AutoStep::Nothing);
        assert_eq!(a.block(30, 10, 0.01), AutoStep::Drop);
        assert_eq!(a.block(40, 10, 0.1), AutoStep::Begin(40));
        for s in [50, 60, 70] {
            assert_eq!(a.block(s, 10, 0.1), AutoStep::Nothing);
        }
        assert_eq!(
            a.block(80, 10, 0.1),
            AutoStep::Confirm,
            "40..90 is 50 frames"
        );
        assert_eq!(a.end(), Some(90 + 200));
        assert_eq!(a.block(90, 10, 0.0), AutoStep::Nothing);
        assert_eq!(a.block(100, 10, 0.5), AutoStep::Nothing);
        assert_eq!(a.end(), Some(110 + 200), "the level came back");
    }

    #[test]
    fn configs_out_of_range_are_refused() {
        let ok = AutoTakeConfig::default();
        assert!(ok.checked().is_ok());
        for bad in [
            AutoTakeConfig {
                level_dbfs: 3.0,
                ..ok
            },
            AutoTakeConfig {
                level_dbfs: f64::NAN,
                ..ok
            },
            AutoTakeConfig { rise_s: -1.0, ..ok },
            AutoTakeConfig { quiet_s: 0.0, ..ok },
        ] {
            assert!(bad.checked().is_err(), "{bad:?}");
        }
    }
}
