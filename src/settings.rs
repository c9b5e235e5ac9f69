//! GUI settings that persist between runs: TOML in the config directory, written atomically
//! once a burst of changes settles ([`Debounce`]).
//!
//! A settings file that cannot be read is never overwritten: it is renamed aside
//! (`settings.toml.broken-<unix seconds>`) so nothing the user wrote is lost, and the GUI starts
//! with defaults and says so.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::advisor::{Presets, SourcePreset};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The input the GUI opens: host, device, channels, rate, buffer.
    pub source: SavedSource,
    /// Consecutive clipped samples that count as one over (1-20).
    pub over_len: u32,
    /// Float sources count a sample as clipped at or above this level (dBFS, -6 to 0).
    pub clip_level_dbfs: f64,
    /// Peak-hold time before the held peak falls (s).
    pub peak_hold_s: f64,
    /// How long a soundcheck listens (s).
    pub soundcheck_s: f64,
    /// Channel names, index 0 = channel 1; empty means "Input N".
    pub names: Vec<String>,
    /// Source preset per channel, index 0 = channel 1.
    pub presets: Vec<SourcePreset>,
    /// Targets and thresholds the user changed, per preset; the rest are built-in.
    pub preset_table: Presets,
    /// "bridge", "wall" or "performer".
    pub view: String,
    /// Channels (from 1) the performer view shows.
    pub performer_channels: Vec<usize>,
    /// "dark" or "light".
    pub theme: String,
    pub window: WindowGeometry,
    /// The meter each view draws.
    pub meters: ViewMeters,
    /// Automatic takes: off by default.
    pub auto_take: AutoTakeSettings,
    /// Serving this session to browsers on the network (the Remote panel).
    pub remote: RemoteSettings,
    /// Devices whose preamps the soundcheck may set, as `--preamp` takes them
    /// (`x32:HOST[:PORT]` …); the latest `--preamp` given, used when none is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preamps: Vec<String>,
}

/// Where the remote view listens unless told otherwise: every interface, port 8040.
pub const DEFAULT_REMOTE_LISTEN: &str = "0.0.0.0:8040";

/// The GUI's remote view: off until asked for; when on, served again at the next start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoteSettings {
    pub on: bool,
    /// `ADDR:PORT` to listen on. Kept as text so a hand edit that does not parse falls back
    /// to the default instead of making the whole file unreadable.
    pub listen: String,
    /// When not empty, viewing needs `?key=` this too (`serve --view-token`).
    pub view_key: String,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        Self {
            on: false,
            listen: DEFAULT_REMOTE_LISTEN.into(),
            view_key: String::new(),
        }
    }
}

impl RemoteSettings {
    /// The address to listen on: the saved one, or the default when it does not parse.
    pub fn listen_addr(&self) -> std::net::SocketAddr {
        self.listen
            .trim()
            .parse()
            .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 8040)))
    }
}

/// Takes started by the level: on or off, and the level and times (see
/// [`crate::takes::auto`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutoTakeSettings {
    pub on: bool,
    /// Sample peak (dBFS) any input must pass.
    pub level_dbfs: f64,
    /// How long it must hold (s).
    pub rise_s: f64,
    /// Quiet that ends the take (s).
    pub quiet_s: f64,
}

impl Default for AutoTakeSettings {
    fn default() -> Self {
        let d = crate::takes::AutoTakeConfig::default();
        Self {
            on: false,
            level_dbfs: d.level_dbfs,
            rise_s: d.rise_s,
            quiet_s: d.quiet_s,
        }
    }
}

impl AutoTakeSettings {
    /// The levels and times, whether on or not.
    pub fn levels(&self) -> crate::takes::AutoTakeConfig {
        crate::takes::AutoTakeConfig {
            level_dbfs: self.level_dbfs,
            rise_s: self.rise_s,
            quiet_s: self.quiet_s,
        }
    }

    /// What the meter thread is told: the config when on (and sane), else `None`.
    pub fn config(&self) -> Option<crate::takes::AutoTakeConfig> {
        self.on.then(|| self.levels().checked().ok()).flatten()
    }
}

/// The meter each view draws: "true-peak" (the default bar) or a programme meter by its
/// command-line name ("vu", "bbc-ppm", "k20", ...). Names this build does not know read as
/// "true-peak", so a hand edit or a newer file never breaks the GUI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewMeters {
    pub bridge: String,
    pub wall: String,
    pub performer: String,
    /// Where 0 VU, PPM 4, TEST or DIN's 0 dB sits (dBFS); absent: each meter's own (-18,
    /// DIN -9). The K-meters always keep their own.
    pub alignment_dbfs: Option<f64>,
}

