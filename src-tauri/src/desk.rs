//! The app's state and the engine's lifecycle: which server (configured, or
//! the host-mode sidecar), the running engine, and the relay that turns the
//! engine's updates into Tauri events and notifications.
//!
//! The UI never depends on having heard an event (F-12): `get_state`
//! returns the engine's current rows and status, and [`events::RESYNC`] tells
//! it to ask again whenever the engine is (re)started.

use crate::events;
use crate::host::{self, HostServer};
use crate::notify::{self, Notifier};
use crate::settings::{self, Dirs, Settings};
use reservas_core::Reservation;
use reservas_sync::engine::{self, EngineConfig, EngineHandle};
use reservas_sync::{Notice, State, SyncStatus, Update};
use serde::Serialize;
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::mpsc::UnboundedReceiver;

/// Everything the commands reach through `tauri::State`.
pub struct Desk {
    pub dirs: Dirs,
    settings: Mutex<Settings>,
    engine: tokio::sync::RwLock<Option<EngineHandle>>,
    host: tokio::sync::Mutex<Option<HostServer>>,
    /// Why the engine is not running (e.g. the sidecar failed to start).
    error: Mutex<Option<String>>,
    notifier: Option<Notifier>,
}

/// What the UI loads on mount and after [`events::RESYNC`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeskState {
    /// The engine is running (false while host mode starts up).
    pub ready: bool,
    pub rows: Vec<Reservation>,
    pub version: u64,
    pub status: Option<SyncStatus>,
    /// The business's "today" as the cache knows it (the default date).
    pub today: String,
    pub settings: Settings,
    /// Host mode: the server's URL and staff token for other devices.
    pub host: Option<host::HostInfo>,
    pub error: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Desk {
    pub fn new(dirs: Dirs) -> Desk {
        let settings = settings::load(&dirs.settings_file());
        let notifier = match Notifier::start("Reservas") {
            Ok(n) => Some(n),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the notification thread");
                None
            }
        };
        Desk {
            dirs,
            settings: Mutex::new(settings),
            engine: tokio::sync::RwLock::new(None),
            host: tokio::sync::Mutex::new(None),
            error: Mutex::new(None),
            notifier,
        }
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Runs `f` with the engine, or says it is not running.
    pub async fn with_engine<T>(&self, f: impl FnOnce(&EngineHandle) -> T) -> Option<T> {
        self.engine.read().await.as_ref().map(f)
    }

    /// (Re)starts the engine for the current settings, starting or stopping
    /// the host-mode server as needed, then tells the UI to reload.
    pub async fn start(&self, app: &AppHandle) {
        let mut slot = self.engine.write().await;
        if let Some(old) = slot.take() {
            old.shutdown().await;
        }
        let s = self.settings();
        let result = self.connect(&s).await;
        match result {
            Ok((server, token)) => {
                let mut cfg =
                    EngineConfig::new(&server, &token, self.dirs.cache_file(&server, &token));
                cfg.realtime = s.realtime;
                if let Some(ms) = env_ms("RESERVAS_POLL_MS") {
                    cfg.poll_interval = ms;
                }
                if let Some(ms) = env_ms("RESERVAS_BACKOFF_CAP_MS") {
                    cfg.backoff_cap = ms;
                }
                if let Some(dir) = self.dirs.cache_file(&server, &token).parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                match engine::start(cfg) {
                    Ok((handle, rx)) => {
                        tracing::info!(%server, "engine started");
                        *lock(&self.error) = None;
                        *slot = Some(handle);
                        tauri::async_runtime::spawn(relay(app.clone(), rx, self.notifier.clone()));
                    }
                    Err(e) => self.fail(format!("cannot open the cache: {e}")),
                }
            }
            Err(e) => self.fail(format!("{e:#}")),
        }
        drop(slot);
        if let Err(e) = app.emit(events::RESYNC, ()) {
            tracing::warn!(error = %e, "cannot emit resync");
        }
    }

    fn fail(&self, msg: String) {
        tracing::error!(error = %msg, "engine not started");
        *lock(&self.error) = Some(msg);
    }

    /// The server and token to use: the configured ones, or host mode's.
    async fn connect(&self, s: &Settings) -> anyhow::Result<(String, String)> {
        let mut host = self.host.lock().await;
        if let Some((server, token)) = s.remote() {
            if let Some(h) = host.take() {
                h.stop().await;
            }
            return Ok((server, token));
        }
        // A running sidecar on the wrong interface is restarted.
        if host.as_ref().is_some_and(|h| h.info.lan != s.lan)
            && let Some(h) = host.take()
        {
            h.stop().await;
        }
        if host.is_none() {
            *host = Some(host::start(&self.dirs.host(), s.lan).await?);
        }
        let info = &host.as_ref().map(|h| h.info.clone()).unwrap_or_default();
        Ok((info.url.clone(), info.token.clone()))
    }

    /// Saves new settings and restarts the engine when the connection
    /// changed; the realtime switch alone is applied to the running engine.
    pub async fn update_settings(&self, app: &AppHandle, new: Settings) -> std::io::Result<()> {
        settings::save(&self.dirs.settings_file(), &new)?;
        let old = std::mem::replace(&mut *lock(&self.settings), new.clone());
        let reconnect =
            old.remote() != new.remote() || (new.remote().is_none() && old.lan != new.lan);
        if reconnect {
            self.start(app).await;
        } else if old.realtime != new.realtime {
            self.with_engine(|e| e.set_realtime(new.realtime)).await;
        }
        Ok(())
    }

    /// The whole state, read from the engine's cache right now.
    pub async fn state(&self) -> DeskState {
        let settings = self.settings();
        let host = self.host.lock().await.as_ref().map(|h| h.info.clone());
        let error = lock(&self.error).clone();
        let guard = self.engine.read().await;
        let Some(engine) = guard.as_ref() else {
            return DeskState {
                ready: false,
                rows: Vec::new(),
                version: 0,
                status: None,
                today: reservas_sync::cache::today_local(),
                settings,
                host,
                error,
            };
        };
        let read = engine
            .cache()
            .run(|c| {
                let rows = c.rows(None)?;
                let version = c.cursor()?.unwrap_or(0);
                let today = c.stats_date()?;
                Ok((rows, version, today))
            })
            .await;
        // The status is read after the rows (a slow read must not return
        // a status older than the events the UI heard meanwhile).
        let status = engine.status();
        let (rows, version, today, error) = match read {
            Ok((rows, version, today)) => (rows, version, today, error),
            Err(e) => (
                Vec::new(),
                0,
                None,
                Some(format!("cannot read the cache: {e}")),
            ),
        };
        DeskState {
            ready: true,
            rows,
            version,
            status: Some(status),
            today: today.unwrap_or_else(reservas_sync::cache::today_local),
            settings,
            host,
            error,
        }
    }

    /// The window came back to the front: catch up at once if not live.
    pub async fn focused(&self) {
        self.with_engine(|e| {
            if e.status().state != State::Live {
                e.sync_now();
            }
        })
        .await;
    }

    /// Stops the engine and the host-mode server (app exit, SIGTERM).
    pub async fn shutdown(&self) {
        if let Some(e) = self.engine.write().await.take() {
            e.shutdown().await;
        }
        if let Some(h) = self.host.lock().await.take() {
            h.stop().await;
        }
    }
}

fn env_ms(key: &str) -> Option<std::time::Duration> {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .map(std::time::Duration::from_millis)
}

/// Engine updates → Tauri events (+ a notification per QR scan). Ends when
/// the engine stops (its sender is dropped).
async fn relay(app: AppHandle, mut rx: UnboundedReceiver<Update>, notifier: Option<Notifier>) {
    while let Some(update) = rx.recv().await {
        let sent = match &update {
            Update::Status(s) => app.emit(events::STATUS, s),
            Update::Diff(d) => app.emit(events::DIFF, d),
            Update::Notice(n) => {
                if let (
                    Notice::QrScanned {
                        customer_name,
                        asistencia_actual,
                        party_size,
                        ..
                    },
                    Some(notifier),
                ) = (n, &notifier)
                {
                    let lang = app
                        .try_state::<Desk>()
                        .map(|d| d.settings().language)
                        .unwrap_or_default();
                    notifier.send(notify::qr_note(
                        customer_name,
                        *asistencia_actual,
                        *party_size,
                        &lang,
                    ));
                }
                app.emit(events::NOTICE, n)
            }
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "cannot emit an event to the UI");
        }
    }
    tracing::debug!("relay ended");
}
