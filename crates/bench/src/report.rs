//! The run's results: `target/bench/summary.json` (the fields issue 6
//! lists, plus detail) and `BENCHMARKS.md` (a table per workload, the
//! machine, the date, the exact commands, and how each number was made).

use crate::Sizes;
use crate::client::ClientResult;
use crate::fanout::{FanoutResult, MemoryResult};
use crate::idle::IdleResult;
use crate::storm::RestartResult;
use crate::systems::Kind;
use serde_json::json;
use std::fmt::Write;

pub struct Report {
    pub quick: bool,
    pub sizes: Sizes,
    pub nofile: u64,
    pub fanout: Vec<FanoutResult>,
    pub memory: Vec<MemoryResult>,
    pub idle: Option<IdleResult>,
    pub restart: Option<RestartResult>,
    pub client: Option<ClientResult>,
    pub skipped: Vec<(String, String)>,
    /// (system, workload, error, is ours)
    pub errors: Vec<(String, String, String, bool)>,
    pub total_secs: f64,
    pub date: String,
    pub load_start: String,
}

/// The 1-minute load average.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn f(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or("?".into(), |k| format!("{:.0} GiB", k as f64 / 1048576.0));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("PRETTY_NAME=")).map(|l| {
                l.trim_start_matches("PRETTY_NAME=")
                    .trim_matches('"')
                    .to_string()
            })
        })
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {mem} RAM, {os}, Linux {kernel}")
}

impl Report {
    pub fn new(quick: bool, sizes: Sizes, nofile: u64) -> Report {
        Report {
            quick,
            sizes,
            nofile,
            fanout: Vec::new(),
            memory: Vec::new(),
            idle: None,
            restart: None,
            client: None,
            skipped: Vec::new(),
            errors: Vec::new(),
            total_secs: 0.0,
            load_start: loadavg(),
            date: jiff::Timestamp::now()
                .strftime("%Y-%m-%d %H:%M UTC")
                .to_string(),
        }
    }

    pub fn error(&mut self, system: &str, workload: &str, e: &anyhow::Error, ours: bool) {
        tracing::error!(system, workload, error = %format!("{e:#}"), "workload failed");
        self.errors
            .push((system.into(), workload.into(), format!("{e:#}"), ours));
    }

    pub fn fanout_or_error(
        &mut self,
        kind: Kind,
        workload: &str,
        r: anyhow::Result<FanoutResult>,
        ours: bool,
    ) {
        match r {
            Ok(r) => self.fanout.push(r),
            Err(e) => self.error(kind.name(), workload, &e, ours),
        }
    }

    /// False when one of our workloads broke or lost an event.
    pub fn ok(&self) -> bool {
        let ours = Kind::Reservas.name();
        let lost_fanout = self
            .fanout
            .iter()
            .any(|r| r.system == ours && r.delivered < r.expected);
        let lost_storm = self.restart.as_ref().is_some_and(|r| r.lost > 0);
        !lost_fanout && !lost_storm && !self.errors.iter().any(|e| e.3)
    }

    pub fn summary_json(&self) -> serde_json::Value {
        json!({
            "date": self.date,
            "quick": self.quick,
            "machine": machine(),
            "sizes": self.sizes,
            "fanout": self.fanout,
            "idleConnKiB": self.memory,
            "idleDesk": self.idle,
            "restart": self.restart,
            "client": self.client,
            "skipped": self.skipped.iter().map(|(s, w)| json!({"system": s, "why": w})).collect::<Vec<_>>(),
            "errors": self.errors.iter().map(|(s, w, e, o)| json!({"system": s, "workload": w, "error": e, "ours": o})).collect::<Vec<_>>(),
            "ok": self.ok(),
            "totalSecs": self.total_secs,
        })
    }

