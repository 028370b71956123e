//! The root: owns the state (`use_reducer`), subscribes to the shell's
//! events, then loads the engine's current state (F-12: listeners first,
//! then the state, so nothing said in between is lost), and lays out the
//! screen.

use super::{
    Store, checkin_box::CheckinBox, confirm_delete::ConfirmDelete, day_view::DayView,
    header::Header, qr_dialog::QrDialog, reservation_form::ReservationForm,
    settings_panel::SettingsPanel, stats_bar::StatsBar, toasts::Toasts, toolbar::Toolbar,
};
use crate::bridge;
use crate::model::{Action, Dialog, Notice, ToastKind, UiState};
use yew::platform::spawn_local;
use yew::prelude::*;

thread_local! {
    /// Status events heard so far: a reload whose answer crossed one keeps
    /// the (newer) status from the event.
    static STATUS_EVENTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Reloads the whole state from the engine.
pub fn reload(dispatch: UseReducerDispatcher<UiState>) {
    spawn_local(async move {
        let before = STATUS_EVENTS.with(|c| c.get());
        match bridge::get_state().await {
            Ok(s) => dispatch.dispatch(Action::Loaded {
                state: Box::new(s),
                status_fresh: STATUS_EVENTS.with(|c| c.get()) == before,
            }),
            Err(e) => dispatch.dispatch(Action::Toast(ToastKind::Error, e.message)),
        }
    });
}

#[function_component(App)]
pub fn app() -> Html {
    let store = use_reducer(UiState::default);
    {
        let dispatch = store.dispatcher();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let delay = bridge::mount_delay().await;
                if delay > 0 {
                    gloo_timers::future::TimeoutFuture::new(delay).await;
                }
                let d = dispatch.clone();
                bridge::on_status(move |s| {
                    STATUS_EVENTS.with(|c| c.set(c.get() + 1));
                    d.dispatch(Action::Status(s))
                })
                .await;
                let d = dispatch.clone();
                bridge::on_diff(move |diff| d.dispatch(Action::Diff(diff))).await;
                let d = dispatch.clone();
                bridge::on_notice(move |n| notice_toast(&d, n)).await;
                let d = dispatch.clone();
                bridge::on_resync(move || reload(d.clone())).await;
                reload(dispatch);
            });
        });
    }
    let lang = store.lang();
    let dialog = match &store.dialog {
        Dialog::None => html! {},
        Dialog::Form(r) => html! { <ReservationForm editing={r.clone()} /> },
        Dialog::ConfirmDelete(r) => html! { <ConfirmDelete reservation={r.clone()} /> },
        Dialog::Qr(r) => html! { <QrDialog reservation={r.clone()} /> },
        Dialog::Settings => html! { <SettingsPanel /> },
    };
    let banner = store.error.as_ref().map(|e| {
        html! { <div class="banner error" id="app-error">{ lang.t("Sin conexión con el motor: ", "Engine not running: ") }{ e }</div> }
    });
    html! {
        <ContextProvider<Store> context={store.clone()}>
            <div class="app" lang={store.settings.language.clone()}>
                <Header />
                { for banner }
                <Toolbar />
                <div class="bar-row">
                    <StatsBar />
                    <CheckinBox />
                </div>
                <DayView />
                { dialog }
                <Toasts />
            </div>
        </ContextProvider<Store>>
    }
}

fn notice_toast(d: &UseReducerDispatcher<UiState>, n: Notice) {
    // Texts in Spanish and English both: the notice has no access to the
    // language here, and a toast is short enough.
    let (kind, text) = match n {
        Notice::QrScanned {
            customer_name,
            asistencia_actual,
            party_size,
        } => (
            ToastKind::Success,
            format!("✔ {customer_name} — {asistencia_actual}/{party_size}"),
        ),
        Notice::Created {
            customer_name,
            time,
        } => (ToastKind::Info, format!("＋ {customer_name} · {time}")),
        Notice::Deleted { customer_name } => (
            ToastKind::Info,
            format!("✕ {}", customer_name.unwrap_or_default()),
        ),
    };
    d.dispatch(Action::Toast(kind, text));
}
