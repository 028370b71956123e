//! The router — read it as the API's table of contents — and the state every
//! handler shares.

use crate::config::Config;
use crate::error::ApiError;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::routes::{admin, checkin, events, ops, reservations};
use crate::store::{Store, StoreError};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;
use tower_http::cors::CorsLayer;

/// Largest request body accepted (413 above).
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
    pub heartbeat_secs: u64,
    pub retry_ms: u64,
    /// SHA-256 of the admin token; `None` hides the admin routes.
    pub admin_hash: Option<String>,
    /// token hash → business. Tokens are never revoked yet, so a hit stays
    /// valid; this spares a database read on every request.
    pub token_cache: Arc<Mutex<HashMap<String, String>>>,
    pub shutdown: CancellationToken,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        cfg: &Config,
        admin_token: Option<String>,
        shutdown: CancellationToken,
    ) -> AppState {
        AppState {
            hub: hub.clone(),
            store,
            metrics: hub.metrics().clone(),
            heartbeat_secs: cfg.heartbeat_secs,
            retry_ms: cfg.retry_ms,
            admin_hash: admin_token.as_deref().map(crate::auth::hash_token),
            token_cache: Arc::default(),
            shutdown,
        }
    }

    /// Runs a blocking store call on tokio's blocking pool.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let store = self.store.clone();
        let res = tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("store task failed: {e}")))?;
        res.map_err(ApiError::from)
    }

    /// The business a staff token belongs to, or 401.
    pub async fn business_for_token(&self, token: &str) -> Result<String, ApiError> {
        let hash = crate::auth::hash_token(token);
        if let Some(b) = self.cache().get(&hash) {
            return Ok(b.clone());
        }
        let h = hash.clone();
        let found = self.call(move |s| s.business_for_token(&h)).await?;
        let business = found.ok_or(ApiError::Unauthorized)?;
        self.cache().insert(hash, business.clone());
        Ok(business)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.token_cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ApiError::NotFound(m),
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Stale { current, expected } => {
                ApiError::PreconditionFailed { current, expected }
            }
            StoreError::Rule(r) => ApiError::Rule(r),
            e @ StoreError::Gone { .. } => ApiError::Gone(e.to_string()),
            StoreError::Other(e) => ApiError::Internal(e),
        }
    }
}

/// Every route of PROTOCOL.md.
pub fn router(state: AppState, cors_origins: &[String]) -> anyhow::Result<Router> {
    let api = Router::new()
        .route("/api/health", get(ops::health))
        .route("/metrics", get(ops::metrics))
        .route("/api/admin/businesses", post(admin::create_business))
        .route(
            "/api/admin/businesses/{id}/tokens",
            post(admin::create_token),
        )
        .route(
            "/api/reservas",
            get(reservations::list).post(reservations::create),
        )
        .route("/api/reservas/changes", get(events::changes))
        .route("/api/reservas/events", get(events::stream))
        .route(
            "/api/reservas/{id}",
            get(reservations::get_one)
                .patch(reservations::update)
                .put(reservations::update)
                .delete(reservations::delete),
        )
        .route("/api/reservas/{id}/asistencia", post(checkin::by_id))
        .route("/api/reservas/{id}/qr.svg", get(checkin::qr_svg))
        .route("/api/checkin", post(checkin::by_token))
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::count_requests,
        ));
    let api = if cors_origins.is_empty() {
        // No CORS headers at all: browsers refuse cross-origin reads.
        api
    } else {
        let origins = cors_origins
            .iter()
            .map(|o| {
                HeaderValue::from_str(o).map_err(|_| anyhow::anyhow!("bad --cors-origin {o:?}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        api.layer(
            CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([
                    Method::GET,
                    Method::POST,
                    Method::PATCH,
                    Method::PUT,
                    Method::DELETE,
                ])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    header::IF_MATCH,
                    header::IF_NONE_MATCH,
                    header::HeaderName::from_static("last-event-id"),
                ])
                .expose_headers([header::ETAG, header::LOCATION]),
        )
    };
    Ok(api.with_state(state))
}
