//! Restart storm: `clients` streams of one business (seeded with the real
//! day), a few real check-ins, `kill -9` of the server, a restart on the
//! same port and database, and real check-ins written right after it is
//! listening again. Measured: time until every client holds every event,
//! events lost, and reconnect attempts per 100 ms.
//!
//! The clients are lean (a task and a raw socket each, see `sse.rs`), not
//! 1,000 real engines, which would be 1,000 SQLite caches; they reconnect
//! on the engine's own schedule — `reservas_sync::backoff::Backoff` (full
//! jitter, 0.5 s floor, 30 s cap, the server's `retry:` as the base, 1 s
//! before one is seen) — and resume with `Last-Event-ID`, like the engine.

use crate::sse;
use crate::systems::System;
use reservas_sync::backoff::{Backoff, DEFAULT_BASE, DEFAULT_CAP};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestartResult {
    pub clients: usize,
    /// From the restarted server listening to the last client holding the
    /// last event.
    pub seconds_to_caught_up: f64,
    /// The same from the kill.
    pub seconds_from_kill: f64,
    /// Restart of the process (kill → listening).
    pub restart_secs: f64,
    pub events_before_kill: u64,
    pub events_after_restart: u64,
    /// (client, event) pairs never received.
    pub lost: u64,
    pub reconnect_attempts: u64,
    pub peak_reconnects_per_100ms: u64,
    pub clients_caught_up: usize,
}

struct Shared {
    base: Instant,
    /// Highest id every client must reach.
    target: AtomicU64,
    caught_up: AtomicUsize,
    ready: AtomicUsize,
    /// Reconnect attempt times, ms since base.
    attempts: Mutex<Vec<u64>>,
    stop: CancellationToken,
}

struct ClientOutcome {
    /// Received ids, in order (deduplicated).
    ids: Vec<u64>,
    /// When it first held `target` (ms since base).
    caught_up_ms: Option<u64>,
}

async fn client(addr: SocketAddr, token: String, from: u64, sh: Arc<Shared>) -> ClientOutcome {
    let mut out = ClientOutcome {
        ids: Vec::new(),
        caught_up_ms: None,
    };
    let mut backoff = Backoff::new(DEFAULT_BASE, DEFAULT_CAP);
    let mut last = from;
    let mut first = true;
    let mut buf = vec![0u8; 4096];
    loop {
        if !first {
            let (_, wait) = backoff.next_delay();
            tokio::select! {
                _ = sh.stop.cancelled() => return out,
                _ = tokio::time::sleep(wait) => {}
            }
            sh.attempts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(sh.base.elapsed().as_millis() as u64);
        }
        let req = sse::get_request(
            addr,
            "/api/reservas/events",
            &[
                ("Authorization", format!("Bearer {token}")),
                ("Last-Event-ID", last.to_string()),
            ],
        );
        let opened = tokio::select! {
            _ = sh.stop.cancelled() => return out,
            r = sse::open(addr, &req, &mut buf) => r,
        };
        let (mut s, mut dec, found) = match opened {
            Ok(x) => x,
            Err(_) => {
                first = false;
                continue;
            }
        };
        let up = Instant::now();
        if first {
            sh.ready.fetch_add(1, Ordering::Relaxed);
        }
        first = false;
        let mut pending = Some(found);
        loop {
            let found = match pending.take() {
                Some(f) => f,
                None => {
                    let r = tokio::select! {
                        _ = sh.stop.cancelled() => {
                            let _ = s.shutdown().await;
                            return out;
                        }
                        r = sse::read_some(&mut s, &mut buf, &mut dec) => r,
                    };
                    match r {
                        Some((_, f)) => f,
                        None => break,
                    }
                }
            };
            if let Some(ms) = found.retry_ms {
                backoff.set_base(Duration::from_millis(ms));
            }
            for id in found.ids {
                if id > last {
                    last = id;
                    out.ids.push(id);
                }
            }
            let target = sh.target.load(Ordering::Acquire);
            if out.caught_up_ms.is_none() && target > 0 && last >= target {
                out.caught_up_ms = Some(sh.base.elapsed().as_millis() as u64);
                sh.caught_up.fetch_add(1, Ordering::Relaxed);
            }
        }
        backoff.connection_ended(up.elapsed());
    }
}

