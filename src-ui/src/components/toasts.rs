//! The stack of in-app toasts (created, deleted, checked in, errors), in a
//! fixed corner so they never push the table around.

use super::{toast_item::ToastItem, use_store};
use yew::prelude::*;

#[function_component(Toasts)]
pub fn toasts() -> Html {
    let store = use_store();
    html! {
        <div class="toasts" id="toasts">
            { for store.toasts.iter().map(|t| html! { <ToastItem key={t.id} toast={t.clone()} /> }) }
        </div>
    }
}
