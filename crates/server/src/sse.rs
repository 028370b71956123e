//! One SSE connection, from `connected` to its end.
//!
//! The stream is a small state machine driven by hyper pulling frames: it
//! holds a cursor (the last id written to this client), wakes when the hub's
//! head moves past it, and fills a short batch from the hub's ring or, when
//! the client is further behind, from the log. Nothing is pushed into a
//! per-connection queue, so a client that stops reading costs one batch of
//! memory at most, and never delays anyone else: it simply resumes from its
//! cursor when it reads again (or gets `reset` if the log moved past it).
//!
//! Frames are whole: the heartbeat (`: ping`) comes from axum's keep-alive,
//! which only runs between frames.

use crate::app::AppState;
use crate::hub::Channel;
use crate::metrics::{ConnectionGuard, Metrics};
use crate::store::{LogBounds, LogEntry, StoreError};
use axum::http::{HeaderValue, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use rand::RngCore;
use reservas_core::event::{CONNECTED, Connected, RESET, Reset};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Events fetched per wake-up; also the most one connection holds in memory.
const BATCH: usize = 256;

/// Why a stream must start over from a snapshot.
fn reset_frame(reason: &str, version: u64) -> SseEvent {
    let data = serde_json::to_string(&Reset {
        reason: reason.into(),
        version,
    })
    .unwrap_or_else(|_| "{}".into());
    SseEvent::default().event(RESET).data(data)
}

fn event_frame(e: &LogEntry) -> SseEvent {
    SseEvent::default()
        .id(e.id.to_string())
        .event(&e.name)
        .data(&e.data)
}

struct Conn {
    state: AppState,
    business: String,
    channel: Arc<Channel>,
    rx: watch::Receiver<u64>,
    /// Last id written to this client.
    cursor: u64,
    /// Newest id known to exist.
    head: u64,
    pending: VecDeque<SseEvent>,
    finished: bool,
    /// Set once the initial replay is done: later log reads mean "lagged".
    live: bool,
    _guard: ConnectionGuard,
}

impl Conn {
    /// Fills `pending` with the events after `cursor`, from memory when
    /// possible. A cursor older than the retained log becomes a `reset`.
    async fn fill(&mut self) {
        let entries: Vec<Arc<LogEntry>> = match self.channel.recent_after(self.cursor, BATCH) {
            Some(v) if !v.is_empty() || self.head <= self.cursor => v,
            _ => {
                if self.live {
                    Metrics::inc(&self.state.metrics.lagged);
                }
                let (b, since) = (self.business.clone(), self.cursor);
                match self
                    .state
                    .call(move |s| match s.events_after(&b, since, BATCH) {
                        Err(StoreError::Gone { head, .. }) => Ok(Err(head)),
                        other => other.map(Ok),
                    })
                    .await
                {
                    Ok(Ok((v, _))) => v.into_iter().map(Arc::new).collect(),
                    Ok(Err(head)) => {
                        Metrics::inc(&self.state.metrics.resets);
                        self.pending.push_back(reset_frame("history-gone", head));
                        self.finished = true;
                        return;
                    }
                    Err(e) => {
                        // The client reconnects with its Last-Event-ID.
                        tracing::warn!(business = %self.business, error = %e, "cannot read the log; closing stream");
                        self.finished = true;
                        return;
                    }
                }
            }
        };
        if entries.is_empty() {
            // Nothing newer after all: trust the cursor.
            self.head = self.cursor;
            self.live = true;
            return;
        }
        for e in entries {
            self.cursor = e.id;
            self.pending.push_back(event_frame(&e));
        }
        if self.cursor >= self.head {
            self.live = true;
        }
    }

    /// The next frame, or `None` when the stream ends.
    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(f) = self.pending.pop_front() {
                Metrics::inc(&self.state.metrics.events_sent);
                return Some(f);
            }
            if self.finished || self.state.shutdown.is_cancelled() {
                return None;
            }
            if self.head > self.cursor {
                self.fill().await;
                continue;
            }
            tokio::select! {
                _ = self.state.shutdown.cancelled() => return None,
                changed = self.rx.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                    self.head = self.head.max(*self.rx.borrow_and_update());
                }
            }
        }
    }
}

/// Builds the response for one subscriber of `business`. `rx` must have
/// been subscribed before `bounds` was read, so no commit can slip between.
pub fn respond(
    state: AppState,
    business: String,
    channel: Arc<Channel>,
    rx: watch::Receiver<u64>,
    bounds: LogBounds,
    last_event_id: Option<u64>,
) -> Response {
    let mut id = [0u8; 8];
    rand::rng().fill_bytes(&mut id);
    let connected = Connected {
        connection_id: hex::encode(id),
        version: bounds.head,
        heartbeat_secs: state.heartbeat_secs,
    };
    // `retry:` shares the block with `connected`'s data: some clients drop a
    // block that has no data line.
    let first = SseEvent::default()
        .retry(Duration::from_millis(state.retry_ms))
        .event(CONNECTED)
        .data(serde_json::to_string(&connected).unwrap_or_else(|_| "{}".into()));
    let mut pending = VecDeque::from([first]);
    let mut finished = false;
    if let Some(n) = last_event_id {
        Metrics::inc(&state.metrics.replays);
        let reason = if n > bounds.head {
            Some("ahead-of-log")
        } else if n < bounds.floor {
            Some("history-gone")
        } else {
            None
        };
        if let Some(reason) = reason {
            Metrics::inc(&state.metrics.resets);
            pending.push_back(reset_frame(reason, bounds.head));
            finished = true;
        }
    }
    let cursor = match last_event_id {
        Some(n) if !finished => n,
        _ => bounds.head,
    };
    let heartbeat = Duration::from_secs(state.heartbeat_secs);
    let conn = Conn {
        _guard: ConnectionGuard::new(state.metrics.clone()),
        state,
        business,
        channel,
        rx,
        cursor,
        head: bounds.head,
        pending,
        finished,
        live: false,
    };
    let stream = frames(conn);
    let mut resp = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(heartbeat).text("ping"))
        .into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

fn frames(conn: Conn) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    futures::stream::unfold(
        conn,
        |mut c| async move { c.next().await.map(|f| (Ok(f), c)) },
    )
}
