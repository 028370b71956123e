//! tauri-build: reads tauri.conf.json (a symlink to the one at the
//! workspace root), checks `frontendDist` and `externalBin`, embeds icons.

fn main() {
    tauri_build::build()
}
