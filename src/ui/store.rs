//! What the GUI saves and where: the settings file and the session templates in the config
//! directory. Nothing here draws; the shell calls it when something changed.

use std::path::PathBuf;
use std::time::Instant;

use crate::advisor::SessionTemplate;
use crate::advisor::template::list_templates_in;
use crate::settings::{self, Settings};

#[derive(Debug, Default)]
pub struct Store {
    /// The config directory; `None` keeps everything in memory (tests, or after a failed
    /// write, so one broken disk gives one message, not one per change).
    dir: Option<PathBuf>,
    /// When changed settings are due to be written.
    due: settings::Debounce,
    /// Settings files written, for tests to count.
    writes: u64,
}

impl Store {
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            ..Self::default()
        }
    }

    /// Notes that the settings changed at `now`; they are written once no change came for
    /// [`settings::SAVE_DELAY`] (a window drag writes once, not per pixel).
    pub fn changed(&mut self, now: Instant) {
        self.due.changed(now);
    }

    /// Whether a change waits to be written.
    pub fn pending(&self) -> bool {
        self.due.pending()
    }

    /// Writes `settings` if a change is pending and none came for [`settings::SAVE_DELAY`]
    /// before `now`.
    pub fn save_if_due(&mut self, now: Instant, settings: &Settings) -> Result<(), String> {
        if self.due.due(now) {
            self.save(settings)
        } else {
            Ok(())
        }
    }

    /// Writes `settings` now if a change is pending (the window is closing).
    pub fn save_pending(&mut self, settings: &Settings) -> Result<(), String> {
        if self.due.take() {
            self.save(settings)
        } else {
            Ok(())
        }
    }

    /// Settings files written so far.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Writes the settings; on failure, says why and keeps them in memory from then on.
    fn save(&mut self, settings: &Settings) -> Result<(), String> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        self.writes += 1;
        let result = settings::save(dir, settings)
            .map_err(|e| format!("settings could not be saved in {}: {e}", dir.display()));
        if result.is_err() {
            self.dir = None;
        }
        result
    }

    /// The saved templates' names.
    pub fn templates(&self) -> Vec<String> {
        self.dir
            .as_deref()
            .map(list_templates_in)
            .unwrap_or_default()
    }

    /// Saves `template` as `name`; the words for the settings panel's status line.
    pub fn save_template(&self, template: &SessionTemplate, name: &str) -> String {
        let Some(dir) = &self.dir else {
            return "no config directory: templates cannot be saved".into();
        };
        match template.save_in(dir, name) {
            Ok(path) => format!("template saved as {}", path.display()),
            Err(e) => e.to_string(),
        }
    }

    pub fn load_template(&self, name: &str) -> Result<SessionTemplate, String> {
        let Some(dir) = &self.dir else {
            return Err("no config directory: no templates".into());
        };
        SessionTemplate::load_from(dir, name).map_err(|e| e.to_string())
    }
}
