//! `reservas replay`: seed a business with the real bookings of one hotel on
//! the books on the morning of a dataset day D, then play D's real events
//! against a running server through the public REST API, in time order.
//!
//! What a replay of D sends (dates per [`crate::import`], shifted so that D
//! lands on the target day, by default the business's today):
//! 1. **Seed** (before the clock starts): every booking of the hotel made
//!    before D, not cancelled before D, arriving from D − [`WINDOW_BEFORE_DAYS`]
//!    to D + [`WINDOW_AFTER_DAYS`], plus every booking cancelled on D whatever
//!    its arrival (most of a day's cancellations are for arrivals months
//!    later, and they need a row to cancel). Each is created with its status
//!    as of that morning ([`Booking::status_at`]). The business must be empty
//!    (`--force` to add to one that is not): replaying twice into the same
//!    business would double every figure.
//! 2. **Events of D**, ordered by a time of day derived from the booking
//!    (the dataset has dates only):
//!    - a booking made on D (arrival − lead time = D): `POST /api/reservas`
//!      between 07:00 and 23:00 (for a same-day arrival, at least 30 minutes
//!      before its arrival time);
//!    - a cancellation on D: `PATCH status=cancelled`, after the booking was
//!      made and, for an arrival on D, before its arrival time;
//!    - a stay arriving on D (final status `Check-Out`): one
//!      `POST /api/checkin {"qrToken"}` per guest, the first 10 minutes before
//!      to 30 minutes after the reservation's time, the rest of the party
//!      20–90 s apart, as at a door scanner;
//!    - a no-show arriving on D: `PATCH status=no_show` between 23:15 and
//!      23:55, when the desk closes the day.
//!
//!    Check-ins do not change the status (PROTOCOL.md), so after a replay a
//!    stayed booking is `confirmed` with `asistenciaActual = partySize`.
//! 3. `--speed N` plays N times faster than real time from the first event
//!    (60 = one real minute per second); `max` sends as fast as the server
//!    answers, one request at a time so the order is kept.
//!
//! Requests that fail are counted and logged, and the replay goes on (a
//! later event of a booking whose creation failed counts as an error too).
//! Ctrl-C (the `shutdown` token) stops between two requests; the summary says
//! how far it got.

use crate::client::{ApiClient, SnapshotQuery};
use crate::import::{
    self, Booking, DEMO_CSV, DEMO_FIRST_DAY, DEMO_LAST_DAY, FinalStatus, Hotel, derive, salt,
};
use anyhow::{Context, bail};
use futures::StreamExt;
use jiff::civil::Date;
use reservas_core::Status;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Progress and summary lines for the person running the replay. Through
/// the CLI's `emit`, so `reservas replay … | head` stops quietly instead of
/// panicking on a closed pipe.
macro_rules! say {
    ($($t:tt)*) => {
        let _ = crate::cli::output::emit(&format!("{}\n", format_args!($($t)*)));
    };
}

/// Seed window: arrivals from D − 1 (yesterday's rows on the desk) …
pub const WINDOW_BEFORE_DAYS: i64 = 1;
/// … to D + 14 (the fortnight a desk looks ahead). `data/trim.py` keeps the
/// same window, so the shipped file has every row a seed needs.
pub const WINDOW_AFTER_DAYS: i64 = 14;
/// The default day: the City Hotel's 2016-08-18 (Thursday) has every kind of
/// event: 79 bookings made (one with 0 guests, skipped), 29 cancellations
/// (4 for that very day), 110 bookings due on the books of which 102 stay
/// (195 guests, one QR check-in each) and 4 are no-shows.
pub const DEMO_DAY: Date = jiff::civil::date(2016, 8, 18);

/// Creations in flight while seeding: the seed's order does not matter, and
/// a few requests in flight hide the round trip.
const SEED_CONCURRENCY: usize = 8;

/// `--speed`: a time compression factor, or as fast as possible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    Factor(f64),
    Max,
}

impl FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        match s.parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 => Ok(Speed::Factor(f)),
            _ => Err(format!(
                "invalid speed {s:?}: a number > 0 (60 = one minute per second) or `max`"
            )),
        }
    }
}

impl fmt::Display for Speed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Speed::Factor(x) => write!(f, "{x}x"),
            Speed::Max => f.write_str("max"),
        }
    }
}

