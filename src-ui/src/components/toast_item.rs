//! One toast; it removes itself after a few seconds (errors stay longer).

use super::use_store;
use crate::model::{Action, Toast, ToastKind};
use gloo_timers::callback::Timeout;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub toast: Toast,
}

#[function_component(ToastItem)]
pub fn toast_item(p: &Props) -> Html {
    let store = use_store();
    {
        let d = store.dispatcher();
        let id = p.toast.id;
        let ms = if p.toast.kind == ToastKind::Error {
            8000
        } else {
            4000
        };
        use_effect_with(id, move |_| {
            let t = Timeout::new(ms, move || d.dispatch(Action::DropToast(id)));
            move || drop(t)
        });
    }
    let class = match p.toast.kind {
        ToastKind::Info => "toast-info",
        ToastKind::Success => "toast-success",
        ToastKind::Error => "toast-error",
    };
    html! { <div class={classes!("toast", class)}>{ &p.toast.text }</div> }
}
