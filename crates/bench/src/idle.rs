//! Idle desk: a real sync engine (`reservas tail --json`, the release CLI
//! built on reservas-sync) against our server through a counting loopback
//! proxy. Once the engine is live, requests and bytes (both directions, at
//! the HTTP level: TCP/IP headers and ACKs are not counted) are counted
//! over a measured window and extrapolated to an hour and a day — an
//! extrapolation, said so in the report, not a day of wall clock.
//!
//! The baseline it replaces: the old client polled the day's list every
//! 30 s, so 120 requests per hour, each the size of the real day's list
//! response (`GET /api/reservas?from=today&to=today`, headers + body,
//! measured on the real day's seeded books).

use crate::systems::{System, release_bin};
use serde::Serialize;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdleResult {
    pub requests_per_hour: f64,
    pub bytes_per_day: f64,
    pub seed_requests_per_hour: f64,
    pub seed_bytes_per_day: f64,
    pub window_secs: f64,
    pub window_requests: u64,
    pub window_bytes: u64,
    /// Requests and bytes of the engine's start (snapshot + stream open),
    /// not part of the idle rate.
    pub startup_requests: u64,
    pub startup_bytes: u64,
    pub day_list_bytes: u64,
    pub day_list_rows: usize,
}

#[derive(Default)]
struct Counters {
    bytes: AtomicU64,
    requests: AtomicU64,
}

/// A loopback TCP proxy that counts bytes both ways and HTTP requests
/// (request lines seen from the client; an idle desk sends no bodies).
async fn proxy(upstream: SocketAddr, counters: Arc<Counters>) -> anyhow::Result<SocketAddr> {
    let l = TcpListener::bind("127.0.0.1:0").await?;
    let addr = l.local_addr()?;
    tokio::spawn(async move {
        while let Ok((down, _)) = l.accept().await {
            let c = counters.clone();
            tokio::spawn(async move {
                let Ok(up) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut dr, mut dw) = down.into_split();
                let (mut ur, mut uw) = up.into_split();
                let c2 = c.clone();
                let to_server = async move {
                    let mut buf = vec![0u8; 16384];
                    while let Ok(n) = dr.read(&mut buf).await {
                        if n == 0 || uw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        c2.bytes.fetch_add(n as u64, Ordering::Relaxed);
                        let reqs = buf[..n]
                            .windows(11)
                            .filter(|w| *w == b" HTTP/1.1\r\n")
                            .count();
                        c2.requests.fetch_add(reqs as u64, Ordering::Relaxed);
                    }
                    let _ = uw.shutdown().await;
                };
                let to_client = async move {
                    let mut buf = vec![0u8; 16384];
                    while let Ok(n) = ur.read(&mut buf).await {
                        if n == 0 || dw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        c.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    let _ = dw.shutdown().await;
                };
                tokio::join!(to_server, to_client);
            });
        }
    });
    Ok(addr)
}

/// Whole HTTP response size of one GET (headers + body).
async fn response_bytes(
    addr: SocketAddr,
    path: &str,
    token: &str,
) -> anyhow::Result<(u64, String)> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(
        format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut v = Vec::new();
    s.read_to_end(&mut v).await?;
    let text = String::from_utf8_lossy(&v).to_string();
    Ok((v.len() as u64, text))
}

/// `sys` must be ours with one business seeded with the real day's books.
pub async fn run(sys: &System, window: Duration) -> anyhow::Result<IdleResult> {
    let token = sys.businesses[0].token.clone();
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let (day_list_bytes, text) = response_bytes(
        sys.addr,
        &format!("/api/reservas?from={today}&to={today}"),
        &token,
    )
    .await?;
    let day_list_rows = text.matches("\"qrToken\"").count();

    let counters = Arc::new(Counters::default());
    let paddr = proxy(sys.addr, counters.clone()).await?;
    let cli = release_bin("reservas")?;
    let dir = tempfile::tempdir()?;
    let mut child = crate::procs::ChildGuard::new(
        "reservas tail",
        Command::new(cli)
            .arg("--server")
            .arg(format!("http://{paddr}"))
            .arg("--token")
            .arg(&token)
            .arg("--cache")
            .arg(dir.path().join("cache.db"))
            .args(["tail", "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let stdout = child.child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && v["kind"] == "status"
            {
                let _ = tx.send(v["state"].as_str().unwrap_or("").to_string());
            }
        }
    });
    let t_live = tokio::task::spawn_blocking(move || {
        let end = Instant::now() + Duration::from_secs(30);
        let mut states = Vec::new();
        while Instant::now() < end {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(s) if s == "live" => return Ok((rx, states)),
                Ok(s) => states.push(s),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => break,
            }
        }
        Err(anyhow::anyhow!("the engine did not go live: {states:?}"))
    })
    .await??;
    // Let the start-up exchange finish before the window opens.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (req0, bytes0) = (
        counters.requests.load(Ordering::Relaxed),
        counters.bytes.load(Ordering::Relaxed),
    );
    let t0 = Instant::now();
    tokio::time::sleep(window).await;
    let secs = t0.elapsed().as_secs_f64();
    let reqs = counters.requests.load(Ordering::Relaxed) - req0;
    let bytes = counters.bytes.load(Ordering::Relaxed) - bytes0;
    let later: Vec<String> = t_live.0.try_iter().collect();
    if !later.is_empty() {
        tracing::warn!(?later, "the idle engine changed state during the window");
    }
    drop(child);
    let r = IdleResult {
        requests_per_hour: reqs as f64 * 3600.0 / secs,
        bytes_per_day: bytes as f64 * 86400.0 / secs,
        seed_requests_per_hour: 120.0,
        seed_bytes_per_day: day_list_bytes as f64 * 120.0 * 24.0,
        window_secs: secs,
        window_requests: reqs,
        window_bytes: bytes,
        startup_requests: req0,
        startup_bytes: bytes0,
        day_list_bytes,
        day_list_rows,
    };
    tracing::info!(?r, "idle desk");
    Ok(r)
}
