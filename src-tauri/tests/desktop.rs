//! The real desktop app, built, under Xvfb, driven over WebDriver
//! (tauri-driver + WebKitWebDriver), with a notification server of our own
//! on a private session bus. One app at a time (see `support::serial`).
//!
//! Every wait polls with a generous deadline; the "within a second" checks
//! measure from the moment the other client's write returned.

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

const ENTER: &str = "\u{E007}";

/// Xvfb + bus + notification server + a backend with rows.
struct Env {
    x: Xvfb,
    bus: Bus,
    notes: NotifyServer,
    b: Backend,
    data: tempfile::TempDir,
}

fn env() -> Env {
    let x = Xvfb::start();
    let bus = Bus::start();
    let notes = NotifyServer::start(&bus, Daemon::Answers);
    Env {
        x,
        bus,
        notes,
        b: Backend::start(),
        data: tempfile::tempdir().expect("tempdir"),
    }
}

impl Env {
    fn launch(&self) -> App {
        App::launch(
            &self.x.display,
            Some(&self.bus.address),
            &against(&self.b, self.data.path()),
        )
    }
}

fn wait_rows(app: &App, n: usize) {
    app.until(&format!("{n} rows on screen"), 30, |a| {
        (a.row_count() == n).then_some(())
    });
}

fn stat(app: &App, id: &str) -> String {
    app.text(&format!("#{id}")).unwrap_or_default()
}

#[test]
fn shows_the_servers_rows_and_stats() {
    let _g = serial();
    let e = env();
    e.b.create("Ana García", "20:30", 4);
    e.b.create("Bruno Díaz", "13:00", 2);
    let (_, qr) = e.b.create("Carla Ruiz", "21:15", 3);
    e.b.checkin(&qr);
    let app = e.launch();
    wait_rows(&app, 3);
    // Sorted by time.
    let names =
        app.js("return [...document.querySelectorAll('#rows td.name')].map(e => e.textContent)");
    assert_eq!(names, json!(["Bruno Díaz", "Ana García", "Carla Ruiz"]));
    assert_eq!(stat(&app, "stat-total"), "3");
    assert_eq!(stat(&app, "stat-expected"), "9");
    assert_eq!(stat(&app, "stat-arrived"), "1");
    let title = app.js("return document.title");
    assert_eq!(title, json!("Reservas"));
    app.until("live indicator", 20, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });
    app.screenshot(&e.x.display, &screenshot_path("day-view.png"));
    app.quit();
}

#[test]
fn another_clients_create_edit_delete_appear_within_a_second() {
    let _g = serial();
    let e = env();
    e.b.create("Ana García", "20:30", 4);
    let app = e.launch();
    wait_rows(&app, 1);
    app.until("live", 20, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });

    let (id, _) = e.b.create("Diego Martín", "19:00", 5);
    let t = Instant::now();
    wait_for("the new row", Duration::from_secs(1), || {
        (app.row_count() == 2).then_some(())
    });
    eprintln!("create → row on screen: {} ms", t.elapsed().as_millis());
    assert_eq!(stat(&app, "stat-expected"), "9");

    let (st, v) = e.b.send(
        "PATCH",
        &format!("/api/reservas/{id}"),
        json!({"partySize": 6, "table": "12"}),
    );
    assert_eq!(st, 200, "{v}");
    let t = Instant::now();
    wait_for("the edit", Duration::from_secs(1), || {
        (app.attendance(&id).as_deref() == Some("0/6")).then_some(())
    });
    eprintln!("edit → on screen: {} ms", t.elapsed().as_millis());
    assert_eq!(
        app.text(&format!("tr[data-id='{id}'] td.table")).as_deref(),
        Some("12")
    );

    let (st, _) =
        e.b.send("DELETE", &format!("/api/reservas/{id}"), json!(null));
    assert_eq!(st, 204);
    let t = Instant::now();
    wait_for("the delete", Duration::from_secs(1), || {
        (app.row_count() == 1).then_some(())
    });
    eprintln!("delete → gone from screen: {} ms", t.elapsed().as_millis());
    app.quit();
}

