//! The real day the benchmarks write: the City Hotel's 2016-08-18 from the
//! shipped hotel-bookings dataset, planned by the same code as `reservas
//! replay` (`reservas_sync::replay::Plan`), shifted to today. The seed is
//! the books that morning; the writes are that day's QR check-ins, one per
//! arriving guest, in the day's order, each sent as `POST /api/checkin` with
//! the real reservation's `qrToken`.

use futures::StreamExt;
use reservas_core::{NewReservation, Status};
use reservas_sync::ApiClient;
use reservas_sync::import::{self, DEMO_CSV, Hotel};
use reservas_sync::replay::{DEMO_DAY, EventKind, Plan};
use std::collections::HashMap;

/// Creations in flight while seeding one business.
const SEED_CONCURRENCY: usize = 8;

pub struct RealDay {
    /// The morning's books (what `reservas replay --seed-only` creates).
    pub seed: Vec<NewReservation>,
    /// Reservation of each check-in of the day, in order (an index into
    /// `rows`); a party of 3 appears three times.
    pub checkins: Vec<usize>,
    /// Every reservation a check-in refers to, as it stood that morning.
    pub rows: Vec<NewReservation>,
}

impl RealDay {
    pub fn load() -> anyhow::Result<RealDay> {
        let target = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let parsed = import::parse(DEMO_CSV)?;
        let plan = Plan::new(&parsed.bookings, Hotel::City, DEMO_DAY, target);
        let seed = plan
            .seed
            .iter()
            .filter_map(|(i, st)| plan.bookings[*i].to_new_reservation(plan.shift, *st))
            .collect();
        let mut index: HashMap<usize, usize> = HashMap::new();
        let mut rows = Vec::new();
        let mut checkins = Vec::new();
        for e in &plan.events {
            if let EventKind::CheckIn { .. } = e.kind {
                let next = rows.len();
                let at = *index.entry(e.booking).or_insert(next);
                if at == next {
                    let Some(r) =
                        plan.bookings[e.booking].to_new_reservation(plan.shift, Status::Confirmed)
                    else {
                        continue;
                    };
                    rows.push(r);
                }
                checkins.push(at);
            }
        }
        anyhow::ensure!(!checkins.is_empty(), "the real day has no check-ins");
        Ok(RealDay {
            seed,
            checkins,
            rows,
        })
    }

    /// How many distinct reservations the first `n` check-ins touch
    /// (the check-in list is cycled past its end).
    pub fn rows_for(&self, n: usize) -> usize {
        if n >= self.checkins.len() {
            return self.rows.len();
        }
        self.checkins[..n].iter().max().map_or(0, |m| m + 1)
    }
}

/// Creates `rows` in the business of `client`; returns their `qrToken`s in
/// the same order.
pub async fn create_rows(
    client: &ApiClient,
    rows: &[NewReservation],
) -> anyhow::Result<Vec<String>> {
    let created: Vec<_> = futures::stream::iter(rows.iter().enumerate())
        .map(|(i, r)| async move { (i, client.create(r).await) })
        .buffer_unordered(SEED_CONCURRENCY)
        .collect()
        .await;
    let mut tokens = vec![String::new(); rows.len()];
    for (i, r) in created {
        tokens[i] = r
            .map_err(|e| anyhow::anyhow!("seeding a real reservation failed: {e}"))?
            .qr_token;
    }
    Ok(tokens)
}
