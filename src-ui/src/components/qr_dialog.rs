//! A reservation's QR code (the server draws it as SVG) and its token in
//! text, for a guest who cannot show the code.

use super::use_store;
use crate::bridge;
use crate::model::{Action, Dialog};
use reservas_core::Reservation;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub reservation: Reservation,
}

#[function_component(QrDialog)]
pub fn qr_dialog(p: &Props) -> Html {
    let store = use_store();
    let lang = store.lang();
    let svg = use_state(|| None::<Result<String, String>>);
    {
        let svg = svg.clone();
        use_effect_with(p.reservation.id.clone(), move |id| {
            let id = id.clone();
            spawn_local(async move {
                svg.set(Some(bridge::qr_svg(&id).await.map_err(|e| e.message)));
            });
        });
    }
    let close = {
        let d = store.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Open(Dialog::None)))
    };
    let body = match &*svg {
        None => html! { <div class="qr-box">{ lang.t("Cargando…", "Loading…") }</div> },
        // The SVG comes from our own server's qr.svg route.
        Some(Ok(s)) => {
            html! { <div class="qr-box" id="qr-svg">{ Html::from_html_unchecked(AttrValue::from(s.clone())) }</div> }
        }
        Some(Err(e)) => html! { <div class="qr-box error">{ e }</div> },
    };
    html! {
        <div class="modal-back" onclick={close.clone()}>
            <div class="modal small" id="qr-dialog" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2>{ &p.reservation.customer_name }</h2>
                { body }
                <p class="mono qr-token">{ &p.reservation.qr_token }</p>
                <div class="modal-actions"><button class="btn" onclick={close}>{ lang.t("Cerrar", "Close") }</button></div>
            </div>
        </div>
    }
}
