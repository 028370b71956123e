//! Support for the engine's end-to-end tests: the `reservas` CLI as a child
//! process (tail with its JSON lines collected, one-shot commands), a REST
//! helper for the test's own writes, a loopback TCP proxy that stages
//! network faults (refuse the events route, freeze connections, sever them,
//! count requests), and a tiny scripted SSE server for payloads the real
//! server never sends (malformed events).
#![allow(dead_code)] // each test file uses a different part

use reservas_core::api::Snapshot;
use reservas_core::{Event, NewReservation, Reservation};
use reservas_sync::client::{ApiClient, SnapshotQuery};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use reservas_tests::{Server, ServerOpts, wait_for, workspace_bin};

pub const CLI: &str = env!("CARGO_BIN_EXE_reservas");

/// Tuning flags shrunk from the field's values (heartbeat 15 s, poll 120 s,
/// cap 30 s) for a 1 s heartbeat. The floor (0.5 s) is fixed.
pub fn fast_flags(poll_secs: u64) -> Vec<String> {
    vec![
        "--poll-secs".into(),
        poll_secs.to_string(),
        "--backoff-max-ms".into(),
        "1500".into(),
    ]
}

pub fn server_opts() -> ServerOpts {
    ServerOpts {
        heartbeat_secs: 1,
        retry_ms: 1000,
        ..Default::default()
    }
}

pub fn start_server(opts: ServerOpts) -> (Server, String) {
    let server = Server::start(&workspace_bin("reservas-server"), opts);
    let (_, token) = server.create_business(None);
    (server, token)
}

/// Today in UTC (the test businesses' time zone), `YYYY-MM-DD`.
pub fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

// ---------------------------------------------------------------- REST

/// The test's own REST calls, on a private runtime.
pub struct Api {
    pub rt: tokio::runtime::Runtime,
    pub client: ApiClient,
}

impl Api {
    pub fn new(url: &str, token: &str) -> Api {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        Api {
            rt,
            client: ApiClient::new(url, token).expect("client"),
        }
    }

    pub fn create(&self, name: &str) -> Reservation {
        self.rt
            .block_on(self.client.create(&new_row(name)))
            .expect("create")
    }

    pub fn try_create(&self, name: &str) -> Option<Reservation> {
        self.rt.block_on(self.client.create(&new_row(name))).ok()
    }

    pub fn checkin(&self, id: &str) {
        self.rt
            .block_on(self.client.checkin_by_id(id))
            .expect("checkin");
    }

    pub fn snapshot(&self) -> Snapshot {
        self.rt
            .block_on(self.client.snapshot(&SnapshotQuery {
                include_stats: true,
                ..Default::default()
            }))
            .expect("snapshot")
    }

    /// The whole retained log.
    pub fn log(&self) -> Vec<Event> {
        let mut out = Vec::new();
        let mut since = 0;
        loop {
            let ch = self
                .rt
                .block_on(self.client.changes(since, Some(5000)))
                .expect("changes");
            since = ch.events.last().map(|e| e.id).unwrap_or(since);
            let more = ch.has_more && !ch.events.is_empty();
            out.extend(ch.events);
            if !more {
                return out;
            }
        }
    }
}

pub fn new_row(name: &str) -> NewReservation {
    NewReservation {
        customer_name: name.to_string(),
        date: today(),
        time: "21:30".into(),
        party_size: 4,
        notes: Some("línea 1\nlínea 2".into()),
        ..Default::default()
    }
}

/// Rows in a stable order, as JSON values (field-for-field comparison).
pub fn sorted_json(rows: &[Reservation]) -> Vec<Value> {
    let mut rows = rows.to_vec();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows.iter()
        .map(|r| serde_json::to_value(r).expect("json"))
        .collect()
}

// ---------------------------------------------------------------- CLI

