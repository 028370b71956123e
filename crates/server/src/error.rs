//! The one error type of the HTTP layer. Handlers return
//! `Result<_, ApiError>`; the status code of every failure of the contract
//! (PROTOCOL.md, "Errors") is decided here and nowhere else.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use reservas_core::RuleError;
use reservas_core::api::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: not JSON, wrong types, unknown fields, bad query values.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no token, or a token the server does not know.
    #[error("missing or unknown token")]
    Unauthorized,
    /// 403: `businessId` names another business than the token's.
    #[error("this token belongs to another business")]
    Forbidden,
    /// 404: no such reservation / token / route (for this business).
    #[error("{0}")]
    NotFound(String),
    /// 409: the resource exists already.
    #[error("{0}")]
    Conflict(String),
    /// 410: the requested history is no longer (or not yet) in the log.
    #[error("{0}")]
    Gone(String),
    /// 412: `If-Match` names an older version.
    #[error("the reservation changed: version is {current}, not {expected}")]
    PreconditionFailed { current: u64, expected: u64 },
    /// 413: body above the 64 KiB limit.
    #[error("request body is larger than 64 KiB")]
    PayloadTooLarge,
    /// 422: valid JSON breaking a rule.
    #[error("{0}")]
    Rule(RuleError),
    /// 500: the store failed; details are logged, not sent.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Gone(_) => "history_gone",
            ApiError::PreconditionFailed { .. } => "version_conflict",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::Rule(r) => &r.code,
            ApiError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
        let (message, field) = match &self {
            ApiError::Rule(r) => (r.message.clone(), Some(r.field.clone())),
            other => (other.to_string(), None),
        };
        let body = ErrorBody {
            error: self.code().to_string(),
            message,
            field,
        };
        (self.status(), Json(body)).into_response()
    }
}

impl From<RuleError> for ApiError {
    fn from(r: RuleError) -> Self {
        ApiError::Rule(r)
    }
}
