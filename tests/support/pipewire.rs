//! A real PipeWire server, private to each test (included with `#[path]`): `pipewire` with its
//! own configuration file, WirePlumber (on a private D-Bus session bus, with every hardware
//! monitor off) and `pipewire-pulse`, all on a temporary runtime directory, so no user's
//! server, device or setting is seen or touched. The configuration makes two virtual sinks with
//! pro-audio channel positions (AUX0…); `write_wav` writes what the tests play into them: a
//! sine per channel at a known level, then known numbers of full-scale samples.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const RATE: u32 = 48_000;

/// The longest any one step may take (a daemon getting ready, a line from `gainstage`, a
/// player or process ending): a broken stack fails the test with what it was waiting for
/// instead of hanging the suite. Each step takes well under a second when the stack works.
pub const STEP_DEADLINE: Duration = Duration::from_secs(60);
/// What a helper command (`pw-metadata`, `pactl`, `pw-cat`) gets, through `timeout(1)`.
pub const COMMAND_DEADLINE_S: &str = "60";

/// The next line, or a failure saying what was awaited and what `gainstage` said.
pub fn recv_line(
    rx: &Receiver<serde_json::Value>,
    what: &str,
    said: impl Fn() -> String,
) -> serde_json::Value {
    match rx.recv_timeout(STEP_DEADLINE) {
        Ok(line) => line,
        Err(RecvTimeoutError::Disconnected) => panic!("gainstage ended {what}: {}", said()),
        Err(RecvTimeoutError::Timeout) => {
            panic!(
                "no line from gainstage in {STEP_DEADLINE:?} {what}: {}",
                said()
            )
        }
    }
}

/// Every line until `gainstage` closes its output.
pub fn rest_of_lines(
    rx: &Receiver<serde_json::Value>,
    said: impl Fn() -> String,
) -> Vec<serde_json::Value> {
    let mut lines = Vec::new();
    loop {
        match rx.recv_timeout(STEP_DEADLINE) {
            Ok(line) => lines.push(line),
            Err(RecvTimeoutError::Disconnected) => return lines,
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "gainstage kept its output open {STEP_DEADLINE:?} after Ctrl-C: {}",
                    said()
                )
            }
        }
    }
}

/// Waits for `child` to end; one that has not after [`STEP_DEADLINE`] is killed and fails
/// the test.
pub fn wait_child(child: &mut Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + STEP_DEADLINE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not end within {STEP_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sine level of channel `c` (from 0), dBFS.
pub fn level_db(c: usize) -> f64 {
    -3.0 - 2.0 * c as f64
}

/// Full-scale samples channel `c` carries: positive (+8388607) and negative (-8388608).
pub fn clips(c: usize, channels: usize) -> (u64, u64) {
    (c as u64 + 1, (channels - c) as u64)
}

/// Seconds of 997 Hz sine, then silence, then the isolated full-scale samples, then silence.
pub const SINE_S: f64 = 1.5;
pub const GAP_S: f64 = 0.5;
/// Zero samples between two full-scale ones: every full-scale sample is its own over.
pub const CLIP_SPACING: usize = 101;

pub fn write_wav(path: &Path, channels: usize) {
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let sine = (SINE_S * f64::from(RATE)) as usize;
    let gap = (GAP_S * f64::from(RATE)) as usize;
    let most = (0..channels)
        .map(|c| {
            let (p, n) = clips(c, channels);
            (p + n) as usize
        })
        .max()
        .unwrap();
    let burst = most * CLIP_SPACING;
    for i in 0..sine + gap + burst + gap {
        for c in 0..channels {
            let v: i32 = if i < sine {
                let a = 10f64.powf(level_db(c) / 20.0);
                let x = (std::f64::consts::TAU * 997.0 * i as f64 / f64::from(RATE)).sin();
                (a * x * 8_388_607.0).round() as i32
            } else if i >= sine + gap
                && i < sine + gap + burst
                && (i - sine - gap).is_multiple_of(CLIP_SPACING)
            {
                let k = ((i - sine - gap) / CLIP_SPACING) as u64;
                let (p, n) = clips(c, channels);
                if k < p {
                    8_388_607
                } else if k < p + n {
                    -8_388_608
                } else {
                    0
                }
            } else {
                0
            };
            w.write_sample(v).unwrap();
        }
    }
    w.finalize().unwrap();
}

pub fn aux_positions(channels: usize) -> String {
    (0..channels)
        .map(|c| format!("AUX{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn null_sink(name: &str, channels: usize) -> String {
    format!(
        r#"    {{ factory = adapter
        args = {{
            factory.name     = support.null-audio-sink
            node.name        = {name}
            node.description = "gainstage test {channels} AUX"
            media.class      = Audio/Sink
            audio.channels   = {channels}
            audio.position   = [ {} ]
            object.linger    = true
        }}
    }}
"#,
        aux_positions(channels)
    )
}

/// A daemon that needs nothing but its socket: no D-Bus, no hardware, a timer as the clock.
pub fn pipewire_conf() -> String {
    format!(
        r#"context.properties = {{
    core.daemon = true
    core.name   = pipewire-0
    default.clock.rate = {RATE}
    default.clock.allowed-rates = [ {RATE} ]
    support.dbus = false
    mem.allow-mlock = false
}}
context.spa-libs = {{
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}}
context.modules = [
    {{ name = libpipewire-module-protocol-native }}
    {{ name = libpipewire-module-metadata }}
    {{ name = libpipewire-module-spa-node-factory }}
    {{ name = libpipewire-module-client-node }}
    {{ name = libpipewire-module-client-device }}
    {{ name = libpipewire-module-access }}
    {{ name = libpipewire-module-adapter }}
    {{ name = libpipewire-module-link-factory }}
    {{ name = libpipewire-module-session-manager }}
]
context.objects = [
    {{ factory = spa-node-factory
        args = {{
            factory.name    = support.node.driver
            node.name       = Dummy-Driver
            node.group      = pipewire.dummy
            priority.driver = 20000
        }}
    }}
{}{}{}]
"#,
        null_sink("gs-aux8", 8),
        null_sink("gs-aux16", 16),
        PREAMP_SINK
    )
}

