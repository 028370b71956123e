//! The commands the UI invokes. Each is a few lines: call the engine (or
//! its REST client) and map the error for the UI. Writes go to the server;
//! the cache changes when the server's event comes back, so the UI sees its
//! own writes exactly like everyone else's.

use crate::desk::{Desk, DeskState};
use crate::settings::Settings;
use reservas_core::api::CheckinResult;
use reservas_core::{NewReservation, Reservation, ReservationPatch, Status};
use reservas_sync::{ApiClient, ApiError, SyncStatus};
use serde::Serialize;
use tauri::{AppHandle, State};

/// An error as the UI shows it: a message, and for a 422 the field to mark.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UiError {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The server could not be reached (the UI says "offline").
    pub network: bool,
}

impl UiError {
    fn msg(message: impl Into<String>) -> UiError {
        UiError {
            message: message.into(),
            code: None,
            field: None,
            status: None,
            network: false,
        }
    }
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> UiError {
        let (code, field, message) = match &e {
            ApiError::Http { body: Some(b), .. } => {
                (Some(b.error.clone()), b.field.clone(), b.message.clone())
            }
            _ => (None, None, e.to_string()),
        };
        UiError {
            message,
            code,
            field,
            status: e.status(),
            network: e.is_network(),
        }
    }
}

type Res<T> = Result<T, UiError>;

/// The engine's REST client (writes), or an error while it is not running.
async fn client(desk: &Desk) -> Res<ApiClient> {
    desk.with_engine(|e| e.client().clone())
        .await
        .ok_or_else(|| UiError::msg("not connected yet"))
}

/// The whole current state (on mount and after a resync event).
#[tauri::command]
pub async fn get_state(desk: State<'_, Desk>) -> Res<DeskState> {
    Ok(desk.state().await)
}

/// The cached rows of one date (or all), sorted by time.
#[tauri::command]
pub async fn list(desk: State<'_, Desk>, date: Option<String>) -> Res<Vec<Reservation>> {
    let cache = desk
        .with_engine(|e| e.cache().clone())
        .await
        .ok_or_else(|| UiError::msg("not connected yet"))?;
    cache
        .run(move |c| c.rows(date.as_deref()))
        .await
        .map_err(|e| UiError::msg(e.to_string()))
}

#[tauri::command]
pub async fn status(desk: State<'_, Desk>) -> Res<Option<SyncStatus>> {
    Ok(desk.with_engine(|e| e.status()).await)
}

#[tauri::command]
pub async fn create(desk: State<'_, Desk>, input: NewReservation) -> Res<Reservation> {
    Ok(client(&desk).await?.create(&input).await?)
}

#[tauri::command]
pub async fn update(
    desk: State<'_, Desk>,
    id: String,
    patch: ReservationPatch,
) -> Res<Reservation> {
    Ok(client(&desk).await?.patch(&id, &patch, None).await?)
}

#[tauri::command]
pub async fn set_status(desk: State<'_, Desk>, id: String, status: Status) -> Res<Reservation> {
    Ok(client(&desk).await?.set_status(&id, status).await?)
}

#[tauri::command]
pub async fn delete(desk: State<'_, Desk>, id: String) -> Res<()> {
    Ok(client(&desk).await?.delete(&id).await?)
}

/// Check-in by QR token (the scanner box) or by id (the row's button).
#[tauri::command]
pub async fn checkin(
    desk: State<'_, Desk>,
    token: Option<String>,
    id: Option<String>,
) -> Res<CheckinResult> {
    let c = client(&desk).await?;
    match (token, id) {
        (Some(t), _) => Ok(c.checkin_by_token(&t).await?),
        (None, Some(id)) => Ok(c.checkin_by_id(&id).await?),
        (None, None) => Err(UiError::msg("token or id required")),
    }
}

/// A reservation's QR code as SVG, drawn by the server.
#[tauri::command]
pub async fn qr_svg(desk: State<'_, Desk>, id: String) -> Res<String> {
    Ok(client(&desk).await?.qr_svg(&id).await?)
}

#[tauri::command]
pub async fn get_settings(desk: State<'_, Desk>) -> Res<Settings> {
    Ok(desk.settings())
}

#[tauri::command]
pub async fn save_settings(app: AppHandle, desk: State<'_, Desk>, settings: Settings) -> Res<()> {
    desk.update_settings(&app, settings)
        .await
        .map_err(|e| UiError::msg(format!("cannot save the settings: {e}")))
}

#[tauri::command]
pub async fn sync_now(desk: State<'_, Desk>) -> Res<()> {
    desk.with_engine(|e| e.sync_now()).await;
    Ok(())
}

/// How long the UI waits before it mounts: 0, unless a test sets
/// `RESERVAS_UI_MOUNT_DELAY_MS` to reproduce F-12 (events sent before the
/// UI listens).
#[tauri::command]
pub fn ui_mount_delay() -> u32 {
    std::env::var("RESERVAS_UI_MOUNT_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
