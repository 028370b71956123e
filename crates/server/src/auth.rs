//! Who is calling. Staff tokens are long random secrets; the server keeps
//! only their SHA-256 (a fast hash is enough for 256-bit random secrets:
//! there is nothing to brute-force). The business always comes from the
//! token; a `businessId` query parameter is only checked against it.

use crate::app::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequestParts, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new staff token: 256 random bits, hex.
pub fn new_token() -> String {
    let mut buf = [0u8; 32];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The `Bearer` value of the Authorization header, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// Every value of a query parameter, percent-decoded (form rules). All of
/// them are returned so that a repeated parameter cannot smuggle a second
/// value past a check of the first.
pub fn query_params(parts: &Parts, name: &str) -> Vec<String> {
    let Ok(Query(pairs)) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri) else {
        return Vec::new();
    };
    pairs
        .into_iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v)
        .collect()
}

/// An authenticated staff member of one business.
#[derive(Debug, Clone)]
pub struct Staff {
    pub business: String,
}

impl Staff {
    /// Resolves `token` and checks an optional `businessId` parameter.
    pub async fn resolve(state: &AppState, token: &str, parts: &Parts) -> Result<Staff, ApiError> {
        let business = state.business_for_token(token).await?;
        if query_params(parts, "businessId")
            .iter()
            .any(|claimed| *claimed != business)
        {
            return Err(ApiError::Forbidden);
        }
        Ok(Staff { business })
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?.to_string();
        Staff::resolve(state, &token, parts).await
    }
}

/// Like [`Staff`], but also accepts `?access_token=` — only used on the SSE
/// route, because a browser's `EventSource` cannot set headers.
#[derive(Debug, Clone)]
pub struct StreamStaff(pub Staff);

impl FromRequestParts<AppState> for StreamStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = match bearer(parts) {
            Some(t) => t.to_string(),
            None => match query_params(parts, "access_token").as_slice() {
                [one] => one.clone(),
                // None, or several: which one would be meant?
                _ => return Err(ApiError::Unauthorized),
            },
        };
        Staff::resolve(state, &token, parts).await.map(StreamStaff)
    }
}

/// The operator, holding the admin token. Without an admin token configured
/// the admin routes do not exist (404), so they cannot be probed.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = &state.admin_hash else {
            return Err(ApiError::NotFound("no such route".into()));
        };
        let given = bearer(parts).ok_or(ApiError::Unauthorized)?;
        // Comparing hashes keeps the comparison's timing independent of the
        // secret's bytes.
        if hash_token(given) == *expected {
            Ok(Admin)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}
