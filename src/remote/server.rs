//! The web server: its own small tokio runtime, the router, who may view, and how many.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use tokio::sync::watch;

use super::admission::{Full, Guesses, Place, Places};
use super::control::Token;
use super::hosts::Hosts;
use super::hub::Hub;
pub use super::listen::ConnectionLimits;
use super::ticks::Ticks;
use crate::advisor::ChannelPlan;
use crate::capture::{Commander, SnapshotReader};
use crate::preamps::worker::PreampWorker;

/// How `gainstage serve` (or the GUI) serves a session.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    /// Where the web server listens (port 0: any free port; [`Remote::local_addr`] says which).
    pub listen: SocketAddr,
    /// Viewers served at once; one more is refused with a message.
    pub max_clients: usize,
    /// Viewers served at once from one address (an IPv6 host: its /64), so that one host
    /// can never take every place.
    pub max_clients_per_address: usize,
    /// Connections of every kind, and how long each may keep quiet.
    pub connections: ConnectionLimits,
    /// Names besides IP literals, `localhost` and this machine's own a request's `Host` may
    /// carry (a name in the studio's DNS, a reverse proxy's).
    pub allowed_hosts: Vec<String>,
    /// `/ws` frames per second per client.
    pub frame_hz: f64,
    /// When set, viewing (pages, `/api`, `/ws`) needs `?key=` this token too.
    pub view_token: Option<Token>,
    /// The control token; `None`: a random one for this run.
    pub control_token: Option<Token>,
    /// Origins besides the server's own whose pages may open `/ws` (another gainstage server's
    /// wall showing this one: `http://host-a:8040`). Such a connection never gets control.
    pub allowed_origins: Vec<String>,
    /// Where OSC readings go.
    pub osc_targets: Vec<SocketAddr>,
    /// OSC bundles per second.
    pub osc_rate_hz: f64,
    /// Where OSC control messages are taken.
    pub osc_listen: Option<SocketAddr>,
    /// Preamps the `apply` and `undo` commands may set; `None`: those commands are refused.
    pub preamps: Option<crate::preamps::RigConfig>,
    /// The session log directory the changes are written to (`None`: not logged).
    pub preamp_log_dir: Option<std::path::PathBuf>,
    /// A preamps' thread already running (the GUI's): the server's `apply` and `undo` go to
    /// it instead of a thread of its own, so there is one undo history for both. Wins over
    /// `preamps` and `preamp_log_dir`.
    pub preamp_worker: Option<PreampWorker>,
}

impl Default for RemoteConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8040)),
            max_clients: 64,
            max_clients_per_address: 8,
            connections: ConnectionLimits::default(),
            allowed_hosts: Vec::new(),
            frame_hz: 30.0,
            view_token: None,
            control_token: None,
            allowed_origins: Vec::new(),
            osc_targets: Vec::new(),
            osc_rate_hz: 20.0,
            osc_listen: None,
            preamps: None,
            preamp_log_dir: None,
            preamp_worker: None,
        }
    }
}

/// What a server serves: a session's readers and command queue, and how its channels are set up.
#[derive(Debug, Clone)]
pub struct RemoteSource {
    /// Cloned for each client: a clone is a new, independent reader.
    pub reader: SnapshotReader,
    pub commander: Commander,
    /// Names and presets (thresholds for each strip's colour).
    pub plan: ChannelPlan,
    /// The channel count and the device's own channel names.
    pub source: crate::snapshot::SourceInfo,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{0}")]
    Message(String),
}

/// One channel as the pages and `/api/channels` describe it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChannelInfo {
    pub channel: usize,
    pub name: String,
    pub preset: &'static str,
    pub target_dbtp: f64,
    pub hot_dbtp: f64,
    pub low_dbtp: f64,
}

/// Counts since the server started, for tests, benchmarks and the status line.
#[derive(Debug, Default)]
pub struct RemoteStats {
    /// WebSocket clients connected now.
    pub clients: AtomicUsize,
    /// Clients refused: over `--max-clients` (or an address's share), a wrong view token or a
    /// foreign origin.
    pub refused: AtomicU64,
    /// Connections closed as soon as accepted: over the total or their address's share.
    pub connections_refused: AtomicU64,
    /// Requests refused for a `Host` header that names another site.
    pub hosts_refused: AtomicU64,
    /// Tokens not even compared: their address had sent too many wrong ones.
    pub guesses_refused: AtomicU64,
    /// `/ws` messages sent (frames and events) and their bytes.
    pub messages: AtomicU64,
    pub bytes: AtomicU64,
    /// Clients dropped because they stopped reading.
    pub stalled: AtomicU64,
    /// OSC packets sent and control messages received.
    pub osc_sent: AtomicU64,
    pub osc_received: AtomicU64,
}

