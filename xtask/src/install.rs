//! Installs what the build and the tests need, only when it is missing.

use crate::sh;
use std::process::{Command, Stdio};

/// Debian packages the test suite needs: Chromium for the browser
/// EventSource test.
pub const TEST_PACKAGES: &[&str] = &["chromium"];

/// Debian packages the desktop app needs to build (WebKitGTK) and its tests
/// to run headless (Xvfb, WebKitWebDriver, a private D-Bus, fonts, and
/// ImageMagick's `import` for screenshots).
pub const DESKTOP_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "build-essential",
    "pkg-config",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    "dbus-x11",
    "fonts-dejavu-core",
    "x11-utils",
    "imagemagick",
];

/// tauri-driver (WebDriver for Tauri apps); this version builds on 1.95.
const TAURI_DRIVER_VERSION: &str = "2.1.0";

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

/// rustup targets (wasm32 for the UI) when missing.
pub fn rustup_target(target: &str) -> anyhow::Result<()> {
    let have = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    if !have.lines().any(|l| l.trim() == target) {
        eprintln!("xtask: adding rustup target {target}");
        sh("rustup", &["target", "add", target])?;
    }
    Ok(())
}

/// The version of a crate in Cargo.lock (first match).
pub fn locked_version(name: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(crate::root().join("Cargo.lock"))?;
    let needle = format!("name = \"{name}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| anyhow::anyhow!("{name} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..]
        .find('"')
        .ok_or_else(|| anyhow::anyhow!("Cargo.lock is malformed near {name}"))?;
    Ok(lock[start..start + end].to_string())
}

/// `cargo install --list` says which version of a tool is installed.
fn installed_tool(name: &str) -> Option<String> {
    let out = Command::new("cargo")
        .args(["install", "--list"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(name)?.strip_prefix(" v")?;
        Some(rest.trim_end_matches(':').to_string())
    })
}

fn cargo_install(name: &str, version: &str, locked: bool) -> anyhow::Result<()> {
    if installed_tool(name).as_deref() == Some(version) {
        return Ok(());
    }
    eprintln!("xtask: installing {name} {version} with cargo (a few minutes, once)");
    let mut args = vec!["install", name, "--version", version];
    if locked {
        args.push("--locked");
    }
    sh("cargo", &args)
}

/// wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
/// Cargo.lock (the two must match). Not `--locked`: a dependency version in
/// its lock file has been yanked (BUILD-NOTES).
pub fn wasm_bindgen_cli() -> anyhow::Result<()> {
    let v = locked_version("wasm-bindgen")?;
    cargo_install("wasm-bindgen-cli", &v, false)
}

/// tauri-driver, the WebDriver front for the desktop tests.
pub fn tauri_driver() -> anyhow::Result<()> {
    cargo_install("tauri-driver", TAURI_DRIVER_VERSION, true)
}