#[test]
fn a_checkin_elsewhere_updates_row_and_stats_and_notifies_once() {
    let _g = serial();
    let e = env();
    let (id, qr) = e.b.create("Ana García", "20:30", 4);
    let (big, big_qr) = e.b.create("Grupo Congreso", "21:00", 60);
    let app = e.launch();
    wait_rows(&app, 2);
    app.until("live", 20, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });

    e.b.checkin(&qr);
    let t = Instant::now();
    wait_for("attendance 1/4", Duration::from_secs(1), || {
        (app.attendance(&id).as_deref() == Some("1/4")).then_some(())
    });
    eprintln!("scan → row updated: {} ms", t.elapsed().as_millis());
    assert_eq!(stat(&app, "stat-arrived"), "1");
    wait_for("a notification", Duration::from_secs(5), || {
        (!e.notes.seen().is_empty()).then_some(())
    });
    let seen = e.notes.seen();
    assert_eq!(seen[0].summary, "Ana García — 1/4 llegados");
    assert_eq!(seen[0].app_name, "Reservas");

    // 50 scans: each reaches the bus once; time from the write's answer to
    // the Notify call.
    let mut lat = Vec::new();
    for i in 1..=50u32 {
        let before = e.notes.seen().len();
        let t = Instant::now();
        e.b.checkin(&big_qr);
        let n = wait_for("the scan's notification", Duration::from_secs(10), || {
            let s = e.notes.seen();
            (s.len() > before).then(|| s[before].clone())
        });
        assert_eq!(n.summary, format!("Grupo Congreso — {i}/60 llegados"));
        lat.push(n.at.duration_since(t));
    }
    app.until("attendance 50/60", 10, |a| {
        (a.attendance(&big).as_deref() == Some("50/60")).then_some(())
    });
    assert_eq!(stat(&app, "stat-arrived"), "51");
    // Nothing more arrives: exactly one notification per scan.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(e.notes.seen().len(), 51, "one notification per scan");
    lat.sort();
    eprintln!(
        "scan → notification over 50 scans: median {} ms, worst {} ms",
        lat[lat.len() / 2].as_millis(),
        lat[lat.len() - 1].as_millis()
    );
    app.quit();
}

#[test]
fn a_token_and_enter_in_the_checkin_box_checks_in() {
    let _g = serial();
    let e = env();
    let (id, qr) = e.b.create("Ana García", "20:30", 4);
    let app = e.launch();
    wait_rows(&app, 1);
    app.until("the check-in box has the focus", 10, |a| {
        (a.focused_id() == "checkin").then_some(())
    });
    app.type_into("#checkin", &format!("{qr}{ENTER}"));
    app.until("attendance 1/4", 5, |a| {
        (a.attendance(&id).as_deref() == Some("1/4")).then_some(())
    });
    assert_eq!(
        app.js("return document.getElementById('checkin').value"),
        json!("")
    );
    assert_eq!(app.focused_id(), "checkin", "the box keeps the focus");
    // A second scan, straight away.
    app.type_into("#checkin", &format!("{qr}{ENTER}"));
    app.until("attendance 2/4", 5, |a| {
        (a.attendance(&id).as_deref() == Some("2/4")).then_some(())
    });
    app.quit();
}

#[test]
fn server_down_then_back_reconnects_and_applies_changes() {
    let _g = serial();
    let mut e = env();
    let (_, qr) = e.b.create("Ana García", "20:30", 4);
    let launch = against(&e.b, e.data.path()).env("RESERVAS_BACKOFF_CAP_MS", "3000");
    let app = App::launch(&e.x.display, Some(&e.bus.address), &launch);
    wait_rows(&app, 1);
    app.until("live", 20, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });
    // A scan before the outage: notified once, and never again after the
    // reconnect resumes the stream.
    e.b.checkin(&qr);
    wait_for("the scan's notification", Duration::from_secs(5), || {
        (e.notes.seen().len() == 1).then_some(())
    });
    e.b.server.terminate();
    app.until("reconnecting", 15, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("reconnecting")).then_some(())
    });
    app.until("polling or offline", 30, |a| {
        matches!(
            a.attr("#conn", "data-state").as_deref(),
            Some("polling" | "offline")
        )
        .then_some(())
    });
    let text = app.text("#conn-text").unwrap_or_default();
    assert!(
        text.contains("datos de hace"),
        "the cache's age is shown: {text}"
    );
    app.screenshot(&e.x.display, &screenshot_path("offline.png"));
    // Back, with a change made before the app gets back to it.
    e.b.server.start_again();
    e.b.create("Bruno Díaz", "21:00", 2);
    app.until("live again", 30, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });
    app.until("the change made meanwhile", 10, |a| {
        (a.row_count() == 2).then_some(())
    });
    assert_eq!(
        e.notes.seen().len(),
        1,
        "no notification again after the reconnect"
    );
    app.quit();
}

