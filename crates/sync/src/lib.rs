//! reservas-sync: the client side of the reservations system, headless.
//!
//! - [`client`]: typed REST client for every route of the contract.
//! - [`engine`]: the sync engine task (cache first, snapshot, SSE stream
//!   with backoff and watchdog, polling fallback, controls).
//! - [`cache`]: the SQLite cache (rows + cursor, one transaction per apply).
//! - [`poller`]: one REST catch-up (`/changes` or a snapshot).
//! - [`sse`] / [`stream`]: event-stream parsing and frame meaning.
//! - [`backoff`]: the reconnect schedule (pure, tested).
//! - [`update`]: what the engine emits (status, diffs, notices).
//! - [`paths`]: where caches live by default.
//! - [`cli`]: the `reservas` command line (the binary is a thin `main`).

pub mod backoff;
pub mod cache;
pub mod cli;
pub mod client;
pub mod engine;
pub mod import;
pub mod paths;
pub mod poller;
pub mod replay;
pub mod sse;
pub mod stream;
pub mod update;
// The demo-data replay and import modules (`replay`, `import`) are written
// separately and declared here by their author.

pub use client::{ApiClient, ApiError};
pub use engine::{EngineConfig, EngineHandle};
pub use update::{Diff, Notice, State, SyncStatus, Update};
