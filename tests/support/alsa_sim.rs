//! A simulated USB interface's mixer for the ALSA preamp backend (included with `#[path]`):
//! `alsa_sim/gs_sim.c`, an ALSA external control plugin, compiled with `cc` into the test's
//! own directory and loaded through that directory's `.asoundrc` (the directory is the HOME
//! `gainstage` runs with; the system's ALSA configuration is read as always and nothing
//! outside the directory is touched).
//!
//! The plugin is the ctl `gs_sim`, and also every `hw:CARD=…` of this HOME (the `.asoundrc`
//! replaces `ctl.hw`), so `--host alsa --device hw:CARD=Sim,DEV=0` finds it by itself as a
//! card's mixer would be found. Its controls: "Mic Capture Volume" (2 channels, raw 0..120,
//! -12 dB + 0.5 dB a step), "Capture Switch" (2), "Phantom Power" (1) and "Aux Capture Volume"
//! (1 channel, raw 0..100, no dB scale). Its state is the file `state` (raw values: mic0 mic1
//! switch0 switch1 phantom aux) and every write alsa-lib makes is a line of `state.writes`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The raw value of `db` on "Mic Capture Volume" (the C file's scale, written out again).
pub fn mic_raw(db: f64) -> i64 {
    ((db + 12.0) / 0.5).round() as i64
}

/// The raw values, in the state file's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw {
    pub mic: [i64; 2],
    pub switch: [i64; 2],
    pub phantom: i64,
    pub aux: i64,
}

pub struct AlsaSim {
    pub home: tempfile::TempDir,
}

impl AlsaSim {
    pub fn start(raw: Raw) -> AlsaSim {
        let home = tempfile::tempdir().unwrap();
        let sim = AlsaSim { home };
        let lib = sim.dir().join("libasound_module_ctl_gs_sim.so");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/alsa_sim/gs_sim.c");
        // -DPIC: alsa-lib's headers then give the entry point the versioned symbol a
        // dlopen'ed plugin needs.
        let out = Command::new("cc")
            .args([
                "-shared", "-fPIC", "-DPIC", "-Wall", "-Wextra", "-Werror", "-o",
            ])
            .arg(&lib)
            .arg(&source)
            .arg("-lasound")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cc: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let state = sim.state_path();
        let conf = format!(
            r#"ctl_type.gs_sim {{ lib "{lib}" }}
ctl.gs_sim {{ type gs_sim state "{state}" }}
ctl.!hw {{
    @args [ CARD ]
    @args.CARD {{ type string }}
    type gs_sim
    state "{state}"
}}
"#,
            lib = lib.display(),
            state = state.display()
        );
        std::fs::write(sim.dir().join(".asoundrc"), conf).unwrap();
        sim.set(raw);
        sim
    }

    pub fn dir(&self) -> &Path {
        self.home.path()
    }

    fn state_path(&self) -> PathBuf {
        self.dir().join("state")
    }

    pub fn set(&self, raw: Raw) {
        std::fs::write(
            self.state_path(),
            format!(
                "{} {} {} {} {} {}\n",
                raw.mic[0], raw.mic[1], raw.switch[0], raw.switch[1], raw.phantom, raw.aux
            ),
        )
        .unwrap();
    }

    pub fn raw(&self) -> Raw {
        let text = std::fs::read_to_string(self.state_path()).unwrap();
        let v: Vec<i64> = text
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        Raw {
            mic: [v[0], v[1]],
            switch: [v[2], v[3]],
            phantom: v[4],
            aux: v[5],
        }
    }

    /// Every write alsa-lib made, in order ("Mic Capture Volume 6 80").
    pub fn writes(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir().join("state.writes"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}