#[test]
fn with_the_server_down_a_fresh_start_shows_the_cache_and_its_age() {
    let _g = serial();
    let mut e = env();
    e.b.create("Ana García", "20:30", 4);
    e.b.create("Bruno Díaz", "21:00", 2);
    let app = e.launch();
    wait_rows(&app, 2);
    app.until("live", 20, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });
    app.quit();
    e.b.server.terminate();
    let app = e.launch();
    wait_rows(&app, 2);
    eprintln!(
        "fresh start, server down: 2 cached rows on screen after {} ms",
        app.started.elapsed().as_millis()
    );
    app.until("not live, with the cache's age", 30, |a| {
        let text = a.text("#conn-text").unwrap_or_default();
        let st = a.attr("#conn", "data-state").unwrap_or_default();
        (st != "live" && st != "starting" && text.contains("datos de hace")).then_some(())
    });
    app.quit();
}

#[test]
fn cold_start_from_a_5000_row_cache() {
    let _g = serial();
    let mut e = env();
    // 5,000 rows on today, so all of them are on screen.
    for i in 0..5000u32 {
        let (st, v) = e.b.send(
            "POST",
            "/api/reservas",
            json!({"customerName": format!("Cliente {i:04}"), "date": e.b.today,
                   "time": format!("{:02}:{:02}", 8 + (i % 14), (i * 7) % 60), "partySize": 1 + i % 6}),
        );
        assert_eq!(st, 201, "{v}");
    }
    let all_rows = |a: &App| {
        (a.attr("#rows", "data-count").as_deref() == Some("5000") && a.row_count() > 0)
            .then_some(())
    };
    let app = e.launch();
    app.until("5,000 rows", 60, all_rows);
    app.until("live", 90, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });
    app.quit();
    e.b.server.terminate();
    let app = e.launch();
    app.until("5,000 cached rows", 60, all_rows);
    eprintln!(
        "app start → the day's 5,000 cached rows loaded, first ones on screen: {} ms",
        app.started.elapsed().as_millis()
    );
    // Scrolling to the end shows the last rows (the day is windowed).
    app.js("const w = document.querySelector('.table-wrap'); w.scrollTop = w.scrollHeight; w.dispatchEvent(new Event('scroll'));");
    app.until("the last rows after scrolling", 10, |a| {
        a.text("#rows tr.row:last-of-type td.time")
            .filter(|t| t.as_str() >= "21:00")
    });
    app.quit();
}

