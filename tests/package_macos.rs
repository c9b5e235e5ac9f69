//! The macOS app bundle's Info.plist, as packaging/macos/make-bundle copies it into
//! gainstage.app. The bundle itself is built only on a Mac; this checks, with a real plist
//! parser, what macOS reads from it: without `NSMicrophoneUsageDescription` macOS feeds the
//! app silence, and its version must be the one Cargo.toml builds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use plist::{Dictionary, Value};

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn info_plist() -> Dictionary {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/macos/Info.plist");
    match Value::from_file(&path).unwrap() {
        Value::Dictionary(d) => d,
        other => panic!("Info.plist is not a dictionary: {other:?}"),
    }
}

fn string<'a>(plist: &'a Dictionary, key: &str) -> &'a str {
    plist
        .get(key)
        .unwrap_or_else(|| panic!("Info.plist lacks {key}"))
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

/// The value `make-bundle` gives a shell variable, e.g. `MACOSX_DEPLOYMENT_TARGET=11.0`.
fn make_bundle_setting(name: &str) -> String {
    let script = repo_file("packaging/macos/make-bundle");
    let prefix = format!("export {name}=");
    script
        .lines()
        .find_map(|l| l.trim().strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("make-bundle sets no {name}"))
        .to_owned()
}

#[test]
fn version_is_cargo_tomls() {
    let plist = info_plist();
    assert_eq!(
        string(&plist, "CFBundleShortVersionString"),
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(string(&plist, "CFBundleVersion"), env!("CARGO_PKG_VERSION"));
}

#[test]
fn asks_for_the_microphone() {
    let plist = info_plist();
    let why = string(&plist, "NSMicrophoneUsageDescription");
    assert!(
        why.contains("inputs"),
        "macOS shows this text when it asks the user: {why}"
    );
}

#[test]
fn identifies_and_launches_the_binary() {
    let plist = info_plist();
    assert_eq!(string(&plist, "CFBundlePackageType"), "APPL");
    // The same id the Linux desktop entry and AppStream metainfo carry.
    let id = string(&plist, "CFBundleIdentifier");
    assert_eq!(id, "org.gainstage.Gainstage");
    let metainfo = repo_file("packaging/linux/org.gainstage.Gainstage.metainfo.xml");
    assert!(metainfo.contains(&format!("<id>{id}</id>")), "{metainfo}");

    // The executable is the binary cargo builds, under the name make-bundle gives it.
    let exe = Path::new(env!("CARGO_BIN_EXE_gainstage"))
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(string(&plist, "CFBundleExecutable"), exe);
    let script = repo_file("packaging/macos/make-bundle");
    assert!(script.contains(r#"lipo -create -output "$app/Contents/MacOS/gainstage""#));

    // CFBundleIconFile names the .icns make-bundle writes into Resources.
    let icon = string(&plist, "CFBundleIconFile");
    assert!(
        script.contains(&format!(r#""$app/Contents/Resources/{icon}.icns""#)),
        "make-bundle writes no Resources/{icon}.icns"
    );

    // The oldest macOS the bundle declares is the one its binaries are built for.
    assert_eq!(
        string(&plist, "LSMinimumSystemVersion"),
        make_bundle_setting("MACOSX_DEPLOYMENT_TARGET")
    );
    assert_eq!(
        plist.get("NSHighResolutionCapable"),
        Some(&Value::Boolean(true))
    );
}
