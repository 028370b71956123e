//! The local SQLite cache of one (server, business): its reservations, the
//! cursor (id of the last applied event) and the last time it was known to
//! match the server.
//!
//! Why it is shaped this way:
//! - WAL + a busy timeout (F-10): the engine writes while the UI (or
//!   `reservas list`, another process) reads; neither ever sees
//!   "database is locked".
//! - Events and the cursor commit in one transaction: a crash (kill -9)
//!   leaves rows and cursor in step, so resuming from the cursor neither
//!   loses nor repeats a change. `synchronous=NORMAL` in WAL mode survives a
//!   process crash; only a power loss can drop the newest commits, and then
//!   rows and cursor still agree (they are in the same commit).
//! - Apply is idempotent: an event at or below the cursor, or at or below a
//!   row's version, changes nothing. Notices come only from events applied
//!   for the first time, so a replay never repeats one.
//! - Rows are stored as the wire JSON plus the indexed columns the queries
//!   need, so what the cache returns is field for field what the server sent.

use crate::update::{Diff, Notice};
use reservas_core::api::Snapshot;
use reservas_core::{Event, EventKind, Reservation, Stats};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

pub type CacheResult<T> = Result<T, CacheError>;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cache row {id} is not a valid reservation: {err}")]
    Corrupt { id: String, err: String },
    #[error("cannot create the cache folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cache task failed: {0}")]
    Task(String),
}

/// Writers wait this long for another writer instead of failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Bumped whenever the layout changes; an older cache is simply rebuilt
/// (it is a cache: the next sync refills it).
const SCHEMA_VERSION: i64 = 3;

/// `status`, `party_size` and `arrived` duplicate fields of `body` so the
/// day's stats are one indexed aggregate query, not a decode of every row
/// of the day per event.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reservas (
    id         TEXT PRIMARY KEY,
    date       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL,
    party_size INTEGER NOT NULL,
    arrived    INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reservas_by_date ON reservas(date, id);
-- Covers the stats query: the day's figures come from the index alone.
CREATE INDEX IF NOT EXISTS reservas_day_stats ON reservas(date, status, party_size, arrived);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// What applying a batch of events did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Ids whose row was written (they may also have been removed later in
    /// the same batch; [`Cache::diff_for`] sorts that out).
    pub touched: BTreeSet<String>,
    /// One per event applied for the first time.
    pub notices: Vec<Notice>,
    /// Events skipped because they were at or below the cursor.
    pub replayed: usize,
    /// The cursor after the batch.
    pub cursor: u64,
}

/// Stats valid for `stats.date` while the cache's cursor is `cursor`.
/// Another process writing the same file moves the cursor, which makes
/// this stale and forces a recount.
#[derive(Debug, Clone)]
struct DayStats {
    cursor: Option<u64>,
    stats: Stats,
}

/// A row's contribution to the day's stats, added (`sign` 1) or taken
/// away (-1), the same arithmetic as `Stats::compute`.
fn contribute(stats: &mut Stats, r: &Reservation, sign: i64) {
    if r.date != stats.date {
        return;
    }
    let add = |v: u32, d: i64| u32::try_from((i64::from(v) + d).max(0)).unwrap_or(u32::MAX);
    stats.total = add(stats.total, sign);
    let n = stats.by_status.entry(r.status).or_default();
    *n = add(*n, sign);
    if *n == 0 {
        stats.by_status.remove(&r.status);
    }
    if r.status != reservas_core::Status::Cancelled {
        stats.expected_guests = add(stats.expected_guests, sign * i64::from(r.party_size));
    }
    stats.arrived_guests = add(stats.arrived_guests, sign * i64::from(r.asistencia_actual));
}

/// An open cache file.
pub struct Cache {
    conn: Connection,
    /// The day's stats as of `cursor`, kept up to date by each apply so a
    /// diff costs O(changed rows), not a pass over the whole day.
    day: std::cell::RefCell<Option<DayStats>>,
}

