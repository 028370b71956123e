//! Host mode: with no server configured, the app runs the bundled
//! `reservas-server` itself, so a single front desk works out of the box.
//!
//! - The binary is the Tauri sidecar next to the app's executable (in dev
//!   and test builds, `target/<profile>/reservas-server`, also next to it).
//! - Its SQLite database, the admin token (generated on first run) and
//!   `host.json` (URL, business, staff token) live in the app's data folder.
//!   `host.json` is also how `cargo xtask run` finds the server to replay
//!   the demo day into.
//! - It listens on loopback by default (the LAN on request), on the port it
//!   had last time when that is free: the cache is bound to the server's
//!   URL, so a new port on every start would throw the cache away.
//! - It is stopped with SIGTERM when the app exits; on Linux the kernel also
//!   sends it SIGTERM if the app dies without cleaning up (PDEATHSIG).

use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const SERVER_BIN: &str = "reservas-server";
const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// What host mode remembers between runs (`host/host.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInfo {
    /// Loopback URL the app itself uses.
    pub url: String,
    pub port: u16,
    pub lan: bool,
    pub business_id: String,
    /// The staff token of the business (what other devices need).
    pub token: String,
}

/// The running sidecar.
pub struct HostServer {
    child: Child,
    pub info: HostInfo,
}

/// Where the sidecar binary is: `RESERVAS_SERVER_BIN`, else next to the
/// current executable, with or without the target-triple suffix.
pub fn find_binary() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("RESERVAS_SERVER_BIN").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().context("cannot locate the app's executable")?;
    let dir = exe.parent().context("the app's executable has no folder")?;
    let suffix = std::env::consts::EXE_SUFFIX;
    let candidates = [
        dir.join(format!("{SERVER_BIN}{suffix}")),
        dir.join(format!("{SERVER_BIN}-{}{suffix}", target_triple())),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .with_context(|| format!("the bundled server is missing: looked for {candidates:?}"))
}

fn target_triple() -> String {
    format!(
        "{}-unknown-{}-gnu",
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// The admin token, generated on first run and kept with owner-only access.
fn admin_token(dir: &Path) -> anyhow::Result<String> {
    let path = dir.join("admin-token");
    if let Ok(t) = std::fs::read_to_string(&path) {
        let t = t.trim().to_string();
        if t.len() >= 32 {
            return Ok(t);
        }
    }
    let bytes: [u8; 24] = rand::random();
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, token.as_bytes())?;
    Ok(token)
}

fn write_private(path: &Path, body: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, body).with_context(|| format!("cannot write {}", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn read_info(dir: &Path) -> Option<HostInfo> {
    let bytes = std::fs::read(dir.join("host.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Starts the sidecar (and, on first run, creates the business).
pub async fn start(dir: &Path, lan: bool) -> anyhow::Result<HostServer> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let bin = find_binary()?;
    let admin = admin_token(dir)?;
    let previous = read_info(dir);
    let ip = if lan { "0.0.0.0" } else { "127.0.0.1" };
    let port = previous
        .as_ref()
        .map(|p| p.port)
        .filter(|&p| p != 0 && std::net::TcpListener::bind((ip, p)).is_ok())
        .unwrap_or(0);
    let mut cmd = Command::new(&bin);
    cmd.arg("--listen")
        .arg(format!("{ip}:{port}"))
        .arg("--db")
        .arg(dir.join("reservas.db"))
        .env("RESERVAS_ADMIN_TOKEN", &admin)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let stdout = child.stdout.take().context("no stdout from the server")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(START_TIMEOUT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(a) = line.strip_prefix("listening on http://") {
                return a.trim().parse::<std::net::SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .context("the bundled server did not start (see its log above)")?;
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let url = format!("http://127.0.0.1:{}", addr.port());
    tracing::info!(%url, lan, "host mode: server started");

    let mut info = match previous {
        Some(p) if !p.token.is_empty() => p,
        _ => {
            let (business_id, token) = create_business(&url, &admin).await?;
            HostInfo {
                business_id,
                token,
                ..Default::default()
            }
        }
    };
    info.url = url;
    info.port = addr.port();
    info.lan = lan;
    write_private(&dir.join("host.json"), &serde_json::to_vec_pretty(&info)?)?;
    Ok(HostServer { child, info })
}

async fn create_business(url: &str, admin: &str) -> anyhow::Result<(String, String)> {
    let body = reservas_core::api::NewBusiness {
        id: None,
        name: "Mi negocio".into(),
        timezone: None,
    };
    let resp = reqwest::Client::new()
        .post(format!("{url}/api/admin/businesses"))
        .bearer_auth(admin)
        .json(&body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .context("cannot reach the bundled server")?;
    let status = resp.status();
    anyhow::ensure!(
        status.is_success(),
        "creating the business failed: HTTP {status}"
    );
    let created: reservas_core::api::BusinessCreated = resp.json().await?;
    tracing::info!(business = %created.business_id, "host mode: business created");
    Ok((created.business_id, created.token))
}

impl HostServer {
    /// SIGTERM (the server ends its streams cleanly), then SIGKILL if it
    /// does not exit in time.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            #[cfg(unix)]
            // SAFETY: plain kill(2) on our own child's pid.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        }
        match tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await {
            Ok(Ok(status)) => tracing::info!(%status, "host mode: server stopped"),
            _ => {
                tracing::warn!("host mode: server did not stop in time; killing it");
                let _ = self.child.kill().await;
            }
        }
    }
}
