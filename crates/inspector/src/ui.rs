//! The inspector UI at `/`: the built `ui/dist` files, embedded in release builds (read from
//! disk in debug builds), with the single-page app's `index.html` for every other path.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "../../ui/dist/"]
#[allow_missing = true]
struct Assets;

/// Serves a file of the UI, or `index.html` for the app's own routes.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = (!path.is_empty()).then(|| Assets::get(path)).flatten() {
        let mime = file.metadata.mimetype().to_owned();
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return (
            [(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cache.to_owned())],
            file.data,
        )
            .into_response();
    }
    if looks_like_a_file(path) {
        return (StatusCode::NOT_FOUND, format!("no such file: /{path}")).into_response();
    }
    match Assets::get("index.html") {
        Some(index) => {
            let headers = [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")];
            (headers, index.data).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            "The inspector UI is not built into this binary: run `npm ci && npm run build` in ui/ \
             (scripts/setup.sh does it), then build Switchboard again. The API is at /inspector/api.",
        )
            .into_response(),
    }
}

/// A path with an extension in its last segment is a file request, not an app route.
fn looks_like_a_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}