impl Cache {
    /// Opens (creating if needed) the cache file at `path`.
    pub fn open(path: &Path) -> CacheResult<Cache> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| CacheError::Folder(dir.display().to_string(), e))?;
        }
        let conn = Connection::open(path)?;
        Cache::init(conn)
    }

    /// An in-memory cache (tests, benchmarks).
    pub fn open_in_memory() -> CacheResult<Cache> {
        Cache::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> CacheResult<Cache> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode answers with a row, so it is read, not executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous=NORMAL;")?;
        let user_version = |c: &Connection| -> rusqlite::Result<i64> {
            c.query_row("PRAGMA user_version", [], |r| r.get(0))
        };
        if user_version(&conn)? != SCHEMA_VERSION {
            // Checked again under the write lock: two processes opening a
            // new cache at once must not both rebuild it.
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let version = user_version(&conn)?;
            let res = if version != SCHEMA_VERSION {
                if version != 0 {
                    tracing::info!(version, "cache layout changed: rebuilding it");
                }
                conn.execute_batch(&format!(
                    "DROP TABLE IF EXISTS reservas; DROP TABLE IF EXISTS meta;
                     {SCHEMA}
                     PRAGMA user_version = {SCHEMA_VERSION};"
                ))
            } else {
                Ok(())
            };
            match res {
                Ok(()) => conn.execute_batch("COMMIT")?,
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(e.into());
                }
            }
        }
        Ok(Cache {
            conn,
            day: std::cell::RefCell::new(None),
        })
    }

    fn meta(&self, key: &str) -> CacheResult<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// The id of the last applied event; None before the first snapshot.
    pub fn cursor(&self) -> CacheResult<Option<u64>> {
        Ok(self.meta("cursor")?.and_then(|v| v.parse().ok()))
    }

    /// When the cache was last known to match the server (RFC 3339).
    pub fn last_synced(&self) -> CacheResult<Option<String>> {
        self.meta("last_synced")
    }

    /// The (server, business) identity this cache belongs to.
    pub fn identity(&self) -> CacheResult<Option<String>> {
        self.meta("identity")
    }

    /// The business this cache belongs to, once a row has told us.
    pub fn business(&self) -> CacheResult<Option<String>> {
        self.meta("business")
    }

    /// The day the stats are for: the business's "today" from the last
    /// snapshot (the server knows the business's time zone; we do not),
    /// moved on by the days this machine's calendar has turned since, so a
    /// desk left open overnight shows the new day. (The desk is at the
    /// business, so its clock turns the day at about the same time.)
    pub fn stats_date(&self) -> CacheResult<Option<String>> {
        let Some(d) = self.meta("stats_date")? else {
            return Ok(None);
        };
        let local_then = self.meta("stats_local_date")?;
        Ok(Some(roll_date(&d, local_then.as_deref(), &today_local())))
    }

    pub fn set_last_synced_now(&self) -> CacheResult<()> {
        set_meta(&self.conn, "last_synced", &now_rfc3339())
    }

    /// Records whose cache this is (server URL and a hash of the staff
    /// token, which names the business); a different identity than stored
    /// wipes the cache: one cache per server and business, never a mix.
    /// Returns whether it wiped anything.
    pub fn bind_identity(&mut self, identity: &str) -> CacheResult<bool> {
        match self.identity()? {
            Some(s) if s == identity => Ok(false),
            other => {
                let tx = self.conn.transaction()?;
                if other.is_some() {
                    tracing::warn!(old = ?other, new = identity, "cache belonged to another server or business: cleared");
                    clear(&tx)?;
                }
                set_meta(&tx, "identity", identity)?;
                tx.commit()?;
                Ok(other.is_some())
            }
        }
    }

    pub fn count(&self) -> CacheResult<u64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM reservas", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Every cached row (ordered by date, time, id), or only one date's.
    pub fn rows(&self, date: Option<&str>) -> CacheResult<Vec<Reservation>> {
        let mut out = Vec::new();
        let mut push = |id: String, body: String| -> CacheResult<()> {
            out.push(decode(&id, &body)?);
            Ok(())
        };
        match date {
            Some(d) => {
                let mut st = self
                    .conn
                    .prepare_cached("SELECT id, body FROM reservas WHERE date = ?1")?;
                let mut q = st.query([d])?;
                while let Some(r) = q.next()? {
                    push(r.get(0)?, r.get(1)?)?;
                }
            }
            None => {
                let mut st = self.conn.prepare_cached("SELECT id, body FROM reservas")?;
                let mut q = st.query([])?;
                while let Some(r) = q.next()? {
                    push(r.get(0)?, r.get(1)?)?;
                }
            }
        }
        out.sort_by(|a, b| (&a.date, &a.time, &a.id).cmp(&(&b.date, &b.time, &b.id)));
        Ok(out)
    }

    /// The stats of the cache's day (see [`Cache::stats_date`]; without a
    /// snapshot yet, today in this machine's time zone).
    pub fn stats(&self) -> CacheResult<Stats> {
        let date = match self.stats_date()? {
            Some(d) => d,
            None => today_local(),
        };
        let cursor = self.cursor()?;
        if let Some(d) = self.day.borrow().as_ref()
            && d.stats.date == date
            && d.cursor == cursor
        {
            return Ok(d.stats.clone());
        }
        let stats = self.count_stats(date)?;
        *self.day.borrow_mut() = Some(DayStats {
            cursor,
            stats: stats.clone(),
        });
        Ok(stats)
    }

    /// The day's stats counted by SQL (an indexed aggregate).
    fn count_stats(&self, date: String) -> CacheResult<Stats> {
        let mut stats = Stats {
            date,
            ..Default::default()
        };
        let mut st = self.conn.prepare_cached(
            "SELECT status, COUNT(*), SUM(party_size), SUM(arrived)
             FROM reservas WHERE date = ?1 GROUP BY status",
        )?;
        let mut q = st.query([&stats.date])?;
        while let Some(r) = q.next()? {
            let status: String = r.get(0)?;
            let (n, party, arrived): (i64, i64, i64) = (r.get(1)?, r.get(2)?, r.get(3)?);
            let Ok(status) = status.parse::<reservas_core::Status>() else {
                continue;
            };
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            stats.total = stats.total.saturating_add(n);
            stats.by_status.insert(status, n);
            if status != reservas_core::Status::Cancelled {
                stats.expected_guests = stats
                    .expected_guests
                    .saturating_add(u32::try_from(party).unwrap_or(u32::MAX));
            }
            stats.arrived_guests = stats
                .arrived_guests
                .saturating_add(u32::try_from(arrived).unwrap_or(u32::MAX));
        }
        Ok(stats)
    }

    /// A diff of every cached row (cache-first start, or the first snapshot).
    pub fn full_diff(&self) -> CacheResult<Diff> {
        let upserts = self.rows(None)?;
        // Stats from the rows in hand: decoding every row twice would double
        // the cold start.
        let date = self.stats_date()?.unwrap_or_else(today_local);
        let stats = Stats::compute(&date, &upserts);
        Ok(Diff {
            upserts,
            removals: Vec::new(),
            stats,
            version: self.cursor()?.unwrap_or(0),
        })
    }

    /// The diff for ids an apply touched: rows that exist now are upserts,
    /// the others removals.
    pub fn diff_for(&self, touched: &BTreeSet<String>) -> CacheResult<Diff> {
        let mut upserts = Vec::new();
        let mut removals = Vec::new();
        {
            let mut st = self
                .conn
                .prepare_cached("SELECT body FROM reservas WHERE id = ?1")?;
            for id in touched {
                match st.query_row([id], |r| r.get::<_, String>(0)).optional()? {
                    Some(body) => upserts.push(decode(id, &body)?),
                    None => removals.push(id.clone()),
                }
            }
        }
        Ok(Diff {
            upserts,
            removals,
            stats: self.stats()?,
            version: self.cursor()?.unwrap_or(0),
        })
    }

    /// Applies events (in id order) and the cursor in one transaction.
    pub fn apply_events(&mut self, events: &[Event]) -> CacheResult<Applied> {
        let tx = self.conn.transaction()?;
        let start = cursor_in(&tx)?;
        let mut cursor = start.unwrap_or(0);
        let mut applied = Applied::default();
        let mut rows = Vec::new();
        for ev in events {
            if ev.id <= cursor {
                applied.replayed += 1;
                continue;
            }
            if let Some(n) = apply_one(&tx, ev, &mut applied.touched, &mut rows)? {
                applied.notices.push(n);
            }
            cursor = ev.id;
        }
        set_meta(&tx, "cursor", &cursor.to_string())?;
        // Events just received from the server: the cache matches it now.
        set_meta(&tx, "last_synced", &now_rfc3339())?;
        tx.commit()?;
        // Move the day's stats along with the rows, if they were current.
        let mut day = self.day.borrow_mut();
        match day.as_mut() {
            Some(d) if d.cursor == start => {
                for (before, after) in &rows {
                    if let Some(b) = before {
                        contribute(&mut d.stats, b, -1);
                    }
                    if let Some(a) = after {
                        contribute(&mut d.stats, a, 1);
                    }
                }
                d.cursor = Some(cursor);
            }
            _ => *day = None,
        }
        applied.cursor = cursor;
        Ok(applied)
    }

    /// Replaces the whole cache with a snapshot (first sync, `reset`, 410)
    /// in one transaction. Returns the diff from the previous content: only
    /// rows that differ, so a re-snapshot of an up-to-date cache is empty,
    /// and the first snapshot into an empty cache is every row.
    pub fn replace_with_snapshot(&mut self, snap: &Snapshot) -> CacheResult<Diff> {
        let tx = self.conn.transaction()?;
        let mut old: BTreeMap<String, String> = BTreeMap::new();
        {
            let mut st = tx.prepare("SELECT id, body FROM reservas")?;
            let mut q = st.query([])?;
            while let Some(r) = q.next()? {
                old.insert(r.get(0)?, r.get(1)?);
            }
        }
        if let Some(b) = snap.reservas.first().map(|r| r.business_id.as_str()) {
            set_meta(&tx, "business", b)?;
        }
        let mut upserts = Vec::new();
        let mut seen = BTreeSet::new();
        for r in &snap.reservas {
            let body = encode(r);
            seen.insert(r.id.clone());
            let same = old
                .get(&r.id)
                .is_some_and(|b| *b == body || decode(&r.id, b).is_ok_and(|o| o == *r));
            if !same {
                upsert(&tx, r, &body)?;
                upserts.push(r.clone());
            }
        }
        let mut removals = Vec::new();
        {
            let mut del = tx.prepare_cached("DELETE FROM reservas WHERE id = ?1")?;
            for id in old.keys().filter(|id| !seen.contains(*id)) {
                del.execute([id])?;
                removals.push(id.clone());
            }
        }
        set_meta(&tx, "cursor", &snap.version.to_string())?;
        if let Some(s) = &snap.stats {
            set_meta(&tx, "stats_date", &s.date)?;
            set_meta(&tx, "stats_local_date", &today_local())?;
        }
        set_meta(&tx, "last_synced", &now_rfc3339())?;
        tx.commit()?;
        *self.day.borrow_mut() = None;
        Ok(Diff {
            upserts,
            removals,
            stats: self.stats()?,
            version: snap.version,
        })
    }

    /// SQLite's own consistency check (`ok` when healthy).
    pub fn integrity_check(&self) -> CacheResult<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// Applies one fresh event (above the cursor); returns its notice, if any.
