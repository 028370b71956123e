//! The demo-data importer and `reservas replay` against the real
//! `reservas-server` binary. Expected figures are counted here straight from
//! the shipped CSV with code of this file (not through the importer), so a
//! mapping mistake in the importer shows up as a mismatch.
//!
//! Needs the server binary: `cargo build -p reservas-server` first.

use futures::StreamExt;
use jiff::civil::{Date, date};
use reservas_core::Status;
use reservas_sync::client::{ApiClient, SnapshotQuery};
use reservas_sync::import::{self, Hotel};
use reservas_sync::replay::{self, ReplayArgs, Speed};
use reservas_tests::{Server, ServerOpts, wait_for, workspace_bin};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const CSV: &str = include_str!("../../../data/hotel_bookings_demo.csv");
/// Where the replayed day is shown (any date works; a fixed one keeps the
/// test independent of the clock).
const TARGET: Date = date(2026, 1, 20);

/// One CSV row as this test reads it: independent of `import`.
struct Row {
    hotel: String,
    arrival: Date,
    booked: Date,
    guests: u32,
    status: String,
    status_date: Date,
}

fn rows() -> Vec<Row> {
    let mut lines = CSV.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (h, lead, y, m, d) = (
        col("hotel"),
        col("lead_time"),
        col("arrival_date_year"),
        col("arrival_date_month"),
        col("arrival_date_day_of_month"),
    );
    let (a, c, b, st, sd) = (
        col("adults"),
        col("children"),
        col("babies"),
        col("reservation_status"),
        col("reservation_status_date"),
    );
    let months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let month = months.iter().position(|x| *x == f[m]).expect("month") as i8 + 1;
            let arrival = date(
                f[y].parse().expect("year"),
                month,
                f[d].parse().expect("day"),
            );
            let lead: i64 = f[lead].parse().expect("lead");
            let n = |s: &str| {
                if s == "NA" {
                    0
                } else {
                    s.parse::<u32>().expect("count")
                }
            };
            Row {
                hotel: f[h].to_string(),
                arrival,
                booked: arrival
                    .checked_sub(jiff::Span::new().days(lead))
                    .expect("booked"),
                guests: n(f[a]) + n(f[c]) + n(f[b]),
                status: f[st].to_string(),
                status_date: f[sd].parse().expect("status date"),
            }
        })
        .collect()
}

fn city() -> Vec<Row> {
    rows()
        .into_iter()
        .filter(|r| r.hotel == "City Hotel" && r.guests > 0)
        .collect()
}

/// Day figures as the server's `stats` should show them.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    total: u32,
    cancelled: u32,
    no_show: u32,
    expected_guests: u32,
    arrived_guests: u32,
}

