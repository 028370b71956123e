//! Date navigation (previous / today / next / pick), the search box and the
//! "new reservation" button.

use super::use_store;
use crate::model::{Action, Dialog};
use crate::time::shift_day;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[function_component(Toolbar)]
pub fn toolbar() -> Html {
    let store = use_store();
    let lang = store.lang();
    let go = |days: i32| {
        let d = store.dispatcher();
        let date = store.date.clone();
        Callback::from(move |_| d.dispatch(Action::SetDate(shift_day(&date, days))))
    };
    let today = {
        let d = store.dispatcher();
        let t = store.today.clone();
        Callback::from(move |_| d.dispatch(Action::SetDate(t.clone())))
    };
    let pick = {
        let d = store.dispatcher();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if !v.is_empty() {
                d.dispatch(Action::SetDate(v));
            }
        })
    };
    let search = {
        let d = store.dispatcher();
        Callback::from(move |e: InputEvent| {
            d.dispatch(Action::SetSearch(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let new = {
        let d = store.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Open(Dialog::Form(None))))
    };
    html! {
        <div class="toolbar">
            <div class="datenav">
                <button class="btn" id="prev-day" title={lang.t("Día anterior", "Previous day")} onclick={go(-1)}>{ "◀" }</button>
                <button class="btn" id="today" onclick={today}>{ lang.t("Hoy", "Today") }</button>
                <button class="btn" id="next-day" title={lang.t("Día siguiente", "Next day")} onclick={go(1)}>{ "▶" }</button>
                <input type="date" id="date" class="input" value={store.date.clone()} onchange={pick} />
            </div>
            <input type="search" id="search" class="input search" placeholder={lang.t("Buscar nombre, mesa, notas…", "Search name, table, notes…")}
                value={store.search.clone()} oninput={search} />
            <button class="btn primary" id="new-reservation" onclick={new}>{ "+ " }{ lang.t("Nueva reserva", "New reservation") }</button>
        </div>
    }
}