/// Runs `reservas <global> <args>` to completion: (exit code, stdout, stderr).
pub fn run_cli(global: &[String], args: &[&str]) -> (i32, String, String) {
    let out = Command::new(CLI)
        .args(global)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run reservas");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The cache as `reservas list --offline --json` sees it: (rows, cursor).
pub fn cached(global: &[String]) -> (Vec<Reservation>, Option<u64>) {
    let (code, out, err) = run_cli(global, &["list", "--offline", "--json"]);
    assert_eq!(code, 0, "list --offline failed: {err}");
    let doc: Value = serde_json::from_str(out.trim()).expect("list JSON");
    let rows: Vec<Reservation> = serde_json::from_value(doc["reservas"].clone()).expect("rows");
    (rows, doc["version"].as_u64())
}

/// Global options for a CLI talking to `url` with its own cache file.
pub fn global(url: &str, token: &str, cache: &Path, extra: &[String]) -> Vec<String> {
    let mut g = vec![
        "--server".to_string(),
        url.to_string(),
        "--token".into(),
        token.to_string(),
        "--cache".into(),
        cache.display().to_string(),
    ];
    g.extend_from_slice(extra);
    g
}

/// A running `reservas tail --json`; its stdout lines are collected as
/// JSON with their arrival time, stderr as text. Killed when dropped.
pub struct Tail {
    child: Option<Child>,
    pub lines: Arc<Mutex<Vec<(Instant, Value)>>>,
    pub stderr: Arc<Mutex<String>>,
}

impl Tail {
    pub fn start(global: &[String]) -> Tail {
        Tail::start_with_log(global, "warn")
    }

    pub fn start_with_log(global: &[String], log: &str) -> Tail {
        Tail::start_bin(CLI, global, log)
    }

    /// Same with another build of the CLI (measurements of a release build).
    pub fn start_bin(bin: &str, global: &[String], log: &str) -> Tail {
        let mut child = Command::new(bin)
            .args(global)
            .args(["tail", "--json"])
            .env("RUST_LOG", log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn reservas tail");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().expect("stdout");
        let l = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
                    panic!("tail --json printed a non-JSON line ({e}): {line}")
                });
                l.lock().unwrap().push((Instant::now(), v));
            }
        });
        let err = child.stderr.take().expect("stderr");
        let s = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(err);
            let mut buf = String::new();
            while let Ok(n) = r.read_line(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().push_str(&buf);
                buf.clear();
            }
        });
        Tail {
            child: Some(child),
            lines,
            stderr,
        }
    }

    pub fn snapshot(&self) -> Vec<(Instant, Value)> {
        self.lines.lock().unwrap().clone()
    }

    pub fn values(&self) -> Vec<Value> {
        self.snapshot().into_iter().map(|(_, v)| v).collect()
    }

    pub fn count(&self) -> usize {
        self.lines.lock().unwrap().len()
    }

    /// Waits for a line after index `from` matching `pred`; returns its index.
    pub fn wait_line(
        &self,
        what: &str,
        from: usize,
        deadline: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> usize {
        wait_for(what, deadline, || {
            let lines = self.lines.lock().unwrap();
            lines
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, (_, v))| pred(v))
                .map(|(i, _)| i)
        })
    }

    pub fn wait_state(&self, state: &str, from: usize, deadline: Duration) -> usize {
        self.wait_line(&format!("status {state}"), from, deadline, |v| {
            is_state(v, state)
        })
    }

    /// Statuses (state names) seen from index `from`.
    pub fn states_from(&self, from: usize) -> Vec<String> {
        self.values()
            .into_iter()
            .skip(from)
            .filter(|v| v["kind"] == "status")
            .map(|v| v["state"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Ids of every row that any diff upserted.
    pub fn upserted_ids(&self) -> Vec<String> {
        self.values()
            .iter()
            .filter(|v| v["kind"] == "diff")
            .flat_map(|v| v["upserts"].as_array().cloned().unwrap_or_default())
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect()
    }

    pub fn notices(&self) -> Vec<Value> {
        self.values()
            .into_iter()
            .filter(|v| v["kind"] == "notice")
            .collect()
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for a clean exit; returns the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        reservas_tests::terminate_child(self.child.take()?)
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub fn is_state(v: &Value, state: &str) -> bool {
    v["kind"] == "status" && v["state"] == state
}

pub fn has_upsert(v: &Value, id: &str) -> bool {
    v["kind"] == "diff"
        && v["upserts"]
            .as_array()
            .is_some_and(|a| a.iter().any(|r| r["id"] == id))
}

pub fn cache_file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("cache.db")
}

// ---------------------------------------------------------------- proxy

/// A loopback TCP proxy in front of the server. Every request gets its own
/// upstream connection (`Connection: close` is forced), so the proxy sees
/// and counts each one and can refuse a route.
pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<ProxyState>,
    _rt: tokio::runtime::Runtime,
}

struct ProxyState {
    upstream: SocketAddr,
    refuse_events: AtomicBool,
    requests: Mutex<Vec<(Instant, String)>>,
    conns: Mutex<Vec<ConnCtl>>,
}

struct ConnCtl {
    frozen: Arc<AtomicBool>,
    kill: tokio_util::sync::CancellationToken,
}

impl Proxy {
    pub fn start(upstream: SocketAddr) -> Proxy {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("proxy runtime");
        let state = Arc::new(ProxyState {
            upstream,
            refuse_events: AtomicBool::new(false),
            requests: Mutex::new(Vec::new()),
            conns: Mutex::new(Vec::new()),
        });
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("proxy bind");
        let addr = listener.local_addr().expect("proxy addr");
        let st = state.clone();
        rt.spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(proxy_conn(sock, st.clone()));
            }
        });
        Proxy {
            addr,
            state,
            _rt: rt,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answer 503 on the events route (the rest of the API still works).
    pub fn refuse_events(&self, on: bool) {
        self.state.refuse_events.store(on, Ordering::SeqCst);
    }

    /// Stop forwarding on every open connection, keeping the sockets open
    /// (a half-open connection). New connections work normally.
    pub fn freeze_existing(&self) {
        for c in self.state.conns.lock().unwrap().iter() {
            c.frozen.store(true, Ordering::SeqCst);
        }
    }

    /// Close every open connection.
    pub fn sever_all(&self) {
        for c in self.state.conns.lock().unwrap().drain(..) {
            c.kill.cancel();
        }
    }

    /// Paths of the requests seen so far, with their arrival time.
    pub fn requests(&self) -> Vec<(Instant, String)> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|(_, p)| p.starts_with(prefix))
            .count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.sever_all();
    }
}

