//! The listening socket and the connection loop.
//!
//! Accepted sockets get TCP keepalive and a TCP user timeout so that a peer
//! whose packets vanish (laptop lid closed, cable pulled, NAT entry dropped)
//! is noticed within about two minutes, not only when a write finally fails
//! hours later. The heartbeat guarantees there is unacknowledged data to
//! time out on an idle stream.
//!
//! Connections are served by hyper's HTTP/1 builder with a timer, so that a
//! client that connects and never completes a request head (or idles on a
//! keep-alive connection) is closed after [`HEADER_READ_TIMEOUT`]: sockets
//! cannot pile up until the process runs out of file descriptors. axum's own
//! `serve` sets no timer, hence this small loop.

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use socket2::{SockRef, TcpKeepalive};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Keepalive probes start after this much silence…
const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
/// …are sent this often…
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// …and this many unanswered probes drop the connection (60 + 6×10 = 120 s).
const KEEPALIVE_RETRIES: u32 = 6;
/// Unacknowledged data older than this drops the connection.
const USER_TIMEOUT: Duration = Duration::from_secs(90);
/// On shutdown, connections get this long to finish before the process exits.
const DRAIN: Duration = Duration::from_secs(10);

/// Binds `addr` (a clear error when the port is taken).
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}

fn tune(tcp: &TcpStream) {
    let sock = SockRef::from(tcp);
    let ka = TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_RETRIES);
    if let Err(e) = sock.set_tcp_keepalive(&ka) {
        tracing::debug!(error = %e, "cannot set TCP keepalive");
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Err(e) = sock.set_tcp_user_timeout(Some(USER_TIMEOUT)) {
        tracing::debug!(error = %e, "cannot set TCP user timeout");
    }
    // SSE frames are small and must leave at once.
    let _ = tcp.set_nodelay(true);
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then lets open
/// connections finish (SSE streams end themselves on the same token) for up
/// to [`DRAIN`].
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    shutdown: CancellationToken,
) {
    // Every connection task holds a receiver; when all are dropped, the
    // sender's `closed()` resolves: all connections are done.
    let (done_tx, done_rx) = watch::channel(());
    loop {
        let (tcp, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: wait instead of spinning; existing
                    // connections keep being served meanwhile.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        tune(&tcp);
        let svc = TowerToHyperService::new(app.clone());
        let shutdown = shutdown.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(tcp), svc);
            tokio::pin!(conn);
            tokio::select! {
                res = conn.as_mut() => {
                    if let Err(e) = res {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                }
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(done);
        });
    }
    drop(done_rx);
    if tokio::time::timeout(DRAIN, done_tx.closed()).await.is_err() {
        tracing::warn!("some connections did not finish within {DRAIN:?}; exiting anyway");
    }
}
