//! End-to-end tests of the sync engine through the real `reservas` binary
//! and the real `reservas-server` on loopback, with real cache files. Each
//! test maps to an item of issue 3 ("Tests that must exist") or a field
//! case (F-02..F-06). Durations are shrunk (heartbeat 1 s, poll 2–3 s,
//! backoff cap 1.5 s) keeping the field's ratios; waits poll with generous
//! deadlines, never a fixed sleep standing in for an assertion.

mod common;

use common::*;
use reservas_sync::cache::Cache;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(30);

/// Waits until the cache (read by another process, as the UI would) equals
/// the server's snapshot field for field, and the cursor its version.
fn wait_converged(api: &Api, g: &[String]) {
    wait_for("cache == server snapshot", LONG, || {
        let snap = api.snapshot();
        let (rows, cursor) = cached(g);
        (sorted_json(&rows) == sorted_json(&snap.reservas) && cursor == Some(snap.version))
            .then_some(())
    });
}

/// Event ids of the notices a tail printed; panics on a duplicate.
fn notice_ids(tail: &Tail) -> BTreeSet<u64> {
    let mut seen = BTreeSet::new();
    for n in tail.notices() {
        let id = n["eventId"].as_u64().expect("notice eventId");
        assert!(seen.insert(id), "notice for event {id} emitted twice: {n}");
    }
    seen
}

#[test]
fn kill9_server_mid_stream_resumes_from_cursor_without_duplicate_notices() {
    let (mut server, token) = start_server(server_opts());
    let api = Api::new(&server.url(), &token);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), &token, &cache_file(&dir), &fast_flags(2));
    let first: Vec<_> = (0..5).map(|i| api.create(&format!("Antes {i}"))).collect();

    let tail = Tail::start(&g);
    tail.wait_state("live", 0, LONG);
    let snap_diff = tail.wait_line("first snapshot diff", 0, LONG, |v| {
        v["kind"] == "diff" && v["upserts"].as_array().is_some_and(|a| a.len() == 5)
    });
    let snap_version = tail.values()[snap_diff]["version"].as_u64().unwrap();

    // Writes run continuously on another thread; the server dies in the
    // middle of them and comes back while they go on.
    let url = server.url();
    let tok = token.clone();
    let ids: Vec<String> = first.iter().map(|r| r.id.clone()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let (stop_w, done_w) = (stop.clone(), done.clone());
    let writer = std::thread::spawn(move || {
        let api = Api::new(&url, &tok);
        let mut i = 0;
        while !stop_w.load(Ordering::SeqCst) {
            if api.try_create(&format!("Durante {i}")).is_some() {
                done_w.fetch_add(1, Ordering::SeqCst);
            }
            let _ = api
                .rt
                .block_on(api.client.checkin_by_id(&ids[i % ids.len()]));
            i += 1;
        }
    });
    wait_for("some burst events in the cache", LONG, || {
        (tail.upserted_ids().len() > 10).then_some(())
    });
    let before_kill = tail.count();
    server.kill9();
    tail.wait_line("leaves live after the kill", before_kill, LONG, |v| {
        v["kind"] == "status" && v["state"] != "live"
    });
    let done_at_kill = done.load(Ordering::SeqCst);
    server.start_again();
    let back = tail.wait_state("live", before_kill, LONG);
    wait_for("writes after the restart", LONG, || {
        (done.load(Ordering::SeqCst) >= done_at_kill + 20).then_some(())
    });
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();

    // Every reconnect wait respects the floor (F-03).
    for v in tail
        .values()
        .iter()
        .skip(before_kill)
        .take(back - before_kill)
    {
        if let Some(ms) = v["nextRetryMs"].as_u64() {
            assert!(ms <= 1500, "wait above the cap: {v}");
        }
    }
    // More changes after the restart, including check-ins (notices).
    let after = api.create("Después");
    api.checkin(&after.id);
    api.checkin(&first[0].id);
    wait_converged(&api, &g);

    // Exactly one notice per notable event of the server's log after the
    // first snapshot (rows that came in it are state, not news).
    let want: BTreeSet<u64> = api
        .log()
        .iter()
        .filter(|e| e.id > snap_version)
        .filter(|e| {
            matches!(
                e.name(),
                "qr-scanned" | "reservation-created" | "reservation-deleted"
            )
        })
        .map(|e| e.id)
        .collect();
    wait_for("one notice per notable event", LONG, || {
        (notice_ids(&tail) == want).then_some(())
    });
}

