//! HTTP API request signing: finds the app, checks key, timestamp, body MD5 and signature.

use std::sync::Arc;

use percent_encoding::percent_decode_str;
use switchboard_engine::config::AppConfig;
use switchboard_proto::sign::{api_string_to_sign, body_md5, constant_time_eq, hmac_hex};
use switchboard_proto::AppId;

/// How far `auth_timestamp` may be from the server's clock, either way.
const MAX_SKEW_SECS: u64 = 600;

/// The apps as the HTTP API sees them: an immutable snapshot.
#[derive(Debug, Clone, Default)]
pub struct AppDirectory {
    apps: Vec<AppConfig>,
}

impl AppDirectory {
    pub fn new(apps: Vec<AppConfig>) -> Arc<Self> {
        Arc::new(Self { apps })
    }

    pub fn by_id(&self, id: &str) -> Option<&AppConfig> {
        self.apps.iter().find(|a| a.id.as_str() == id)
    }

    fn by_key(&self, key: &str) -> Option<&AppConfig> {
        self.apps.iter().find(|a| a.key.as_str() == key)
    }
}

/// How the request names its app.
#[derive(Debug, Clone, Copy)]
pub enum AppLookup<'a> {
    /// `/apps/{id}/…`
    ById(&'a str),
    /// pusher-http-python's `/users/{id}/terminate_connections`: by `auth_key`.
    ByAuthKey,
}

/// The parts of a request that are signed.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub body: &'a [u8],
}

/// Why a request was not authenticated. `status()` gives 401 or 404.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Unknown app {0:?}")]
    UnknownApp(String),
    #[error("Missing query parameter {0}")]
    MissingParam(&'static str),
    #[error("Unknown auth_key {0:?}")]
    UnknownKey(String),
    #[error("Invalid auth_timestamp {0:?}: expected Unix seconds")]
    BadTimestamp(String),
    #[error("Timestamp expired: given auth_timestamp {given} is {skew} s from server time {now}; it must be within 600 s")]
    TimestampExpired { given: u64, now: u64, skew: u64 },
    #[error("Invalid body_md5: expected {expected} (MD5 of the request body), but got {given}")]
    BodyMd5Mismatch { expected: String, given: String },
    #[error("Invalid signature: you should have sent HmacSHA256Hex({string:?}, your_secret_key), but you sent {given:?}")]
    BadSignature { string: String, given: String },
}

impl AuthError {
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownApp(_) => 404,
            _ => 401,
        }
    }
}

/// The authenticated app and the request's decoded query parameters.
#[derive(Debug)]
pub struct Authenticated {
    pub app: AppId,
    pub params: Vec<(String, String)>,
}

impl Authenticated {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Verifies a request as Pusher does.
pub fn verify(
    apps: &AppDirectory,
    lookup: AppLookup<'_>,
    request: &SignedRequest<'_>,
    now_secs: u64,
) -> Result<Authenticated, AuthError> {
    let params: Vec<(String, String)> =
        form_urlencoded::parse(request.query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let param = |name: &'static str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .ok_or(AuthError::MissingParam(name))
    };
    let key = param("auth_key")?;
    let app = match lookup {
        AppLookup::ById(id) => {
            apps.by_id(id).ok_or_else(|| AuthError::UnknownApp(id.to_owned()))?
        }
        AppLookup::ByAuthKey => {
            apps.by_key(key).ok_or_else(|| AuthError::UnknownKey(key.to_owned()))?
        }
    };
    if app.key.as_str() != key {
        return Err(AuthError::UnknownKey(key.to_owned()));
    }
    check_timestamp(param("auth_timestamp")?, now_secs)?;
    check_body(
        params.iter().find(|(k, _)| k == "body_md5").map(|(_, v)| v.as_str()),
        request.body,
    )?;
    let given = param("auth_signature")?;
    check_signature(app, request, &params, given)?;
    Ok(Authenticated { app: app.id.clone(), params })
}

fn check_timestamp(given: &str, now: u64) -> Result<(), AuthError> {
    let given: u64 = given.parse().map_err(|_| AuthError::BadTimestamp(given.to_owned()))?;
    let skew = now.abs_diff(given);
    if skew >= MAX_SKEW_SECS {
        return Err(AuthError::TimestampExpired { given, now, skew });
    }
    Ok(())
}

/// `body_md5` is required with a body, and must match when present (even on GET).
fn check_body(given: Option<&str>, body: &[u8]) -> Result<(), AuthError> {
    let expected = body_md5(body);
    match given {
        None if body.is_empty() => Ok(()),
        None => Err(AuthError::MissingParam("body_md5")),
        Some(given) if given.eq_ignore_ascii_case(&expected) => Ok(()),
        Some(given) => Err(AuthError::BodyMd5Mismatch { expected, given: given.to_owned() }),
    }
}

/// Accepts a signature over the path as sent or percent-decoded (clients differ).
fn check_signature(
    app: &AppConfig,
    request: &SignedRequest<'_>,
    params: &[(String, String)],
    given: &str,
) -> Result<(), AuthError> {
    let decoded = percent_decode_str(request.path).decode_utf8_lossy();
    let mut first_string = None;
    for path in [request.path, decoded.as_ref()] {
        let string = api_string_to_sign(request.method, path, params);
        let expected = hmac_hex(&app.secret, string.as_bytes());
        if constant_time_eq(expected.as_bytes(), given.as_bytes()) {
            return Ok(());
        }
        first_string.get_or_insert(string);
    }
    Err(AuthError::BadSignature {
        string: first_string.unwrap_or_default(),
        given: given.to_owned(),
    })
}

#[cfg(test)]
mod tests;
