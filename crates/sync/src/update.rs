//! What the engine tells its consumer (the desktop shell, `reservas tail`):
//! connection status, small diffs of the cache, and notices for the events a
//! person should hear about. The serde shapes are the `tail --json` lines
//! and the Tauri event payloads.

use reservas_core::{Reservation, Stats};
use serde::{Deserialize, Serialize};

/// One output of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Update {
    Status(SyncStatus),
    Diff(Diff),
    Notice(Notice),
}

/// A change of the cache: full rows that are new or changed, ids that are
/// gone, the day's stats after the change and the cursor it brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub upserts: Vec<Reservation>,
    pub removals: Vec<String>,
    pub stats: Stats,
    pub version: u64,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty() && self.removals.is_empty()
    }
}

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// First connection attempt (or after realtime was switched on).
    Connecting,
    /// The stream is open and `connected` was received.
    Live,
    /// The stream is down; waiting for the next attempt.
    Reconnecting,
    /// The stream is down (or realtime is off) and `/changes` polls work.
    Polling,
    /// Nothing reaches the server: the cache is all there is.
    Offline,
}

/// A status line. Optional fields are present when they mean something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: State,
    /// Stream reconnect attempt about to be made (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// Milliseconds until that attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_retry_ms: Option<u64>,
    /// When the cache was last known to match the server (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_synced: Option<String>,
    /// Why the stream or the server is not usable, in one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether the realtime stream is switched on.
    pub realtime: bool,
}

impl SyncStatus {
    pub fn new(state: State, realtime: bool) -> SyncStatus {
        SyncStatus {
            state,
            attempt: None,
            next_retry_ms: None,
            last_synced: None,
            error: None,
            realtime,
        }
    }
}

/// Events worth telling a person about, each emitted once per event id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Notice {
    /// A guest's QR code was scanned (check-in).
    QrScanned {
        event_id: u64,
        reserva_id: String,
        customer_name: String,
        asistencia_actual: u32,
        party_size: u32,
        at: String,
    },
    Created {
        event_id: u64,
        reserva_id: String,
        customer_name: String,
        date: String,
        time: String,
        party_size: u32,
        at: String,
    },
    Deleted {
        event_id: u64,
        reserva_id: String,
        /// The name the cache knew, if the row was cached.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer_name: Option<String>,
        at: String,
    },
}

impl Notice {
    pub fn event_id(&self) -> u64 {
        match self {
            Notice::QrScanned { event_id, .. }
            | Notice::Created { event_id, .. }
            | Notice::Deleted { event_id, .. } => *event_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_lines_have_the_documented_shape() {
        let mut st = SyncStatus::new(State::Reconnecting, true);
        st.attempt = Some(2);
        st.next_retry_ms = Some(1500);
        let v = serde_json::to_value(Update::Status(st)).unwrap();
        assert_eq!(
            v,
            json!({"kind":"status","state":"reconnecting","attempt":2,"nextRetryMs":1500,"realtime":true})
        );
        let n = Notice::QrScanned {
            event_id: 7,
            reserva_id: "r1".into(),
            customer_name: "Ana".into(),
            asistencia_actual: 2,
            party_size: 4,
            at: "t".into(),
        };
        let v = serde_json::to_value(Update::Notice(n.clone())).unwrap();
        assert_eq!(v["kind"], "notice");
        assert_eq!(v["type"], "qr-scanned");
        assert_eq!(v["customerName"], "Ana");
        assert_eq!(v["asistenciaActual"], 2);
        let back: Update = serde_json::from_value(v).unwrap();
        assert_eq!(back, Update::Notice(n));
        let d = Diff {
            upserts: vec![],
            removals: vec!["x".into()],
            stats: Stats::default(),
            version: 3,
        };
        let v = serde_json::to_value(Update::Diff(d)).unwrap();
        assert_eq!(v["kind"], "diff");
        assert_eq!(v["removals"], json!(["x"]));
        assert_eq!(v["version"], 3);
    }
}
