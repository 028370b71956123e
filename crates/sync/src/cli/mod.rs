//! The `reservas` command line: global options (before the subcommand) and
//! one module per group of commands. `main.rs` only parses and dispatches,
//! so other subcommands (the demo-data replay) slot in beside these.

pub mod list;
pub mod output;
pub mod tail;
pub mod write;

use crate::cache::{Cache, SharedCache};
use crate::client::ApiClient;
use crate::engine::EngineConfig;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::time::Duration;

/// Options that stand before the subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Server root URL, e.g. http://127.0.0.1:8080
    #[arg(long, env = "RESERVAS_SERVER")]
    pub server: Option<String>,
    /// Staff token (names the business)
    #[arg(long, env = "RESERVAS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Cache file (default: one per server and business in the user's data folder)
    #[arg(long, env = "RESERVAS_CACHE")]
    pub cache: Option<PathBuf>,
    /// Polling only: never open the event stream
    #[arg(long)]
    pub no_stream: bool,
    /// Polling interval while the stream is down (seconds)
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub poll_secs: u64,
    /// Reconnect backoff base before the server's retry: is known (ms)
    #[arg(long, default_value_t = 1000)]
    pub backoff_base_ms: u64,
    /// Longest reconnect wait (ms)
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub backoff_max_ms: u64,
    /// Fixed heartbeat watchdog (seconds) instead of 3 × the server's heartbeat
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub watchdog_secs: Option<u64>,
}

impl GlobalArgs {
    pub fn server(&self) -> anyhow::Result<&str> {
        match self.server.as_deref() {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => bail!("no server: pass --server URL or set RESERVAS_SERVER"),
        }
    }

    pub fn token(&self) -> anyhow::Result<&str> {
        match self.token.as_deref() {
            Some(t) if !t.trim().is_empty() => Ok(t),
            _ => bail!("no token: pass --token TOKEN or set RESERVAS_TOKEN"),
        }
    }

    pub fn client(&self) -> anyhow::Result<ApiClient> {
        Ok(ApiClient::new(self.server()?, self.token()?)?)
    }

    pub fn cache_path(&self) -> anyhow::Result<PathBuf> {
        if let Some(p) = &self.cache {
            return Ok(p.clone());
        }
        let client = self.client()?;
        crate::paths::default_cache(client.base_url(), self.token()?)
            .context("no data folder (HOME/XDG_DATA_HOME unset): pass --cache PATH")
    }

    /// Opens the cache bound to this server and token.
    pub fn open_cache(&self) -> anyhow::Result<SharedCache> {
        let path = self.cache_path()?;
        let mut cache =
            Cache::open(&path).with_context(|| format!("cannot open cache {}", path.display()))?;
        let client = self.client()?;
        cache.bind_identity(&crate::paths::identity(client.base_url(), self.token()?))?;
        Ok(SharedCache::new(cache))
    }

    pub fn engine_config(&self) -> anyhow::Result<EngineConfig> {
        let mut cfg = EngineConfig::new(self.server()?, self.token()?, self.cache_path()?);
        cfg.realtime = !self.no_stream;
        cfg.poll_interval = Duration::from_secs(self.poll_secs);
        cfg.backoff_base = Duration::from_millis(self.backoff_base_ms);
        cfg.backoff_cap = Duration::from_millis(self.backoff_max_ms);
        cfg.watchdog = self.watchdog_secs.map(Duration::from_secs);
        Ok(cfg)
    }
}
