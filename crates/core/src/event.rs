//! The change events of a business's ordered log (PROTOCOL.md, "The event
//! stream"). The same JSON object is the `data:` of an SSE frame and an entry
//! of `/api/reservas/changes`.

use crate::reservation::{Reservation, Status};
use serde::{Deserialize, Serialize};

/// One logged change. `id` is the per-business log position (1, 2, 3…) and
/// the new `version` of the row it touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: u64,
    pub at: String,
    pub reserva_id: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What changed; serialized as the `type` field plus its own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum EventKind {
    ReservationCreated {
        reserva: Box<Reservation>,
    },
    ReservationUpdated {
        reserva: Box<Reservation>,
        changed: Vec<String>,
    },
    StatusChanged {
        status: Status,
        previous_status: Status,
    },
    ReservationDeleted {},
    QrScanned {
        asistencia_actual: u32,
        cliente_nombre: String,
        party_size: u32,
    },
}

impl EventKind {
    /// The SSE `event:` name, equal to the JSON `type`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ReservationCreated { .. } => "reservation-created",
            EventKind::ReservationUpdated { .. } => "reservation-updated",
            EventKind::StatusChanged { .. } => "status-changed",
            EventKind::ReservationDeleted {} => "reservation-deleted",
            EventKind::QrScanned { .. } => "qr-scanned",
        }
    }
}

impl Event {
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }
}

/// SSE name of the first frame of every stream.
pub const CONNECTED: &str = "connected";
/// SSE name of the frame that tells a client to re-snapshot.
pub const RESET: &str = "reset";

/// `data` of the `connected` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connected {
    pub connection_id: String,
    pub version: u64,
    pub heartbeat_secs: u64,
}

/// `data` of the `reset` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reset {
    /// `history-gone` (the id is older than the retained log) or
    /// `ahead-of-log` (the id is newer than the log: the server was reset).
    pub reason: String,
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_shapes_match_the_protocol() {
        let e = Event {
            id: 42,
            at: "2026-12-03T20:15:02.123Z".into(),
            reserva_id: "r_1".into(),
            kind: EventKind::QrScanned {
                asistencia_actual: 2,
                cliente_nombre: "Ana".into(),
                party_size: 4,
            },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            json!({"id":42,"at":"2026-12-03T20:15:02.123Z","reservaId":"r_1","type":"qr-scanned",
                   "asistenciaActual":2,"clienteNombre":"Ana","partySize":4})
        );
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), e);

        let d = Event {
            id: 7,
            at: "x".into(),
            reserva_id: "r_2".into(),
            kind: EventKind::ReservationDeleted {},
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["type"], "reservation-deleted");
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), d);

        let s = EventKind::StatusChanged {
            status: Status::NoShow,
            previous_status: Status::Confirmed,
        };
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            json!({"type":"status-changed","status":"no_show","previousStatus":"confirmed"})
        );
        assert_eq!(s.name(), "status-changed");
    }
}
