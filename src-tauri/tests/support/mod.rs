//! What the desktop tests run the real app in: a private X server (Xvfb),
//! a private D-Bus session bus with a notification server the test owns,
//! and tauri-driver (→ WebKitWebDriver) on free ports, each started and
//! stopped by PID. Plus a small W3C WebDriver client over blocking HTTP.
//!
//! The app under test is the one cargo built for this test run
//! (`CARGO_BIN_EXE_reservas-desk`), with the UI from `dist/` embedded:
//! `cargo xtask test` builds `dist/` and the sidecar first.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use reservas_tests::{Server, ServerOpts, free_port, wait_for, workspace_bin};

/// One app at a time: several WebKit instances on a 2-core machine would
/// make the "within a second" checks meaningless.
pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// The app binary cargo built for these tests.
pub fn app_bin() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_BIN_EXE_reservas-desk"));
    assert!(
        p.exists(),
        "{} is missing: run `cargo xtask test` (it builds the UI, the sidecar and the app)",
        p.display()
    );
    p
}

fn need(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is not installed: run `cargo xtask test`, which installs it"
    );
}

/// A child process killed (and reaped) on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private X display.
pub struct Xvfb {
    _p: Proc,
    pub display: String,
}

impl Xvfb {
    pub fn start() -> Xvfb {
        need("Xvfb");
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1200x780x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let out = child.stdout.take().expect("Xvfb stdout");
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .expect("Xvfb display");
        Xvfb {
            display: format!(":{}", line.trim()),
            _p: Proc(child),
        }
    }
}

/// A private session bus.
pub struct Bus {
    _p: Proc,
    pub address: String,
}

impl Bus {
    pub fn start() -> Bus {
        need("dbus-daemon");
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let out = child.stdout.take().expect("dbus stdout");
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .expect("bus address");
        Bus {
            address: line.trim().to_string(),
            _p: Proc(child),
        }
    }
}

/// One `Notify` call seen on the bus.
#[derive(Debug, Clone)]
pub struct Seen {
    pub app_name: String,
    pub summary: String,
    pub body: String,
    pub at: Instant,
}

/// How the test's notification server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Daemon {
    Answers,
    /// Takes every call and never answers (F-11's hanging daemon).
    Hangs,
}

struct Notifications {
    seen: Arc<Mutex<Vec<Seen>>>,
    mode: Daemon,
    next: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &mut self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Seen {
                app_name,
                summary,
                body,
                at: Instant::now(),
            });
        if self.mode == Daemon::Hangs {
            std::future::pending::<()>().await;
        }
        self.next += 1;
        self.next
    }

    async fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    async fn get_server_information(&self) -> (String, String, String, String) {
        ("test".into(), "reservas".into(), "1".into(), "1.2".into())
    }

    async fn close_notification(&self, _id: u32) {}
}

