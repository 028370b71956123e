//! The reservation resource (PROTOCOL.md, "Reservation resource") and the
//! bodies that create and change one.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a reservation stands. Serialized in snake_case (`no_show`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Confirmed,
    Seated,
    Completed,
    Cancelled,
    NoShow,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Confirmed,
        Status::Seated,
        Status::Completed,
        Status::Cancelled,
        Status::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Seated => "seated",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::NoShow => "no_show",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?}; expected one of pending, confirmed, seated, completed, cancelled, no_show"
                )
            })
    }
}

/// One reservation, exactly as the wire carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    pub id: String,
    pub business_id: String,
    pub customer_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    pub date: String,
    pub time: String,
    pub party_size: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub asistencia_actual: u32,
    pub qr_token: String,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

/// The body of `POST /api/reservas`. Unknown fields are refused (400) so that
/// a typo such as `partysize` is reported instead of silently ignored.
/// `businessId` is accepted because the original web client sends it; the
/// server checks it against the token's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewReservation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    pub customer_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    pub date: String,
    pub time: String,
    /// Signed so that `-1` is a rule violation (422), not a type error (400).
    pub party_size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Defaults to `confirmed` when absent; `null` is refused.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The body of `PATCH /api/reservas/{id}`: every field optional. For the
/// optional text fields, `null` clears the value and an absent key leaves it
/// alone, hence the double `Option`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReservationPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_email: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub party_size: Option<i64>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub table: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<Status>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<Option<String>>,
}

/// A required field may be left out of a patch, but not set to `null`:
/// `{"partySize": null}` is a type error (400), not "no change".
pub(crate) fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A present key (even `null`) becomes `Some(..)`; an absent key stays `None`
/// through `#[serde(default)]`.
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_as_snake_case() {
        for st in Status::ALL {
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
            assert_eq!(st.as_str().parse::<Status>().unwrap(), st);
        }
        assert!("noshow".parse::<Status>().is_err());
    }

    #[test]
    fn patch_distinguishes_null_from_absent() {
        let p: ReservationPatch = serde_json::from_str(r#"{"notes":null}"#).unwrap();
        assert_eq!(p.notes, Some(None));
        assert_eq!(p.table, None);
        let p: ReservationPatch = serde_json::from_str(r#"{"table":"7"}"#).unwrap();
        assert_eq!(p.table, Some(Some("7".into())));
    }

    #[test]
    fn null_is_refused_for_required_fields_in_a_patch() {
        for body in [
            r#"{"partySize":null}"#,
            r#"{"customerName":null}"#,
            r#"{"status":null}"#,
        ] {
            assert!(
                serde_json::from_str::<ReservationPatch>(body).is_err(),
                "{body}"
            );
        }
        let p: ReservationPatch = serde_json::from_str(r#"{"partySize":3}"#).unwrap();
        assert_eq!(p.party_size, Some(3));
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(
            serde_json::from_str::<NewReservation>(
                r#"{"customerName":"a","date":"2026-01-01","time":"10:00","partySize":2,"x":1}"#
            )
            .is_err()
        );
        assert!(serde_json::from_str::<ReservationPatch>(r#"{"partysize":2}"#).is_err());
    }
}
