//! Test support shared by every crate's integration tests: start the real
//! `reservas-server` binary on a loopback port with its own SQLite file, kill
//! it (-9 or SIGTERM), restart it on the same port and database, and call the
//! admin API. Every process started here is stopped by PID when its handle is
//! dropped, also when a test panics.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Admin token every test server is started with.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";

/// Path of a workspace binary built in the same profile as the running test
/// (`target/<profile>/<name>`). `cargo xtask test` builds every binary first;
/// a plain `cargo test` in a package gets its own through `CARGO_BIN_EXE_*`.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (cargo build --workspace --bins, or cargo xtask test)",
        path.display()
    );
    path
}

/// A free loopback port (bound then released; good enough on a test machine).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Options of a test server.
#[derive(Debug, Clone)]
pub struct ServerOpts {
    pub heartbeat_secs: u64,
    pub retry_ms: u64,
    pub history: u64,
    pub extra_args: Vec<String>,
}

impl Default for ServerOpts {
    fn default() -> Self {
        ServerOpts {
            heartbeat_secs: 15,
            retry_ms: 1000,
            history: 10_000,
            extra_args: Vec::new(),
        }
    }
}

/// A running `reservas-server` child process.
pub struct Server {
    bin: PathBuf,
    child: Option<Child>,
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub opts: ServerOpts,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts the binary at `bin` on a free port with a fresh database.
    pub fn start(bin: &Path, opts: ServerOpts) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("server.db");
        let mut s = Server {
            bin: bin.to_path_buf(),
            child: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db,
            opts,
            _dir: dir,
        };
        s.spawn(0);
        s
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn spawn(&mut self, port: u16) {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--db")
            .arg(&self.db)
            .arg("--heartbeat-secs")
            .arg(self.opts.heartbeat_secs.to_string())
            .arg("--retry-ms")
            .arg(self.opts.retry_ms.to_string())
            .arg("--history")
            .arg(self.opts.history.to_string())
            .args(&self.opts.extra_args)
            .env("RESERVAS_ADMIN_TOKEN", ADMIN_TOKEN)
            .env(
                "RUST_LOG",
                std::env::var("RESERVAS_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // Restarting on the same port right after a kill can race with the
        // kernel releasing it: retry for a few seconds.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut child = cmd.spawn().expect("spawn reservas-server");
            let stdout = child.stdout.take().expect("stdout");
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut lines = BufReader::new(stdout).lines();
                for line in lines.by_ref() {
                    let Ok(line) = line else { break };
                    if let Some(rest) = line.strip_prefix("listening on http://") {
                        let _ = tx.send(rest.trim().to_string());
                        break;
                    }
                }
                // Keep draining so the child never blocks on a full pipe.
                for _ in lines {}
            });
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(addr) => {
                    self.addr = addr.parse().expect("listening address");
                    self.child = Some(child);
                    return;
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    assert!(
                        Instant::now() < deadline,
                        "reservas-server did not start on port {port}"
                    );
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then wait (up to 10 s) for a clean exit; returns its status code.
    pub fn terminate(&mut self) -> Option<i32> {
        let mut c = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(st)) = c.try_wait() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
        None
    }

    /// Starts the server again on the same port and database.
    pub fn restart(&mut self) {
        self.kill9();
        let port = self.addr.port();
        self.spawn(port);
    }

    /// Starts a stopped server again (after `kill9`/`terminate`).
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "server still running");
        let port = self.addr.port();
        self.spawn(port);
    }

    /// Creates a business through the admin API; returns (id, staff token).
    pub fn create_business(&self, id: Option<&str>) -> (String, String) {
        let mut body = serde_json::json!({"name": format!("Test {}", id.unwrap_or("business"))});
        if let Some(id) = id {
            body["id"] = id.into();
        }
        let resp = reqwest::blocking::Client::new()
            .post(format!("{}/api/admin/businesses", self.url()))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .expect("admin request");
        assert_eq!(resp.status().as_u16(), 201, "create business");
        let v: serde_json::Value = resp.json().expect("json");
        (
            v["businessId"].as_str().expect("businessId").to_string(),
            v["token"].as_str().expect("token").to_string(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Polls `check` every 20 ms until it returns `Some`, or panics after
/// `deadline` with `what` — the way tests wait, never with a fixed sleep.
pub fn wait_for<T>(what: &str, deadline: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + deadline;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < end, "timed out after {deadline:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