    pub fn markdown(&self) -> String {
        let s = &self.sizes;
        let mut m = String::new();
        let _ = writeln!(m, "# Benchmarks\n");
        let _ = writeln!(
            m,
            "Generated by `cargo xtask bench{}` on {} — do not edit by hand; run it again.\n",
            if self.quick { " --quick" } else { "" },
            self.date
        );
        if self.quick {
            let _ = writeln!(
                m,
                "**Quick mode (CI smoke test): small sizes; the numbers are not the targets' workloads.**\n"
            );
        }
        let _ = writeln!(m, "- Machine: {}", machine());
        let _ = writeln!(
            m,
            "- Everything on one machine over loopback, release builds; the load generator (`reservas-bench`, Rust/tokio) is a separate process on the same 2 cores as the server under test (open files: {} per process).",
            self.nofile
        );
        let _ = writeln!(m, "- Run time: {:.0} s", self.total_secs);
        let _ = writeln!(
            m,
            "- Load average (1 min) at start / end of the run: {} / {} — the 2 cores are shared with other work on the machine (e.g. other builds), which the numbers include.\n",
            self.load_start,
            loadavg()
        );
        let _ = writeln!(m, "## Commands\n");
        let _ = writeln!(m, "```sh");
        let _ = writeln!(
            m,
            "cargo xtask bench            # full run, writes BENCHMARKS.md and target/bench/summary.json"
        );
        let _ = writeln!(
            m,
            "cargo xtask bench --quick    # small sizes, < 3 min (CI smoke test)"
        );
        let _ = writeln!(m, "# what xtask runs:");
        let _ = writeln!(
            m,
            "cargo build --release -p reservas-server -p reservas-sync -p reservas-bench"
        );
        let _ = writeln!(
            m,
            "target/release/reservas-bench{} --out target/bench --md BENCHMARKS.md",
            if self.quick { " --quick" } else { "" }
        );
        let _ = writeln!(m, "```\n");

        let _ = writeln!(m, "## Fan-out: write → every subscriber\n");
        let _ = writeln!(
            m,
            "(a) {} subscribers over {} businesses, 1 event/s per business, {} s. (b) {:?} subscribers of one business at {} events/s, {} s. \
             Ours: each event is a real QR check-in of the real day (City Hotel, 2016-08-18, shifted to today) sent as `POST /api/checkin` \
             with the reservation's real `qrToken` (SQLite commit + event log + hub + stream). Peers: `POST` of the same bytes (the `data:` of our \
             `qr-scanned` event) to their publish endpoint, no database. Latency: from just before the write request is sent to the subscriber's \
             read of the frame; every (subscriber, event) pair counts.\n",
            s.a_clients, s.a_businesses, s.a_secs, s.b_clients, s.b_rate, s.b_secs
        );
        let _ = writeln!(
            m,
            "| workload | system | clients | businesses | events/s achieved (asked) | p50 ms | p99 ms | max ms | delivered / expected | write p50 / p99 ms | load-gen CPU | server CPU |"
        );
        let _ = writeln!(
            m,
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for r in &self.fanout {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} ({}) | {} | {} | {} | {} / {}{} | {} / {} | {:.0} % | {:.0} % |",
                r.workload,
                r.system,
                r.clients,
                r.businesses,
                f(r.events_per_sec),
                f(r.target_events_per_sec),
                f(r.p50_ms),
                f(r.p99_ms),
                f(r.max_ms),
                r.delivered,
                r.expected,
                if r.connect_failures > 0 {
                    format!(" ({} not connected)", r.connect_failures)
                } else {
                    String::new()
                },
                f(r.write_p50_ms),
                f(r.write_p99_ms),
                r.loadgen_cpu_pct,
                r.server_cpu_pct
            );
        }
        let _ = writeln!(
            m,
            "\nCPU columns: CPU time over the measured window (writes + drain) in % of one core (200 % = both cores); load generator from getrusage, server from /proc/PID/stat (all processes of the server)."
        );
        let _ = writeln!(
            m,
            "\"write p50 / p99\" is the write request's own round trip: for us a database commit, for the peers a hub publish. Our write-to-receipt \
             latency includes it; the peers' does not include any database.\n"
        );

        let _ = writeln!(m, "## Memory per idle connection\n");
        let _ = writeln!(
            m,
            "Server PSS (proportional set size, summed over the server's processes: equal to RSS for one process; nginx's shared memory counted once) \
             with N idle streams of one business/channel minus without (after one warm-up stream), over N.\n"
        );
        let _ = writeln!(
            m,
            "| system | KiB per idle connection | N | before → after (MiB) |"
        );
        let _ = writeln!(m, "|---|---:|---:|---:|");
        for r in &self.memory {
            let _ = writeln!(
                m,
                "| {} | {:.1} | {} | {:.1} → {:.1} |",
                r.system,
                r.kib,
                r.connections,
                r.before_kib as f64 / 1024.0,
                r.after_kib as f64 / 1024.0
            );
        }
        m.push('\n');

        let _ = writeln!(m, "## Idle desk\n");
        if let Some(i) = &self.idle {
            let _ = writeln!(
                m,
                "A real sync engine (`reservas tail --json`, release build of reservas-sync) connected to our server (production defaults: 15 s heartbeat) \
                 through a counting loopback proxy, left idle for a measured window of {:.0} s after it went live. Requests and bytes \
                 (HTTP level, both directions; TCP/IP headers and ACKs not counted) in the window, **extrapolated** linearly to an hour and a day — not measured over a day. \
                 The engine's start-up (snapshot + opening the stream) is shown apart: {} requests, {} bytes, once per start. \
                 Baseline: the polling it replaces, 120 requests per hour of the real day's list \
                 (`GET /api/reservas?from=today&to=today` on the real day's books: {} rows, {} bytes with headers), over 24 h.\n",
                i.window_secs,
                i.startup_requests,
                i.startup_bytes,
                i.day_list_rows,
                i.day_list_bytes
            );
            let _ = writeln!(m, "| | requests per hour | bytes per day |");
            let _ = writeln!(m, "|---|---:|---:|");
            let _ = writeln!(
                m,
                "| idle engine (window: {} requests, {} bytes in {:.0} s) | {:.1} | {:.0} ({:.1} KB) |",
                i.window_requests,
                i.window_bytes,
                i.window_secs,
                i.requests_per_hour,
                i.bytes_per_day,
                i.bytes_per_day / 1000.0
            );
            let _ = writeln!(
                m,
                "| polling baseline (30 s) | {:.0} | {:.0} ({:.1} MB) |\n",
                i.seed_requests_per_hour,
                i.seed_bytes_per_day,
                i.seed_bytes_per_day / 1e6
            );
        } else {
            let _ = writeln!(m, "Not measured (see errors).\n");
        }

