//! The sync engine: one task that keeps the cache in step with the server
//! and reports status, diffs and notices (ARCHITECTURE.md, "The sync
//! engine").
//!
//! The loop, in short:
//! 1. Cache first: the cached rows go out as one diff before any network
//!    call.
//! 2. No cursor yet → snapshot; its `version` becomes the cursor.
//! 3. Open the stream with `Last-Event-ID: cursor`; each read chunk's events
//!    are applied with the cursor in one transaction. Any byte resets the
//!    watchdog (3 × `heartbeatSecs`); silence, an error, or a clean end of
//!    the body (F-04) is a disconnect.
//! 4. Disconnected → wait per [`Backoff`] and retry, forever. After the
//!    first failed (re)connect, poll `/changes` at once and then every poll
//!    interval until the stream is live again (F-06).
//! 5. `reset` or 410 → re-snapshot, then stream again from its version.
//!
//! Controls: "sync now" (one catch-up when not live) and the realtime
//! switch (off = polling only). Every wait also watches the cancellation
//! token, so shutdown is prompt and clean.

use crate::backoff::Backoff;
use crate::cache::{Cache, SharedCache, now_rfc3339};
use crate::client::ApiClient;
use crate::poller::{self, SyncError};
use crate::sse::{SseItem, SseParser};
use crate::stream::{self, DEFAULT_WATCHDOG, Frame};
use crate::update::{State, SyncStatus, Update};
use futures::StreamExt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

/// How the engine is tuned. Defaults follow ARCHITECTURE.md.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub server: String,
    pub token: String,
    pub cache_path: PathBuf,
    /// The realtime stream on (default) or polling only.
    pub realtime: bool,
    pub poll_interval: Duration,
    /// Backoff base before the server's `retry:` is seen.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Fixed watchdog instead of 3 × the server's heartbeat.
    pub watchdog: Option<Duration>,
    /// A connection up this long resets the backoff counter.
    pub stable_after: Duration,
}

