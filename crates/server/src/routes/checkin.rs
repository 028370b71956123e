//! QR check-in (by reservation id, or by the token a door scanner read) and
//! the QR code image itself.

use super::JsonBody;
use crate::app::AppState;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::store::CheckinKey;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use qrcode::QrCode;
use qrcode::render::svg;
use reservas_core::RuleError;
use reservas_core::api::{CheckinRequest, CheckinResult};

pub async fn by_id(
    staff: Staff,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CheckinResult>, ApiError> {
    let key = CheckinKey::Id(id);
    let res = state
        .call(move |s| s.checkin(&staff.business, &key))
        .await?;
    Ok(Json(res))
}

pub async fn by_token(
    staff: Staff,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CheckinRequest>,
) -> Result<Json<CheckinResult>, ApiError> {
    if body
        .business_id
        .as_ref()
        .is_some_and(|b| *b != staff.business)
    {
        return Err(ApiError::Forbidden);
    }
    // A USB scanner "types" the token; stray spaces or a trailing newline
    // are not part of it.
    let token = body.qr_token.trim().to_string();
    if token.is_empty() {
        return Err(ApiError::Rule(RuleError {
            field: "qrToken".into(),
            code: "required".into(),
            message: "qrToken must not be empty".into(),
        }));
    }
    let key = CheckinKey::QrToken(token);
    let res = state
        .call(move |s| s.checkin(&staff.business, &key))
        .await?;
    Ok(Json(res))
}

pub async fn qr_svg(
    staff: Staff,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let row = state.call(move |s| s.get(&staff.business, &id)).await?;
    let code = QrCode::new(row.qr_token.as_bytes())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("QR encode: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        image,
    ))
}