        let _ = writeln!(m, "## Restart storm\n");
        if let Some(r) = &self.restart {
            let _ = writeln!(
                m,
                "{} clients of one business (seeded with the real day) hold a stream; {} real check-ins; `kill -9` of the server; restart on the same port \
                 and database; {} real check-ins sent as soon as it listens. The clients are lean (one task and socket each, not {} real engines with \
                 SQLite caches), but reconnect on the engine's own schedule (`reservas_sync::backoff::Backoff`: full jitter, 0.5 s floor, 30 s cap, base \
                 = the server's `retry:` of 3000 ms) and resume with `Last-Event-ID`.\n",
                r.clients, r.events_before_kill, r.events_after_restart, r.clients
            );
            let _ = writeln!(
                m,
                "| clients | restart (kill → listening) s | listening → all caught up s | kill → all caught up s | caught up | lost | reconnect attempts | peak reconnects / 100 ms |"
            );
            let _ = writeln!(m, "|---:|---:|---:|---:|---:|---:|---:|---:|");
            let _ = writeln!(
                m,
                "| {} | {:.2} | {:.2} | {:.2} | {} / {} | {} | {} | {} |\n",
                r.clients,
                r.restart_secs,
                r.seconds_to_caught_up,
                r.seconds_from_kill,
                r.clients_caught_up,
                r.clients,
                r.lost,
                r.reconnect_attempts,
                r.peak_reconnects_per_100ms
            );
        } else {
            let _ = writeln!(m, "Not measured (see errors).\n");
        }

        let _ = writeln!(m, "## Client (reservas-sync)\n");
        if let Some(c) = &self.client {
            let _ = writeln!(
                m,
                "Cold start: a {}-row cache (the real day's reservations repeated under distinct ids), time from spawning the release \
                 `reservas tail --json` to its first diff line (all {} rows), median of {} runs ({:?} ms); the server address is a refused \
                 port, so the diff comes from the cache before any network. Apply: `Cache::apply_events` + `Cache::diff_for` as the engine \
                 does per frame, {} events (bookings and check-ins), on top of the same cache.\n",
                c.rows,
                c.rows,
                c.cold_start_runs_ms.len(),
                c.cold_start_runs_ms
                    .iter()
                    .map(|x| x.round())
                    .collect::<Vec<_>>(),
                c.events
            );
            let _ = writeln!(
                m,
                "| rows | cold start to first diff ms | events/s applied (1 per transaction) | events/s applied (100 per transaction) |"
            );
            let _ = writeln!(m, "|---:|---:|---:|---:|");
            let _ = writeln!(
                m,
                "| {} | {:.0} | {:.0} | {:.0} |\n",
                c.rows, c.cold_start_ms, c.apply_events_per_sec, c.apply_events_per_sec_batched
            );
        } else {
            let _ = writeln!(m, "Not measured (see errors).\n");
        }

        if !self.skipped.is_empty() || !self.errors.is_empty() {
            let _ = writeln!(m, "## Skipped and failed\n");
            for (s, w) in &self.skipped {
                let _ = writeln!(m, "- {s}: skipped — {w}");
            }
            for (s, w, e, _) in &self.errors {
                let _ = writeln!(m, "- {s}, {w}: failed — {e}");
            }
            m.push('\n');
        }

        let _ = writeln!(m, "## Peers' set-up\n");
        let _ = writeln!(
            m,
            "- nginx + Nchan: Debian `nginx-light` + `libnginx-mod-nchan`, config `crates/bench/peers/nginx.conf.in` \
               (`worker_processes auto`, `nchan_subscriber eventsource`, `nchan_publisher`, 15 s ping).\n\
             - sse-starlette under uvicorn: PyPI `uvicorn[standard]` (uvloop, httptools) + `sse-starlette` in `target/bench/py`, \
               app `crates/bench/peers/starlette_app.py`, one worker process (a hub in memory cannot span workers).\n\
             - better-sse on Node: npm `better-sse` in `target/bench/node`, app `crates/bench/peers/better_sse.mjs`, one process.\n\
             - Ours: `reservas-server` with production defaults (15 s heartbeat, `retry: 3000`), fresh SQLite database per workload."
        );
        m
    }
}
