//! Test support shared by every crate's integration tests: start the real
//! `reservas-server` binary on a loopback port with its own SQLite file, kill
//! it (-9 or SIGTERM), restart it on the same port and database, and call the
//! admin API. Every process started here is stopped by PID when its handle is
//! dropped, also when a test panics.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub mod sse;

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
    /// `RESERVAS_ADMIN_TOKEN` given to the server (`None`: no admin API).
    pub admin_token: Option<String>,
}

impl Default for ServerOpts {
    fn default() -> Self {
        ServerOpts {
            heartbeat_secs: 15,
            retry_ms: 1000,
            history: 10_000,
            extra_args: Vec::new(),
            admin_token: Some(ADMIN_TOKEN.to_string()),
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
            .env_remove("RESERVAS_ADMIN_TOKEN")
            .env(
                "RUST_LOG",
                std::env::var("RESERVAS_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(t) = &self.opts.admin_token {
            cmd.env("RESERVAS_ADMIN_TOKEN", t);
        }
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
        terminate_child(self.child.take()?)
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
    /// Uses [`raw_request`], so it works inside and outside a tokio runtime.
    pub fn create_business(&self, id: Option<&str>) -> (String, String) {
        let mut body = serde_json::json!({"name": format!("Test {}", id.unwrap_or("business"))});
        if let Some(id) = id {
            body["id"] = id.into();
        }
        let resp = raw_request(
            self.addr,
            "POST",
            "/api/admin/businesses",
            &[("Authorization", &format!("Bearer {ADMIN_TOKEN}"))],
            body.to_string().as_bytes(),
        );
        assert_eq!(resp.status, 201, "create business: {}", resp.body);
        let v: serde_json::Value = serde_json::from_str(&resp.body).expect("json");
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

/// SIGTERM to `c`, then wait (up to 10 s) for a clean exit and return its
/// status code; a child that does not exit in time is killed (`None`).
pub fn terminate_child(mut c: Child) -> Option<i32> {
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

/// Polls `check` every 20 ms until it returns `Some`, or panics after
/// `deadline` with `what` — the way tests wait, never with a fixed sleep.
pub fn wait_for<T>(what: &str, deadline: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + deadline;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < end,
            "timed out after {deadline:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An HTTP answer read by [`raw_request`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request over a fresh blocking TCP connection (with
/// `Connection: close`), body sent byte for byte — so tests can send what no
/// well-behaved client would (invalid UTF-8, wrong lengths). Works inside a
/// tokio runtime, unlike reqwest's blocking client.
pub fn raw_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        && !body.is_empty()
    {
        req.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write request");
    // The server may answer (413) before reading a large body: ignore a
    // failed write, the answer is what matters.
    let _ = s.write_all(body);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}
