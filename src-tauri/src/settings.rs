//! The app's settings (server or host mode, realtime, language), persisted
//! as JSON in the app's config folder, and where the app keeps its files.
//!
//! Environment variables override both so tests (and power users) never
//! touch the real home: `RESERVAS_DATA_DIR` (data, config and cache all
//! under it), `RESERVAS_SERVER` + `RESERVAS_TOKEN` (use that server; an empty
//! `RESERVAS_SERVER` forces host mode), `RESERVAS_CACHE` (the cache file).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the settings panel edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// `None` (or empty): host mode, the app runs its own server.
    pub server: Option<String>,
    pub token: Option<String>,
    /// The realtime stream on, or polling only.
    pub realtime: bool,
    /// `es` (default) or `en`.
    pub language: String,
    /// Host mode: listen on every interface so other devices can connect.
    pub lan: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: None,
            token: None,
            realtime: true,
            language: "es".into(),
            lan: false,
        }
    }
}

impl Settings {
    /// The server to connect to, if one is configured (else host mode).
    pub fn remote(&self) -> Option<(String, String)> {
        let server = self.server.as_deref().map(str::trim).unwrap_or("");
        if server.is_empty() {
            return None;
        }
        Some((
            server.to_string(),
            self.token.clone().unwrap_or_default().trim().to_string(),
        ))
    }
}

/// The folders the app uses, resolved once at start.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub data: PathBuf,
    pub config: PathBuf,
}

impl Dirs {
    /// `RESERVAS_DATA_DIR` if set, else Tauri's per-app folders.
    pub fn resolve(app_data: Option<PathBuf>, app_config: Option<PathBuf>) -> Dirs {
        if let Some(d) = env_path("RESERVAS_DATA_DIR") {
            return Dirs {
                config: d.join("config"),
                data: d,
            };
        }
        let fallback = std::env::temp_dir().join("reservas-desk");
        let data = app_data.unwrap_or_else(|| fallback.clone());
        let config = app_config.unwrap_or(fallback);
        Dirs { data, config }
    }

    pub fn settings_file(&self) -> PathBuf {
        self.config.join("settings.json")
    }

    /// The cache for a server + token: `RESERVAS_CACHE` or one file per
    /// (server, token) identity under the data folder.
    pub fn cache_file(&self, server: &str, token: &str) -> PathBuf {
        if let Some(p) = env_path("RESERVAS_CACHE") {
            return p;
        }
        let id = reservas_sync::paths::identity(server, token);
        self.data.join(format!(
            "cache-{:016x}.db",
            reservas_sync::paths::fnv1a64(id.as_bytes())
        ))
    }

    /// Host mode's server files (database, admin token, connection info).
    pub fn host(&self) -> PathBuf {
        self.data.join("host")
    }
}

fn env_path(key: &str) -> Option<PathBuf> {
    std::env::var_os(key)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Reads the settings file (defaults when absent or unreadable — a broken
/// file must not keep the desk from opening), then applies the env.
pub fn load(path: &Path) -> Settings {
    let mut s = match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), error = %e, "settings unreadable; using defaults");
            Settings::default()
        }),
        Err(_) => Settings::default(),
    };
    if let Ok(server) = std::env::var("RESERVAS_SERVER") {
        s.server = Some(server);
        if let Ok(token) = std::env::var("RESERVAS_TOKEN") {
            s.token = Some(token);
        }
    }
    s
}

/// Writes the settings atomically (temp file + rename).
pub fn save(path: &Path, s: &Settings) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let body = serde_json::to_vec_pretty(s).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, body)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_defaults_missing_fields() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c/settings.json");
        let s = Settings {
            server: Some("http://x:1".into()),
            token: Some("t".into()),
            realtime: false,
            language: "en".into(),
            lan: true,
        };
        save(&p, &s).unwrap();
        let back: Settings = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(back, s);
        let partial: Settings = serde_json::from_str(r#"{"language":"en"}"#).unwrap();
        assert!(partial.realtime && partial.remote().is_none());
    }
}
