//! Typed HTTP client for every REST route of the contract (PROTOCOL.md):
//! the engine's snapshot / changes / events requests and the writes of the
//! CLI and the desktop. Errors keep the HTTP status and the server's
//! [`ErrorBody`], so callers can tell a 410 (re-snapshot) from a 422 (show
//! the field) from a network failure (go offline).
//!
//! This API is shared with other modules (demo-data replay, import): keep it
//! stable; add methods rather than change signatures.

use reqwest::header::{ACCEPT, CACHE_CONTROL, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use reservas_core::api::{Changes, CheckinRequest, CheckinResult, ErrorBody, Snapshot};
use reservas_core::{NewReservation, Reservation, ReservationPatch, Status};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Upper bound of one REST call. The event stream has none: its liveness is
/// the engine's heartbeat watchdog.
pub const REST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What can go wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with a non-success status.
    #[error("{}", http_message(*status, body.as_ref(), text))]
    Http {
        status: u16,
        /// The server's JSON error, when the body was one.
        body: Option<ErrorBody>,
        /// The raw body (truncated), for answers that are not JSON (proxies).
        text: String,
    },
    /// No answer: connection refused, reset, timed out, DNS…
    #[error("cannot reach the server: {0}")]
    Network(String),
    /// An answer we could not read (wrong JSON shape, bad content type).
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
    /// A bad argument on our side (e.g. an unparsable base URL).
    #[error("{0}")]
    Invalid(String),
}

fn http_message(status: u16, body: Option<&ErrorBody>, text: &str) -> String {
    match body {
        Some(b) => match &b.field {
            Some(f) => format!("HTTP {status} {}: {} (field {f})", b.error, b.message),
            None => format!("HTTP {status} {}: {}", b.error, b.message),
        },
        None if text.trim().is_empty() => format!("HTTP {status}"),
        None => format!("HTTP {status}: {}", text.trim()),
    }
}

impl ApiError {
    /// The HTTP status, for answers that had one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// 410: the history the client asked from is gone; re-snapshot.
    pub fn is_gone(&self) -> bool {
        self.status() == Some(410)
    }

    /// The server could not be reached at all.
    pub fn is_network(&self) -> bool {
        matches!(self, ApiError::Network(_))
    }

    /// The server's machine-readable error code (`not_found`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { body: Some(b), .. } => Some(&b.error),
            _ => None,
        }
    }

    fn from_reqwest(e: reqwest::Error) -> ApiError {
        if e.is_decode() {
            ApiError::Decode(e.to_string())
        } else {
            // Keep the whole chain: reqwest's top-level text alone ("error
            // sending request") does not say "connection refused".
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                src = s.source();
            }
            ApiError::Network(msg)
        }
    }
}

/// Query of `GET /api/reservas`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// The day of the stats (default: today in the business's time zone).
    pub date: Option<String>,
    pub include_stats: bool,
}

/// A client bound to one server and one staff token (so one business).
/// Cheap to clone: the connection pool is shared.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    token: String,
}

impl ApiClient {
    /// `base_url` is the server's root, e.g. `http://127.0.0.1:8080`.
    pub fn new(base_url: &str, token: &str) -> Result<ApiClient, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            // Keepalive probes let the OS notice a dead peer on idle pooled
            // connections; the stream's own liveness is the watchdog.
            .tcp_keepalive(Duration::from_secs(30))
            .user_agent(concat!("reservas-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        ApiClient::with_http(http, base_url, token)
    }

    /// Same as [`ApiClient::new`] with a caller-built `reqwest::Client`.
    pub fn with_http(
        http: reqwest::Client,
        base_url: &str,
        token: &str,
    ) -> Result<ApiClient, ApiError> {
        let mut base = Url::parse(base_url.trim())
            .map_err(|e| ApiError::Invalid(format!("invalid server URL {base_url:?}: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ApiError::Invalid(format!(
                "invalid server URL {base_url:?}: use http:// or https://"
            )));
        }
        // Joining relative paths needs a trailing slash on the base path.
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        Ok(ApiClient {
            http,
            base,
            token: token.to_string(),
        })
    }

