//! The day's figures: reservations, expected guests, arrived guests, and
//! the count per status. Fixed-width cells so numbers changing never move
//! the layout.

use super::use_store;
use reservas_core::Status;
use yew::prelude::*;

#[function_component(StatsBar)]
pub fn stats_bar() -> Html {
    let store = use_store();
    let lang = store.lang();
    let s = store.stats();
    let cell = |id: &str, label: &str, value: u32, class: &str| {
        html! {
            <div class={classes!("stat", class.to_string())}>
                <div class="stat-value" id={id.to_string()}>{ value }</div>
                <div class="stat-label">{ label.to_string() }</div>
            </div>
        }
    };
    let n = |st: Status| s.by_status.get(&st).copied().unwrap_or(0);
    html! {
        <div class="stats" id="stats">
            { cell("stat-total", lang.t("Reservas", "Reservations"), s.total, "") }
            { cell("stat-expected", lang.t("Comensales esperados", "Expected guests"), s.expected_guests, "") }
            { cell("stat-arrived", lang.t("Llegados", "Arrived"), s.arrived_guests, "stat-arrived") }
            <div class="stat-statuses">
                { for [Status::Confirmed, Status::Seated, Status::Completed, Status::Cancelled, Status::NoShow].into_iter().map(|st| html! {
                    <span class={classes!("pill", format!("st-{}", st.as_str()))}>{ lang.status(st) }{ " " }<b>{ n(st) }</b></span>
                }) }
            </div>
        </div>
    }
}
