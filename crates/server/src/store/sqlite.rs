//! The embedded SQLite store: one writer connection (SQLite allows one
//! writer at a time anyway) and a few reader connections, in WAL mode so that
//! readers never wait for the writer.
//!
//! Durability: `synchronous = NORMAL` in WAL mode keeps every committed
//! transaction across a crash of this process (kill -9); only a power loss
//! can take back the last commits. The event ids survive restarts because the
//! head (`businesses.last_event_id`) is stored with every write, even after
//! the log itself has been trimmed.

use super::{CheckinKey, LogBounds, LogEntry, SnapshotData, Store, StoreError};
use crate::hub::Hub;
use anyhow::Context;
use rand::RngCore;
use reservas_core::api::CheckinResult;
use reservas_core::validate::{self, Validated};
use reservas_core::{Event, EventKind, Reservation, ReservationPatch, Stats, Status};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS businesses (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    last_event_id INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash        TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses(id),
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
    id                TEXT PRIMARY KEY,
    business_id       TEXT NOT NULL REFERENCES businesses(id),
    customer_name     TEXT NOT NULL,
    customer_phone    TEXT,
    customer_email    TEXT,
    date              TEXT NOT NULL,
    time              TEXT NOT NULL,
    party_size        INTEGER NOT NULL,
    table_name        TEXT,
    status            TEXT NOT NULL,
    notes             TEXT,
    asistencia_actual INTEGER NOT NULL DEFAULT 0,
    qr_token          TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reservations_by_day ON reservations(business_id, date, time);
CREATE TABLE IF NOT EXISTS events (
    business_id TEXT NOT NULL,
    id          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (business_id, id)
) WITHOUT ROWID;
";

const COLS: &str = "id, business_id, customer_name, customer_phone, customer_email, date, time, \
    party_size, table_name, status, notes, asistencia_actual, qr_token, version, created_at, updated_at";

const READERS: usize = 4;

pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    hub: Arc<Hub>,
    history: u64,
}

