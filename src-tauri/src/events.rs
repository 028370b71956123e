//! The names of the events the shell sends to the UI, in one place. The UI
//! (src-ui/src/bridge.rs) listens to the same strings.

/// A [`reservas_sync::SyncStatus`] (connection indicator).
pub const STATUS: &str = "reservas:status";
/// A [`reservas_sync::Diff`] (rows upserted / removed, stats, version).
pub const DIFF: &str = "reservas:diff";
/// A [`reservas_sync::Notice`] (toasts: created, deleted, checked in).
pub const NOTICE: &str = "reservas:notice";
/// The engine was (re)started or the window came back: the UI reloads its
/// whole state with `get_state` rather than trusting what it heard.
pub const RESYNC: &str = "reservas:resync";