/// What every handler and task shares.
#[derive(Debug)]
pub struct State {
    pub prototype: SnapshotReader,
    pub commander: Commander,
    pub source: crate::snapshot::SourceInfo,
    channels: RwLock<Arc<Vec<ChannelInfo>>>,
    pub token: Token,
    pub view_token: Option<Token>,
    pub allowed_origins: Vec<String>,
    /// `/ws` viewers' places.
    viewers: Arc<Places>,
    /// Every connection's place.
    pub connections: Arc<Places>,
    pub limits: ConnectionLimits,
    /// Wrong tokens by address.
    guesses: Guesses,
    /// The names a request's `Host` may carry.
    pub hosts: Hosts,
    pub frame_period: Duration,
    pub stats: Arc<RemoteStats>,
    pub hub: Hub,
    /// The frame clock every `/ws` client follows.
    pub ticks: Ticks,
    /// Presets and levels the remote soundcheck judges by: the GUI's latest edits.
    plan: RwLock<ChannelPlan>,
    /// The preamps' thread (`--preamp`): every call to a preamp waits on the network there,
    /// never on the server's workers.
    pub preamps: Option<PreampWorker>,
    pub stop: watch::Receiver<bool>,
}

impl State {
    pub fn channel_count(&self) -> usize {
        self.source.channels
    }

