//! `reservas-server`: parse flags, open the store, serve until SIGTERM/SIGINT.

use clap::Parser;
use reservas_server::app::{AppState, router};
use reservas_server::config::Config;
use reservas_server::hub::Hub;
use reservas_server::metrics::Metrics;
use reservas_server::store::sqlite::SqliteStore;
use reservas_server::{net, shutdown};
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

fn admin_token(cfg: &Config) -> anyhow::Result<Option<String>> {
    if let Some(path) = &cfg.admin_token_file {
        let t = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read admin token file {}: {e}", path.display()))?;
        let t = t.trim().to_string();
        anyhow::ensure!(
            !t.is_empty(),
            "admin token file {} is empty",
            path.display()
        );
        return Ok(Some(t));
    }
    Ok(std::env::var("RESERVAS_ADMIN_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
}

async fn run(cfg: Config) -> anyhow::Result<()> {
    let admin = admin_token(&cfg)?;
    let hub = Arc::new(Hub::new(Arc::new(Metrics::default())));
    let store = SqliteStore::open(&cfg.db, hub.clone(), cfg.history)?;
    let listener = net::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let token = CancellationToken::new();
    shutdown::on_signal(token.clone());
    let state = AppState::new(Arc::new(store), hub, &cfg, admin.clone(), token.clone());
    let app = router(state, &cfg.cors_origins)?;
    tracing::info!(%addr, db = %cfg.db.display(), admin = admin.is_some(), "serving");
    // The one line scripts and tests wait for.
    println!("listening on http://{addr}");
    let header_timeout = std::time::Duration::from_secs(cfg.header_read_timeout_secs);
    net::serve(listener, app, header_timeout, token).await;
    tracing::info!("stopped");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cfg = Config::parse();
    match run(cfg).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reservas-server: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