#[test]
fn unreachable_server_at_start_is_offline_with_cache_then_live() {
    let (mut server, token) = start_server(server_opts());
    let api = Api::new(&server.url(), &token);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), &token, &cache_file(&dir), &fast_flags(2));
    let a = api.create("Cacheada");
    // Fill the cache once (list syncs first), then the server goes away.
    let (code, _, err) = run_cli(&g, &["list"]);
    assert_eq!(code, 0, "{err}");
    server.kill9();

    // list --offline never touches the network and says how old it is.
    let (code, out, err) = run_cli(&g, &["list", "--offline"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Cacheada"), "{out}");
    assert!(err.contains("last synced"), "{err}");

    let tail = Tail::start(&g);
    // Cache first: the cached row is out before any status of the network.
    let first = tail.wait_line("cached rows", 0, LONG, |v| has_upsert(v, &a.id));
    let offline = tail.wait_state("offline", 0, LONG);
    assert!(first < offline);
    let st = &tail.values()[offline];
    assert!(
        st["lastSynced"].is_string(),
        "offline says how old the cache is: {st}"
    );
    assert!(
        st["attempt"].as_u64().is_some() && st["nextRetryMs"].as_u64().is_some(),
        "{st}"
    );

    server.start_again();
    let live = tail.wait_state("live", offline, LONG);
    let b = api.create("Nueva");
    tail.wait_line("row created after coming back", live, LONG, |v| {
        has_upsert(v, &b.id)
    });
    wait_converged(&api, &g);
}

#[test]
fn refused_stream_falls_back_to_polling_then_recovers_and_polling_stops() {
    let (server, token) = start_server(server_opts());
    let api = Api::new(&server.url(), &token);
    let proxy = Proxy::start(server.addr);
    let dir = tempfile::tempdir().unwrap();
    let poll = 3u64;
    let g = global(&proxy.url(), &token, &cache_file(&dir), &fast_flags(poll));
    let tail = Tail::start(&g);
    tail.wait_state("live", 0, LONG);

    // The events route answers 503 from now on; the live stream is cut.
    proxy.refuse_events(true);
    let cut = tail.count();
    proxy.sever_all();
    let polling = tail.wait_state("polling", cut, LONG);
    let t_polling = tail.snapshot()[polling].0;

    let r = api.create("Por sondeo");
    let t_created = Instant::now();
    let got = tail.wait_line("row via polling", polling, LONG, |v| has_upsert(v, &r.id));
    let lag = tail.snapshot()[got].0 - t_created;
    assert!(
        lag <= Duration::from_secs(poll) + Duration::from_millis(1500),
        "a change arrives within one poll interval: {lag:?}"
    );

    // Polls keep their interval while stream retries go on (F-06).
    let polls_at = |from: Instant| -> Vec<Instant> {
        proxy
            .requests()
            .into_iter()
            .filter(|(t, p)| *t >= from && p.starts_with("/api/reservas/changes"))
            .map(|(t, _)| t)
            .collect()
    };
    let events_before = proxy.count("/api/reservas/events");
    wait_for("three polls", LONG, || {
        (polls_at(t_polling).len() >= 4).then_some(())
    });
    let polls = polls_at(t_polling);
    for w in polls.windows(2) {
        let gap = w[1] - w[0];
        assert!(
            gap >= Duration::from_millis(poll * 900) && gap <= Duration::from_millis(poll * 1300),
            "poll gap {gap:?} not ≈ {poll} s"
        );
    }
    assert!(
        proxy.count("/api/reservas/events") > events_before,
        "stream retries continue while polling"
    );
    assert!(!tail.states_from(cut).iter().any(|s| s == "offline"));

    // The stream comes back: live within the backoff cap, polling stops.
    proxy.refuse_events(false);
    let t_back = Instant::now();
    let live = tail.wait_state("live", polling, LONG);
    assert!(
        tail.snapshot()[live].0 - t_back <= Duration::from_millis(1500 + 2000),
        "live within the cap (+ slack)"
    );
    let t_live = Instant::now();
    let r2 = api.create("En vivo");
    tail.wait_line("live row", live, Duration::from_secs(5), |v| {
        has_upsert(v, &r2.id)
    });
    // Absence of polls can only be shown over a window: two poll intervals.
    wait_for("two poll intervals pass", LONG, || {
        (t_live.elapsed() >= Duration::from_secs(2 * poll)).then_some(())
    });
    assert_eq!(polls_at(t_live).len(), 0, "no polling while live");
}

#[test]
fn half_open_connection_is_detected_by_the_watchdog() {
    let (server, token) = start_server(server_opts());
    let api = Api::new(&server.url(), &token);
    let proxy = Proxy::start(server.addr);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&proxy.url(), &token, &cache_file(&dir), &fast_flags(2));
    let tail = Tail::start(&g);
    tail.wait_state("live", 0, LONG);

    // Packets vanish but nobody closes anything.
    let from = tail.count();
    let t0 = Instant::now();
    proxy.freeze_existing();
    let r = api.create("Tras el corte");
    let left = tail.wait_line("watchdog fires", from, LONG, |v| {
        v["kind"] == "status" && v["state"] != "live"
    });
    let detected = tail.snapshot()[left].0 - t0;
    let why = tail.values()[left]["error"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(why.contains("no data"), "watchdog reason: {why}");
    // 3 heartbeats of 1 s, plus slack for the last heartbeat's timing.
    assert!(
        detected >= Duration::from_millis(2000) && detected <= Duration::from_millis(4500),
        "detected after {detected:?}"
    );
    tail.wait_state("live", left, LONG);
    tail.wait_line("row after reconnect", from, LONG, |v| has_upsert(v, &r.id));
    wait_converged(&api, &g);
}

#[test]
fn reset_and_410_resnapshot_and_converge() {
    let opts = ServerOpts {
        history: 5,
        ..server_opts()
    };
    let (server, token) = start_server(opts);
    let api = Api::new(&server.url(), &token);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), &token, &cache_file(&dir), &fast_flags(2));
    let a = api.create("Uno");
    let b = api.create("Dos");

    // Stream: the cursor falls out of the retained history while the
    // client is away → `reset` → re-snapshot.
    let mut tail = Tail::start(&g);
    tail.wait_state("live", 0, LONG);
    tail.wait_line("both rows", 0, LONG, |v| has_upsert(v, &b.id));
    assert_eq!(tail.terminate(), Some(0), "tail exits cleanly on SIGTERM");
    for i in 0..8 {
        api.create(&format!("Ausente {i}"));
    }
    api.checkin(&a.id);
    api.rt.block_on(api.client.delete(&b.id)).unwrap();
    let tail = Tail::start_with_log(&g, "reservas_sync=info");
    tail.wait_state("live", 0, LONG);
    wait_converged(&api, &g);
    wait_for("reset logged", LONG, || {
        tail.stderr
            .lock()
            .unwrap()
            .contains("re-snapshot")
            .then_some(())
    });
    // The re-snapshot's diff names the deleted row and is not the whole list
    // again for rows that did not change.
    tail.wait_line("removal of the deleted row", 0, LONG, |v| {
        v["kind"] == "diff"
            && v["removals"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == b.id.as_str()))
    });
    drop(tail);

    // Polling: /changes answers 410 for a cursor that old → re-snapshot.
    for i in 0..8 {
        api.create(&format!("Otra vez {i}"));
    }
    let mut gp = g.clone();
    gp.push("--no-stream".into());
    let tail = Tail::start_with_log(&gp, "reservas_sync=info");
    tail.wait_state("polling", 0, LONG);
    wait_converged(&api, &g);
    wait_for("410 logged", LONG, || {
        tail.stderr.lock().unwrap().contains("410").then_some(())
    });
}