    /// The channel plan as last given (at start, or by [`Remote::set_plan`]).
    pub fn plan(&self) -> ChannelPlan {
        self.plan
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn channels(&self) -> Arc<Vec<ChannelInfo>> {
        Arc::clone(&self.channels.read().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn rename(&self, index: usize, name: &str) {
        let mut guard = self
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut list = Vec::clone(&guard);
        if let Some(c) = list.get_mut(index) {
            c.name = display_name(name, index);
        }
        *guard = Arc::new(list);
    }

    /// Whether the request from `peer` may view: no view token is set, or it carries the view
    /// or the control token (`?key=`, or `Authorization: Bearer`).
    pub fn may_view(&self, peer: IpAddr, key: Option<&str>, headers: &HeaderMap) -> Access {
        let Some(view) = &self.view_token else {
            return Access::Granted;
        };
        self.check(peer, [key, bearer(headers)], |k| {
            view.matches(k) || self.token.matches(k)
        })
    }

    /// Whether the request from `peer` carries the control token (`?token=` or
    /// `Authorization: Bearer`).
    pub fn may_control(&self, peer: IpAddr, token: Option<&str>, headers: &HeaderMap) -> Access {
        self.check(peer, [token, bearer(headers)], |t| self.token.matches(t))
    }

    /// Whether `token` (a WebSocket command's, an OSC message's) is the control token.
    pub fn is_control_token(&self, peer: IpAddr, token: Option<&str>) -> Access {
        self.check(peer, [token, None], |t| self.token.matches(t))
    }

    /// Compares the candidates given, unless `peer` has sent too many wrong ones; a wrong
    /// one counts against `peer`. No candidate at all is no guess.
    fn check(
        &self,
        peer: IpAddr,
        candidates: [Option<&str>; 2],
        right: impl Fn(&str) -> bool,
    ) -> Access {
        let given: Vec<&str> = candidates.into_iter().flatten().collect();
        if given.is_empty() {
            return Access::Refused;
        }
        if !self.guesses.may_try(peer) {
            self.stats.guesses_refused.fetch_add(1, Ordering::Relaxed);
            return Access::TooManyGuesses;
        }
        if given.iter().any(|c| right(c)) {
            Access::Granted
        } else {
            self.guesses.wrong(peer);
            Access::Refused
        }
    }

    /// A viewer's place for `peer`, or why there is none.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<ClientGuard, Full> {
        match self.viewers.take(peer) {
            Ok(place) => {
                self.stats.clients.fetch_add(1, Ordering::AcqRel);
                Ok(ClientGuard {
                    stats: Arc::clone(&self.stats),
                    _place: place,
                })
            }
            Err(full) => {
                self.stats.refused.fetch_add(1, Ordering::Relaxed);
                Err(full)
            }
        }
    }
}

/// What a token check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Granted,
    /// No token, or a wrong one.
    Refused,
    /// The address sent too many wrong tokens lately: this one was not compared.
    TooManyGuesses,
}

impl Access {
    pub fn granted(self) -> bool {
        self == Access::Granted
    }
}

/// What an address that sent too many wrong tokens is told.
pub const TOO_MANY_GUESSES: &str =
    "too many wrong tokens from this address: wait a minute, then use the link as printed";

/// A viewer's place; gives it back when the viewer is gone, however it went.
#[derive(Debug)]
pub struct ClientGuard {
    stats: Arc<RemoteStats>,
    _place: Place,
}

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.stats.clients.fetch_sub(1, Ordering::AcqRel);
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn display_name(name: &str, index: usize) -> String {
    if name.trim().is_empty() {
        format!("Input {}", index + 1)
    } else {
        name.to_owned()
    }
}

fn channel_list(plan: &ChannelPlan, source: &crate::snapshot::SourceInfo) -> Vec<ChannelInfo> {
    let names = plan.names_for(source.channels);
    (0..source.channels)
        .map(|i| {
            let ch = i + 1;
            let params = plan.params(ch);
            let given = names.get(i).map(String::as_str).unwrap_or("");
            let device = source
                .channel_names
                .get(i)
                .map(String::as_str)
                .unwrap_or("");
            ChannelInfo {
                channel: ch,
                name: display_name(
                    if given.trim().is_empty() {
                        device
                    } else {
                        given
                    },
                    i,
                ),
                preset: plan.preset(ch).name(),
                target_dbtp: params.target_dbtp,
                hot_dbtp: params.hot_dbtp,
                low_dbtp: params.low_dbtp,
            }
        })
        .collect()
}

/// A running server. Dropping it stops every client and task.
#[derive(Debug)]
pub struct Remote {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    osc_addr: Option<SocketAddr>,
    state: Arc<State>,
    stop: watch::Sender<bool>,
}

impl Remote {
    /// Binds the web server (and OSC sockets) and starts serving `source`.
    pub fn start(source: RemoteSource, config: RemoteConfig) -> Result<Remote, RemoteError> {
        let err = |what: &str, e: std::io::Error| RemoteError::Message(format!("{what}: {e}"));
        if !(config.frame_hz.is_finite() && (1.0..=240.0).contains(&config.frame_hz)) {
            return Err(RemoteError::Message(
                "frame rate must be 1 to 240 Hz".into(),
            ));
        }
        if !(config.osc_rate_hz.is_finite() && (0.5..=200.0).contains(&config.osc_rate_hz)) {
            return Err(RemoteError::Message(
                "--osc-rate must be 0.5 to 200 Hz".into(),
            ));
        }
        if config.max_clients == 0 || config.max_clients_per_address == 0 {
            return Err(RemoteError::Message(
                "viewer limits must be at least 1".into(),
            ));
        }
        if let Some(problem) = config.connections.problem() {
            return Err(RemoteError::Message(problem.into()));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            // Two are plenty: a client costs microseconds a frame; more would only compete
            // with the meter thread for cores.
            .worker_threads(2)
            .thread_name("gainstage-remote")
            .enable_all()
            .build()
            .map_err(|e| err("cannot start the web server's runtime", e))?;
        // Bound with std and handed to tokio inside its context: `block_on` would panic when
        // the caller already runs on a runtime (the GUI's, a test's).
        let _context = runtime.enter();
        let listener = std::net::TcpListener::bind(config.listen)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(tokio::net::TcpListener::from_std)
            .map_err(|e| err(&format!("cannot listen on {}", config.listen), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| err("cannot read the listening address", e))?;
        let token = match config.control_token {
            Some(t) => t,
            None => Token::random().map_err(RemoteError::Message)?,
        };
        let preamps = match (config.preamp_worker, config.preamps) {
            (Some(shared), _) => Some(shared),
            // The pages show no gains: the thread reads none.
            (None, Some(rig)) => Some(
                PreampWorker::spawn(
                    rig,
                    0,
                    config.preamp_log_dir,
                    Some(source.commander.clone()),
                )
                .map_err(|e| err("cannot start the preamps' thread", e))?,
            ),
            (None, None) => None,
        };
        let (stop, stop_rx) = watch::channel(false);
        let state = Arc::new(State {
            channels: RwLock::new(Arc::new(channel_list(&source.plan, &source.source))),
            prototype: source.reader,
            commander: source.commander,
            source: source.source,
            token,
            view_token: config.view_token,
            allowed_origins: config.allowed_origins,
            viewers: Places::new(config.max_clients, config.max_clients_per_address),
            connections: Places::new(
                config.connections.max_connections,
                config.connections.max_per_address,
            ),
            limits: config.connections,
            guesses: Guesses::default(),
            hosts: Hosts::new(&config.allowed_hosts),
            frame_period: Duration::from_secs_f64(1.0 / config.frame_hz),
            stats: Arc::new(RemoteStats::default()),
            hub: Hub::new(),
            ticks: Ticks::new(Duration::from_secs_f64(1.0 / config.frame_hz)),
            plan: RwLock::new(source.plan),
            preamps,
            stop: stop_rx,
        });
        runtime.spawn(super::hub::run(Arc::clone(&state)));
        runtime.spawn(super::ticks::run(Arc::clone(&state)));
        let osc_addr = match config.osc_listen {
            Some(at) => {
                let socket =
                    udp(at).map_err(|e| err(&format!("cannot listen for OSC on {at}"), e))?;
                let bound = socket
                    .local_addr()
                    .map_err(|e| err("cannot read the OSC address", e))?;
                runtime.spawn(super::osc::listen(Arc::clone(&state), socket));
                Some(bound)
            }
            None => None,
        };
        if !config.osc_targets.is_empty() {
            let any: SocketAddr = if config.osc_targets.iter().all(SocketAddr::is_ipv4) {
                SocketAddr::from(([0, 0, 0, 0], 0))
            } else {
                SocketAddr::from(([0u16; 8], 0))
            };
            let socket = udp(any).map_err(|e| err("cannot open a socket to send OSC", e))?;
            let period = Duration::from_secs_f64(1.0 / config.osc_rate_hz);
            runtime.spawn(super::osc::send(
                Arc::clone(&state),
                socket,
                config.osc_targets,
                period,
            ));
        }
        let app = router(Arc::clone(&state));
        runtime.spawn(super::listen::serve(listener, app, Arc::clone(&state)));
        Ok(Remote {
            runtime: Some(runtime),
            addr,
            osc_addr,
            state,
            stop,
        })
    }

    /// Where the web server listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where OSC control is taken, when it is.
    pub fn osc_listen_addr(&self) -> Option<SocketAddr> {
        self.osc_addr
    }

    /// This run's control token.
    pub fn token(&self) -> &Token {
        &self.state.token
    }

    pub fn stats(&self) -> &RemoteStats {
        &self.state.stats
    }

    /// Connections open now, of every kind (WebSockets included).
    pub fn open_connections(&self) -> usize {
        self.state.connections.taken()
    }

    /// Every channel's name as viewers see it now (a control command may have renamed one).
    pub fn channel_names(&self) -> Vec<String> {
        self.state
            .channels()
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// Takes new channel names, presets and levels (the GUI's own edits; remote renames go
    /// through the control commands). Viewers get them, with a new hello, at their next
    /// frame, and the next remote soundcheck judges by them; an unchanged plan changes nothing.
    pub fn set_plan(&self, plan: &ChannelPlan) {
        *self
            .state
            .plan
            .write()
            .unwrap_or_else(PoisonError::into_inner) = plan.clone();
        let list = channel_list(plan, &self.state.source);
        let mut guard = self
            .state
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if **guard != list {
            *guard = Arc::new(list);
        }
    }
}

/// How long a stopping server may take to end its tasks.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(1);

impl Drop for Remote {
    /// Stops every task and closes the listening socket before returning, so the port is
    /// free at once (the GUI switches the server off, or restarts it on the same port for a
    /// new input).
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        let Some(rt) = self.runtime.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            rt.shutdown_timeout(SHUTDOWN_WAIT);
            return;
        }
        // Inside another runtime (the GUI's update, an async test) this thread may not wait
        // for one: a thread of its own, outside any runtime, does, and is waited for.
        let stopper = std::thread::Builder::new()
            .name("gainstage-remote-stop".into())
            .spawn(move || rt.shutdown_timeout(SHUTDOWN_WAIT));
        match stopper {
            Ok(handle) => {
                let _ = handle.join();
            }
            Err(e) => eprintln!("gainstage: the web server could not be stopped cleanly: {e}"),
        }
    }
}

/// A UDP socket for tokio, bound without blocking on a runtime.
fn udp(at: SocketAddr) -> std::io::Result<tokio::net::UdpSocket> {
    let socket = std::net::UdpSocket::bind(at)?;
    socket.set_nonblocking(true)?;
    tokio::net::UdpSocket::from_std(socket)
}

fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", get(super::pages::index))
        .route("/performer", get(super::pages::performer))
        .route("/wall", get(super::pages::wall))
        .route("/bridge", get(super::pages::bridge))
        .route("/assets/{file}", get(super::pages::asset))
        .route("/ws", get(super::feed::upgrade))
        .route("/api/snapshot", get(super::api::snapshot))
        .route("/api/channels", get(super::api::channels))
        .route("/api/log", get(super::api::log))
        .route("/api/control", post(super::api::control))
        .layer(DefaultBodyLimit::max(16 * 1024))
        .layer(axum::middleware::from_fn(super::listen::request_timeout))
        // Outermost: a request naming another site is refused before anything else.
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            super::hosts::check,
        ))
        .with_state(state)
}