/// The test's notification server on a bus.
pub struct NotifyServer {
    _conn: zbus::Connection,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl NotifyServer {
    pub fn start(bus: &Bus, mode: Daemon) -> NotifyServer {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let server = Notifications {
            seen: seen.clone(),
            mode,
            next: 0,
        };
        let conn = zbus::block_on(async {
            zbus::connection::Builder::address(bus.address.as_str())
                .name("org.freedesktop.Notifications")
                .serve_at("/org/freedesktop/Notifications", server)
                .build()
                .await
        })
        .expect("own org.freedesktop.Notifications");
        NotifyServer { _conn: conn, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The app's environment for one launch.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub env: Vec<(String, String)>,
}

impl Launch {
    pub fn env(mut self, k: &str, v: impl Into<String>) -> Launch {
        self.env.push((k.to_string(), v.into()));
        self
    }
}

/// tauri-driver + a WebDriver session = the running app.
pub struct App {
    pub session: String,
    base: String,
    http: reqwest::blocking::Client,
    driver: Option<Proc>,
    /// WebKitWebDriver's port: it outlives a killed tauri-driver, so it is
    /// found by this port and stopped too.
    native: u16,
    pub started: Instant,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl App {
    /// Starts tauri-driver on free ports with `display`, `bus` and the
    /// launch's env, and opens a session (which starts the app).
    pub fn launch(display: &str, bus: Option<&str>, launch: &Launch) -> App {
        need("tauri-driver");
        need("WebKitWebDriver");
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", display)
        .env("NO_AT_BRIDGE", "1")
        .env("RUST_LOG", "info,tao=warn,wry=warn")
        .env_remove("RESERVAS_SERVER")
        .env_remove("RESERVAS_TOKEN")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        match bus {
            Some(b) => cmd.env("DBUS_SESSION_BUS_ADDRESS", b),
            // "No session bus": an address nobody listens on.
            None => cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
        };
        for (k, v) in &launch.env {
            cmd.env(k, v);
        }
        let driver = Proc(cmd.spawn().expect("start tauri-driver"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http client");
        // Both must listen before a session is asked for: tauri-driver
        // proxies to WebKitWebDriver and drops the request if it is not up.
        wait_for(
            "tauri-driver and WebKitWebDriver to listen",
            Duration::from_secs(20),
            || {
                (std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                    && std::net::TcpStream::connect(("127.0.0.1", native)).is_ok())
                .then_some(())
            },
        );
        let started = Instant::now();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app_bin().to_string_lossy()}
        }}});
        let v: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .and_then(|r| r.json())
            .expect("new session");
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        App {
            session,
            base,
            http,
            driver: Some(driver),
            native,
            started,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let v: Value = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("webdriver {path}: {e}"));
        v["value"].clone()
    }

    /// Runs a script in the page and returns its value.
    pub fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

    /// The text of the first element matching `css`, if there is one.
    pub fn text(&self, css: &str) -> Option<String> {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.textContent : null;",
            serde_json::to_string(css).unwrap_or_default()
        );
        self.js(&script).as_str().map(str::to_string)
    }

    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.getAttribute({}) : null;",
            serde_json::to_string(css).unwrap_or_default(),
            serde_json::to_string(name).unwrap_or_default()
        );
        self.js(&script).as_str().map(str::to_string)
    }

    /// The attendance cell of a row ("1/4"), by the row's id.
    pub fn attendance(&self, id: &str) -> Option<String> {
        self.text(&format!("tr[data-id='{id}'] td.att"))
    }

    /// Number of rows shown.
    pub fn row_count(&self) -> usize {
        self.js("return document.querySelectorAll('#rows tr.row').length")
            .as_u64()
            .unwrap_or(0) as usize
    }

    pub fn element(&self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub fn click(&self, css: &str) {
        let e = self.element(css);
        self.post(&format!("/element/{e}/click"), json!({}));
    }

    /// Types into an element (WebDriver key codes allowed: "\u{E007}" is Enter).
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.post(&format!("/element/{e}/value"), json!({"text": text}));
    }

    pub fn clear(&self, css: &str) {
        let e = self.element(css);
        self.post(&format!("/element/{e}/clear"), json!({}));
    }

    /// The id of the focused element.
    pub fn focused_id(&self) -> String {
        self.js("return document.activeElement ? document.activeElement.id : ''")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// A PNG of the X display the app is on. WebDriver's own screenshot
    /// can show a frame from before the last DOM change (BUILD-NOTES), so
    /// this lets the page paint, then grabs the real screen with
    /// ImageMagick's `import`.
    pub fn screenshot(&self, display: &str, path: &Path) {
        // Two animation frames: the DOM change is painted after them.
        let _ = self.post(
            "/execute/async",
            json!({"script": "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));", "args": []}),
        );
        std::thread::sleep(Duration::from_millis(300));
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let ok = Command::new("import")
            .args(["-display", display, "-window", "root"])
            .arg(path)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "import (ImageMagick) failed to take a screenshot");
    }

    /// Waits until `f` holds, polling the page.
    pub fn until<T>(&self, what: &str, secs: u64, mut f: impl FnMut(&App) -> Option<T>) -> T {
        wait_for(what, Duration::from_secs(secs), || f(self))
    }

    /// Closes the session (the app exits) and stops the driver.
    pub fn quit(mut self) {
        self.close();
    }

    fn close(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        if self.driver.take().is_some() {
            stop_native_driver(self.native);
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.close();
    }
}

/// A test server with a business; its token; today's date as it counts it.
pub struct Backend {
    pub server: Server,
    pub token: String,
    pub today: String,
    http: reqwest::blocking::Client,
}

impl Backend {
    pub fn start() -> Backend {
        let server = Server::start(&workspace_bin("reservas-server"), ServerOpts::default());
        let (_, token) = server.create_business(None);
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let mut b = Backend {
            server,
            token,
            today: String::new(),
            http,
        };
        let snap = b.get("/api/reservas?includeStats=true");
        b.today = snap["stats"]["date"]
            .as_str()
            .expect("stats date")
            .to_string();
        b
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.url()))
            .bearer_auth(&self.token)
            .send()
            .and_then(|r| r.json())
            .expect("GET")
    }

    pub fn send(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self
            .http
            .request(m, format!("{}{path}", self.url()))
            .bearer_auth(&self.token);
        if !body.is_null() {
            rb = rb.json(&body);
        }
        let r = rb.send().expect("request");
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(Value::Null))
    }

    /// Creates a reservation for today; returns (id, qrToken).
    pub fn create(&self, name: &str, time: &str, party: u32) -> (String, String) {
        let (st, v) = self.send(
            "POST",
            "/api/reservas",
            json!({"customerName": name, "date": self.today, "time": time, "partySize": party, "table": "7", "notes": "ventana"}),
        );
        assert_eq!(st, 201, "create: {v}");
        (
            v["id"].as_str().expect("id").to_string(),
            v["qrToken"].as_str().expect("qrToken").to_string(),
        )
    }

    pub fn checkin(&self, qr: &str) {
        let (st, v) = self.send("POST", "/api/checkin", json!({"qrToken": qr}));
        assert_eq!(st, 200, "checkin: {v}");
    }
}

/// The environment that points the app at `b` with its own data folder.
pub fn against(b: &Backend, data: &Path) -> Launch {
    Launch::default()
        .env("RESERVAS_SERVER", b.url())
        .env("RESERVAS_TOKEN", b.token.clone())
        .env("RESERVAS_DATA_DIR", data.to_string_lossy().to_string())
}

/// Where the tests' screenshots go: `target/desktop-screenshots/` (not
/// docs/, so a test run leaves the work tree clean; README's images are
/// copies of these and of `cargo xtask run`).
pub fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/desktop-screenshots")
        .join(name)
}

/// Stops the WebKitWebDriver that was started on `port` (by its PID, found
/// in /proc by its command line).
fn stop_native_driver(port: u16) {
    let arg = format!("--port={port}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let mut parts = cmd.split(|b| *b == 0);
        let is_driver = parts
            .next()
            .is_some_and(|exe| exe.ends_with(b"WebKitWebDriver"));
        if is_driver && parts.any(|a| a == arg.as_bytes()) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}