async fn proxy_conn(mut client: tokio::net::TcpStream, st: Arc<ProxyState>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if let Some(p) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if head.len() > 64 * 1024 {
            return;
        }
    };
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let path = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("")
        .to_string();
    st.requests
        .lock()
        .unwrap()
        .push((Instant::now(), path.clone()));
    if st.refuse_events.load(Ordering::SeqCst) && path.starts_with("/api/reservas/events") {
        let body = r#"{"error":"unavailable","message":"events refused by the test proxy"}"#;
        let resp = format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.write_all(resp.as_bytes()).await;
        return;
    }
    let Ok(mut upstream) = tokio::net::TcpStream::connect(st.upstream).await else {
        return; // dropping the client socket: like a server that is down
    };
    let mut new_head = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            new_head.push_str(line);
            new_head.push_str("\r\n");
        }
    }
    new_head.push_str("Connection: close\r\n\r\n");
    if upstream.write_all(new_head.as_bytes()).await.is_err()
        || upstream.write_all(&head[end..]).await.is_err()
    {
        return;
    }
    let frozen = Arc::new(AtomicBool::new(false));
    let kill = tokio_util::sync::CancellationToken::new();
    st.conns.lock().unwrap().push(ConnCtl {
        frozen: frozen.clone(),
        kill: kill.clone(),
    });
    let (cr, cw) = client.into_split();
    let (ur, uw) = upstream.into_split();
    let a = pipe(cr, uw, frozen.clone(), kill.clone());
    let b = pipe(ur, cw, frozen, kill.clone());
    tokio::select! {
        _ = kill.cancelled() => {}
        _ = async { tokio::join!(a, b) } => {}
    }
}

/// Copies until EOF; when frozen, stops moving bytes but holds the sockets
/// until the connection is killed.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<AtomicBool>,
    kill: tokio_util::sync::CancellationToken,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            _ = kill.cancelled() => return,
            r = from.read(&mut buf) => match r { Ok(0) | Err(_) => break, Ok(n) => n },
        };
        if frozen.load(Ordering::SeqCst) {
            kill.cancelled().await;
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
    // Keep the read half alive while the other direction finishes.
    drop(from);
}

// ---------------------------------------------------------------- fake SSE

