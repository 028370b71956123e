//! Installs what the build and the tests need, only when it is missing.

use crate::sh;
use std::process::{Command, Stdio};

/// Debian packages the test suite needs: Chromium for the browser
/// EventSource test.
pub const TEST_PACKAGES: &[&str] = &["chromium"];

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// apt-get installs the missing packages among `pkgs` (as root, or via sudo).
pub fn debian_packages(pkgs: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = pkgs.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        eprintln!("xtask: Debian packages present: {}", pkgs.join(" "));
        return Ok(());
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let (prog, mut pre): (&str, Vec<&str>) = if is_root {
        ("apt-get", vec![])
    } else {
        ("sudo", vec!["-n", "apt-get"])
    };
    let mut update = pre.clone();
    update.extend(["update", "-qq"]);
    sh(prog, &update)?;
    pre.extend(["install", "-y", "-qq", "--no-install-recommends"]);
    pre.extend(missing.iter().copied());
    // apt must not ask questions.
    let status = Command::new(prog)
        .args(&pre)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run {prog}: {e}"))?;
    anyhow::ensure!(
        status.success(),
        "apt-get install {} failed",
        missing.join(" ")
    );
    Ok(())
}

/// rustup components (clippy, rustfmt) when missing.
pub fn rustup_components(components: &[&str]) -> anyhow::Result<()> {
    let out = Command::new("rustup")
        .args(["component", "list", "--installed"])
        .output();
    let have = out
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    for c in components {
        if !have.lines().any(|l| l.starts_with(c)) {
            eprintln!("xtask: installing rustup component {c}");
            sh("rustup", &["component", "add", c])?;
        }
    }
    Ok(())
}