/// Two channels whose channel volumes also act on what is captured from the node (its
/// monitor), as a capture node's volume does: the preamp `soundcheck --apply` sets.
const PREAMP_SINK: &str = r#"    { factory = adapter
        args = {
            factory.name     = support.null-audio-sink
            node.name        = gs-pre2
            node.description = "gainstage test preamp"
            media.class      = Audio/Sink
            audio.channels   = 2
            audio.position   = [ AUX0 AUX1 ]
            monitor.channel-volumes = true
            object.linger    = true
        }
    }
"#;

/// WirePlumber without the monitors that would look for (and could grab) real devices.
pub const WIREPLUMBER_MAIN: &str = "alsa_monitor.enabled = false\n\
    v4l2_monitor.enabled = false\n\
    libcamera_monitor.enabled = false\n";
pub const WIREPLUMBER_BLUETOOTH: &str = "bluez_monitor.enabled = false\n";

/// One private server at a time: four sets of daemons at once on a small CI machine starve
/// each other's timers, and a test here is about the server's audio, not about load.
pub static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Every process of one private server, each in a process group of its own.
pub struct Server {
    pub dir: tempfile::TempDir,
    children: Vec<Child>,
    /// Released after `drop` has ended the daemons.
    _turn: MutexGuard<'static, ()>,
}

impl Server {
    pub fn run_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// The environment every process of the test runs in: nothing points at the user's.
    pub fn env(&self, cmd: &mut Command) {
        let d = self.dir.path();
        cmd.env("HOME", d.join("home"))
            .env("XDG_RUNTIME_DIR", self.run_dir())
            .env("PIPEWIRE_RUNTIME_DIR", self.run_dir())
            // Config under HOME/.config (the default): WirePlumber's, and the PulseAudio
            // cookie pactl writes and cpal's PulseAudio client reads from there.
            .env_remove("XDG_CONFIG_HOME")
            .env("XDG_STATE_HOME", d.join("state"))
            .env("XDG_DATA_HOME", d.join("data"))
            .env("XDG_CACHE_HOME", d.join("cache"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", self.run_dir().join("bus").display()),
            )
            // PulseAudio clients find RUNTIME/pulse/native themselves.
            .env_remove("PULSE_SERVER")
            .env_remove("PIPEWIRE_REMOTE")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
    }

    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd
    }

    pub fn spawn(&mut self, mut cmd: Command, log: &str) {
        let log = std::fs::File::create(self.dir.path().join(log)).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap();
        self.children.push(child);
    }

