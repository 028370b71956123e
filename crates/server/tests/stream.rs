//! The SSE stream against the real binary: framing, resume with
//! Last-Event-ID under concurrent writes, `reset`, heartbeats, isolation,
//! slow readers and graceful shutdown.

use reservas_tests::sse::{Item, SseClient};
use reservas_tests::{Server, ServerOpts, raw_request, wait_for};
use serde_json::json;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_reservas-server"))
}

fn create(addr: SocketAddr, token: &str, name: &str) -> serde_json::Value {
    let body = json!({"customerName": name, "date": "2026-12-03", "time": "20:00", "partySize": 2});
    let r = raw_request(
        addr,
        "POST",
        "/api/reservas",
        &[("Authorization", &format!("Bearer {token}"))],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

fn metric(addr: SocketAddr, name: &str) -> u64 {
    let r = raw_request(addr, "GET", "/metrics", &[], b"");
    r.body
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connected_first_then_events_with_the_right_headers() {
    let s = Server::start(
        bin(),
        ServerOpts {
            retry_ms: 2500,
            heartbeat_secs: 7,
            ..Default::default()
        },
    );
    let (_, token) = s.create_business(Some("b"));
    create(s.addr, &token, "antes");
    // A client that asks for compression still gets a plain stream (F-07).
    let mut c = SseClient::connect(
        &s.url(),
        Some(&token),
        None,
        "",
        &[("Accept-Encoding", "gzip, br")],
    )
    .await;
    assert_eq!(c.status, 200);
    let h = |k: &str| c.headers.get(k).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(h("content-type").as_deref(), Some("text/event-stream"));
    assert_eq!(
        h("cache-control").as_deref(),
        Some("no-cache, no-transform")
    );
    assert_eq!(h("x-accel-buffering").as_deref(), Some("no"));
    assert_eq!(h("content-encoding"), None);

    let first = c.next_frame(WAIT).await;
    assert_eq!(first.event.as_deref(), Some("connected"));
    assert_eq!(first.retry, Some(2500));
    assert_eq!(first.id, None, "connected carries no id");
    let data = first.json();
    assert_eq!(
        (data["version"].clone(), data["heartbeatSecs"].clone()),
        (json!(1), json!(7))
    );
    assert!(data["connectionId"].is_string());

    // No Last-Event-ID: only what happens from now on.
    let t0 = Instant::now();
    let row = create(s.addr, &token, "Ana");
    let f = c.next_frame(WAIT).await;
    eprintln!("one event delivered in {:?}", t0.elapsed());
    assert_eq!(f.id.as_deref(), Some("2"));
    assert_eq!(f.event.as_deref(), Some("reservation-created"));
    let ev = f.json();
    assert_eq!(ev["type"], "reservation-created");
    assert_eq!(ev["id"], 2);
    assert_eq!(ev["reservaId"], row["id"]);
    assert_eq!(ev["reserva"], row);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_gets_every_missed_event_once_in_order() {
    let s = Server::start(bin(), ServerOpts::default());
    let (_, token) = s.create_business(Some("b"));
    let addr = s.addr;
    let t = token.clone();
    const N: u64 = 300;
    let writer = std::thread::spawn(move || {
        for i in 0..N {
            create(addr, &t, &format!("n{i}"));
        }
    });
    let mut seen: Vec<u64> = Vec::new();
    let mut last: Option<String> = Some("0".into());
    // Disconnect and reconnect several times while the writer runs.
    for round in 0..6 {
        let mut c = SseClient::connect(&s.url(), Some(&token), last.as_deref(), "", &[]).await;
        assert_eq!(c.next_frame(WAIT).await.event.as_deref(), Some("connected"));
        let want = if round == 5 { N } else { 10 * (round + 1) };
        let mut got_any = false;
        while seen.last().copied().unwrap_or(0) < want {
            let f = c.next_frame(WAIT).await;
            let id = f.id_u64().expect("event id");
            seen.push(id);
            got_any = true;
        }
        assert!(got_any || round > 0);
        last = seen.last().map(|i| i.to_string());
        drop(c);
    }
    writer.join().unwrap();
    assert_eq!(
        seen,
        (1..=N).collect::<Vec<_>>(),
        "every event exactly once, in order"
    );
    assert!(metric(s.addr, "reservas_sse_replays_total") >= 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_when_the_id_is_too_old_or_too_new() {
    let s = Server::start(
        bin(),
        ServerOpts {
            history: 5,
            ..Default::default()
        },
    );
    let (_, token) = s.create_business(Some("b"));
    for i in 0..20 {
        create(s.addr, &token, &format!("n{i}"));
    }
    for (last, reason) in [
        ("2", "history-gone"),
        ("14", "history-gone"),
        ("21", "ahead-of-log"),
        ("999999", "ahead-of-log"),
    ] {
        let mut c = SseClient::connect(&s.url(), Some(&token), Some(last), "", &[]).await;
        assert_eq!(c.next_frame(WAIT).await.event.as_deref(), Some("connected"));
        let f = c.next_frame(WAIT).await;
        assert_eq!(f.event.as_deref(), Some("reset"), "Last-Event-ID {last}");
        assert_eq!(f.id, None, "reset carries no id");
        assert_eq!(f.json(), json!({"reason": reason, "version": 20}));
        assert_eq!(c.next(WAIT).await.1, Item::End, "stream closed after reset");
    }
    // The oldest id still served, through the query parameter this time.
    let mut c = SseClient::connect(&s.url(), Some(&token), None, "?lastEventId=15", &[]).await;
    c.next_frame(WAIT).await;
    let ids: Vec<_> = c
        .frames_until(20, WAIT)
        .await
        .iter()
        .map(|f| f.id_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![16, 17, 18, 19, 20]);
    // A non-numeric id is a client error, not a crash.
    let r = raw_request(
        s.addr,
        "GET",
        "/api/reservas/events",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Last-Event-ID", "abc"),
        ],
        b"",
    );
    assert_eq!(r.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_on_an_idle_stream_and_never_inside_a_frame() {
    let s = Server::start(
        bin(),
        ServerOpts {
            heartbeat_secs: 1,
            ..Default::default()
        },
    );
    let (_, token) = s.create_business(Some("b"));
    let mut c = SseClient::connect(&s.url(), Some(&token), None, "", &[]).await;
    c.next_frame(WAIT).await;
    // Idle: pings about every second.
    let mut pings = Vec::new();
    while pings.len() < 4 {
        match c.next(WAIT).await {
            (at, Item::Comment(text)) => {
                assert_eq!(text, "ping");
                pings.push(at);
            }
            other => panic!("unexpected {other:?} on an idle stream"),
        }
    }
    for w in pings.windows(2) {
        let gap = w[1] - w[0];
        assert!(
            gap >= Duration::from_millis(800) && gap <= Duration::from_millis(2500),
            "gap {gap:?}"
        );
    }
    // F-02: 200 events over ~2 s with heartbeats running: every frame is
    // made only of field lines; comments only between frames.
    let addr = s.addr;
    let t = token.clone();
    let writer = std::thread::spawn(move || {
        for i in 0..200 {
            create(addr, &t, &format!("n{i}"));
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let frames = c.frames_until(200, Duration::from_secs(30)).await;
    writer.join().unwrap();
    assert_eq!(frames.len(), 200);
    for f in &frames {
        assert_eq!(f.lines.len(), 3, "id, event, data: {:?}", f.lines);
        assert!(
            f.lines[0].starts_with("id: ")
                && f.lines[1].starts_with("event: ")
                && f.lines[2].starts_with("data: ")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_business_gets_exactly_its_own_events() {
    // F-01: 1, 12 and 21 are distinct businesses, not prefixes.
    let s = Server::start(bin(), ServerOpts::default());
    let (_, t1) = s.create_business(Some("1"));
    let (_, t12) = s.create_business(Some("12"));
    let (_, t21) = s.create_business(Some("21"));
    let r1 = create(s.addr, &t1, "uno");
    let r21 = create(s.addr, &t21, "veintiuno");
    let mut s1 = SseClient::connect(&s.url(), Some(&t1), Some("1"), "", &[]).await;
    let mut s12 = SseClient::connect(&s.url(), Some(&t12), None, "", &[]).await;
    let mut s21 = SseClient::connect(&s.url(), Some(&t21), Some("1"), "", &[]).await;
    for c in [&mut s1, &mut s12, &mut s21] {
        assert_eq!(c.next_frame(WAIT).await.event.as_deref(), Some("connected"));
    }
    let r12 = create(s.addr, &t12, "doce");
    let auth = |t: &str| format!("Bearer {t}");
    let qr = r21["qrToken"].as_str().unwrap();
    assert_eq!(
        raw_request(
            s.addr,
            "POST",
            "/api/checkin",
            &[("Authorization", &auth(&t21))],
            json!({"qrToken": qr}).to_string().as_bytes()
        )
        .status,
        200
    );
    let path = format!("/api/reservas/{}", r1["id"].as_str().unwrap());
    assert_eq!(
        raw_request(
            s.addr,
            "PATCH",
            &path,
            &[("Authorization", &auth(&t1))],
            br#"{"partySize":5}"#
        )
        .status,
        200
    );

    let f = s1.next_frame(WAIT).await;
    assert_eq!(
        (f.event.as_deref(), f.json()["reservaId"].clone()),
        (Some("reservation-updated"), r1["id"].clone())
    );
    let f = s12.next_frame(WAIT).await;
    assert_eq!(
        (f.event.as_deref(), f.json()["reservaId"].clone()),
        (Some("reservation-created"), r12["id"].clone())
    );
    let f = s21.next_frame(WAIT).await;
    assert_eq!(
        (f.event.as_deref(), f.json()["reservaId"].clone()),
        (Some("qr-scanned"), r21["id"].clone())
    );
    for c in [&mut s1, &mut s12, &mut s21] {
        let extra: Vec<_> = c
            .drain_for(Duration::from_millis(500))
            .await
            .into_iter()
            .filter(|i| matches!(i, Item::Frame(_)))
            .collect();
        assert!(extra.is_empty(), "only its own one event: {extra:?}");
    }
    // No token, an unknown token, a blank access_token: refused, never "all".
    for q in ["", "?access_token=", "?access_token=nope"] {
        let r = raw_request(s.addr, "GET", &format!("/api/reservas/events{q}"), &[], b"");
        assert_eq!(r.status, 401, "{q}");
    }
    let r = raw_request(
        s.addr,
        "GET",
        "/api/reservas/events?businessId=12",
        &[("Authorization", &auth(&t1))],
        b"",
    );
    assert_eq!(r.status, 403);
    // A repeated access_token is ambiguous: refused.
    let r = raw_request(
        s.addr,
        "GET",
        &format!("/api/reservas/events?access_token={t12}&access_token={t1}"),
        &[],
        b"",
    );
    assert_eq!(r.status, 401);
    // access_token works on the stream.
    let mut q =
        SseClient::connect(&s.url(), None, None, &format!("?access_token={t12}"), &[]).await;
    assert_eq!(q.status, 200);
    assert_eq!(q.next_frame(WAIT).await.event.as_deref(), Some("connected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_reader_does_not_hold_up_another() {
    let s = Server::start(bin(), ServerOpts::default());
    let (_, token) = s.create_business(Some("b"));
    // A client that subscribes and then never reads a byte.
    let mut stalled = TcpStream::connect(s.addr).unwrap();
    write!(
        stalled,
        "GET /api/reservas/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    wait_for("stalled stream open", WAIT, || {
        (metric(s.addr, "reservas_sse_connections") == 1).then_some(())
    });
    let mut live = SseClient::connect(&s.url(), Some(&token), None, "", &[]).await;
    live.next_frame(WAIT).await;
    // ~8 MB of events: far beyond the socket buffers of the stalled one.
    let notes = "x".repeat(3500);
    let addr = s.addr;
    let t = token.clone();
    const N: u64 = 2000;
    let writer = std::thread::spawn(move || {
        let mut worst = Duration::ZERO;
        for i in 0..N {
            let body = json!({"customerName": format!("n{i}"), "date": "2026-12-03", "time": "20:00", "partySize": 2, "notes": notes});
            let t0 = Instant::now();
            let r = raw_request(
                addr,
                "POST",
                "/api/reservas",
                &[("Authorization", &format!("Bearer {t}"))],
                body.to_string().as_bytes(),
            );
            assert_eq!(r.status, 201);
            worst = worst.max(t0.elapsed());
        }
        worst
    });
    let frames = live.frames_until(N, Duration::from_secs(120)).await;
    let worst_write = writer.join().unwrap();
    let ids: Vec<u64> = frames.iter().map(|f| f.id_u64().unwrap()).collect();
    assert_eq!(
        ids,
        (1..=N).collect::<Vec<_>>(),
        "the live reader got everything"
    );
    eprintln!("slowest write while a reader stalled: {worst_write:?}");
    // The stalled connection is still counted as open (it is not dropped for
    // being slow) and will catch up from the log when it reads again.
    assert_eq!(metric(s.addr, "reservas_sse_connections"), 2);
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline
        && !String::from_utf8_lossy(&total).contains(&format!("id: {N}\n"))
    {
        use std::io::Read;
        let n = stalled.read(&mut buf).unwrap();
        total.extend_from_slice(&buf[..n]);
    }
    assert!(
        String::from_utf8_lossy(&total).contains(&format!("id: {N}\n")),
        "the stalled reader caught up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_streams_cleanly_and_clients_resume() {
    let mut s = Server::start(bin(), ServerOpts::default());
    let (_, token) = s.create_business(Some("b"));
    create(s.addr, &token, "uno");
    let mut c = SseClient::connect(&s.url(), Some(&token), Some("0"), "", &[]).await;
    c.next_frame(WAIT).await;
    assert_eq!(c.next_frame(WAIT).await.id_u64(), Some(1));
    let t0 = Instant::now();
    let code = tokio::task::spawn_blocking(move || {
        let code = s.terminate();
        (code, s)
    })
    .await
    .unwrap();
    let (code, mut s) = code;
    assert_eq!(code, Some(0), "clean exit on SIGTERM");
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "open streams did not hold up shutdown"
    );
    assert_eq!(c.next(WAIT).await.1, Item::End, "the stream ended cleanly");
    s.start_again();
    create(s.addr, &token, "dos");
    let mut c = SseClient::connect(&s.url(), Some(&token), Some("1"), "", &[]).await;
    c.next_frame(WAIT).await;
    assert_eq!(c.next_frame(WAIT).await.id_u64(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_never_send_a_request_are_closed_but_streams_live_on() {
    // A connection that sends nothing, or half a request head, must not hold
    // a socket (and a file descriptor) forever; a stream that is serving
    // events is not a half-sent request and must stay open.
    let s = Server::start(
        bin(),
        ServerOpts {
            heartbeat_secs: 1,
            extra_args: vec!["--header-read-timeout-secs".into(), "1".into()],
            ..Default::default()
        },
    );
    let (_, token) = s.create_business(Some("b"));
    let mut c = SseClient::connect(&s.url(), Some(&token), None, "", &[]).await;
    c.next_frame(WAIT).await;
    let mut idle: Vec<TcpStream> = Vec::new();
    for i in 0..20 {
        let mut sock = TcpStream::connect(s.addr).unwrap();
        if i % 2 == 1 {
            write!(sock, "GET /api/reservas/events HTTP/1.1\r\nHost: x\r\n").unwrap();
        }
        sock.set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        idle.push(sock);
    }
    let closed = tokio::task::spawn_blocking(move || {
        idle.iter_mut()
            .map(|sock| {
                use std::io::Read;
                let mut buf = [0u8; 1024];
                let t0 = Instant::now();
                // EOF (0 bytes), a 408 answer then EOF, or a reset: all mean closed.
                loop {
                    match sock.read(&mut buf) {
                        Ok(0) | Err(_) => return t0.elapsed(),
                        Ok(_) => continue,
                    }
                }
            })
            .max()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        closed < Duration::from_secs(10),
        "idle sockets closed by the server (slowest after {closed:?})"
    );
    // The stream is still there, well past the timeout, and still delivers.
    create(s.addr, &token, "after");
    assert_eq!(c.next_frame(WAIT).await.id_u64(), Some(1));
    assert_eq!(
        raw_request(s.addr, "GET", "/api/health", &[], b"").status,
        200
    );
}