/// The URLs a browser on the network can open: one per local address when listening on every
/// interface, else the one address.
pub fn local_urls(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let url = |ip: std::net::IpAddr| match ip {
        std::net::IpAddr::V6(v6) => format!("http://[{v6}]:{port}/"),
        std::net::IpAddr::V4(v4) => format!("http://{v4}:{port}/"),
    };
    if !addr.ip().is_unspecified() {
        return vec![url(addr.ip())];
    }
    let mut found: Vec<(u8, std::net::IpAddr)> = if_addrs::get_if_addrs()
        .map(|list| {
            list.into_iter()
                .map(|i| (interface_rank(&i.name, i.ip()), i.ip()))
                .collect()
        })
        .unwrap_or_default();
    // Listening on 0.0.0.0 serves IPv4 only; link-local IPv6 needs a zone no browser bar takes.
    found.retain(|(_, ip)| addr.is_ipv4() == ip.is_ipv4());
    found.sort();
    let mut ips: Vec<std::net::IpAddr> = found.into_iter().map(|(_, ip)| ip).collect();
    ips.dedup();
    if ips.is_empty() {
        ips.push(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    ips.into_iter().map(url).collect()
}

/// How likely a phone on the same Wi-Fi reaches this machine at `ip` on interface `name`,
/// best first: the first URL is the one the GUI's QR code holds. The network's own
/// interfaces come first, then virtual ones (containers, VMs, VPNs), link-local addresses,
/// and loopback last.
fn interface_rank(name: &str, ip: std::net::IpAddr) -> u8 {
    const VIRTUAL: [&str; 16] = [
        "docker",
        "br-",
        "veth",
        "virbr",
        "vmnet",
        "vboxnet",
        "lxc",
        "lxd",
        "podman",
        "cni",
        "flannel",
        "tun",
        "tap",
        "wg",
        "tailscale",
        "zt",
    ];
    let link_local = match ip {
        std::net::IpAddr::V4(v4) => v4.is_link_local(),
        std::net::IpAddr::V6(v6) => v6.is_unicast_link_local(),
    };
    if ip.is_loopback() {
        3
    } else if link_local {
        2
    } else if VIRTUAL.iter().any(|v| name.starts_with(v)) {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_network_s_own_interface_comes_before_virtual_ones_and_loopback() {
        let ip = |s: &str| {
            s.parse::<std::net::IpAddr>()
                .unwrap_or(std::net::IpAddr::from([0; 4]))
        };
        let mut found = [
            (interface_rank("lo", ip("127.0.0.1")), ip("127.0.0.1")),
            (
                interface_rank("docker0", ip("172.17.0.1")),
                ip("172.17.0.1"),
            ),
            (
                interface_rank("wlp2s0", ip("192.168.1.20")),
                ip("192.168.1.20"),
            ),
            (interface_rank("eth1", ip("169.254.3.4")), ip("169.254.3.4")),
            (
                interface_rank("tailscale0", ip("100.64.0.7")),
                ip("100.64.0.7"),
            ),
        ];
        found.sort();
        let order: Vec<String> = found.iter().map(|(_, ip)| ip.to_string()).collect();
        assert_eq!(
            order,
            [
                "192.168.1.20",
                "100.64.0.7",
                "172.17.0.1",
                "169.254.3.4",
                "127.0.0.1"
            ]
        );
    }
}
