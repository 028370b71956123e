//! The storage seam. Handlers talk to a [`Store`]; SQLite ([`sqlite`]) is the
//! embedded default, PostgreSQL can come later behind the same trait.
//!
//! Every method is blocking: callers run them on tokio's blocking pool
//! (`AppState::store_call`). Every write commits the changed row and its
//! event(s) in one transaction and hands the committed events to the hub
//! before the next write can start, so live connections see ids in order.

pub mod sqlite;

use reservas_core::api::CheckinResult;
use reservas_core::{Event, Reservation, ReservationPatch, Stats, Validated};

/// An event as stored: its id, its SSE name and its JSON (the `data:` line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: u64,
    pub name: String,
    pub data: String,
}

/// What can go wrong in a store call, in the contract's terms.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("version is {current}, not {expected}")]
    Stale { current: u64, expected: u64 },
    #[error("{0}")]
    Rule(#[from] reservas_core::RuleError),
    /// `since` is outside the retained log (older than its tail, or newer
    /// than its head).
    #[error("events after {since} are not available (log holds {floor}..={head})")]
    Gone { since: u64, floor: u64, head: u64 },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Other(e.into())
    }
}

/// A snapshot: rows, optional stats and the log head, read together.
#[derive(Debug, Clone)]
pub struct SnapshotData {
    pub rows: Vec<Reservation>,
    pub stats: Option<Stats>,
    pub version: u64,
}

/// Where a business's log stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogBounds {
    /// Id of the newest event (0 when none was ever written).
    pub head: u64,
    /// Smallest `since` that can still be served: events after it are all
    /// retained.
    pub floor: u64,
}

/// Which reservation a check-in is for.
#[derive(Debug, Clone)]
pub enum CheckinKey {
    Id(String),
    QrToken(String),
}

pub trait Store: Send + Sync + 'static {
    /// Creates a business with its first staff token (hash). `Conflict` if
    /// the id exists.
    fn create_business(
        &self,
        id: &str,
        name: &str,
        timezone: &str,
        token_hash: &str,
    ) -> Result<(), StoreError>;
    /// Adds another staff token; `NotFound` for an unknown business.
    fn add_token(&self, business: &str, token_hash: &str) -> Result<(), StoreError>;
    /// The business a token hash belongs to.
    fn business_for_token(&self, token_hash: &str) -> Result<Option<String>, StoreError>;
    /// The business's IANA time zone.
    fn timezone(&self, business: &str) -> Result<String, StoreError>;

    fn snapshot(
        &self,
        business: &str,
        from: Option<&str>,
        to: Option<&str>,
        stats_date: Option<&str>,
    ) -> Result<SnapshotData, StoreError>;
    fn get(&self, business: &str, id: &str) -> Result<Reservation, StoreError>;
    fn create(&self, business: &str, input: Validated) -> Result<Reservation, StoreError>;
    /// Applies a patch; `if_match` guards against lost updates.
    fn update(
        &self,
        business: &str,
        id: &str,
        patch: &ReservationPatch,
        if_match: Option<u64>,
    ) -> Result<Reservation, StoreError>;
    fn delete(&self, business: &str, id: &str) -> Result<(), StoreError>;
    fn checkin(&self, business: &str, key: &CheckinKey) -> Result<CheckinResult, StoreError>;

    fn bounds(&self, business: &str) -> Result<LogBounds, StoreError>;
    /// Up to `limit` events with id > `since`, in order; `Gone` when `since`
    /// is outside the retained log.
    fn events_after(
        &self,
        business: &str,
        since: u64,
        limit: usize,
    ) -> Result<(Vec<LogEntry>, LogBounds), StoreError>;
}

/// Parses a stored event back into its typed form (for `/changes`).
pub fn parse_entry(e: &LogEntry) -> anyhow::Result<Event> {
    Ok(serde_json::from_str(&e.data)?)
}