/// Options of `reservas replay`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReplayArgs {
    /// Dataset day to replay (YYYY-MM-DD). The shipped data hold 2016-08-12 to
    /// 2016-08-18; other days need `--data` with the whole dataset.
    #[arg(long, default_value_t = DEMO_DAY)]
    pub day: Date,
    /// Time compression: N times real time (60 = one real minute per
    /// second), or `max` (as fast as the server answers, for benchmarks).
    #[arg(long, default_value = "60")]
    pub speed: Speed,
    /// Which hotel of the dataset.
    #[arg(long, value_enum, default_value_t = Hotel::City)]
    pub hotel: Hotel,
    /// The day the replayed day is shown as [default: today in the
    /// business's time zone].
    #[arg(
        long = "target-date",
        visible_alias = "today",
        value_name = "YYYY-MM-DD"
    )]
    pub target_date: Option<Date>,
    /// The dataset CSV to read instead of the shipped demo file (e.g. the
    /// whole hotel_bookings.csv, for days outside the demo week).
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Seed even though the business already has reservations.
    #[arg(long)]
    pub force: bool,
    /// Only seed the bookings on the books that morning; play no events.
    #[arg(long)]
    pub seed_only: bool,
}

impl ReplayArgs {
    /// The defaults, for callers that are not the CLI (tests, the desktop).
    pub fn new(day: Date) -> ReplayArgs {
        ReplayArgs {
            day,
            speed: Speed::Factor(60.0),
            hotel: Hotel::City,
            target_date: None,
            data: None,
            force: false,
            seed_only: false,
        }
    }
}

/// What a planned event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// A booking made on D.
    Create,
    /// One guest's QR scanned (0-based guest number).
    CheckIn { guest: u32 },
    /// A cancellation on D.
    Cancel,
    /// A no-show, marked late on D.
    NoShow,
}

impl EventKind {
    /// Same-second ties: a booking exists before anything happens to it.
    fn rank(self) -> u8 {
        match self {
            EventKind::Create => 0,
            EventKind::CheckIn { .. } => 1,
            EventKind::Cancel => 2,
            EventKind::NoShow => 3,
        }
    }

    /// Events the server writes to the log for it (PROTOCOL.md: a status
    /// change is `reservation-updated` + `status-changed`).
    pub fn log_events(self) -> u64 {
        match self {
            EventKind::Create | EventKind::CheckIn { .. } => 1,
            EventKind::Cancel | EventKind::NoShow => 2,
        }
    }
}

/// One event of day D.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    /// Seconds after midnight of D.
    pub at: u32,
    /// Index into [`Plan::bookings`].
    pub booking: usize,
    pub kind: EventKind,
}

/// Everything a replay of D sends, computed before any request.
#[derive(Debug, Clone)]
pub struct Plan {
    pub day: Date,
    pub target: Date,
    /// Days added to every dataset date (target − day).
    pub shift: i64,
    /// The hotel's bookings the plan refers to by index.
    pub bookings: Vec<Booking>,
    /// (booking index, status that morning), in file order.
    pub seed: Vec<(usize, Status)>,
    /// D's events in time order.
    pub events: Vec<PlannedEvent>,
    /// Bookings that the seed or the day would have sent but that have 0
    /// guests (skipped, see [`crate::import`]).
    pub zero_guest_bookings: usize,
}

const H07: u32 = 7 * 3600;
const H23: u32 = 23 * 3600;
const LAST_SECOND: u32 = 24 * 3600 - 1;

/// A value in `lo..hi` (`lo` when the range is empty) from a derived value.
fn within(v: u64, lo: u32, hi: u32) -> u32 {
    if hi <= lo {
        return lo;
    }
    lo + (v % u64::from(hi - lo)) as u32
}