#[test]
fn host_mode_runs_its_own_server_end_to_end() {
    let _g = serial();
    let x = Xvfb::start();
    let bus = Bus::start();
    let notes = NotifyServer::start(&bus, Daemon::Answers);
    let data = tempfile::tempdir().expect("tempdir");
    let launch = Launch::default()
        .env(
            "RESERVAS_DATA_DIR",
            data.path().to_string_lossy().to_string(),
        )
        .env("RESERVAS_SERVER", "");
    let app = App::launch(&x.display, Some(&bus.address), &launch);
    let info_path = data.path().join("host/host.json");
    let info: serde_json::Value = wait_for("host.json", Duration::from_secs(30), || {
        std::fs::read(&info_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    });
    let url = info["url"].as_str().expect("url").to_string();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "loopback by default: {url}"
    );
    let token = info["token"].as_str().expect("token").to_string();
    app.until("live", 30, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });
    // Another device writes to the desk's server…
    let http = reqwest::blocking::Client::new();
    let today = app.attr("#day-title", "data-date").expect("date");
    let v: serde_json::Value = http
        .post(format!("{url}/api/reservas"))
        .bearer_auth(&token)
        .json(
            &json!({"customerName": "Elena Soto", "date": today, "time": "20:00", "partySize": 2}),
        )
        .send()
        .and_then(|r| r.json())
        .expect("create on the host server");
    let id = v["id"].as_str().expect("id").to_string();
    let qr = v["qrToken"].as_str().expect("qr").to_string();
    wait_rows(&app, 1);
    // …and the desk checks the guest in through its own box.
    app.type_into("#checkin", &format!("{qr}{ENTER}"));
    app.until("attendance 1/2", 5, |a| {
        (a.attendance(&id).as_deref() == Some("1/2")).then_some(())
    });
    wait_for("the notification", Duration::from_secs(5), || {
        notes
            .seen()
            .iter()
            .any(|n| n.summary == "Elena Soto — 1/2 llegados")
            .then_some(())
    });
    assert!(data.path().join("host/reservas.db").exists());
    app.quit();
    // The sidecar stops with the app.
    let port = info["port"].as_u64().expect("port") as u16;
    wait_for("the host server to stop", Duration::from_secs(15), || {
        std::net::TcpStream::connect(("127.0.0.1", port))
            .is_err()
            .then_some(())
    });
    // A second start reuses the business and its token, shows the cached
    // row, and SIGTERM ends the app and its server.
    let app = App::launch(&x.display, Some(&bus.address), &launch);
    app.until("the row again, live", 30, |a| {
        (a.row_count() == 1 && a.attr("#conn", "data-state").as_deref() == Some("live"))
            .then_some(())
    });
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&info_path).expect("host.json")).expect("json");
    assert_eq!(again["token"], info["token"]);
    assert_eq!(again["businessId"], info["businessId"]);
    let port = again["port"].as_u64().expect("port") as u16;
    let pid = wait_for("the app's pid", Duration::from_secs(10), || {
        app_pid(data.path())
    });
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -TERM {pid}");
    wait_for(
        "the app to exit on SIGTERM",
        Duration::from_secs(15),
        || app_pid(data.path()).is_none().then_some(()),
    );
    wait_for("its server to stop too", Duration::from_secs(15), || {
        std::net::TcpStream::connect(("127.0.0.1", port))
            .is_err()
            .then_some(())
    });
    drop(app);
}

#[test]
fn a_422_shows_as_a_field_error_in_the_form() {
    let _g = serial();
    let e = env();
    e.b.create("Ana García", "20:30", 4);
    let app = e.launch();
    wait_rows(&app, 1);
    app.click("#new-reservation");
    app.until("the form", 5, |a| a.text("#reservation-form"));
    app.type_into("#f-customerName", "Fernando Gil");
    app.clear("#f-partySize");
    app.type_into("#f-partySize", "0");
    app.click("#form-save");
    let err = app.until("a field error on partySize", 10, |a| {
        a.text(".field-error[data-field='partySize']")
            .filter(|t| !t.is_empty())
    });
    assert!(!err.is_empty());
    // Only that field is marked; the form stays open with what was typed.
    assert_eq!(
        app.text(".field-error[data-field='customerName']")
            .as_deref(),
        Some("")
    );
    assert_eq!(
        app.js("return document.getElementById('f-customerName').value"),
        json!("Fernando Gil")
    );
    app.screenshot(&e.x.display, &screenshot_path("form-error.png"));
    // Fixing it saves, and the row arrives through the engine.
    app.clear("#f-partySize");
    app.type_into("#f-partySize", "3");
    app.click("#form-save");
    wait_rows(&app, 2);
    app.quit();
}

