//! kill -9 in the middle of a burst of writes: every acknowledged write is
//! there after the restart, and event ids continue without reuse.

use reservas_tests::{Server, ServerOpts, raw_request};
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn acknowledged_writes_survive_kill_9_and_ids_are_never_reused() {
    let mut s = Server::start(
        Path::new(env!("CARGO_BIN_EXE_reservas-server")),
        ServerOpts::default(),
    );
    let (_, token) = s.create_business(Some("b"));
    let auth = format!("Bearer {token}");
    let acked: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let addr = s.addr;
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let acked = acked.clone();
            let auth = auth.clone();
            std::thread::spawn(move || {
                for i in 0.. {
                    let body = json!({"customerName": format!("w{w}-{i}"), "date": "2026-12-03", "time": "20:00", "partySize": 2});
                    // Once the server is gone, connections fail: stop.
                    let Ok(r) = std::panic::catch_unwind(|| {
                        raw_request(addr, "POST", "/api/reservas", &[("Authorization", &auth)], body.to_string().as_bytes())
                    }) else {
                        return;
                    };
                    if r.status == 201 {
                        let v = r.json();
                        acked.lock().unwrap().push((v["id"].as_str().unwrap().to_string(), v["version"].as_u64().unwrap()));
                    }
                }
            })
        })
        .collect();
    // Let the burst run, then pull the plug.
    while acked.lock().unwrap().len() < 300 {
        std::thread::sleep(Duration::from_millis(5));
    }
    s.kill9();
    for w in writers {
        let _ = w.join();
    }
    let acked = acked.lock().unwrap().clone();
    s.start_again();

    let r = raw_request(
        s.addr,
        "GET",
        "/api/reservas?includeStats=false",
        &[("Authorization", &auth)],
        b"",
    );
    let snap = r.json();
    let stored: HashSet<String> = snap["reservas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for (id, _) in &acked {
        assert!(stored.contains(id), "acknowledged write {id} lost");
    }
    let head = snap["version"].as_u64().unwrap();
    let max_acked = acked.iter().map(|(_, v)| *v).max().unwrap();
    assert!(head >= max_acked);
    // The log is gapless 1..=head and matches the rows.
    let ch = raw_request(
        s.addr,
        "GET",
        "/api/reservas/changes?since=0&limit=5000",
        &[("Authorization", &auth)],
        b"",
    )
    .json();
    let ids: Vec<u64> = ch["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (1..=head).collect::<Vec<_>>());
    assert_eq!(stored.len() as u64, head, "one row per create event");
    // The next write continues the sequence.
    let r = raw_request(
        s.addr,
        "POST",
        "/api/reservas",
        &[("Authorization", &auth)],
        br#"{"customerName":"after","date":"2026-12-03","time":"20:00","partySize":2}"#,
    );
    assert_eq!(r.json()["version"].as_u64().unwrap(), head + 1);
}
