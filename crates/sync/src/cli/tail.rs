//! `reservas tail`: runs the engine and prints every update until Ctrl-C or
//! SIGTERM, then shuts the engine down cleanly (cache closed after its last
//! transaction).

use super::GlobalArgs;
use super::output::update_line;
use std::io::Write;

#[derive(Debug, Clone, clap::Args)]
pub struct TailArgs {
    /// One JSON object a line on stdout (status, diff, notice)
    #[arg(long)]
    pub json: bool,
}

impl TailArgs {
    pub async fn run(self, g: &GlobalArgs) -> anyhow::Result<()> {
        let cfg = g.engine_config()?;
        let (engine, mut updates) = crate::engine::start(cfg)?;
        let stop = stop_signal();
        tokio::pin!(stop);
        let mut stdout = std::io::stdout().lock();
        loop {
            tokio::select! {
                _ = &mut stop => break,
                u = updates.recv() => {
                    let Some(u) = u else { break };
                    let line = if self.json {
                        serde_json::to_string(&u)?
                    } else {
                        update_line(&u)
                    };
                    // Flushed per line: a reader (a pipe, a test) sees each
                    // update when it happens, not when a buffer fills.
                    if writeln!(stdout, "{line}").and_then(|_| stdout.flush()).is_err() {
                        // The reader went away (closed pipe): stop quietly.
                        break;
                    }
                }
            }
        }
        engine.shutdown().await;
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