#[test]
fn kill9_tail_during_a_burst_keeps_rows_and_cursor_in_step() {
    let (server, token) = start_server(server_opts());
    let api = Api::new(&server.url(), &token);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), &token, &cache_file(&dir), &fast_flags(2));
    let mut tail = Tail::start(&g);
    tail.wait_state("live", 0, LONG);

    // 1,000 events: 600 creates and 400 check-ins, 8 at a time.
    let url = server.url();
    let tok = token.clone();
    let burst = std::thread::spawn(move || {
        let api = Api::new(&url, &tok);
        api.rt.block_on(async {
            use futures::StreamExt;
            let client = &api.client;
            let created: Vec<_> = futures::stream::iter(0..600)
                .map(|i| async move {
                    client
                        .create(&new_row(&format!("Ráfaga {i}")))
                        .await
                        .expect("create")
                })
                .buffer_unordered(8)
                .collect()
                .await;
            futures::stream::iter(created.iter().take(400))
                .map(|r| async move { client.checkin_by_id(&r.id).await.expect("checkin") })
                .buffer_unordered(8)
                .collect::<Vec<_>>()
                .await;
        });
    });
    wait_for("part of the burst applied", LONG, || {
        (tail.upserted_ids().len() >= 150).then_some(())
    });
    tail.kill9();
    let (rows, cursor) = cached(&g);
    let cursor = cursor.expect("a cursor");
    burst.join().unwrap();
    let log = api.log();
    assert_eq!(log.len(), 1000);
    assert!(cursor < 1000, "killed mid-burst (cursor {cursor})");

    // Rows and cursor agree: the cache is exactly the log replayed up to
    // the cursor, not one event more or less.
    let mut expected = Cache::open_in_memory().unwrap();
    expected
        .apply_events(
            &log.iter()
                .filter(|e| e.id <= cursor)
                .cloned()
                .collect::<Vec<_>>(),
        )
        .unwrap();
    let want = expected.rows(None).unwrap();
    assert_eq!(
        sorted_json(&rows),
        sorted_json(&want),
        "cache at cursor {cursor}"
    );

    // Restart: it resumes from the cursor and converges.
    let tail = Tail::start(&g);
    tail.wait_state("live", 0, LONG);
    wait_converged(&api, &g);
    // Resumed, not re-snapshotted: the first diff after start is the cache.
    let ids = notice_ids(&tail);
    assert!(
        ids.iter().all(|&id| id > cursor),
        "no notice repeated across the kill"
    );
}

