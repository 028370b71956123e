//! Native notifications for QR check-ins (F-11).
//!
//! Showing a notification is a blocking D-Bus round trip that can fail (no
//! session bus, no daemon) or never return (a daemon that hangs). So it runs
//! on one dedicated thread fed by a bounded channel: the relay only does a
//! `try_send`, which never blocks and never touches a runtime, and a
//! failure is logged and forgotten. If the daemon hangs, later scans queue
//! up to [`QUEUE`] and then are dropped with a warning — the UI still shows
//! every scan, because it is fed by the diffs, not by this module.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

/// Notifications waiting for the daemon before new ones are dropped.
const QUEUE: usize = 64;

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub summary: String,
    pub body: String,
}

/// "Ana García — 3/4 llegados" (the count in the summary so a glance at the
/// popup is enough).
pub fn qr_note(name: &str, arrived: u32, party: u32, lang: &str) -> Note {
    let word = if lang == "en" { "arrived" } else { "llegados" };
    let body = if lang == "en" {
        "QR code scanned at the door"
    } else {
        "QR escaneado en la puerta"
    };
    Note {
        summary: format!("{name} — {arrived}/{party} {word}"),
        body: body.to_string(),
    }
}

/// The sending side; cheap to clone. Dropping every clone ends the thread.
#[derive(Clone)]
pub struct Notifier {
    tx: SyncSender<Note>,
}

impl Notifier {
    /// Starts the notification thread.
    pub fn start(app_name: &'static str) -> std::io::Result<Notifier> {
        let (tx, rx) = sync_channel::<Note>(QUEUE);
        std::thread::Builder::new()
            .name("notifications".into())
            .spawn(move || {
                for note in rx {
                    show(app_name, &note);
                }
            })?;
        Ok(Notifier { tx })
    }

    /// Queues a notification; never blocks.
    pub fn send(&self, note: Note) {
        match self.tx.try_send(note) {
            Ok(()) => {}
            Err(TrySendError::Full(n)) => {
                tracing::warn!(summary = %n.summary, "notification dropped: the daemon is not keeping up");
            }
            Err(TrySendError::Disconnected(n)) => {
                tracing::warn!(summary = %n.summary, "notification dropped: notification thread gone");
            }
        }
    }
}

fn show(app_name: &str, note: &Note) {
    let started = std::time::Instant::now();
    let result = notify_rust::Notification::new()
        .appname(app_name)
        .summary(&note.summary)
        .body(&note.body)
        .icon("dialog-information")
        .show();
    match result {
        Ok(_) => {
            tracing::debug!(summary = %note.summary, ms = started.elapsed().as_millis() as u64, "notification shown")
        }
        Err(e) => tracing::warn!(summary = %note.summary, error = %e, "cannot show a notification"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_guest_and_the_count() {
        let n = qr_note("Ana García", 3, 4, "es");
        assert_eq!(n.summary, "Ana García — 3/4 llegados");
        assert_eq!(qr_note("Ana", 1, 2, "en").summary, "Ana — 1/2 arrived");
    }

    #[test]
    fn a_full_queue_drops_instead_of_blocking() {
        // No thread reads this channel: sends past the bound must return.
        let (tx, _rx) = sync_channel::<Note>(1);
        let n = Notifier { tx };
        for _ in 0..10 {
            n.send(qr_note("x", 1, 1, "es"));
        }
    }
}
