//! The day's reservations sorted by time. A fixed table layout: columns
//! keep their widths however many rows arrive, so nothing jumps.
//!
//! A normal day is rendered whole. A very long one (a big event, or a
//! 5,000-row stress cache) is windowed: only the rows near the visible part
//! are in the DOM, between two spacers of the exact height of the rows they
//! stand for (every row has the same fixed height), so the scroll bar and
//! the first paint stay fast.

use super::{reservation_row::ReservationRow, use_store};
use crate::bridge;
use crate::model::{Action, Dialog, RowAction, ToastKind, UiState};
use reservas_core::Reservation;
use web_sys::Element;
use yew::platform::spawn_local;
use yew::prelude::*;

/// Height of one row in px (style.css: `tr.row { height: 43px }`).
const ROW_H: f64 = 43.0;
/// Days up to this many rows are rendered whole.
const WHOLE: usize = 300;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 30;

fn on_row(d: &UseReducerDispatcher<UiState>, r: Reservation, a: RowAction) {
    let open = |dialog| d.dispatch(Action::Open(dialog));
    match a {
        RowAction::Qr => open(Dialog::Qr(r)),
        RowAction::Edit => open(Dialog::Form(Some(r))),
        RowAction::Delete => open(Dialog::ConfirmDelete(r)),
        RowAction::CheckIn | RowAction::Status(_) => {
            let d = d.clone();
            spawn_local(async move {
                let res = match a {
                    RowAction::Status(s) => bridge::set_status(&r.id, s).await.map(|_| ()),
                    _ => bridge::checkin_id(&r.id).await.map(|_| ()),
                };
                if let Err(e) = res {
                    d.dispatch(Action::Toast(ToastKind::Error, e.message));
                }
            });
        }
    }
}

#[function_component(DayView)]
pub fn day_view() -> Html {
    let store = use_store();
    let lang = store.lang();
    let wrap = use_node_ref();
    // (scrollTop, clientHeight) of the scrolling box.
    let view = use_state(|| (0.0f64, 900.0f64));
    let on_action = {
        let d = store.dispatcher();
        use_callback((), move |(r, a): (Reservation, RowAction), _| {
            on_row(&d, r, a)
        })
    };
    let onscroll = {
        let view = view.clone();
        let wrap = wrap.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = wrap.cast::<Element>() {
                view.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
            }
        })
    };
    let rows = use_memo(
        (store.rows.clone(), store.date.clone(), store.search.clone()),
        |_| store.day_rows(),
    );
    let total = rows.len();
    let (from, to) = if total <= WHOLE {
        (0, total)
    } else {
        let (top, height) = *view;
        let first = ((top / ROW_H) as usize).saturating_sub(OVERSCAN).min(total);
        let shown = (height / ROW_H).ceil() as usize + 2 * OVERSCAN;
        (first, (first + shown).min(total))
    };
    let spacer = |n: usize| {
        (n > 0).then(|| {
            let style = format!("height:{}px", n as f64 * ROW_H);
            html! { <tr class="spacer" aria-hidden="true"><td colspan="8" {style}></td></tr> }
        })
    };
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
        <div class="table-wrap" ref={wrap} {onscroll}>
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
                <tbody id="rows" data-count={total.to_string()}>
                    if total == 0 {
                        <tr class="empty"><td colspan="8">{ empty }</td></tr>
                    }
                    { for spacer(from) }
                    { for rows[from..to].iter().map(|r| html! {
                        <ReservationRow key={r.id.clone()} reservation={r.clone()} {lang} on_action={on_action.clone()} />
                    }) }
                    { for spacer(total - to) }
                </tbody>
            </table>
        </div>
    }
}