/// A row before and after one applied event (None: absent).
type RowChange = (Option<Reservation>, Option<Reservation>);

fn apply_one(
    tx: &Transaction<'_>,
    ev: &Event,
    touched: &mut BTreeSet<String>,
    rows: &mut Vec<RowChange>,
) -> CacheResult<Option<Notice>> {
    let current = row_in(tx, &ev.reserva_id)?;
    // A row already at or past this event has seen it (e.g. it came in a
    // snapshot): skip the change, keep the cursor moving.
    let stale = current.as_ref().is_some_and(|r| ev.id <= r.version);
    let notice = match &ev.kind {
        EventKind::ReservationCreated { reserva }
        | EventKind::ReservationUpdated { reserva, .. } => {
            if !stale {
                upsert(tx, reserva, &encode(reserva))?;
                touched.insert(reserva.id.clone());
                rows.push((current.clone(), Some((**reserva).clone())));
            }
            match &ev.kind {
                EventKind::ReservationCreated { .. } => Some(Notice::Created {
                    event_id: ev.id,
                    reserva_id: reserva.id.clone(),
                    customer_name: reserva.customer_name.clone(),
                    date: reserva.date.clone(),
                    time: reserva.time.clone(),
                    party_size: reserva.party_size,
                    at: ev.at.clone(),
                }),
                _ => None,
            }
        }
        EventKind::StatusChanged { status, .. } => {
            if let (Some(before), false) = (current, stale) {
                let mut r = before.clone();
                r.status = *status;
                r.version = ev.id;
                r.updated_at = ev.at.clone();
                upsert(tx, &r, &encode(&r))?;
                touched.insert(r.id.clone());
                rows.push((Some(before), Some(r)));
            }
            None
        }
        EventKind::ReservationDeleted {} => {
            let name = current.as_ref().map(|r| r.customer_name.clone());
            if current.is_some() && !stale {
                tx.execute("DELETE FROM reservas WHERE id = ?1", [&ev.reserva_id])?;
                touched.insert(ev.reserva_id.clone());
                rows.push((current, None));
            }
            Some(Notice::Deleted {
                event_id: ev.id,
                reserva_id: ev.reserva_id.clone(),
                customer_name: name,
                at: ev.at.clone(),
            })
        }
        EventKind::QrScanned {
            asistencia_actual,
            cliente_nombre,
            party_size,
        } => {
            if let (Some(before), false) = (current, stale) {
                let mut r = before.clone();
                r.asistencia_actual = *asistencia_actual;
                r.version = ev.id;
                r.updated_at = ev.at.clone();
                upsert(tx, &r, &encode(&r))?;
                touched.insert(r.id.clone());
                rows.push((Some(before), Some(r)));
            }
            Some(Notice::QrScanned {
                event_id: ev.id,
                reserva_id: ev.reserva_id.clone(),
                customer_name: cliente_nombre.clone(),
                asistencia_actual: *asistencia_actual,
                party_size: *party_size,
                at: ev.at.clone(),
            })
        }
    };
    Ok(notice)
}

