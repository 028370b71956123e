//! The only way out of the UI: Tauri's `invoke` (commands) and `listen`
//! (events) from `window.__TAURI__` (`withGlobalTauri`). No other module
//! talks to the shell or the network.
//!
//! Values cross as JSON text (`JSON.parse` / `JSON.stringify`): the shapes
//! are exactly the serde shapes of the shell, with no JS-specific mapping
//! (serde-wasm-bindgen would turn maps into JS `Map`s).

use crate::model::{DeskState, Diff, Notice, Settings, SyncStatus, UiError};
use reservas_core::api::CheckinResult;
use reservas_core::{NewReservation, Reservation, ReservationPatch, Status};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use wasm_bindgen::prelude::*;

/// Event names: the same strings as src-tauri/src/events.rs.
pub mod events {
    pub const STATUS: &str = "reservas:status";
    pub const DIFF: &str = "reservas:diff";
    pub const NOTICE: &str = "reservas:notice";
    pub const RESYNC: &str = "reservas:resync";
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(
        event: &str,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
}

fn to_js<T: Serialize>(v: &T) -> JsValue {
    serde_json::to_string(v)
        .ok()
        .and_then(|s| js_sys::JSON::parse(&s).ok())
        .unwrap_or(JsValue::NULL)
}

fn from_js<T: DeserializeOwned>(v: &JsValue) -> Result<T, String> {
    if v.is_undefined() || v.is_null() {
        return serde_json::from_str("null").map_err(|e| e.to_string());
    }
    let text: String = js_sys::JSON::stringify(v)
        .map_err(|_| "cannot read an answer".to_string())?
        .into();
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

async fn call<T: DeserializeOwned>(cmd: &str, args: serde_json::Value) -> Result<T, UiError> {
    match tauri_invoke(cmd, to_js(&args)).await {
        Ok(v) => from_js(&v).map_err(UiError::plain),
        Err(e) => Err(from_js::<UiError>(&e)
            .unwrap_or_else(|_| UiError::plain(e.as_string().unwrap_or_else(|| "error".into())))),
    }
}

pub async fn get_state() -> Result<DeskState, UiError> {
    call("get_state", json!({})).await
}

pub async fn create(input: &NewReservation) -> Result<Reservation, UiError> {
    call("create", json!({ "input": input })).await
}

pub async fn update(id: &str, patch: &ReservationPatch) -> Result<Reservation, UiError> {
    call("update", json!({ "id": id, "patch": patch })).await
}

pub async fn set_status(id: &str, status: Status) -> Result<Reservation, UiError> {
    call("set_status", json!({ "id": id, "status": status })).await
}

pub async fn delete(id: &str) -> Result<(), UiError> {
    call("delete", json!({ "id": id })).await
}

pub async fn checkin_token(token: &str) -> Result<CheckinResult, UiError> {
    call("checkin", json!({ "token": token })).await
}

pub async fn checkin_id(id: &str) -> Result<CheckinResult, UiError> {
    call("checkin", json!({ "id": id })).await
}

pub async fn qr_svg(id: &str) -> Result<String, UiError> {
    call("qr_svg", json!({ "id": id })).await
}

pub async fn save_settings(settings: &Settings) -> Result<(), UiError> {
    call("save_settings", json!({ "settings": settings })).await
}

pub async fn sync_now() -> Result<(), UiError> {
    call("sync_now", json!({})).await
}

/// Listens to one event for the app's lifetime, decoding its payload.
async fn listen<T: DeserializeOwned + 'static>(name: &'static str, mut f: impl FnMut(T) + 'static) {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let payload =
            js_sys::Reflect::get(&ev, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
        match from_js::<T>(&payload) {
            Ok(v) => f(v),
            Err(e) => web_sys_log(&format!("bad {name} payload: {e}")),
        }
    });
    if let Err(e) = tauri_listen(name, &handler).await {
        web_sys_log(&format!("cannot listen to {name}: {e:?}"));
    }
    // The listeners live as long as the page: the closure must too.
    handler.forget();
}

pub async fn on_status(f: impl FnMut(SyncStatus) + 'static) {
    listen(events::STATUS, f).await
}

pub async fn on_diff(f: impl FnMut(Diff) + 'static) {
    listen(events::DIFF, f).await
}

pub async fn on_notice(f: impl FnMut(Notice) + 'static) {
    listen(events::NOTICE, f).await
}

pub async fn on_resync(mut f: impl FnMut() + 'static) {
    listen(events::RESYNC, move |_: serde_json::Value| f()).await
}

/// The webview's console (there is no tracing in the page).
pub fn web_sys_log(msg: &str) {
    web_sys::console::log_1(&JsValue::from_str(msg));
}

/// A test hook (F-12): how long to hold the mount back; 0 normally.
pub async fn mount_delay() -> u32 {
    call("ui_mount_delay", json!({})).await.unwrap_or(0)
}
