//! A crash while settings or a template are being written leaves the old file or the new one,
//! whole: a child process rewrites both as fast as it can and is killed (SIGKILL) at many
//! moments; after each kill both files load and are one of the two versions.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::Duration;

use gainstage::advisor::template::SessionTemplate;
use gainstage::advisor::{ChannelSetup, SourcePreset};
use gainstage::settings::{self, Settings};

const CHILD: &str = "GAINSTAGE_ATOMIC_WRITER_CHILD";

/// Big enough that a write takes many system calls' worth of bytes.
fn version(tag: &str) -> (Settings, SessionTemplate) {
    let names: Vec<String> = (0..2000).map(|i| format!("{tag} input {i}")).collect();
    let settings = Settings {
        names: names.clone(),
        theme: tag.into(),
        ..Settings::default()
    };
    let template = SessionTemplate {
        channels: names
            .iter()
            .enumerate()
            .map(|(i, n)| ChannelSetup {
                channel: i + 1,
                name: n.clone(),
                preset: SourcePreset::Vocal,
            })
            .collect(),
        ..SessionTemplate::default()
    };
    (settings, template)
}

#[test]
fn a_write_killed_at_any_moment_leaves_the_old_or_the_new_file() {
    if let Some(dir) = std::env::var_os(CHILD) {
        // The writer: alternate two versions until killed.
        let dir = std::path::PathBuf::from(dir);
        let versions = [version("light"), version("dark")];
        for k in 0.. {
            let (s, t) = &versions[k % 2];
            settings::save(&dir, s).unwrap();
            t.save_in(&dir, "band").unwrap();
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (light, light_t) = version("light");
    let (dark, dark_t) = version("dark");
    settings::save(dir.path(), &light).unwrap();
    light_t.save_in(dir.path(), "band").unwrap();
    for k in 0..30u64 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "a_write_killed_at_any_moment_leaves_the_old_or_the_new_file",
                "--exact",
            ])
            .env(CHILD, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill points spread over the child's start-up and its writing.
        std::thread::sleep(Duration::from_millis(20 + 7 * k));
        child.kill().unwrap();
        child.wait().unwrap();

        let (s, problem) = settings::load(dir.path());
        assert!(problem.is_none(), "kill {k}: {problem:?}");
        assert!(
            s == light || s == dark,
            "kill {k}: settings are neither version"
        );
        let t = SessionTemplate::load_from(dir.path(), "band").unwrap();
        assert!(
            t == light_t || t == dark_t,
            "kill {k}: template is neither version"
        );
    }
    // Kills that landed mid-write leave their temporary files (hidden, never read).
    let temporaries = std::fs::read_dir(dir.path())
        .unwrap()
        .chain(std::fs::read_dir(dir.path().join("templates")).unwrap())
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    eprintln!("30 kills, {temporaries} of them mid-write");
    // Loading never moved a file aside as broken.
    let broken = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("broken")
        })
        .count();
    assert_eq!(broken, 0);
}
