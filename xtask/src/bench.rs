//! `cargo xtask bench [--quick]`: the benchmarks of issue 6 (fan-out
//! latency, memory per idle connection, idle desk, restart storm, client),
//! side by side with nginx+Nchan, sse-starlette and better-sse.
//!
//! Full mode installs the peers first — Debian `nginx-light` +
//! `libnginx-mod-nchan`, a Python venv with `uvicorn[standard]` and
//! `sse-starlette` in `target/bench/py`, npm `better-sse` in
//! `target/bench/node` — and a peer that cannot be installed is skipped by
//! the harness with the reason. It writes `BENCHMARKS.md` and
//! `target/bench/summary.json`.
//!
//! `--quick` (CI's smoke test, small sizes, well under 3 minutes) installs
//! nothing: it measures the peers already installed and writes
//! `target/bench/BENCHMARKS-quick.md`, leaving the committed full report
//! alone. It fails only when the harness breaks or one of our events is
//! lost, never on a timing.

use crate::{install, root, sh};
use std::process::{Command, Stdio};

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    if !quick {
        install_peers();
    }
    // Release builds: the numbers are about the product as shipped.
    sh(
        "cargo",
        &[
            "build",
            "--release",
            "-p",
            "reservas-server",
            "-p",
            "reservas-sync",
            "-p",
            "reservas-bench",
        ],
    )?;
    let bin = root().join("target/release/reservas-bench");
    let mut a = vec!["--out", "target/bench"];
    if quick {
        a.extend(["--quick", "--md", "target/bench/BENCHMARKS-quick.md"]);
    } else {
        a.extend(["--md", "BENCHMARKS.md"]);
    }
    sh(&bin.display().to_string(), &a)
}

/// Installs the peers; a failure is reported and the harness skips that peer.
fn install_peers() {
    if let Err(e) = install::debian_packages(&["nginx-light", "libnginx-mod-nchan"]) {
        eprintln!("xtask: cannot install nginx + Nchan ({e:#}); the harness will skip it");
    }
    let bench = root().join("target/bench");
    let _ = std::fs::create_dir_all(&bench);
    let py = bench.join("py/bin/python");
    let has_py = Command::new(&py)
        .args(["-c", "import sse_starlette, uvicorn"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_py {
        let r = sh("python3", &["-m", "venv", "target/bench/py"]).and_then(|_| {
            sh(
                "target/bench/py/bin/pip",
                &["install", "-q", "uvicorn[standard]", "sse-starlette"],
            )
        });
        if let Err(e) = r {
            eprintln!("xtask: cannot install sse-starlette ({e:#}); the harness will skip it");
        }
    }
    if !bench.join("node/node_modules/better-sse").exists() {
        let _ = std::fs::create_dir_all(bench.join("node"));
        if let Err(e) = sh(
            "npm",
            &["install", "--prefix", "target/bench/node", "better-sse"],
        ) {
            eprintln!("xtask: cannot install better-sse ({e:#}); the harness will skip it");
        }
    }
}
