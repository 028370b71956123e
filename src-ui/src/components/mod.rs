//! One function component per file, one per region of the screen. They
//! share the app's state through [`Store`] (a context) and reach the shell
//! only through `crate::bridge`.

pub mod app;
pub mod checkin_box;
pub mod confirm_delete;
pub mod connection;
pub mod day_view;
pub mod header;
pub mod qr_dialog;
pub mod reservation_form;
pub mod reservation_row;
pub mod settings_panel;
pub mod stats_bar;
pub mod toast_item;
pub mod toasts;
pub mod toolbar;

/// The app's state and dispatcher, given to every component as a context.
pub type Store = yew::UseReducerHandle<crate::model::UiState>;

/// The store from the context (the app component always provides it).
#[yew::hook]
pub fn use_store() -> Store {
    match yew::use_context::<Store>() {
        Some(s) => s,
        None => unreachable!("components are rendered inside App's ContextProvider"),
    }
}
