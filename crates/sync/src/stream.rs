//! What one block of the event stream means to the engine (PROTOCOL.md,
//! "The event stream"): `connected`, `reset`, a change event, or something
//! malformed that is logged and skipped. Reading bytes, the watchdog and
//! reconnecting live in the engine; this module only interprets, so it can
//! be tested without a network.

use crate::sse::SseEvent;
use reservas_core::Event;
use reservas_core::event::{CONNECTED, Connected, RESET, Reset};
use std::time::Duration;

/// Watchdog before the server said its heartbeat: 3 × the default 15 s.
pub const DEFAULT_WATCHDOG: Duration = Duration::from_secs(45);

/// A block, interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Connected(Connected),
    Reset(Reset),
    Change(Box<Event>),
    /// A block we cannot use; the reason is for the log.
    Malformed(String),
}

/// Interprets one dispatched block.
pub fn classify(ev: &SseEvent) -> Frame {
    match ev.event.as_str() {
        CONNECTED => match serde_json::from_str::<Connected>(&ev.data) {
            Ok(c) => Frame::Connected(c),
            Err(e) => Frame::Malformed(format!("connected: {e}")),
        },
        RESET => match serde_json::from_str::<Reset>(&ev.data) {
            Ok(r) => Frame::Reset(r),
            // A reset we cannot read is still a reset: re-snapshot anyway.
            Err(_) => Frame::Reset(Reset {
                reason: "unreadable reset".into(),
                version: 0,
            }),
        },
        name => match serde_json::from_str::<Event>(&ev.data) {
            Ok(e) if e.name() != name => Frame::Malformed(format!(
                "event name {name:?} does not match its payload type {:?}",
                e.name()
            )),
            Ok(e) => {
                // The SSE id and the payload id must agree; the payload is
                // what gets applied, so a mismatch is a corrupt frame.
                match ev.id.as_deref().map(str::parse::<u64>) {
                    Some(Ok(id)) if id != e.id => {
                        Frame::Malformed(format!("id line {id} does not match payload id {}", e.id))
                    }
                    _ => Frame::Change(Box::new(e)),
                }
            }
            Err(e) => Frame::Malformed(format!("{name}: {e}")),
        },
    }
}

/// The watchdog for a server heartbeat: about three missed heartbeats, or
/// the configured override.
pub fn watchdog_for(heartbeat_secs: u64, override_: Option<Duration>) -> Duration {
    match override_ {
        Some(d) => d,
        None if heartbeat_secs == 0 => DEFAULT_WATCHDOG,
        None => Duration::from_secs(heartbeat_secs.saturating_mul(3)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(id: Option<&str>, event: &str, data: &str) -> SseEvent {
        SseEvent {
            id: id.map(str::to_string),
            event: event.into(),
            data: data.into(),
        }
    }

    #[test]
    fn classifies_every_kind_of_block() {
        let c = classify(&block(
            None,
            "connected",
            r#"{"connectionId":"c1","version":5,"heartbeatSecs":15}"#,
        ));
        assert!(matches!(
            c,
            Frame::Connected(Connected {
                version: 5,
                heartbeat_secs: 15,
                ..
            })
        ));
        let r = classify(&block(
            None,
            "reset",
            r#"{"reason":"history-gone","version":9}"#,
        ));
        assert!(matches!(r, Frame::Reset(Reset { version: 9, .. })));
        assert!(matches!(
            classify(&block(None, "reset", "?")),
            Frame::Reset(_)
        ));
        let ok = r#"{"type":"reservation-deleted","id":7,"at":"t","reservaId":"r1"}"#;
        assert!(
            matches!(classify(&block(Some("7"), "reservation-deleted", ok)), Frame::Change(e) if e.id == 7)
        );
        for (id, name, data) in [
            (Some("7"), "reservation-deleted", "{not json"),
            (Some("7"), "qr-scanned", ok),
            (Some("8"), "reservation-deleted", ok),
            (
                Some("7"),
                "reservation-created",
                r#"{"type":"reservation-created","id":7,"at":"t","reservaId":"r1"}"#,
            ),
            (
                None,
                "mystery",
                r#"{"type":"mystery","id":7,"at":"t","reservaId":"r1"}"#,
            ),
        ] {
            assert!(
                matches!(classify(&block(id, name, data)), Frame::Malformed(_)),
                "{name} {data}"
            );
        }
    }

    #[test]
    fn watchdog_is_three_heartbeats() {
        assert_eq!(watchdog_for(15, None), Duration::from_secs(45));
        assert_eq!(watchdog_for(1, None), Duration::from_secs(3));
        assert_eq!(watchdog_for(0, None), DEFAULT_WATCHDOG);
        assert_eq!(
            watchdog_for(1, Some(Duration::from_secs(9))),
            Duration::from_secs(9)
        );
    }
}
