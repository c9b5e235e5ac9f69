//! A child process a test started, ended with the test however the test ends.

use std::process::Child;

/// Kills and reaps the child when dropped: a failed assertion leaves no process behind.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
