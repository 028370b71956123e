//! Process-wide counters and gauges, served by `GET /metrics` in the
//! Prometheus text format. Plain atomics: no registry crate is needed for a
//! handful of series.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    pub connections: AtomicU64,
    pub connections_total: AtomicU64,
    pub events_written: AtomicU64,
    pub events_sent: AtomicU64,
    pub replays: AtomicU64,
    pub lagged: AtomicU64,
    pub resets: AtomicU64,
    pub http_requests: AtomicU64,
}

impl Metrics {
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let rows: [(&str, &str, &str, &AtomicU64); 8] = [
            (
                "reservas_sse_connections",
                "gauge",
                "Open SSE connections.",
                &self.connections,
            ),
            (
                "reservas_sse_connections_total",
                "counter",
                "SSE connections accepted.",
                &self.connections_total,
            ),
            (
                "reservas_events_written_total",
                "counter",
                "Events committed to the log.",
                &self.events_written,
            ),
            (
                "reservas_events_sent_total",
                "counter",
                "Event frames written to SSE connections.",
                &self.events_sent,
            ),
            (
                "reservas_sse_replays_total",
                "counter",
                "Connections that resumed with Last-Event-ID.",
                &self.replays,
            ),
            (
                "reservas_sse_lagged_total",
                "counter",
                "Times a live connection was behind the in-memory ring and read the log.",
                &self.lagged,
            ),
            (
                "reservas_sse_resets_total",
                "counter",
                "reset frames sent (history gone or ahead of the log).",
                &self.resets,
            ),
            (
                "reservas_http_requests_total",
                "counter",
                "HTTP requests received.",
                &self.http_requests,
            ),
        ];
        let mut out = String::new();
        for (name, kind, help, v) in rows {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
        }
        out
    }
}

/// Decrements the open-connections gauge when a stream is dropped, however
/// it ends (client gone, reset, shutdown).
pub struct ConnectionGuard(Arc<Metrics>);

impl ConnectionGuard {
    pub fn new(m: Arc<Metrics>) -> Self {
        m.connections.fetch_add(1, Ordering::Relaxed);
        m.connections_total.fetch_add(1, Ordering::Relaxed);
        ConnectionGuard(m)
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}