#[test]
fn malformed_event_payload_is_logged_and_skipped() {
    let row = |id: u64, name: &str| {
        format!(
            r#"{{"id":"r{id}","businessId":"b","customerName":"{name}","date":"{d}","time":"20:00","partySize":2,"status":"confirmed","asistenciaActual":0,"qrToken":"q{id}","version":{id},"createdAt":"t","updatedAt":"t"}}"#,
            d = today()
        )
    };
    let created = |id: u64, name: &str| {
        format!(
            "id: {id}\nevent: reservation-created\ndata: {{\"type\":\"reservation-created\",\"id\":{id},\"at\":\"t\",\"reservaId\":\"r{id}\",\"reserva\":{}}}\n\n",
            row(id, name)
        )
    };
    let frames = vec![
        "retry: 1000\nevent: connected\ndata: {\"connectionId\":\"c\",\"version\":0,\"heartbeatSecs\":1}\n\n".to_string(),
        "id: 1\nevent: reservation-created\ndata: {\"type\":\"reservation-created\",\"id\":1,\"reserva\":{oops\n\n".to_string(),
        created(2, "Buena"),
        "id: 3\nevent: qr-scanned\ndata: [1,2,3]\n\n".to_string(),
        created(4, "Después"),
    ];
    let fake = FakeSse::start(0, frames, Duration::from_millis(200));
    let dir = tempfile::tempdir().unwrap();
    let g = global(&fake.url(), "t", &cache_file(&dir), &fast_flags(2));
    let tail = Tail::start(&g);
    let live = tail.wait_state("live", 0, LONG);
    tail.wait_line("event 2", live, LONG, |v| has_upsert(v, "r2"));
    tail.wait_line("event 4 after the bad ones", live, LONG, |v| {
        has_upsert(v, "r4")
    });
    let err = tail.stderr.lock().unwrap().clone();
    assert_eq!(
        err.matches("malformed event payload skipped").count(),
        2,
        "{err}"
    );
    assert_eq!(
        tail.states_from(live),
        vec!["live"],
        "the engine never stopped"
    );
    let (rows, cursor) = cached(&g);
    assert_eq!(
        rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["r2", "r4"]
    );
    assert_eq!(cursor, Some(4));
}

