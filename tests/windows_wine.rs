//! The Windows build (`cargo build --target x86_64-pc-windows-gnu`) run under Wine, in a
//! prefix of the tests' own whose user is "Zoë Müller" (see `support/wine.rs`): it needs no
//! DLL beside it, measures files as the Linux build does, serves a Linux WebSocket client,
//! captures live audio through WASAPI from a private PipeWire server, draws its GUI on Xvfb,
//! keeps takes in `%LOCALAPPDATA%`, and its installer installs and uninstalls silently.
//!
//! One Wine test at a time: they share the prefix, and the installer test waits for the
//! prefix to go idle (the NSIS uninstaller finishes in a copy of itself that it starts).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/child.rs"]
mod child;
#[path = "support/pipewire.rs"]
mod pw_stack;
#[path = "support/remote.rs"]
mod remote;
#[path = "support/sines.rs"]
mod sines;
#[path = "support/wine.rs"]
mod wine;
#[path = "support/xvfb.rs"]
mod xvfb;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

use child::KillOnDrop;
use serde_json::Value;
use wine::{Prefix, prefix};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A temporary directory whose name holds a space and non-ASCII letters, as a Windows
/// user's folders do.
fn awkward_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("Aufnahmen für Zoë");
    std::fs::create_dir(&inner).unwrap();
    (dir, inner)
}

/// Windows system DLLs: what Windows itself has, so a download needs nothing beside the exe.
/// Wine reimplements each one under this directory (bcryptprimitives only since 8.13; API sets
/// elsewhere).
const WINE_DLLS: &str = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";

#[test]
fn the_exe_imports_only_windows_system_dlls_and_opens_no_console() {
    let exe = wine::exe();
    let dlls = wine::imported_dlls(&exe);
    assert!(
        dlls.iter().any(|d| d.eq_ignore_ascii_case("kernel32.dll")),
        "{dlls:?}"
    );
    for dll in &dlls {
        let lower = dll.to_lowercase();
        assert!(
            !lower.starts_with("lib"),
            "{dll}: a MinGW runtime DLL (link it statically)"
        );
        // API sets (api-ms-win-*) are names Windows itself resolves to its own DLLs.
        assert!(
            lower == "bcryptprimitives.dll"
                || lower.starts_with("api-ms-win-")
                || Path::new(WINE_DLLS).join(&lower).exists(),
            "{dll} is not a Windows system DLL"
        );
    }
    // The GUI subsystem: double-clicking opens the window alone.
    let out = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(&exe)
        .output()
        .unwrap();
    let headers = String::from_utf8_lossy(&out.stdout);
    let subsystem = headers
        .lines()
        .find(|l| l.starts_with("Subsystem"))
        .unwrap();
    assert!(subsystem.contains("(Windows GUI)"), "{subsystem}");
}