fn open(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// A poisoned lock only means another call panicked mid-way; SQLite rolled
/// its transaction back, so the connection is still usable.
fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

fn row_to_reservation(r: &rusqlite::Row<'_>) -> rusqlite::Result<Reservation> {
    let status: String = r.get(9)?;
    let status = status.parse::<Status>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(Reservation {
        id: r.get(0)?,
        business_id: r.get(1)?,
        customer_name: r.get(2)?,
        customer_phone: r.get(3)?,
        customer_email: r.get(4)?,
        date: r.get(5)?,
        time: r.get(6)?,
        party_size: r.get(7)?,
        table: r.get(8)?,
        status,
        notes: r.get(10)?,
        asistencia_actual: r.get(11)?,
        qr_token: r.get(12)?,
        version: r.get(13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

fn to_validated(r: &Reservation) -> Validated {
    Validated {
        customer_name: r.customer_name.clone(),
        customer_phone: r.customer_phone.clone(),
        customer_email: r.customer_email.clone(),
        date: r.date.clone(),
        time: r.time.clone(),
        party_size: r.party_size,
        table: r.table.clone(),
        status: r.status,
        notes: r.notes.clone(),
    }
}

/// Collects the events of one write transaction and hands out their ids.
struct EventWriter<'a> {
    business: &'a str,
    next: u64,
    at: String,
    entries: Vec<LogEntry>,
}

impl EventWriter<'_> {
    /// The id the next pushed event will get (= the row's new version).
    fn next_id(&self) -> u64 {
        self.next
    }

    fn push(&mut self, reserva_id: &str, kind: EventKind) -> Result<u64, StoreError> {
        let event = Event {
            id: self.next,
            at: self.at.clone(),
            reserva_id: reserva_id.to_string(),
            kind,
        };
        let data = serde_json::to_string(&event).context("serialize event")?;
        self.entries.push(LogEntry {
            id: event.id,
            name: event.name().to_string(),
            data,
        });
        self.next += 1;
        Ok(event.id)
    }
}

fn get_in(tx: &Connection, business: &str, id: &str) -> Result<Reservation, StoreError> {
    tx.query_row(
        &format!("SELECT {COLS} FROM reservations WHERE business_id = ?1 AND id = ?2"),
        params![business, id],
        row_to_reservation,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("no reservation {id:?}")))
}

fn write_row(tx: &Transaction<'_>, r: &Reservation) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT OR REPLACE INTO reservations ({COLS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ),
        params![
            r.id,
            r.business_id,
            r.customer_name,
            r.customer_phone,
            r.customer_email,
            r.date,
            r.time,
            r.party_size,
            r.table,
            r.status.as_str(),
            r.notes,
            r.asistencia_actual,
            r.qr_token,
            r.version,
            r.created_at,
            r.updated_at
        ],
    )?;
    Ok(())
}

impl SqliteStore {
    /// Opens (and creates or migrates) the database at `path`.
    pub fn open(path: &Path, hub: Arc<Hub>, history: u64) -> anyhow::Result<SqliteStore> {
        let writer =
            open(path).with_context(|| format!("cannot open database {}", path.display()))?;
        writer
            .execute_batch(SCHEMA)
            .with_context(|| format!("cannot initialise database {}", path.display()))?;
        let readers = (0..READERS)
            .map(|_| open(path).map(Mutex::new))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            hub,
            history: history.max(1),
        })
    }

    /// A reader connection: a free one if any, else the next in turn.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        for m in &self.readers {
            if let Ok(g) = m.try_lock() {
                return g;
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        lock(&self.readers[i])
    }

    /// Runs one write transaction for `business`: `f` changes rows and pushes
    /// events; their log rows, the new head and the trim of old history
    /// commit together. After the commit, still holding the writer lock, the
    /// events go to the hub so that live connections receive ids in order.
    fn write<T>(
        &self,
        business: &str,
        f: impl FnOnce(&Transaction<'_>, &mut EventWriter<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let head: u64 = tx
            .query_row(
                "SELECT last_event_id FROM businesses WHERE id = ?1",
                [business],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no business {business:?}")))?;
        let mut ew = EventWriter {
            business,
            next: head + 1,
            at: crate::now_rfc3339(),
            entries: Vec::new(),
        };
        let out = f(&tx, &mut ew)?;
        if !ew.entries.is_empty() {
            let new_head = ew.next - 1;
            tx.execute(
                "UPDATE businesses SET last_event_id = ?2 WHERE id = ?1",
                params![ew.business, new_head],
            )?;
            {
                let mut ins = tx.prepare_cached(
                    "INSERT INTO events (business_id, id, name, data) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for e in &ew.entries {
                    ins.execute(params![ew.business, e.id, e.name, e.data])?;
                }
            }
            if new_head > self.history {
                tx.execute(
                    "DELETE FROM events WHERE business_id = ?1 AND id <= ?2",
                    params![ew.business, new_head - self.history],
                )?;
            }
        }
        tx.commit()?;
        if !ew.entries.is_empty() {
            self.hub.publish(business, ew.entries);
        }
        Ok(out)
    }

    fn bounds_in(&self, conn: &Connection, business: &str) -> Result<LogBounds, StoreError> {
        let head: u64 = conn
            .query_row(
                "SELECT last_event_id FROM businesses WHERE id = ?1",
                [business],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no business {business:?}")))?;
        // Every event after `floor` is retained. It is read from the log,
        // not computed from `--history`: the server may have run with a
        // smaller history before, and what was trimmed then is gone.
        let oldest: Option<u64> = conn.query_row(
            "SELECT MIN(id) FROM events WHERE business_id = ?1",
            [business],
            |r| r.get(0),
        )?;
        let floor = oldest.map_or(head, |m| m - 1);
        Ok(LogBounds { head, floor })
    }
}

impl Store for SqliteStore {
    fn create_business(
        &self,
        id: &str,
        name: &str,
        timezone: &str,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = crate::now_rfc3339();
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO businesses (id, name, timezone, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, name, timezone, now],
        )?;
        if inserted == 0 {
            return Err(StoreError::Conflict(format!(
                "business {id:?} exists already"
            )));
        }
        tx.execute(
            "INSERT INTO tokens (hash, business_id, created_at) VALUES (?1, ?2, ?3)",
            params![token_hash, id, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn add_token(&self, business: &str, token_hash: &str) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        let exists: Option<i64> = conn
            .query_row("SELECT 1 FROM businesses WHERE id = ?1", [business], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("no business {business:?}")));
        }
        conn.execute(
            "INSERT INTO tokens (hash, business_id, created_at) VALUES (?1, ?2, ?3)",
            params![token_hash, business, crate::now_rfc3339()],
        )?;
        Ok(())
    }

    fn business_for_token(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        let conn = self.reader();
        Ok(conn
            .query_row(
                "SELECT business_id FROM tokens WHERE hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn timezone(&self, business: &str) -> Result<String, StoreError> {
        let conn = self.reader();
        conn.query_row(
            "SELECT timezone FROM businesses WHERE id = ?1",
            [business],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no business {business:?}")))
    }

    fn snapshot(
        &self,
        business: &str,
        from: Option<&str>,
        to: Option<&str>,
        stats_date: Option<&str>,
    ) -> Result<SnapshotData, StoreError> {
        let mut conn = self.reader();
        // One read transaction: under WAL it sees one consistent state, so the
        // rows and `version` can never disagree.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let version = self.bounds_in(&tx, business)?.head;
        let rows = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {COLS} FROM reservations WHERE business_id = ?1 \
                 AND (?2 IS NULL OR date >= ?2) AND (?3 IS NULL OR date <= ?3) \
                 ORDER BY date, time, id"
            ))?;
            stmt.query_map(params![business, from, to], row_to_reservation)?
                .collect::<Result<Vec<_>, _>>()?
        };
        let stats = match stats_date {
            None => None,
            Some(day) => {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {COLS} FROM reservations WHERE business_id = ?1 AND date = ?2"
                ))?;
                let day_rows = stmt
                    .query_map(params![business, day], row_to_reservation)?
                    .collect::<Result<Vec<_>, _>>()?;
                Some(Stats::compute(day, &day_rows))
            }
        };
        tx.commit()?;
        Ok(SnapshotData {
            rows,
            stats,
            version,
        })
    }

    fn get(&self, business: &str, id: &str) -> Result<Reservation, StoreError> {
        get_in(&self.reader(), business, id)
    }

    fn create(&self, business: &str, input: Validated) -> Result<Reservation, StoreError> {
        self.write(business, |tx, ew| {
            let now = ew.at.clone();
            let row = Reservation {
                id: format!("r_{}", random_hex(8)),
                business_id: business.to_string(),
                customer_name: input.customer_name,
                customer_phone: input.customer_phone,
                customer_email: input.customer_email,
                date: input.date,
                time: input.time,
                party_size: input.party_size,
                table: input.table,
                status: input.status,
                notes: input.notes,
                asistencia_actual: 0,
                // 128 bits: a QR token is a bearer secret for check-in.
                qr_token: random_hex(16),
                version: ew.next_id(),
                created_at: now.clone(),
                updated_at: now,
            };
            write_row(tx, &row)?;
            ew.push(
                &row.id,
                EventKind::ReservationCreated {
                    reserva: Box::new(row.clone()),
                },
            )?;
            Ok(row)
        })
    }

    fn update(
        &self,
        business: &str,
        id: &str,
        patch: &ReservationPatch,
        if_match: Option<u64>,
    ) -> Result<Reservation, StoreError> {
        self.write(business, |tx, ew| {
            let current = get_in(tx, business, id)?;
            if let Some(expected) = if_match
                && expected != current.version
            {
                return Err(StoreError::Stale {
                    current: current.version,
                    expected,
                });
            }
            let (next, changed) = validate::apply_patch(&to_validated(&current), patch)?;
            if changed.is_empty() {
                return Ok(current);
            }
            let previous_status = current.status;
            let mut row = Reservation {
                customer_name: next.customer_name,
                customer_phone: next.customer_phone,
                customer_email: next.customer_email,
                date: next.date,
                time: next.time,
                party_size: next.party_size,
                table: next.table,
                status: next.status,
                notes: next.notes,
                version: ew.next_id(),
                updated_at: ew.at.clone(),
                ..current
            };
            ew.push(
                id,
                EventKind::ReservationUpdated {
                    reserva: Box::new(row.clone()),
                    changed: changed.iter().map(|s| s.to_string()).collect(),
                },
            )?;
            if row.status != previous_status {
                row.version = ew.push(
                    id,
                    EventKind::StatusChanged {
                        status: row.status,
                        previous_status,
                    },
                )?;
            }
            write_row(tx, &row)?;
            Ok(row)
        })
    }

    fn delete(&self, business: &str, id: &str) -> Result<(), StoreError> {
        self.write(business, |tx, ew| {
            let n = tx.execute(
                "DELETE FROM reservations WHERE business_id = ?1 AND id = ?2",
                params![business, id],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no reservation {id:?}")));
            }
            ew.push(id, EventKind::ReservationDeleted {})?;
            Ok(())
        })
    }

    fn checkin(&self, business: &str, key: &CheckinKey) -> Result<CheckinResult, StoreError> {
        self.write(business, |tx, ew| {
            let mut row = match key {
                CheckinKey::Id(id) => get_in(tx, business, id)?,
                CheckinKey::QrToken(token) => tx
                    .query_row(
                        &format!(
                            "SELECT {COLS} FROM reservations WHERE business_id = ?1 AND qr_token = ?2"
                        ),
                        params![business, token],
                        row_to_reservation,
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound("no reservation with this QR token".into()))?,
            };
            row.asistencia_actual += 1;
            row.version = ew.next_id();
            row.updated_at = ew.at.clone();
            write_row(tx, &row)?;
            ew.push(
                &row.id,
                EventKind::QrScanned {
                    asistencia_actual: row.asistencia_actual,
                    cliente_nombre: row.customer_name.clone(),
                    party_size: row.party_size,
                },
            )?;
            Ok(CheckinResult {
                reserva_id: row.id,
                asistencia_actual: row.asistencia_actual,
                cliente_nombre: row.customer_name,
                party_size: row.party_size,
            })
        })
    }

    fn bounds(&self, business: &str) -> Result<LogBounds, StoreError> {
        self.bounds_in(&self.reader(), business)
    }

    fn events_after(
        &self,
        business: &str,
        since: u64,
        limit: usize,
    ) -> Result<(Vec<LogEntry>, LogBounds), StoreError> {
        let mut conn = self.reader();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let bounds = self.bounds_in(&tx, business)?;
        if since < bounds.floor || since > bounds.head {
            return Err(StoreError::Gone {
                since,
                floor: bounds.floor,
                head: bounds.head,
            });
        }
        let entries = {
            let mut stmt = tx.prepare_cached(
                "SELECT id, name, data FROM events WHERE business_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            )?;
            stmt.query_map(params![business, since, limit as i64], |r| {
                Ok(LogEntry {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    data: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        Ok((entries, bounds))
    }
}
