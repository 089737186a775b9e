//! Who may use the inspector: loopback peers with a loopback `Host` (no DNS rebinding) and,
//! when the server is reachable from elsewhere, anyone holding the start-up token. Either
//! way an `Origin`, when sent, must be the inspector's own page or the desktop app.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Origins of the desktop app's webview (Tauri v2 on Linux/macOS and on Windows).
const DESKTOP_ORIGINS: [&str; 3] =
    ["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];

/// The guard's settings.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Required from non-loopback peers; `None` when the server only listens on loopback.
    pub token: Option<String>,
}

/// Why a request was refused (403, with the reason in the body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the inspector only answers requests whose Host is a loopback name (got {0:?})")]
    HostNotLoopback(String),
    #[error("the inspector does not answer pages from other origins (got {0:?})")]
    ForeignOrigin(String),
    #[error(
        "the inspector needs the token printed at start-up (Authorization: Bearer … or ?token=…)"
    )]
    TokenRequired,
}

/// Decides one request. `query` is the raw query string (for `?token=` on WebSockets).
pub fn check(
    access: &Access,
    peer: SocketAddr,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<(), Refusal> {
    let host = header_str(headers, header::HOST).unwrap_or_default();
    if let Some(origin) = header_str(headers, header::ORIGIN) {
        if !origin_allowed(origin, host) {
            return Err(Refusal::ForeignOrigin(origin.to_owned()));
        }
    }
    if has_token(access, headers, query) {
        return Ok(());
    }
    if !peer.ip().is_loopback() {
        return Err(Refusal::TokenRequired);
    }
    if !is_loopback_host(host) {
        return Err(Refusal::HostNotLoopback(host.to_owned()));
    }
    Ok(())
}

/// axum middleware applying `check` to every inspector route.
pub async fn guard(
    State(access): State<Access>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match check(&access, peer, request.headers(), request.uri().query()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => (StatusCode::FORBIDDEN, refusal.to_string()).into_response(),
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn has_token(access: &Access, headers: &HeaderMap, query: Option<&str>) -> bool {
    let Some(token) = access.token.as_deref() else { return false };
    let bearer = header_str(headers, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
    let in_query =
        query.into_iter().flat_map(|q| q.split('&')).find_map(|pair| pair.strip_prefix("token="));
    [bearer, in_query]
        .into_iter()
        .flatten()
        .any(|given| constant_time_eq(given.as_bytes(), token.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `localhost`, `*.localhost`, `127.x.y.z`, `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = strip_port(host);
    if name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_once(']').map_or(host, |(name, _)| &host[..=name.len()]);
    }
    host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    })
}

/// The inspector's own page (`http(s)://{Host}`) or the desktop app.
fn origin_allowed(origin: &str, host: &str) -> bool {
    if DESKTOP_ORIGINS.contains(&origin) {
        return true;
    }
    let own = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    own.is_some_and(|authority| !host.is_empty() && authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        headers
    }

    fn peer(ip: &str) -> SocketAddr {
        let ip: std::net::IpAddr = ip.parse().unwrap();
        SocketAddr::new(ip, 5000)
    }

    #[test]
    fn loopback_requests_pass_and_rebinding_does_not() {
        let open = Access::default();
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, Result<(), &'a str>);
        let table: &[Case<'_>] = &[
            ("127.0.0.1", "127.0.0.1:6001", None, Ok(())),
            ("127.0.0.1", "localhost:6001", Some("http://localhost:6001"), Ok(())),
            ("::1", "[::1]:6001", None, Ok(())),
            ("127.0.0.1", "app.localhost", None, Ok(())),
            ("127.0.0.1", "127.0.0.1:6001", Some("tauri://localhost"), Ok(())),
            ("127.0.0.1", "evil.example:6001", None, Err("Host")),
            ("127.0.0.1", "127.0.0.1:6001", Some("http://evil.example"), Err("origins")),
            ("127.0.0.1", "127.0.0.1:6001", Some("http://127.0.0.1:9999"), Err("origins")),
            ("192.168.1.5", "192.168.1.2:6001", None, Err("token")),
        ];
        for (ip, host, origin, expected) in table {
            let result = check(&open, peer(ip), &headers(host, *origin), None);
            match (expected, result) {
                (Ok(()), Ok(())) => {}
                (Err(word), Err(refusal)) => {
                    assert!(refusal.to_string().contains(word), "{host}: {refusal}")
                }
                (expected, got) => {
                    panic!("{ip} {host} {origin:?}: expected {expected:?}, got {got:?}")
                }
            }
        }
    }

    #[test]
    fn remote_peers_need_the_token() {
        let access = Access { token: Some("s3cret".into()) };
        let remote = peer("192.168.1.5");
        let mut with_bearer = headers("192.168.1.2:6001", None);
        with_bearer.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer s3cret"));
        assert_eq!(check(&access, remote, &with_bearer, None), Ok(()));
        assert_eq!(
            check(&access, remote, &headers("192.168.1.2:6001", None), Some("token=s3cret")),
            Ok(())
        );
        assert_eq!(
            check(&access, remote, &headers("192.168.1.2:6001", None), Some("token=nope")),
            Err(Refusal::TokenRequired)
        );
        let foreign = headers("192.168.1.2:6001", Some("http://evil.example"));
        assert!(check(&access, remote, &foreign, Some("token=s3cret")).is_err());
    }
}
