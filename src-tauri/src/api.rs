//! Calls to the embedded server's inspector API, as the UI makes them (with the token when
//! the server listens beyond loopback). Export, import and the client config go through it.

use url::Url;

use crate::error::FileError;
use crate::supervisor::Served;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// `route` (e.g. `inspector/api/info`) on the server's origin.
pub fn url(served: &Served, route: &str) -> Result<Url, FileError> {
    served.origin.join(route).map_err(|_| FileError::NotRunning)
}

pub async fn get(served: &Served, route: &str) -> Result<reqwest::Response, FileError> {
    get_url(served, url(served, route)?).await
}

pub async fn get_url(served: &Served, url: Url) -> Result<reqwest::Response, FileError> {
    send(served, client().get(url)).await
}

pub async fn post(
    served: &Served,
    route: &str,
    body: Vec<u8>,
) -> Result<reqwest::Response, FileError> {
    send(served, client().post(url(served, route)?).body(body)).await
}

/// Sends a request; a status other than 2xx is an error carrying the API's message.
async fn send(
    served: &Served,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, FileError> {
    let request = match &served.token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    let response = request.send().await?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    Err(FileError::Refused { status: status.as_u16(), body })
}
