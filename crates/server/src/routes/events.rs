//! The change feed: the SSE stream and its polling twin `/changes`.

use super::QueryParams;
use crate::app::AppState;
use crate::auth::{Staff, StreamStaff};
use crate::error::ApiError;
use crate::sse;
use crate::store::parse_entry;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use reservas_core::api::Changes;
use serde::Deserialize;

/// Default and largest page of `/changes`.
const DEFAULT_LIMIT: u64 = 500;
const MAX_LIMIT: u64 = 5000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamParams {
    last_event_id: Option<String>,
}

fn parse_id(raw: &str) -> Result<Option<u64>, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        // An empty Last-Event-ID is what a browser sends before it saw an id.
        return Ok(None);
    }
    strict_u64(raw)
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest(format!("Last-Event-ID {raw:?} is not an event id")))
}

/// Digits only: `u64::from_str` also takes `+3`, and a position in the log
/// must never be guessed.
fn strict_u64(raw: &str) -> Option<u64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

pub async fn stream(
    StreamStaff(staff): StreamStaff,
    State(state): State<AppState>,
    QueryParams(q): QueryParams<StreamParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // The header wins: a browser's EventSource sends it on reconnect, while
    // the query keeps the value of the very first connection.
    let last = match headers.get("last-event-id") {
        Some(v) => parse_id(
            v.to_str()
                .map_err(|_| ApiError::BadRequest("Last-Event-ID is not text".into()))?,
        )?,
        None => q
            .last_event_id
            .as_deref()
            .map(parse_id)
            .transpose()?
            .flatten(),
    };
    let channel = state.hub.channel(&staff.business);
    let rx = channel.subscribe();
    let b = staff.business.clone();
    let bounds = state.call(move |s| s.bounds(&b)).await?;
    tracing::debug!(business = %staff.business, ?last, head = bounds.head, "stream opened");
    Ok(sse::respond(
        state,
        staff.business,
        channel,
        rx,
        bounds,
        last,
    ))
}

#[derive(Debug, Deserialize)]
pub struct ChangesParams {
    since: Option<String>,
    limit: Option<String>,
}

pub async fn changes(
    staff: Staff,
    State(state): State<AppState>,
    QueryParams(q): QueryParams<ChangesParams>,
) -> Result<Json<Changes>, ApiError> {
    let number = |name: &str, v: Option<&str>| -> Result<Option<u64>, ApiError> {
        v.map(|raw| {
            strict_u64(raw).ok_or_else(|| {
                ApiError::BadRequest(format!("{name} {raw:?} is not a non-negative integer"))
            })
        })
        .transpose()
    };
    let since = number("since", q.since.as_deref())?.unwrap_or(0);
    let limit = match number("limit", q.limit.as_deref())? {
        None => DEFAULT_LIMIT,
        Some(0) => return Err(ApiError::BadRequest("limit must be at least 1".into())),
        Some(n) => n.min(MAX_LIMIT),
    } as usize;
    let (entries, bounds) = state
        .call(move |s| s.events_after(&staff.business, since, limit))
        .await?;
    let events = entries
        .iter()
        .map(parse_entry)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let has_more = events.last().is_some_and(|e| e.id < bounds.head);
    Ok(Json(Changes {
        events,
        version: bounds.head,
        has_more,
    }))
}
