//! The Windows build of gainstage under Wine, for `tests/windows_wine.rs` (included with
//! `#[path]`).
//!
//! Wine runs in a prefix of the tests' own (`WINEPREFIX` under the build's temporary
//! directory, never the user's `~/.wine`), made once and reused by later runs. Its Windows
//! user is "Zoë Müller", so every profile path (`%APPDATA%`, `%LOCALAPPDATA%`) holds a space
//! and non-ASCII letters. Two things Debian 12's Wine 8.0 lacks are added to the prefix:
//! `ProcessPrng` (a stand-in `bcryptprimitives.dll` built here from `wine/processprng.c` with
//! MinGW: Rust's standard library needs it since 1.78, Wine has it since 8.13) and a font for
//! the GUI's text (DejaVu Sans, as on Linux).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The Windows user the prefix is made for: a space and non-ASCII letters in every path.
pub const USER: &str = "Zoë Müller";
/// The cross target the Windows binary is built for.
pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// `target/`, where cargo put this test (`CARGO_TARGET_TMPDIR` is `target/tmp`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The Windows `gainstage.exe` the tests run: `GAINSTAGE_WINDOWS_EXE`, else the dev build
/// `cargo build --target x86_64-pc-windows-gnu` leaves (scripts/test builds it first).
pub fn exe() -> PathBuf {
    let exe = std::env::var_os("GAINSTAGE_WINDOWS_EXE").map_or_else(
        || target_dir().join(TARGET).join("debug/gainstage.exe"),
        PathBuf::from,
    );
    assert!(
        exe.is_file(),
        "{} is missing: build it with `cargo build --target {TARGET}` (scripts/test does)",
        exe.display()
    );
    exe
}

/// A prefix ready to run gainstage.exe.
#[derive(Debug)]
pub struct Prefix {
    pub dir: PathBuf,
}

static PREFIX: OnceLock<Prefix> = OnceLock::new();

/// The tests' prefix, made (or brought up to date) on first use.
pub fn prefix() -> &'static Prefix {
    PREFIX.get_or_init(Prefix::make)
}

impl Prefix {
    fn make() -> Prefix {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gainstage-wine");
        std::fs::create_dir_all(&dir).unwrap();
        let prefix = Prefix { dir };
        if !prefix.system32().join("kernel32.dll").exists() {
            let out = prefix
                .bare("wineboot")
                .arg("--init")
                .stdin(Stdio::null())
                .output()
                .expect("wine must be installed: scripts/install-deps --tests");
            assert!(
                out.status.success(),
                "wineboot: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            prefix.wait_idle();
        }
        prefix.install_processprng();
        prefix.install_font();
        prefix
    }

    /// `C:\windows\system32` (64-bit DLLs) on the Linux side.
    pub fn system32(&self) -> PathBuf {
        self.dir.join("drive_c/windows/system32")
    }

    /// The user's profile folder on the Linux side (`C:\users\Zoë Müller`).
    pub fn profile(&self) -> PathBuf {
        self.dir.join("drive_c/users").join(USER)
    }

    /// Builds the ProcessPrng stand-in from its C source into system32 (every run: the
    /// source may have changed, and it takes a fraction of a second).
    fn install_processprng(&self) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/wine");
        let out = Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-static-libgcc", "-o"])
            .arg(self.system32().join("bcryptprimitives.dll"))
            .arg(src.join("processprng.c"))
            .arg(src.join("processprng.def"))
            .arg("-lbcrypt")
            .output()
            .expect("x86_64-w64-mingw32-gcc must be installed: scripts/install-deps --tests");
        assert!(
            out.status.success(),
            "building the ProcessPrng stand-in: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// DejaVu Sans in `C:\windows\Fonts`: the GUI's text needs a font file there.
    fn install_font(&self) {
        let fonts = self.dir.join("drive_c/windows/Fonts");
        std::fs::create_dir_all(&fonts).unwrap();
        for name in [
            "DejaVuSans.ttf",
            "DejaVuSans-Bold.ttf",
            "DejaVuSansMono.ttf",
        ] {
            let from = Path::new("/usr/share/fonts/truetype/dejavu").join(name);
            std::fs::copy(&from, fonts.join(name)).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (fonts-dejavu-core: scripts/install-deps)",
                    from.display()
                )
            });
        }
    }

    /// `wine PROGRAM` in this prefix, with no X display and no sound server unless the test
    /// names them, and Wine's own chatter off.
    pub fn bare(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new("wine");
        cmd.arg(program)
            .env("WINEPREFIX", &self.dir)
            .env("USER", USER)
            .env("LOGNAME", USER)
            .env("WINEDEBUG", "-all")
            // Our ProcessPrng (native); no Mono or Gecko installers at prefix creation.
            .env("WINEDLLOVERRIDES", "bcryptprimitives=n;mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("PULSE_SERVER")
            .env_remove("GAINSTAGE_CONFIG_DIR")
            .env_remove("GAINSTAGE_DATA_DIR")
            .env_remove("ICED_BACKEND");
        cmd
    }

    /// `gainstage.exe ARGS` under Wine. Settings and takes go where Windows puts them: the
    /// prefix user's `%APPDATA%` and `%LOCALAPPDATA%`.
    pub fn gainstage(&self) -> Command {
        self.bare(exe())
    }

    /// The Windows path of a Linux one (Wine maps `/` to drive `Z:`).
    pub fn windows_path(path: &Path) -> String {
        format!("Z:{}", path.display()).replace('/', "\\")
    }

    /// Waits until this prefix's wineserver has exited (every program in it has ended).
    pub fn wait_idle(&self) {
        let _ = Command::new("wineserver")
            .arg("-w")
            .env("WINEPREFIX", &self.dir)
            .status();
    }
}

/// The DLLs a PE image imports, as `objdump -p` lists them.
pub fn imported_dlls(pe: &Path) -> Vec<String> {
    let out = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(pe)
        .output()
        .expect("x86_64-w64-mingw32-objdump (binutils-mingw-w64-x86-64) must be installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("DLL Name: "))
        .map(str::to_owned)
        .collect()
}
