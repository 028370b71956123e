//! Every REST route of PROTOCOL.md against the real binary on loopback with
//! a real SQLite file: happy paths, each error status, and a table of
//! malformed inputs that must each get their status and change nothing.

use reservas_tests::{ADMIN_TOKEN, RawResponse, Server, ServerOpts, raw_request};
use serde_json::{Value, json};
use std::path::Path;

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_reservas-server"))
}

struct Api<'a> {
    s: &'a Server,
    token: String,
}

impl Api<'_> {
    fn call(&self, method: &str, path: &str, body: &[u8]) -> RawResponse {
        self.call_h(method, path, body, &[])
    }
    fn call_h(&self, method: &str, path: &str, body: &[u8], extra: &[(&str, &str)]) -> RawResponse {
        let auth = format!("Bearer {}", self.token);
        let mut h = vec![("Authorization", auth.as_str())];
        h.extend_from_slice(extra);
        raw_request(self.s.addr, method, path, &h, body)
    }
    fn create(&self, body: Value) -> Value {
        let r = self.call("POST", "/api/reservas", body.to_string().as_bytes());
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()
    }
    /// Everything a client could observe: all rows and the log head.
    fn state(&self) -> (Value, u64) {
        let r = self.call("GET", "/api/reservas?includeStats=false", b"");
        assert_eq!(r.status, 200);
        let v = r.json();
        (v["reservas"].clone(), v["version"].as_u64().unwrap())
    }
}

fn ana() -> Value {
    json!({"customerName": "Ana García", "date": "2026-12-03", "time": "21:30", "partySize": 4,
           "customerPhone": "+34 600 000 000", "customerEmail": "ana@example.com", "table": "12",
           "notes": "cumpleaños"})
}

#[test]
fn health_needs_no_token() {
    let s = Server::start(bin(), ServerOpts::default());
    let r = raw_request(s.addr, "GET", "/api/health", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"status": "ok"}));
}

