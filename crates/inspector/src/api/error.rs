//! The API's error answer: a status and `{"error": "…"}` (filter errors add the position).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use switchboard_engine::ApiError;
use ts_rs::TS;

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorBody {
    pub error: String,
    /// Filter errors: the character offset of the mistake in the filter text…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub position: Option<usize>,
    /// …and how many characters to underline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub length: Option<usize>,
}

/// A failed inspector request.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
    /// Character offset and length in a filter, for underlining.
    pub span: Option<(usize, usize)>,
}

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), span: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self::new(status, error.to_string())
    }
}

impl From<crate::recorder::RecorderError> for Failure {
    fn from(error: crate::recorder::RecorderError) -> Self {
        Self::internal(format!("recorder: {error}"))
    }
}

impl From<crate::filter::FilterError> for Failure {
    fn from(error: crate::filter::FilterError) -> Self {
        let mut failure = Self::bad_request(error.message);
        failure.span = Some((error.position, error.length));
        failure
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (position, length) = self.span.unzip();
        (self.status, Json(ErrorBody { error: self.message, position, length })).into_response()
    }
}