/// The images of an ICO file (`ICONDIR`, then one 16-byte entry per image giving its size in
/// bytes and where it starts), read here apart from the script that wrote it.
fn icon_images(ico: &[u8]) -> Vec<(u32, &[u8])> {
    let u16_at = |i: usize| u16::from_le_bytes([ico[i], ico[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(ico[i..i + 4].try_into().unwrap());
    assert_eq!((u16_at(0), u16_at(2)), (0, 1), "not an icon file");
    (0..usize::from(u16_at(4)))
        .map(|k| {
            let entry = 6 + 16 * k;
            let side = match ico[entry] {
                0 => 256,
                w => u32::from(w),
            };
            let (len, at) = (u32_at(entry + 8) as usize, u32_at(entry + 12) as usize);
            (side, &ico[at..at + len])
        })
        .collect()
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Explorer, the taskbar and the Start menu show the exe's own icon, and Properties its
/// version: every image of packaging/windows/gainstage.ico is in the exe's resources byte for
/// byte, and the version resource names this build's version.
#[test]
fn the_exe_carries_gainstages_icon_and_version() {
    let exe = std::fs::read(wine::exe()).unwrap();
    let ico = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/windows/gainstage.ico"),
    )
    .unwrap();
    let images = icon_images(&ico);
    let sides: Vec<u32> = images.iter().map(|(side, _)| *side).collect();
    assert_eq!(sides, [16, 20, 24, 32, 40, 48, 64, 256]);
    for (side, image) in &images {
        assert!(image.starts_with(b"\x89PNG"), "{side} px is not a PNG");
        assert!(
            contains(&exe, image),
            "the {side} px image is not in the exe"
        );
    }
    // A version string is a key and its NUL-terminated value, each aligned to 4 bytes.
    let version = env!("CARGO_PKG_VERSION");
    let key = utf16("ProductVersion\0");
    let at = exe
        .windows(key.len())
        .position(|w| w == key.as_slice())
        .expect("no version resource");
    let value = &exe[at + key.len()..at + key.len() + 2 + 2 * version.len()];
    assert!(contains(value, &utf16(version)), "{value:?}");
}

/// The same numbers from both builds: a blank, a non-ASCII path, sines and full-scale
/// samples in 24-bit integer and 32-bit float files.
#[test]
fn analyze_json_equals_the_linux_builds() {
    let _turn = turn();
    let (_tmp, dir) = awkward_dir();
    let ints = dir.join("Take 1 (8 ch).wav");
    pw_stack::write_wav(&ints, 8);
    let floats = dir.join("sines ö.wav");
    sines::write_sines(&floats, &[-6.0, -18.0, -0.5], 4);
    let linux: Value = serde_json::from_str(&success(
        &Command::new(env!("CARGO_BIN_EXE_gainstage"))
            .args(["analyze", "--json"])
            .args([&ints, &floats])
            .env("GAINSTAGE_CONFIG_DIR", dir.join("config"))
            .env("GAINSTAGE_DATA_DIR", dir.join("data"))
            .output()
            .unwrap(),
    ))
    .unwrap();
    let windows: Value = serde_json::from_str(&success(
        &prefix()
            .gainstage()
            .args(["analyze", "--json"])
            .args([Prefix::windows_path(&ints), Prefix::windows_path(&floats)])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(linux.as_array().unwrap().len(), 2);
    // Each build names the file the way its system spells it; everything else is equal.
    for (l, w) in linux
        .as_array()
        .unwrap()
        .iter()
        .zip(windows.as_array().unwrap())
    {
        let file = |v: &Value| {
            v["file"]
                .as_str()
                .unwrap()
                .rsplit(['/', '\\'])
                .next()
                .unwrap()
                .to_owned()
        };
        assert_eq!(file(l), file(w));
        let (mut l, mut w) = (l.clone(), w.clone());
        l["file"] = Value::Null;
        w["file"] = Value::Null;
        assert_same("", &l, &w);
    }
    // Not vacuous: the clips were found.
    assert_eq!(linux[0]["per_channel"][7]["clipped_samples"], 9);
}

/// Equal JSON, numbers to 1e-9 (relative): both builds run the same Rust code, but each
/// system's maths library computes `pow` and `log10` itself.
fn assert_same(at: &str, l: &Value, w: &Value) {
    match (l, w) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                "{at}: Linux {a}, Windows {b}"
            );
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same(&format!("{at}[{i}]"), x, y);
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, x) in a {
                assert_same(&format!("{at}.{k}"), x, &b[k]);
            }
        }
        _ => assert_eq!(l, w, "{at}"),
    }
}

/// The monitor lines that fall inside the sine (channel 1 at its level) and the summary.
fn assert_levels_and_clips(lines: &[Value], channels: usize, what: &str) {
    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"], true, "{what}: {summary}");
    let sum_ch = summary["channels"].as_array().unwrap();
    assert_eq!(sum_ch.len(), channels, "{what}");
    for (c, ch) in sum_ch.iter().enumerate() {
        let (p, n) = pw_stack::clips(c, channels);
        assert_eq!(
            (ch["clipped_samples"].as_u64(), ch["overs"].as_u64()),
            (Some(p + n), Some(p + n)),
            "{what}: channel {}: {p} positive and {n} negative full-scale samples",
            c + 1
        );
    }
    let in_sine: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("summary").is_none())
        .filter(|l| {
            l["channels"][0]["sample_peak_dbfs"]
                .as_f64()
                .is_some_and(|v| (v - pw_stack::level_db(0)).abs() < 0.1)
        })
        .collect();
    assert!(
        in_sine.len() >= 5,
        "{what}: {} lines in the sine",
        in_sine.len()
    );
    for line in in_sine {
        for (c, ch) in line["channels"].as_array().unwrap().iter().enumerate() {
            let v = ch["sample_peak_dbfs"].as_f64().unwrap();
            assert!(
                (v - pw_stack::level_db(c)).abs() <= 0.1,
                "{what}: channel {} reads {v} dBFS, wants {}",
                c + 1,
                pw_stack::level_db(c)
            );
        }
    }
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn monitor_file_reads_known_levels_and_exact_clips() {
    let _turn = turn();
    let (_tmp, dir) = awkward_dir();
    let wav = dir.join("take 2.wav");
    pw_stack::write_wav(&wav, 8);
    let out = prefix()
        .gainstage()
        .args(["monitor", "--json", "--interval", "100", "--file"])
        .arg(Prefix::windows_path(&wav))
        .output()
        .unwrap();
    assert_levels_and_clips(&json_lines(&success(&out)), 8, "monitor --file");
}

/// `gainstage.exe serve ARGS` on a loopback port: the child and the address it listens on.
fn serve(
    args: &[&str],
) -> (
    KillOnDrop,
    std::net::SocketAddr,
    BufReader<std::process::ChildStdout>,
) {
    let mut child = prefix()
        .gainstage()
        .args(["serve", "--listen", "127.0.0.1:0", "--duration", "60"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let guard = KillOnDrop(child);
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("serve said {first:?}"))
        .parse()
        .unwrap();
    (guard, addr, out)
}

/// A Linux client reads the Windows server's feed: every channel's level in the sine, then
/// exactly the file's full-scale samples counted.
#[test]
fn serve_file_feeds_a_linux_websocket_client_known_levels_and_exact_clips() {
    let _turn = turn();
    // A runtime of the test's own, so the turn is not held across its awaits.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (_tmp, dir) = awkward_dir();
        let wav = dir.join("take 3.wav");
        pw_stack::write_wav(&wav, 8);
        let wav = Prefix::windows_path(&wav);
        let (_server, addr, _out) = serve(&["--file", &wav]);
        let mut ws = remote::connect(&format!("ws://{addr}/ws")).await;
        let in_sine = remote::frame_where(&mut ws, 600, |f| {
            f["t_s"]
                .as_f64()
                .is_some_and(|t| t > 0.5 && t < pw_stack::SINE_S - 0.2)
        })
        .await;
        for c in 0..8 {
            let v = remote::channel(&in_sine, c + 1)["sample_peak_dbfs"]
                .as_f64()
                .unwrap();
            assert!(
                (v - pw_stack::level_db(c)).abs() <= 0.1,
                "channel {} reads {v} dBFS, wants {}",
                c + 1,
                pw_stack::level_db(c)
            );
        }
        // Past the clips: every channel's count is final.
        let end = pw_stack::SINE_S + pw_stack::GAP_S + 16.0 * pw_stack::CLIP_SPACING as f64 / 48e3;
        let after = remote::frame_where(&mut ws, 600, |f| {
            f["t_s"].as_f64().is_some_and(|t| t > end + 0.2)
        })
        .await;
        for c in 0..8 {
            let (p, n) = pw_stack::clips(c, 8);
            let ch = remote::channel(&after, c + 1);
            assert_eq!(
                (ch["clipped_samples"].as_u64(), ch["overs"].as_u64()),
                (Some(p + n), Some(p + n)),
                "channel {}",
                c + 1
            );
        }
    });
}

