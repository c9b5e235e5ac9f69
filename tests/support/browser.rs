//! A real headless Chromium driven over the DevTools protocol (a WebSocket, so the test needs
//! no more than the client it already has): open a page at a size, evaluate, screenshot. The
//! browser runs on a fresh profile in a temporary directory and is killed when dropped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: Ws,
    next: u64,
}

/// One tab.
pub struct Page(String);

/// A screenshot as RGBA pixels.
pub struct Shot {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
    pub png: Vec<u8>,
}

impl Shot {
    pub fn pixel(&self, x: f64, y: f64) -> [u8; 3] {
        let (x, y) = (x.round() as usize, y.round() as usize);
        let i = (y.min(self.height - 1) * self.width + x.min(self.width - 1)) * 4;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]
    }
}

/// True when `got` is within `tol` of `want` on every channel.
pub fn near(got: [u8; 3], want: [u8; 3], tol: i32) -> bool {
    got.iter()
        .zip(want)
        .all(|(g, w)| (i32::from(*g) - i32::from(w)).abs() <= tol)
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    pub async fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium (scripts/install-deps --tests installs it)");
        // Chromium writes the port it chose and the browser's endpoint here once it listens.
        let file = profile.path().join("DevToolsActivePort");
        // A cold first start on a busy machine has taken over 30 s: wait as long as Chromium
        // is alive (up to a last-resort 5 minutes), and never leave it running on failure.
        let mut endpoint = None;
        for _ in 0..6000 {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let lines: Vec<&str> = text.lines().collect();
                if lines.len() >= 2 {
                    endpoint = Some(format!("ws://127.0.0.1:{}{}", lines[0], lines[1]));
                    break;
                }
            }
            if !matches!(child.try_wait(), Ok(None)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let Some(endpoint) = endpoint else {
            let _ = child.kill();
            let status = child.wait();
            panic!("chromium never opened its DevTools port (it ended: {status:?})");
        };
        let ws = tokio_tungstenite::connect_async(endpoint).await.unwrap().0;
        Browser {
            child,
            _profile: profile,
            ws,
            next: 0,
        }
    }

    async fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).await.unwrap();
        while let Some(m) = self.ws.next().await {
            if let Ok(Message::Text(t)) = m {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        }
        panic!("the browser went away during {method}");
    }

    /// Opens `url` in a new tab of `width`×`height` CSS pixels at `scale` device pixels each.
    pub async fn open(
        &mut self,
        url: &str,
        width: u32,
        height: u32,
        scale: f64,
        mobile: bool,
    ) -> Page {
        let target = self
            .call(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let attached = self
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        let page = Page(attached["sessionId"].as_str().unwrap().to_owned());
        self.call(
            Some(&page.0),
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile}),
        )
        .await;
        self.call(Some(&page.0), "Page.navigate", json!({"url": url}))
            .await;
        page
    }

    pub async fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let r = self
            .call(
                Some(&page.0),
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the page; false if it never was (after ~30 s).
    pub async fn wait_for(&mut self, page: &Page, expression: &str) -> bool {
        for _ in 0..600 {
            if self.eval(page, expression).await == json!(true) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    pub async fn screenshot(&mut self, page: &Page) -> Shot {
        use base64::Engine;
        let r = self
            .call(
                Some(&page.0),
                "Page.captureScreenshot",
                json!({"format": "png"}),
            )
            .await;
        let png_bytes = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap())
            .unwrap();
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes.clone()));
        decoder.set_transformations(
            png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
        );
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgba);
        buf.truncate(info.buffer_size());
        Shot {
            width: info.width as usize,
            height: info.height as usize,
            rgba: buf,
            png: png_bytes,
        }
    }
}
