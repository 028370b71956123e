//! One reservation: time, name, party, table, status, attendance n/party,
//! notes, and its actions (check-in, the next statuses, QR, edit, delete).
//!
//! Props only, no context: a row re-renders when its reservation changes,
//! not whenever anything in the app does — thousands of rows stay cheap.

use crate::i18n::Lang;
use crate::model::RowAction;
use reservas_core::{Reservation, Status};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub reservation: Reservation,
    pub lang: Lang,
    pub on_action: Callback<(Reservation, RowAction)>,
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
    let lang = p.lang;
    let r = &p.reservation;
    let act = |a: RowAction| {
        let cb = p.on_action.clone();
        let r = r.clone();
        Callback::from(move |_: MouseEvent| cb.emit((r.clone(), a)))
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
                    onclick={act(RowAction::CheckIn)}>{ "+1" }</button>
                { for next_statuses(r.status).iter().map(|&s| html! {
                    <button class={classes!("btn", "small", format!("to-{}", s.as_str()))} data-to={s.as_str()}
                        onclick={act(RowAction::Status(s))}>{ lang.to_status(s) }</button>
                }) }
                <button class="btn small ghost qr" title="QR" onclick={act(RowAction::Qr)}>{ "QR" }</button>
                <button class="btn small ghost edit" title={lang.t("Editar", "Edit")} onclick={act(RowAction::Edit)}>{ "✎" }</button>
                <button class="btn small ghost delete" title={lang.t("Eliminar", "Delete")} onclick={act(RowAction::Delete)}>{ "✕" }</button>
            </td>
        </tr>
    }
}