/// The demo's sixteen inputs reach a Linux client: the dead input silent, the clipping lead
/// clipping.
#[test]
fn serve_demo_feeds_a_linux_websocket_client() {
    let _turn = turn();
    // A runtime of the test's own, so the turn is not held across its awaits.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (_server, addr, _out) = serve(&["--demo"]);
        let mut ws = remote::connect(&format!("ws://{addr}/ws")).await;
        // Past the lead's first accent (6.5–7 s into the demo's 7 s cycle).
        let frame =
            remote::frame_where(&mut ws, 600, |f| f["t_s"].as_f64().is_some_and(|t| t > 7.2)).await;
        let names: Vec<&str> = frame["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        // No template: the inputs carry their numbers.
        let numbered: Vec<String> = (1..=16).map(|k| format!("Input {k}")).collect();
        assert_eq!(names, numbered);
        // The demo's input 12 is dead (digital silence), input 10 a lead that hits full scale.
        let dead = remote::channel(&frame, 12);
        assert!(dead["sample_peak_dbfs"].is_null(), "{dead}");
        assert_eq!(dead["clipped_samples"], 0, "{dead}");
        let lead = remote::channel(&frame, 10);
        assert!(lead["clipped_samples"].as_u64().unwrap() > 0, "{lead}");
    });
}

