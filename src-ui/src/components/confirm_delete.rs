//! "Delete this reservation?" — a deletion is never one click away.

use super::use_store;
use crate::bridge;
use crate::model::{Action, Dialog, ToastKind};
use reservas_core::Reservation;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub reservation: Reservation,
}

#[function_component(ConfirmDelete)]
pub fn confirm_delete(p: &Props) -> Html {
    let store = use_store();
    let lang = store.lang();
    let r = &p.reservation;
    let close = {
        let d = store.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Open(Dialog::None)))
    };
    let confirm = {
        let d = store.dispatcher();
        let id = r.id.clone();
        Callback::from(move |_| {
            let d = d.clone();
            let id = id.clone();
            spawn_local(async move {
                match bridge::delete(&id).await {
                    Ok(()) => d.dispatch(Action::Open(Dialog::None)),
                    Err(e) => d.dispatch(Action::Toast(ToastKind::Error, e.message)),
                }
            });
        })
    };
    html! {
        <div class="modal-back">
            <div class="modal small" id="confirm-delete">
                <h2>{ lang.t("¿Eliminar la reserva?", "Delete the reservation?") }</h2>
                <p class="confirm-text">{ format!("{} · {} {} · {} ", r.customer_name, r.date, r.time, r.party_size) }{ lang.t("personas", "guests") }</p>
                <div class="modal-actions">
                    <button class="btn" id="cancel-delete" onclick={close}>{ lang.t("No, volver", "No, go back") }</button>
                    <button class="btn danger" id="confirm-delete-yes" onclick={confirm}>{ lang.t("Sí, eliminar", "Yes, delete") }</button>
                </div>
            </div>
        </div>
    }
}