impl Plan {
    /// Plans the replay of `day` for `hotel` shown as `target`.
    pub fn new(all: &[Booking], hotel: Hotel, day: Date, target: Date) -> Plan {
        let mut zero = 0;
        let bookings: Vec<Booking> = all.iter().filter(|b| b.hotel == hotel).cloned().collect();
        let first = import::shift(day, -WINDOW_BEFORE_DAYS).unwrap_or(day);
        let last = import::shift(day, WINDOW_AFTER_DAYS).unwrap_or(day);
        let mut seed = Vec::new();
        let mut events = Vec::new();
        for (i, b) in bookings.iter().enumerate() {
            let booked_on = b.booked_on();
            let cancelled_today = b.cancelled_on(day);
            let relevant = match b.status_at(day) {
                // Cancelled before D: not on the books.
                Some(Status::Cancelled) => None,
                Some(st) if cancelled_today || (first..=last).contains(&b.arrival) => {
                    Some(Some(st))
                }
                // On the books but far from D, and no event on D.
                Some(_) => None,
                // Not booked yet: only a booking made on D matters.
                None if booked_on == Some(day) => Some(None),
                None => None,
            };
            let Some(seed_status) = relevant else {
                continue;
            };
            // Counted only among the bookings the replay would have sent.
            if b.guests() == 0 {
                zero += 1;
                continue;
            }
            if let Some(st) = seed_status {
                seed.push((i, st));
            }
            let key = b.key;
            let arrives_today = b.arrival == day;
            let desk = {
                let t = b.arrival_time();
                u32::from(t.hour() as u8) * 3600 + u32::from(t.minute() as u8) * 60
            };
            let mut made_at = None;
            if booked_on == Some(day) {
                let hi = if arrives_today {
                    desk.saturating_sub(30 * 60)
                } else {
                    H23
                };
                let at = within(derive(key, salt::BOOKED_AT), H07, hi);
                made_at = Some(at);
                events.push(PlannedEvent {
                    at,
                    booking: i,
                    kind: EventKind::Create,
                });
            }
            if cancelled_today {
                let lo = made_at.map_or(H07, |m| m + 60).max(H07);
                let hi = if arrives_today { desk } else { H23 };
                events.push(PlannedEvent {
                    at: within(derive(key, salt::CANCELLED_AT), lo, hi),
                    booking: i,
                    kind: EventKind::Cancel,
                });
            }
            if arrives_today && b.status == FinalStatus::CheckOut {
                let v = derive(key, salt::CHECKIN_AT);
                // First guest 10 min early … 30 min late; never before the
                // booking exists.
                let mut at = (desk + within(v, 0, 40 * 60))
                    .saturating_sub(10 * 60)
                    .max(made_at.map_or(0, |m| m + 60));
                for guest in 0..b.guests() {
                    if guest > 0 {
                        let step = derive(v, u64::from(guest));
                        at += within(step, 20, 91);
                    }
                    events.push(PlannedEvent {
                        at: at.min(LAST_SECOND),
                        booking: i,
                        kind: EventKind::CheckIn { guest },
                    });
                }
            }
            if arrives_today && b.status == FinalStatus::NoShow {
                events.push(PlannedEvent {
                    at: within(
                        derive(key, salt::NO_SHOW_AT),
                        23 * 3600 + 15 * 60,
                        23 * 3600 + 55 * 60,
                    ),
                    booking: i,
                    kind: EventKind::NoShow,
                });
            }
        }
        events.sort_by_key(|e| (e.at, e.kind.rank(), e.booking, e.kind));
        Plan {
            day,
            target,
            shift: import::days_between(day, target),
            bookings,
            seed,
            events,
            zero_guest_bookings: zero,
        }
    }

    /// Log events the whole replay makes the server write (seed + D).
    pub fn log_events(&self) -> u64 {
        self.seed.len() as u64 + self.events.iter().map(|e| e.kind.log_events()).sum::<u64>()
    }

    /// Planned events of one kind (`CheckIn` guests counted one by one).
    pub fn count(&self, pred: impl Fn(EventKind) -> bool) -> usize {
        self.events.iter().filter(|e| pred(e.kind)).count()
    }
}

/// What a replay did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub hotel: String,
    pub day: String,
    pub target: String,
    /// Rows of the CSV that could not be read.
    pub skipped_rows: usize,
    /// Bookings of the hotel with 0 guests, not imported.
    pub zero_guest_bookings: usize,
    pub seeded: usize,
    pub seed_errors: usize,
    pub events_planned: usize,
    pub events_sent: usize,
    pub errors: usize,
    pub created: usize,
    pub cancelled: usize,
    pub checkins: usize,
    pub no_shows: usize,
    /// Stopped by Ctrl-C before the end.
    pub interrupted: bool,
    /// Time spent playing the day's events (after the seed).
    pub events_elapsed: Duration,
    pub seed_elapsed: Duration,
}

