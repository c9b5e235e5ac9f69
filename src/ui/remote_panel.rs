//! The Remote panel: the GUI serves its own session to browsers on the network, as
//! `gainstage serve` does. On or off, the address to listen on, and while serving: one URL per
//! local address, a QR code of the likeliest (or the one clicked) to scan from a phone, the
//! control link with this run's token, and how many are watching. This keeps the server; the
//! app, which has the session, says what to serve.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use iced::widget::{button, checkbox, column, container, qr_code, row, text, text_input};
use iced::{Color, Element, Length};

use super::palette::{self, Neutral};
use crate::advisor::ChannelPlan;
use crate::remote::{Remote, RemoteConfig, RemoteSource, Token, local_urls};

/// The QR code's modules on screen (logical px): a version-2 code (URLs up to 26 characters at
/// medium error correction) is 25 modules, 264 px with its quiet zone and frame, about 7 cm on a
/// 96 dpi screen: read by a phone at arm's length.
const QR_CELL: f32 = 8.0;

#[derive(Debug, Clone)]
pub enum Message {
    /// Serving on or off.
    Toggle(bool),
    /// The address as typed.
    Listen(String),
    /// The view key as typed.
    ViewKey(String),
    /// Use the address and view key typed (Return in either field, or the button).
    ApplyListen,
    /// Put the control link on the clipboard.
    CopyLink,
    /// Show this URL (by its place in the list) as the QR code and in the control link: the
    /// first is the likeliest, but a machine on two networks knows only which is the phone's.
    ShowUrl(usize),
}

/// What the app must do after a change here (it has the session to serve).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// Serve on this address (again, if already serving).
    Serve(SocketAddr),
    Stop,
    /// Not serving; remember this address for when it is switched on.
    Remember(SocketAddr),
    /// Copy this to the clipboard.
    Copy(String),
}

/// A running server and what the panel shows of it.
#[derive(Debug)]
struct Serving {
    remote: Remote,
    /// The GUI's names, presets and levels as last given to the server: only the GUI's own
    /// edits are passed on; a rename from a remote client is taken into the GUI
    /// ([`State::remote_renames`]) and comes back in the next plan.
    plan: ChannelPlan,
    /// The names viewers were given with `plan`: one that differs now was renamed remotely.
    names: Vec<String>,
    urls: Vec<String>,
    /// The URL the QR code and the control link show (an index into `urls`).
    shown: usize,
    /// That URL as a QR code; `None` if it could not be encoded (a URL always fits).
    qr: Option<qr_code::Data>,
}

fn qr_of(url: Option<&String>) -> Option<qr_code::Data> {
    url.and_then(|u| qr_code::Data::with_error_correction(u, qr_code::ErrorCorrection::Medium).ok())
}

#[derive(Debug)]
pub struct State {
    /// The address as typed.
    pub listen: String,
    /// The view key as typed; empty: anyone on the network may view.
    pub view_key: String,
    serving: Option<Serving>,
    /// Why serving is off although it was asked for, or why the address was refused.
    pub error: Option<String>,
    /// This run's control token: the same across restarts for a new input, so a control
    /// link handed out stays good until the GUI quits.
    token: Option<Token>,
    /// The preamps a control client's `apply` and `undo` may set (`--preamp`): the GUI's own
    /// preamps thread, so either side's Undo puts back the other's changes; the changes are
    /// logged as the remote's.
    pub preamps: Option<crate::preamps::worker::PreampWorker>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            listen: crate::settings::DEFAULT_REMOTE_LISTEN.into(),
            view_key: String::new(),
            serving: None,
            error: None,
            token: None,
            preamps: None,
        }
    }
}

/// `ADDR:PORT` as typed, or why not.
pub fn parse_listen(typed: &str) -> Result<SocketAddr, String> {
    let t = typed.trim();
    t.parse::<SocketAddr>().map_err(|_| {
        format!(
            "\"{t}\" is not an address to listen on: ADDR:PORT, such as 0.0.0.0:8040 (every network) or 127.0.0.1:8040 (this machine only)"
        )
    })
}

/// A view key as typed: `None` for none, or why it cannot be one. It goes into links and QR
/// codes as it is, so only characters a URL carries unescaped.
pub fn parse_view_key(typed: &str) -> Result<Option<Token>, String> {
    let t = typed.trim();
    if t.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
    {
        Ok(Token::given(t))
    } else {
        Err("a view key is letters, digits and - . _ ~ only".into())
    }
}

