//! A real third-party client checks the stream format: Chromium's own
//! `EventSource` (Debian's `chromium`, headless), connected with
//! `?access_token=`, receives the named events and resumes after a server
//! restart by itself (it sends `Last-Event-ID`, the server replays).
//!
//! The page is served by a tiny HTTP server inside the test; the page
//! reports every event it sees back to that server with `fetch`. The
//! reservations server allows the page's origin with `--cors-origin`.

use reservas_tests::{Server, ServerOpts, raw_request, wait_for};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Browser(Child);

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> &'static str {
    ["/usr/bin/chromium", "/usr/bin/chromium-headless-shell"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect(
            "Chromium is not installed: run `cargo xtask test`, which installs Debian's chromium",
        )
}

/// Serves `page` at `/` and collects JSON bodies POSTed to `/report`.
fn page_server(page: Arc<Mutex<String>>, reports: Arc<Mutex<Vec<Value>>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            let (ctype, out) = if request_line.starts_with("POST /report") {
                if let Ok(v) = serde_json::from_slice(&body) {
                    reports.lock().unwrap().push(v);
                }
                ("text/plain", String::new())
            } else if request_line.starts_with("GET / ") {
                ("text/html; charset=utf-8", page.lock().unwrap().clone())
            } else {
                ("text/plain", String::new())
            };
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{out}",
                out.len()
            );
        }
    });
    port
}

#[test]
fn chromium_eventsource_receives_named_events_and_resumes_after_restart() {
    // The page's server first: its port is the origin the API must allow.
    let reports: Arc<Mutex<Vec<Value>>> = Arc::default();
    let page: Arc<Mutex<String>> = Arc::default();
    let origin = format!(
        "http://127.0.0.1:{}",
        page_server(page.clone(), reports.clone())
    );
    let mut s = Server::start(
        Path::new(env!("CARGO_BIN_EXE_reservas-server")),
        ServerOpts {
            // Long enough that the browser is still waiting to reconnect
            // when the write after the restart lands: it must be replayed.
            retry_ms: 3000,
            extra_args: vec!["--cors-origin".into(), origin.clone()],
            ..Default::default()
        },
    );
    let (_, token) = s.create_business(Some("b"));
    let auth = format!("Bearer {token}");
    *page.lock().unwrap() = format!(
        r#"<!doctype html><meta charset="utf-8"><title>es</title><script>
const report = (o) => fetch('/report', {{method: 'POST', body: JSON.stringify(o)}});
const es = new EventSource('{url}/api/reservas/events?access_token={token}');
for (const name of ['connected', 'reset', 'reservation-created', 'reservation-updated', 'status-changed', 'reservation-deleted', 'qr-scanned']) {{
  es.addEventListener(name, (e) => report({{name, lastEventId: e.lastEventId, data: e.data}}));
}}
es.onmessage = (e) => report({{name: 'message', data: e.data}});
es.onerror = () => report({{name: 'error', readyState: es.readyState}});
</script>"#,
        url = s.url(),
    );
    let profile = tempfile::tempdir().unwrap();
    let _browser = Browser(
        Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("{origin}/"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium"),
    );
    let names = |from: usize| -> Vec<(String, String)> {
        reports.lock().unwrap()[from..]
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap_or("").to_string(),
                    r["lastEventId"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let deadline = Duration::from_secs(60);
    wait_for("the browser's connected event", deadline, || {
        names(0).iter().any(|(n, _)| n == "connected").then_some(())
    });

    let post = |path: &str, body: Value| {
        raw_request(
            s.addr,
            "POST",
            path,
            &[("Authorization", &auth)],
            body.to_string().as_bytes(),
        )
    };
    let row = post(
        "/api/reservas",
        json!({"customerName":"Ana","date":"2026-12-03","time":"20:00","partySize":2}),
    )
    .json();
    let id = row["id"].as_str().unwrap().to_string();
    let r = raw_request(
        s.addr,
        "PATCH",
        &format!("/api/reservas/{id}"),
        &[("Authorization", &auth)],
        br#"{"status":"seated"}"#,
    );
    assert_eq!(r.status, 200);
    post("/api/checkin", json!({"qrToken": row["qrToken"]}));
    wait_for("three events in the browser", deadline, || {
        (names(0).iter().filter(|(_, id)| !id.is_empty()).count() >= 4).then_some(())
    });
    let got: Vec<_> = names(0)
        .into_iter()
        .filter(|(n, _)| n != "connected")
        .collect();
    assert_eq!(
        got,
        vec![
            ("reservation-created".to_string(), "1".to_string()),
            ("reservation-updated".into(), "2".into()),
            ("status-changed".into(), "3".into()),
            ("qr-scanned".into(), "4".into()),
        ]
    );
    let first = reports
        .lock()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "qr-scanned")
        .cloned()
        .unwrap();
    let data: Value = serde_json::from_str(first["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["clienteNombre"], "Ana");

    // Restart the server (kill -9) and write at once, while the browser is
    // still waiting out `retry:` — it must get the event through its own
    // Last-Event-ID.
    let mark = reports.lock().unwrap().len();
    s.restart();
    let r = raw_request(
        s.addr,
        "DELETE",
        &format!("/api/reservas/{id}"),
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(r.status, 204);
    wait_for("the deletion replayed to the browser", deadline, || {
        names(mark)
            .iter()
            .any(|(n, _)| n == "reservation-deleted")
            .then_some(())
    });
    let after: Vec<_> = names(mark)
        .into_iter()
        .filter(|(n, _)| n != "error" && n != "connected")
        .collect();
    assert_eq!(
        after,
        vec![("reservation-deleted".to_string(), "5".to_string())],
        "resumed with no gap and no duplicate"
    );
    let m = raw_request(s.addr, "GET", "/metrics", &[], b"").body;
    assert!(
        m.lines().any(|l| l == "reservas_sse_replays_total 1"),
        "the browser sent Last-Event-ID: {m}"
    );
}
