//! The hub wakes the live SSE connections of a business after a commit.
//!
//! It is deliberately not a message queue: each business has a `watch`
//! channel holding only the newest event id (a wake-up that can never lag or
//! grow), plus a small ring of the most recent events so that the common
//! case — every connection one or two events behind — is served from memory.
//! A connection that fell further behind reads the gap from the log (the
//! store), which is the truth; nothing is buffered per connection.

use crate::metrics::Metrics;
use crate::store::LogEntry;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::watch;

/// Events kept in memory per business. Small on purpose: with a thousand
/// businesses this stays a few tens of MB at most, and a connection that is
/// further behind costs one indexed read of the log.
pub const RING: usize = 64;

pub struct Channel {
    head: watch::Sender<u64>,
    recent: RwLock<VecDeque<Arc<LogEntry>>>,
}

impl Channel {
    /// A receiver whose value is the newest published id.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// The events with id > `since`, up to `max`, if the ring still holds
    /// `since + 1`; `None` means "read the log".
    pub fn recent_after(&self, since: u64, max: usize) -> Option<Vec<Arc<LogEntry>>> {
        let ring = self.recent.read().unwrap_or_else(|e| e.into_inner());
        let first = ring.front()?.id;
        if since + 1 < first {
            return None;
        }
        let skip = (since + 1 - first) as usize;
        Some(ring.iter().skip(skip).take(max).cloned().collect())
    }
}

pub struct Hub {
    channels: Mutex<HashMap<String, Arc<Channel>>>,
    metrics: Arc<Metrics>,
}

impl Hub {
    pub fn new(metrics: Arc<Metrics>) -> Hub {
        Hub {
            channels: Mutex::default(),
            metrics,
        }
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The channel of `business` (keyed by the exact id: `1` and `12` are
    /// different keys, never a prefix of each other).
    pub fn channel(&self, business: &str) -> Arc<Channel> {
        let mut map = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(business.to_string())
            .or_insert_with(|| {
                Arc::new(Channel {
                    head: watch::channel(0).0,
                    recent: RwLock::new(VecDeque::with_capacity(RING)),
                })
            })
            .clone()
    }

    /// Called by the store after a commit, in commit order.
    pub fn publish(&self, business: &str, entries: Vec<LogEntry>) {
        let Some(last) = entries.last().map(|e| e.id) else {
            return;
        };
        self.metrics
            .events_written
            .fetch_add(entries.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let ch = self.channel(business);
        {
            let mut ring = ch.recent.write().unwrap_or_else(|e| e.into_inner());
            for e in entries {
                // A gap (cannot happen with one writer, but be safe) makes the
                // ring unusable for `recent_after`'s index arithmetic.
                if ring.back().is_some_and(|b| b.id + 1 != e.id) {
                    ring.clear();
                }
                if ring.len() == RING {
                    ring.pop_front();
                }
                ring.push_back(Arc::new(e));
            }
        }
        ch.head.send_replace(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64) -> LogEntry {
        LogEntry {
            id,
            name: "reservation-deleted".into(),
            data: format!("{{\"id\":{id}}}"),
        }
    }

    #[test]
    fn ring_serves_recent_and_refuses_older() {
        let hub = Hub::new(Arc::default());
        let rx = hub.channel("1").subscribe();
        hub.publish("1", (1..=100).map(entry).collect());
        assert_eq!(*rx.borrow(), 100);
        let got = hub.channel("1").recent_after(98, 10).unwrap();
        assert_eq!(got.iter().map(|e| e.id).collect::<Vec<_>>(), vec![99, 100]);
        assert!(hub.channel("1").recent_after(100, 10).unwrap().is_empty());
        // 100 - RING + 1 = 37 is the oldest kept.
        assert!(hub.channel("1").recent_after(35, 10).is_none());
        assert_eq!(hub.channel("1").recent_after(36, 1).unwrap()[0].id, 37);
        // Another business, even one whose id starts the same, sees nothing.
        assert_eq!(*hub.channel("12").subscribe().borrow(), 0);
    }
}
