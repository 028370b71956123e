//! A small SSE client for tests: it keeps every frame exactly as received
//! (so tests can check framing, not only meaning) and when it arrived.
//! Deliberately independent from the engine's parser: tests must not share
//! the code they check.

use reqwest::header::HeaderMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One block of an SSE stream, or a comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Frame(Frame),
    Comment(String),
    /// The response ended (server closed it).
    End,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
    pub retry: Option<u64>,
    /// The block's lines as received, for framing checks.
    pub lines: Vec<String>,
}

impl Frame {
    pub fn id_u64(&self) -> Option<u64> {
        self.id.as_deref().and_then(|i| i.parse().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("data not JSON ({e}): {}", self.data))
    }
}

/// A connected stream; items arrive on `rx` with their arrival time.
pub struct SseClient {
    pub status: u16,
    pub headers: HeaderMap,
    pub rx: mpsc::UnboundedReceiver<(Instant, Item)>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SseClient {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SseClient {
    /// Opens `GET {base}/api/reservas/events` with `token` as Bearer (or
    /// `None` to pass it some other way in `query`).
    pub async fn connect(
        base: &str,
        token: Option<&str>,
        last_event_id: Option<&str>,
        query: &str,
        extra_headers: &[(&str, &str)],
    ) -> SseClient {
        let client = reqwest::Client::builder()
            .no_gzip()
            .build()
            .expect("client");
        let mut req = client.get(format!("{base}/api/reservas/events{query}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        for (k, v) in extra_headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("connect SSE");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut resp = resp;
            let mut buf = String::new();
            let mut block: Vec<String> = Vec::new();
            loop {
                let chunk = match resp.chunk().await {
                    Ok(Some(c)) => c,
                    _ => {
                        let _ = tx.send((Instant::now(), Item::End));
                        return;
                    }
                };
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(pos) = buf.find('\n') {
                    let line = buf[..pos].trim_end_matches('\r').to_string();
                    buf.drain(..=pos);
                    if line.is_empty() {
                        if !block.is_empty() {
                            let f = parse_block(std::mem::take(&mut block));
                            let _ = tx.send((Instant::now(), Item::Frame(f)));
                        }
                    } else if let Some(c) = line.strip_prefix(':') {
                        if block.is_empty() {
                            let _ = tx.send((Instant::now(), Item::Comment(c.trim().to_string())));
                        } else {
                            // A comment inside a frame: keep it in the block
                            // so a framing test sees it.
                            block.push(line);
                        }
                    } else {
                        block.push(line);
                    }
                }
            }
        });
        SseClient {
            status,
            headers,
            rx,
            task,
        }
    }

    /// The next item, or panics after `deadline`.
    pub async fn next(&mut self, deadline: Duration) -> (Instant, Item) {
        tokio::time::timeout(deadline, self.rx.recv())
            .await
            .expect("timed out waiting for an SSE item")
            .expect("SSE reader ended")
    }

    /// The next frame, skipping comments; panics on end or timeout.
    pub async fn next_frame(&mut self, deadline: Duration) -> Frame {
        let end = Instant::now() + deadline;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.next(left).await.1 {
                Item::Frame(f) => return f,
                Item::Comment(_) => continue,
                Item::End => panic!("stream ended while waiting for a frame"),
            }
        }
    }

    /// Frames with an id until one with id `last` arrived.
    pub async fn frames_until(&mut self, last: u64, deadline: Duration) -> Vec<Frame> {
        let mut out = Vec::new();
        let end = Instant::now() + deadline;
        loop {
            let f = self
                .next_frame(end.saturating_duration_since(Instant::now()))
                .await;
            let id = f.id_u64();
            if id.is_some() {
                out.push(f);
            }
            if id.is_some_and(|i| i >= last) {
                return out;
            }
        }
    }

    /// Whatever arrives within `window` (for "nothing else arrives" checks).
    pub async fn drain_for(&mut self, window: Duration) -> Vec<Item> {
        let end = Instant::now() + window;
        let mut out = Vec::new();
        while let Ok(Some((_, item))) = tokio::time::timeout(
            end.saturating_duration_since(Instant::now()),
            self.rx.recv(),
        )
        .await
        {
            out.push(item);
        }
        out
    }
}

fn parse_block(lines: Vec<String>) -> Frame {
    let mut f = Frame::default();
    let mut data: Vec<String> = Vec::new();
    for line in &lines {
        let (field, value) = match line.split_once(':') {
            Some((k, v)) => (k, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        match field {
            "id" => f.id = Some(value.to_string()),
            "event" => f.event = Some(value.to_string()),
            "data" => data.push(value.to_string()),
            "retry" => f.retry = value.parse().ok(),
            _ => {}
        }
    }
    f.data = data.join("\n");
    f.lines = lines;
    f
}