#[test]
fn an_idle_engine_makes_no_request_besides_its_stream() {
    let (server, token) = start_server(server_opts());
    let proxy = Proxy::start(server.addr);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&proxy.url(), &token, &cache_file(&dir), &fast_flags(2));
    let tail = Tail::start(&g);
    let live = tail.wait_state("live", 0, LONG);
    let before = proxy.requests();
    let t0 = Instant::now();
    // F-02: five heartbeat intervals of silence but for `: ping`.
    wait_for("five heartbeats", LONG, || {
        (t0.elapsed() >= Duration::from_secs(5)).then_some(())
    });
    let after = proxy.requests();
    assert_eq!(
        after.len(),
        before.len(),
        "requests while idle: {:?}",
        &after[before.len()..]
    );
    assert_eq!(
        tail.states_from(live),
        vec!["live"],
        "no reconnect, no polling"
    );
    let by_route: BTreeMap<String, usize> = after.iter().fold(BTreeMap::new(), |mut m, (_, p)| {
        *m.entry(p.split('?').next().unwrap_or("").to_string())
            .or_default() += 1;
        m
    });
    // From start: one snapshot, one stream.
    assert_eq!(
        by_route.get("/api/reservas/events"),
        Some(&1),
        "{by_route:?}"
    );
    assert_eq!(by_route.values().sum::<usize>(), 2, "{by_route:?}");
}