    pub fn start() -> Server {
        // A test that failed holding the lock leaves it poisoned; the next may still run.
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let dir = tempfile::tempdir().unwrap();
        for sub in ["run", "home/.config/wireplumber/main.lua.d"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let config = dir.path().join("home/.config/wireplumber");
        std::fs::create_dir_all(config.join("bluetooth.lua.d")).unwrap();
        std::fs::write(
            config.join("main.lua.d/99-gainstage-test.lua"),
            WIREPLUMBER_MAIN,
        )
        .unwrap();
        std::fs::write(
            config.join("bluetooth.lua.d/99-gainstage-test.lua"),
            WIREPLUMBER_BLUETOOTH,
        )
        .unwrap();
        let conf = dir.path().join("pipewire.conf");
        std::fs::write(&conf, pipewire_conf()).unwrap();
        let mut server = Server {
            dir,
            children: Vec::new(),
            _turn: turn,
        };
        let bus = server.run_dir().join("bus");
        let mut dbus = server.command("dbus-daemon");
        dbus.args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address=unix:path={}", bus.display()));
        server.spawn(dbus, "dbus.log");
        server.wait_for(|s| s.run_dir().join("bus").exists(), "the D-Bus socket");
        let mut pw = server.command("pipewire");
        pw.arg("-c").arg(&conf);
        server.spawn(pw, "pipewire.log");
        server.wait_for(|s| s.run_dir().join("pipewire-0").exists(), "pipewire");
        let wp = server.command("wireplumber");
        server.spawn(wp, "wireplumber.log");
        let pulse = server.command("pipewire-pulse");
        server.spawn(pulse, "pipewire-pulse.log");
        // WirePlumber is ready once it has chosen a default sink among ours.
        server.wait_for(
            |s| {
                s.output("pw-metadata", &["-n", "default"])
                    .contains("default.audio.sink")
            },
            "WirePlumber",
        );
        server.wait_for(
            |s| {
                s.output("pactl", &["list", "short", "sources"])
                    .contains("gs-aux16.monitor")
            },
            "pipewire-pulse",
        );
        server
    }

    pub fn output(&self, program: &str, args: &[&str]) -> String {
        let out = self
            .command("timeout")
            .args([COMMAND_DEADLINE_S, program])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls for a daemon's readiness; a daemon that died says so with its log.
    pub fn wait_for(&mut self, ready: impl Fn(&Server) -> bool, what: &str) {
        let deadline = Instant::now() + STEP_DEADLINE;
        while !ready(self) {
            assert!(
                Instant::now() < deadline,
                "{what} was not ready within {STEP_DEADLINE:?}"
            );
            for child in &mut self.children {
                if let Ok(Some(status)) = child.try_wait() {
                    let logs: Vec<String> = ["dbus", "pipewire", "wireplumber", "pipewire-pulse"]
                        .iter()
                        .map(|l| {
                            let path = self.dir.path().join(format!("{l}.log"));
                            format!("{l}: {}", std::fs::read_to_string(path).unwrap_or_default())
                        })
                        .collect();
                    panic!(
                        "waiting for {what}: a daemon exited ({status}):\n{}",
                        logs.join("\n")
                    );
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Where `gainstage`'s stderr goes.
    pub fn gainstage_err(&self) -> PathBuf {
        self.dir.path().join("gainstage.err")
    }

    /// What `gainstage` said on stderr so far.
    pub fn gainstage_said(&self) -> String {
        std::fs::read_to_string(self.gainstage_err()).unwrap_or_default()
    }

    /// `gainstage ARGS` with its stdout lines arriving on a channel.
    pub fn gainstage(
        &self,
        wrapper: &[&str],
        args: &[&str],
    ) -> (Child, Receiver<serde_json::Value>) {
        let exe = env!("CARGO_BIN_EXE_gainstage");
        let mut cmd = match wrapper.split_first() {
            Some((first, rest)) => {
                let mut c = self.command(first);
                c.args(rest).arg(exe);
                c
            }
            None => self.command(exe),
        };
        let err = std::fs::File::create(self.gainstage_err()).unwrap();
        let mut child = cmd
            .args(args)
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                    break;
                }
            }
        });
        (child, rx)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for child in &mut self.children {
            // Each daemon leads its own process group: end the group, then reap the leader.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
        }
    }
}

pub fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