/// A take marked in `monitor` is saved under the Windows user's `%LOCALAPPDATA%` (a space and
/// non-ASCII letters in the path) and `takes` reads it back with the file's levels.
#[test]
fn takes_live_in_localappdata_of_a_non_ascii_user() {
    let _turn = turn();
    let (_tmp, dir) = awkward_dir();
    let wav = dir.join("sines.wav");
    sines::write_sines(&wav, &[-6.0, -18.0], 2);
    let p = prefix();
    let data = p.profile().join("AppData/Local/gainstage/data");
    let _ = std::fs::remove_dir_all(&data);
    success(
        &p.gainstage()
            .args(["monitor", "--json", "--take", "0.2-1.5", "--file"])
            .arg(Prefix::windows_path(&wav))
            .output()
            .unwrap(),
    );
    let mut saved: Vec<String> = std::fs::read_dir(data.join("takes"))
        .unwrap_or_else(|e| panic!("{}: {e}", data.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    saved.sort();
    // One session: its reports as JSON and as CSV.
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert_eq!(
        saved[0].strip_suffix(".csv"),
        saved[1].strip_suffix(".json"),
        "{saved:?}"
    );
    let report: Value = serde_json::from_str(&success(
        &p.gainstage().args(["takes", "--json"]).output().unwrap(),
    ))
    .unwrap();
    let take = &report.as_array().unwrap()[0];
    for (input, level) in take["inputs"].as_array().unwrap().iter().zip([-6.0, -18.0]) {
        let peak = input["max_sample_peak_dbfs"].as_f64().unwrap();
        assert!((peak - level).abs() < 0.05, "{input}");
    }
}

/// The installer made by `packaging/windows/build` installs silently into Program Files, adds the Start-menu entry and the uninstall entry; its uninstaller removes them and
/// the program, and leaves the user's settings and takes.
#[test]
fn the_installer_installs_and_uninstalls_silently_and_leaves_the_users_files() {
    let _turn = turn();
    let exe = wine::exe();
    let out = tempfile::tempdir().unwrap();
    let built = success(
        &Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/windows/build"))
            .arg(&exe)
            .arg(out.path())
            .output()
            .unwrap(),
    );
    let base = format!("gainstage-{}-windows-x86_64", env!("CARGO_PKG_VERSION"));
    let zip = out.path().join(format!("{base}.zip"));
    let setup = out.path().join(format!("{base}-setup.exe"));
    assert_eq!(
        built.lines().collect::<Vec<_>>(),
        [zip.to_str().unwrap(), setup.to_str().unwrap()]
    );
    // The installer (and the uninstaller it writes) wear the same icon.
    let ico = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/windows/gainstage.ico"),
    )
    .unwrap();
    let setup_bytes = std::fs::read(&setup).unwrap();
    for (side, image) in icon_images(&ico) {
        assert!(
            contains(&setup_bytes, image),
            "the installer lacks the {side} px icon"
        );
    }
    // The zip carries the build's exe stripped: no debug sections, smaller, and the installer
    // installs that very file.
    let exe_bytes = Command::new("unzip")
        .arg("-p")
        .arg(&zip)
        .arg(format!("{base}/gainstage.exe"))
        .output()
        .unwrap()
        .stdout;
    assert!(exe_bytes.len() < std::fs::metadata(&exe).unwrap().len() as usize);
    let zipped = out.path().join("zipped.exe");
    std::fs::write(&zipped, &exe_bytes).unwrap();
    let sections = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-h")
        .arg(&zipped)
        .output()
        .unwrap();
    let sections = String::from_utf8_lossy(&sections.stdout);
    assert!(sections.contains(".text"), "{sections}");
    assert!(!sections.contains(".debug"), "{sections}");

    let p = prefix();
    // The default folder (a space in it). NSIS takes `/D=` only unquoted, and Wine quotes an
    // argument with a space, so a folder of the test's own cannot be passed.
    let install = r"C:\Program Files\gainstage";
    let installed = p.dir.join("drive_c/Program Files/gainstage");
    let entry = p
        .dir
        .join("drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/gainstage.lnk");
    let key = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\gainstage";
    // What an earlier run that failed half-way left.
    let _ = std::fs::remove_dir_all(&installed);
    let _ = std::fs::remove_file(&entry);

    success(&p.bare(&setup).arg("/S").output().unwrap());
    p.wait_idle();
    assert!(std::fs::read(installed.join("gainstage.exe")).unwrap() == exe_bytes);
    assert!(installed.join("uninstall.exe").is_file());
    assert!(
        entry.is_file(),
        "no Start-menu entry at {}",
        entry.display()
    );
    let registered = success(&p.bare("reg").args(["query", key]).output().unwrap());
    assert!(registered.contains(install), "{registered}");
    assert!(
        registered.contains(env!("CARGO_PKG_VERSION")),
        "{registered}"
    );

    // The installed program runs and keeps a take; the user has settings.
    let (_tmp, dir) = awkward_dir();
    let wav = dir.join("sines.wav");
    sines::write_sines(&wav, &[-6.0], 1);
    success(
        &p.bare(format!(r"{install}\gainstage.exe"))
            .args(["monitor", "--json", "--take", "0.1-0.5", "--file"])
            .arg(Prefix::windows_path(&wav))
            .output()
            .unwrap(),
    );
    let takes = p.profile().join("AppData/Local/gainstage/data/takes");
    let settings = p
        .profile()
        .join("AppData/Roaming/gainstage/config/settings.toml");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(&settings, "over_len = 3\n").unwrap();
    let takes_before = std::fs::read_dir(&takes).unwrap().count();
    assert!(takes_before > 0);

    success(
        &p.bare(format!(r"{install}\uninstall.exe"))
            .arg("/S")
            .output()
            .unwrap(),
    );
    // The uninstaller runs on in a copy of itself: done when the prefix is idle.
    p.wait_idle();
    assert!(
        !installed.exists(),
        "{} is still there",
        installed.display()
    );
    assert!(!entry.exists(), "the Start-menu entry is still there");
    assert!(
        !p.bare("reg")
            .args(["query", key])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_to_string(&settings).unwrap(),
        "over_len = 3\n"
    );
    assert_eq!(std::fs::read_dir(&takes).unwrap().count(), takes_before);
}

/// The GUI under Wine on Xvfb: no renderer is forced, so wgpu is asked first and, as it
/// cannot start there, tiny-skia draws the demo's meters (the screenshot is kept in
/// `target/tmp/windows-gui-demo.png`); a view chosen with a key is saved in `%APPDATA%`.
#[test]
fn the_gui_draws_the_demo_under_wine() {
    let _turn = turn();
    // A wineserver still up from a test without a display would host this program's windows
    // in a desktop that has none: start afresh.
    prefix().wait_idle();
    let x = xvfb::Xvfb::start();
    let display = x.display();

    // Settings from an earlier run out of the way: this run's save makes them.
    let config = prefix().profile().join("AppData/Roaming/gainstage/config");
    let _ = std::fs::remove_dir_all(&config);
    let err = tempfile::NamedTempFile::new().unwrap();
    let _app = KillOnDrop(
        prefix()
            .gainstage()
            .arg("--demo")
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .stderr(err.reopen().unwrap())
            .spawn()
            .unwrap(),
    );
    let seen = x.wait_for_colours(50, 90);
    // Half a second more: the meters move between frames.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("windows-gui-demo.png");
    let _ = Command::new("import")
        .args(["-display", display, "-window", "root"])
        .arg(&shot)
        .status();
    let said = std::fs::read_to_string(err.path()).unwrap();
    assert!(
        seen > 50,
        "the window did not draw: {seen} distinct colours; stderr: {said}"
    );
    assert!(!said.contains("panicked"), "{said}");
    let windows = Command::new("xdotool")
        .args(["search", "--name", "gainstage"])
        .env("DISPLAY", display)
        .output()
        .unwrap();
    assert!(
        !windows.stdout.is_empty(),
        "no window named gainstage; stderr: {said}"
    );

    // Key 2 shows the wall; the GUI saves its settings half a second later, replacing the
    // file in the user's %APPDATA% atomically (no directory fsync on Windows).
    let window = String::from_utf8(windows.stdout).unwrap();
    let window = window.lines().next().unwrap();
    for args in [vec!["windowfocus", "--sync", window], vec!["key", "2"]] {
        let done = Command::new("xdotool")
            .args(&args)
            .env("DISPLAY", display)
            .status()
            .unwrap();
        assert!(done.success(), "xdotool {args:?}");
    }
    let settings = config.join("settings.toml");
    for _ in 0..100 {
        if std::fs::read_to_string(&settings).is_ok_and(|t| t.contains("view = \"wall\"")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let text = std::fs::read_to_string(&settings)
        .unwrap_or_else(|e| panic!("{}: {e}; stderr: {said}", settings.display()));
    assert!(text.contains("view = \"wall\""), "{text}");
    let names: Vec<_> = std::fs::read_dir(&config)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["settings.toml"], "no temporary file is left");
}

/// `gainstage.exe ARGS` under Wine, its audio through Wine's PulseAudio driver to the test's
/// private PipeWire server (`pipewire-pulse`).
fn gainstage_on(server: &pw_stack::Server) -> Command {
    let mut cmd = prefix().gainstage();
    cmd.env(
        "PULSE_SERVER",
        format!("unix:{}", server.run_dir().join("pulse/native").display()),
    )
    .env("XDG_RUNTIME_DIR", server.run_dir());
    cmd
}

/// The 8 AUX channels of the `gs-aux8` sink's monitor as an ordinary source with the 7.1
/// positions, in order: WASAPI describes channels with WAVEFORMATEXTENSIBLE's speaker mask,
/// which has no AUX positions.
const CAPTURE: &str = "gs-capture";
const SURROUND: &str =
    "front-left,front-right,front-center,lfe,rear-left,rear-right,side-left,side-right";

fn add_capture_source(server: &pw_stack::Server) {
    let aux: Vec<String> = (0..8).map(|c| format!("aux{c}")).collect();
    let out = server
        .command("pactl")
        .args([
            "load-module",
            "module-remap-source",
            &format!("source_name={CAPTURE}"),
            "master=gs-aux8.monitor",
            "channels=8",
            &format!("channel_map={SURROUND}"),
            &format!("master_channel_map={}", aux.join(",")),
            "remix=no",
            &format!("source_properties=device.description={CAPTURE}"),
        ])
        .output()
        .unwrap();
    success(&out);
    while !server
        .output("pactl", &["list", "short", "sources"])
        .contains(CAPTURE)
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `devices` lists the capture endpoints Wine's driver makes of the server's sources.
#[test]
fn devices_lists_wines_wasapi_endpoints() {
    let _turn = turn();
    let server = pw_stack::Server::start();
    add_capture_source(&server);
    let out = gainstage_on(&server)
        .args(["devices", "--json", "--host", "wasapi"])
        .output()
        .unwrap();
    let hosts: Value = serde_json::from_str(&success(&out)).unwrap();
    assert_eq!(hosts.as_array().unwrap().len(), 1, "{hosts}");
    assert_eq!(hosts[0]["host"], "WASAPI");
    let devices = hosts[0]["devices"].as_array().unwrap();
    let ours = devices
        .iter()
        .find(|d| d["name"].as_str().unwrap_or("").contains(CAPTURE))
        .unwrap_or_else(|| panic!("no {CAPTURE} among {devices:#?}"));
    assert!(
        ours["channels"]
            .as_array()
            .unwrap()
            .contains(&Value::from(8)),
        "{ours}"
    );
    // The capture thread's MMCSS request, as `devices` reports it.
    assert_eq!(ours["realtime"]["requested"], true, "{ours}");
    assert_eq!(ours["realtime"]["granted"], true, "{ours}");
}

/// Live capture through WASAPI: `pw-cat` plays the 8-channel file into the sink while
/// `gainstage.exe monitor` captures the source Wine's driver offers: every channel's level
/// and every full-scale sample.
#[test]
fn monitor_captures_live_through_wasapi() {
    let _turn = turn();
    let server = pw_stack::Server::start();
    add_capture_source(&server);
    let wav = server.dir.path().join("play.wav");
    pw_stack::write_wav(&wav, 8);
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = gainstage_on(&server)
        .args(["monitor", "--host", "wasapi", "--device", CAPTURE])
        .args(["--json", "--interval", "100", "--duration", "7"])
        .stdout(Stdio::piped())
        .stderr(err.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let guard = KillOnDrop(child);
    let mut lines: Vec<Value> = Vec::new();
    // Audio flows once the stream's clock has moved.
    while lines
        .last()
        .is_none_or(|l: &Value| l["t_s"].as_f64().unwrap_or(0.0) < 0.5)
    {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!(
                "monitor ended early: {}",
                std::fs::read_to_string(err.path()).unwrap()
            );
        }
        lines.push(serde_json::from_str(&line).unwrap());
    }
    let played = server
        .command("pw-cat")
        .args(["--playback", "--target", "gs-aux8", "--channel-map"])
        .arg(
            (0..8)
                .map(|c| format!("AUX{c}"))
                .collect::<Vec<_>>()
                .join(","),
        )
        .arg(&wav)
        .status()
        .unwrap();
    assert!(played.success(), "pw-cat failed");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    lines.extend(json_lines(&rest));
    drop(guard);
    let said = std::fs::read_to_string(err.path()).unwrap();
    assert_eq!(lines[0]["source"]["host"], "WASAPI", "{said}");
    // The capture thread asked MMCSS for "Pro Audio" and says what it got (Wine's avrt
    // grants every request).
    let realtime = lines
        .iter()
        .find_map(|l| l.get("realtime"))
        .unwrap_or_else(|| panic!("no line says the callback's priority; stderr: {said}"));
    assert_eq!(realtime["granted"], true, "{realtime}");
    assert!(
        realtime["policy"]
            .as_str()
            .unwrap()
            .starts_with("MMCSS Pro Audio"),
        "{realtime}"
    );
    assert_levels_and_clips(&lines, 8, &format!("WASAPI capture; stderr: {said}"));
}

/// `preamps` under Wine, as a JSON list.
fn preamps_json(server: &pw_stack::Server, args: &[&str]) -> Vec<Value> {
    let out = gainstage_on(server)
        .args(["preamps", "--json", "--host", "wasapi"])
        .args(args)
        .output()
        .unwrap();
    let listed: Value = serde_json::from_str(success(&out).trim()).unwrap();
    listed.as_array().unwrap().clone()
}

/// `--host wasapi --device D` finds the capture endpoint's volume by itself, matched as the
/// capture matched it, and asks its `IAudioEndpointVolume`. Wine 8's mmdevapi answers
/// `GetChannelCount` (and every per-channel call) with E_NOTIMPL, so every input says so;
/// an endpoint no device matches says which there are.
#[test]
fn preamps_finds_the_wasapi_endpoint_and_says_what_wine_lacks() {
    let _turn = turn();
    let server = pw_stack::Server::start();
    add_capture_source(&server);
    let listed = preamps_json(&server, &["--device", CAPTURE]);
    // One row an input of the 8-channel endpoint, each through its WASAPI volume.
    let inputs: Vec<u64> = listed
        .iter()
        .map(|p| p["input"].as_u64().unwrap())
        .collect();
    assert_eq!(inputs, (1..=8).collect::<Vec<u64>>(), "{listed:#?}");
    for p in &listed {
        assert_eq!(p["through"], "wasapi", "{p}");
        assert_eq!(p["device"], format!("wasapi {CAPTURE}"), "{p}");
        assert_eq!(p["gain_db"], Value::Null, "{p}");
        let problem = p["problem"].as_str().unwrap();
        // The endpoint was found and its volume activated: only the channel count failed,
        // with Wine's E_NOTIMPL.
        assert!(
            problem.starts_with(&format!(
                "wasapi {CAPTURE} answered unexpectedly: GetChannelCount: "
            )) && problem.ends_with("(0x80004001)"),
            "{problem}"
        );
    }
    // An endpoint named that matches no capture device: the candidates are listed.
    let listed = preamps_json(
        &server,
        &["--channels", "2", "--preamp", "wasapi:no-such-mic"],
    );
    assert_eq!(listed.len(), 2, "{listed:#?}");
    for p in &listed {
        assert_eq!(p["device"], "wasapi no-such-mic", "{p}");
        let problem = p["problem"].as_str().unwrap();
        assert!(
            problem.starts_with(
                "wasapi no-such-mic is unreachable: no input device matches \"no-such-mic\"; candidates: "
            ) && problem.contains(CAPTURE),
            "{problem}"
        );
    }
}

/// ASIO is a build option (Steinberg's SDK): the default build says how to get it, and does not
/// offer JACK.
#[test]
fn asio_is_a_build_option_and_jack_is_not_offered() {
    let _turn = turn();
    let out = prefix()
        .gainstage()
        .args(["monitor", "--host", "asio", "--duration", "0.1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8(out.stderr).unwrap();
    // The first line is ours; Wine may add its own chatter after it.
    assert_eq!(
        said.lines().next(),
        Some("gainstage: this gainstage was built without ASIO: rebuild with `--features asio`"),
        "{said}"
    );
    let out = prefix()
        .gainstage()
        .args(["devices", "--host", "jack"])
        .output()
        .unwrap();
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("[possible values: wasapi, asio]"), "{said}");
}