/// Runs the storm against a started `System` of kind `Reservas` with one
/// business seeded with the real day.
pub async fn run(
    sys: &mut System,
    clients: usize,
    before: u64,
    after: u64,
) -> anyhow::Result<RestartResult> {
    let addr = sys.addr;
    let token = sys.businesses[0].token.clone();
    let first_id = sys.businesses[0].first_id;
    let from = first_id - 1;
    let sh = Arc::new(Shared {
        base: Instant::now(),
        target: AtomicU64::new(0),
        caught_up: AtomicUsize::new(0),
        ready: AtomicUsize::new(0),
        attempts: Mutex::new(Vec::new()),
        stop: CancellationToken::new(),
    });
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        tasks.push(tokio::spawn(client(addr, token.clone(), from, sh.clone())));
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let end = Instant::now() + Duration::from_secs(60);
    while sh.ready.load(Ordering::Relaxed) < clients && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    anyhow::ensure!(
        sh.ready.load(Ordering::Relaxed) == clients,
        "only {} of {clients} storm clients connected",
        sh.ready.load(Ordering::Relaxed)
    );
    let http = reqwest::Client::new();
    let peer = String::new();
    for k in 0..before {
        sys.publish(&http, 0, k, &peer).await?;
    }
    // Give the pre-kill events a moment to be on the wire (not required:
    // anything not delivered is replayed after the restart).
    tokio::time::sleep(Duration::from_millis(300)).await;

    let server = sys
        .server_mut()
        .ok_or_else(|| anyhow::anyhow!("restart storm needs reservas-server"))?;
    let t_kill = Instant::now();
    // Killing and restarting block (spawn, wait for the `listening` line):
    // off the async workers, which keep the clients running meanwhile.
    let t_up = tokio::task::block_in_place(|| {
        server.kill9();
        server.start_again();
        Instant::now()
    });
    // Writes right away: the check-ins continue.
    sh.target
        .store(first_id + before + after - 1, Ordering::Release);
    for k in before..before + after {
        sys.publish(&http, 0, k, &peer).await?;
    }
    let end = Instant::now() + Duration::from_secs(90);
    while sh.caught_up.load(Ordering::Relaxed) < clients && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sh.stop.cancel();
    let target = first_id + before + after - 1;
    let mut lost = 0u64;
    let mut last_caught = 0u64;
    let mut caught = 0usize;
    for t in tasks {
        let o = t.await?;
        let want: std::collections::BTreeSet<u64> = (first_id..=target).collect();
        let got: std::collections::BTreeSet<u64> = o.ids.iter().copied().collect();
        lost += want.difference(&got).count() as u64;
        if let Some(ms) = o.caught_up_ms {
            caught += 1;
            last_caught = last_caught.max(ms);
        }
    }
    let attempts = sh
        .attempts
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut bins = std::collections::HashMap::<u64, u64>::new();
    for a in &attempts {
        *bins.entry(a / 100).or_default() += 1;
    }
    let kill_ms = t_kill.duration_since(sh.base).as_millis() as u64;
    let up_ms = t_up.duration_since(sh.base).as_millis() as u64;
    let r = RestartResult {
        clients,
        seconds_to_caught_up: last_caught.saturating_sub(up_ms) as f64 / 1000.0,
        seconds_from_kill: last_caught.saturating_sub(kill_ms) as f64 / 1000.0,
        restart_secs: (up_ms - kill_ms) as f64 / 1000.0,
        events_before_kill: before,
        events_after_restart: after,
        lost,
        reconnect_attempts: attempts.len() as u64,
        peak_reconnects_per_100ms: bins.values().copied().max().unwrap_or(0),
        clients_caught_up: caught,
    };
    tracing::info!(?r, "restart storm");
    Ok(r)
}
