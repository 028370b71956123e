//! `cargo xtask test`: everything CI checks, in the order that fails fastest:
//! install what is missing → fmt → prepare (server sidecar + wasm UI, which
//! the shell's build checks for) → clippy → build → tests.

use crate::{install, prepare, sh};

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let lint = !args.iter().any(|a| a == "--no-lint");
    let mut pkgs = install::TEST_PACKAGES.to_vec();
    pkgs.extend(install::DESKTOP_PACKAGES);
    install::debian_packages(&pkgs)?;
    install::rustup_target(prepare::WASM_TARGET)?;
    install::wasm_bindgen_cli()?;
    install::tauri_driver()?;
    if lint {
        install::rustup_components(&["rustfmt", "clippy"])?;
        sh("cargo", &["fmt", "--all", "--", "--check"])?;
    }
    prepare::all()?;
    if lint {
        sh(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )?;
    }
    // Tests of one crate start binaries of another (the engine's tests run
    // the real server, the desktop tests the app): build them all first.
    sh("cargo", &["build", "--workspace", "--bins"])?;
    sh("cargo", &["test", "--workspace", "--no-fail-fast"])?;
    // Benchmark smoke test (issue 6): fails only if an event is lost.
    crate::bench::run(&["--quick".to_string()])?;
    eprintln!("xtask: all tests passed");
    Ok(())
}
