//! The day's reservations sorted by time. A fixed table layout: columns
//! keep their widths however many rows arrive, so nothing jumps.

use super::{reservation_row::ReservationRow, use_store};
use yew::prelude::*;

#[function_component(DayView)]
pub fn day_view() -> Html {
    let store = use_store();
    let lang = store.lang();
    let rows = store.day_rows();
    let empty = if !store.loaded {
        lang.t("Cargando…", "Loading…")
    } else if store.search.trim().is_empty() {
        lang.t("No hay reservas este día.", "No reservations this day.")
    } else {
        lang.t(
            "Nada coincide con la búsqueda.",
            "Nothing matches the search.",
        )
    };
    html! {
        <div class="table-wrap">
            <table class="day" id="day">
                <colgroup>
                    <col class="c-time" /><col class="c-name" /><col class="c-party" /><col class="c-table" />
                    <col class="c-status" /><col class="c-att" /><col class="c-notes" /><col class="c-actions" />
                </colgroup>
                <thead>
                    <tr>
                        <th>{ lang.t("Hora", "Time") }</th>
                        <th>{ lang.t("Nombre", "Name") }</th>
                        <th class="num">{ lang.t("Pers.", "Party") }</th>
                        <th>{ lang.t("Mesa", "Table") }</th>
                        <th>{ lang.t("Estado", "Status") }</th>
                        <th class="num">{ lang.t("Llegados", "Arrived") }</th>
                        <th>{ lang.t("Notas", "Notes") }</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody id="rows" data-count={rows.len().to_string()}>
                    if rows.is_empty() {
                        <tr class="empty"><td colspan="8">{ empty }</td></tr>
                    }
                    { for rows.into_iter().map(|r| { let key = r.id.clone(); html! { <ReservationRow {key} reservation={r} /> } }) }
                </tbody>
            </table>
        </div>
    }
}
