//! Builds what the desktop shell embeds or bundles, before anything
//! compiles the shell: tauri-build checks at build time that `dist/`
//! (`frontendDist`) and the sidecar (`externalBin`) exist, so even
//! `cargo clippy --workspace` on a clean clone needs this step first.
//!
//! - the server, copied to `src-tauri/binaries/reservas-server-<triple>`
//!   (a copy: tauri-build deletes what a symlink into target/ points at);
//! - the UI: `reservas-ui` for wasm32, `wasm-bindgen --target web` into
//!   `dist/`, plus the static `index.html` and CSS. Nothing is downloaded.

use crate::{root, sh};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The host's target triple, as rustc names it.
pub fn host_triple() -> anyhow::Result<String> {
    let out = std::process::Command::new("rustc").arg("-vV").output()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or_else(|| anyhow::anyhow!("rustc -vV names no host"))
}

/// The sidecar: the debug server binary (the workspace's own profile).
pub fn sidecar() -> anyhow::Result<()> {
    sh(
        "cargo",
        &["build", "-p", "reservas-server", "--bin", "reservas-server"],
    )?;
    let dir = root().join("src-tauri/binaries");
    std::fs::create_dir_all(&dir)?;
    let dest = dir.join(format!("reservas-server-{}", host_triple()?));
    let src = root().join("target/debug/reservas-server");
    // Only copy when it changed: a new mtime would rebuild the shell.
    let same = std::fs::read(&src)
        .ok()
        .zip(std::fs::read(&dest).ok())
        .is_some_and(|(a, b)| a == b);
    if !same {
        std::fs::copy(&src, &dest)?;
    }
    Ok(())
}

/// The wasm UI into `dist/`.
pub fn ui() -> anyhow::Result<()> {
    sh(
        "cargo",
        &[
            "build",
            "-p",
            "reservas-ui",
            "--target",
            WASM_TARGET,
            "--release",
        ],
    )?;
    let dist = root().join("dist");
    std::fs::create_dir_all(&dist)?;
    let wasm = root().join(format!("target/{WASM_TARGET}/release/reservas-ui.wasm"));
    let wasm = wasm.to_string_lossy().to_string();
    let out = dist.to_string_lossy().to_string();
    sh(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--out-dir",
            &out,
            &wasm,
        ],
    )?;
    for f in ["index.html", "style.css"] {
        let src = root().join("src-ui/static").join(f);
        let dest = dist.join(f);
        let same = std::fs::read(&src)
            .ok()
            .zip(std::fs::read(&dest).ok())
            .is_some_and(|(a, b)| a == b);
        if !same {
            std::fs::copy(&src, &dest)?;
        }
    }
    Ok(())
}

/// Everything the shell needs to compile.
pub fn all() -> anyhow::Result<()> {
    sidecar()?;
    ui()
}