#[test]
fn cli_errors_are_one_line_and_non_zero() {
    let (server, token) = start_server(server_opts());
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), &token, &cache_file(&dir), &[]);
    let (code, out, err) = run_cli(&g, &["checkin", "no-such-token"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: HTTP 404"), "{err}");
    let (code, _, err) = run_cli(
        &g,
        &[
            "create",
            "--name",
            "X",
            "--date",
            &today(),
            "--time",
            "20:00",
            "--party",
            "0",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("partySize"), "{err}");
    // create → status → checkin by token → list --json shows it.
    let (code, out, err) = run_cli(
        &g,
        &[
            "create",
            "--name",
            "Ana",
            "--date",
            &today(),
            "--time",
            "20:00",
            "--party",
            "3",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(out.trim()).unwrap();
    let id = r["id"].as_str().unwrap();
    assert_eq!(run_cli(&g, &["status", id, "seated"]).0, 0);
    let qr = r["qrToken"].as_str().unwrap();
    let (code, out, _) = run_cli(&g, &["checkin", qr]);
    assert_eq!(code, 0);
    assert!(out.contains("1/3"), "{out}");
    let (code, out, _) = run_cli(&g, &["list", "--json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(doc["reservas"][0]["status"], "seated");
    assert_eq!(doc["reservas"][0]["asistenciaActual"], 1);
    assert_eq!(doc["stats"]["arrivedGuests"], 1);
    let (code, _, err) = run_cli(&[], &["list"]);
    assert_ne!(code, 0);
    assert!(err.contains("--server"), "{err}");
}

#[test]
fn a_clean_end_of_the_stream_is_a_disconnect() {
    // F-04: a graceful server shutdown ends the response normally. The
    // engine must leave `live` at once and reconnect on its backoff, so a
    // row created meanwhile arrives without waiting for a poll (the poll
    // interval here is far longer than the test).
    let (mut server, token) = start_server(server_opts());
    let api = Api::new(&server.url(), &token);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), &token, &cache_file(&dir), &fast_flags(600));
    let tail = Tail::start(&g);
    let live = tail.wait_state("live", 0, LONG);
    let t0 = Instant::now();
    assert!(server.terminate().is_some(), "server stops on SIGTERM");
    let left = tail.wait_line("leaves live", live + 1, LONG, |v| {
        v["kind"] == "status" && v["state"] != "live"
    });
    assert!(tail.snapshot()[left].0 - t0 < Duration::from_secs(3));
    server.start_again();
    let r = api.create("Tras reinicio");
    let t1 = Instant::now();
    tail.wait_line("row after a clean end", left, LONG, |v| {
        has_upsert(v, &r.id)
    });
    assert!(
        t1.elapsed() < Duration::from_secs(10),
        "arrived by the stream, not a poll"
    );
    tail.wait_state("live", left, LONG);
}

#[test]
fn last_event_id_follows_the_cursor_across_drops_and_restarts() {
    // F-05: events 5, 6, 7, a block with no id, drop; 8, 9, drop; drop
    // again → the reconnects send 7, 9, 9; after a restart of the client,
    // 9 again. F-03: the first block says `retry: 0`, and still no two
    // attempts come closer than the 500 ms floor.
    let connected = |retry: u64| {
        format!(
            "retry: {retry}\nevent: connected\ndata: {{\"connectionId\":\"c\",\"version\":4,\"heartbeatSecs\":1}}\n\n"
        )
    };
    let scripts = vec![
        format!(
            "{}{}{}{}data: no id here\n\n",
            connected(0),
            created_frame(5),
            created_frame(6),
            created_frame(7)
        ),
        format!("{}{}{}", connected(0), created_frame(8), created_frame(9)),
        connected(0),
    ];
    let fake = ScriptedSse::start(4, scripts);
    let dir = tempfile::tempdir().unwrap();
    let g = global(&fake.url(), "t", &cache_file(&dir), &fast_flags(600));
    let mut tail = Tail::start(&g);
    wait_for("four stream connections", LONG, || {
        (fake.seen.lock().unwrap().len() >= 4).then_some(())
    });
    tail.wait_line("event 9", 0, LONG, |v| has_upsert(v, "r9"));
    tail.kill9();
    let tail = Tail::start(&g);
    wait_for("a fifth connection after the restart", LONG, || {
        (fake.seen.lock().unwrap().len() >= 5).then_some(())
    });
    let ids: Vec<Option<String>> = fake.last_event_ids().into_iter().take(5).collect();
    let want: Vec<Option<String>> = ["4", "7", "9", "9", "9"]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
    assert_eq!(ids, want);
    let times: Vec<Instant> = fake.seen.lock().unwrap().iter().map(|(t, _)| *t).collect();
    for w in times[..4].windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(490),
            "attempts {:?} apart",
            w[1] - w[0]
        );
    }
    let (rows, cursor) = cached(&g);
    assert_eq!(rows.len(), 5);
    assert_eq!(cursor, Some(9));
    drop(tail);
}
