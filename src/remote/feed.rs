//! One WebSocket client: admitted (view token, origin, room), then a frame every period from its
//! own reader (the maxima since its own previous frame), events as they come, and replies to
//! its commands. A client that stops reading is never waited for beyond one frame in flight:
//! its next frame is read fresh when the previous one has gone, and after [`STALL`] it is
//! dropped. Nothing here can hold up the meter thread, which only ever `try_lock`s.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State as Axum};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::control;
use super::frames::{Seen, compact_frame, json_frame, warnings_message};
use super::server::{ClientGuard, State};

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
    Query(q): Query<WsQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !state.may_view(q.key.as_deref(), &headers) {
        return refuse(
            &state,
            StatusCode::UNAUTHORIZED,
            "viewing needs this server's view key (?key=)",
        );
    }
    let (origin_allowed, same_origin) = origin_ok(&state, &headers);
    if !origin_allowed {
        return refuse(
            &state,
            StatusCode::FORBIDDEN,
            "a page from another origin may not open this feed (see --allow-origin)",
        );
    }
    let Some(guard) = state.admit() else {
        let text = format!(
            "too many viewers: this server serves at most {}",
            state.max_clients
        );
        return (StatusCode::SERVICE_UNAVAILABLE, text).into_response();
    };
    // A foreign page never gets control, whatever it sends.
    let control = same_origin && state.may_control(q.token.as_deref(), &HeaderMap::new());
    let compact = q.format.as_deref() == Some("compact");
    ws.max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        // Clients send only small commands: the default 128 KiB read buffer, cleared on every
        // read, was a tenth of the server's CPU at 50 clients.
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| client(socket, state, guard, control, compact, same_origin))
}

/// Sends `text`; false when the client is gone or has stalled for [`STALL`].
async fn send(socket: &mut WebSocket, state: &State, text: String) -> bool {
    let len = text.len() as u64;
    match tokio::time::timeout(STALL, socket.send(Message::text(text))).await {
        Ok(Ok(())) => {
            let stats = &state.stats;
            stats
                .messages
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            stats
                .bytes
                .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
            true
        }
        Ok(Err(_)) => false,
        Err(_) => {
            state
                .stats
                .stalled
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            false
        }
    }
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
    compact: bool,
    same_origin: bool,
) {
    let mut reader = state.prototype.clone();
    let mut events = state.hub.subscribe();
    let mut stop = state.stop.clone();
    let mut seen = Seen::default();
    let mut channels = state.channels();
    if !send(&mut socket, &state, hello(&state, control)).await {
        return;
    }
    let mut tick = tokio::time::interval(state.frame_period);
    // A client that fell behind gets the newest frame, not a burst of stale ones.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let outgoing: Vec<String> = tokio::select! {
            _ = tick.tick() => {
                let Some(s) = reader.read() else { continue };
                let now = state.channels();
                let renamed = !Arc::ptr_eq(&now, &channels);
                channels = now;
                let (mut out, warnings_changed) = seen.changes(&s);
                if renamed {
                    out.insert(0, hello(&state, control));
                }
                if compact {
                    if warnings_changed {
                        out.push(warnings_message(&s));
                    }
                    out.push(compact_frame(&s, &channels));
                } else {
                    out.push(json_frame(&s, &channels));
                }
                out
            }
            event = events.recv() => match event {
                Ok(text) => vec![text.to_string()],
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => vec![reply(&state, control, same_origin, text.as_str())],
                Some(Ok(Message::Binary(_))) => vec![error_reply("binary messages are not commands; send JSON text")],
                Some(Ok(_)) => continue,
            },
            _ = stop.wait_for(|s| *s) => return,
        };
        for text in outgoing {
            if !send(&mut socket, &state, text).await {
                return;
            }
        }
    }
}

fn error_reply(why: &str) -> String {
    serde_json::json!({"reply": null, "ok": false, "error": why}).to_string()
}

/// The answer to one text message: a command applied, or why not.
fn reply(state: &State, control: bool, same_origin: bool, text: &str) -> String {
    let (command, token) = match control::parse_json(text) {
        Ok(parsed) => parsed,
        Err(why) => return error_reply(&why),
    };
    let authorized =
        control || (same_origin && token.as_deref().is_some_and(|t| state.token.matches(t)));
    match control::apply(state, &command, authorized) {
        Ok(message) => {
            serde_json::json!({"reply": command.name(), "ok": true, "message": message}).to_string()
        }
        Err(why) => {
            serde_json::json!({"reply": command.name(), "ok": false, "error": why}).to_string()
        }
    }
}
