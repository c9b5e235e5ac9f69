//! A real headless browser: Chromium driven over the DevTools protocol, Firefox over WebDriver
//! BiDi (both a WebSocket, so the test needs no more than the client it already has): open a
//! page at a size, evaluate, screenshot. Each browser runs on a fresh profile in a temporary
//! directory, which is also its HOME, talks to loopback only, and is killed when dropped.
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
    protocol: Protocol,
}

/// How the browser is driven.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Protocol {
    /// Chromium's DevTools protocol.
    DevTools,
    /// WebDriver BiDi (Firefox).
    Bidi,
}

/// One tab: its DevTools session, or its BiDi browsing context.
pub struct Page(String);

/// Firefox preferences that keep a test browser on loopback: no update, telemetry, remote
/// settings, safe-browsing, push or captive-portal traffic, and any other request sent to a
/// proxy on a closed loopback port instead of the network (so not even a DNS lookup leaves).
const FIREFOX_PREFS: &[(&str, &str)] = &[
    ("network.proxy.type", "1"),
    ("network.proxy.http", "\"127.0.0.1\""),
    ("network.proxy.http_port", "9"),
    ("network.proxy.ssl", "\"127.0.0.1\""),
    ("network.proxy.ssl_port", "9"),
    ("network.proxy.no_proxies_on", "\"\""),
    ("network.proxy.allow_hijacking_localhost", "false"),
    ("network.dns.disablePrefetch", "true"),
    ("network.predictor.enabled", "false"),
    ("network.trr.mode", "5"),
    ("network.captive-portal-service.enabled", "false"),
    ("network.connectivity-service.enabled", "false"),
    ("dom.push.connection.enabled", "false"),
    ("app.normandy.enabled", "false"),
    ("app.update.auto", "false"),
    ("app.update.enabled", "false"),
    ("app.update.disabledForTesting", "true"),
    ("browser.safebrowsing.malware.enabled", "false"),
    ("browser.safebrowsing.phishing.enabled", "false"),
    ("browser.safebrowsing.downloads.enabled", "false"),
    ("datareporting.policy.dataSubmissionEnabled", "false"),
    ("datareporting.healthreport.uploadEnabled", "false"),
    ("toolkit.telemetry.enabled", "false"),
    ("messaging-system.rsexperimentloader.enabled", "false"),
    ("extensions.update.enabled", "false"),
    ("extensions.getAddons.cache.enabled", "false"),
    ("extensions.blocklist.enabled", "false"),
    ("media.gmp-manager.updateEnabled", "false"),
    ("media.gmp-manager.url", "\"data:,\""),
    ("media.gmp-gmpopenh264.enabled", "false"),
    ("browser.region.network.url", "\"\""),
    ("browser.region.update.enabled", "false"),
    ("browser.search.update", "false"),
    ("browser.newtabpage.enabled", "false"),
    ("browser.shell.checkDefaultBrowser", "false"),
    ("browser.startup.homepage_override.mstone", "\"ignore\""),
    (
        "services.settings.server",
        "\"data:,#remote-settings-dummy/v1\"",
    ),
];