    /// The server root this client talks to (normalised, trailing slash).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The URL of `path` (relative, no leading slash) with encoded `segments`
    /// appended (ids are opaque: never paste them into a path unescaped).
    fn url(&self, path: &str, segments: &[&str]) -> Result<Url, ApiError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|e| ApiError::Invalid(format!("bad path {path}: {e}")))?;
        if !segments.is_empty() {
            let mut segs = url
                .path_segments_mut()
                .map_err(|_| ApiError::Invalid("server URL cannot have a path".into()))?;
            segs.pop_if_empty();
            for s in segments {
                segs.push(s);
            }
        }
        Ok(url)
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(&self.token)
            .header(ACCEPT, "application/json")
    }

    /// Sends a REST request and returns the response when its status is a
    /// success, else the error with the server's body.
    async fn send(&self, rb: RequestBuilder) -> Result<reqwest::Response, ApiError> {
        let resp = rb
            .timeout(REST_TIMEOUT)
            .send()
            .await
            .map_err(ApiError::from_reqwest)?;
        check(resp).await
    }

    async fn json<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Result<T, ApiError> {
        let resp = self.send(rb).await?;
        let bytes = resp.bytes().await.map_err(ApiError::from_reqwest)?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// `GET /api/health` (no auth needed, sent anyway).
    pub async fn health(&self) -> Result<(), ApiError> {
        let url = self.url("api/health", &[])?;
        self.send(self.request(Method::GET, url)).await.map(|_| ())
    }

    /// `GET /api/reservas`: rows, stats and the log head in one read.
    pub async fn snapshot(&self, q: &SnapshotQuery) -> Result<Snapshot, ApiError> {
        let mut url = self.url("api/reservas", &[])?;
        {
            let mut qp = url.query_pairs_mut();
            if let Some(f) = &q.from {
                qp.append_pair("from", f);
            }
            if let Some(t) = &q.to {
                qp.append_pair("to", t);
            }
            if let Some(d) = &q.date {
                qp.append_pair("date", d);
            }
            if q.include_stats {
                qp.append_pair("includeStats", "true");
            }
        }
        self.json(self.request(Method::GET, url)).await
    }

    /// `GET /api/reservas/changes?since=N[&limit=L]`; a 410 is
    /// [`ApiError::is_gone`].
    pub async fn changes(&self, since: u64, limit: Option<u32>) -> Result<Changes, ApiError> {
        let mut url = self.url("api/reservas/changes", &[])?;
        {
            let mut qp = url.query_pairs_mut();
            qp.append_pair("since", &since.to_string());
            if let Some(l) = limit {
                qp.append_pair("limit", &l.to_string());
            }
        }
        self.json(self.request(Method::GET, url)).await
    }

    /// `GET /api/reservas/{id}`.
    pub async fn get(&self, id: &str) -> Result<Reservation, ApiError> {
        let url = self.url("api/reservas", &[id])?;
        self.json(self.request(Method::GET, url)).await
    }

    /// `POST /api/reservas` → the created row.
    pub async fn create(&self, new: &NewReservation) -> Result<Reservation, ApiError> {
        let url = self.url("api/reservas", &[])?;
        self.json(self.request(Method::POST, url).json(new)).await
    }

    /// `PATCH /api/reservas/{id}`; with `if_match`, a stale version is a 412.
    pub async fn patch(
        &self,
        id: &str,
        patch: &ReservationPatch,
        if_match: Option<u64>,
    ) -> Result<Reservation, ApiError> {
        let url = self.url("api/reservas", &[id])?;
        let mut rb = self.request(Method::PATCH, url).json(patch);
        if let Some(v) = if_match {
            rb = rb.header(reqwest::header::IF_MATCH, v.to_string());
        }
        self.json(rb).await
    }

    /// A status change is a PATCH of `status` alone.
    pub async fn set_status(&self, id: &str, status: Status) -> Result<Reservation, ApiError> {
        let patch = ReservationPatch {
            status: Some(status),
            ..Default::default()
        };
        self.patch(id, &patch, None).await
    }

    /// `DELETE /api/reservas/{id}` (204).
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        let url = self.url("api/reservas", &[id])?;
        self.send(self.request(Method::DELETE, url))
            .await
            .map(|_| ())
    }

    /// `POST /api/reservas/{id}/asistencia`: one guest checked in.
    pub async fn checkin_by_id(&self, id: &str) -> Result<CheckinResult, ApiError> {
        let url = self.url("api/reservas", &[id, "asistencia"])?;
        self.json(self.request(Method::POST, url)).await
    }

    /// `POST /api/checkin` with the token a scanner read from the QR code.
    pub async fn checkin_by_token(&self, qr_token: &str) -> Result<CheckinResult, ApiError> {
        let url = self.url("api/checkin", &[])?;
        let body = CheckinRequest {
            qr_token: qr_token.to_string(),
            // The business comes from the token.
            business_id: None,
        };
        self.json(self.request(Method::POST, url).json(&body)).await
    }

    /// `GET /api/reservas/{id}/qr.svg`.
    pub async fn qr_svg(&self, id: &str) -> Result<String, ApiError> {
        let url = self.url("api/reservas", &[id, "qr.svg"])?;
        let resp = self.send(self.request(Method::GET, url)).await?;
        resp.text().await.map_err(ApiError::from_reqwest)
    }

    /// Opens `GET /api/reservas/events` resuming after `last_event_id`.
    /// Returns the response once its status is 200 with an event-stream
    /// body; the caller reads the body. No overall timeout: the stream lives
    /// as long as the watchdog sees bytes.
    pub async fn open_events(
        &self,
        last_event_id: Option<u64>,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.url("api/reservas/events", &[])?;
        let mut rb = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .header(ACCEPT, "text/event-stream")
            .header(CACHE_CONTROL, "no-cache");
        if let Some(id) = last_event_id {
            rb = rb.header("Last-Event-ID", id.to_string());
        }
        // Only the connection phase is bounded (headers must come soon).
        let resp = tokio::time::timeout(REST_TIMEOUT, rb.send())
            .await
            .map_err(|_| ApiError::Network("the event stream did not answer in time".into()))?
            .map_err(ApiError::from_reqwest)?;
        let resp = check(resp).await?;
        let ct = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or("");
        if !ct.starts_with("text/event-stream") {
            return Err(ApiError::Decode(format!(
                "the events route answered {ct:?}, not text/event-stream"
            )));
        }
        Ok(resp)
    }
}

