//! The systems under test, behind one shape: N channels (businesses), a
//! subscribe request per channel, and a publish of event `seq` on a
//! channel.
//!
//! - `reservas`: the release `reservas-server` binary with a fresh SQLite
//!   database; a channel is a business seeded with the real day, a publish
//!   is a real QR check-in through the REST API (database write, event log,
//!   hub, stream).
//! - Peers (no database; a publish goes straight to their hub):
//!   nginx + Nchan (Debian packages, its HTTP publisher location),
//!   sse-starlette under uvicorn (a venv in target/bench/py), better-sse on
//!   Node (target/bench/node). Each runs from a config or a small app in
//!   `crates/bench/peers/` and is skipped, with the reason, when it is not
//!   installed (`cargo xtask bench` installs them).

use crate::procs::ChildGuard;
use crate::realdata::{RealDay, create_rows};
use anyhow::{Context, bail};
use futures::StreamExt;
use reservas_sync::ApiClient;
use reservas_tests::{ADMIN_TOKEN, Server, ServerOpts};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const NCHAN_CONF: &str = include_str!("../peers/nginx.conf.in");
pub const STARLETTE_APP: &str = include_str!("../peers/starlette_app.py");
pub const BETTER_SSE_APP: &str = include_str!("../peers/better_sse.mjs");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Reservas,
    Nchan,
    Starlette,
    BetterSse,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Reservas => "reservas-server",
            Kind::Nchan => "nginx+nchan",
            Kind::Starlette => "sse-starlette (uvicorn)",
            Kind::BetterSse => "better-sse (node)",
        }
    }

    pub const ALL: [Kind; 4] = [
        Kind::Reservas,
        Kind::Nchan,
        Kind::Starlette,
        Kind::BetterSse,
    ];
}

/// One of our businesses, ready for the fan-out.
pub struct Business {
    pub token: String,
    /// `qrToken` of each check-in in order (cycled past the end).
    pub checkins: Vec<String>,
    /// Log id the first benchmark write will get (head after seeding + 1).
    pub first_id: u64,
}

pub struct System {
    pub kind: Kind,
    pub addr: SocketAddr,
    server: Option<Server>,
    guard: Option<ChildGuard>,
    pub businesses: Vec<Business>,
    _dir: Option<tempfile::TempDir>,
}

/// Where the installed peers live.
pub struct PeerPaths {
    pub bench_dir: PathBuf,
}

impl PeerPaths {
    fn python(&self) -> PathBuf {
        self.bench_dir.join("py/bin/python")
    }
    fn node_dir(&self) -> PathBuf {
        self.bench_dir.join("node")
    }

    /// Why `kind` cannot run here, if it cannot.
    pub fn missing(&self, kind: Kind) -> Option<String> {
        match kind {
            Kind::Reservas => None,
            Kind::Nchan => {
                (!Path::new("/usr/lib/nginx/modules/ngx_nchan_module.so").exists()
                    || which("nginx").is_none())
                .then(|| {
                    "nginx or its Nchan module is not installed (Debian nginx-light + libnginx-mod-nchan)"
                        .into()
                })
            }
            Kind::Starlette => {
                let ok = Command::new(self.python())
                    .args(["-c", "import sse_starlette, uvicorn"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                (!ok).then(|| {
                    format!(
                        "sse-starlette/uvicorn not installed in {}",
                        self.python().display()
                    )
                })
            }
            Kind::BetterSse => {
                let ok = self.node_dir().join("node_modules/better-sse").exists()
                    && which("node").is_some();
                (!ok).then(|| {
                    format!(
                        "node or better-sse missing ({})",
                        self.node_dir().join("node_modules").display()
                    )
                })
            }
        }
    }
}

fn which(prog: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(prog))
            .find(|f| f.is_file())
    })
}

/// Waits until `addr` accepts TCP connections.
async fn wait_port(addr: SocketAddr, what: &str) -> anyhow::Result<()> {
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{what} did not listen on {addr} within 30 s")
}

