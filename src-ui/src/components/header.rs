//! The top line: product name, the selected day in words, the connection
//! indicator and the settings button.

use super::{connection::Connection, use_store};
use crate::model::{Action, Dialog};
use crate::time::long_date;
use yew::prelude::*;

#[function_component(Header)]
pub fn header() -> Html {
    let store = use_store();
    let lang = store.lang();
    let open_settings = {
        let d = store.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Open(Dialog::Settings)))
    };
    html! {
        <header class="header">
            <div class="brand">{ "Reservas" }</div>
            <div class="day-title" id="day-title" data-date={store.date.clone()}>
                { long_date(&store.date, lang) }
                if store.date == store.today {
                    <span class="today-tag">{ lang.t("hoy", "today") }</span>
                }
            </div>
            <Connection />
            <button class="btn ghost" id="open-settings" onclick={open_settings}>
                { "⚙ " }{ lang.t("Ajustes", "Settings") }
            </button>
        </header>
    }
}