impl Summary {
    /// Day events per second of wall time (the `--speed max` throughput).
    pub fn events_per_sec(&self) -> f64 {
        let s = self.events_elapsed.as_secs_f64();
        if s > 0.0 {
            self.events_sent as f64 / s
        } else {
            0.0
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "replay {} {} shown as {}{}",
            self.hotel,
            self.day,
            self.target,
            if self.interrupted {
                " (interrupted)"
            } else {
                ""
            }
        )?;
        writeln!(
            f,
            "  seeded {} reservations in {:.2}s ({} errors; {} bookings with 0 guests and {} unreadable rows skipped)",
            self.seeded,
            self.seed_elapsed.as_secs_f64(),
            self.seed_errors,
            self.zero_guest_bookings,
            self.skipped_rows
        )?;
        writeln!(
            f,
            "  events sent {}/{} in {:.2}s ({:.0}/s), errors {}",
            self.events_sent,
            self.events_planned,
            self.events_elapsed.as_secs_f64(),
            self.events_per_sec(),
            self.errors
        )?;
        write!(
            f,
            "  bookings made {}, cancellations {}, QR check-ins {}, no-shows {}",
            self.created, self.cancelled, self.checkins, self.no_shows
        )
    }
}

/// The dataset text: `--data` or the shipped file (which only covers the
/// demo week).
fn load_csv(args: &ReplayArgs) -> anyhow::Result<std::borrow::Cow<'static, str>> {
    match &args.data {
        Some(path) => std::fs::read_to_string(path)
            .map(Into::into)
            .with_context(|| format!("cannot read {}", path.display())),
        None => {
            if !(DEMO_FIRST_DAY..=DEMO_LAST_DAY).contains(&args.day) {
                bail!(
                    "the shipped demo data cover {DEMO_FIRST_DAY} to {DEMO_LAST_DAY}; for {} pass --data with the whole dataset (hotel_bookings.csv)",
                    args.day
                );
            }
            Ok(DEMO_CSV.into())
        }
    }
}

/// `HH:MM` of a second of the day.
fn clock(secs: u32) -> String {
    format!("{:02}:{:02}", secs / 3600, secs / 60 % 60)
}

