//! The rules every write must satisfy (PROTOCOL.md, "Rules that the routes
//! share"). A broken rule is a 422 naming the field, so a form can show the
//! message next to the right input.

use crate::reservation::{NewReservation, ReservationPatch, Status};
use serde::{Deserialize, Serialize};

pub const MIN_PARTY: i64 = 1;
pub const MAX_PARTY: i64 = 500;
/// Generous limits that keep one row small; the 64 KiB body limit is the
/// outer bound.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_SHORT_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 4000;

/// A rule a write broke: which field, a machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RuleError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl RuleError {
    fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        RuleError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The cleaned values of a valid create, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub customer_email: Option<String>,
    pub date: String,
    pub time: String,
    pub party_size: u32,
    pub table: Option<String>,
    pub status: Status,
    pub notes: Option<String>,
}

/// `customerName`: trimmed, non-empty, bounded.
pub fn customer_name(raw: &str) -> Result<String, RuleError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(RuleError::new(
            "customerName",
            "required",
            "customerName must not be empty",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(RuleError::new(
            "customerName",
            "too_long",
            format!("customerName is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_string())
}

/// `date`: a real calendar date written `YYYY-MM-DD`; past dates are fine.
pub fn date(raw: &str) -> Result<String, RuleError> {
    let bad = || {
        RuleError::new(
            "date",
            "invalid_date",
            format!("date {raw:?} is not a calendar date written YYYY-MM-DD"),
        )
    };
    // The strict shape first: jiff also accepts forms such as `+002026-…`.
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    if !b
        .iter()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return Err(bad());
    }
    raw.parse::<jiff::civil::Date>().map_err(|_| bad())?;
    Ok(raw.to_string())
}

/// `time`: `HH:MM`, 24 h.
pub fn time(raw: &str) -> Result<String, RuleError> {
    let b = raw.as_bytes();
    let ok =
        b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) && {
            let h = (b[0] - b'0') * 10 + (b[1] - b'0');
            let m = (b[3] - b'0') * 10 + (b[4] - b'0');
            h < 24 && m < 60
        };
    if ok {
        Ok(raw.to_string())
    } else {
        Err(RuleError::new(
            "time",
            "invalid_time",
            format!("time {raw:?} is not a time of day written HH:MM (24 h)"),
        ))
    }
}

/// `partySize`: 1–500.
pub fn party_size(raw: i64) -> Result<u32, RuleError> {
    if (MIN_PARTY..=MAX_PARTY).contains(&raw) {
        Ok(raw as u32)
    } else {
        Err(RuleError::new(
            "partySize",
            "out_of_range",
            format!("partySize must be between {MIN_PARTY} and {MAX_PARTY}, got {raw}"),
        ))
    }
}

/// Optional short text (phone, e-mail, table): trimmed; empty means absent.
fn short(field: &str, raw: Option<&str>) -> Result<Option<String>, RuleError> {
    let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > MAX_SHORT_CHARS {
        return Err(RuleError::new(
            field,
            "too_long",
            format!("{field} is longer than {MAX_SHORT_CHARS} characters"),
        ));
    }
    if field == "customerEmail" && !v.contains('@') {
        return Err(RuleError::new(
            field,
            "invalid_email",
            format!("customerEmail {v:?} is not an e-mail address"),
        ));
    }
    Ok(Some(v.to_string()))
}

/// `notes`: stored exactly as sent (line breaks included), only bounded.
fn notes(raw: Option<&str>) -> Result<Option<String>, RuleError> {
    match raw {
        Some(n) if n.chars().count() > MAX_NOTES_CHARS => Err(RuleError::new(
            "notes",
            "too_long",
            format!("notes are longer than {MAX_NOTES_CHARS} characters"),
        )),
        Some("") => Ok(None),
        other => Ok(other.map(str::to_string)),
    }
}

/// Checks a create body; the first broken rule is reported.
pub fn new_reservation(input: &NewReservation) -> Result<Validated, RuleError> {
    Ok(Validated {
        customer_name: customer_name(&input.customer_name)?,
        customer_phone: short("customerPhone", input.customer_phone.as_deref())?,
        customer_email: short("customerEmail", input.customer_email.as_deref())?,
        date: date(&input.date)?,
        time: time(&input.time)?,
        party_size: party_size(input.party_size)?,
        table: short("table", input.table.as_deref())?,
        status: input.status.unwrap_or(Status::Confirmed),
        notes: notes(input.notes.as_deref())?,
    })
}

/// Applies a patch onto the current values (as a [`Validated`]) and checks
/// the result. Returns the new values and the wire names of the fields whose
/// value actually changed.
pub fn apply_patch(
    current: &Validated,
    patch: &ReservationPatch,
) -> Result<(Validated, Vec<&'static str>), RuleError> {
    let mut next = current.clone();
    if let Some(n) = &patch.customer_name {
        next.customer_name = customer_name(n)?;
    }
    if let Some(p) = &patch.customer_phone {
        next.customer_phone = short("customerPhone", p.as_deref())?;
    }
    if let Some(e) = &patch.customer_email {
        next.customer_email = short("customerEmail", e.as_deref())?;
    }
    if let Some(d) = &patch.date {
        next.date = date(d)?;
    }
    if let Some(t) = &patch.time {
        next.time = time(t)?;
    }
    if let Some(p) = patch.party_size {
        next.party_size = party_size(p)?;
    }
    if let Some(t) = &patch.table {
        next.table = short("table", t.as_deref())?;
    }
    if let Some(s) = patch.status {
        next.status = s;
    }
    if let Some(n) = &patch.notes {
        next.notes = notes(n.as_deref())?;
    }
    let mut changed = Vec::new();
    let c = current;
    let pairs: [(&'static str, bool); 9] = [
        ("customerName", c.customer_name != next.customer_name),
        ("customerPhone", c.customer_phone != next.customer_phone),
        ("customerEmail", c.customer_email != next.customer_email),
        ("date", c.date != next.date),
        ("time", c.time != next.time),
        ("partySize", c.party_size != next.party_size),
        ("table", c.table != next.table),
        ("status", c.status != next.status),
        ("notes", c.notes != next.notes),
    ];
    for (name, differs) in pairs {
        if differs {
            changed.push(name);
        }
    }
    Ok((next, changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NewReservation {
        NewReservation {
            customer_name: "  Ana García\n".into(),
            date: "2026-12-03".into(),
            time: "21:30".into(),
            party_size: 4,
            notes: Some("Mesa 4\nCumpleaños\r\nsin gluten\rFin".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_is_cleaned() {
        let v = new_reservation(&input()).unwrap();
        assert_eq!(v.customer_name, "Ana García");
        assert_eq!(v.status, Status::Confirmed);
        assert_eq!(
            v.notes.as_deref(),
            Some("Mesa 4\nCumpleaños\r\nsin gluten\rFin")
        );
    }

    #[test]
    fn each_rule_names_its_field() {
        type Mutation = fn(&mut NewReservation);
        let cases: Vec<(Mutation, &str)> = vec![
            (|r| r.customer_name = "   ".into(), "customerName"),
            (|r| r.party_size = 0, "partySize"),
            (|r| r.party_size = -3, "partySize"),
            (|r| r.party_size = 501, "partySize"),
            (|r| r.date = "2026-02-30".into(), "date"),
            (|r| r.date = "2026-2-3".into(), "date"),
            (|r| r.date = "+02026-02-03".into(), "date"),
            (|r| r.time = "24:00".into(), "time"),
            (|r| r.time = "9:30".into(), "time"),
            (|r| r.customer_email = Some("nope".into()), "customerEmail"),
        ];
        for (mutate, field) in cases {
            let mut r = input();
            mutate(&mut r);
            assert_eq!(new_reservation(&r).unwrap_err().field, field, "{r:?}");
        }
        let mut r = input();
        r.party_size = 500;
        r.date = "2024-02-29".into();
        r.time = "00:00".into();
        assert!(new_reservation(&r).is_ok());
    }

    #[test]
    fn patch_reports_only_real_changes() {
        let v = new_reservation(&input()).unwrap();
        let patch = ReservationPatch {
            party_size: Some(4),
            status: Some(Status::Seated),
            notes: Some(None),
            ..Default::default()
        };
        let (next, changed) = apply_patch(&v, &patch).unwrap();
        assert_eq!(changed, vec!["status", "notes"]);
        assert_eq!(next.notes, None);
    }
}
