//! A real PipeWire server, private to each test: `pipewire` with its own configuration file,
//! WirePlumber (on a private D-Bus session bus, with every hardware monitor off) and
//! `pipewire-pulse`, all on a temporary runtime directory, so no user's server, device or
//! setting is seen or touched. The configuration makes two virtual sinks with pro-audio
//! channel positions (AUX0…), `pw-cat` plays a 24-bit WAV into one, and `gainstage monitor`
//! meters it through cpal's PipeWire host or through the PulseAudio protocol: every channel's
//! level, and every positive and negative full-scale sample counted.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

const RATE: u32 = 48_000;

/// The longest any one step may take (a daemon getting ready, a line from `gainstage`, a
/// player or process ending): a broken stack fails the test with what it was waiting for
/// instead of hanging the suite. Each step takes well under a second when the stack works.
const STEP_DEADLINE: Duration = Duration::from_secs(60);
/// What a helper command (`pw-metadata`, `pactl`, `pw-cat`) gets, through `timeout(1)`.
const COMMAND_DEADLINE_S: &str = "60";

/// The next line, or a failure saying what was awaited and what `gainstage` said.
fn recv_line(
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
fn rest_of_lines(
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
fn wait_child(child: &mut Child, what: &str) -> ExitStatus {
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
fn level_db(c: usize) -> f64 {
    -3.0 - 2.0 * c as f64
}

/// Full-scale samples channel `c` carries: positive (+8388607) and negative (-8388608).
fn clips(c: usize, channels: usize) -> (u64, u64) {
    (c as u64 + 1, (channels - c) as u64)
}

/// Seconds of 997 Hz sine, then silence, then the isolated full-scale samples, then silence.
const SINE_S: f64 = 1.5;
const GAP_S: f64 = 0.5;
/// Zero samples between two full-scale ones: every full-scale sample is its own over.
const CLIP_SPACING: usize = 101;

fn write_wav(path: &Path, channels: usize) {
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

fn aux_positions(channels: usize) -> String {
    (0..channels)
        .map(|c| format!("AUX{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn null_sink(name: &str, channels: usize) -> String {
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
fn pipewire_conf() -> String {
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
const WIREPLUMBER_MAIN: &str = "alsa_monitor.enabled = false\n\
    v4l2_monitor.enabled = false\n\
    libcamera_monitor.enabled = false\n";
const WIREPLUMBER_BLUETOOTH: &str = "bluez_monitor.enabled = false\n";

/// One private server at a time: four sets of daemons at once on a small CI machine starve
/// each other's timers, and a test here is about the server's audio, not about load.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Every process of one private server, each in a process group of its own.
struct Server {
    dir: tempfile::TempDir,
    children: Vec<Child>,
    /// Released after `drop` has ended the daemons.
    _turn: MutexGuard<'static, ()>,
}

impl Server {
    fn run_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// The environment every process of the test runs in: nothing points at the user's.
    fn env(&self, cmd: &mut Command) {
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

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd
    }

    fn spawn(&mut self, mut cmd: Command, log: &str) {
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

    fn start() -> Server {
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

    fn output(&self, program: &str, args: &[&str]) -> String {
        let out = self
            .command("timeout")
            .args([COMMAND_DEADLINE_S, program])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls for a daemon's readiness; a daemon that died says so with its log.
    fn wait_for(&mut self, ready: impl Fn(&Server) -> bool, what: &str) {
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
    fn gainstage_err(&self) -> PathBuf {
        self.dir.path().join("gainstage.err")
    }

    /// What `gainstage` said on stderr so far.
    fn gainstage_said(&self) -> String {
        std::fs::read_to_string(self.gainstage_err()).unwrap_or_default()
    }

    /// `gainstage ARGS` with its stdout lines arriving on a channel.
    fn gainstage(&self, wrapper: &[&str], args: &[&str]) -> (Child, Receiver<serde_json::Value>) {
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

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// What one monitor run printed: every line, the summary last.
struct Run {
    lines: Vec<serde_json::Value>,
    stderr: String,
}

/// Runs `gainstage monitor` on `device`, plays the WAV into `sink` once audio flows, lets
/// half a second of audio pass after the player ends, and stops the monitor with Ctrl-C.
fn meter_playback(server: &Server, host: &str, device: &str, sink: &str, channels: usize) -> Run {
    let wav = server.dir.path().join(format!("{sink}.wav"));
    write_wav(&wav, channels);
    let args = [
        "monitor",
        "--host",
        host,
        "--device",
        device,
        "--json",
        "--interval",
        "100",
    ];
    let (mut child, rx) = server.gainstage(&[], &args);
    let mut lines: Vec<serde_json::Value> = Vec::new();
    let next = |lines: &mut Vec<serde_json::Value>| -> f64 {
        let line = recv_line(&rx, "early", || server.gainstage_said());
        let t = line["t_s"].as_f64().unwrap_or(0.0);
        lines.push(line);
        t
    };
    while next(&mut lines) < 0.3 {}
    let played = server
        .command("timeout")
        .args([COMMAND_DEADLINE_S, "pw-cat"])
        .args(["--playback", "--target", sink, "--channel-map"])
        .arg(
            (0..channels)
                .map(|c| format!("AUX{c}"))
                .collect::<Vec<_>>()
                .join(","),
        )
        .arg(&wav)
        .status()
        .unwrap();
    assert!(played.success(), "pw-cat failed");
    let t_end = next(&mut lines);
    while next(&mut lines) < t_end + 0.5 {}
    interrupt(&child);
    lines.extend(rest_of_lines(&rx, || server.gainstage_said()));
    let status = wait_child(&mut child, "gainstage after Ctrl-C");
    let stderr = server.gainstage_said();
    assert!(status.success(), "{stderr}");
    Run { lines, stderr }
}

/// Every channel: its sine level on the lines that carry the sine (±0.1 dB), and exactly its
/// positive plus negative full-scale samples counted as clips and overs.
fn assert_levels_and_clips(run: &Run, channels: usize) {
    let summary = run.lines.last().unwrap();
    assert_eq!(summary["summary"], true, "{}", run.stderr);
    let sum_ch = summary["channels"].as_array().unwrap();
    assert_eq!(sum_ch.len(), channels, "every channel of the node opens");
    for (c, ch) in sum_ch.iter().enumerate() {
        let (p, n) = clips(c, channels);
        assert_eq!(
            (ch["clipped_samples"].as_u64(), ch["overs"].as_u64()),
            (Some(p + n), Some(p + n)),
            "channel {}: {p} positive and {n} negative full-scale samples",
            c + 1
        );
        let max = ch["max_sample_peak_dbfs"].as_f64().unwrap();
        assert!(max.abs() < 0.01, "channel {} max peak {max}", c + 1);
    }
    // Lines inside the sine: channel 1 at its level (the clip section reads 0 dBFS).
    let sine_lines: Vec<&serde_json::Value> = run
        .lines
        .iter()
        .filter(|l| l.get("summary").is_none())
        .filter(|l| {
            l["channels"][0]["sample_peak_dbfs"]
                .as_f64()
                .is_some_and(|v| (v - level_db(0)).abs() < 0.1)
        })
        .collect();
    assert!(
        sine_lines.len() >= 5,
        "{} lines in the sine",
        sine_lines.len()
    );
    for line in sine_lines {
        let chans = line["channels"].as_array().unwrap();
        assert_eq!(chans.len(), channels);
        for (c, ch) in chans.iter().enumerate() {
            let v = ch["sample_peak_dbfs"].as_f64().unwrap();
            assert!(
                (v - level_db(c)).abs() <= 0.1,
                "channel {} reads {v} dBFS, wants {}",
                c + 1,
                level_db(c)
            );
        }
    }
}

/// The kernel's own word on a thread: `chrt -p TID` → (policy, priority).
fn chrt(thread_id: i64) -> (String, u64) {
    let out = Command::new("chrt")
        .args(["-p", &thread_id.to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |key: &str| {
        text.lines()
            .find(|l| l.contains(key))
            .and_then(|l| l.rsplit(':').next())
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("chrt -p {thread_id}: {text}"))
    };
    let policy = field("policy").split('|').next().unwrap().trim().to_owned();
    (policy, field("priority").parse().unwrap())
}

#[test]
fn pipewire_host_meters_every_aux_channel_and_counts_every_clip() {
    let server = Server::start();
    let run = meter_playback(&server, "pipewire", "gs-aux8", "gs-aux8", 8);
    // The node's channel positions name the channels.
    let names: Vec<String> = (0..8).map(|c| format!("AUX{c}")).collect();
    assert_eq!(
        run.lines[0]["source"]["channel_names"],
        serde_json::json!(names)
    );
    assert_eq!(run.lines[0]["source"]["host"], "PipeWire");
    assert_levels_and_clips(&run, 8);
}

#[test]
fn pulse_host_meters_a_sixteen_channel_monitor_and_counts_every_clip() {
    let server = Server::start();
    let run = meter_playback(&server, "pulse", "gs-aux16.monitor", "gs-aux16", 16);
    assert_levels_and_clips(&run, 16);
}

/// The first line that has audio says what the kernel runs the callback thread at; `chrt`
/// on that thread, asked while it runs, says the same.
fn realtime_as_chrt_sees_it(wrapper: &[&str]) -> serde_json::Value {
    let server = Server::start();
    let args = [
        "monitor",
        "--host",
        "pipewire",
        "--device",
        "gs-aux8",
        "--json",
        "--interval",
        "100",
    ];
    let (mut child, rx) = server.gainstage(wrapper, &args);
    let rt = loop {
        let line = recv_line(&rx, "before saying its priority", || {
            server.gainstage_said()
        });
        if let Some(rt) = line.get("realtime") {
            break rt.clone();
        }
    };
    let (policy, priority) = chrt(rt["thread_id"].as_i64().unwrap());
    interrupt(&child);
    rest_of_lines(&rx, || server.gainstage_said());
    assert!(wait_child(&mut child, "gainstage after Ctrl-C").success());
    assert_eq!(rt["policy"].as_str(), Some(policy.as_str()), "{rt}");
    assert_eq!(rt["priority"].as_u64(), Some(priority), "{rt}");
    assert_eq!(
        rt["granted"].as_bool(),
        Some(policy == "SCHED_FIFO" || policy == "SCHED_RR")
    );
    rt
}

#[test]
fn callback_priority_is_reported_as_the_kernel_has_it() {
    let rt = realtime_as_chrt_sees_it(&[]);
    if rt["granted"] == true {
        assert_eq!(rt["why"], serde_json::Value::Null);
    } else {
        assert!(rt["why"].as_str().is_some_and(|w| !w.is_empty()), "{rt}");
    }
}

#[test]
fn refused_priority_is_reported_with_the_reason() {
    // RLIMIT_RTPRIO 0, and for root also no CAP_SYS_NICE: the kernel must refuse.
    let root = String::from_utf8(Command::new("id").arg("-u").output().unwrap().stdout)
        .unwrap()
        .trim()
        == "0";
    let mut wrapper = vec!["prlimit", "--rtprio=0:0"];
    if root {
        wrapper.extend([
            "setpriv",
            "--bounding-set=-sys_nice",
            "--inh-caps=-sys_nice",
        ]);
    }
    let rt = realtime_as_chrt_sees_it(&wrapper);
    assert_eq!(rt["granted"], false, "{rt}");
    assert_eq!(rt["policy"], "SCHED_OTHER");
    let why = rt["why"].as_str().unwrap();
    assert!(why.contains("RLIMIT_RTPRIO 0"), "{why}");
}

/// 997 Hz sines at `peaks_dbfs`, one a channel, 24-bit.
fn write_sines(path: &Path, peaks_dbfs: &[f64], seconds: f64) {
    let spec = hound::WavSpec {
        channels: peaks_dbfs.len() as u16,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(seconds * f64::from(RATE)) as usize {
        let x = (std::f64::consts::TAU * 997.0 * i as f64 / f64::from(RATE)).sin();
        for p in peaks_dbfs {
            w.write_sample((10f64.powf(p / 20.0) * x * 8_388_607.0).round() as i32)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

/// `monitor --soundcheck 3 --apply --host pipewire` on a node whose input 1 peaks at -3 dBFS:
/// the soundcheck asks 9 dB down, gainstage sets the node's channel volume, listens again, and
/// the level it measures has dropped by the amount set, within 0.1 dB; input 2, at the
/// target, is left alone.
#[test]
fn soundcheck_apply_cuts_a_hot_input_and_the_level_drops_by_the_amount_set() {
    let mut server = Server::start();
    let wav = server.dir.path().join("preamp.wav");
    write_sines(&wav, &[-3.0, -12.0], 12.0);
    let mut player = server.command("pw-cat");
    player
        .args([
            "--playback",
            "--target",
            "gs-pre2",
            "--channel-map",
            "AUX0,AUX1",
        ])
        .arg(&wav);
    server.spawn(player, "pw-cat.log");
    server.wait_for(
        |s| {
            s.output("pw-link", &["-l"])
                .contains("gs-pre2:playback_AUX1")
        },
        "pw-cat playing into gs-pre2",
    );
    let listed = server
        .command(env!("CARGO_BIN_EXE_gainstage"))
        .args([
            "preamps", "--host", "pipewire", "--device", "gs-pre2", "--json",
        ])
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["through"], "pipewire", "{listed}");
    assert_eq!(listed[0]["gain_db"], 0.0, "{listed}");
    // A virtual node: the volume is PipeWire's own, not a hardware preamp's.
    assert_eq!(listed[0]["hardware"], false, "{listed}");

    let out = server
        .command(env!("CARGO_BIN_EXE_gainstage"))
        .args([
            "monitor",
            "--host",
            "pipewire",
            "--device",
            "gs-pre2",
            "--soundcheck",
            "3",
            "--apply",
            "--json",
            "--interval",
            "100",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let applied = last["applied"]
        .as_array()
        .unwrap_or_else(|| panic!("{last}\n{stderr}"));
    assert_eq!(applied.len(), 1, "only the hot input is changed: {last}");
    let a = &applied[0];
    assert_eq!(a["input"], 1);
    assert_eq!(
        (a["from_db"].as_f64(), a["to_db"].as_f64()),
        (Some(0.0), Some(-9.0)),
        "{a}"
    );
    let measured = a["measured_db"].as_f64().unwrap();
    eprintln!("channel volume set -9.0 dB, level measured {measured:+.2} dB");
    assert!(
        (measured - -9.0).abs() <= 0.1,
        "measured {measured} dB for -9 dB set: {a}"
    );
    assert_eq!(a["verdict"], "took", "{a}");
    // The node holds the volume set: 10^(-9/20) on channel 1, unity on channel 2.
    let dump: serde_json::Value = serde_json::from_str(&server.output("pw-dump", &[])).unwrap();
    let node = dump
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["info"]["props"]["node.name"] == "gs-pre2")
        .unwrap();
    let volumes = node["info"]["params"]["Props"][0]["channelVolumes"].clone();
    let v: Vec<f64> = volumes
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!((v[0] - 10f64.powf(-9.0 / 20.0)).abs() < 1e-5, "{volumes}");
    assert!((v[1] - 1.0).abs() < 1e-6, "{volumes}");
}
