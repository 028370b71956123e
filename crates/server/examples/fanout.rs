//! Delivery latency of one event to N connected clients on loopback.
//!
//! Starts the release `reservas-server` binary, opens N SSE streams of one
//! business (N = first argument, default 100), then makes E writes (second
//! argument, default 50) one after another, each after every client got the
//! previous one. Latency = from just before the write request is sent to the
//! moment a client's reader task parsed the event's frame. Prints median,
//! p99 and worst over all (client, event) pairs.
//!
//! Run: cargo build --release -p reservas-server &&
//!      cargo run --release -p reservas-server --example fanout -- 100 50

use reservas_tests::sse::{Item, SseClient};
use reservas_tests::{Server, ServerOpts, raw_request};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let clients: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let events: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let bin =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/reservas-server");
    assert!(
        bin.exists(),
        "build it first: cargo build --release -p reservas-server"
    );
    let s = Server::start(&bin, ServerOpts::default());
    let (_, token) = s.create_business(Some("bench"));
    let mut subs = Vec::new();
    for _ in 0..clients {
        let mut c = SseClient::connect(&s.url(), Some(&token), None, "", &[]).await;
        c.next_frame(Duration::from_secs(10)).await;
        subs.push(c);
    }
    let mut lat: Vec<Duration> = Vec::with_capacity(clients * events);
    for i in 0..events {
        let addr = s.addr;
        let t = token.clone();
        let t0 = Instant::now();
        tokio::task::spawn_blocking(move || {
            let body = format!(
                r#"{{"customerName":"n{i}","date":"2026-12-03","time":"20:00","partySize":2}}"#
            );
            let r = raw_request(
                addr,
                "POST",
                "/api/reservas",
                &[("Authorization", &format!("Bearer {t}"))],
                body.as_bytes(),
            );
            assert_eq!(r.status, 201);
        });
        for c in subs.iter_mut() {
            loop {
                match c.next(Duration::from_secs(10)).await {
                    (at, Item::Frame(f)) if f.id_u64() == Some(i as u64 + 1) => {
                        lat.push(at - t0);
                        break;
                    }
                    (_, Item::End) => panic!("stream ended"),
                    _ => {}
                }
            }
        }
    }
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "{clients} clients x {events} events: median {:.2} ms, p99 {:.2} ms, worst {:.2} ms ({} deliveries)",
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3,
        lat.len()
    );
}
