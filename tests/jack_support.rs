//! Shared by the JACK tests (included with `#[path]`): a private dummy JACK server that is
//! stopped on drop, a monitor child process killed on drop, and JSON line helpers.
// Linux: the JACK tests run a real jackd (and this file is its own test target too).
#![cfg(target_os = "linux")]
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// How long [`JackServer::stop`] waits for jackd to exit on SIGTERM before it kills it.
const SIGTERM_PATIENCE: Duration = Duration::from_secs(30);

/// A jackd on a private name, so parallel tests and a user's server are never touched.
#[derive(Debug)]
pub struct JackServer {
    pub name: String,
    child: Option<Child>,
}

impl JackServer {
    pub fn start(name: &str) -> JackServer {
        let mut s = JackServer {
            name: name.to_owned(),
            child: None,
        };
        // A crashed earlier run of this very name may have left its files; nobody else's.
        remove_own_files(&s.name);
        s.restart();
        s
    }

    pub fn unique_name(tag: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        format!("gs_{tag}_{}_{nanos}", std::process::id())
    }

    /// Starts jackd and waits until a client can connect.
    pub fn restart(&mut self) {
        let log = std::fs::File::create(self.log_path()).unwrap();
        let child = Command::new("jackd")
            .args([
                "-n",
                &self.name,
                "--no-realtime",
                "-d",
                "dummy",
                "-r",
                "48000",
                "-p",
                "256",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("jackd must be installed (scripts/install-deps)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let ok = Command::new("jack_lsp")
                .env("JACK_DEFAULT_SERVER", &self.name)
                .env("JACK_NO_START_SERVER", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let said = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let said: Vec<&str> = said.lines().filter(|l| !l.contains("XRun")).collect();
        // "Too many servers": JACK's registry has 8 slots and keeps entries of servers that were
        // SIGKILLed under other names. Only whoever owns those servers may clear them.
        panic!(
            "jackd {} did not come up; it said:\n{}",
            self.name,
            said.join("\n")
        );
    }

    /// jackd's stderr, in the temporary directory, removed on drop.
    fn log_path(&self) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("{}.jackd.log", self.name))
    }

    /// Stops jackd the way an operator does (SIGTERM), so it takes its entry out of JACK's
    /// shared-memory server registry. A SIGKILLed server leaves its entry behind, and after
    /// eight of them no server can start on the machine at all ("Too many servers").
    /// Returns false when it had to kill jackd instead.
    pub fn stop(&mut self) -> bool {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            // Patient: with clients that were killed still on its books, jackd 1.9.21 took
            // 6.07 s to exit on SIGTERM (measured in the reconnect test). The 5 s this waited
            // before sent SIGKILL on every slow run, and each left a registry entry: eight
            // runs filled the registry.
            let deadline = Instant::now() + SIGTERM_PATIENCE;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            self.child = Some(c);
            self.kill_hard();
            return false;
        }
        true
    }

    /// Stops jackd and fails the test if it had to be killed: a killed server leaves its
    /// entry in JACK's registry of 8 servers for good.
    pub fn stop_cleanly(&mut self) {
        assert!(
            self.stop(),
            "jackd {} had to be killed: it leaves its registry entry",
            self.name
        );
    }

    /// Kills jackd (SIGKILL), as a crash would, and removes the files it leaves behind.
    pub fn kill_hard(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
            // A killed server leaves its socket and semaphores: ours to remove, so this name
            // can start again. Its registry slot is reclaimed by JACK when it does.
            remove_own_files(&self.name);
        }
    }
}

