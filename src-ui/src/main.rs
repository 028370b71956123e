//! reservas-ui: the desk's front end (Yew, wasm32).
//!
//! Layout:
//! - [`bridge`]: the only module that talks to the shell (Tauri `invoke`
//!   and `listen`); everything else calls its typed functions.
//! - [`model`]: the state, its reducer, and the shapes of the events.
//! - [`i18n`]: Spanish (default) and English.
//! - [`time`]: dates and ages with the browser's clock.
//! - [`components`]: one function component per file, one per UI region.

mod bridge;
mod components;
mod i18n;
mod model;
mod time;

fn main() {
    yew::Renderer::<components::app::App>::new().render();
}
