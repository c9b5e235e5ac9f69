//! Shared by the JACK tests (included with `#[path]`): a private dummy JACK server that is
//! stopped on drop, a monitor child process killed on drop, and JSON line helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

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
        // Only before the first start: a monitor that is already running keeps JACK's registry
        // mapped, and would never find a restarted server in a registry made anew.
        clear_stale_registry();
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
            .stderr(Stdio::null())
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
        panic!("jackd {} did not come up", self.name);
    }

    /// Stops jackd the way an operator does (SIGTERM), so it takes its entry out of JACK's
    /// shared-memory server registry. A SIGKILLed server leaves its entry behind, and after
    /// eight of them no server can start on the machine at all ("Too many servers").
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// With no jackd alive, every entry in JACK's registry is stale (left by killed servers, ours
/// or a crashed run's): remove them so this test's server can register.
fn clear_stale_registry() {
    let any_alive = Command::new("pgrep")
        .args(["-x", "jackd"])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(true);
    if any_alive {
        return;
    }
    if let Ok(entries) = std::fs::read_dir("/dev/shm") {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name == "jack-shm-registry" || name.starts_with("jack_") || name.starts_with("jack-")
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

impl Drop for JackServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running `gainstage monitor --json`; lines arrive on a channel so reads can time out.
#[derive(Debug)]
pub struct Monitor {
    child: Child,
    pub lines: Receiver<serde_json::Value>,
}

impl Monitor {
    pub fn start(server: &str, args: &[&str]) -> Monitor {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gainstage"))
            .arg("monitor")
            .args(args)
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
        Monitor { child, lines: rx }
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

/// Our monitor's JACK input ports in channel order.
pub fn monitor_ports(client: &jack::Client, channels: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mut ports = client.ports(
            Some("cpal_client_.*_in:in_.*"),
            None,
            jack::PortFlags::IS_INPUT,
        );
        if ports.len() >= channels {
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
        let ports = monitor_ports(client.as_client(), names.len());
        for (src, dst) in names.iter().zip(&ports) {
            client.as_client().connect_ports_by_name(src, dst).unwrap();
        }
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
