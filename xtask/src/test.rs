//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use crate::{install, sh};

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let lint = !args.iter().any(|a| a == "--no-lint");
    install::debian_packages(install::TEST_PACKAGES)?;
    if lint {
        install::rustup_components(&["rustfmt", "clippy"])?;
        sh("cargo", &["fmt", "--all", "--", "--check"])?;
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
    // the real server): build them all first.
    sh("cargo", &["build", "--workspace", "--bins"])?;
    sh("cargo", &["test", "--workspace", "--no-fail-fast"])?;
    // Benchmark smoke test (issue 6): fails only if an event is lost.
    crate::bench::run(&["--quick".to_string()])?;
    eprintln!("xtask: all tests passed");
    Ok(())
}
