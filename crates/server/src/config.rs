//! Command-line flags of `reservas-server`.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "reservas-server",
    version,
    about = "Reservations REST API with an SSE stream of every change"
)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port; the chosen address is
    /// printed as `listening on http://ADDR`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// SQLite database file (created if missing).
    #[arg(long, default_value = "reservas.db")]
    pub db: PathBuf,
    /// Seconds between `: ping` heartbeats on idle streams.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub heartbeat_secs: u64,
    /// Reconnect hint sent to clients as `retry:` (never below 1000).
    #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u64).range(1000..=3_600_000))]
    pub retry_ms: u64,
    /// Events kept per business for resuming clients.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub history: u64,
    /// File holding the admin token (else env RESERVAS_ADMIN_TOKEN; without
    /// either, the admin routes answer 404).
    #[arg(long)]
    pub admin_token_file: Option<PathBuf>,
    /// Seconds a client has to send a complete request head (also the idle
    /// limit of a keep-alive connection between requests).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout_secs: u64,
    /// Allow browsers from this origin (CORS). Repeatable.
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,
}
