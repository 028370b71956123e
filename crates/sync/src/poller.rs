//! One catch-up with the server over plain REST: `/changes?since=cursor`
//! page by page, or a full snapshot when there is no cursor yet or the
//! server answers 410 (history gone / data reset). Used by the engine's
//! polling fallback and "sync now", and by `reservas list`.

use crate::cache::{CacheError, SharedCache};
use crate::client::{ApiClient, ApiError, SnapshotQuery};
use crate::update::{Diff, Update};
use reservas_core::Event;

/// Page size of `/changes` (the server's default; max is 5000).
pub const PAGE: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl SyncError {
    pub fn is_network(&self) -> bool {
        matches!(self, SyncError::Api(e) if e.is_network())
    }
}

/// Replaces the cache with a fresh snapshot; returns its diff (every row
/// for an empty cache, only differences otherwise).
pub async fn resnapshot(client: &ApiClient, cache: &SharedCache) -> Result<Diff, SyncError> {
    let snap = client
        .snapshot(&SnapshotQuery {
            include_stats: true,
            ..Default::default()
        })
        .await?;
    tracing::info!(
        rows = snap.reservas.len(),
        version = snap.version,
        "snapshot"
    );
    Ok(cache.run(move |c| c.replace_with_snapshot(&snap)).await?)
}

/// Applies events (and the cursor) in one transaction; returns the diff
/// and the notices of the events seen for the first time.
pub async fn apply(cache: &SharedCache, events: Vec<Event>) -> Result<Vec<Update>, SyncError> {
    let (applied, diff) = cache
        .run(move |c| {
            let a = c.apply_events(&events)?;
            let d = c.diff_for(&a.touched)?;
            Ok((a, d))
        })
        .await?;
    if applied.replayed > 0 {
        tracing::debug!(
            replayed = applied.replayed,
            "events already applied were skipped"
        );
    }
    let mut out = Vec::with_capacity(1 + applied.notices.len());
    if !diff.is_empty() {
        out.push(Update::Diff(diff));
    }
    out.extend(applied.notices.into_iter().map(Update::Notice));
    Ok(out)
}

/// Brings the cache up to the server's head. Every update produced is
/// passed to `emit` as soon as its transaction committed.
pub async fn catch_up(
    client: &ApiClient,
    cache: &SharedCache,
    emit: &mut (dyn FnMut(Update) + Send),
) -> Result<(), SyncError> {
    loop {
        let cursor = cache.run(|c| c.cursor()).await?;
        let Some(since) = cursor else {
            emit(Update::Diff(resnapshot(client, cache).await?));
            return Ok(());
        };
        let changes = match client.changes(since, Some(PAGE)).await {
            Err(e) if e.is_gone() => {
                tracing::info!(since, "history gone (410): re-snapshot");
                emit(Update::Diff(resnapshot(client, cache).await?));
                return Ok(());
            }
            other => other?,
        };
        let more = changes.has_more && !changes.events.is_empty();
        if changes.events.is_empty() {
            cache.run(|c| c.set_last_synced_now()).await?;
        } else {
            for u in apply(cache, changes.events).await? {
                emit(u);
            }
        }
        if !more {
            return Ok(());
        }
    }
}