/// Waits while `child` lives (up to a last-resort 5 minutes: a cold first start on a busy
/// machine has taken over 30 s) for `endpoint` to find the browser's WebSocket address; kills
/// the browser and fails the test if it never does.
async fn wait_for_endpoint(
    child: &mut Child,
    name: &str,
    mut endpoint: impl FnMut() -> Option<String>,
) -> String {
    for _ in 0..6000 {
        if let Some(e) = endpoint() {
            return e;
        }
        if !matches!(child.try_wait(), Ok(None)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let status = child.wait();
    panic!("{name} never opened its remote port (it ended: {status:?})");
}

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
            .env("HOME", profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium (scripts/install-deps --tests installs it)");
        // Chromium writes the port it chose and the browser's endpoint here once it listens.
        let file = profile.path().join("DevToolsActivePort");
        let endpoint = wait_for_endpoint(&mut child, "chromium", || {
            let text = std::fs::read_to_string(&file).ok()?;
            let lines: Vec<&str> = text.lines().collect();
            (lines.len() >= 2).then(|| format!("ws://127.0.0.1:{}{}", lines[0], lines[1]))
        })
        .await;
        let ws = tokio_tungstenite::connect_async(endpoint).await.unwrap().0;
        Browser {
            child,
            _profile: profile,
            ws,
            next: 0,
            protocol: Protocol::DevTools,
        }
    }

    /// Firefox (Debian's `firefox-esr`), headless, driven over WebDriver BiDi.
    pub async fn launch_firefox() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let prefs: String = FIREFOX_PREFS
            .iter()
            .map(|(k, v)| format!("user_pref(\"{k}\", {v});\n"))
            .collect();
        std::fs::write(profile.path().join("user.js"), prefs).unwrap();
        let mut child = Command::new("firefox-esr")
            .args(["--headless", "--no-remote", "--remote-debugging-port=0"])
            .arg("--profile")
            .arg(profile.path())
            .arg("about:blank")
            .env("HOME", profile.path())
            .env("XDG_CACHE_HOME", profile.path().join("cache"))
            // Release builds honour `services.settings.server` only with this set.
            .env("MOZ_REMOTE_SETTINGS_DEVTOOLS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("firefox-esr (scripts/install-deps --tests installs it)");
        // Firefox writes the port it chose here once its BiDi server listens.
        let file = profile.path().join("WebDriverBiDiServer.json");
        let endpoint = wait_for_endpoint(&mut child, "firefox", || {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).ok()?).ok()?;
            Some(format!("ws://127.0.0.1:{}/session", v["ws_port"].as_u64()?))
        })
        .await;
        let ws = tokio_tungstenite::connect_async(endpoint).await.unwrap().0;
        let mut browser = Browser {
            child,
            _profile: profile,
            ws,
            next: 0,
            protocol: Protocol::Bidi,
        };
        browser
            .call(None, "session.new", json!({"capabilities": {}}))
            .await;
        browser
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Sends one command and returns its result (DevTools: on `session`'s tab).
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
                // BiDi events carry no id; DevTools events no matching one.
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
        if self.protocol == Protocol::Bidi {
            // BiDi has no mobile emulation; the pages lay out by viewport size alone.
            let created = self
                .call(None, "browsingContext.create", json!({"type": "tab"}))
                .await;
            let page = Page(created["context"].as_str().unwrap().to_owned());
            self.call(
                None,
                "browsingContext.setViewport",
                json!({"context": page.0, "viewport": {"width": width, "height": height},
                       "devicePixelRatio": scale}),
            )
            .await;
            self.call(
                None,
                "browsingContext.navigate",
                json!({"context": page.0, "url": url, "wait": "none"}),
            )
            .await;
            return page;
        }
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

    /// Makes `page` the tab in front. A browser runs no animation frames for tabs behind, so a
    /// page drawn from them is only current in front (each real viewer has one page, in front).
    pub async fn bring_to_front(&mut self, page: &Page) {
        match self.protocol {
            Protocol::Bidi => {
                self.call(None, "browsingContext.activate", json!({"context": page.0}))
                    .await;
            }
            Protocol::DevTools => {
                self.call(Some(&page.0), "Page.bringToFront", json!({}))
                    .await;
            }
        }
    }

    /// The value of `expression` in the page, as JSON (`null` for undefined or an exception).
    pub async fn eval(&mut self, page: &Page, expression: &str) -> Value {
        if self.protocol == Protocol::Bidi {
            let r = self
                .call(
                    None,
                    "script.evaluate",
                    json!({"expression": expression, "target": {"context": page.0},
                           "awaitPromise": false}),
                )
                .await;
            // A remote value: primitives carry `value`; undefined, null and objects we don't ask
            // for read as null.
            return r["result"]["value"].clone();
        }
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
        let r = match self.protocol {
            Protocol::DevTools => {
                self.call(
                    Some(&page.0),
                    "Page.captureScreenshot",
                    json!({"format": "png"}),
                )
                .await
            }
            Protocol::Bidi => {
                self.call(
                    None,
                    "browsingContext.captureScreenshot",
                    json!({"context": page.0}),
                )
                .await
            }
        };
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
