//! The JSON bodies of the REST routes other than the reservation itself.

use crate::event::Event;
use crate::reservation::Reservation;
use crate::stats::Stats;
use serde::{Deserialize, Serialize};

/// `GET /api/reservas`: rows, the day's stats and the log head read in the
/// same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub reservas: Vec<Reservation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    pub version: u64,
}

/// `GET /api/reservas/changes?since=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub events: Vec<Event>,
    pub version: u64,
    pub has_more: bool,
}

/// Answer of a check-in (by id or by QR token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckinResult {
    pub reserva_id: String,
    pub asistencia_actual: u32,
    pub cliente_nombre: String,
    pub party_size: u32,
}

/// Body of `POST /api/checkin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckinRequest {
    pub qr_token: String,
    /// Accepted as on the other writes; must be the token's business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
}

/// Every error answer: a machine code, a human message, and for rule
/// violations the field concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Body of `POST /api/admin/businesses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBusiness {
    /// Optional (generated when absent); `null` is refused.
    #[serde(
        default,
        deserialize_with = "crate::reservation::not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    pub name: String,
    /// Defaults to `UTC` when absent; `null` is refused.
    #[serde(
        default,
        deserialize_with = "crate::reservation::not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub timezone: Option<String>,
}

/// Answer of `POST /api/admin/businesses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessCreated {
    pub business_id: String,
    pub token: String,
}

/// Answer of `POST /api/admin/businesses/{id}/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCreated {
    pub token: String,
}

/// A business id is opaque but limited to `[A-Za-z0-9_-]{1,64}`.
pub fn valid_business_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