fn row_in(tx: &Transaction<'_>, id: &str) -> CacheResult<Option<Reservation>> {
    let body: Option<String> = tx
        .prepare_cached("SELECT body FROM reservas WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    body.map(|b| decode(id, &b)).transpose()
}

fn upsert(tx: &Transaction<'_>, r: &Reservation, body: &str) -> CacheResult<()> {
    tx.prepare_cached(
        "INSERT INTO reservas (id, date, version, status, party_size, arrived, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET date = excluded.date, version = excluded.version,
             status = excluded.status, party_size = excluded.party_size,
             arrived = excluded.arrived, body = excluded.body",
    )?
    .execute(params![
        r.id,
        r.date,
        r.version as i64,
        r.status.as_str(),
        r.party_size,
        r.asistencia_actual,
        body
    ])?;
    Ok(())
}

fn cursor_in(conn: &Connection) -> CacheResult<Option<u64>> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'cursor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()))
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> CacheResult<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

fn clear(conn: &Connection) -> CacheResult<()> {
    conn.execute_batch("DELETE FROM reservas; DELETE FROM meta;")?;
    Ok(())
}

fn encode(r: &Reservation) -> String {
    // Serializing a plain struct of strings and numbers cannot fail.
    serde_json::to_string(r).unwrap_or_default()
}

fn decode(id: &str, body: &str) -> CacheResult<Reservation> {
    serde_json::from_str(body).map_err(|e| CacheError::Corrupt {
        id: id.to_string(),
        err: e.to_string(),
    })
}

/// `date` moved on by the days between `local_then` and `local_now`
/// (all `YYYY-MM-DD`); unparsable input leaves `date` as it is.
fn roll_date(date: &str, local_then: Option<&str>, local_now: &str) -> String {
    let parse = |s: &str| s.parse::<jiff::civil::Date>().ok();
    let (Some(d), Some(then), Some(now)) =
        (parse(date), local_then.and_then(parse), parse(local_now))
    else {
        return date.to_string();
    };
    match then.until(now).ok().map(|span| span.get_days()) {
        Some(days) if days > 0 => d
            .checked_add(jiff::Span::new().days(days))
            .map(|x| x.to_string())
            .unwrap_or_else(|_| date.to_string()),
        _ => date.to_string(),
    }
}

pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().to_string()
}

