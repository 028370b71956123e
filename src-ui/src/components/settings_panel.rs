//! Settings: host mode (this desk runs the server; optionally on the LAN)
//! or a server URL + token; realtime on/off; language. In host mode it
//! shows the address and token other devices need.

use super::use_store;
use crate::bridge;
use crate::model::{Action, Dialog, Settings, ToastKind};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

#[function_component(SettingsPanel)]
pub fn settings_panel() -> Html {
    let store = use_store();
    let lang = store.lang();
    let draft = use_state(|| store.settings.clone());
    let host_mode = use_state(|| {
        store
            .settings
            .server
            .as_deref()
            .unwrap_or("")
            .trim()
            .is_empty()
    });

    let edit = |f: fn(&mut Settings, String)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let v = match e.target_dyn_into::<HtmlSelectElement>() {
                Some(s) => s.value(),
                None => {
                    let i = e.target_unchecked_into::<HtmlInputElement>();
                    if i.type_() == "checkbox" {
                        i.checked().to_string()
                    } else {
                        i.value()
                    }
                }
            };
            let mut s = (*draft).clone();
            f(&mut s, v);
            draft.set(s);
        })
    };
    let set_host = |on: bool| {
        let host_mode = host_mode.clone();
        Callback::from(move |_| host_mode.set(on))
    };
    let close = {
        let d = store.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Open(Dialog::None)))
    };
    let save = {
        let d = store.dispatcher();
        let draft = draft.clone();
        let host_mode = host_mode.clone();
        Callback::from(move |_| {
            let mut s = (*draft).clone();
            if *host_mode {
                s.server = None;
            }
            let d = d.clone();
            spawn_local(async move {
                match bridge::save_settings(&s).await {
                    Ok(()) => {
                        d.dispatch(Action::Settings(s));
                        d.dispatch(Action::Open(Dialog::None));
                    }
                    Err(e) => d.dispatch(Action::Toast(ToastKind::Error, e.message)),
                }
            });
        })
    };
    let s = &*draft;
    html! {
        <div class="modal-back">
            <div class="modal" id="settings">
                <h2>{ lang.t("Ajustes", "Settings") }</h2>
                <fieldset>
                    <legend>{ lang.t("Servidor", "Server") }</legend>
                    <label class="radio"><input type="radio" name="mode" id="mode-host" checked={*host_mode} onchange={set_host(true)} />
                        { lang.t("Este equipo es el servidor (modo anfitrión)", "This computer is the server (host mode)") }</label>
                    if *host_mode {
                        <label class="check"><input type="checkbox" id="set-lan" checked={s.lan} onchange={edit(|s, v| s.lan = v == "true")} />
                            { lang.t("Permitir otros equipos de la red local", "Allow other devices on the local network") }</label>
                        if let Some(h) = &store.host {
                            <div class="host-info mono" id="host-info">
                                <div>{ lang.t("Dirección: ", "Address: ") }{ if h.lan { format!("http://<IP>:{}", h.port) } else { h.url.clone() } }</div>
                                <div>{ "Token: " }{ &h.token }</div>
                            </div>
                        }
                    }
                    <label class="radio"><input type="radio" name="mode" id="mode-remote" checked={!*host_mode} onchange={set_host(false)} />
                        { lang.t("Conectar a un servidor", "Connect to a server") }</label>
                    if !*host_mode {
                        <div class="grid">
                            <div class="field wide"><label for="set-server">{ "URL" }</label>
                                <input id="set-server" class="input" value={s.server.clone().unwrap_or_default()} placeholder="http://192.168.1.10:8080"
                                    onchange={edit(|s, v| s.server = Some(v))} /></div>
                            <div class="field wide"><label for="set-token">{ "Token" }</label>
                                <input id="set-token" class="input mono" value={s.token.clone().unwrap_or_default()}
                                    onchange={edit(|s, v| s.token = Some(v))} /></div>
                        </div>
                    }
                </fieldset>
                <label class="check"><input type="checkbox" id="set-realtime" checked={s.realtime} onchange={edit(|s, v| s.realtime = v == "true")} />
                    { lang.t("Tiempo real (si no, consultar cada 2 min)", "Realtime (otherwise poll every 2 min)") }</label>
                <div class="field"><label for="set-language">{ lang.t("Idioma", "Language") }</label>
                    <select id="set-language" class="input" onchange={edit(|s, v| s.language = v)}>
                        <option value="es" selected={s.language != "en"}>{ "Español" }</option>
                        <option value="en" selected={s.language == "en"}>{ "English" }</option>
                    </select></div>
                <div class="modal-actions">
                    <button class="btn" id="settings-cancel" onclick={close}>{ lang.t("Cancelar", "Cancel") }</button>
                    <button class="btn primary" id="settings-save" onclick={save}>{ lang.t("Guardar", "Save") }</button>
                </div>
            </div>
        </div>
    }
}
