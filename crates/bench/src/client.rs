//! Client numbers, measured the way the sync engineer's
//! `crates/sync/tests/measure.rs` does, with real rows:
//! - cold start: a 10,000-row cache (the real day's reservations, repeated
//!   under distinct ids) → time from spawning the release `reservas tail
//!   --json` to its first diff line. The server address is a refused port,
//!   so the first diff comes from the cache alone, before any network.
//! - apply rate: `Cache::apply_events` + `Cache::diff_for` (what the engine
//!   does per frame), one event per transaction, and 100 per transaction.

use crate::realdata::RealDay;
use crate::systems::release_bin;
use reservas_core::api::Snapshot;
use reservas_core::{Event, EventKind, Reservation, Status};
use reservas_sync::cache::Cache;
use serde::Serialize;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientResult {
    pub rows: usize,
    /// Median of the runs.
    pub cold_start_ms: f64,
    pub cold_start_runs_ms: Vec<f64>,
    /// One event per transaction (+ its diff).
    pub apply_events_per_sec: f64,
    /// 100 events per transaction (+ the diff of the chunk).
    pub apply_events_per_sec_batched: f64,
    pub events: usize,
}

fn row(day: &RealDay, i: usize) -> Reservation {
    let n = &day.seed[i % day.seed.len()];
    Reservation {
        id: format!("r_{i:016x}"),
        business_id: "bench".into(),
        customer_name: n.customer_name.clone(),
        customer_phone: n.customer_phone.clone(),
        customer_email: n.customer_email.clone(),
        date: n.date.clone(),
        time: n.time.clone(),
        party_size: n.party_size as u32,
        table: n.table.clone(),
        status: n.status.unwrap_or(Status::Confirmed),
        notes: n.notes.clone(),
        asistencia_actual: 0,
        qr_token: format!("{i:032x}"),
        version: i as u64 + 1,
        created_at: "2026-01-01T08:00:00.000Z".into(),
        updated_at: "2026-01-01T08:00:00.000Z".into(),
    }
}

pub fn run(day: &RealDay, rows: usize, events: usize, runs: usize) -> anyhow::Result<ClientResult> {
    let server = "http://127.0.0.1:9";
    let token = "bench-token";
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cache.db");
    {
        let mut c = Cache::open(&path)?;
        c.bind_identity(&reservas_sync::paths::identity(
            &format!("{server}/"),
            token,
        ))?;
        c.replace_with_snapshot(&Snapshot {
            reservas: (0..rows).map(|i| row(day, i)).collect(),
            stats: None,
            version: rows as u64,
        })?;
    }
    let cli = release_bin("reservas")?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let child = Command::new(&cli)
            .args(["--server", server, "--token", token, "--cache"])
            .arg(&path)
            .args(["tail", "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut g = crate::procs::ChildGuard::new("reservas tail", child);
        let out = g.child.stdout.take().expect("stdout");
        let mut got = None;
        for line in BufReader::new(out).lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            if v["kind"] == "diff" {
                got = Some(v["upserts"].as_array().map_or(0, Vec::len));
                break;
            }
        }
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        drop(g);
        anyhow::ensure!(
            got == Some(rows),
            "first diff had {got:?} rows, expected {rows}"
        );
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let cold = sorted[sorted.len() / 2];

    // Real-day shaped events: a booking made, then a guest's check-in on it.
    let evs: Vec<Event> = (0..events)
        .map(|i| {
            let rid = format!("r_{:016x}", rows + i / 2);
            let kind = if i % 2 == 0 {
                let mut r = row(day, rows + i / 2);
                r.version = (rows + i + 1) as u64;
                EventKind::ReservationCreated {
                    reserva: Box::new(r),
                }
            } else {
                let r = row(day, rows + i / 2);
                EventKind::QrScanned {
                    asistencia_actual: 1,
                    cliente_nombre: r.customer_name,
                    party_size: r.party_size,
                }
            };
            Event {
                id: (rows + i + 1) as u64,
                at: "2026-01-01T09:00:00.000Z".into(),
                reserva_id: rid,
                kind,
            }
        })
        .collect();
    let mut rates = Vec::new();
    for batch in [1usize, 100] {
        let d = tempfile::tempdir()?;
        let p = d.path().join("cache.db");
        std::fs::copy(&path, &p)?;
        let mut c = Cache::open(&p)?;
        let t0 = Instant::now();
        for chunk in evs.chunks(batch) {
            let a = c.apply_events(chunk)?;
            c.diff_for(&a.touched)?;
        }
        let dt = t0.elapsed().as_secs_f64();
        anyhow::ensure!(
            c.cursor()? == Some((rows + events) as u64),
            "cursor did not reach the last event"
        );
        rates.push(events as f64 / dt);
    }
    let r = ClientResult {
        rows,
        cold_start_ms: cold,
        cold_start_runs_ms: times,
        apply_events_per_sec: rates[0],
        apply_events_per_sec_batched: rates[1],
        events,
    };
    tracing::info!(?r, "client");
    Ok(r)
}
