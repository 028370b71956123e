//! The day's figures shown in the stats bar and returned with snapshots.

use crate::reservation::{Reservation, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub date: String,
    pub total: u32,
    pub by_status: BTreeMap<Status, u32>,
    /// Sum of `partySize` of the day's rows that are not cancelled.
    pub expected_guests: u32,
    /// Sum of `asistenciaActual` (QR scans) of the day's rows.
    pub arrived_guests: u32,
}

impl Stats {
    /// Figures for `date` over any set of rows (rows of other dates are
    /// ignored, so a cache can pass all it holds).
    pub fn compute<'a>(date: &str, rows: impl IntoIterator<Item = &'a Reservation>) -> Stats {
        let mut s = Stats {
            date: date.to_string(),
            ..Default::default()
        };
        for r in rows.into_iter().filter(|r| r.date == date) {
            s.total += 1;
            *s.by_status.entry(r.status).or_default() += 1;
            if r.status != Status::Cancelled {
                s.expected_guests += r.party_size;
            }
            s.arrived_guests += r.asistencia_actual;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(date: &str, party: u32, status: Status, arrived: u32) -> Reservation {
        Reservation {
            id: format!("r{party}{arrived}"),
            business_id: "b".into(),
            customer_name: "x".into(),
            customer_phone: None,
            customer_email: None,
            date: date.into(),
            time: "20:00".into(),
            party_size: party,
            table: None,
            status,
            notes: None,
            asistencia_actual: arrived,
            qr_token: "t".into(),
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn cancelled_rows_count_but_bring_no_guests() {
        let rows = [
            row("2026-12-03", 4, Status::Confirmed, 2),
            row("2026-12-03", 3, Status::Cancelled, 0),
            row("2026-12-03", 2, Status::Seated, 3),
            row("2026-12-04", 9, Status::Confirmed, 0),
        ];
        let s = Stats::compute("2026-12-03", &rows);
        assert_eq!(s.total, 3);
        assert_eq!(s.expected_guests, 6);
        assert_eq!(s.arrived_guests, 5);
        assert_eq!(s.by_status[&Status::Cancelled], 1);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["byStatus"]["confirmed"], 1);
        assert_eq!(json["expectedGuests"], 6);
    }
}
