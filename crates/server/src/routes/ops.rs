//! Operational routes: health, metrics, and the JSON answers for unknown
//! routes and methods.

use crate::app::AppState;
use crate::error::ApiError;
use crate::metrics::Metrics;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

pub async fn method_not_allowed(State(state): State<AppState>, uri: Uri) -> Response {
    // Without an admin token the admin routes do not exist, whatever the
    // method: a 405 would reveal them.
    if state.admin_hash.is_none() && uri.path().starts_with("/api/admin/") {
        return not_found().await.into_response();
    }
    let body =
        json!({"error": "method_not_allowed", "message": "method not allowed on this route"});
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

/// Counts every request (the idle-cost target is measured with this).
pub async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    Metrics::inc(&state.metrics.http_requests);
    next.run(req).await
}
