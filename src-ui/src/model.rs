//! The UI's state and its reducer (`use_reducer` in the app component).
//!
//! The rows come from the engine's cache (`get_state`) and are then kept in
//! step by diffs. A diff that arrives around a reload could be older than
//! the reload, so a row is only replaced by one with a version at least as
//! high, and removals only apply when the diff is newer than the state.
//!
//! `Diff`, `SyncStatus` and `Notice` mirror the serde shapes of
//! `reservas_sync::update` (that crate does not build for wasm32); the
//! reservation and stats types are the core ones.

use reservas_core::{Reservation, Stats};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub upserts: Vec<Reservation>,
    pub removals: Vec<String>,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnState {
    Connecting,
    Live,
    Reconnecting,
    Polling,
    Offline,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: ConnState,
    #[serde(default)]
    pub attempt: Option<u32>,
    #[serde(default)]
    pub next_retry_ms: Option<u64>,
    #[serde(default)]
    pub last_synced: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    pub realtime: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Notice {
    QrScanned {
        customer_name: String,
        asistencia_actual: u32,
        party_size: u32,
    },
    Created {
        customer_name: String,
        time: String,
    },
    Deleted {
        #[serde(default)]
        customer_name: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub server: Option<String>,
    pub token: Option<String>,
    pub realtime: bool,
    pub language: String,
    pub lan: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: None,
            token: None,
            realtime: true,
            language: "es".into(),
            lan: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInfo {
    pub url: String,
    pub port: u16,
    pub lan: bool,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeskState {
    pub ready: bool,
    pub rows: Vec<Reservation>,
    pub version: u64,
    pub status: Option<SyncStatus>,
    pub today: String,
    pub settings: Settings,
    pub host: Option<HostInfo>,
    pub error: Option<String>,
}

/// An error from a command, as the shell maps it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UiError {
    pub message: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub network: bool,
}

impl UiError {
    pub fn plain(message: impl Into<String>) -> UiError {
        UiError {
            message: message.into(),
            code: None,
            field: None,
            status: None,
            network: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u32,
    pub kind: ToastKind,
    pub text: String,
}

/// What a row's buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    CheckIn,
    Status(reservas_core::Status),
    Qr,
    Edit,
    Delete,
}

/// Which dialog is open (one at a time).
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    None,
    /// Create (None) or edit (Some) a reservation.
    Form(Option<Reservation>),
    ConfirmDelete(Reservation),
    Qr(Reservation),
    Settings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UiState {
    pub loaded: bool,
    /// The last diffs heard, replayed over a reload whose answer was read
    /// before them (the reload must never take the screen back in time).
    pub recent: Rc<Vec<Diff>>,
    pub rows: Rc<HashMap<String, Reservation>>,
    pub version: u64,
    pub status: Option<SyncStatus>,
    /// When the indicator turned offline (ms since the epoch).
    pub offline_since: Option<f64>,
    pub today: String,
    pub date: String,
    pub search: String,
    pub settings: Settings,
    pub host: Option<HostInfo>,
    pub error: Option<String>,
    pub toasts: Vec<Toast>,
    pub next_toast: u32,
    pub dialog: Dialog,
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            loaded: false,
            recent: Rc::new(Vec::new()),
            rows: Rc::new(HashMap::new()),
            version: 0,
            status: None,
            offline_since: None,
            today: String::new(),
            date: String::new(),
            search: String::new(),
            settings: Settings::default(),
            host: None,
            error: None,
            toasts: Vec::new(),
            next_toast: 1,
            dialog: Dialog::None,
        }
    }
}

// An action is built and moved once per dispatch: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Action {
    /// The engine's state; `status_fresh` is false when a status event came
    /// in while it was being fetched (that event is newer: keep it).
    Loaded {
        state: Box<DeskState>,
        status_fresh: bool,
    },
    Diff(Diff),
    Status(SyncStatus),
    SetDate(String),
    SetSearch(String),
    Toast(ToastKind, String),
    DropToast(u32),
    Open(Dialog),
    Settings(Settings),
}

impl UiState {
    /// The selected day's rows that match the search, sorted by time.
    pub fn day_rows(&self) -> Vec<Reservation> {
        let q = self.search.trim().to_lowercase();
        let mut v: Vec<Reservation> = self
            .rows
            .values()
            .filter(|r| r.date == self.date)
            .filter(|r| q.is_empty() || matches(r, &q))
            .cloned()
            .collect();
        v.sort_by(|a, b| {
            (&a.time, &a.customer_name, &a.id).cmp(&(&b.time, &b.customer_name, &b.id))
        });
        v
    }

    /// The selected day's figures, with the same rules as the server.
    pub fn stats(&self) -> Stats {
        Stats::compute(&self.date, self.rows.values())
    }

    pub fn lang(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::from_code(&self.settings.language)
    }
}

fn matches(r: &Reservation, q: &str) -> bool {
    let has = |s: Option<&str>| s.is_some_and(|s| s.to_lowercase().contains(q));
    has(Some(&r.customer_name))
        || has(r.table.as_deref())
        || has(r.notes.as_deref())
        || has(r.customer_phone.as_deref())
        || has(r.customer_email.as_deref())
}

impl Reducible for UiState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Loaded {
                state,
                status_fresh,
            } => {
                let d = *state;
                s.rows = Rc::new(d.rows.into_iter().map(|r| (r.id.clone(), r)).collect());
                s.version = d.version;
                s.loaded = d.ready;
                if s.date.is_empty() || s.date == s.today {
                    s.date = d.today.clone();
                }
                s.today = d.today;
                s.settings = d.settings;
                s.host = d.host;
                s.error = d.error;
                if let (Some(st), true) = (d.status, status_fresh || s.status.is_none()) {
                    set_status(&mut s, st);
                }
                let loaded_at = s.version;
                let recent = s.recent.clone();
                for diff in recent.iter().filter(|x| x.version > loaded_at) {
                    apply_diff(&mut s, diff.clone());
                }
            }
            Action::Diff(d) => {
                let recent = Rc::make_mut(&mut s.recent);
                recent.push(d.clone());
                if recent.len() > RECENT {
                    recent.remove(0);
                }
                apply_diff(&mut s, d);
            }
            Action::Status(st) => set_status(&mut s, st),
            Action::SetDate(d) => s.date = d,
            Action::SetSearch(q) => s.search = q,
            Action::Toast(kind, text) => {
                s.toasts.push(Toast {
                    id: s.next_toast,
                    kind,
                    text,
                });
                s.next_toast += 1;
                // Keep the stack short: the oldest go first.
                if s.toasts.len() > 5 {
                    s.toasts.remove(0);
                }
            }
            Action::DropToast(id) => s.toasts.retain(|t| t.id != id),
            Action::Open(d) => s.dialog = d,
            Action::Settings(st) => s.settings = st,
        }
        Rc::new(s)
    }
}

/// Diffs kept for replay over a reload.
const RECENT: usize = 64;

/// A row is only replaced by one at least as new; removals only apply when
/// the diff is newer than the state.
fn apply_diff(s: &mut UiState, d: Diff) {
    let rows = Rc::make_mut(&mut s.rows);
    for r in d.upserts {
        let newer = rows.get(&r.id).is_none_or(|old| old.version <= r.version);
        if newer {
            rows.insert(r.id.clone(), r);
        }
    }
    if d.version > s.version {
        for id in &d.removals {
            rows.remove(id);
        }
        s.version = d.version;
    }
    s.loaded = true;
}

fn set_status(s: &mut UiState, st: SyncStatus) {
    if st.state == ConnState::Offline {
        if s.offline_since.is_none() {
            s.offline_since = Some(js_sys::Date::now());
        }
    } else {
        s.offline_since = None;
    }
    s.status = Some(st);
}
