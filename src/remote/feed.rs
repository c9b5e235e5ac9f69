//! One WebSocket client: admitted (view token, origin, room), then a frame on every shared tick
//! (`ticks`: the maxima since its own previous frame), events as they come, and replies to its
//! commands. A client that stops reading is never waited for beyond one frame in flight: its
//! next frame is the newest tick once the previous one has gone, and after [`STALL`] it is
//! dropped. Nothing here can hold up the meter thread, which only ever `try_lock`s.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State as Axum};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::admission::Full;
use super::control;
use super::server::{Access, ClientGuard, State, TOO_MANY_GUESSES};
use super::ticks::{Follower, Format};

/// A client whose frame has not gone out in this long has stopped reading: it is dropped.
const STALL: Duration = Duration::from_secs(5);
/// Largest message a client may send: commands are tiny.
const MAX_MESSAGE: usize = 8 * 1024;
/// Read buffer per client.
const READ_BUFFER: usize = 4 * 1024;

#[derive(Debug, Deserialize)]
pub struct WsQuery {
    /// `compact` for the pages' compact frames; default the JSON contract.
    format: Option<String>,
    /// The view token, when the server has one.
    key: Option<String>,
    /// The control token: commands on this connection need no token of their own.
    token: Option<String>,
}

/// True when the page that opens the socket is the server's own (or allowed), or the client is
/// not a browser (no Origin).
fn origin_ok(state: &State, headers: &HeaderMap) -> (bool, bool) {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return (true, true);
    };
    let Ok(origin) = origin.to_str() else {
        return (false, false);
    };
    let origin = origin.trim_end_matches('/');
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let bare = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    let same = !host.is_empty() && bare.eq_ignore_ascii_case(host);
    let allowed = state
        .allowed_origins
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    (same || allowed, same)
}

fn refuse(state: &State, status: StatusCode, why: &str) -> Response {
    state
        .stats
        .refused
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    (status, format!("{why}\n")).into_response()
}

/// `GET /ws`.
pub async fn upgrade(
    Axum(state): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<WsQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let peer = peer.ip();
    match state.may_view(peer, q.key.as_deref(), &headers) {
        Access::Granted => {}
        Access::Refused => {
            return refuse(
                &state,
                StatusCode::UNAUTHORIZED,
                "viewing needs this server's view key (?key=)",
            );
        }
        Access::TooManyGuesses => {
            return refuse(&state, StatusCode::TOO_MANY_REQUESTS, TOO_MANY_GUESSES);
        }
    }
    let (origin_allowed, same_origin) = origin_ok(&state, &headers);
    if !origin_allowed {
        return refuse(
            &state,
            StatusCode::FORBIDDEN,
            "a page from another origin may not open this feed (see --allow-origin)",
        );
    }
    let guard = match state.admit(peer) {
        Ok(guard) => guard,
        Err(full) => {
            let text = match full {
                Full::All(n) => format!("too many viewers: this server serves at most {n}"),
                Full::Address(n) => {
                    format!("too many viewers from this address: each is served at most {n}")
                }
            };
            return (StatusCode::SERVICE_UNAVAILABLE, text).into_response();
        }
    };
    // A foreign page never gets control, whatever it sends.
    let control = same_origin
        && state
            .may_control(peer, q.token.as_deref(), &HeaderMap::new())
            .granted();
    let format = if q.format.as_deref() == Some("compact") {
        Format::Compact
    } else {
        Format::Json
    };
    ws.max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        // Clients send only small commands: the default 128 KiB read buffer, cleared on every
        // read, was a tenth of the server's CPU at 50 clients.
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| client(socket, state, guard, control, format, same_origin, peer))
}