/// The true-peak bar's name in [`ViewMeters`].
pub const TRUE_PEAK_METER: &str = "true-peak";

impl Default for ViewMeters {
    fn default() -> Self {
        Self {
            bridge: TRUE_PEAK_METER.into(),
            wall: TRUE_PEAK_METER.into(),
            performer: TRUE_PEAK_METER.into(),
            alignment_dbfs: None,
        }
    }
}

impl ViewMeters {
    /// A view's meter: `None` for the true-peak bar (also for any name not known).
    pub fn kind(name: &str) -> Option<crate::meter::MeterKind> {
        crate::meter::MeterKind::from_slug(name)
    }

    /// Every programme meter some view shows: what the meter thread must run.
    pub fn programme(&self) -> crate::meter::ProgrammeSet {
        crate::meter::ProgrammeSet::of(
            [&self.bridge, &self.wall, &self.performer]
                .into_iter()
                .filter_map(|n| Self::kind(n)),
        )
    }

    fn sanitized(mut self) -> Self {
        for name in [&mut self.bridge, &mut self.wall, &mut self.performer] {
            if Self::kind(name).is_none() {
                *name = TRUE_PEAK_METER.into();
            }
        }
        let range = crate::meter::kind::ALIGNMENT_RANGE_DBFS;
        // NaN too: out of every range.
        self.alignment_dbfs = self.alignment_dbfs.filter(|a| range.contains(a));
        self
    }
}

/// The input to open; absent fields mean the host's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedSource {
    /// A `--host` value: "alsa", "jack", "pipewire", "pulse" (and "coreaudio", "wasapi").
    pub host: Option<String>,
    pub device: Option<String>,
    pub channels: Option<u16>,
    pub rate: Option<u32>,
    pub buffer: Option<u32>,
    /// The demo generator instead of a device.
    pub demo: bool,
}

/// The main window's size and position (logical pixels); no position lets the window manager
/// place it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowGeometry {
    pub width: f32,
    pub height: f32,
    pub x: Option<f32>,
    pub y: Option<f32>,
}

impl Default for WindowGeometry {
    fn default() -> Self {
        Self {
            width: 1600.0,
            height: 900.0,
            x: None,
            y: None,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            source: SavedSource::default(),
            over_len: 1,
            clip_level_dbfs: crate::meter::clip::default_float_clip_level_dbfs(),
            peak_hold_s: 1.0,
            soundcheck_s: crate::advisor::soundcheck::DEFAULT_LISTEN_S,
            names: Vec::new(),
            presets: Vec::new(),
            preset_table: Presets::default(),
            view: "bridge".into(),
            performer_channels: vec![1, 2],
            theme: "dark".into(),
            window: WindowGeometry::default(),
            meters: ViewMeters::default(),
            auto_take: AutoTakeSettings::default(),
            remote: RemoteSettings::default(),
            preamps: Vec::new(),
        }
    }
}

impl Settings {
    /// Clamps values a hand edit may have put out of range.
    pub fn sanitized(mut self) -> Self {
        self.over_len = self.over_len.clamp(1, 20);
        self.clip_level_dbfs = crate::meter::clip::sane_float_level_dbfs(self.clip_level_dbfs);
        if !self.peak_hold_s.is_finite() {
            self.peak_hold_s = 1.0;
        }
        self.peak_hold_s = self.peak_hold_s.clamp(0.0, 10.0);
        if !self.soundcheck_s.is_finite() {
            self.soundcheck_s = crate::advisor::soundcheck::DEFAULT_LISTEN_S;
        }
        self.soundcheck_s = self.soundcheck_s.clamp(2.0, 120.0);
        let w = &mut self.window;
        if !(w.width.is_finite() && w.height.is_finite()) {
            *w = WindowGeometry::default();
        }
        if self.auto_take.levels().checked().is_err() {
            self.auto_take = AutoTakeSettings {
                on: self.auto_take.on,
                ..AutoTakeSettings::default()
            };
        }
        w.width = w.width.clamp(400.0, 16_384.0);
        w.height = w.height.clamp(300.0, 16_384.0);
        self.meters = self.meters.sanitized();
        self.remote.listen = self.remote.listen_addr().to_string();
        self
    }
}

pub const FILE_NAME: &str = "settings.toml";

/// Settings from the text of a settings file, with hand-edited values brought into range.
pub fn parse(text: &str) -> Result<Settings, toml::de::Error> {
    toml::from_str::<Settings>(text).map(Settings::sanitized)
}

pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Loads settings from `dir`. Returns defaults with a message when the file was broken (and has
/// been renamed aside); defaults without a message when there is no file yet.
pub fn load(dir: &Path) -> (Settings, Option<String>) {
    let path = path_in(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Settings::default(), None),
        Err(e) => {
            return (
                Settings::default(),
                Some(format!("settings {}: {e}; using defaults", path.display())),
            );
        }
    };
    match parse(&text) {
        Ok(s) => (s, None),
        Err(e) => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let aside = dir.join(format!("{FILE_NAME}.broken-{stamp}"));
            let kept = match std::fs::rename(&path, &aside) {
                Ok(()) => format!("kept as {}", aside.display()),
                Err(r) => format!("could not be moved aside ({r}), left as it is"),
            };
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            (
                Settings::default(),
                Some(format!(
                    "settings file was broken ({first}); {kept}; using defaults"
                )),
            )
        }
    }
}

/// Writes settings to `dir` atomically ([`crate::atomic_file`]): a crash mid-write leaves the
/// previous settings file or the new one, never half of one.
pub fn save(dir: &Path, settings: &Settings) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = toml::to_string(settings).map_err(std::io::Error::other)?;
    crate::atomic_file::write(&path_in(dir), text.as_bytes())
}

/// How long settings must stay unchanged before they are written: a window drag or a slider
/// changes them many times a second, and one write when it settles is enough.
pub const SAVE_DELAY: Duration = Duration::from_millis(500);

/// When changed settings are due to be written. Driven with explicit instants, so it holds no
/// clock of its own.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Debounce {
    last_change: Option<Instant>,
}

impl Debounce {
    /// Notes a change at `now`; the write waits until none came for [`SAVE_DELAY`].
    pub fn changed(&mut self, now: Instant) {
        self.last_change = Some(now);
    }

    /// Whether a change is waiting to be written.
    pub fn pending(&self) -> bool {
        self.last_change.is_some()
    }

    /// True once per burst of changes: when one is pending and [`SAVE_DELAY`] has passed
    /// since the last, at `now`. The caller writes then.
    pub fn due(&mut self, now: Instant) -> bool {
        match self.last_change {
            Some(t) if now.saturating_duration_since(t) >= SAVE_DELAY => {
                self.last_change = None;
                true
            }
            _ => false,
        }
    }

    /// True when a change is pending, whatever the time (the window is closing); clears it.
    pub fn take(&mut self) -> bool {
        self.last_change.take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_takes_are_off_by_default_and_a_hand_edit_out_of_range_falls_back() {
        let s = parse("").unwrap();
        assert!(!s.auto_take.on);
        assert_eq!(s.auto_take.config(), None);
        let on = parse("[auto_take]\non = true\nlevel_dbfs = -35.0\nquiet_s = 8.0\n").unwrap();
        let c = on.auto_take.config().unwrap();
        assert_eq!((c.level_dbfs, c.rise_s, c.quiet_s), (-35.0, 0.3, 8.0));
        let wild = parse("[auto_take]\non = true\nlevel_dbfs = 12.0\n").unwrap();
        assert_eq!(
            wild.auto_take.levels(),
            crate::takes::AutoTakeConfig::default()
        );
        assert!(wild.auto_take.on);
    }

    #[test]
    fn preamps_are_kept_as_given() {
        assert!(parse("").unwrap().preamps.is_empty());
        let s = parse("preamps = [\"x32:10.0.0.2\", \"motu:828es.local\"]\n").unwrap();
        assert_eq!(s.preamps, ["x32:10.0.0.2", "motu:828es.local"]);
    }

    #[test]
    fn a_burst_of_changes_is_written_once_after_it_settles() {
        let t0 = Instant::now();
        let mut d = Debounce::default();
        let mut writes = 0;
        // A window drag: a move every 8 ms for two seconds, looked at between moves.
        for k in 0..250u32 {
            let t = t0 + Duration::from_millis(8) * k;
            d.changed(t);
            if d.due(t + Duration::from_millis(4)) {
                writes += 1;
            }
        }
        assert_eq!(writes, 0, "nothing written while the drag goes on");
        let last = t0 + Duration::from_millis(8) * 249;
        assert!(!d.due(last + SAVE_DELAY - Duration::from_millis(1)));
        assert!(d.due(last + SAVE_DELAY));
        writes += 1;
        // Nothing more until the next change.
        assert!(!d.due(last + SAVE_DELAY * 10));
        assert!(!d.pending());
        assert_eq!(writes, 1);
        // A later change is written after its own delay; one pending at close is taken.
        d.changed(last + SAVE_DELAY * 20);
        assert!(d.take());
        assert!(!d.take());
        assert!(!d.due(last + SAVE_DELAY * 40));
    }

    #[test]
    fn settings_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings {
            names: vec!["Kick".into(), String::new(), "Vox".into()],
            presets: vec![
                SourcePreset::Kick,
                SourcePreset::Generic,
                SourcePreset::Vocal,
            ],
            view: "wall".into(),
            performer_channels: vec![3],
            source: SavedSource {
                host: Some("jack".into()),
                device: Some("system".into()),
                channels: Some(8),
                rate: Some(48_000),
                buffer: Some(128),
                demo: false,
            },
            over_len: 3,
            clip_level_dbfs: -0.05,
            peak_hold_s: 2.0,
            soundcheck_s: 15.0,
            preset_table: {
                let mut t = Presets::default();
                let mut p = SourcePreset::Vocal.params();
                p.target_dbtp = -14.0;
                t.set(SourcePreset::Vocal, p);
                t
            },
            theme: "light".into(),
            window: WindowGeometry {
                width: 1280.0,
                height: 720.0,
                x: Some(10.0),
                y: Some(20.0),
            },
            meters: ViewMeters {
                bridge: "bbc-ppm".into(),
                wall: TRUE_PEAK_METER.into(),
                performer: "k14".into(),
                alignment_dbfs: Some(-20.0),
            },
            auto_take: AutoTakeSettings {
                on: true,
                level_dbfs: -36.5,
                rise_s: 0.5,
                quiet_s: 8.0,
            },
            remote: RemoteSettings {
                on: true,
                listen: "127.0.0.1:9040".into(),
                view_key: "back-room".into(),
            },
            preamps: vec!["xair:10.0.0.3".into()],
        };
        save(dir.path(), &s).unwrap();
        assert_eq!(load(dir.path()), (s, None));
    }

