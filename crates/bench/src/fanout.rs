//! Fan-out latency and memory per idle connection, for any [`System`].
//!
//! Fan-out: `clients` subscribers spread round-robin over `channels`; one
//! writer per channel sends `events` events at `rate` per second, channels
//! staggered evenly within each second (open loop on a schedule; a writer
//! waits for its previous write's answer, so our per-business log ids stay
//! predictable: first id + seq). Latency = from just before the write
//! request is sent to the moment a subscriber's read returned the frame.
//! Every (subscriber, event) pair is counted: delivered vs expected.
//!
//! Memory: server PSS with N idle streams minus without, over N.

use crate::procs;
use crate::sse::{self, Found};
use crate::systems::System;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Connects in flight while opening thousands of streams (the servers'
/// listen backlogs are 1024–4096).
const CONNECTS_IN_FLIGHT: usize = 256;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FanoutResult {
    pub system: String,
    pub workload: String,
    pub clients: usize,
    pub businesses: usize,
    /// Writes per second achieved, all channels together (a writer waits
    /// for its previous write's answer, so a slow write path lowers it).
    pub events_per_sec: f64,
    /// Writes per second the schedule asked for.
    pub target_events_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub delivered: u64,
    pub expected: u64,
    /// Round trip of the write request itself (p50, p99), ms.
    pub write_p50_ms: f64,
    pub write_p99_ms: f64,
    pub write_errors: u64,
    pub connect_failures: u64,
    /// CPU used during the measured window, in % of one core.
    pub loadgen_cpu_pct: f64,
    pub server_cpu_pct: f64,
    pub window_secs: f64,
}

struct Ctx {
    base: Instant,
    /// Send time (ns since `base`, +1 so 0 means "not sent") per channel
    /// and event.
    sent: Vec<Vec<AtomicU64>>,
    first_id: Vec<u64>,
    ready: AtomicUsize,
    failed: AtomicUsize,
    delivered: AtomicU64,
    stop: CancellationToken,
}

struct Outcome {
    lat_us: Vec<u32>,
    delivered: u64,
    connected: bool,
}

async fn subscriber(
    addr: SocketAddr,
    request: Vec<u8>,
    c: usize,
    ctx: Arc<Ctx>,
    gate: Arc<Semaphore>,
) -> Outcome {
    let mut out = Outcome {
        lat_us: Vec::new(),
        delivered: 0,
        connected: false,
    };
    let mut buf = vec![0u8; 4096];
    let permit = gate.acquire_owned().await;
    let opened = sse::open(addr, &request, &mut buf).await;
    drop(permit);
    let (mut s, mut dec, _) = match opened {
        Ok(x) => x,
        Err(e) => {
            tracing::debug!(error = %e, "subscribe failed");
            ctx.failed.fetch_add(1, Ordering::Relaxed);
            return out;
        }
    };
    out.connected = true;
    ctx.ready.fetch_add(1, Ordering::Relaxed);
    let sent = &ctx.sent[c];
    let first = ctx.first_id[c];
    let mut last_id = 0u64;
    loop {
        let got: Option<(Instant, Found)> = tokio::select! {
            _ = ctx.stop.cancelled() => break,
            r = sse::read_some(&mut s, &mut buf, &mut dec) => r,
        };
        let Some((at, found)) = got else { break };
        let now_ns = at.duration_since(ctx.base).as_nanos() as u64;
        for id in found.ids {
            if id <= last_id || id < first {
                continue; // a duplicate or an event from before the run
            }
            last_id = id;
            let seq = (id - first) as usize;
            let Some(t) = sent.get(seq).map(|a| a.load(Ordering::Acquire)) else {
                continue;
            };
            if t == 0 {
                continue;
            }
            out.lat_us
                .push(((now_ns.saturating_sub(t - 1)) / 1000).min(u32::MAX as u64) as u32);
            out.delivered += 1;
            ctx.delivered.fetch_add(1, Ordering::Relaxed);
        }
    }
    out
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

/// Opens `clients` streams spread over the channels; returns their tasks
/// once all are open (or failed).
async fn open_all(
    sys: &System,
    clients: usize,
    channels: usize,
    ctx: &Arc<Ctx>,
) -> Vec<tokio::task::JoinHandle<Outcome>> {
    let gate = Arc::new(Semaphore::new(CONNECTS_IN_FLIGHT));
    let requests: Vec<Vec<u8>> = (0..channels).map(|c| sys.sub_request(c)).collect();
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let c = i % channels;
            tokio::spawn(subscriber(
                sys.addr,
                requests[c].clone(),
                c,
                ctx.clone(),
                gate.clone(),
            ))
        })
        .collect();
    let end = Instant::now() + Duration::from_secs(120);
    while ctx.ready.load(Ordering::Relaxed) + ctx.failed.load(Ordering::Relaxed) < clients
        && Instant::now() < end
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tasks
}

