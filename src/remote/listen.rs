//! The accept loop and each connection's life. Every connection takes a place (at most
//! [`ConnectionLimits::max_connections`], at most `max_per_address` from one address) before
//! anything is read from it, and holds it until its socket closes, WebSocket or not. Its
//! request head must arrive within `header_read_timeout`, and a connection silent both ways
//! for `idle_timeout` is closed: half-open sockets cannot pile up until the process runs out
//! of open files.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use super::admission::Place;
use super::server::State;

/// How many connections, and for how long each may say nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnectionLimits {
    /// Connections open at once, of every kind (pages, `/api`, `/ws`).
    pub max_connections: usize,
    /// Connections open at once from one address (an IPv6 host: its /64).
    pub max_per_address: usize,
    /// A request's head (request line and headers) must have arrived this long after the
    /// connection opened or its previous response went.
    pub header_read_timeout: Duration,
    /// A connection on which nothing was read or written for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            // Far inside the 1024 open files a process gets by default, with room for take
            // files, logs and the audio device, even where the limit cannot be raised.
            max_connections: 512,
            // A browser opens up to six connections to a server and one feed per page; a
            // laptop with a few pages open stays well inside this.
            max_per_address: 32,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
        }
    }
}

impl ConnectionLimits {
    /// Why these limits cannot serve; `None` when they can.
    pub fn problem(&self) -> Option<&'static str> {
        if self.max_connections == 0 || self.max_per_address == 0 {
            Some("connection limits must be at least 1")
        } else if self.header_read_timeout.is_zero() || self.idle_timeout.is_zero() {
            Some("connection timeouts must be longer than zero")
        } else {
            None
        }
    }
}

/// After an error accepting that is not the one connection's (out of open files), wait this
/// long before the next try rather than spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// The most a connection's read buffer grows to (hyper's default is ~400 KB): requests here
/// are a few hundred bytes and bodies at most 16 KiB, and every open connection may hold this
/// much. A head that does not fit is refused with 431.
const READ_BUFFER_MAX: usize = 64 * 1024;
/// How long open connections get to finish when the server stops.
const CLOSING_WAIT: Duration = Duration::from_secs(1);
/// What a connection over its address's share (or over the total) is told before it is
/// closed, written only if the socket takes it at once.
const FULL_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 44\r\nConnection: close\r\n\r\ntoo many connections: close some, try again\n";

/// How long one request may take, body included (a body trickled in a byte at a time keeps a
/// connection from being idle, not from this).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Middleware: a request not answered within [`REQUEST_TIMEOUT`] gets 408. A WebSocket's
/// request is answered at once; the socket it becomes is not timed by this.
pub async fn request_timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            "the request took too long to arrive\n",
        )
            .into_response(),
    }
}

/// Accepts connections until the server stops.
pub async fn serve(listener: TcpListener, router: Router, state: Arc<State>) {
    let mut stop = state.stop.clone();
    loop {
        let accepted = tokio::select! {
            got = listener.accept() => got,
            _ = stop.wait_for(|s| *s) => return,
        };
        let (stream, peer) = match accepted {
            Ok(got) => got,
            Err(e) => {
                if !is_connection_error(&e) {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                continue;
            }
        };
        let place = match state.connections.take(peer.ip()) {
            Ok(place) => place,
            Err(_) => {
                state
                    .stats
                    .connections_refused
                    .fetch_add(1, Ordering::Relaxed);
                let _ = stream.try_write(FULL_RESPONSE);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            peer,
            place,
            router.clone(),
            state.limits,
            state.stop.clone(),
        ));
    }
}

/// Errors that concern only the connection being accepted: the next accept may succeed.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves one connection's requests (and its upgrade to a WebSocket) until it closes, times
/// out or the server stops.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    place: Place,
    router: Router,
    limits: ConnectionLimits,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let io = TokioIo::new(Watched::new(stream, place, limits.idle_timeout));
    // Handlers learn the peer's address as `ConnectInfo`, as `axum::serve` would tell them.
    let service = router.map_request(move |mut request: axum::http::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.map(Body::new)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(READ_BUFFER_MAX);
    let conn = builder
        .serve_connection(io, TowerToHyperService::new(service))
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let stopping = tokio::select! {
        _ = conn.as_mut() => false,
        _ = stop.wait_for(|s| *s) => true,
    };
    if stopping {
        conn.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(CLOSING_WAIT, conn).await;
    }
}

/// A connection's socket with its place and its idle clock: every byte read or written winds
/// the clock back; once it runs out, reads and writes fail and the connection closes. Travels
/// with the socket into a WebSocket upgrade, so the place is given back only when the socket
/// closes.
#[derive(Debug)]
pub struct Watched {
    io: TcpStream,
    idle_for: Duration,
    /// When a byte last went either way.
    last: Instant,
    /// Wakes a waiting read or write when the connection may have been idle too long; wound
    /// on only then, not at every byte (a feed writes 30 frames a second).
    idle: Pin<Box<Sleep>>,
    _place: Place,
}

impl Watched {
    fn new(io: TcpStream, place: Place, idle_for: Duration) -> Watched {
        Watched {
            io,
            idle_for,
            last: Instant::now(),
            idle: Box::pin(tokio::time::sleep(idle_for)),
            _place: place,
        }
    }

    fn active(&mut self) {
        self.last = Instant::now();
    }

    /// A write's outcome: bytes written count as activity; a write that must wait waits on
    /// the idle clock too.
    fn wrote(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match written {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.active();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => self.poll_idle(cx).map(Err),
        }
    }

    /// For a read or write that must wait: ready with an error once the connection has been
    /// idle too long (the clock wakes the task then).
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            if self.idle.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let due = self.last + self.idle_for;
            if due <= Instant::now() {
                return Poll::Ready(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle too long",
                ));
            }
            self.idle.as_mut().reset(due);
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.active();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.io).poll_write(cx, data);
        this.wrote(cx, written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.wrote(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