    #[test]
    fn a_broken_file_is_kept_aside_and_defaults_are_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path_in(dir.path()), "names = [unclosed").unwrap();
        let (s, message) = load(dir.path());
        assert_eq!(s, Settings::default());
        assert!(message.unwrap().contains("broken"));
        assert!(!path_in(dir.path()).exists());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("settings.toml.broken-"))
            .collect();
        assert_eq!(aside.len(), 1);
        let kept = std::fs::read_to_string(dir.path().join(&aside[0])).unwrap();
        assert_eq!(kept, "names = [unclosed");
    }

    #[test]
    fn unknown_meters_and_alignments_out_of_range_read_as_the_defaults() {
        let s = parse(
            "[meters]\nbridge = \"vu\"\nwall = \"spectrum\"\nperformer = \"\"\nalignment_dbfs = -99.0\n",
        )
        .unwrap();
        assert_eq!(s.meters.bridge, "vu");
        assert_eq!(s.meters.wall, TRUE_PEAK_METER);
        assert_eq!(s.meters.performer, TRUE_PEAK_METER);
        assert_eq!(s.meters.alignment_dbfs, None);
        assert_eq!(
            s.meters.programme(),
            crate::meter::ProgrammeSet::of([crate::meter::MeterKind::Vu])
        );
        let s = parse("[meters]\nalignment_dbfs = nan\n").unwrap();
        assert_eq!(s.meters.alignment_dbfs, None);
        let s = parse("[meters]\nalignment_dbfs = -20.0\n").unwrap();
        assert_eq!(s.meters.alignment_dbfs, Some(-20.0));
    }

    #[test]
    fn the_remote_view_is_off_in_older_files_and_a_bad_address_reads_as_the_default() {
        // A file from before the remote view: everything else as written, serving off.
        let old = parse("over_len = 2\ntheme = \"light\"\n").unwrap();
        assert_eq!(old.remote, RemoteSettings::default());
        assert!(!old.remote.on);
        assert_eq!(old.remote.listen, DEFAULT_REMOTE_LISTEN);
        assert_eq!((old.over_len, old.theme.as_str()), (2, "light"));
        let on = parse("[remote]\non = true\nlisten = \"[::1]:9000\"\n").unwrap();
        assert!(on.remote.on);
        assert_eq!(on.remote.listen_addr(), "[::1]:9000".parse().unwrap());
        let wild = parse("[remote]\non = true\nlisten = \"example:99999\"\n").unwrap();
        assert!(wild.remote.on);
        assert_eq!(wild.remote.listen, DEFAULT_REMOTE_LISTEN);
    }

    #[test]
    fn no_file_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), (Settings::default(), None));
    }

    #[test]
    fn a_hand_edited_clip_level_is_clamped_and_an_absent_one_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path_in(dir.path()), "clip_level_dbfs = -60.0\n").unwrap();
        assert_eq!(load(dir.path()).0.clip_level_dbfs, -6.0);
        std::fs::write(path_in(dir.path()), "over_len = 2\n").unwrap();
        assert_eq!(
            load(dir.path()).0.clip_level_dbfs,
            crate::meter::clip::default_float_clip_level_dbfs()
        );
    }
}