/// F-11: with no session bus, no daemon on it, or a daemon that never
/// answers, three scans still reach the UI within a second each, and the
/// app keeps working.
#[test]
fn notification_trouble_never_blocks_the_ui() {
    let _g = serial();
    for setup in ["no bus", "no daemon", "hanging daemon"] {
        let x = Xvfb::start();
        let bus = Bus::start();
        let _daemon = (setup == "hanging daemon").then(|| NotifyServer::start(&bus, Daemon::Hangs));
        let b = Backend::start();
        let data = tempfile::tempdir().expect("tempdir");
        let (id, qr) = b.create("Ana García", "20:30", 4);
        let addr = (setup != "no bus").then_some(bus.address.as_str());
        let app = App::launch(&x.display, addr, &against(&b, data.path()));
        wait_rows(&app, 1);
        app.until("live", 20, |a| {
            (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
        });
        for n in 1..=3 {
            b.checkin(&qr);
            wait_for(
                &format!("{setup}: scan {n} on screen"),
                Duration::from_secs(1),
                || (app.attendance(&id) == Some(format!("{n}/4"))).then_some(()),
            );
        }
        assert_eq!(stat(&app, "stat-arrived"), "3", "{setup}");
        app.quit();
    }
}

/// F-12: a scan that happens while the UI is still mounting (held back 2 s)
/// is on screen once it has mounted.
#[test]
fn a_scan_while_the_ui_mounts_is_shown_once_mounted() {
    let _g = serial();
    let e = env();
    let (id, qr) = e.b.create("Ana García", "20:30", 4);
    // A first run fills the cache, so the engine starts live at once.
    let app = e.launch();
    wait_rows(&app, 1);
    app.quit();
    let launch = against(&e.b, e.data.path()).env("RESERVAS_UI_MOUNT_DELAY_MS", "2000");
    let app = App::launch(&e.x.display, Some(&e.bus.address), &launch);
    // The page is up but has not asked for its state yet.
    assert_eq!(app.row_count(), 0, "the UI is still held back");
    e.b.checkin(&qr);
    app.until("attendance 1/4 after mounting", 15, |a| {
        (a.attendance(&id).as_deref() == Some("1/4")).then_some(())
    });
    assert_eq!(stat(&app, "stat-arrived"), "1");
    wait_for("one notification", Duration::from_secs(5), || {
        (e.notes.seen().len() == 1).then_some(())
    });
    app.quit();
}

/// The app's own process (a child of WebKitWebDriver), found by its
/// executable and its data folder.
fn app_pid(data: &std::path::Path) -> Option<i32> {
    let exe = app_bin();
    let want = format!("RESERVAS_DATA_DIR={}", data.display());
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let this = std::fs::read_link(e.path().join("exe")).ok()?;
        if this != exe {
            return None;
        }
        let env = std::fs::read(e.path().join("environ")).ok()?;
        env.split(|b| *b == 0)
            .any(|kv| kv == want.as_bytes())
            .then_some(pid)
    })
}

/// Settings: English and realtime off, saved to the app's config folder
/// and applied at once (labels change, the engine switches to polling).
#[test]
fn settings_switch_language_and_realtime_and_persist() {
    let _g = serial();
    let e = env();
    e.b.create("Ana García", "20:30", 4);
    let app = e.launch();
    wait_rows(&app, 1);
    app.until("live", 20, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("live")).then_some(())
    });
    app.click("#open-settings");
    app.until("the settings panel", 5, |a| a.text("#settings"));
    app.js("const s = document.getElementById('set-language'); s.value = 'en'; s.dispatchEvent(new Event('change', {bubbles: true}));");
    app.click("#set-realtime");
    app.click("#settings-save");
    app.until("English labels", 10, |a| {
        a.text("#new-reservation")
            .filter(|t| t.contains("New reservation"))
    });
    app.until("polling with realtime off", 20, |a| {
        (a.attr("#conn", "data-state").as_deref() == Some("polling")).then_some(())
    });
    let saved: serde_json::Value = serde_json::from_slice(
        &std::fs::read(e.data.path().join("config/settings.json")).expect("settings.json"),
    )
    .expect("json");
    assert_eq!(saved["language"], "en");
    assert_eq!(saved["realtime"], false);
    app.quit();
}
