//! `/api/...`: the latest snapshot, the channels, the event log and control over plain HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Query, State as Axum};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::control::{self, Command, Denied};
use super::hub::Since;
use super::server::{Access, State, TOO_MANY_GUESSES};
use crate::capture::Refused;

#[derive(Debug, Deserialize)]
pub struct ApiQuery {
    key: Option<String>,
    token: Option<String>,
    since: Option<String>,
}

fn json_text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn error(status: StatusCode, why: &str) -> Response {
    json_text(
        status,
        serde_json::json!({"ok": false, "error": why}).to_string(),
    )
}

/// The refusal for a request that may not view, or `None` when it may.
fn not_viewer(
    state: &State,
    peer: SocketAddr,
    q: &ApiQuery,
    headers: &HeaderMap,
) -> Option<Response> {
    match state.may_view(peer.ip(), q.key.as_deref(), headers) {
        Access::Granted => None,
        Access::Refused => Some(error(
            StatusCode::UNAUTHORIZED,
            "viewing needs this server's view key (?key=)",
        )),
        Access::TooManyGuesses => Some(error(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_GUESSES)),
    }
}

/// `GET /api/snapshot`: the latest frame, as `/ws` sends it.
pub async fn snapshot(
    Axum(state): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<ApiQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = not_viewer(&state, peer, &q, &headers) {
        return refusal;
    }
    // The latest tick's frame, as a client that took the previous one got it.
    match state.ticks.latest() {
        Some(tick) => json_text(StatusCode::OK, tick.json().to_string()),
        None => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "no reading yet: the stream is starting",
        ),
    }
}

/// `GET /api/channels`: what is metered, each channel's name, preset and thresholds.
pub async fn channels(
    Axum(state): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<ApiQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = not_viewer(&state, peer, &q, &headers) {
        return refusal;
    }
    let body = serde_json::json!({
        "source": state.source,
        "channels": *state.channels(),
        "control": state.may_control(peer.ip(), q.token.as_deref(), &headers).granted(),
    });
    json_text(StatusCode::OK, body.to_string())
}

/// `GET /api/log?since=ID|TIME`: clips, warnings and takes, numbered, oldest first.
pub async fn log(
    Axum(state): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<ApiQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = not_viewer(&state, peer, &q, &headers) {
        return refusal;
    }
    let since = match Since::parse(q.since.as_deref()) {
        Ok(s) => s,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why),
    };
    let entries = state.hub.entries_since(since);
    let body = serde_json::json!({ "entries": entries });
    json_text(StatusCode::OK, body.to_string())
}

/// `POST /api/control` with a JSON command and the token (`?token=` or `Authorization: Bearer`).
pub async fn control(
    Axum(state): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<ApiQuery>,
    headers: HeaderMap,
    body: Result<Json<Command>, JsonRejection>,
) -> Response {
    match state.may_control(peer.ip(), q.token.as_deref(), &headers) {
        Access::Granted => {}
        Access::Refused => return error(StatusCode::FORBIDDEN, control::NEEDS_TOKEN),
        Access::TooManyGuesses => return error(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_GUESSES),
    }
    let Json(command) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("not a command: {e}")),
    };
    match control::apply(&state, &command, true).await {
        Ok(message) => json_text(
            StatusCode::OK,
            serde_json::json!({"ok": true, "reply": command.name(), "message": message})
                .to_string(),
        ),
        Err(denied) => error(status_of(&denied), &denied.to_string()),
    }
}

/// A command the session would not take now is 429 (a later try may pass, as with any rate
/// limit), one it can never take since it stopped is 503; the client's own mistakes are 400.
fn status_of(denied: &Denied) -> StatusCode {
    match denied {
        Denied::Invalid(_) => StatusCode::BAD_REQUEST,
        Denied::Refused(Refused::Busy | Refused::TooFast) => StatusCode::TOO_MANY_REQUESTS,
        Denied::Refused(Refused::Stopped) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_map_to_their_statuses() {
        assert_eq!(status_of(&Denied::Invalid("no channel 9".into())), 400);
        assert_eq!(status_of(&Denied::Refused(Refused::Busy)), 429);
        assert_eq!(status_of(&Denied::Refused(Refused::TooFast)), 429);
        assert_eq!(status_of(&Denied::Refused(Refused::Stopped)), 503);
    }
}
