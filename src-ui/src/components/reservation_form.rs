//! Create or edit a reservation. The server is the judge of the rules: a
//! 422 names the field (`field` in the error body) and the message shows
//! under that field; anything else shows at the top of the form.

use super::use_store;
use crate::bridge;
use crate::model::{Action, Dialog, ToastKind, UiError};
use reservas_core::{NewReservation, Reservation, ReservationPatch};
use std::collections::HashMap;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// `None`: a new reservation.
    pub editing: Option<Reservation>,
}

/// The form's text fields, by the wire's field names.
const FIELDS: [&str; 8] = [
    "customerName",
    "customerPhone",
    "customerEmail",
    "date",
    "time",
    "partySize",
    "table",
    "notes",
];

fn initial(r: Option<&Reservation>, date: &str) -> HashMap<&'static str, String> {
    let mut m: HashMap<&'static str, String> = FIELDS.iter().map(|f| (*f, String::new())).collect();
    match r {
        Some(r) => {
            m.insert("customerName", r.customer_name.clone());
            m.insert(
                "customerPhone",
                r.customer_phone.clone().unwrap_or_default(),
            );
            m.insert(
                "customerEmail",
                r.customer_email.clone().unwrap_or_default(),
            );
            m.insert("date", r.date.clone());
            m.insert("time", r.time.clone());
            m.insert("partySize", r.party_size.to_string());
            m.insert("table", r.table.clone().unwrap_or_default());
            m.insert("notes", r.notes.clone().unwrap_or_default());
        }
        None => {
            m.insert("date", date.to_string());
            m.insert("time", "20:00".into());
            m.insert("partySize", "2".into());
        }
    }
    m
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// A party size that is not even a number is caught here (the server would
/// answer 400, which names no field).
fn party(v: &HashMap<&'static str, String>) -> Result<i64, UiError> {
    v["partySize"].trim().parse::<i64>().map_err(|_| UiError {
        field: Some("partySize".into()),
        code: Some("not_a_number".into()),
        ..UiError::plain("not a number")
    })
}

async fn submit(
    editing: Option<Reservation>,
    v: HashMap<&'static str, String>,
) -> Result<(), UiError> {
    let party_size = party(&v)?;
    match editing {
        None => {
            let new = NewReservation {
                customer_name: v["customerName"].trim().to_string(),
                customer_phone: opt(&v["customerPhone"]),
                customer_email: opt(&v["customerEmail"]),
                date: v["date"].trim().to_string(),
                time: v["time"].trim().to_string(),
                party_size,
                table: opt(&v["table"]),
                notes: opt(&v["notes"]),
                ..Default::default()
            };
            bridge::create(&new).await.map(|_| ())
        }
        Some(r) => {
            // Send every field: `null` clears an optional one.
            let patch = ReservationPatch {
                customer_name: Some(v["customerName"].trim().to_string()),
                customer_phone: Some(opt(&v["customerPhone"])),
                customer_email: Some(opt(&v["customerEmail"])),
                date: Some(v["date"].trim().to_string()),
                time: Some(v["time"].trim().to_string()),
                party_size: Some(party_size),
                table: Some(opt(&v["table"])),
                notes: Some(opt(&v["notes"])),
                ..Default::default()
            };
            bridge::update(&r.id, &patch).await.map(|_| ())
        }
    }
}

#[function_component(ReservationForm)]
pub fn reservation_form(p: &Props) -> Html {
    let store = use_store();
    let lang = store.lang();
    let values = use_state(|| initial(p.editing.as_ref(), &store.date));
    let errors = use_state(HashMap::<String, String>::new);
    let general = use_state(|| None::<String>);
    let saving = use_state(|| false);

    let close = {
        let d = store.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Open(Dialog::None)))
    };
    let onsubmit = {
        let d = store.dispatcher();
        let values = values.clone();
        let errors = errors.clone();
        let general = general.clone();
        let saving = saving.clone();
        let editing = p.editing.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (d, errors, general, saving) =
                (d.clone(), errors.clone(), general.clone(), saving.clone());
            let v = (*values).clone();
            let editing = editing.clone();
            saving.set(true);
            spawn_local(async move {
                let was_edit = editing.is_some();
                match submit(editing, v).await {
                    Ok(()) => {
                        d.dispatch(Action::Open(Dialog::None));
                        if was_edit {
                            d.dispatch(Action::Toast(ToastKind::Success, "✔".into()));
                        }
                    }
                    Err(e) => {
                        saving.set(false);
                        match e.field.clone() {
                            Some(f) => {
                                let text = lang.rule(e.code.as_deref(), &e.message);
                                errors.set([(f, text)].into_iter().collect());
                                general.set(None);
                            }
                            None => {
                                errors.set(HashMap::new());
                                general.set(Some(e.message.clone()));
                            }
                        }
                    }
                }
            });
        })
    };
    let field = |name: &'static str, kind: &'static str, wide: bool| {
        let values_c = values.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let v = match e.target_dyn_into::<HtmlTextAreaElement>() {
                Some(t) => t.value(),
                None => e.target_unchecked_into::<HtmlInputElement>().value(),
            };
            let mut m = (*values_c).clone();
            m.insert(name, v);
            values_c.set(m);
        });
        let err = errors.get(name).cloned();
        let value = values.get(name).cloned().unwrap_or_default();
        let id = format!("f-{name}");
        html! {
            <div class={classes!("field", wide.then_some("wide"), err.is_some().then_some("has-error"))}>
                <label for={id.clone()}>{ lang.field(name) }</label>
                if kind == "textarea" {
                    <textarea id={id} class="input" rows="2" {value} {oninput}></textarea>
                } else {
                    <input id={id} class="input" type={kind} {value} {oninput} />
                }
                <div class="field-error" data-field={name}>{ err.unwrap_or_default() }</div>
            </div>
        }
    };
    let title = if p.editing.is_some() {
        lang.t("Editar reserva", "Edit reservation")
    } else {
        lang.t("Nueva reserva", "New reservation")
    };
    html! {
        <div class="modal-back">
            <form class="modal" id="reservation-form" {onsubmit} novalidate=true>
                <h2>{ title }</h2>
                if let Some(g) = &*general {
                    <div class="banner error" id="form-error">{ g }</div>
                }
                <div class="grid">
                    { field("customerName", "text", true) }
                    { field("date", "date", false) }
                    { field("time", "time", false) }
                    { field("partySize", "number", false) }
                    { field("table", "text", false) }
                    { field("customerPhone", "tel", false) }
                    { field("customerEmail", "email", false) }
                    { field("notes", "textarea", true) }
                </div>
                <div class="modal-actions">
                    <button type="button" class="btn" id="form-cancel" onclick={close}>{ lang.t("Cancelar", "Cancel") }</button>
                    <button type="submit" class="btn primary" id="form-save" disabled={*saving}>{ lang.t("Guardar", "Save") }</button>
                </div>
            </form>
        </div>
    }
}
