//! The connection indicator: live / connecting / reconnecting (attempt n,
//! next try in s) / polling / offline since hh:mm, with the cache's age
//! whenever the rows may be stale. Ticks every second so the countdown and
//! the age stay true without any event.

use super::use_store;
use crate::model::ConnState;
use crate::time::{age, hhmm, parse_ms};
use gloo_timers::callback::Interval;
use yew::prelude::*;

#[function_component(Connection)]
pub fn connection() -> Html {
    let store = use_store();
    let lang = store.lang();
    let now = use_state(js_sys::Date::now);
    // When the current status arrived: the retry countdown counts from it.
    let since = use_memo(store.status.clone(), |_| js_sys::Date::now());
    {
        let now = now.clone();
        use_effect_with((), move |_| {
            let tick = Interval::new(1000, move || now.set(js_sys::Date::now()));
            move || drop(tick)
        });
    }
    let Some(st) = store.status.as_ref() else {
        return html! {
            <div class="conn conn-connecting" id="conn" data-state="starting">
                <span class="dot"></span>{ lang.t("Iniciando…", "Starting…") }
            </div>
        };
    };
    let cache_age = st
        .last_synced
        .as_deref()
        .and_then(parse_ms)
        .map(|t| age(*now - t));
    let aged = |label: String| match &cache_age {
        Some(a) => {
            format!("{label} · {} {a}", lang.t("datos de hace", "data from")) + lang.t("", " ago")
        }
        None => format!(
            "{label} · {}",
            lang.t("sin datos sincronizados", "never synced")
        ),
    };
    let (class, state, text) = match st.state {
        ConnState::Live => ("conn-live", "live", lang.t("En vivo", "Live").to_string()),
        ConnState::Connecting => (
            "conn-connecting",
            "connecting",
            lang.t("Conectando…", "Connecting…").to_string(),
        ),
        ConnState::Reconnecting => {
            let left = st
                .next_retry_ms
                .map(|ms| ((*since + ms as f64 - *now) / 1000.0).ceil().max(0.0) as u64);
            let mut t = format!(
                "{} {}",
                lang.t("Reconectando, intento", "Reconnecting, attempt"),
                st.attempt.unwrap_or(1)
            );
            if let Some(s) = left {
                t += &format!(" · {} {s} s", lang.t("próximo en", "next try in"));
            }
            ("conn-reconnecting", "reconnecting", aged(t))
        }
        ConnState::Polling => {
            let label = if st.realtime {
                lang.t(
                    "Consultando cada 2 min (sin tiempo real)",
                    "Polling every 2 min (no live stream)",
                )
            } else {
                lang.t(
                    "Consultando (tiempo real desactivado)",
                    "Polling (realtime off)",
                )
            };
            ("conn-polling", "polling", aged(label.to_string()))
        }
        ConnState::Offline => {
            let since = store.offline_since.map(hhmm).unwrap_or_default();
            let t = format!("{} {since}", lang.t("Sin conexión desde", "Offline since"));
            ("conn-offline", "offline", aged(t))
        }
    };
    let title = st.error.clone().unwrap_or_default();
    // A click on a non-live indicator tries the server at once.
    let retry = Callback::from(|_: MouseEvent| {
        yew::platform::spawn_local(async {
            let _ = crate::bridge::sync_now().await;
        })
    });
    html! {
        <div class={classes!("conn", class)} id="conn" data-state={state} title={title} onclick={retry}>
            <span class="dot"></span>
            <span class="conn-text" id="conn-text">{ text }</span>
        </div>
    }
}
