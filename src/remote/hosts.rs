//! The names this server answers to. A page on any web site can point its own name at a studio
//! computer's address (DNS rebinding) and then read whatever that address serves as if it were
//! its own; the browser still sends the page's name as `Host`. So only requests naming this
//! server by an IP literal, `localhost`, this machine's own names or one given with
//! `--allow-host` are served.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Request, State as Axum};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::server::State;

/// Middleware: serves the request only when its `Host` names this server.
pub async fn check(Axum(state): Axum<Arc<State>>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).map(|h| h.to_str());
    let allowed = match host {
        None => true,
        Some(Ok(h)) => state.hosts.allows(Some(h)),
        Some(Err(_)) => false,
    };
    if allowed {
        return next.run(request).await;
    }
    state.stats.hosts_refused.fetch_add(1, Ordering::Relaxed);
    (
        StatusCode::MISDIRECTED_REQUEST,
        "this server answers only to its address, its host name or a name given with \
         --allow-host\n",
    )
        .into_response()
}

/// The names besides IP literals and `localhost` a `Host` header may carry.
#[derive(Debug, Clone, Default)]
pub struct Hosts {
    names: Vec<String>,
}

impl Hosts {
    /// This machine's names (`studio-pc`, `studio-pc.local`) and `extra` (`--allow-host`).
    pub fn new(extra: &[String]) -> Hosts {
        let mut names: Vec<String> = extra.iter().map(|n| bare(n)).collect();
        if let Some(me) = crate::platform::host_name() {
            // The kernel's name may be fully qualified (`pc.example.org`): its first label is
            // what mDNS announces as `pc.local`.
            let short = me.split('.').next().unwrap_or(&me).to_owned();
            names.push(format!("{short}.local"));
            names.push(short);
            names.push(me);
        }
        names.retain(|n| !n.is_empty());
        names.sort();
        names.dedup();
        Hosts { names }
    }

    /// True when a request with this `Host` header (`None`: none) may be served. A request
    /// without one is not from a browser, and so not a rebinding page's.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return true;
        };
        let name = strip_port(host.trim());
        if name.is_empty() {
            return false;
        }
        if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            // A zone (`fe80::1%eth0`, `%25` in a URL) is part of a link-local literal.
            let addr = v6.split('%').next().unwrap_or(v6);
            return addr.parse::<std::net::Ipv6Addr>().is_ok();
        }
        if name.parse::<IpAddr>().is_ok() {
            return true;
        }
        let name = bare(name);
        name == "localhost" || name.ends_with(".localhost") || self.names.contains(&name)
    }
}

/// A name as compared: lower case, without a trailing dot.
fn bare(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `host:port` → `host`; `[v6]:port` → `[v6]`. A bare IPv6 address is no valid `Host` and
/// keeps its colons, so it fails as a name.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_localhost_and_given_names_pass_and_others_do_not() {
        let hosts = Hosts {
            names: vec![
                "studio-pc".into(),
                "studio-pc.local".into(),
                "gs.lan".into(),
            ],
        };
        for ok in [
            "127.0.0.1:8040",
            "192.168.1.20",
            "[::1]:8040",
            "[fe80::1%25eth0]:8040",
            "localhost:8040",
            "LOCALHOST",
            "localhost.",
            "app.localhost",
            "studio-pc:8040",
            "Studio-PC.local.",
            "gs.lan",
            // Not a valid Host, but an address all the same: nothing to rebind.
            "::1",
        ] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8040",
            "studio-pc.evil.example",
            "127.0.0.1.nip.io",
            "localhost.evil.example",
            "",
            ":8040",
            "[not-v6]:8040",
        ] {
            assert!(!hosts.allows(Some(bad)), "{bad}");
        }
        assert!(hosts.allows(None), "no Host: not a browser");
    }

    #[test]
    fn this_machine_s_names_are_allowed() {
        let hosts = Hosts::new(&["Extra.Example.".into()]);
        assert!(hosts.allows(Some("extra.example:80")));
        if let Some(me) = crate::platform::host_name() {
            assert!(hosts.allows(Some(&me)), "{me}");
            let short = me.split('.').next().unwrap_or(&me);
            assert!(hosts.allows(Some(&format!("{short}.local:8040"))));
        }
    }
}
