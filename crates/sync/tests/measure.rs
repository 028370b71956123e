//! Measurements for the issue's closing note, not pass/fail tests (they
//! are `#[ignore]`d and print their numbers):
//!
//! ```text
//! cargo build -p reservas-server
//! cargo test -p reservas-sync --test measure -- --ignored --nocapture --test-threads 1
//! ```
//!
//! - `cold_start_from_10k_row_cache`: time from spawning `reservas tail
//!   --json` to its first diff line, with a 10,000-row cache.
//! - `events_per_second_applied_to_the_cache`: cache-only apply rate (one
//!   transaction per event, and per 100-event chunk), and end to end: the
//!   real server's stream replaying 10,000 events into an empty cache.
//!
//! `MEASURE_CLI=target/release/reservas` measures a release build of the
//! CLI instead of the debug one the test harness built.
//! - `idle_client_requests`: requests an idle live client makes, counted at
//!   a proxy over `MEASURE_IDLE_SECS` (default 60) with the server's default
//!   15 s heartbeat.

mod common;

use common::*;
use reservas_core::api::Snapshot;
use reservas_core::{Event, EventKind, Reservation, Status};
use reservas_sync::cache::Cache;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The CLI under measurement (debug by default; see the module doc).
fn cli() -> String {
    std::env::var("MEASURE_CLI").unwrap_or_else(|_| CLI.to_string())
}

fn synthetic_row(i: u64) -> Reservation {
    Reservation {
        id: format!("r_{i:06}"),
        business_id: "bench".into(),
        customer_name: format!("Cliente {i}"),
        customer_phone: Some("+34 600 000 000".into()),
        customer_email: None,
        date: today(),
        time: format!("{:02}:{:02}", 12 + (i % 10), (i * 7) % 60),
        party_size: (i % 8 + 1) as u32,
        table: Some(format!("{}", i % 40)),
        status: Status::Confirmed,
        notes: Some("sin gluten".into()),
        asistencia_actual: 0,
        qr_token: format!("qr{i:032}"),
        version: i,
        created_at: "2026-12-03T10:00:00Z".into(),
        updated_at: "2026-12-03T10:00:00Z".into(),
    }
}

#[test]
#[ignore = "measurement"]
fn cold_start_from_10k_row_cache() {
    // A refused port: the first diff must come from the cache alone.
    let server = "http://127.0.0.1:9";
    let token = "bench-token";
    let dir = tempfile::tempdir().unwrap();
    let path = cache_file(&dir);
    {
        let mut c = Cache::open(&path).unwrap();
        c.bind_identity(&reservas_sync::paths::identity(
            &format!("{server}/"),
            token,
        ))
        .unwrap();
        c.replace_with_snapshot(&Snapshot {
            reservas: (1..=10_000).map(synthetic_row).collect(),
            stats: None,
            version: 10_000,
        })
        .unwrap();
    }
    let g = global(server, token, &path, &[]);
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let mut child = Command::new(cli())
            .args(&g)
            .args(["tail", "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let mut rows = 0;
        for line in BufReader::new(out).lines() {
            let line = line.unwrap();
            // Stop the clock when the line is in, before this (debug) test
            // parses its 5 MB.
            if line.starts_with(r#"{"kind":"diff""#) {
                runs.push(t0.elapsed());
                let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                rows = v["upserts"].as_array().map(Vec::len).unwrap_or(0);
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(rows, 10_000);
    }
    runs.sort();
    println!(
        "MEASURE cold start, 10,000-row cache → first diff printed: median {:?} (runs {:?})",
        runs[2], runs
    );
}

#[test]
#[ignore = "measurement"]
fn events_per_second_applied_to_the_cache() {
    const N: u64 = 10_000;
    let events: Vec<Event> = (1..=N)
        .map(|i| {
            if i % 2 == 1 || i < 3 {
                Event {
                    id: i,
                    at: "t".into(),
                    reserva_id: format!("r_{i:06}"),
                    kind: EventKind::ReservationCreated {
                        reserva: Box::new(synthetic_row(i)),
                    },
                }
            } else {
                Event {
                    id: i,
                    at: "t".into(),
                    reserva_id: format!("r_{:06}", i - 1),
                    kind: EventKind::QrScanned {
                        asistencia_actual: 1,
                        cliente_nombre: "x".into(),
                        party_size: 2,
                    },
                }
            }
        })
        .collect();
    for batch in [1usize, 100] {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cache::open(&cache_file(&dir)).unwrap();
        let t0 = Instant::now();
        for chunk in events.chunks(batch) {
            let a = c.apply_events(chunk).unwrap();
            // The engine also builds the diff of each chunk.
            c.diff_for(&a.touched).unwrap();
        }
        let dt = t0.elapsed();
        assert_eq!(c.cursor().unwrap(), Some(N));
        println!(
            "MEASURE cache apply, {batch} event(s) per transaction (+ diff): {N} events in {dt:?} = {:.0} events/s",
            N as f64 / dt.as_secs_f64()
        );
    }

    // End to end: the real server replays its log to a client at cursor 0.
    let (server, token) = start_server(ServerOpts::default());
    let api = Api::new(&server.url(), &token);
    api.rt.block_on(async {
        use futures::StreamExt;
        let client = &api.client;
        futures::stream::iter(0..N)
            .map(|i| async move {
                client
                    .create(&new_row(&format!("Cliente {i}")))
                    .await
                    .expect("create")
            })
            .buffer_unordered(8)
            .collect::<Vec<_>>()
            .await;
    });
    let dir = tempfile::tempdir().unwrap();
    let path = cache_file(&dir);
    {
        let mut c = Cache::open(&path).unwrap();
        c.bind_identity(&reservas_sync::paths::identity(
            &format!("{}/", server.url()),
            &token,
        ))
        .unwrap();
        c.replace_with_snapshot(&Snapshot {
            reservas: vec![],
            stats: None,
            version: 0,
        })
        .unwrap();
    }
    let g = global(&server.url(), &token, &path, &[]);
    let t0 = Instant::now();
    let tail = Tail::start_bin(&cli(), &g, "warn");
    let last = tail.wait_line("cursor at the head", 0, Duration::from_secs(300), |v| {
        v["kind"] == "diff" && v["version"].as_u64() == Some(N)
    });
    let dt = tail.snapshot()[last].0 - t0;
    println!(
        "MEASURE stream replay into the cache (process start → cursor {N}): {dt:?} = {:.0} events/s",
        N as f64 / dt.as_secs_f64()
    );
}

#[test]
#[ignore = "measurement"]
fn idle_client_requests() {
    let secs: u64 = std::env::var("MEASURE_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let (server, token) = start_server(ServerOpts::default()); // heartbeat 15 s
    let proxy = Proxy::start(server.addr);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&proxy.url(), &token, &cache_file(&dir), &[]);
    let tail = Tail::start(&g);
    let live = tail.wait_state("live", 0, Duration::from_secs(30));
    let before = proxy.requests().len();
    let t0 = Instant::now();
    wait_for("measurement window", Duration::from_secs(secs + 30), || {
        (t0.elapsed() >= Duration::from_secs(secs)).then_some(())
    });
    let idle = proxy.requests().len() - before;
    let window = t0.elapsed().as_secs_f64();
    println!(
        "MEASURE idle client: {idle} requests in {window:.0} s besides its one open stream \
         (start-up: {before} = snapshot + stream); extrapolated: {:.1} per 10 min, {:.1} per hour; \
         status changes while idle: {:?}",
        idle as f64 * 600.0 / window,
        idle as f64 * 3600.0 / window,
        tail.states_from(live + 1)
    );
}