/// Today in this machine's time zone, `YYYY-MM-DD`.
pub fn today_local() -> String {
    jiff::Zoned::now().date().to_string()
}

/// "3 min 12 s" style age of an RFC 3339 time, for humans.
pub fn age_of(rfc3339: &str) -> Option<String> {
    let t: jiff::Timestamp = rfc3339.parse().ok()?;
    let secs = jiff::Timestamp::now().duration_since(t).as_secs().max(0);
    Some(match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s if s < 86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        s => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use reservas_core::Status;

    pub fn row(id: &str, version: u64) -> Reservation {
        Reservation {
            id: id.into(),
            business_id: "b".into(),
            customer_name: format!("Guest {id}"),
            customer_phone: None,
            customer_email: None,
            date: "2026-12-03".into(),
            time: "21:00".into(),
            party_size: 4,
            table: None,
            status: Status::Confirmed,
            notes: Some("línea 1\r\nlínea 2".into()),
            asistencia_actual: 0,
            qr_token: format!("qr-{id}"),
            version,
            created_at: "2026-12-01T10:00:00Z".into(),
            updated_at: "2026-12-01T10:00:00Z".into(),
        }
    }

    pub fn created(id: u64, rid: &str) -> Event {
        Event {
            id,
            at: format!("2026-12-03T20:00:{:02}Z", id % 60),
            reserva_id: rid.into(),
            kind: EventKind::ReservationCreated {
                reserva: Box::new(row(rid, id)),
            },
        }
    }

    fn scanned(id: u64, rid: &str, n: u32) -> Event {
        Event {
            id,
            at: "2026-12-03T21:00:00Z".into(),
            reserva_id: rid.into(),
            kind: EventKind::QrScanned {
                asistencia_actual: n,
                cliente_nombre: format!("Guest {rid}"),
                party_size: 4,
            },
        }
    }

    fn snapshot(rows: Vec<Reservation>, version: u64) -> Snapshot {
        Snapshot {
            stats: Some(Stats {
                date: "2026-12-03".into(),
                ..Default::default()
            }),
            reservas: rows,
            version,
        }
    }

    #[test]
    fn events_and_cursor_move_together_and_replays_change_nothing() {
        let mut c = Cache::open_in_memory().unwrap();
        c.replace_with_snapshot(&snapshot(vec![], 0)).unwrap();
        let batch = vec![created(1, "a"), created(2, "b"), scanned(3, "a", 1)];
        let a = c.apply_events(&batch).unwrap();
        assert_eq!(a.cursor, 3);
        assert_eq!(a.notices.len(), 3);
        assert_eq!(c.cursor().unwrap(), Some(3));
        let rows = c.rows(None).unwrap();
        assert_eq!(rows.len(), 2);
        let ra = rows.iter().find(|r| r.id == "a").unwrap();
        assert_eq!((ra.asistencia_actual, ra.version), (1, 3));
        // The same events again (a reconnect replay): nothing, no notice.
        let again = c.apply_events(&batch).unwrap();
        assert_eq!(again.replayed, 3);
        assert!(again.notices.is_empty() && again.touched.is_empty());
        assert_eq!(c.rows(None).unwrap(), rows);
        // Stats follow the rows of the day, as the domain computes them.
        let st = c.stats().unwrap();
        assert_eq!(st, Stats::compute("2026-12-03", &c.rows(None).unwrap()));
        assert_eq!((st.total, st.expected_guests, st.arrived_guests), (2, 8, 1));
    }

    #[test]
    fn an_event_older_than_the_row_is_skipped_but_moves_the_cursor() {
        let mut c = Cache::open_in_memory().unwrap();
        // Snapshot at version 5 holds row a already at version 9 … then a
        // late event 7 for a must not roll it back.
        let mut a = row("a", 9);
        a.asistencia_actual = 3;
        c.replace_with_snapshot(&snapshot(vec![a.clone()], 5))
            .unwrap();
        let got = c.apply_events(&[scanned(7, "a", 1)]).unwrap();
        assert!(got.touched.is_empty());
        assert_eq!(c.rows(None).unwrap(), vec![a]);
        assert_eq!(c.cursor().unwrap(), Some(7));
    }

    #[test]
    fn diffs_are_small_and_deletes_are_removals() {
        let mut c = Cache::open_in_memory().unwrap();
        let first = c
            .replace_with_snapshot(&snapshot(vec![row("a", 1), row("b", 2)], 2))
            .unwrap();
        assert_eq!(first.upserts.len(), 2, "first snapshot: every row");
        let del = Event {
            id: 3,
            at: "t".into(),
            reserva_id: "a".into(),
            kind: EventKind::ReservationDeleted {},
        };
        let ap = c.apply_events(&[del, created(4, "c")]).unwrap();
        let d = c.diff_for(&ap.touched).unwrap();
        assert_eq!(d.removals, vec!["a".to_string()]);
        assert_eq!(
            d.upserts.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["c"]
        );
        assert_eq!(d.version, 4);
        match &ap.notices[0] {
            Notice::Deleted { customer_name, .. } => {
                assert_eq!(customer_name.as_deref(), Some("Guest a"))
            }
            n => panic!("{n:?}"),
        }
        // Re-snapshot of the same state: empty diff. Of a changed state:
        // only the difference.
        let same = c
            .replace_with_snapshot(&snapshot(vec![row("b", 2), row("c", 4)], 4))
            .unwrap();
        assert!(same.is_empty(), "{same:?}");
        let mut b2 = row("b", 6);
        b2.table = Some("7".into());
        let d = c
            .replace_with_snapshot(&snapshot(vec![b2.clone()], 6))
            .unwrap();
        assert_eq!(d.upserts, vec![b2]);
        assert_eq!(d.removals, vec!["c".to_string()]);
        assert_eq!(c.cursor().unwrap(), Some(6));
    }

    #[test]
    fn the_stats_day_turns_with_the_local_calendar() {
        assert_eq!(
            roll_date("2026-12-03", Some("2026-12-03"), "2026-12-03"),
            "2026-12-03"
        );
        assert_eq!(
            roll_date("2026-12-03", Some("2026-12-03"), "2026-12-04"),
            "2026-12-04"
        );
        // Business ahead of the desk's zone: the offset is kept.
        assert_eq!(
            roll_date("2026-12-04", Some("2026-12-03"), "2026-12-05"),
            "2026-12-06"
        );
        assert_eq!(
            roll_date("2026-12-31", Some("2026-12-31"), "2027-01-01"),
            "2027-01-01"
        );
        // A clock set back never moves the day backwards; garbage is kept.
        assert_eq!(
            roll_date("2026-12-03", Some("2026-12-03"), "2026-12-01"),
            "2026-12-03"
        );
        assert_eq!(roll_date("2026-12-03", None, "2026-12-09"), "2026-12-03");
        assert_eq!(roll_date("x", Some("2026-12-03"), "2026-12-09"), "x");
    }

    #[test]
    fn incremental_stats_equal_a_recount() {
        let mut c = Cache::open_in_memory().unwrap();
        c.replace_with_snapshot(&snapshot(vec![row("a", 1)], 1))
            .unwrap();
        c.stats().unwrap(); // primes the incremental copy
        let mut evs = vec![created(2, "b"), created(3, "c"), scanned(4, "b", 2)];
        evs.push(Event {
            id: 5,
            at: "t".into(),
            reserva_id: "c".into(),
            kind: EventKind::StatusChanged {
                status: Status::Cancelled,
                previous_status: Status::Confirmed,
            },
        });
        let mut moved = row("a", 6);
        moved.date = "2026-12-04".into();
        evs.push(Event {
            id: 6,
            at: "t".into(),
            reserva_id: "a".into(),
            kind: EventKind::ReservationUpdated {
                reserva: Box::new(moved),
                changed: vec!["date".into()],
            },
        });
        evs.push(Event {
            id: 7,
            at: "t".into(),
            reserva_id: "b".into(),
            kind: EventKind::ReservationDeleted {},
        });
        for ev in evs {
            c.apply_events(std::slice::from_ref(&ev)).unwrap();
            let fast = c.stats().unwrap();
            assert_eq!(
                fast,
                Stats::compute("2026-12-03", &c.rows(None).unwrap()),
                "after {}",
                ev.id
            );
            *c.day.borrow_mut() = None;
            assert_eq!(c.stats().unwrap(), fast, "recount after {}", ev.id);
        }
    }

    #[test]
    fn a_second_connection_reads_while_one_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/cache.db");
        let mut w = Cache::open(&path).unwrap();
        w.replace_with_snapshot(&snapshot(vec![], 0)).unwrap();
        let r = Cache::open(&path).unwrap();
        for i in 1..=200u64 {
            w.apply_events(&[created(i, &format!("r{i}"))]).unwrap();
            if i % 20 == 0 {
                assert_eq!(r.count().unwrap(), i);
            }
        }
        assert_eq!(r.cursor().unwrap(), Some(200));
        assert_eq!(r.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn another_server_clears_the_cache() {
        let mut c = Cache::open_in_memory().unwrap();
        assert!(!c.bind_identity("http://a/").unwrap());
        c.replace_with_snapshot(&snapshot(vec![row("a", 1)], 1))
            .unwrap();
        assert!(!c.bind_identity("http://a/").unwrap());
        assert_eq!(c.count().unwrap(), 1);
        assert!(c.bind_identity("http://b/").unwrap());
        assert_eq!(c.count().unwrap(), 0);
        assert_eq!(c.cursor().unwrap(), None);
    }
}

/// The cache shared between the engine task and readers in the same
/// process. SQLite calls are blocking, so they run on tokio's blocking pool,
/// never on an async worker.
#[derive(Clone)]
pub struct SharedCache {
    inner: std::sync::Arc<std::sync::Mutex<Cache>>,
}

impl SharedCache {
    pub fn new(cache: Cache) -> SharedCache {
        SharedCache {
            inner: std::sync::Arc::new(std::sync::Mutex::new(cache)),
        }
    }

    /// Runs `f` with the cache on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> CacheResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Cache) -> CacheResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        match tokio::task::spawn_blocking(move || f(&mut lock(&inner))).await {
            Ok(r) => r,
            Err(e) => Err(CacheError::Task(e.to_string())),
        }
    }

    /// Runs `f` right here (for synchronous callers outside the runtime).
    pub fn with<T>(&self, f: impl FnOnce(&mut Cache) -> T) -> T {
        f(&mut lock(&self.inner))
    }
}

/// A panic while holding the lock leaves SQLite itself consistent (the
/// transaction rolled back on drop), so a poisoned lock is still usable.
fn lock(m: &std::sync::Mutex<Cache>) -> std::sync::MutexGuard<'_, Cache> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
