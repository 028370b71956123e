//! The operator's routes: create businesses and extra staff tokens. Only
//! present when the server was given an admin token.

use super::JsonBody;
use crate::app::AppState;
use crate::auth::{Admin, hash_token, new_token};
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rand::RngCore;
use reservas_core::RuleError;
use reservas_core::api::{BusinessCreated, NewBusiness, TokenCreated, valid_business_id};

fn rule(field: &str, code: &str, message: String) -> ApiError {
    ApiError::Rule(RuleError {
        field: field.into(),
        code: code.into(),
        message,
    })
}

pub async fn create_business(
    _: Admin,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewBusiness>,
) -> Result<(StatusCode, Json<BusinessCreated>), ApiError> {
    let id = match body.id {
        Some(id) if valid_business_id(&id) => id,
        Some(id) => {
            return Err(rule(
                "id",
                "invalid_id",
                format!("business id {id:?} must match [A-Za-z0-9_-]{{1,64}}"),
            ));
        }
        None => {
            let mut b = [0u8; 6];
            rand::rng().fill_bytes(&mut b);
            format!("b_{}", hex::encode(b))
        }
    };
    let name = body.name.trim().to_string();
    if name.is_empty() {
        return Err(rule("name", "required", "name must not be empty".into()));
    }
    let timezone = body.timezone.unwrap_or_else(|| "UTC".into());
    if jiff::tz::TimeZone::get(&timezone).is_err() {
        return Err(rule(
            "timezone",
            "invalid_timezone",
            format!("{timezone:?} is not an IANA time zone"),
        ));
    }
    let token = new_token();
    let hash = hash_token(&token);
    let bid = id.clone();
    state
        .call(move |s| s.create_business(&bid, &name, &timezone, &hash))
        .await?;
    tracing::info!(business = %id, "business created");
    Ok((
        StatusCode::CREATED,
        Json(BusinessCreated {
            business_id: id,
            token,
        }),
    ))
}

pub async fn create_token(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let token = new_token();
    let hash = hash_token(&token);
    state.call(move |s| s.add_token(&id, &hash)).await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { token })))
}
