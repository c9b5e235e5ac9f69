//! The pages and their assets, built into the binary: plain HTML, CSS and JavaScript, no CDN,
//! no bundler. Each page is static; it reads `/ws` (compact frames) and draws with
//! requestAnimationFrame.

use std::sync::Arc;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State as Axum};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::server::{Access, State, TOO_MANY_GUESSES};

const INDEX: &str = include_str!("../../assets/web/index.html");
const PERFORMER: &str = include_str!("../../assets/web/performer.html");
const WALL: &str = include_str!("../../assets/web/wall.html");
const BRIDGE: &str = include_str!("../../assets/web/bridge.html");
const CSS: &str = include_str!("../../assets/web/gainstage.css");
const JS: &str = include_str!("../../assets/web/gainstage.js");

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    key: Option<String>,
}

fn page(
    state: &State,
    peer: SocketAddr,
    q: &PageQuery,
    headers: &HeaderMap,
    html: &'static str,
) -> Response {
    match state.may_view(peer.ip(), q.key.as_deref(), headers) {
        Access::Granted => {}
        Access::Refused => {
            return (
                StatusCode::UNAUTHORIZED,
                "viewing needs this server's view key: open the link with ?key=\n",
            )
                .into_response();
        }
        Access::TooManyGuesses => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                format!("{TOO_MANY_GUESSES}\n"),
            )
                .into_response();
        }
    }
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

pub async fn index(
    Axum(s): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<PageQuery>,
    h: HeaderMap,
) -> Response {
    page(&s, peer, &q, &h, INDEX)
}

pub async fn performer(
    Axum(s): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<PageQuery>,
    h: HeaderMap,
) -> Response {
    page(&s, peer, &q, &h, PERFORMER)
}

pub async fn wall(
    Axum(s): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<PageQuery>,
    h: HeaderMap,
) -> Response {
    page(&s, peer, &q, &h, WALL)
}

pub async fn bridge(
    Axum(s): Axum<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<PageQuery>,
    h: HeaderMap,
) -> Response {
    page(&s, peer, &q, &h, BRIDGE)
}

/// The stylesheet and the script: no secrets in them, so no key needed.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (kind, body) = match file.as_str() {
        "gainstage.css" => ("text/css; charset=utf-8", CSS),
        "gainstage.js" => ("text/javascript; charset=utf-8", JS),
        _ => return (StatusCode::NOT_FOUND, "no such file\n").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
