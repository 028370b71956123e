//! The `reservas` command line. Global options stand before the
//! subcommand; each subcommand's work lives in `reservas_sync::cli`.
//! Errors: one clear line on stderr and exit status 1.

use clap::{Parser, Subcommand};
use reservas_sync::cli::{
    GlobalArgs,
    list::ListArgs,
    tail::TailArgs,
    write::{CheckinArgs, CreateArgs, DeleteArgs, StatusArgs, UpdateArgs},
};

#[derive(Debug, Parser)]
#[command(
    name = "reservas",
    version,
    about = "Front-desk reservations: live sync, cache and writes"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the sync engine and print every update (status, diffs, notices)
    Tail(TailArgs),
    /// Show the cached reservations (syncing once first unless --offline)
    List(ListArgs),
    /// Create a reservation
    Create(CreateArgs),
    /// Change fields of a reservation
    Update(UpdateArgs),
    /// Change a reservation's status
    Status(StatusArgs),
    /// Delete a reservation
    Delete(DeleteArgs),
    /// Check a guest in by QR token (or --id)
    Checkin(CheckinArgs),
    /// Seed an empty business with a real hotel day and replay its events live
    Replay(reservas_sync::replay::ReplayArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr so stdout carries only the command's output.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let g = cli.global;
    let result = rt.block_on(async move {
        match cli.command {
            Command::Tail(a) => a.run(&g).await,
            Command::List(a) => a.run(&g).await,
            Command::Create(a) => a.run(&g).await,
            Command::Update(a) => a.run(&g).await,
            Command::Status(a) => a.run(&g).await,
            Command::Delete(a) => a.run(&g).await,
            Command::Checkin(a) => a.run(&g).await,
            Command::Replay(a) => reservas_sync::replay::run_cli(g.server()?, g.token()?, a).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` joins the context chain on one line.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