/// A scripted server: `/api/reservas` answers an empty snapshot at
/// `version`, `/api/reservas/changes` no events, and the events route
/// writes `frames` (raw SSE text, each written separately with `gap`
/// between them) and then pings until the client leaves.
pub struct FakeSse {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl FakeSse {
    pub fn start(version: u64, frames: Vec<String>, gap: Duration) -> FakeSse {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let st = stop.clone();
        std::thread::spawn(move || {
            for sock in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(sock) = sock else { continue };
                let frames = frames.clone();
                let st = st.clone();
                std::thread::spawn(move || fake_conn(sock, version, &frames, gap, &st));
            }
        });
        FakeSse { addr, stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FakeSse {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn fake_conn(
    mut sock: TcpStream,
    version: u64,
    frames: &[String],
    gap: Duration,
    stop: &AtomicBool,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let path = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("");
    let json = |body: String| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    if path.starts_with("/api/reservas/events") {
        let _ = sock.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        );
        for f in frames {
            if sock.write_all(f.as_bytes()).is_err() {
                return;
            }
            std::thread::sleep(gap);
        }
        while !stop.load(Ordering::SeqCst) {
            if sock.write_all(b": ping\n\n").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    } else if path.starts_with("/api/reservas/changes") {
        let _ = sock.write_all(
            json(format!(
                r#"{{"events":[],"version":{version},"hasMore":false}}"#
            ))
            .as_bytes(),
        );
    } else if path.starts_with("/api/reservas") {
        let _ = sock.write_all(
            json(format!(
                r#"{{"reservas":[],"stats":{{"date":"{}","total":0,"byStatus":{{}},"expectedGuests":0,"arrivedGuests":0}},"version":{version}}}"#,
                today()
            ))
            .as_bytes(),
        );
    } else {
        let _ = sock
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
}

// ---------------------------------------------------------------- scripted SSE

/// An events request: when, and its `Last-Event-ID`.
pub type Seen = (Instant, Option<String>);

/// A scripted server whose n-th events connection writes `scripts[n]` and
/// then closes the response cleanly; connections past the scripts get a
/// `connected` block and pings until the client leaves. It records each
/// events request's `Last-Event-ID` and arrival time. The snapshot route
/// answers an empty snapshot at `version`.
pub struct ScriptedSse {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl ScriptedSse {
    pub fn start(version: u64, scripts: Vec<String>) -> ScriptedSse {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (st, sn) = (stop.clone(), seen.clone());
        std::thread::spawn(move || {
            for sock in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(sock) = sock else { continue };
                let (st, sn, scripts) = (st.clone(), sn.clone(), scripts.clone());
                std::thread::spawn(move || scripted_conn(sock, version, &scripts, &sn, &st));
            }
        });
        ScriptedSse { addr, seen, stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn last_event_ids(&self) -> Vec<Option<String>> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(_, id)| id.clone())
            .collect()
    }
}

impl Drop for ScriptedSse {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn scripted_conn(
    mut sock: TcpStream,
    version: u64,
    scripts: &[String],
    seen: &Mutex<Vec<Seen>>,
    stop: &AtomicBool,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let path = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("")
        .to_string();
    if !path.starts_with("/api/reservas/events") {
        // Anything else: the fake snapshot / changes of FakeSse.
        drop(text);
        return fake_rest(sock, version, &path);
    }
    let last_id = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("last-event-id:"))
        .map(|l| l[l.find(':').unwrap_or(0) + 1..].trim().to_string());
    let n = {
        let mut s = seen.lock().unwrap();
        s.push((Instant::now(), last_id));
        s.len() - 1
    };
    let _ = sock.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
    );
    match scripts.get(n) {
        Some(script) => {
            let _ = sock.write_all(script.as_bytes());
            let _ = sock.flush();
            // A clean end of the response.
            let _ = sock.shutdown(std::net::Shutdown::Both);
        }
        None => {
            let _ = sock.write_all(
                b"retry: 1000\nevent: connected\ndata: {\"connectionId\":\"x\",\"version\":0,\"heartbeatSecs\":1}\n\n",
            );
            while !stop.load(Ordering::SeqCst) {
                if sock.write_all(b": ping\n\n").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        }
    }
}

fn fake_rest(mut sock: TcpStream, version: u64, path: &str) {
    let body = if path.starts_with("/api/reservas/changes") {
        format!(r#"{{"events":[],"version":{version},"hasMore":false}}"#)
    } else {
        format!(
            r#"{{"reservas":[],"stats":{{"date":"{}","total":0,"byStatus":{{}},"expectedGuests":0,"arrivedGuests":0}},"version":{version}}}"#,
            today()
        )
    };
    let _ = sock.write_all(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
}

/// An SSE block of a `reservation-created` event for row `r{id}`.
pub fn created_frame(id: u64) -> String {
    let row = format!(
        r#"{{"id":"r{id}","businessId":"b","customerName":"Cliente {id}","date":"{d}","time":"20:00","partySize":2,"status":"confirmed","asistenciaActual":0,"qrToken":"q{id}","version":{id},"createdAt":"t","updatedAt":"t"}}"#,
        d = today()
    );
    format!(
        "id: {id}\nevent: reservation-created\ndata: {{\"type\":\"reservation-created\",\"id\":{id},\"at\":\"t\",\"reservaId\":\"r{id}\",\"reserva\":{row}}}\n\n"
    )
}