impl EngineConfig {
    pub fn new(server: &str, token: &str, cache_path: PathBuf) -> EngineConfig {
        EngineConfig {
            server: server.to_string(),
            token: token.to_string(),
            cache_path,
            realtime: true,
            poll_interval: Duration::from_secs(120),
            backoff_base: crate::backoff::DEFAULT_BASE,
            backoff_cap: crate::backoff::DEFAULT_CAP,
            watchdog: None,
            stable_after: crate::backoff::STABLE_AFTER,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    SyncNow,
    Realtime(bool),
}

/// The running engine, as seen by its owner.
pub struct EngineHandle {
    control: mpsc::UnboundedSender<Control>,
    status: watch::Receiver<SyncStatus>,
    cancel: CancellationToken,
    join: Option<JoinHandle<()>>,
    cache: SharedCache,
    client: ApiClient,
}

impl EngineHandle {
    /// One immediate catch-up if the stream is not live (e.g. the window
    /// regained focus).
    pub fn sync_now(&self) {
        let _ = self.control.send(Control::SyncNow);
    }

    /// Realtime on (stream + fallback) or off (polling only).
    pub fn set_realtime(&self, on: bool) {
        let _ = self.control.send(Control::Realtime(on));
    }

    /// The current status (the UI starts from this, not only from events).
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Status changes, for whoever prefers a watch to the update stream.
    pub fn status_watch(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// The cache, for reads (the current rows).
    pub fn cache(&self) -> &SharedCache {
        &self.cache
    }

    /// The REST client, for writes: the cache changes when the server's
    /// event comes back, never here.
    pub fn client(&self) -> &ApiClient {
        &self.client
    }

    /// Stops the engine and waits for its task to end.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        if let Some(j) = self.join.take() {
            let _ = j.await;
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        // Dropping the handle must not leave a task running behind.
        self.cancel.cancel();
    }
}

/// Why one stream connection ended.
enum StreamEnd {
    Cancelled,
    RealtimeOff,
    /// `reset` frame or 410: re-snapshot.
    Reset(String),
    Failed {
        error: String,
        /// `connected` was received (it had been live).
        live_for: Option<Duration>,
    },
}

/// Starts the engine on the current tokio runtime. Opening the cache is the
/// only thing that can fail here; network trouble is reported as status.
pub fn start(
    config: EngineConfig,
) -> Result<(EngineHandle, mpsc::UnboundedReceiver<Update>), SyncError> {
    let client = ApiClient::new(&config.server, &config.token)?;
    let mut cache = Cache::open(&config.cache_path)?;
    cache.bind_identity(&crate::paths::identity(client.base_url(), &config.token))?;
    let cache = SharedCache::new(cache);
    start_with(config, client, cache)
}

/// [`start`] with a client and cache the caller already has.
pub fn start_with(
    config: EngineConfig,
    client: ApiClient,
    cache: SharedCache,
) -> Result<(EngineHandle, mpsc::UnboundedReceiver<Update>), SyncError> {
    // Unbounded on purpose: updates are small and the consumer (UI, CLI)
    // reads continuously; the engine must never stall the stream on a slow
    // render.
    let (out, rx) = mpsc::unbounded_channel();
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let initial = SyncStatus::new(State::Connecting, config.realtime);
    let (status_tx, status_rx) = watch::channel(initial);
    let cancel = CancellationToken::new();
    let backoff = Backoff::new(config.backoff_base, config.backoff_cap)
        .with_stable_after(config.stable_after);
    let runner = Runner {
        realtime: config.realtime,
        cfg: config,
        client: client.clone(),
        cache: cache.clone(),
        out,
        status_tx,
        last_status: None,
        control: control_rx,
        control_open: true,
        cancel: cancel.clone(),
        backoff,
        polling: false,
        next_poll: None,
        poll_error: None,
    };
    let join = tokio::spawn(runner.run());
    Ok((
        EngineHandle {
            control: control_tx,
            status: status_rx,
            cancel,
            join: Some(join),
            cache,
            client,
        },
        rx,
    ))
}

struct Runner {
    cfg: EngineConfig,
    client: ApiClient,
    cache: SharedCache,
    out: mpsc::UnboundedSender<Update>,
    status_tx: watch::Sender<SyncStatus>,
    last_status: Option<SyncStatus>,
    control: mpsc::UnboundedReceiver<Control>,
    /// False once every handle is gone (recv would then spin on None).
    control_open: bool,
    cancel: CancellationToken,
    backoff: Backoff,
    realtime: bool,
    /// The polling fallback is running (stream down after a failed
    /// reconnect, or realtime off).
    polling: bool,
    next_poll: Option<Instant>,
    /// The last poll's failure; None after a successful one.
    poll_error: Option<String>,
}

/// What the main loop does next.
enum Next {
    Continue,
    Stop,
}

impl Runner {
    async fn run(mut self) {
        // 1. Cache first: rows on screen before any network call.
        match self.cache.run(|c| c.full_diff()).await {
            Ok(d) if !d.upserts.is_empty() => self.emit(Update::Diff(d)),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot read the cache"),
        }
        let state = if self.realtime {
            State::Connecting
        } else {
            State::Polling
        };
        self.set_status(state, None, None, None).await;

        let mut need_snapshot = matches!(self.cache.run(|c| c.cursor()).await, Ok(None));
        let mut resets_in_row = 0u32;
        loop {
            if self.cancel.is_cancelled() {
                break;
            }
            if !self.realtime {
                match self.polling_only().await {
                    Next::Continue => continue,
                    Next::Stop => break,
                }
            }
            if need_snapshot {
                match poller::resnapshot(&self.client, &self.cache).await {
                    Ok(d) => {
                        need_snapshot = false;
                        self.emit(Update::Diff(d));
                    }
                    Err(e) => {
                        // Repeats every attempt while the server is down;
                        // the status already carries it.
                        tracing::info!(error = %e, "snapshot failed");
                        match self.wait_and_retry(e.to_string(), true).await {
                            Next::Continue => continue,
                            Next::Stop => break,
                        }
                    }
                }
            }
            let next = match self.stream_once().await {
                StreamEnd::Cancelled => Next::Stop,
                StreamEnd::RealtimeOff => Next::Continue,
                StreamEnd::Reset(reason) => {
                    tracing::info!(%reason, "stream reset: re-snapshot");
                    need_snapshot = true;
                    resets_in_row += 1;
                    // One reset is answered at once; a server that keeps
                    // resetting is paced like any other failure.
                    if resets_in_row > 1 {
                        self.wait_and_retry(reason, false).await
                    } else {
                        Next::Continue
                    }
                }
                StreamEnd::Failed { error, live_for } => {
                    tracing::info!(%error, "stream disconnected");
                    if let Some(up) = live_for {
                        resets_in_row = 0;
                        self.backoff.connection_ended(up);
                        // The cache matched the server until this moment.
                        let _ = self.cache.run(|c| c.set_last_synced_now()).await;
                    }
                    // A drop from live gets one quiet reconnect; a failed
                    // connection attempt starts the polling fallback.
                    self.wait_and_retry(error, live_for.is_none()).await
                }
            };
            if let Next::Stop = next {
                break;
            }
        }
        tracing::debug!("engine stopped");
    }

    fn emit(&self, u: Update) {
        // A consumer that went away is not an error for the engine.
        let _ = self.out.send(u);
    }

    fn emit_all(&self, us: Vec<Update>) {
        for u in us {
            self.emit(u);
        }
    }

    /// Publishes a status when it differs from the last one.
    async fn set_status(
        &mut self,
        state: State,
        attempt: Option<u32>,
        next_retry: Option<Instant>,
        error: Option<String>,
    ) {
        let last_synced = if state == State::Live {
            Some(now_rfc3339())
        } else {
            self.cache.run(|c| c.last_synced()).await.ok().flatten()
        };
        let st = SyncStatus {
            state,
            attempt,
            next_retry_ms: next_retry
                .map(|t| t.saturating_duration_since(Instant::now()).as_millis() as u64),
            last_synced,
            error,
            realtime: self.realtime,
        };
        let same = self.last_status.as_ref().is_some_and(|l| {
            l.state == st.state
                && l.attempt == st.attempt
                && l.error == st.error
                && l.realtime == st.realtime
        });
        if !same {
            self.last_status = Some(st.clone());
            self.status_tx.send_replace(st.clone());
            self.emit(Update::Status(st));
        }
    }

    /// Status while the stream is down: offline when the last poll failed,
    /// polling when polls work, reconnecting before the fallback started.
    fn down_state(&self) -> State {
        match (self.polling, &self.poll_error) {
            (true, Some(_)) => State::Offline,
            (true, None) => State::Polling,
            (false, _) => State::Reconnecting,
        }
    }

    /// One catch-up over REST; records its outcome for the status.
    async fn poll(&mut self) {
        let mut updates = Vec::new();
        let res = poller::catch_up(&self.client, &self.cache, &mut |u| updates.push(u)).await;
        self.emit_all(updates);
        match res {
            Ok(()) => self.poll_error = None,
            Err(e) => {
                tracing::warn!(error = %e, "poll failed");
                self.poll_error = Some(e.to_string());
            }
        }
    }

    /// Waits for the next stream attempt per the backoff, running the
    /// polling fallback meanwhile.
    async fn wait_and_retry(&mut self, error: String, start_fallback: bool) -> Next {
        let (attempt, delay) = self.backoff.next_delay();
        let retry_at = Instant::now() + delay;
        if start_fallback && !self.polling {
            self.polling = true;
            self.poll().await;
            self.next_poll = Some(Instant::now() + self.cfg.poll_interval);
        }
        loop {
            let err = self.poll_error.clone().or_else(|| Some(error.clone()));
            self.set_status(self.down_state(), Some(attempt), Some(retry_at), err)
                .await;
            let next_poll = self.next_poll.filter(|_| self.polling);
            tokio::select! {
                _ = self.cancel.cancelled() => return Next::Stop,
                _ = sleep_until(retry_at) => return Next::Continue,
                _ = sleep_until(next_poll.unwrap_or(retry_at)), if next_poll.is_some() => {
                    self.poll().await;
                    self.next_poll = Some(Instant::now() + self.cfg.poll_interval);
                }
                c = self.control.recv(), if self.control_open => match c {
                    None => self.control_open = false,
                    Some(Control::SyncNow) => self.poll().await,
                    Some(Control::Realtime(true)) => {}
                    Some(Control::Realtime(false)) => {
                        self.realtime = false;
                        return Next::Continue;
                    }
                },
            }
        }
    }

    /// Realtime off: poll every interval (and on "sync now") until switched
    /// back on.
    async fn polling_only(&mut self) -> Next {
        self.polling = true;
        if self.next_poll.is_none_or(|t| t <= Instant::now()) {
            self.poll().await;
            self.next_poll = Some(Instant::now() + self.cfg.poll_interval);
        }
        loop {
            let state = if self.poll_error.is_some() {
                State::Offline
            } else {
                State::Polling
            };
            self.set_status(state, None, None, self.poll_error.clone())
                .await;
            let at = self.next_poll.unwrap_or_else(Instant::now);
            tokio::select! {
                _ = self.cancel.cancelled() => return Next::Stop,
                _ = sleep_until(at) => {
                    self.poll().await;
                    self.next_poll = Some(Instant::now() + self.cfg.poll_interval);
                }
                c = self.control.recv(), if self.control_open => match c {
                    None => self.control_open = false,
                    Some(Control::SyncNow) => self.poll().await,
                    Some(Control::Realtime(false)) => {}
                    Some(Control::Realtime(true)) => {
                        self.realtime = true;
                        self.polling = false;
                        self.next_poll = None;
                        self.backoff.reset();
                        self.set_status(State::Connecting, None, None, None).await;
                        return Next::Continue;
                    }
                },
            }
        }
    }

    /// One stream connection, from the request to its end.
    async fn stream_once(&mut self) -> StreamEnd {
        let cursor = match self.cache.run(|c| c.cursor()).await {
            Ok(c) => c,
            Err(e) => {
                return StreamEnd::Failed {
                    error: e.to_string(),
                    live_for: None,
                };
            }
        };
        let resp = tokio::select! {
            _ = self.cancel.cancelled() => return StreamEnd::Cancelled,
            r = self.client.open_events(cursor) => r,
        };
        let resp = match resp {
            Ok(r) => r,
            Err(e) if e.is_gone() => return StreamEnd::Reset("410 on the events route".into()),
            Err(e) => {
                return StreamEnd::Failed {
                    error: e.to_string(),
                    live_for: None,
                };
            }
        };
        tracing::debug!(?cursor, "stream open");
        // All chunks already received are taken together, so a replay or a
        // burst is applied in a few transactions instead of one per event,
        // while a lone live event still goes through at once.
        let mut body = resp.bytes_stream().ready_chunks(256);
        let mut parser = SseParser::new();
        let mut watchdog = self.cfg.watchdog.unwrap_or(DEFAULT_WATCHDOG);
        let mut deadline = Instant::now() + watchdog;
        let mut live_since: Option<Instant> = None;
        let live_for = |since: Option<Instant>| since.map(|t| t.elapsed());
        loop {
            tokio::select! {
                _ = self.cancel.cancelled() => return StreamEnd::Cancelled,
                _ = sleep_until(deadline) => {
                    return StreamEnd::Failed {
                        error: format!("no data for {watchdog:?}: connection presumed dead"),
                        live_for: live_for(live_since),
                    };
                }
                c = self.control.recv(), if self.control_open => match c {
                    None => self.control_open = false,
                    // Live: the stream already brings everything.
                    Some(Control::SyncNow) | Some(Control::Realtime(true)) => {}
                    Some(Control::Realtime(false)) => {
                        self.realtime = false;
                        return StreamEnd::RealtimeOff;
                    }
                },
                chunks = body.next() => {
                    // F-04: a clean end is a disconnect, not "done".
                    let Some(chunks) = chunks else {
                        return StreamEnd::Failed {
                            error: "the server ended the stream".into(),
                            live_for: live_for(live_since),
                        };
                    };
                    // Any byte, comments included, proves the peer alive.
                    deadline = Instant::now() + watchdog;
                    let mut items = Vec::new();
                    let mut failure = None;
                    for chunk in chunks {
                        match chunk.map_err(|e| format!("stream read failed: {e}")).and_then(|b| {
                            parser.feed(&b).map_err(|e| e.to_string())
                        }) {
                            Ok(more) => items.extend(more),
                            Err(e) => {
                                // Apply what came before the failure first.
                                failure = Some(e);
                                break;
                            }
                        }
                    }
                    let mut batch = Vec::new();
                    let mut reset = None;
                    for item in items {
                        match item {
                            SseItem::Comment => {}
                            SseItem::Retry(ms) => self.backoff.set_base(Duration::from_millis(ms)),
                            SseItem::Event(ev) => match stream::classify(&ev) {
                                Frame::Connected(c) => {
                                    watchdog = stream::watchdog_for(c.heartbeat_secs, self.cfg.watchdog);
                                    deadline = Instant::now() + watchdog;
                                    live_since = Some(Instant::now());
                                    tracing::info!(connection = %c.connection_id, version = c.version, "live");
                                    self.polling = false;
                                    self.next_poll = None;
                                    self.poll_error = None;
                                    self.set_status(State::Live, None, None, None).await;
                                }
                                Frame::Reset(r) => {
                                    reset = Some(format!("{} (server version {})", r.reason, r.version));
                                    break;
                                }
                                Frame::Change(e) => batch.push(*e),
                                Frame::Malformed(why) => {
                                    tracing::warn!(id = ?ev.id, event = %ev.event, %why, "malformed event payload skipped");
                                }
                            },
                        }
                    }
                    if !batch.is_empty() {
                        match poller::apply(&self.cache, batch).await {
                            Ok(us) => self.emit_all(us),
                            Err(e) => {
                                // The cursor did not move: reconnecting
                                // replays the same events.
                                tracing::error!(error = %e, "cannot apply events to the cache");
                                return StreamEnd::Failed {
                                    error: e.to_string(),
                                    live_for: live_for(live_since),
                                };
                            }
                        }
                    }
                    if let Some(r) = reset {
                        return StreamEnd::Reset(r);
                    }
                    if let Some(error) = failure {
                        return StreamEnd::Failed {
                            error,
                            live_for: live_for(live_since),
                        };
                    }
                }
            }
        }
    }
}
