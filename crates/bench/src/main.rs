//! `reservas-bench`: the benchmark harness behind `cargo xtask bench
//! [--quick]` (which builds the release binaries and installs the peers
//! first). It is the load generator too: one tokio process, separate from
//! every server it measures (the machine's 20,000 open-files hard limit per
//! process would not hold 10,000 streams on both ends in one process).
//!
//! Workloads (issue 6): fan-out latency (a: 10,000 subscribers over 1,000
//! businesses at 1 event/s each; b: 1,000 and 10,000 subscribers of one
//! business at 10 events/s), memory per idle connection, an idle desk,
//! a restart storm and client numbers; the fan-out and memory workloads
//! also against nginx+Nchan, sse-starlette and better-sse. Output:
//! `BENCHMARKS.md` and `target/bench/summary.json`.
//!
//! Exit status: 1 when the harness breaks or one of our events is lost,
//! never because of a timing (CI runs `--quick` as a smoke test).

mod client;
mod fanout;
mod idle;
mod procs;
mod realdata;
mod report;
mod sse;
mod storm;
mod systems;

use reservas_core::{Event, EventKind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use systems::{Kind, PeerPaths, System};
use tracing_subscriber::EnvFilter;

/// Sizes of one run.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sizes {
    pub a_clients: usize,
    pub a_businesses: usize,
    pub a_secs: usize,
    pub b_clients: Vec<usize>,
    pub b_rate: f64,
    pub b_secs: usize,
    pub memory_conns: usize,
    pub storm_clients: usize,
    pub storm_before: u64,
    pub storm_after: u64,
    pub idle_secs: u64,
    pub client_rows: usize,
    pub client_events: usize,
    pub client_runs: usize,
}

impl Sizes {
    fn full() -> Sizes {
        Sizes {
            a_clients: 10_000,
            a_businesses: 1_000,
            a_secs: 20,
            b_clients: vec![1_000, 10_000],
            b_rate: 10.0,
            b_secs: 20,
            memory_conns: 10_000,
            storm_clients: 1_000,
            storm_before: 5,
            storm_after: 20,
            idle_secs: 120,
            client_rows: 10_000,
            client_events: 10_000,
            client_runs: 5,
        }
    }

    fn quick() -> Sizes {
        Sizes {
            a_clients: 500,
            a_businesses: 50,
            a_secs: 3,
            b_clients: vec![100, 500],
            b_rate: 10.0,
            b_secs: 3,
            memory_conns: 500,
            storm_clients: 200,
            storm_before: 3,
            storm_after: 10,
            idle_secs: 10,
            client_rows: 10_000,
            client_events: 2_000,
            client_runs: 3,
        }
    }
}