/// Turns a non-success response into [`ApiError::Http`] with its body.
async fn check(resp: reqwest::Response) -> Result<reqwest::Response, ApiError> {
    let status = resp.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(resp);
    }
    // A failing body read still leaves the status, which is what matters.
    let bytes = resp.bytes().await.unwrap_or_default();
    let body = serde_json::from_slice::<ErrorBody>(&bytes).ok();
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if text.len() > 300 {
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Err(ApiError::Http {
        status: status.as_u16(),
        body,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_escaped_in_paths() {
        let c = ApiClient::new("http://127.0.0.1:9/", "t").unwrap();
        let u = c.url("api/reservas", &["a/b?c", "asistencia"]).unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/api/reservas/a%2Fb%3Fc/asistencia"
        );
        // A base with a path prefix (reverse proxy) keeps it.
        let c = ApiClient::new("https://h.example/app", "t").unwrap();
        assert_eq!(
            c.url("api/reservas", &[]).unwrap().as_str(),
            "https://h.example/app/api/reservas"
        );
        assert!(ApiClient::new("ftp://x", "t").is_err());
        assert!(ApiClient::new("not a url", "t").is_err());
    }

    #[test]
    fn errors_read_like_one_line() {
        let e = ApiError::Http {
            status: 422,
            body: Some(ErrorBody {
                error: "invalid".into(),
                message: "partySize must be between 1 and 500".into(),
                field: Some("partySize".into()),
            }),
            text: String::new(),
        };
        assert_eq!(
            e.to_string(),
            "HTTP 422 invalid: partySize must be between 1 and 500 (field partySize)"
        );
        assert_eq!(e.code(), Some("invalid"));
        assert!(!e.is_gone());
    }
}