impl State {
    /// A panel showing the saved address and view key (nothing served yet).
    pub fn with_saved(saved: &crate::settings::RemoteSettings) -> Self {
        Self {
            listen: saved.listen.clone(),
            view_key: saved.view_key.clone(),
            ..Self::default()
        }
    }

    pub fn update(&mut self, message: Message) -> Option<Want> {
        match message {
            Message::Listen(t) => {
                self.listen = t;
                None
            }
            Message::ViewKey(t) => {
                self.view_key = t;
                None
            }
            Message::Toggle(false) => {
                self.error = None;
                Some(Want::Stop)
            }
            Message::Toggle(true) => self.checked_listen().map(Want::Serve),
            Message::ApplyListen => {
                let at = self.checked_listen()?;
                Some(if self.is_serving() {
                    Want::Serve(at)
                } else {
                    Want::Remember(at)
                })
            }
            Message::CopyLink => self.control_link().map(Want::Copy),
            Message::ShowUrl(i) => {
                if let Some(s) = &mut self.serving
                    && i < s.urls.len()
                    && i != s.shown
                {
                    s.shown = i;
                    s.qr = qr_of(s.urls.get(i));
                }
                None
            }
        }
    }

    fn checked_listen(&mut self) -> Option<SocketAddr> {
        match parse_view_key(&self.view_key).and(parse_listen(&self.listen)) {
            Ok(at) => {
                self.error = None;
                Some(at)
            }
            Err(why) => {
                self.error = Some(why);
                None
            }
        }
    }

    /// Serves `source` on `at`, after stopping any server running (whose port is free by
    /// then, so the same port can be taken again). Binding is all it waits for.
    pub fn serve(&mut self, source: Option<RemoteSource>, at: SocketAddr) -> Result<(), String> {
        self.stop();
        let result = self.start(source, at);
        self.error = result.as_ref().err().cloned();
        result
    }

    fn start(&mut self, source: Option<RemoteSource>, at: SocketAddr) -> Result<(), String> {
        let source = source.ok_or("no input is open to serve")?;
        let token = match &self.token {
            Some(t) => t.clone(),
            None => Token::random()?,
        };
        self.token = Some(token.clone());
        let view_key = parse_view_key(&self.view_key)?;
        let plan = source.plan.clone();
        let config = RemoteConfig {
            listen: at,
            control_token: Some(token),
            view_token: view_key.clone(),
            preamp_worker: self.preamps.clone(),
            ..RemoteConfig::default()
        };
        let remote = Remote::start(source, config).map_err(|e| e.to_string())?;
        // With a view key, the links shown and scanned carry it: they are for the studio's own.
        let key = view_key.map_or_else(String::new, |k| format!("?key={}", k.as_str()));
        let urls: Vec<String> = local_urls(remote.local_addr())
            .into_iter()
            .map(|u| format!("{u}{key}"))
            .collect();
        let qr = qr_of(urls.first());
        let names = remote.channel_names();
        self.serving = Some(Serving {
            remote,
            plan,
            names,
            urls,
            shown: 0,
            qr,
        });
        Ok(())
    }

    /// Stops serving; the port is free when this returns.
    pub fn stop(&mut self) {
        self.serving = None;
    }

    pub fn is_serving(&self) -> bool {
        self.serving.is_some()
    }

    /// Where the server listens (the real port when 0 was asked for).
    pub fn addr(&self) -> Option<SocketAddr> {
        self.serving.as_ref().map(|s| s.remote.local_addr())
    }

    /// The URLs to open, likeliest first.
    pub fn urls(&self) -> &[String] {
        self.serving.as_ref().map_or(&[], |s| &s.urls)
    }

    /// The URL the QR code holds (the first, unless another was picked).
    pub fn shown_url(&self) -> Option<&str> {
        let s = self.serving.as_ref()?;
        s.urls.get(s.shown).map(String::as_str)
    }

    /// The shown URL with this run's token: whoever opens it may reset meters, run a
    /// soundcheck and mark takes.
    pub fn control_link(&self) -> Option<String> {
        let s = self.serving.as_ref()?;
        let url = self.shown_url()?;
        let join = if url.contains('?') { '&' } else { '?' };
        Some(format!("{url}{join}token={}", s.remote.token().as_str()))
    }

    /// Browsers and clients watching now.
    pub fn viewers(&self) -> Option<usize> {
        self.serving
            .as_ref()
            .map(|s| s.remote.stats().clients.load(Ordering::Relaxed))
    }

