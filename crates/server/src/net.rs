//! The listening socket. Accepted sockets get TCP keepalive and a TCP user
//! timeout so that a peer whose packets vanish (laptop lid closed, cable
//! pulled, NAT entry dropped) is noticed within about two minutes, not only
//! when a write finally fails hours later. The heartbeat guarantees there is
//! unacknowledged data to time out on an idle stream.

use axum::serve::{Listener, ListenerExt};
use socket2::{SockRef, TcpKeepalive};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// Keepalive probes start after this much silence…
const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
/// …are sent this often…
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// …and this many unanswered probes drop the connection (60 + 6×10 = 120 s).
const KEEPALIVE_RETRIES: u32 = 6;
/// Unacknowledged data older than this drops the connection.
const USER_TIMEOUT: Duration = Duration::from_secs(90);

/// Binds `addr` (a clear error when the port is taken).
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}

/// Wraps the listener so that every accepted socket is tuned.
pub fn tuned(listener: TcpListener) -> impl Listener<Addr = SocketAddr> {
    listener.tap_io(|tcp| {
        let sock = SockRef::from(&*tcp);
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
    })
}
