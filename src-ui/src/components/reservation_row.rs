//! One reservation: time, name, party, table, status, attendance n/party,
//! notes, and its actions (check-in, the next statuses, QR, edit, delete).

use super::use_store;
use crate::bridge;
use crate::model::{Action, Dialog, ToastKind};
use reservas_core::{Reservation, Status};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub reservation: Reservation,
}

/// The statuses a receptionist moves a row to from where it stands.
fn next_statuses(s: Status) -> &'static [Status] {
    match s {
        Status::Pending => &[Status::Confirmed, Status::Cancelled],
        Status::Confirmed => &[Status::Seated, Status::NoShow, Status::Cancelled],
        Status::Seated => &[Status::Completed],
        Status::Completed | Status::Cancelled | Status::NoShow => &[Status::Confirmed],
    }
}

#[function_component(ReservationRow)]
pub fn reservation_row(p: &Props) -> Html {
    let store = use_store();
    let lang = store.lang();
    let r = &p.reservation;
    let open = |dialog: Dialog| {
        let d = store.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Open(dialog.clone())))
    };
    let run = |what: &'static str, id: String, status: Option<Status>| {
        let d = store.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let d = d.clone();
            let id = id.clone();
            spawn_local(async move {
                let res = match status {
                    Some(s) => bridge::set_status(&id, s).await.map(|_| ()),
                    None => bridge::checkin_id(&id).await.map(|_| ()),
                };
                if let Err(e) = res {
                    d.dispatch(Action::Toast(
                        ToastKind::Error,
                        format!("{what}: {}", e.message),
                    ));
                }
            });
        })
    };
    let full = r.asistencia_actual >= r.party_size && r.party_size > 0;
    let att_class = if full {
        "att-full"
    } else if r.asistencia_actual > 0 {
        "att-some"
    } else {
        "att-none"
    };
    html! {
        <tr class={classes!("row", format!("st-{}", r.status.as_str()))} data-id={r.id.clone()}>
            <td class="time">{ &r.time }</td>
            <td class="name" title={r.customer_phone.clone().unwrap_or_default()}>{ &r.customer_name }</td>
            <td class="num party">{ r.party_size }</td>
            <td class="table">{ r.table.clone().unwrap_or_default() }</td>
            <td><span class={classes!("pill", format!("st-{}", r.status.as_str()))} data-status={r.status.as_str()}>{ lang.status(r.status) }</span></td>
            <td class={classes!("num", "att", att_class)}>{ format!("{}/{}", r.asistencia_actual, r.party_size) }</td>
            <td class="notes" title={r.notes.clone().unwrap_or_default()}>{ r.notes.clone().unwrap_or_default() }</td>
            <td class="actions">
                <button class="btn small arrive" title={lang.t("Registrar llegada de un comensal", "Check one guest in")}
                    onclick={run("check-in", r.id.clone(), None)}>{ "+1" }</button>
                { for next_statuses(r.status).iter().map(|&s| html! {
                    <button class={classes!("btn", "small", format!("to-{}", s.as_str()))} data-to={s.as_str()}
                        onclick={run("status", r.id.clone(), Some(s))}>{ lang.status(s) }</button>
                }) }
                <button class="btn small ghost qr" title="QR" onclick={open(Dialog::Qr(r.clone()))}>{ "QR" }</button>
                <button class="btn small ghost edit" title={lang.t("Editar", "Edit")} onclick={open(Dialog::Form(Some(r.clone())))}>{ "✎" }</button>
                <button class="btn small ghost delete" title={lang.t("Eliminar", "Delete")} onclick={open(Dialog::ConfirmDelete(r.clone()))}>{ "🗑" }</button>
            </td>
        </tr>
    }
}
