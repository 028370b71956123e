//! reservas-server: the lightweight reservations server.
//!
//! Layout (a request's path through the crate, top to bottom):
//! - [`config`]: command-line flags and defaults.
//! - [`app`]: builds the router — the API's table of contents — and the
//!   shared [`app::AppState`].
//! - [`routes`]: thin handlers, one module per route group (reservations,
//!   check-in, admin, events, ops). They authenticate, parse, and call the store.
//! - [`auth`]: staff tokens (hashed) → business; the admin token.
//! - [`error`]: one error enum; every status code of the contract lives in
//!   its `IntoResponse`.
//! - [`store`]: the `Store` seam and its SQLite implementation: rows and
//!   the ordered per-business event log, written in one transaction.
//! - [`hub`]: wakes live SSE connections after a commit and keeps the most
//!   recent events in memory; the log stays the truth.
//! - [`sse`]: one connection's stream: `connected`, replay, live events,
//!   `reset`, heartbeats, shutdown.
//! - [`metrics`]: counters and gauges served as Prometheus text.
//! - [`net`]: the listening socket (TCP keepalive and user timeout, so dead
//!   peers are noticed).
//! - [`shutdown`]: SIGTERM / SIGINT → one cancellation token.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod hub;
pub mod metrics;
pub mod net;
pub mod routes;
pub mod shutdown;
pub mod sse;
pub mod store;

/// Now, as the RFC 3339 UTC text used for `at`, `createdAt`, `updatedAt`
/// (always millisecond precision, so the strings sort as times).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}