    /// Channel names, presets and levels changed in the GUI reach the pages too.
    pub fn set_plan(&mut self, plan: &ChannelPlan) {
        if let Some(s) = &mut self.serving
            && s.plan != *plan
        {
            s.remote.set_plan(plan);
            s.plan = plan.clone();
            s.names = s.remote.channel_names();
        }
    }

    /// Channels a viewer renamed with the control token since the GUI last gave its names
    /// (index from 0, the new name), for the GUI to take in so both show one name.
    pub fn remote_renames(&self) -> Vec<(usize, String)> {
        let Some(s) = &self.serving else {
            return Vec::new();
        };
        s.remote
            .channel_names()
            .into_iter()
            .enumerate()
            .filter(|(i, name)| s.names.get(*i).is_some_and(|given| given != name))
            .collect()
    }

    pub fn view(&self, neutral: Neutral) -> Element<'_, Message> {
        let label = |t: String| text(t).size(16).color(neutral.dim_text);
        let controls = row![
            text("Remote view").size(18).color(neutral.text),
            checkbox(self.is_serving())
                .label("Serve this session to browsers on the network")
                .on_toggle(Message::Toggle)
                .text_size(16),
            label("listen on".into()),
            text_input("0.0.0.0:8040", &self.listen)
                .on_input(Message::Listen)
                .on_submit(Message::ApplyListen)
                .size(16)
                .padding(4)
                .width(200),
            label("view key".into()),
            text_input("none: anyone may view", &self.view_key)
                .on_input(Message::ViewKey)
                .on_submit(Message::ApplyListen)
                .size(16)
                .padding(4)
                .width(200),
            button(text("Use address").size(16))
                .on_press(Message::ApplyListen)
                .style(button::secondary),
        ]
        .spacing(8)
        .align_y(iced::alignment::Vertical::Center);
        let mut body = column![controls].spacing(8);
        if let Some(e) = &self.error {
            body = body.push(text(e.clone()).size(16).color(palette::RED));
        }
        if let Some(s) = &self.serving {
            body = body.push(self.serving_view(s, neutral));
        }
        container(body)
            .padding(10)
            .width(Length::Fill)
            .style(move |_| container::Style::default().background(neutral.panel))
            .into()
    }

    fn serving_view<'a>(&'a self, s: &'a Serving, neutral: Neutral) -> Element<'a, Message> {
        let mut words = column![
            text("Open on a phone, tablet or TV on the same network:")
                .size(16)
                .color(neutral.dim_text)
        ]
        .spacing(4);
        for (i, url) in s.urls.iter().enumerate() {
            let shown = i == s.shown;
            let u = text(url.clone()).size(22).color(if shown {
                neutral.text
            } else {
                neutral.dim_text
            });
            // With two or more, a click puts that one in the QR code.
            words = words.push(if s.urls.len() > 1 {
                Element::from(
                    button(u)
                        .padding(0)
                        .style(button::text)
                        .on_press(Message::ShowUrl(i)),
                )
            } else {
                Element::from(u)
            });
        }
        words = words.push(
            text(if s.urls.len() > 1 {
                "Phone on the same Wi-Fi: scan the code, then tap your input. Not that network? Click another address."
            } else {
                "Phone on the same Wi-Fi: scan the code, then tap your input."
            })
                .size(16)
                .color(neutral.dim_text),
        );
        if let Some(link) = self.control_link() {
            words = words
                .push(
                    text("Control link: whoever has it can reset meters, run soundchecks and mark takes. Keep it to yourself.")
                        .size(16)
                        .color(palette::AMBER),
                )
                .push(
                    row![
                        text(link).size(16).color(neutral.text),
                        button(text("Copy").size(16))
                            .on_press(Message::CopyLink)
                            .style(button::secondary),
                    ]
                    .spacing(8)
                    .align_y(iced::alignment::Vertical::Center),
                );
        }
        let n = s.remote.stats().clients.load(Ordering::Relaxed);
        words = words.push(
            text(match n {
                1 => "1 viewer connected".to_string(),
                n => format!("{n} viewers connected"),
            })
            .size(16)
            .color(neutral.text),
        );
        let mut line = row![].spacing(16);
        if let Some(qr) = &s.qr {
            // Dark on white whatever the theme, with a quiet zone of four modules (the
            // widget draws two, the white frame two more): what a phone's camera needs.
            let code = qr_code(qr).cell_size(QR_CELL).style(|_| qr_code::Style {
                cell: Color::BLACK,
                background: Color::WHITE,
            });
            line = line.push(
                container(code)
                    .padding(2.0 * QR_CELL)
                    .style(|_| container::Style::default().background(Color::WHITE)),
            );
        }
        line.push(words).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_checked_before_anything_is_asked_for() {
        let mut s = State::default();
        assert_eq!(s.listen, "0.0.0.0:8040");
        assert_eq!(
            s.update(Message::Toggle(true)),
            Some(Want::Serve(SocketAddr::from(([0, 0, 0, 0], 8040))))
        );
        for bad in [
            "",
            "8040",
            "localhost:8040",
            "0.0.0.0:70000",
            "10.0.0.256:80",
        ] {
            s.update(Message::Listen(bad.into()));
            assert_eq!(s.update(Message::Toggle(true)), None, "{bad}");
            assert!(
                s.error.as_deref().unwrap_or("").contains("ADDR:PORT"),
                "{bad}: {:?}",
                s.error
            );
        }
        s.update(Message::Listen(" [::1]:9000 ".into()));
        // Not serving: the address is only remembered.
        assert_eq!(
            s.update(Message::ApplyListen),
            Some(Want::Remember(
                "[::1]:9000"
                    .parse()
                    .unwrap_or_else(|_| { SocketAddr::from(([0, 0, 0, 0], 0)) })
            ))
        );
        assert_eq!(s.error, None);
        assert_eq!(s.update(Message::Toggle(false)), Some(Want::Stop));
        assert_eq!(s.update(Message::CopyLink), None, "no link while off");
    }

    /// Status of `GET path` on the server at `addr`.
    fn status(addr: SocketAddr, path: &str) -> u16 {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(addr) else {
            return 0;
        };
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(10)));
        let _ = s.write_all(request.as_bytes());
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    #[test]
    fn a_view_key_guards_viewing_and_goes_into_every_link() {
        let info = crate::snapshot::SourceInfo {
            host: "test".into(),
            device: "test".into(),
            device_id: "test:0".into(),
            sample_rate: 48_000,
            channels: 2,
            buffer_frames: Some(480),
            sample_format: "f32".into(),
            is_demo: false,
            channel_names: Vec::new(),
            clip_rule: Default::default(),
        };
        let Ok((session, _callback)) =
            crate::capture::Session::start_custom(info, &crate::capture::SessionConfig::default())
        else {
            panic!("a caller-fed session starts");
        };
        let source = || RemoteSource {
            reader: session.reader(),
            commander: session.commander(),
            plan: ChannelPlan::default(),
            source: session.source().clone(),
        };
        let at = SocketAddr::from(([127, 0, 0, 1], 0));
        let mut s = State::default();
        s.update(Message::ViewKey("not a key!".into()));
        s.update(Message::Listen("127.0.0.1:0".into()));
        assert_eq!(s.update(Message::ApplyListen), None);
        assert!(
            s.error.as_deref().unwrap_or("").contains("view key"),
            "{:?}",
            s.error
        );

        s.update(Message::ViewKey(" back-room ".into()));
        assert_eq!(s.update(Message::ApplyListen), Some(Want::Remember(at)));
        assert!(s.serve(Some(source()), at).is_ok(), "{:?}", s.error);
        let Some(addr) = s.addr() else {
            panic!("serving");
        };
        assert_eq!(s.urls(), [format!("http://{addr}/?key=back-room")]);
        let link = s.control_link().unwrap_or_default();
        assert!(
            link.starts_with(&format!("http://{addr}/?key=back-room&token=")),
            "{link}"
        );
        assert_eq!(status(addr, "/api/channels"), 401, "no key, no view");
        assert_eq!(status(addr, "/api/channels?key=back-room"), 200);
        let token = link.rsplit("token=").next().unwrap_or_default();
        assert_eq!(status(addr, &format!("/?key=back-room&token={token}")), 200);

        // Cleared: anyone on the network may view again.
        s.update(Message::ViewKey(String::new()));
        assert!(s.serve(Some(source()), at).is_ok());
        let Some(addr) = s.addr() else {
            panic!("serving");
        };
        assert_eq!(s.urls(), [format!("http://{addr}/")]);
        assert_eq!(status(addr, "/api/channels"), 200);
    }

    #[test]
    fn without_an_input_nothing_is_served_and_it_says_why() {
        let mut s = State::default();
        let at = SocketAddr::from(([127, 0, 0, 1], 0));
        assert!(s.serve(None, at).is_err());
        assert!(!s.is_serving());
        assert_eq!(s.error.as_deref(), Some("no input is open to serve"));
    }
}
