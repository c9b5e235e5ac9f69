//! Remote views: the session's meters in any browser on the network, and its readings to any
//! OSC or WebSocket client. One web server (axum on its own small tokio runtime) per session;
//! it reads the session only through [`crate::capture::SnapshotReader`]s (one for all
//! WebSocket clients, which share a frame clock; one each for the hub and OSC), so the meter
//! thread never waits on the network, and each client gets the maxima since its own previous
//! frame.
//!
//! Inside: `server` (the runtime, the router, token checks), `listen` (the accept loop: each
//! connection's place, header and idle timeouts), `admission` (places shared out by address,
//! wrong tokens counted by address), `hosts` (the `Host` names served), `ticks` (the frame clock every
//! WebSocket client follows: one read and each frame format written once per tick),
//! `feed` (one WebSocket client's loop),
//! `frames` (snapshots as `/ws` frames: the `monitor --json` keys plus a compact form),
//! `hub` (the session's event history for `/api/log` and `/ws` events, the soundcheck),
//! `api` (`/api/...`), `control` (commands and the per-run token), `osc` (OSC out and in),
//! `preamps` (the `apply` and `undo` commands, answered from the preamps' thread),
//! `pages` (the HTML/CSS/JS built into the binary), `serve` (`gainstage serve`).

mod admission;
mod api;
mod control;
mod feed;
mod frames;
mod hosts;
mod hub;
mod listen;
mod osc;
mod pages;
mod preamps;
pub mod serve;
mod server;
mod ticks;

pub use control::{Command, Token};
pub use server::{
    ConnectionLimits, Remote, RemoteConfig, RemoteError, RemoteSource, RemoteStats, local_urls,
};
