//! `cargo xtask run`: the product on real demo data.
//!
//! By default the desktop app in host mode: xtask builds it, starts it with
//! a fresh data folder (`target/demo-desk/`, so the real home is never
//! touched), waits for the server the app starts itself to write
//! `host/host.json` (its URL and staff token), and runs `reservas replay`
//! against it, so rows and QR check-ins arrive live in the window. Closing
//! the window ends the replay too.
//!
//! With `--server-only` (no display needed) it starts `reservas-server` on loopback with a fresh database under
//! `target/demo/`, creates the demo business, and runs `reservas replay`,
//! which seeds the business with the bookings on the books that morning of a
//! real City Hotel day (shifted to today) and then plays that day's real
//! bookings, cancellations and QR check-ins live. Ctrl-C stops everything.

use crate::root;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The real day replayed (see data/README.md for why this one).
const DEMO_DAY: &str = "2016-08-18";
const ADMIN_TOKEN_LEN: usize = 32;

/// Kills its child on drop, however `run` ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn opt<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    if args.iter().any(|a| a == "--server-only") {
        server_only(args)
    } else {
        desk(args)
    }
}

fn desk(args: &[String]) -> anyhow::Result<()> {
    let speed = opt(args, "--speed").unwrap_or("60").to_string();
    anyhow::ensure!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "no display: run it in a desktop session (or use `cargo xtask run --server-only`)"
    );
    crate::install::debian_packages(crate::install::DESKTOP_PACKAGES)?;
    crate::install::rustup_target(crate::prepare::WASM_TARGET)?;
    crate::install::wasm_bindgen_cli()?;
    crate::prepare::all()?;
    crate::sh("cargo", &["build", "--bins"])?;
    let bin = root().join("target/debug");
    let data = root().join("target/demo-desk");
    // A fresh business each time: the replay seeds "today" from scratch.
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    eprintln!(
        "xtask: starting the desktop app in host mode (data in {})",
        data.display()
    );
    let mut app = Guard(
        Command::new(bin.join("reservas-desk"))
            .env("RESERVAS_DATA_DIR", &data)
            .env_remove("RESERVAS_SERVER")
            .spawn()?,
    );
    let info = data.join("host/host.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    let (url, token) = loop {
        if let Ok(text) = std::fs::read_to_string(&info)
            && let (Some(u), Some(t)) = (json_str(&text, "url"), json_str(&text, "token"))
        {
            break (u, t);
        }
        if let Some(status) = app.0.try_wait()? {
            anyhow::bail!("the app exited before its server started ({status})");
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the app's server did not start in 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    println!();
    println!("  Reservas desk in host mode; its server: {url}   staff token: {token}");
    println!(
        "  Replaying City Hotel, {DEMO_DAY} (real data, shifted to today) at speed {speed}. Close the window to stop."
    );
    println!();
    let mut replay = Guard(
        Command::new(bin.join("reservas"))
            .args([
                "--server", &url, "--token", &token, "replay", "--day", DEMO_DAY, "--speed", &speed,
            ])
            .spawn()?,
    );
    let status = app.0.wait()?;
    eprintln!("xtask: the app exited ({status}); stopping the replay");
    let _ = replay.0.kill();
    Ok(())
}

/// A string field of a small JSON object (xtask stays dependency-free).
fn json_str(text: &str, key: &str) -> Option<String> {
    let rest = text.split(&format!("\"{key}\"")).nth(1)?;
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let v = rest.split('"').next()?;
    (!v.is_empty()).then(|| v.to_string())
}

fn server_only(args: &[String]) -> anyhow::Result<()> {
    let speed = opt(args, "--speed").unwrap_or("60").to_string();
    let port: u16 = opt(args, "--port").unwrap_or("8080").parse()?;
    crate::sh("cargo", &["build", "--bins"])?;
    let bin = root().join("target/debug");
    let demo = root().join("target/demo");
    std::fs::create_dir_all(&demo)?;
    for f in ["reservas.db", "reservas.db-wal", "reservas.db-shm"] {
        let _ = std::fs::remove_file(demo.join(f));
    }
    let admin: String = random_token(ADMIN_TOKEN_LEN);
    let listen = if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
        format!("127.0.0.1:{port}")
    } else {
        eprintln!("xtask: port {port} is taken; using a free one");
        "127.0.0.1:0".into()
    };
    eprintln!("xtask: starting reservas-server on {listen}");
    let mut server = Guard(
        Command::new(bin.join("reservas-server"))
            .args(["--listen", &listen, "--db"])
            .arg(demo.join("reservas.db"))
            .env("RESERVAS_ADMIN_TOKEN", &admin)
            .stdout(Stdio::piped())
            .spawn()?,
    );
    let stdout = server
        .0
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let addr: SocketAddr = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(a) = l.strip_prefix("listening on http://") {
                    break a.trim().parse()?;
                }
            }
            _ => anyhow::bail!("reservas-server did not start"),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let url = format!("http://{addr}");
    let token = create_business(addr, &admin)?;

    println!();
    println!("  Reservas demo server: {url}");
    println!("  Business: demo     staff token: {token}");
    println!("  Watch it live:  target/debug/reservas --server {url} --token {token} tail");
    println!("  Today's list:   target/debug/reservas --server {url} --token {token} list");
    println!(
        "  Replaying City Hotel, {DEMO_DAY} (real data, shifted to today) at speed {speed}. Ctrl-C stops."
    );
    println!();

    let mut replay = Guard(
        Command::new(bin.join("reservas"))
            .args([
                "--server", &url, "--token", &token, "replay", "--day", DEMO_DAY, "--speed", &speed,
            ])
            .spawn()?,
    );
    let status = replay.0.wait()?;
    eprintln!("xtask: replay finished ({status}); the server keeps running until Ctrl-C");
    let _ = server.0.wait();
    Ok(())
}

fn random_token(len: usize) -> String {
    let mut buf = vec![0u8; len];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = f.read_exact(&mut buf);
    }
    buf.iter().map(|b| format!("{:02x}", b)).collect()
}

/// POST /api/admin/businesses over a plain socket (xtask stays dependency-free).
fn create_business(addr: SocketAddr, admin: &str) -> anyhow::Result<String> {
    let body = r#"{"id":"demo","name":"City Hotel (demo)","timezone":"Europe/Lisbon"}"#;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut s = loop {
        match TcpStream::connect(addr) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => anyhow::bail!("cannot reach the server: {e}"),
        }
    };
    write!(
        s,
        "POST /api/admin/businesses HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    let json = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    let token = json
        .split("\"token\":\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("cannot create the demo business: {resp}"))?;
    Ok(token.to_string())
}