fn stats_of(client: &ApiClient, rt: &tokio::runtime::Runtime, day: Date) -> Expected {
    let snap = rt
        .block_on(client.snapshot(&SnapshotQuery {
            from: Some(day.to_string()),
            to: Some(day.to_string()),
            date: Some(day.to_string()),
            include_stats: true,
        }))
        .expect("snapshot");
    let st = snap.stats.expect("stats");
    assert_eq!(st.date, day.to_string());
    assert_eq!(snap.reservas.len() as u32, st.total);
    let by = |s: Status| st.by_status.get(&s).copied().unwrap_or(0);
    Expected {
        total: st.total,
        cancelled: by(Status::Cancelled),
        no_show: by(Status::NoShow),
        expected_guests: st.expected_guests,
        arrived_guests: st.arrived_guests,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn server() -> Server {
    Server::start(&workspace_bin("reservas-server"), ServerOpts::default())
}

fn args(day: Date, speed: Speed) -> ReplayArgs {
    ReplayArgs {
        speed,
        target_date: Some(TARGET),
        ..ReplayArgs::new(day)
    }
}

#[test]
fn import_of_a_city_hotel_day_matches_a_count_over_the_csv() {
    let day = date(2016, 8, 13);
    let due: Vec<Row> = city().into_iter().filter(|r| r.arrival == day).collect();
    let not_cancelled = || due.iter().filter(|r| r.status != "Canceled");
    let want = Expected {
        total: due.len() as u32,
        cancelled: due.iter().filter(|r| r.status == "Canceled").count() as u32,
        no_show: due.iter().filter(|r| r.status == "No-Show").count() as u32,
        expected_guests: not_cancelled().map(|r| r.guests).sum(),
        arrived_guests: 0,
    };
    // The shared dataset README: 135 due that day, of which 73 stayed.
    assert_eq!(want.total, 135);
    assert_eq!(due.iter().filter(|r| r.status == "Check-Out").count(), 73);

    let srv = server();
    let (_, token) = srv.create_business(Some("import"));
    let rt = runtime();
    let client = ApiClient::new(&srv.url(), &token).expect("client");
    let parsed = import::parse(CSV).expect("parse");
    let shift = import::days_between(day, TARGET);
    let report = rt.block_on(import::import_arrivals(
        &client,
        &parsed.bookings,
        Hotel::City,
        (day, day),
        shift,
    ));
    assert_eq!(report.errors, 0);
    assert_eq!(report.created, 135);
    assert_eq!(stats_of(&client, &rt, TARGET), want);
    // Nothing landed on other days.
    let all = rt
        .block_on(client.snapshot(&SnapshotQuery::default()))
        .expect("snapshot");
    assert!(all.reservas.iter().all(|r| r.date == TARGET.to_string()));
}

/// Figures of D in the CSV after a full replay, and the seed's size.
struct DayCounts {
    after: Expected,
    seed: usize,
    made: usize,
    cancellations: usize,
    checkins: u32,
    no_shows: usize,
}

fn counts(day: Date) -> DayCounts {
    let rows = city();
    let cancelled_before = |r: &Row| r.status == "Canceled" && r.status_date < day;
    // Due on D: booked by D (before, or that day) and not cancelled earlier.
    let due: Vec<&Row> = rows
        .iter()
        .filter(|r| r.arrival == day && r.booked <= day && !cancelled_before(r))
        .collect();
    let first = day.checked_sub(jiff::Span::new().days(1)).expect("date");
    let last = day.checked_add(jiff::Span::new().days(14)).expect("date");
    let seed = rows
        .iter()
        .filter(|r| r.booked < day && !cancelled_before(r))
        .filter(|r| {
            (first..=last).contains(&r.arrival) || (r.status == "Canceled" && r.status_date == day)
        })
        .count();
    let stays = || due.iter().filter(|r| r.status == "Check-Out");
    DayCounts {
        after: Expected {
            total: due.len() as u32,
            cancelled: due.iter().filter(|r| r.status == "Canceled").count() as u32,
            no_show: due.iter().filter(|r| r.status == "No-Show").count() as u32,
            expected_guests: due
                .iter()
                .filter(|r| r.status != "Canceled")
                .map(|r| r.guests)
                .sum(),
            arrived_guests: stays().map(|r| r.guests).sum(),
        },
        seed,
        made: rows.iter().filter(|r| r.booked == day).count(),
        cancellations: rows
            .iter()
            .filter(|r| r.status == "Canceled" && r.status_date == day)
            .count(),
        checkins: stays().map(|r| r.guests).sum(),
        no_shows: due.iter().filter(|r| r.status == "No-Show").count(),
    }
}

#[test]
fn seed_holds_the_books_of_that_morning() {
    let day = replay::DEMO_DAY;
    let c = counts(day);
    let rows = city();
    let on_books_due: Vec<&Row> = rows
        .iter()
        .filter(|r| r.arrival == day && r.booked < day)
        .filter(|r| !(r.status == "Canceled" && r.status_date < day))
        .collect();

    let srv = server();
    let (_, token) = srv.create_business(Some("seed"));
    let rt = runtime();
    let client = ApiClient::new(&srv.url(), &token).expect("client");
    let mut a = args(day, Speed::Max);
    a.seed_only = true;
    let summary = rt
        .block_on(replay::run(&srv.url(), &token, a, CancellationToken::new()))
        .expect("seed");
    assert_eq!(summary.seed_errors, 0);
    assert_eq!(summary.seeded, c.seed);
    assert_eq!(summary.events_sent, 0);
    let all = rt
        .block_on(client.snapshot(&SnapshotQuery::default()))
        .expect("snapshot");
    assert_eq!(all.reservas.len(), c.seed);
    // That morning, everything due is still to come: all confirmed.
    let want = Expected {
        total: on_books_due.len() as u32,
        cancelled: 0,
        no_show: 0,
        expected_guests: on_books_due.iter().map(|r| r.guests).sum(),
        arrived_guests: 0,
    };
    assert_eq!(stats_of(&client, &rt, TARGET), want);
}

/// Reads the business's event stream and counts `id:` lines.
fn subscribe(
    rt: &tokio::runtime::Runtime,
    url: &str,
    token: &str,
) -> (Arc<AtomicU64>, Arc<std::sync::Mutex<Vec<u64>>>) {
    let count = Arc::new(AtomicU64::new(0));
    let ids = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, i) = (count.clone(), ids.clone());
    let connected = Arc::new(AtomicU64::new(0));
    let conn = connected.clone();
    let req = reqwest::Client::new()
        .get(format!("{url}/api/reservas/events"))
        .bearer_auth(token)
        .header("Accept", "text/event-stream");
    rt.spawn(async move {
        let resp = req.send().await.expect("stream");
        assert_eq!(resp.status().as_u16(), 200);
        let mut body = resp.bytes_stream();
        let mut buf = Vec::new();
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else { break };
            buf.extend_from_slice(&chunk);
            while let Some(nl) = buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = buf.drain(..=nl).collect();
                let line = String::from_utf8_lossy(&line);
                let line = line.trim_end();
                if line == "event: connected" {
                    conn.store(1, Ordering::SeqCst);
                }
                if let Some(id) = line.strip_prefix("id:") {
                    if let Ok(id) = id.trim().parse::<u64>() {
                        i.lock().expect("ids").push(id);
                    }
                    c.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    });
    wait_for(
        "the stream's connected frame",
        Duration::from_secs(10),
        || (connected.load(Ordering::SeqCst) == 1).then_some(()),
    );
    (count, ids)
}

#[test]
fn replay_at_max_speed_ends_with_the_days_stats_and_every_event_streamed() {
    let day = replay::DEMO_DAY;
    let c = counts(day);
    let srv = server();
    let (_, token) = srv.create_business(Some("replay"));
    let rt = runtime();
    let client = ApiClient::new(&srv.url(), &token).expect("client");
    let (streamed, ids) = subscribe(&rt, &srv.url(), &token);

    let summary = rt
        .block_on(replay::run(
            &srv.url(),
            &token,
            args(day, Speed::Max),
            CancellationToken::new(),
        ))
        .expect("replay");
    println!("{summary}");
    assert!(!summary.interrupted);
    assert_eq!((summary.seed_errors, summary.errors), (0, 0));
    assert_eq!(summary.seeded, c.seed);
    assert_eq!(summary.created, c.made);
    assert_eq!(summary.cancelled, c.cancellations);
    assert_eq!(summary.checkins as u32, c.checkins);
    assert_eq!(summary.no_shows, c.no_shows);
    assert_eq!(summary.events_sent, summary.events_planned);

    // The day as the desk sees it at the end.
    assert_eq!(stats_of(&client, &rt, TARGET), c.after);
    // 2016-08-18: 110 due, 4 cancelled that day, 4 no-shows, 195 guests in.
    assert_eq!(
        (
            c.after.total,
            c.after.cancelled,
            c.after.no_show,
            c.after.arrived_guests
        ),
        (110, 4, 4, 195)
    );

    // Every write's event reached the subscriber, in order, once.
    let writes = (c.seed + c.made) as u64
        + 2 * c.cancellations as u64
        + u64::from(c.checkins)
        + 2 * c.no_shows as u64;
    let head = rt
        .block_on(client.changes(0, Some(1)))
        .expect("changes")
        .version;
    assert_eq!(head, writes);
    wait_for("every event on the stream", Duration::from_secs(30), || {
        (streamed.load(Ordering::SeqCst) >= writes).then_some(())
    });
    let ids = ids.lock().expect("ids").clone();
    assert_eq!(ids, (1..=writes).collect::<Vec<_>>());
}

#[test]
fn replay_refuses_a_business_with_rows_and_stops_on_cancel() {
    let srv = server();
    let (_, token) = srv.create_business(Some("busy"));
    let rt = runtime();
    let client = ApiClient::new(&srv.url(), &token).expect("client");

    // Cancelled before it starts playing: seeds nothing more, returns Ok.
    let stop = CancellationToken::new();
    stop.cancel();
    let s = rt
        .block_on(replay::run(
            &srv.url(),
            &token,
            args(replay::DEMO_DAY, Speed::Factor(1.0)),
            stop,
        ))
        .expect("interrupted run");
    assert!(s.interrupted);
    assert_eq!(s.events_sent, 0);

    // Now at real time (speed 1): the first event is hours of virtual time
    // away from the next ones, so a cancel mid-day stops it promptly.
    let stop = CancellationToken::new();
    let later = stop.clone();
    let mut a = args(replay::DEMO_DAY, Speed::Factor(1.0));
    a.force = true;
    let started = std::time::Instant::now();
    let s = rt
        .block_on(async {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                later.cancel();
            });
            replay::run(&srv.url(), &token, a, stop).await
        })
        .expect("interrupted run");
    assert!(s.interrupted);
    assert!(s.events_sent < s.events_planned);
    assert!(started.elapsed() < Duration::from_secs(20));

    // The business has rows now: a plain replay refuses.
    let has = rt
        .block_on(client.snapshot(&SnapshotQuery::default()))
        .expect("snapshot")
        .reservas
        .len();
    assert!(has > 0);
    let err = rt
        .block_on(replay::run(
            &srv.url(),
            &token,
            args(replay::DEMO_DAY, Speed::Max),
            CancellationToken::new(),
        ))
        .expect_err("refused");
    assert!(format!("{err:#}").contains("--force"), "{err:#}");
    let after = rt
        .block_on(client.snapshot(&SnapshotQuery::default()))
        .expect("snapshot")
        .reservas
        .len();
    assert_eq!(after, has, "a refused replay writes nothing");

    // Days outside the shipped week need --data.
    let err = rt
        .block_on(replay::run(
            &srv.url(),
            &token,
            args(date(2016, 9, 1), Speed::Max),
            CancellationToken::new(),
        ))
        .expect_err("outside the demo week");
    assert!(format!("{err:#}").contains("--data"), "{err:#}");
}

#[test]
fn cli_replay_subcommand_runs_a_day() {
    let srv = server();
    let (_, token) = srv.create_business(Some("cli"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reservas"))
        .args(["--server", &srv.url(), "--token", &token])
        .args(["replay", "--day", "2016-08-13", "--speed", "max"])
        .args(["--target-date", "2026-01-20"])
        .output()
        .expect("run reservas");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("events sent 253/253"), "{stdout}");
    assert!(stdout.contains("errors 0"), "{stdout}");
    let by_kind: HashMap<&str, &str> = [("made", "55"), ("cancellations", "18")].into();
    for (what, n) in by_kind {
        assert!(stdout.contains(&format!("{what} {n}")), "{what}: {stdout}");
    }
}