/// Removes the files JACK keeps in `/dev/shm` for the server `name` (its socket
/// `jack_<name>_<uid>_<n>` and semaphores `jack_sem.<uid>_<name>_<client>`), which only a server
/// that did not exit cleanly leaves behind. The shared registry (`jack-shm-registry`) and the
/// segments it lists belong to every server on the machine, a user's jackdbus included: never
/// touched. A restart under the same name reclaims this server's registry entry and segments.
fn remove_own_files(name: &str) {
    let Ok(entries) = std::fs::read_dir("/dev/shm") else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        if is_own_file(&file.to_string_lossy(), name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether `/dev/shm/<file>` belongs to the JACK server `name` alone.
pub fn is_own_file(file: &str, name: &str) -> bool {
    let after_uid = |rest: &str| {
        rest.split_once('_')
            .filter(|(uid, _)| !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, tail)| tail.to_owned())
    };
    if let Some(rest) = file.strip_prefix("jack_sem.") {
        // jack_sem.<uid>_<name>_<client>
        return after_uid(rest).is_some_and(|t| t.starts_with(&format!("{name}_")));
    }
    // jack_<name>_<uid>_<n>: the name must be followed by exactly two numbers.
    file.strip_prefix("jack_")
        .and_then(|rest| rest.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| {
            let parts: Vec<&str> = rest.split('_').collect();
            parts.len() == 2
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

impl Drop for JackServer {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_file(self.log_path());
    }
}

/// A running `gainstage monitor --json`; lines arrive on a channel so reads can time out.
#[derive(Debug)]
pub struct Monitor {
    child: Child,
    pub lines: Receiver<serde_json::Value>,
    /// Its settings and session log: a private directory, never the user's.
    _dirs: tempfile::TempDir,
}

impl Monitor {
    pub fn start(server: &str, args: &[&str]) -> Monitor {
        let dirs = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_gainstage"))
            .arg("monitor")
            .args(args)
            .env("GAINSTAGE_CONFIG_DIR", dirs.path())
            .env("GAINSTAGE_DATA_DIR", dirs.path())
            .env("JACK_DEFAULT_SERVER", server)
            .env("JACK_NO_START_SERVER", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: serde_json::Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Monitor {
            child,
            lines: rx,
            _dirs: dirs,
        }
    }

    /// Ends the monitor as Ctrl-C does (SIGTERM): it prints its summary line and exits.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
    }

    /// Waits for the process to end; returns its exit status success.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("monitor did not exit within {timeout:?}");
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our monitor's JACK input ports in channel order, once exactly one monitor client shows at
/// least `channels` of them (while a client is being replaced, two can be listed at once).
pub fn monitor_ports(client: &jack::Client, channels: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ports = client.ports(
            Some("cpal_client_.*_in:in_.*"),
            None,
            jack::PortFlags::IS_INPUT,
        );
        let mut owners: Vec<&str> = ports.iter().filter_map(|p| p.split(':').next()).collect();
        owners.sort_unstable();
        owners.dedup();
        if owners.len() == 1 && ports.len() >= channels {
            let mut ports = ports.clone();
            ports.sort_by_key(|p| p.rsplit('_').next().unwrap().parse::<usize>().unwrap());
            return ports;
        }
        assert!(
            Instant::now() < deadline,
            "monitor ports never appeared: {ports:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Connects `sources` one to one to the monitor's inputs. The monitor's client registers its
/// ports before it activates, and JACK refuses a connection to an inactive client's port
/// ("Cannot connect ports owned by inactive clients"), so a refusal is retried, with the ports
/// listed afresh, until the client is active or the deadline passes.
pub fn connect_to_monitor(client: &jack::Client, sources: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ports = monitor_ports(client, sources.len());
        let refused = sources.iter().zip(&ports).find_map(|(src, dst)| {
            let linked = client
                .port_by_name(src)
                .and_then(|p| p.is_connected_to(dst).ok())
                .unwrap_or(false);
            if linked {
                return None;
            }
            client
                .connect_ports_by_name(src, dst)
                .err()
                .map(|e| format!("{src} -> {dst}: {e}"))
        });
        let Some(refused) = refused else { return };
        assert!(Instant::now() < deadline, "never connected: {refused}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn f(v: &serde_json::Value, key: &str) -> Option<f64> {
    v.get(key).and_then(serde_json::Value::as_f64)
}

pub fn u(v: &serde_json::Value, key: &str) -> u64 {
    v.get(key).and_then(serde_json::Value::as_u64).unwrap()
}

pub type Process = Box<dyn FnMut(&jack::Client, &jack::ProcessScope) -> jack::Control + Send>;

/// A JACK client playing a 1 kHz sine per channel at `levels_db`, plus, once `go` is set,
/// `count` isolated samples of `value` on each listed channel, 50 ms apart.
pub struct Player {
    pub client: jack::AsyncClient<(), jack::contrib::ClosureProcessHandler<(), Process>>,
    pub go: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub played: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

impl std::fmt::Debug for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Player").finish_non_exhaustive()
    }
}

impl Player {
    pub fn start(name: &str, levels_db: Vec<f64>, overs: Vec<(usize, u32, f32)>) -> Player {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
        let (client, _) = jack::Client::new(name, jack::ClientOptions::NO_START_SERVER).unwrap();
        let rate = f64::from(client.sample_rate());
        let mut outs: Vec<jack::Port<jack::AudioOut>> = (0..levels_db.len())
            .map(|c| {
                client
                    .register_port(&format!("out_{c}"), jack::AudioOut::default())
                    .unwrap()
            })
            .collect();
        let names: Vec<String> = outs.iter().map(|p| p.name().unwrap()).collect();
        let go = Arc::new(AtomicBool::new(false));
        let played = Arc::new(AtomicU32::new(0));
        let (go_rt, played_rt) = (Arc::clone(&go), Arc::clone(&played));
        let mut frame: u64 = 0;
        let mut armed_frame: u64 = 0;
        let mut done = vec![0u32; overs.len()];
        let body: Process = Box::new(move |_, ps| {
            let n = ps.n_frames() as usize;
            let armed = go_rt.load(Ordering::Acquire);
            for (c, port) in outs.iter_mut().enumerate() {
                let a = 10f64.powf(levels_db[c] / 20.0);
                let buf = port.as_mut_slice(ps);
                for (i, x) in buf.iter_mut().enumerate() {
                    let t = (frame + i as u64) as f64 / rate;
                    *x = (a * (std::f64::consts::TAU * 1000.0 * t).sin()) as f32;
                }
                if !armed {
                    continue;
                }
                for (k, &(ch, count, value)) in overs.iter().enumerate() {
                    if ch != c {
                        continue;
                    }
                    for (i, x) in buf.iter_mut().enumerate() {
                        if (armed_frame + i as u64) % 2400 == 100 && done[k] < count {
                            *x = value;
                            done[k] += 1;
                        }
                    }
                }
            }
            if armed {
                armed_frame += n as u64;
                played_rt.store(done.iter().sum(), Ordering::Release);
            }
            frame += n as u64;
            jack::Control::Continue
        });
        let client = client
            .activate_async((), jack::contrib::ClosureProcessHandler::new(body))
            .unwrap();
        connect_to_monitor(client.as_client(), &names);
        Player { client, go, played }
    }

    /// Arms the overs once the connections are surely live, and waits until all are played.
    pub fn play_overs(&self, total: u32) {
        use std::sync::atomic::Ordering;
        std::thread::sleep(Duration::from_millis(300));
        self.go.store(true, Ordering::Release);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.played.load(Ordering::Acquire) < total {
            assert!(Instant::now() < deadline, "player stuck");
            std::thread::sleep(Duration::from_millis(20));
        }
        // Let the last one travel through the monitor's ring and meter thread.
        std::thread::sleep(Duration::from_millis(300));
    }
}