/// Sends `messages`; false when the client is gone or has stalled for [`STALL`].
async fn send(socket: &mut WebSocket, state: &State, messages: Vec<Utf8Bytes>) -> bool {
    let len: usize = messages.iter().map(|m| m.len()).sum();
    let count = messages.len() as u64;
    let all = async {
        for m in messages {
            socket.send(Message::Text(m)).await?;
        }
        Ok::<(), axum::Error>(())
    };
    match tokio::time::timeout(STALL, all).await {
        Ok(Ok(())) => {
            let stats = &state.stats;
            stats
                .messages
                .fetch_add(count, std::sync::atomic::Ordering::Relaxed);
            stats
                .bytes
                .fetch_add(len as u64, std::sync::atomic::Ordering::Relaxed);
            true
        }
        Ok(Err(_)) => false,
        Err(_) => stalled(state),
    }
}

/// Counts a client dropped for not reading; false, for [`send`].
fn stalled(state: &State) -> bool {
    state
        .stats
        .stalled
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    false
}

fn hello(state: &State, control: bool) -> String {
    serde_json::json!({
        "hello": {
            "source": state.source,
            "channels": *state.channels(),
            "frame_hz": 1.0 / state.frame_period.as_secs_f64(),
            "control": control,
        }
    })
    .to_string()
}

async fn client(
    mut socket: WebSocket,
    state: Arc<State>,
    _guard: ClientGuard,
    control: bool,
    format: Format,
    same_origin: bool,
    peer: IpAddr,
) {
    let mut ticks = state.ticks.subscribe();
    let mut follower = Follower::new(format, ticks.borrow_and_update().clone());
    let mut events = state.hub.subscribe();
    let mut stop = state.stop.clone();
    let mut channels = state.channels();
    if !send(&mut socket, &state, vec![hello(&state, control).into()]).await {
        return;
    }
    loop {
        // Frames go out on the shared tick. A client still sending its previous frame when
        // a tick comes takes the newest tick next, with the peaks of the ones it missed.
        // A command is answered after the select: its answer may wait on the preamps, and
        // nothing the select borrowed may be held across that wait.
        let mut asked = None;
        let mut outgoing: Vec<Utf8Bytes> = tokio::select! {
            changed = ticks.changed() => {
                if changed.is_err() {
                    return;
                }
                let Some(now) = ticks.borrow_and_update().clone() else { continue };
                let Some(mut out) = follower.messages(&state.ticks, &now) else {
                    stalled(&state);
                    return;
                };
                if !Arc::ptr_eq(&now.channels, &channels) {
                    channels = Arc::clone(&now.channels);
                    out.insert(0, hello(&state, control).into());
                }
                out
            }
            event = events.recv() => match event {
                Ok(text) => vec![Utf8Bytes::from(&*text)],
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    asked = Some(text);
                    Vec::new()
                }
                Some(Ok(Message::Binary(_))) => vec![error_reply("binary messages are not commands; send JSON text").into()],
                Some(Ok(_)) => continue,
            },
            _ = stop.wait_for(|s| *s) => return,
        };
        if let Some(text) = asked {
            outgoing.push(
                reply(&state, control, same_origin, peer, text.as_str())
                    .await
                    .into(),
            );
        }
        if !send(&mut socket, &state, outgoing).await {
            return;
        }
    }
}

fn error_reply(why: &str) -> String {
    serde_json::json!({"reply": null, "ok": false, "error": why}).to_string()
}

/// The answer to one text message: a command applied, or why not.
async fn reply(
    state: &State,
    control: bool,
    same_origin: bool,
    peer: IpAddr,
    text: &str,
) -> String {
    let (command, token) = match control::parse_json(text) {
        Ok(parsed) => parsed,
        Err(why) => return error_reply(&why),
    };
    // A foreign page's tokens are not even compared: it may not control, whatever it knows.
    let access = if control {
        Access::Granted
    } else if same_origin {
        state.is_control_token(peer, token.as_deref())
    } else {
        Access::Refused
    };
    if access == Access::TooManyGuesses {
        return serde_json::json!({"reply": command.name(), "ok": false, "error": TOO_MANY_GUESSES})
            .to_string();
    }
    match control::apply(state, &command, access.granted()).await {
        Ok(message) => {
            serde_json::json!({"reply": command.name(), "ok": true, "message": message}).to_string()
        }
        Err(why) => {
            serde_json::json!({"reply": command.name(), "ok": false, "error": why.to_string()})
                .to_string()
        }
    }
}
