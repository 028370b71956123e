//! The check-in box: a USB QR scanner types the token and Enter. The box
//! keeps the focus (taking it back when nothing else wants it), so a scan
//! always lands here, and it clears itself after each scan.

use super::use_store;
use crate::bridge;
use crate::model::{Action, ToastKind};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

#[function_component(CheckinBox)]
pub fn checkin_box() -> Html {
    let store = use_store();
    let lang = store.lang();
    let input = use_node_ref();
    let busy = use_state(|| false);
    // Take the focus on mount and whenever no dialog is open any more.
    {
        let input = input.clone();
        let no_dialog = store.dialog == crate::model::Dialog::None;
        use_effect_with(no_dialog, move |&free| {
            if free && let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let onkeydown = {
        let d = store.dispatcher();
        let busy = busy.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" {
                return;
            }
            e.prevent_default();
            let el = e.target_unchecked_into::<HtmlInputElement>();
            let token = el.value().trim().to_string();
            if token.is_empty() {
                return;
            }
            el.set_value("");
            let d = d.clone();
            let busy = busy.clone();
            busy.set(true);
            spawn_local(async move {
                match bridge::checkin_token(&token).await {
                    Ok(r) => d.dispatch(Action::Toast(
                        ToastKind::Success,
                        format!(
                            "✔ {} — {}/{}",
                            r.cliente_nombre, r.asistencia_actual, r.party_size
                        ),
                    )),
                    Err(e) if e.status == Some(404) => {
                        d.dispatch(Action::Toast(ToastKind::Error, format!("QR ? {token}")))
                    }
                    Err(e) => d.dispatch(Action::Toast(ToastKind::Error, e.message)),
                }
                busy.set(false);
            });
        })
    };
    // A click elsewhere (a row, the stats) leaves the focus nowhere: take
    // it back, unless another field or a dialog took it.
    let onblur = {
        let input = input.clone();
        let dialog_open = store.dialog != crate::model::Dialog::None;
        Callback::from(move |_: FocusEvent| {
            if dialog_open {
                return;
            }
            let input = input.clone();
            gloo_timers::callback::Timeout::new(0, move || {
                let doc = web_sys::window().and_then(|w| w.document());
                let active = doc.and_then(|d| d.active_element());
                let elsewhere = active.is_some_and(|a| {
                    matches!(a.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                });
                if !elsewhere && let Some(el) = input.cast::<HtmlInputElement>() {
                    let _ = el.focus();
                }
            })
            .forget();
        })
    };
    html! {
        <div class={classes!("checkin", (*busy).then_some("busy"))}>
            <label for="checkin">{ lang.t("Escanear QR", "Scan QR") }</label>
            <input id="checkin" ref={input} class="input checkin-input" autocomplete="off" spellcheck="false"
                placeholder={lang.t("Código QR + Intro", "QR code + Enter")} {onkeydown} {onblur} />
        </div>
    }
}
