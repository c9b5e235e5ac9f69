//! Shared by the JACK tests (included with `#[path]`): a private dummy JACK server that is
//! killed on drop, a monitor child process killed on drop, and JSON line helpers.
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

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
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
