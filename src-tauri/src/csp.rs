//! Security headers on the inspector's routes as the desktop app serves them: a strict
//! Content-Security-Policy (same-origin scripts only, no plugins, no framing, no form posts
//! elsewhere; the live stream's WebSocket to the page's own host) and no referrer.

use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;

/// Applied to the inspector's routes (`switchboard::launch::Launch::inspector_routes`).
pub fn secure(routes: Router) -> Router {
    routes.layer(middleware::from_fn(add_headers))
}

async fn add_headers(request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    let policy = policy(host.filter(|h| is_plain_authority(h)));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// The policy for a page served to `host` (its `Host` header).
fn policy(host: Option<&str>) -> String {
    let socket = host.map(|h| format!(" ws://{h}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self' data:; connect-src 'self'{socket}; object-src 'none'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// A `Host` that can go into the policy as is: a name or address and a port, nothing else.
fn is_plain_authority(host: &str) -> bool {
    !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_pages_own_websocket_only() {
        let with = policy(Some("127.0.0.1:6001"));
        assert!(with.contains("connect-src 'self' ws://127.0.0.1:6001;"), "{with}");
        assert!(with.contains("script-src 'self';"), "{with}");
        assert!(!with.contains("unsafe"), "{with}");
        assert!(policy(None).contains("connect-src 'self';"));
    }

    #[test]
    fn only_plain_hosts_reach_the_policy() {
        let cases = [
            ("127.0.0.1:6001", true),
            ("[::1]:6001", true),
            ("localhost", true),
            ("x; script-src *", false),
            ("", false),
        ];
        for (host, plain) in cases {
            assert_eq!(is_plain_authority(host), plain, "{host}");
        }
    }
}
