//! reservas-desk: the desktop shell, kept thin (ARCHITECTURE.md, "The
//! desktop app"). The sync logic lives in `reservas-sync`; the UI in
//! `src-ui`.
//!
//! Layout:
//! - [`desk`]: the app's state and the engine's lifecycle; the relay of
//!   engine updates to Tauri events and notifications.
//! - [`commands`]: what the UI can invoke (list, create, update, status,
//!   delete, check-in, settings, state).
//! - [`events`]: the names of the events sent to the UI.
//! - [`notify`]: native notifications on a thread of their own (F-11).
//! - [`host`]: host mode, the bundled server run as a sidecar.
//! - [`settings`]: persisted settings and the app's folders.

pub mod commands;
pub mod desk;
pub mod events;
pub mod host;
pub mod notify;
pub mod settings;

use desk::Desk;
use std::process::ExitCode;
use tauri::{Manager, RunEvent, WindowEvent};

/// Builds and runs the app until its window closes or it gets SIGTERM.
pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tao=warn,wry=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            commands::get_state,
            commands::list,
            commands::status,
            commands::create,
            commands::update,
            commands::set_status,
            commands::delete,
            commands::checkin,
            commands::qr_svg,
            commands::get_settings,
            commands::save_settings,
            commands::sync_now,
            commands::ui_mount_delay,
        ])
        .setup(|app| {
            let dirs = settings::Dirs::resolve(
                app.path().app_data_dir().ok(),
                app.path().app_config_dir().ok(),
            );
            tracing::info!(data = %dirs.data.display(), "starting");
            app.manage(Desk::new(dirs));
            let handle = app.handle().clone();
            // Host mode may take a moment (the sidecar starts): the window
            // opens at once and the UI reloads when the engine is ready.
            tauri::async_runtime::spawn(async move {
                if let Some(desk) = handle.try_state::<Desk>() {
                    desk.start(&handle).await;
                }
            });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(exit_on_sigterm(handle));
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::Focused(true) = event {
                let app = window.app_handle().clone();
                tauri::async_runtime::spawn(async move {
                    if let Some(desk) = app.try_state::<Desk>() {
                        desk.focused().await;
                    }
                    // Back in front: the UI reloads from the cache rather
                    // than trusting that it heard every event (F-12).
                    if let Err(e) = tauri::Emitter::emit(&app, events::RESYNC, ()) {
                        tracing::warn!(error = %e, "cannot emit resync");
                    }
                });
            }
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the app");
            return ExitCode::FAILURE;
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event
            && let Some(desk) = handle.try_state::<Desk>()
        {
            // The event loop thread is not a runtime worker: blocking here
            // is how the sidecar gets stopped before the process ends.
            tauri::async_runtime::block_on(desk.shutdown());
        }
    });
    ExitCode::SUCCESS
}

/// SIGTERM/SIGINT end the app like closing its window, so the host-mode
/// server is stopped too.
async fn exit_on_sigterm(app: tauri::AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("cannot listen for SIGTERM");
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("signal received; exiting");
        app.exit(0);
    }
}