#[test]
fn admin_routes() {
    let s = Server::start(bin(), ServerOpts::default());
    let admin = format!("Bearer {ADMIN_TOKEN}");
    let post = |path: &str, auth: &str, body: &str| {
        raw_request(
            s.addr,
            "POST",
            path,
            &[("Authorization", auth)],
            body.as_bytes(),
        )
    };
    let r = post(
        "/api/admin/businesses",
        &admin,
        r#"{"id":"terraza","name":"La Terraza","timezone":"Europe/Madrid"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    assert_eq!(v["businessId"], "terraza");
    let token = v["token"].as_str().unwrap();
    assert!(token.len() >= 32, "token has at least 128 bits");
    // The staff token works.
    let r = raw_request(
        s.addr,
        "GET",
        "/api/reservas",
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(r.status, 200);
    // Generated id.
    let r = post("/api/admin/businesses", &admin, r#"{"name":"Sin id"}"#);
    assert_eq!(r.status, 201);
    assert!(reservas_core::api::valid_business_id(
        r.json()["businessId"].as_str().unwrap()
    ));
    // Errors.
    assert_eq!(
        post(
            "/api/admin/businesses",
            &admin,
            r#"{"id":"terraza","name":"x"}"#
        )
        .status,
        409
    );
    assert_eq!(
        post("/api/admin/businesses", "Bearer wrong", r#"{"name":"x"}"#).status,
        401
    );
    assert_eq!(
        post(
            "/api/admin/businesses",
            &format!("Bearer {token}"),
            r#"{"name":"x"}"#
        )
        .status,
        401,
        "a staff token is not an admin token"
    );
    let bad = post(
        "/api/admin/businesses",
        &admin,
        r#"{"id":"a b","name":"x"}"#,
    );
    assert_eq!(
        (bad.status, bad.json()["field"].clone()),
        (422, json!("id"))
    );
    let bad = post(
        "/api/admin/businesses",
        &admin,
        r#"{"name":"x","timezone":"Mars/Olympus"}"#,
    );
    assert_eq!(
        (bad.status, bad.json()["field"].clone()),
        (422, json!("timezone"))
    );
    assert_eq!(
        post("/api/admin/businesses", &admin, r#"{"name":"  "}"#).status,
        422
    );
    assert_eq!(
        post("/api/admin/businesses", &admin, r#"{"name":1}"#).status,
        400
    );
    // Extra tokens.
    let r = post("/api/admin/businesses/terraza/tokens", &admin, "");
    assert_eq!(r.status, 201);
    let second = r.json()["token"].as_str().unwrap().to_string();
    assert_ne!(second, token);
    let r = raw_request(
        s.addr,
        "GET",
        "/api/reservas",
        &[("Authorization", &format!("Bearer {second}"))],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        post("/api/admin/businesses/nope/tokens", &admin, "").status,
        404
    );
    // Tokens are stored hashed: the plain token is nowhere in the database.
    let db = std::fs::read(&s.db).unwrap();
    let wal = std::fs::read(s.db.with_extension("db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "plain token stored"
        );
    }
}

#[test]
fn admin_routes_are_absent_without_an_admin_token() {
    let s = Server::start(
        bin(),
        ServerOpts {
            admin_token: None,
            ..Default::default()
        },
    );
    let r = raw_request(
        s.addr,
        "POST",
        "/api/admin/businesses",
        &[("Authorization", "Bearer anything")],
        br#"{"name":"x"}"#,
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "not_found");
    // Not even a wrong method reveals them.
    let r = raw_request(s.addr, "GET", "/api/admin/businesses", &[], b"");
    assert_eq!(r.status, 404);
}

#[test]
fn reservation_lifecycle() {
    let s = Server::start(bin(), ServerOpts::default());
    let (bid, token) = s.create_business(Some("terraza"));
    let api = Api { s: &s, token };

    let r = api.call("POST", "/api/reservas", ana().to_string().as_bytes());
    assert_eq!(r.status, 201);
    let row = r.json();
    let id = row["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/reservas/{id}").as_str())
    );
    assert_eq!(row["businessId"], bid.as_str());
    assert_eq!(row["status"], "confirmed");
    assert_eq!(row["asistenciaActual"], 0);
    assert_eq!(row["version"], 1);
    assert_eq!(row["table"], "12");
    assert!(row["qrToken"].as_str().unwrap().len() >= 32);
    assert!(row["createdAt"].as_str().unwrap().ends_with('Z'));

    // Read one.
    let r = api.call("GET", &format!("/api/reservas/{id}"), b"");
    assert_eq!((r.status, r.json()), (200, row.clone()));

    // Snapshot with stats, version and ETag → 304.
    api.create(json!({"customerName":"Luis","date":"2026-12-03","time":"13:00","partySize":2,"status":"cancelled"}));
    api.create(json!({"customerName":"Otro día","date":"2026-12-04","time":"13:00","partySize":9}));
    let r = api.call(
        "GET",
        "/api/reservas?date=2026-12-03&from=2026-12-03&to=2026-12-03",
        b"",
    );
    assert_eq!(r.status, 200);
    let snap = r.json();
    assert_eq!(snap["version"], 3);
    let names: Vec<_> = snap["reservas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["customerName"].clone())
        .collect();
    assert_eq!(
        names,
        vec![json!("Luis"), json!("Ana García")],
        "sorted by time, other days excluded"
    );
    assert_eq!(
        snap["stats"],
        json!({"date":"2026-12-03","total":2,"byStatus":{"confirmed":1,"cancelled":1},"expectedGuests":4,"arrivedGuests":0})
    );
    let etag = r.header("etag").unwrap().to_string();
    let r304 = api.call_h(
        "GET",
        "/api/reservas?date=2026-12-03&from=2026-12-03&to=2026-12-03",
        b"",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(r304.status, 304);
    let all = api.call("GET", "/api/reservas", b"").json();
    assert_eq!(
        all["reservas"].as_array().unwrap().len(),
        3,
        "no bounds: every row"
    );

    // PATCH with a status change writes two events; the row ends at N+1.
    let r = api.call_h(
        "PATCH",
        &format!("/api/reservas/{id}"),
        br#"{"status":"seated","table":"7"}"#,
        &[("If-Match", "\"1\"")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let updated = r.json();
    assert_eq!(
        (
            updated["status"].clone(),
            updated["table"].clone(),
            updated["version"].clone()
        ),
        (json!("seated"), json!("7"), json!(5))
    );
    // The list changed: the old ETag no longer matches.
    let r = api.call_h(
        "GET",
        "/api/reservas?date=2026-12-03&from=2026-12-03&to=2026-12-03",
        b"",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(r.status, 200);
    // Stale If-Match → 412, nothing changes.
    let r = api.call_h(
        "PATCH",
        &format!("/api/reservas/{id}"),
        br#"{"partySize":6}"#,
        &[("If-Match", "1")],
    );
    assert_eq!(r.status, 412);
    assert_eq!(r.json()["error"], "version_conflict");
    // PUT means the same as PATCH; null clears an optional field.
    let r = api.call_h(
        "PUT",
        &format!("/api/reservas/{id}"),
        br#"{"partySize":6,"notes":null}"#,
        &[("If-Match", "5")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["partySize"], 6);
    assert!(r.json().get("notes").is_none());
    // `If-Match: *` matches any existing row.
    let r = api.call_h(
        "PATCH",
        &format!("/api/reservas/{id}"),
        br#"{"partySize":6}"#,
        &[("If-Match", "*")],
    );
    assert_eq!(r.status, 200);
    // A patch that changes nothing writes no event.
    let before = api.state().1;
    assert_eq!(
        api.call(
            "PATCH",
            &format!("/api/reservas/{id}"),
            br#"{"partySize":6}"#
        )
        .status,
        200
    );
    assert_eq!(api.state().1, before);

    let ch = api.call("GET", "/api/reservas/changes?since=3", b"").json();
    let types: Vec<_> = ch["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].clone(), e["type"].clone()))
        .collect();
    assert_eq!(
        types,
        vec![
            (json!(4), json!("reservation-updated")),
            (json!(5), json!("status-changed")),
            (json!(6), json!("reservation-updated"))
        ]
    );
    assert_eq!(ch["events"][0]["changed"], json!(["table", "status"]));
    assert_eq!(ch["events"][1]["previousStatus"], "confirmed");
    assert_eq!(
        (ch["version"].clone(), ch["hasMore"].clone()),
        (json!(6), json!(false))
    );

    // Check-in by id and by token: attendance only, status untouched.
    let r = api.call("POST", &format!("/api/reservas/{id}/asistencia"), b"");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"reservaId": id, "asistenciaActual": 1, "clienteNombre": "Ana García", "partySize": 6})
    );
    let qr = row["qrToken"].as_str().unwrap();
    let r = api.call(
        "POST",
        "/api/checkin",
        json!({"qrToken": format!(" {qr}\n")})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(
        (r.status, r.json()["asistenciaActual"].clone()),
        (200, json!(2))
    );
    let now = api.call("GET", &format!("/api/reservas/{id}"), b"").json();
    assert_eq!(
        (
            now["status"].clone(),
            now["asistenciaActual"].clone(),
            now["version"].clone()
        ),
        (json!("seated"), json!(2), json!(8))
    );
    let ev = api.call("GET", "/api/reservas/changes?since=7", b"").json();
    assert_eq!(ev["events"][0]["type"], "qr-scanned");
    assert_eq!(ev["events"][0]["asistenciaActual"], 2);
    assert_eq!(
        api.call("POST", "/api/checkin", br#"{"qrToken":"nope"}"#)
            .status,
        404
    );
    assert_eq!(
        api.call("POST", "/api/checkin", br#"{"qrToken":"  "}"#)
            .status,
        422
    );
    assert_eq!(
        api.call("POST", "/api/reservas/r_nope/asistencia", b"")
            .status,
        404
    );

    // QR code image.
    let r = api.call("GET", &format!("/api/reservas/{id}/qr.svg"), b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    assert!(r.body.contains("<svg"));

    // Delete.
    assert_eq!(
        api.call("DELETE", &format!("/api/reservas/{id}"), b"")
            .status,
        204
    );
    assert_eq!(
        api.call("GET", &format!("/api/reservas/{id}"), b"").status,
        404
    );
    assert_eq!(
        api.call("DELETE", &format!("/api/reservas/{id}"), b"")
            .status,
        404
    );
    assert_eq!(
        api.call(
            "PATCH",
            &format!("/api/reservas/{id}"),
            br#"{"partySize":2}"#
        )
        .status,
        404
    );
    let last = api.call("GET", "/api/reservas/changes?since=8", b"").json();
    assert_eq!(last["events"][0]["type"], "reservation-deleted");
    assert_eq!(last["events"][0]["reservaId"], id.as_str());
}

#[test]
fn changes_pages_and_history_gone() {
    let s = Server::start(
        bin(),
        ServerOpts {
            history: 5,
            ..Default::default()
        },
    );
    let (_, token) = s.create_business(Some("b"));
    let api = Api { s: &s, token };
    for i in 0..12 {
        api.create(json!({"customerName": format!("n{i}"), "date":"2026-12-03","time":"20:00","partySize":2}));
    }
    let r = api
        .call("GET", "/api/reservas/changes?since=8&limit=2", b"")
        .json();
    let ids: Vec<_> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![9, 10]);
    assert_eq!(
        (r["version"].clone(), r["hasMore"].clone()),
        (json!(12), json!(true))
    );
    let r = api.call("GET", "/api/reservas/changes?since=7", b"").json();
    assert_eq!(r["events"].as_array().unwrap().len(), 5);
    let r = api
        .call("GET", "/api/reservas/changes?since=12", b"")
        .json();
    assert_eq!(
        (r["events"].clone(), r["hasMore"].clone()),
        (json!([]), json!(false))
    );
    // Older than the retained history, and newer than the head.
    for since in [0, 6, 13, 1000] {
        let r = api.call("GET", &format!("/api/reservas/changes?since={since}"), b"");
        assert_eq!(r.status, 410, "since={since}");
        assert_eq!(r.json()["error"], "history_gone");
    }
    assert_eq!(
        api.call("GET", "/api/reservas/changes?since=-1", b"")
            .status,
        400
    );
    assert_eq!(
        api.call("GET", "/api/reservas/changes?since=x", b"").status,
        400
    );
    assert_eq!(
        api.call("GET", "/api/reservas/changes?since=10&limit=0", b"")
            .status,
        400
    );
    let r = api
        .call("GET", "/api/reservas/changes?since=7&limit=999999", b"")
        .json();
    assert_eq!(
        r["events"].as_array().unwrap().len(),
        5,
        "limit is capped, not refused"
    );
}

#[test]
fn history_trimmed_under_a_smaller_limit_stays_gone_after_a_larger_one() {
    // Restarting with a larger --history cannot bring back trimmed events:
    // resuming from before them must be refused, not served with a gap.
    let mut s = Server::start(
        bin(),
        ServerOpts {
            history: 5,
            ..Default::default()
        },
    );
    let (_, token) = s.create_business(Some("b"));
    let api = Api {
        s: &s,
        token: token.clone(),
    };
    for i in 0..12 {
        api.create(json!({"customerName": format!("n{i}"), "date":"2026-12-03","time":"20:00","partySize":2}));
    }
    s.opts.history = 1000;
    s.restart();
    let api = Api { s: &s, token };
    assert_eq!(
        api.call("GET", "/api/reservas/changes?since=3", b"").status,
        410
    );
    let r = api.call("GET", "/api/reservas/changes?since=7", b"").json();
    assert_eq!(r["events"].as_array().unwrap().len(), 5);
}

#[test]
fn auth_errors() {
    let s = Server::start(bin(), ServerOpts::default());
    let (_, token) = s.create_business(Some("uno"));
    let api = Api {
        s: &s,
        token: token.clone(),
    };
    let row = api.create(ana());
    let id = row["id"].as_str().unwrap();
    let routes: Vec<(&str, String, &[u8])> = vec![
        ("GET", "/api/reservas".into(), b""),
        ("GET", "/api/reservas/changes?since=0".into(), b""),
        ("GET", "/api/reservas/events".into(), b""),
        (
            "POST",
            "/api/reservas".into(),
            br#"{"customerName":"x","date":"2026-12-03","time":"20:00","partySize":2}"#,
        ),
        ("GET", format!("/api/reservas/{id}"), b""),
        (
            "PATCH",
            format!("/api/reservas/{id}"),
            br#"{"partySize":3}"#,
        ),
        ("DELETE", format!("/api/reservas/{id}"), b""),
        ("POST", format!("/api/reservas/{id}/asistencia"), b""),
        ("GET", format!("/api/reservas/{id}/qr.svg"), b""),
        ("POST", "/api/checkin".into(), br#"{"qrToken":"x"}"#),
    ];
    for (m, path, body) in &routes {
        for auth in [
            None,
            Some("Bearer not-a-token"),
            Some("Basic dXNlcjpwYXNz"),
            Some("Bearer "),
        ] {
            let h: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
            let r = raw_request(s.addr, m, path, &h, body);
            assert_eq!(r.status, 401, "{m} {path} with {auth:?}");
            assert_eq!(r.json()["error"], "unauthorized");
        }
    }
    // businessId must match the token's business.
    assert_eq!(
        api.call("GET", "/api/reservas?businessId=otro", b"").status,
        403
    );
    assert_eq!(
        api.call("GET", "/api/reservas?businessId=uno", b"").status,
        200
    );
    let mut body = ana();
    body["businessId"] = "otro".into();
    assert_eq!(
        api.call("POST", "/api/reservas", body.to_string().as_bytes())
            .status,
        403
    );
    assert_eq!(
        api.call(
            "PATCH",
            &format!("/api/reservas/{id}"),
            br#"{"businessId":"otro","partySize":3}"#
        )
        .status,
        403
    );
    // ?access_token= is for the stream only.
    let r = raw_request(
        s.addr,
        "GET",
        &format!("/api/reservas?access_token={token}"),
        &[],
        b"",
    );
    assert_eq!(r.status, 401);
    // Nothing above changed anything.
    assert_eq!(api.state().1, 1);
    // Unknown route and method: JSON too.
    assert_eq!(api.call("GET", "/api/nope", b"").status, 404);
    assert_eq!(api.call("DELETE", "/api/reservas", b"").status, 405);
}

#[test]
fn malformed_inputs_get_their_status_and_change_nothing() {
    let s = Server::start(bin(), ServerOpts::default());
    let (_, token) = s.create_business(Some("b"));
    let api = Api { s: &s, token };
    let row = api.create(ana());
    let id = row["id"].as_str().unwrap().to_string();
    let before = api.state();
    let good = ana();
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b.to_string().into_bytes()
    };
    let huge = format!(
        r#"{{"customerName":"{}","date":"2026-12-03","time":"20:00","partySize":2}}"#,
        "x".repeat(70 * 1024)
    );
    let mut invalid_utf8 = br#"{"customerName":"Ana "#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe]);
    invalid_utf8.extend_from_slice(br#"","date":"2026-12-03","time":"20:00","partySize":2}"#);
    let patch = format!("/api/reservas/{id}");
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "POST",
            "/api/reservas",
            b"{".to_vec(),
            400,
            "truncated JSON",
        ),
        ("POST", "/api/reservas", b"".to_vec(), 400, "empty body"),
        ("POST", "/api/reservas", b"[]".to_vec(), 400, "array"),
        ("POST", "/api/reservas", b"null".to_vec(), 400, "null"),
        (
            "POST",
            "/api/reservas",
            with("partySize", json!("4")),
            400,
            "string partySize",
        ),
        (
            "POST",
            "/api/reservas",
            with("partySize", json!(2.5)),
            400,
            "fractional partySize",
        ),
        (
            "POST",
            "/api/reservas",
            with("partySize", json!(1e30)),
            400,
            "partySize beyond i64",
        ),
        (
            "POST",
            "/api/reservas",
            with("customerName", json!(12)),
            400,
            "number name",
        ),
        (
            "POST",
            "/api/reservas",
            with("status", json!("arrived")),
            400,
            "unknown status",
        ),
        (
            "POST",
            "/api/reservas",
            with("unknownField", json!(1)),
            400,
            "unknown field",
        ),
        ("POST", "/api/reservas", invalid_utf8, 400, "invalid UTF-8"),
        (
            "POST",
            "/api/reservas",
            huge.into_bytes(),
            413,
            "70 KiB body",
        ),
        (
            "POST",
            "/api/reservas",
            with("partySize", json!(0)),
            422,
            "zero partySize",
        ),
        (
            "POST",
            "/api/reservas",
            with("partySize", json!(-4)),
            422,
            "negative partySize",
        ),
        (
            "POST",
            "/api/reservas",
            with("partySize", json!(501)),
            422,
            "partySize 501",
        ),
        (
            "POST",
            "/api/reservas",
            with("partySize", json!(i64::MAX)),
            422,
            "huge partySize",
        ),
        (
            "POST",
            "/api/reservas",
            with("date", json!("2026-02-29")),
            422,
            "not a leap year",
        ),
        (
            "POST",
            "/api/reservas",
            with("date", json!("03/12/2026")),
            422,
            "date format",
        ),
        (
            "POST",
            "/api/reservas",
            with("date", json!("")),
            422,
            "empty date",
        ),
        (
            "POST",
            "/api/reservas",
            with("time", json!("25:00")),
            422,
            "hour 25",
        ),
        (
            "POST",
            "/api/reservas",
            with("time", json!("21:30:00")),
            422,
            "seconds",
        ),
        (
            "POST",
            "/api/reservas",
            with("customerName", json!("   ")),
            422,
            "blank name",
        ),
        (
            "POST",
            "/api/reservas",
            with("customerName", json!("")),
            422,
            "empty name",
        ),
        (
            "POST",
            "/api/reservas",
            with("customerEmail", json!("no-at-sign")),
            422,
            "email",
        ),
        (
            "PATCH",
            &patch,
            b"{\"partySize\":".to_vec(),
            400,
            "patch truncated",
        ),
        (
            "PATCH",
            &patch,
            br#"{"partysize":3}"#.to_vec(),
            400,
            "patch unknown field",
        ),
        (
            "PATCH",
            &patch,
            br#"{"partySize":0}"#.to_vec(),
            422,
            "patch zero party",
        ),
        (
            "PATCH",
            &patch,
            br#"{"customerName":" "}"#.to_vec(),
            422,
            "patch blank name",
        ),
        (
            "PATCH",
            &patch,
            br#"{"date":"2026-13-01"}"#.to_vec(),
            422,
            "patch month 13",
        ),
        (
            "POST",
            "/api/checkin",
            b"{}".to_vec(),
            400,
            "checkin without token",
        ),
        (
            "POST",
            "/api/checkin",
            br#"{"qrToken":5}"#.to_vec(),
            400,
            "checkin number token",
        ),
        (
            "GET",
            "/api/reservas?date=2026-02-31",
            vec![],
            422,
            "list bad date",
        ),
        (
            "GET",
            "/api/reservas?includeStats=maybe",
            vec![],
            400,
            "list bad bool",
        ),
    ];
    for (method, path, body, status, what) in cases {
        let r = api.call(method, path, &body);
        assert_eq!(r.status, status, "{what}: {}", r.body);
        let err = r.json();
        assert!(
            err["error"].is_string() && err["message"].is_string(),
            "{what}: JSON error body"
        );
        if status == 422 {
            assert!(err["field"].is_string(), "{what}: names the field");
        }
        if what == "list bad from" {
            assert_eq!(err["field"], "from");
        }
        assert_eq!(api.state(), before, "{what} changed something");
    }
    // A bad If-Match is refused, and changes nothing.
    let r = api.call_h(
        "PATCH",
        &patch,
        br#"{"partySize":3}"#,
        &[("If-Match", "abc")],
    );
    assert_eq!(r.status, 400);
    assert_eq!(api.state(), before);
    // The server is still fine.
    assert_eq!(
        raw_request(s.addr, "GET", "/api/health", &[], b"").status,
        200
    );
}

#[test]
fn line_breaks_survive_byte_for_byte() {
    // F-08: notes with LF, CRLF and CR come back identical; the name trimmed.
    let s = Server::start(bin(), ServerOpts::default());
    let (_, token) = s.create_business(Some("b"));
    let api = Api { s: &s, token };
    let notes = "Mesa 4\nCumpleaños\r\nsin gluten\rFin";
    let mut body = ana();
    body["notes"] = notes.into();
    body["customerName"] = "Ana García\n".into();
    let row = api.create(body);
    assert_eq!(row["notes"], notes);
    assert_eq!(row["customerName"], "Ana García");
    let listed = api.call("GET", "/api/reservas", b"").json();
    assert_eq!(listed["reservas"][0]["notes"], notes);
    let ch = api.call("GET", "/api/reservas/changes?since=0", b"").json();
    assert_eq!(ch["events"][0]["reserva"]["notes"], notes);
}

#[test]
fn metrics_are_prometheus_text() {
    let s = Server::start(bin(), ServerOpts::default());
    let (_, token) = s.create_business(Some("b"));
    let api = Api { s: &s, token };
    api.create(ana());
    let r = raw_request(s.addr, "GET", "/metrics", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(r.body.contains("# TYPE reservas_sse_connections gauge"));
    assert!(
        r.body
            .lines()
            .any(|l| l == "reservas_events_written_total 1"),
        "{}",
        r.body
    );
}

#[test]
fn cors_only_for_the_configured_origin() {
    let s = Server::start(bin(), ServerOpts::default());
    let r = raw_request(
        s.addr,
        "GET",
        "/api/health",
        &[("Origin", "http://evil.example")],
        b"",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
    let s2 = Server::start(
        bin(),
        ServerOpts {
            extra_args: vec!["--cors-origin".into(), "http://desk.example".into()],
            ..Default::default()
        },
    );
    let r = raw_request(
        s2.addr,
        "GET",
        "/api/health",
        &[("Origin", "http://desk.example")],
        b"",
    );
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://desk.example")
    );
    let r = raw_request(
        s2.addr,
        "GET",
        "/api/health",
        &[("Origin", "http://evil.example")],
        b"",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn one_business_never_touches_another() {
    // Businesses `1` and `12`: ids that a prefix match would confuse (F-01).
    let s = Server::start(bin(), ServerOpts::default());
    let (_, t1) = s.create_business(Some("1"));
    let (_, t12) = s.create_business(Some("12"));
    let one = Api { s: &s, token: t1 };
    let twelve = Api { s: &s, token: t12 };
    let theirs = twelve.create(ana());
    let id = theirs["id"].as_str().unwrap();
    let qr = theirs["qrToken"].as_str().unwrap();
    let mine =
        one.create(json!({"customerName":"Mío","date":"2026-12-03","time":"20:00","partySize":2}));
    let before = twelve.state();

    assert_eq!(
        one.call("GET", &format!("/api/reservas/{id}"), b"").status,
        404
    );
    assert_eq!(
        one.call("GET", &format!("/api/reservas/{id}/qr.svg"), b"")
            .status,
        404
    );
    assert_eq!(
        one.call(
            "PATCH",
            &format!("/api/reservas/{id}"),
            br#"{"partySize":9}"#
        )
        .status,
        404
    );
    assert_eq!(
        one.call("DELETE", &format!("/api/reservas/{id}"), b"")
            .status,
        404
    );
    assert_eq!(
        one.call("POST", &format!("/api/reservas/{id}/asistencia"), b"")
            .status,
        404
    );
    assert_eq!(
        one.call(
            "POST",
            "/api/checkin",
            json!({"qrToken": qr}).to_string().as_bytes()
        )
        .status,
        404
    );
    assert_eq!(
        one.call("GET", "/api/reservas?businessId=12", b"").status,
        403
    );
    let listed = one.call("GET", "/api/reservas", b"").json();
    assert_eq!(listed["reservas"].as_array().unwrap().len(), 1);
    assert_eq!(listed["reservas"][0]["id"], mine["id"]);
    assert_eq!(listed["version"], 1, "each business has its own log");
    let ch = one.call("GET", "/api/reservas/changes?since=0", b"").json();
    assert!(
        ch["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["reservaId"] == mine["id"])
    );
    assert_eq!(twelve.state(), before, "12's rows unchanged");
}

#[test]
fn startup_errors_are_one_clear_line() {
    use std::process::Command;
    let run = |args: &[&str]| {
        let out = Command::new(bin())
            .args(args)
            .env_remove("RESERVAS_ADMIN_TOKEN")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, err) = run(&["--heartbeat-secs", "zero"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("--heartbeat-secs"), "{err}");
    let (code, err) = run(&["--retry-ms", "10"]);
    assert_ne!(code, Some(0), "retry below 1000 is refused");
    assert!(err.contains("--retry-ms"), "{err}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let (code, err) = run(&["--listen", &addr, "--db", db.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert_eq!(
        err.trim().lines().filter(|l| l.contains("error")).count(),
        1,
        "{err}"
    );

    let (code, err) = run(&["--listen", "127.0.0.1:0", "--db", "/nonexistent-dir/x.db"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("cannot open database /nonexistent-dir/x.db"),
        "{err}"
    );
}
