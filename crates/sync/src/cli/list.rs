//! `reservas list`: the cached rows. Without `--offline` it first catches
//! up once over REST (and falls back to the cache, saying so, when the
//! server cannot be reached); with `--offline` it never touches the network.
//! The cache's age goes to stderr so `--json` stdout stays pure JSON.

use super::GlobalArgs;
use super::output::{emit, stats_line, table};
use reservas_core::Stats;
use serde::Serialize;

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Only this day's rows (YYYY-MM-DD); the stats are for this day too
    #[arg(long)]
    pub date: Option<String>,
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
    /// Read the cache only; never touch the network
    #[arg(long)]
    pub offline: bool,
}

/// The `--json` document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListDoc {
    reservas: Vec<reservas_core::Reservation>,
    stats: Stats,
    /// The cursor: the last event applied to this cache.
    version: Option<u64>,
    last_synced: Option<String>,
}

impl ListArgs {
    pub async fn run(self, g: &GlobalArgs) -> anyhow::Result<()> {
        if let Some(d) = &self.date {
            reservas_core::validate::date(d)
                .map_err(|e| anyhow::anyhow!("--date: {}", e.message))?;
        }
        let cache = g.open_cache()?;
        if !self.offline {
            let client = g.client()?;
            match crate::poller::catch_up(&client, &cache, &mut |_| {}).await {
                Ok(_) => {}
                // The server answered, and refused: a wrong token or URL is
                // the user's to fix, not an outage to paper over.
                Err(crate::poller::SyncError::Api(e))
                    if matches!(e.status(), Some(401 | 403 | 404)) =>
                {
                    anyhow::bail!("the server refused the request: {e}");
                }
                Err(e) => eprintln!("warning: could not sync ({e}); showing the cache"),
            }
        }
        let date = self.date.clone();
        let (rows, stats, version, last_synced) = cache
            .run(move |c| {
                let rows = c.rows(date.as_deref())?;
                let stats = match &date {
                    Some(d) => Stats::compute(d, &rows),
                    None => c.stats()?,
                };
                Ok((rows, stats, c.cursor()?, c.last_synced()?))
            })
            .await?;
        match &last_synced {
            Some(t) => eprintln!(
                "cache last synced {} ago ({t})",
                crate::cache::age_of(t).unwrap_or_else(|| "?".into())
            ),
            None => eprintln!("cache never synced"),
        }
        if self.json {
            let doc = ListDoc {
                reservas: rows,
                stats,
                version,
                last_synced,
            };
            emit(&format!("{}\n", serde_json::to_string(&doc)?))?;
        } else {
            emit(&format!("{}{}\n", table(&rows), stats_line(&stats)))?;
        }
        Ok(())
    }
}
