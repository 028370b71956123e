//! Where a cache lives by default: one file per (server, business) under the
//! user's data folder. The business comes from the staff token, and the
//! file name must be known without a network call (`list --offline`), so
//! the name is a hash of the server URL and the token — never the token
//! itself, which is a secret.
//!
//! The data folder is looked up by hand from the usual environment
//! variables rather than through a `dirs`-style crate: it is a few lines.

use std::path::PathBuf;

/// FNV-1a, 64 bit: stable across Rust versions and platforms (std's
/// `DefaultHasher` promises neither), which a file name needs.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The identity a cache is bound to (see `Cache::bind_identity`).
pub fn identity(server: &str, token: &str) -> String {
    let server = server.trim_end_matches('/');
    format!("{server}#{:016x}", fnv1a64(token.as_bytes()))
}

/// The user's data folder for this app:
/// `$XDG_DATA_HOME/reservas`, else `~/.local/share/reservas` (Linux/BSD),
/// `~/Library/Application Support/reservas` (macOS), `%APPDATA%\reservas`
/// (Windows).
pub fn data_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return env("APPDATA").map(|p| p.join("reservas"));
    }
    if let Some(x) = env("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return Some(x.join("reservas"));
    }
    let home = env("HOME")?;
    if cfg!(target_os = "macos") {
        Some(home.join("Library/Application Support/reservas"))
    } else {
        Some(home.join(".local/share/reservas"))
    }
}

/// The default cache file for a server and token.
pub fn default_cache(server: &str, token: &str) -> Option<PathBuf> {
    let id = identity(server, token);
    data_dir().map(|d| d.join(format!("cache-{:016x}.db", fnv1a64(id.as_bytes()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_distinct() {
        // Known FNV-1a test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(identity("http://h:1/", "t"), identity("http://h:1", "t"));
        assert_ne!(identity("http://h:1", "t"), identity("http://h:2", "t"));
        assert_ne!(identity("http://h:1", "t"), identity("http://h:1", "u"));
        assert!(!identity("http://h:1", "secret-token").contains("secret"));
    }
}