/// Options of our server for the benchmarks: production defaults.
pub fn server_opts() -> ServerOpts {
    ServerOpts {
        heartbeat_secs: 15,
        retry_ms: 3000,
        history: 10_000,
        extra_args: Vec::new(),
        admin_token: Some(ADMIN_TOKEN.to_string()),
    }
}

/// The release binaries next to the harness (target/release/).
pub fn release_bin(name: &str) -> anyhow::Result<PathBuf> {
    // For profiling the server (e.g. a script that runs it under valgrind).
    if name == "reservas-server"
        && let Some(p) = std::env::var_os("RESERVAS_BENCH_SERVER")
    {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let p = exe.parent().context("harness location")?.join(name);
    anyhow::ensure!(
        p.exists(),
        "{} is missing: cargo build --release -p reservas-server -p reservas-sync",
        p.display()
    );
    Ok(p)
}

impl System {
    /// Starts `kind`. For ours, `channels` businesses are created and seeded
    /// with enough of the real day for `events_per_channel` check-ins each
    /// (`full_day`: the whole morning's books too).
    pub async fn start(
        kind: Kind,
        peers: &PeerPaths,
        channels: usize,
        events_per_channel: usize,
        day: &RealDay,
        full_day: bool,
    ) -> anyhow::Result<System> {
        if kind == Kind::Reservas {
            return start_ours(channels, events_per_channel, day, full_day).await;
        }
        let port = reservas_tests::free_port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let dir = tempfile::tempdir()?;
        let (name, mut cmd) = match kind {
            Kind::Nchan => {
                for sub in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
                    std::fs::create_dir_all(dir.path().join(sub))?;
                }
                // Workers run as an unprivileged user when we are root.
                let _ = Command::new("chmod")
                    .args(["-R", "0777"])
                    .arg(dir.path())
                    .status();
                let conf = NCHAN_CONF
                    .replace("@DIR@", &dir.path().display().to_string())
                    .replace("@PORT@", &port.to_string());
                let path = dir.path().join("nginx.conf");
                std::fs::write(&path, conf)?;
                let mut c = Command::new("nginx");
                c.arg("-p")
                    .arg(dir.path())
                    .arg("-c")
                    .arg(&path)
                    .arg("-e")
                    .arg(dir.path().join("error.log"));
                ("nginx", c)
            }
            Kind::Starlette => {
                std::fs::write(dir.path().join("bench_app.py"), STARLETTE_APP)?;
                let mut c = Command::new(peers.python());
                c.args(["-m", "uvicorn", "bench_app:app", "--app-dir"])
                    .arg(dir.path())
                    .args([
                        "--host",
                        "127.0.0.1",
                        "--port",
                        &port.to_string(),
                        "--log-level",
                        "warning",
                        "--no-access-log",
                        "--backlog",
                        "4096",
                    ]);
                ("uvicorn", c)
            }
            Kind::BetterSse => {
                let app = dir.path().join("better_sse.mjs");
                std::fs::write(&app, BETTER_SSE_APP)?;
                let mut c = Command::new("node");
                c.arg(&app)
                    .arg(port.to_string())
                    .current_dir(peers.node_dir());
                ("node", c)
            }
            Kind::Reservas => unreachable!(),
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let guard = ChildGuard::new(name, cmd.spawn().with_context(|| format!("spawn {name}"))?);
        wait_port(addr, name).await?;
        Ok(System {
            kind,
            addr,
            server: None,
            guard: Some(guard),
            businesses: Vec::new(),
            _dir: Some(dir),
        })
    }

    /// PID of the server process (root of its tree).
    pub fn pid(&self) -> u32 {
        match (&self.server, &self.guard) {
            (Some(s), _) => s.pid().unwrap_or(0),
            (_, Some(g)) => g.pid(),
            _ => 0,
        }
    }

    pub fn server_mut(&mut self) -> Option<&mut Server> {
        self.server.as_mut()
    }

    /// The event-stream request of channel `c`.
    pub fn sub_request(&self, c: usize) -> Vec<u8> {
        match self.kind {
            Kind::Reservas => crate::sse::get_request(
                self.addr,
                "/api/reservas/events",
                &[(
                    "Authorization",
                    format!("Bearer {}", self.businesses[c].token),
                )],
            ),
            _ => crate::sse::get_request(self.addr, &format!("/sub/c{c}"), &[]),
        }
    }

    /// Log id of the `seq`-th (0-based) benchmark event of channel `c`.
    pub fn first_id(&self, c: usize) -> u64 {
        match self.kind {
            Kind::Reservas => self.businesses[c].first_id,
            _ => 1,
        }
    }

    /// Publishes event `seq` of channel `c`: for ours a real check-in, for
    /// a peer a message shaped like our `qr-scanned` event.
    pub async fn publish(
        &self,
        http: &reqwest::Client,
        c: usize,
        seq: u64,
        peer_body: &str,
    ) -> anyhow::Result<()> {
        let resp = match self.kind {
            Kind::Reservas => {
                let b = &self.businesses[c];
                let qr = &b.checkins[seq as usize % b.checkins.len()];
                http.post(format!("http://{}/api/checkin", self.addr))
                    .bearer_auth(&b.token)
                    .header("content-type", "application/json")
                    .body(format!("{{\"qrToken\":\"{qr}\"}}"))
                    .send()
                    .await?
            }
            _ => {
                http.post(format!("http://{}/pub/c{c}", self.addr))
                    .body(peer_body.replacen("{\"id\":0,", &format!("{{\"id\":{},", seq + 1), 1))
                    .send()
                    .await?
            }
        };
        let st = resp.status();
        let _ = resp.bytes().await;
        anyhow::ensure!(st.is_success(), "publish: HTTP {st}");
        Ok(())
    }
}

async fn start_ours(
    channels: usize,
    events_per_channel: usize,
    day: &RealDay,
    full_day: bool,
) -> anyhow::Result<System> {
    let bin = release_bin("reservas-server")?;
    let server = tokio::task::spawn_blocking(move || Server::start(&bin, server_opts())).await?;
    let url = server.url();
    let addr = server.addr;
    let n_rows = day.rows_for(events_per_channel);
    let t0 = Instant::now();
    let results: Vec<anyhow::Result<Business>> = futures::stream::iter(0..channels)
        .map(|i| {
            let url = url.clone();
            async move {
                let token = create_business(addr, &format!("b{i}")).await?;
                let client = ApiClient::new(&url, &token)?;
                if full_day {
                    create_rows(&client, &day.seed).await?;
                }
                let qr = create_rows(&client, &day.rows[..n_rows]).await?;
                // Only the check-ins whose reservation was created.
                let checkins = day
                    .checkins
                    .iter()
                    .filter(|&&r| r < n_rows)
                    .map(|&r| qr[r].clone())
                    .collect();
                let head = client
                    .changes(0, Some(1))
                    .await
                    .map_err(|e| anyhow::anyhow!("head: {e}"))?
                    .version;
                Ok(Business {
                    token,
                    checkins,
                    first_id: head + 1,
                })
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut businesses: Vec<Business> = Vec::with_capacity(channels);
    for r in results {
        businesses.push(r?);
    }
    tracing::info!(
        businesses = channels,
        rows_each = n_rows + if full_day { day.seed.len() } else { 0 },
        secs = t0.elapsed().as_secs_f64(),
        "seeded with the real day"
    );
    Ok(System {
        kind: Kind::Reservas,
        addr,
        server: Some(server),
        guard: None,
        businesses,
        _dir: None,
    })
}

/// `POST /api/admin/businesses` → the staff token.
pub async fn create_business(addr: SocketAddr, id: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("http://{addr}/api/admin/businesses"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body(format!(
            "{{\"id\":\"{id}\",\"name\":\"City Hotel {id}\",\"timezone\":\"UTC\"}}"
        ))
        .send()
        .await?;
    anyhow::ensure!(
        resp.status().as_u16() == 201,
        "create business: {}",
        resp.status()
    );
    let v: serde_json::Value = resp.json().await?;
    Ok(v["token"].as_str().context("token")?.to_string())
}
