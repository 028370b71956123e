//! Human output of the CLI: a readable table of reservations and one-line
//! renderings of engine updates. JSON output is plain serde elsewhere.

use crate::update::{Diff, Notice, State, SyncStatus, Update};
use reservas_core::{Reservation, Stats};

/// A table: date, time, name, party, table, status, arrived, id.
pub fn table(rows: &[Reservation]) -> String {
    let head = [
        "DATE", "TIME", "NAME", "PARTY", "TABLE", "STATUS", "IN", "ID",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.date.clone(),
                r.time.clone(),
                one_line(&r.customer_name, 30),
                r.party_size.to_string(),
                r.table.clone().unwrap_or_else(|| "-".into()),
                r.status.to_string(),
                r.asistencia_actual.to_string(),
                r.id.clone(),
            ]
        })
        .collect();
    let mut width = head.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: Vec<&str>| {
        let parts: Vec<String> = cols
            .iter()
            .zip(width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(head.to_vec());
    for row in &cells {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// Names may hold line breaks; a table cell may not.
fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > max {
        let mut t: String = flat.chars().take(max - 1).collect();
        t.push('…');
        t
    } else {
        flat
    }
}

pub fn stats_line(s: &Stats) -> String {
    let by: Vec<String> = s
        .by_status
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    format!(
        "{}: {} reservations, {}/{} guests arrived{}{}",
        s.date,
        s.total,
        s.arrived_guests,
        s.expected_guests,
        if by.is_empty() { "" } else { " — " },
        by.join(", ")
    )
}

fn status_line(s: &SyncStatus) -> String {
    let mut t = match s.state {
        State::Connecting => "connecting…".to_string(),
        State::Live => "live".to_string(),
        State::Reconnecting => "reconnecting".to_string(),
        State::Polling => "polling (stream down)".to_string(),
        State::Offline => "offline".to_string(),
    };
    if !s.realtime && s.state == State::Polling {
        t = "polling (realtime off)".into();
    }
    if let (Some(a), Some(ms)) = (s.attempt, s.next_retry_ms) {
        t.push_str(&format!(", attempt {a} in {:.1} s", ms as f64 / 1000.0));
    }
    if s.state != State::Live
        && let Some(l) = &s.last_synced
    {
        let age = crate::cache::age_of(l).unwrap_or_else(|| l.clone());
        t.push_str(&format!(", last synced {age} ago"));
    }
    if let Some(e) = &s.error {
        t.push_str(&format!(" ({e})"));
    }
    t
}

fn diff_line(d: &Diff) -> String {
    let mut t = format!(
        "v{}: {} changed, {} removed | {}",
        d.version,
        d.upserts.len(),
        d.removals.len(),
        stats_line(&d.stats)
    );
    for r in d.upserts.iter().take(5) {
        t.push_str(&format!(
            "\n    {} {} {} ({}, {}) {}",
            r.date,
            r.time,
            one_line(&r.customer_name, 30),
            r.party_size,
            r.status,
            r.id
        ));
    }
    if d.upserts.len() > 5 {
        t.push_str(&format!("\n    … and {} more", d.upserts.len() - 5));
    }
    t
}

fn notice_line(n: &Notice) -> String {
    match n {
        Notice::QrScanned {
            customer_name,
            asistencia_actual,
            party_size,
            ..
        } => format!(
            "QR scanned: {} ({asistencia_actual}/{party_size} arrived)",
            one_line(customer_name, 60)
        ),
        Notice::Created {
            customer_name,
            date,
            time,
            party_size,
            ..
        } => format!(
            "new reservation: {} for {party_size}, {date} {time}",
            one_line(customer_name, 60)
        ),
        Notice::Deleted {
            customer_name,
            reserva_id,
            ..
        } => format!(
            "reservation deleted: {}",
            customer_name
                .as_deref()
                .map(|n| one_line(n, 60))
                .unwrap_or_else(|| reserva_id.clone())
        ),
    }
}

/// One human line (or a few, for a diff) for `tail`.
pub fn update_line(u: &Update) -> String {
    let now = jiff::Zoned::now().strftime("%H:%M:%S").to_string();
    match u {
        Update::Status(s) => format!("{now} [status] {}", status_line(s)),
        Update::Diff(d) => format!("{now} [diff] {}", diff_line(d)),
        Update::Notice(n) => format!("{now} [notice] {}", notice_line(n)),
    }
}

/// Writes `text` to stdout. A reader that went away (`| head`) is not an
/// error: the output simply stops, as with any well-behaved Unix tool.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot write to stdout: {e}"))
        }
        _ => Ok(()),
    }
}