/// Runs a replay (module doc) and returns what it did. Progress lines go to
/// stdout; failed requests are logged with `tracing`.
pub async fn run(
    server: &str,
    token: &str,
    args: ReplayArgs,
    shutdown: CancellationToken,
) -> anyhow::Result<Summary> {
    let client = ApiClient::new(server, token)?;
    let text = load_csv(&args)?;
    let parsed = import::parse(&text)?;
    if !parsed.skipped.is_empty() {
        tracing::warn!(
            rows = parsed.skipped.len(),
            first = ?parsed.skipped.first(),
            "CSV rows skipped"
        );
    }

    // One snapshot says both whether the business is empty and, through the
    // stats' default date, what "today" is in its time zone.
    let snap = client
        .snapshot(&SnapshotQuery {
            include_stats: true,
            ..Default::default()
        })
        .await
        .context("cannot read the business's reservations")?;
    if !snap.reservas.is_empty() && !args.force {
        bail!(
            "the business already has {} reservations; a replay seeds an empty business (use --force to add to it anyway)",
            snap.reservas.len()
        );
    }
    let target = match (args.target_date, snap.stats.as_ref()) {
        (Some(d), _) => d,
        (None, Some(st)) => st
            .date
            .parse()
            .with_context(|| format!("server's stats date {:?}", st.date))?,
        (None, None) => jiff::Zoned::now().date(),
    };

    let plan = Plan::new(&parsed.bookings, args.hotel, args.day, target);
    if plan.bookings.is_empty() {
        bail!("no bookings of the {} in the data", args.hotel.label());
    }
    let mut summary = Summary {
        hotel: args.hotel.label().to_string(),
        day: args.day.to_string(),
        target: target.to_string(),
        skipped_rows: parsed.skipped.len(),
        zero_guest_bookings: plan.zero_guest_bookings,
        events_planned: if args.seed_only { 0 } else { plan.events.len() },
        ..Default::default()
    };
    say!(
        "replay {} {} as {}: seeding {} reservations, then {} events at speed {}",
        summary.hotel,
        summary.day,
        summary.target,
        plan.seed.len(),
        summary.events_planned,
        args.speed
    );

    // Row id and QR token of each booking once it exists on the server.
    let mut rows: Vec<Option<(String, String)>> = vec![None; plan.bookings.len()];

    let started = Instant::now();
    let creations = futures::stream::iter(plan.seed.iter().map(|&(i, st)| {
        let client = client.clone();
        let new = plan.bookings[i].to_new_reservation(plan.shift, st);
        let line = plan.bookings[i].line;
        async move {
            let new = new.with_context(|| format!("line {line}: date out of range"))?;
            let r = client
                .create(&new)
                .await
                .with_context(|| format!("line {line}"))?;
            anyhow::Ok((i, r.id, r.qr_token))
        }
    }))
    .buffer_unordered(SEED_CONCURRENCY);
    tokio::pin!(creations);
    loop {
        let next = tokio::select! {
            biased;
            _ = shutdown.cancelled() => { summary.interrupted = true; break; }
            n = creations.next() => n,
        };
        match next {
            None => break,
            Some(Ok((i, id, qr))) => {
                rows[i] = Some((id, qr));
                summary.seeded += 1;
            }
            Some(Err(e)) => {
                summary.seed_errors += 1;
                tracing::warn!(error = format!("{e:#}"), "seeding a reservation failed");
            }
        }
    }
    summary.seed_elapsed = started.elapsed();
    say!(
        "seeded {} reservations in {:.2}s ({} errors)",
        summary.seeded,
        summary.seed_elapsed.as_secs_f64(),
        summary.seed_errors
    );
    if summary.interrupted || args.seed_only {
        return Ok(summary);
    }

    let started = Instant::now();
    let origin = plan.events.first().map_or(0, |e| e.at);
    let mut last_progress = Instant::now();
    let total = plan.events.len();
    for (n, ev) in plan.events.iter().enumerate() {
        if let Speed::Factor(f) = args.speed {
            let due = started + Duration::from_secs_f64(f64::from(ev.at - origin) / f);
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => { summary.interrupted = true; break; }
                _ = tokio::time::sleep_until(due.into()) => {}
            }
        } else if shutdown.is_cancelled() {
            summary.interrupted = true;
            break;
        }
        match send(&client, &plan, &mut rows, ev).await {
            Ok(()) => {
                summary.events_sent += 1;
                match ev.kind {
                    EventKind::Create => summary.created += 1,
                    EventKind::Cancel => summary.cancelled += 1,
                    EventKind::CheckIn { .. } => summary.checkins += 1,
                    EventKind::NoShow => summary.no_shows += 1,
                }
            }
            Err(e) => {
                summary.errors += 1;
                tracing::warn!(
                    at = clock(ev.at),
                    kind = ?ev.kind,
                    line = plan.bookings[ev.booking].line,
                    error = format!("{e:#}"),
                    "replay event failed"
                );
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(1) || n + 1 == total {
            last_progress = Instant::now();
            say!(
                "[{}] {}/{} events sent, {} errors",
                clock(ev.at),
                summary.events_sent,
                total,
                summary.errors
            );
        }
    }
    summary.events_elapsed = started.elapsed();
    Ok(summary)
}

/// Sends one event of D.
async fn send(
    client: &ApiClient,
    plan: &Plan,
    rows: &mut [Option<(String, String)>],
    ev: &PlannedEvent,
) -> anyhow::Result<()> {
    let b = &plan.bookings[ev.booking];
    if ev.kind == EventKind::Create {
        let new = b
            .to_new_reservation(plan.shift, Status::Confirmed)
            .context("date out of range")?;
        let r = client.create(&new).await?;
        rows[ev.booking] = Some((r.id, r.qr_token));
        return Ok(());
    }
    let Some((id, qr)) = &rows[ev.booking] else {
        bail!("the reservation was never created");
    };
    match ev.kind {
        EventKind::CheckIn { .. } => {
            client.checkin_by_token(qr).await?;
        }
        EventKind::Cancel => {
            client.set_status(id, Status::Cancelled).await?;
        }
        EventKind::NoShow => {
            client.set_status(id, Status::NoShow).await?;
        }
        EventKind::Create => {}
    }
    Ok(())
}

/// The CLI's `replay` subcommand: runs [`run`] with Ctrl-C wired to a clean
/// stop, and prints the summary. Fails (non-zero exit) when any request
/// failed, so scripts notice.
pub async fn run_cli(server: &str, token: &str, args: ReplayArgs) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    let on_signal = shutdown.clone();
    let signal = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    let result = run(server, token, args, shutdown).await;
    signal.abort();
    let summary = result?;
    say!("{summary}");
    if summary.errors + summary.seed_errors > 0 {
        bail!(
            "{} requests failed (see the log)",
            summary.errors + summary.seed_errors
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn demo_plan(day: Date) -> Plan {
        let parsed = import::parse(DEMO_CSV).expect("parse");
        Plan::new(&parsed.bookings, Hotel::City, day, date(2026, 1, 20))
    }

    #[test]
    fn speed_parses() {
        assert_eq!("max".parse::<Speed>(), Ok(Speed::Max));
        assert_eq!("60".parse::<Speed>(), Ok(Speed::Factor(60.0)));
        assert_eq!("0.5".parse::<Speed>(), Ok(Speed::Factor(0.5)));
        assert!("0".parse::<Speed>().is_err());
        assert!("-1".parse::<Speed>().is_err());
        assert!("fast".parse::<Speed>().is_err());
        assert!("inf".parse::<Speed>().is_err());
    }

    #[test]
    fn plan_of_the_demo_day_matches_the_dataset_readme() {
        let p = demo_plan(DEMO_DAY);
        assert_eq!(p.shift, import::days_between(DEMO_DAY, date(2026, 1, 20)));
        // 79 made that day, one of them with 0 guests.
        assert_eq!(p.count(|k| k == EventKind::Create), 78);
        assert!(p.zero_guest_bookings >= 1);
        assert_eq!(p.count(|k| k == EventKind::Cancel), 29);
        assert_eq!(p.count(|k| k == EventKind::NoShow), 4);
        let stays: Vec<&Booking> = p
            .bookings
            .iter()
            .filter(|b| b.arrival == DEMO_DAY && b.status == FinalStatus::CheckOut)
            .collect();
        assert_eq!(stays.len(), 102);
        let guests: u32 = stays.iter().map(|b| b.guests()).sum();
        assert_eq!(guests, 195);
        assert_eq!(p.count(|k| matches!(k, EventKind::CheckIn { .. })), 195);
    }

    #[test]
    fn readme_counts_of_2016_08_13() {
        // data/README of the shared copy: 55 made, 18 cancellations, 73
        // stays with 180 guests.
        let d = date(2016, 8, 13);
        let p = demo_plan(d);
        assert_eq!(p.count(|k| k == EventKind::Create), 55);
        assert_eq!(p.count(|k| k == EventKind::Cancel), 18);
        assert_eq!(p.count(|k| matches!(k, EventKind::CheckIn { .. })), 180);
        assert_eq!(p.count(|k| k == EventKind::NoShow), 0);
    }

    #[test]
    fn events_are_ordered_and_causal() {
        for day in [DEMO_FIRST_DAY, date(2016, 8, 13), DEMO_DAY] {
            let p = demo_plan(day);
            assert!(p.events.windows(2).all(|w| w[0].at <= w[1].at));
            let seeded: std::collections::HashSet<usize> = p.seed.iter().map(|s| s.0).collect();
            let mut created = std::collections::HashMap::new();
            for e in &p.events {
                match e.kind {
                    EventKind::Create => {
                        assert!(!seeded.contains(&e.booking), "made on D yet seeded");
                        created.insert(e.booking, e.at);
                    }
                    _ => {
                        let exists = seeded.contains(&e.booking)
                            || created.get(&e.booking).is_some_and(|&t| t < e.at);
                        assert!(exists, "{e:?} before its booking exists");
                    }
                }
                assert!(e.at >= H07 && e.at <= LAST_SECOND, "{e:?}");
                if e.kind == EventKind::NoShow {
                    assert!(e.at >= 23 * 3600 + 15 * 60);
                }
            }
        }
    }

    #[test]
    fn seed_is_what_is_on_the_books_that_morning() {
        let p = demo_plan(DEMO_DAY);
        for &(i, st) in &p.seed {
            let b = &p.bookings[i];
            assert!(b.booked_on().is_some_and(|m| m < DEMO_DAY));
            assert_ne!(st, Status::Cancelled);
            assert_eq!(b.status_at(DEMO_DAY), Some(st));
        }
        // Every booking due on D that was made before D and still on the
        // books is seeded; one cancelled before D is not.
        for (i, b) in p.bookings.iter().enumerate() {
            let on_books = b.booked_on().is_some_and(|m| m < DEMO_DAY)
                && !(b.status == FinalStatus::Canceled && b.status_date < DEMO_DAY);
            if b.arrival == DEMO_DAY {
                assert_eq!(p.seed.iter().any(|s| s.0 == i), on_books, "line {}", b.line);
            }
        }
        assert!(p.seed.len() > 1000, "{}", p.seed.len());
    }

    #[test]
    fn the_plan_is_deterministic() {
        let a = demo_plan(DEMO_DAY);
        let b = demo_plan(DEMO_DAY);
        assert_eq!(a.events, b.events);
        assert_eq!(a.seed, b.seed);
    }
}