/// Runs one fan-out workload against `sys`.
pub async fn run(
    sys: &System,
    workload: &str,
    clients: usize,
    channels: usize,
    rate: f64,
    events: usize,
    peer_body: &str,
) -> anyhow::Result<FanoutResult> {
    let ctx = Arc::new(Ctx {
        base: Instant::now(),
        sent: (0..channels)
            .map(|_| (0..events).map(|_| AtomicU64::new(0)).collect())
            .collect(),
        first_id: (0..channels).map(|c| sys.first_id(c)).collect(),
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        delivered: AtomicU64::new(0),
        stop: CancellationToken::new(),
    });
    let t_open = Instant::now();
    let tasks = open_all(sys, clients, channels, &ctx).await;
    let ready = ctx.ready.load(Ordering::Relaxed);
    tracing::info!(
        system = sys.kind.name(),
        workload,
        ready,
        failed = ctx.failed.load(Ordering::Relaxed),
        secs = t_open.elapsed().as_secs_f64(),
        "streams open"
    );
    // Let the server settle (accept queues drained, subscriptions registered).
    tokio::time::sleep(Duration::from_secs(1)).await;

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(channels.min(1024))
        .timeout(Duration::from_secs(30))
        .build()?;
    let cpu0 = procs::self_cpu();
    let scpu0 = procs::tree_cpu(sys.pid());
    let t0 = Instant::now();
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let per = Duration::from_secs_f64(1.0 / rate);
    let ok_writes: Vec<(usize, u64, Vec<u32>)> = {
        let writers = (0..channels).map(|c| {
            let ctx = ctx.clone();
            let http = http.clone();
            async move {
                let offset = per.mul_f64(c as f64 / channels as f64);
                let mut ok = 0u64;
                let mut errs = 0u64;
                let mut rtt = Vec::with_capacity(events);
                // A system that cannot keep up gets at most 3× the planned
                // time: later events are not sent (the achieved rate says so).
                let give_up = start + per * (3 * events as u32);
                for k in 0..events {
                    tokio::time::sleep_until(start + offset + per * k as u32).await;
                    if tokio::time::Instant::now() > give_up {
                        break;
                    }
                    let t = Instant::now();
                    ctx.sent[c][k].store(
                        t.duration_since(ctx.base).as_nanos() as u64 + 1,
                        Ordering::Release,
                    );
                    match sys.publish(&http, c, k as u64, peer_body).await {
                        Ok(()) => {
                            ok += 1;
                            rtt.push(t.elapsed().as_micros() as u32);
                        }
                        Err(e) => {
                            errs += 1;
                            tracing::warn!(channel = c, seq = k, error = %e, "write failed");
                            // The id was not used: later events keep theirs
                            // only if nothing is written; stop this channel.
                            break;
                        }
                    }
                }
                (ok as usize, errs, rtt)
            }
        });
        futures::future::join_all(writers).await
    };
    let write_time = t0.elapsed();
    let write_errors: u64 = ok_writes.iter().map(|w| w.1).sum();
    let mut rtt: Vec<u32> = ok_writes.iter().flat_map(|w| w.2.iter().copied()).collect();
    rtt.sort_unstable();
    // Expected: every subscriber gets every successful write of its channel.
    let expected_estimate: u64 = (0..clients).map(|i| ok_writes[i % channels].0 as u64).sum();
    // Wait for the stragglers (bounded), then stop the readers.
    let end = Instant::now() + Duration::from_secs(15);
    while ctx.delivered.load(Ordering::Relaxed) < expected_estimate && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let window = t0.elapsed();
    let cpu = procs::self_cpu().saturating_sub(cpu0);
    let scpu = procs::tree_cpu(sys.pid()).saturating_sub(scpu0);
    ctx.stop.cancel();
    let mut lat: Vec<u32> = Vec::new();
    let mut delivered = 0u64;
    let mut expected = 0u64;
    let mut connect_failures = 0u64;
    for (i, t) in tasks.into_iter().enumerate() {
        let o = t.await?;
        // A subscriber that never connected missed every event: still expected.
        expected += ok_writes[i % channels].0 as u64;
        if !o.connected {
            connect_failures += 1;
        }
        delivered += o.delivered;
        lat.extend(o.lat_us);
    }
    lat.sort_unstable();
    let r = FanoutResult {
        system: sys.kind.name().into(),
        workload: workload.into(),
        clients,
        businesses: channels,
        events_per_sec: ok_writes.iter().map(|w| w.0 as f64).sum::<f64>()
            / write_time
                .saturating_sub(Duration::from_millis(100))
                .as_secs_f64(),
        target_events_per_sec: rate * channels as f64,
        p50_ms: pct(&lat, 0.50),
        p99_ms: pct(&lat, 0.99),
        max_ms: lat.last().map_or(f64::NAN, |m| *m as f64 / 1000.0),
        delivered,
        expected,
        write_p50_ms: pct(&rtt, 0.50),
        write_p99_ms: pct(&rtt, 0.99),
        write_errors,
        connect_failures,
        loadgen_cpu_pct: 100.0 * cpu.as_secs_f64() / window.as_secs_f64(),
        server_cpu_pct: 100.0 * scpu.as_secs_f64() / window.as_secs_f64(),
        window_secs: window.as_secs_f64(),
    };
    tracing::info!(
        system = %r.system,
        workload,
        p50 = r.p50_ms,
        p99 = r.p99_ms,
        max = r.max_ms,
        delivered = r.delivered,
        expected = r.expected,
        write_secs = write_time.as_secs_f64(),
        "fan-out done"
    );
    Ok(r)
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryResult {
    pub system: String,
    pub kib: f64,
    pub connections: usize,
    pub before_kib: u64,
    pub after_kib: u64,
}

/// Server memory per idle stream: PSS of the server's process tree with
/// `n` idle streams of one channel minus without, over `n`.
pub async fn memory(sys: &System, n: usize) -> anyhow::Result<MemoryResult> {
    // A warm-up stream first, so one-time allocations (the business's hub
    // channel, lazily built tables) are in "before", not spread over N.
    let ctx = Arc::new(Ctx {
        base: Instant::now(),
        sent: vec![Vec::new()],
        first_id: vec![u64::MAX],
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        delivered: AtomicU64::new(0),
        stop: CancellationToken::new(),
    });
    {
        let warm = open_all(sys, 1, 1, &ctx).await;
        ctx.stop.cancel();
        for t in warm {
            let _ = t.await;
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = procs::tree_pss_kib(sys.pid());
    let ctx = Arc::new(Ctx {
        stop: CancellationToken::new(),
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        ..Arc::try_unwrap(ctx).map_err(|_| anyhow::anyhow!("ctx still shared"))?
    });
    let tasks = open_all(sys, n, 1, &ctx).await;
    let ready = ctx.ready.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = procs::tree_pss_kib(sys.pid());
    ctx.stop.cancel();
    for t in tasks {
        let _ = t.await;
    }
    anyhow::ensure!(ready == n, "only {ready} of {n} idle streams opened");
    let r = MemoryResult {
        system: sys.kind.name().into(),
        kib: after.saturating_sub(before) as f64 / n as f64,
        connections: n,
        before_kib: before,
        after_kib: after,
    };
    tracing::info!(system = %r.system, kib = r.kib, before, after, "memory per idle connection");
    Ok(r)
}