struct Args {
    quick: bool,
    /// `--only a,b,memory,storm,idle,client`: a subset (for development).
    only: Option<Vec<String>>,
    /// `--systems reservas,nchan,starlette,better-sse`: a subset.
    systems: Option<Vec<String>>,
    out: PathBuf,
    md: PathBuf,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        quick: false,
        only: None,
        systems: None,
        out: PathBuf::from("target/bench"),
        md: PathBuf::from("BENCHMARKS.md"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--quick" => a.quick = true,
            "--out" => {
                a.out = it
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--out DIR"))?
                    .into()
            }
            "--only" => {
                a.only = Some(
                    it.next()
                        .ok_or_else(|| anyhow::anyhow!("--only LIST"))?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "--systems" => {
                a.systems = Some(
                    it.next()
                        .ok_or_else(|| anyhow::anyhow!("--systems LIST"))?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "--md" => {
                a.md = it
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--md FILE"))?
                    .into()
            }
            other => anyhow::bail!(
                "unknown argument {other:?}; usage: reservas-bench [--quick] [--out DIR] [--md FILE]"
            ),
        }
    }
    Ok(a)
}

/// The peers' published message: exactly the `data:` of a real
/// `qr-scanned` event of our server (with `id` filled in per message), so
/// every system carries the same bytes per event.
fn peer_body(day: &realdata::RealDay) -> String {
    let r = &day.rows[0];
    serde_json::to_string(&Event {
        id: 0,
        at: "2026-01-01T20:15:02.123Z".into(),
        reserva_id: "r_0123456789abcdef".into(),
        kind: EventKind::QrScanned {
            asistencia_actual: 1,
            cliente_nombre: r.customer_name.clone(),
            party_size: r.party_size as u32,
        },
    })
    .expect("json")
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "reservas-bench: FAILED: an event was lost or a workload of ours broke (see above)"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("reservas-bench: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<bool> {
    let args = parse_args()?;
    let nofile = procs::raise_nofile();
    let sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    tracing::info!(quick = args.quick, nofile, ?sizes, "benchmark run");
    std::fs::create_dir_all(&args.out)?;
    let started = Instant::now();
    let day = realdata::RealDay::load()?;
    let body = peer_body(&day);
    let peers = PeerPaths {
        bench_dir: std::fs::canonicalize(&args.out)?,
    };
    let mut rep = report::Report::new(args.quick, sizes.clone(), nofile);

    let want = |w: &str| args.only.as_ref().is_none_or(|o| o.iter().any(|x| x == w));
    for kind in Kind::ALL {
        if args
            .systems
            .as_ref()
            .is_some_and(|s| !s.iter().any(|x| kind.name().starts_with(x.as_str())))
        {
            continue;
        }
        if let Some(why) = peers.missing(kind) {
            tracing::warn!(system = kind.name(), %why, "skipped");
            rep.skipped.push((kind.name().to_string(), why));
            continue;
        }
        let ours = kind == Kind::Reservas;
        // (a) many businesses, 1 event/s each.
        if want("a") {
            let a = async {
                let sys =
                    System::start(kind, &peers, sizes.a_businesses, sizes.a_secs, &day, false)
                        .await?;
                fanout::run(
                    &sys,
                    "a",
                    sizes.a_clients,
                    sizes.a_businesses,
                    1.0,
                    sizes.a_secs,
                    &body,
                )
                .await
            }
            .await;
            rep.fanout_or_error(kind, "a", a, ours);
        }
        // (b) one busy business at 10 events/s.
        for &n in sizes.b_clients.iter().filter(|_| want("b")) {
            let events = (sizes.b_rate * sizes.b_secs as f64) as usize;
            let b = async {
                let sys = System::start(kind, &peers, 1, events, &day, true).await?;
                fanout::run(&sys, "b", n, 1, sizes.b_rate, events, &body).await
            }
            .await;
            rep.fanout_or_error(kind, "b", b, ours);
        }
        if want("memory") {
            let m = async {
                let sys = System::start(kind, &peers, 1, 1, &day, false).await?;
                fanout::memory(&sys, sizes.memory_conns).await
            }
            .await;
            match m {
                Ok(m) => rep.memory.push(m),
                Err(e) => rep.error(kind.name(), "memory", &e, ours),
            }
        }
    }

    if want("storm") {
        let st = async {
            let events = (sizes.storm_before + sizes.storm_after) as usize;
            let mut sys = System::start(Kind::Reservas, &peers, 1, events, &day, true).await?;
            storm::run(
                &mut sys,
                sizes.storm_clients,
                sizes.storm_before,
                sizes.storm_after,
            )
            .await
        }
        .await;
        match st {
            Ok(r) => rep.restart = Some(r),
            Err(e) => rep.error("reservas-server", "restart storm", &e, true),
        }
    }

    if want("idle") {
        let idle = async {
            let sys = System::start(Kind::Reservas, &peers, 1, 1, &day, true).await?;
            idle::run(&sys, Duration::from_secs(sizes.idle_secs)).await
        }
        .await;
        match idle {
            Ok(r) => rep.idle = Some(r),
            Err(e) => rep.error("reservas-server", "idle desk", &e, true),
        }
    }

    if want("client") {
        let (rows, events, runs) = (sizes.client_rows, sizes.client_events, sizes.client_runs);
        let c = tokio::task::spawn_blocking(move || client::run(&day, rows, events, runs)).await?;
        match c {
            Ok(r) => rep.client = Some(r),
            Err(e) => rep.error("reservas-sync", "client", &e, true),
        }
    }

    rep.total_secs = started.elapsed().as_secs_f64();
    let json = rep.summary_json();
    std::fs::write(
        args.out.join("summary.json"),
        serde_json::to_string_pretty(&json)?,
    )?;
    std::fs::write(&args.md, rep.markdown())?;
    println!("{}", rep.markdown());
    println!(
        "wrote {} and {}",
        args.md.display(),
        args.out.join("summary.json").display()
    );
    Ok(rep.ok())
}
