//! `cargo xtask run`: the product on real demo data.
//!
//! Starts `reservas-server` on loopback with a fresh database under
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
