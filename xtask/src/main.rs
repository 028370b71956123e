//! `cargo xtask`: the project's two set-up commands (README.md) and their
//! helpers. Each command first installs what is missing — Debian packages
//! through apt-get, rustup components and targets — saying what it does, so
//! that a fresh Debian machine needs nothing but this repository and Rust.
//!
//! - `cargo xtask run`: the product with real demo data: the desktop app in
//!   host mode (it starts its own server), a demo business seeded from the
//!   hotel-bookings dataset for today, and the replay of that real day
//!   running live into it. `--server-only`: the server and replay alone.
//! - `cargo xtask test`: formatting, lints, and every test of the workspace.

mod bench;
mod install;
mod prepare;
mod run;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run     start the desktop app in host mode and replay a real day live into it
          options: --speed N (default 60: one real minute per second)
                   --server-only  (no app: the server alone, see --port)
                   --port N  (--server-only; default 8080, a free port if taken)
  test    install what is missing, then fmt, clippy and every test
          options: --no-lint (skip fmt and clippy)
  bench   benchmarks vs nginx+Nchan, sse-starlette, better-sse → BENCHMARKS.md
          options: --quick (small sizes, CI smoke test; fails only if an event is lost)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(anyhow::anyhow!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> std::path::PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Runs a command in the workspace root, echoing it; fails on a non-zero exit.
pub fn sh(program: &str, args: &[&str]) -> anyhow::Result<()> {
    eprintln!("xtask: $ {program} {}", args.join(" "));
    let status = std::process::Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run {program}: {e}"))?;
    anyhow::ensure!(
        status.success(),
        "`{program} {}` failed ({status})",
        args.join(" ")
    );
    Ok(())
}
