//! Reservation CRUD: the snapshot list (with stats, `version` and ETag), one
//! row, create, patch, delete.

use super::{JsonBody, QueryParams};
use crate::app::AppState;
use crate::auth::Staff;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use reservas_core::api::Snapshot;
use reservas_core::validate;
use reservas_core::{NewReservation, Reservation, ReservationPatch};
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    from: Option<String>,
    to: Option<String>,
    date: Option<String>,
    include_stats: Option<bool>,
}

/// A body's `businessId`, when sent, must be the token's.
fn check_body_business(staff: &Staff, claimed: Option<&str>) -> Result<(), ApiError> {
    match claimed {
        Some(b) if b != staff.business => Err(ApiError::Forbidden),
        _ => Ok(()),
    }
}

/// Today's date in the business's time zone (`YYYY-MM-DD`).
fn today_in(tz: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(zone).date().to_string()
}

pub async fn list(
    staff: Staff,
    State(state): State<AppState>,
    QueryParams(q): QueryParams<ListParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let from = q.from.as_deref().map(|d| bound("from", d)).transpose()?;
    let to = q.to.as_deref().map(|d| bound("to", d)).transpose()?;
    let stats_date = match (q.include_stats.unwrap_or(true), q.date) {
        (false, _) => None,
        (true, Some(d)) => Some(validate::date(&d)?),
        (true, None) => {
            let b = staff.business.clone();
            let tz = state.call(move |s| s.timezone(&b)).await?;
            Some(today_in(&tz))
        }
    };
    // The ETag only needs the log head and the question asked, so an
    // unchanged list costs one tiny read and a 304.
    let b = staff.business.clone();
    let head = state.call(move |s| s.bounds(&b)).await?.head;
    let etag = etag_for(
        head,
        &[from.as_deref(), to.as_deref(), stats_date.as_deref()],
    );
    if if_none_match(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let snap = state
        .call(move |s| {
            s.snapshot(
                &staff.business,
                from.as_deref(),
                to.as_deref(),
                stats_date.as_deref(),
            )
        })
        .await?;
    // Recompute: a write may have landed between the two reads.
    let etag = etag_for(
        snap.version,
        &[
            q.from.as_deref(),
            q.to.as_deref(),
            snap.stats.as_ref().map(|s| s.date.as_str()),
        ],
    );
    let body = Snapshot {
        reservas: snap.rows,
        stats: snap.stats,
        version: snap.version,
    };
    Ok((
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Json(body),
    )
        .into_response())
}

/// A `from`/`to` date, with the error naming the parameter.
fn bound(name: &str, raw: &str) -> Result<String, ApiError> {
    validate::date(raw).map_err(|mut e| {
        e.field = name.into();
        ApiError::Rule(e)
    })
}

fn etag_for(version: u64, parts: &[Option<&str>]) -> HeaderValue {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.unwrap_or("-").as_bytes());
        h.update(b"\0");
    }
    let digest = hex::encode(&h.finalize()[..6]);
    HeaderValue::from_str(&format!("\"v{version}-{digest}\""))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}

fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(v) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default();
    v.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == ours)
}

pub async fn get_one(
    staff: Staff,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Reservation>, ApiError> {
    Ok(Json(
        state.call(move |s| s.get(&staff.business, &id)).await?,
    ))
}

pub async fn create(
    staff: Staff,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewReservation>,
) -> Result<Response, ApiError> {
    check_body_business(&staff, body.business_id.as_deref())?;
    let valid = validate::new_reservation(&body)?;
    let row = state
        .call(move |s| s.create(&staff.business, valid))
        .await?;
    let location = format!("/api/reservas/{}", row.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(row),
    )
        .into_response())
}

/// `If-Match: 42` or `If-Match: "42"`; `*` matches any existing row.
fn if_match(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    if v.as_bytes().trim_ascii() == b"*" {
        return Ok(None);
    }
    v.to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("If-Match must be a reservation version".into()))
}

pub async fn update(
    staff: Staff,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<ReservationPatch>,
) -> Result<Json<Reservation>, ApiError> {
    check_body_business(&staff, patch.business_id.as_deref())?;
    let expected = if_match(&headers)?;
    let row = state
        .call(move |s| s.update(&staff.business, &id, &patch, expected))
        .await?;
    Ok(Json(row))
}

pub async fn delete(
    staff: Staff,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.call(move |s| s.delete(&staff.business, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
