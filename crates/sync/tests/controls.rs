//! The engine as the desktop embeds it (library, in process): the realtime
//! switch (off = polling only), "sync now", the status watch, and a clean,
//! prompt shutdown.

mod common;

use common::*;
use reservas_sync::engine::{self, EngineConfig};
use reservas_sync::{State, Update};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::timeout;

/// Reads updates until one matches; panics after `secs`.
async fn next_matching(
    rx: &mut UnboundedReceiver<Update>,
    secs: u64,
    what: &str,
    pred: impl Fn(&Update) -> bool,
) -> Update {
    timeout(Duration::from_secs(secs), async {
        loop {
            match rx.recv().await {
                Some(u) if pred(&u) => return u,
                Some(_) => {}
                None => panic!("engine ended while waiting for {what}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

fn is_state(u: &Update, s: State) -> bool {
    matches!(u, Update::Status(st) if st.state == s)
}

fn has_row(u: &Update, id: &str) -> bool {
    matches!(u, Update::Diff(d) if d.upserts.iter().any(|r| r.id == id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn realtime_switch_sync_now_and_shutdown() {
    let (server, token) = tokio::task::spawn_blocking(|| start_server(server_opts()))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = EngineConfig::new(&server.url(), &token, cache_file(&dir));
    // Long enough that only "sync now" can explain a prompt catch-up.
    cfg.poll_interval = Duration::from_secs(60);
    cfg.backoff_cap = Duration::from_millis(1500);
    let (h, mut rx) = engine::start(cfg).unwrap();
    next_matching(&mut rx, 30, "live", |u| is_state(u, State::Live)).await;
    assert_eq!(h.status().state, State::Live);

    // Realtime off: polling only.
    h.set_realtime(false);
    let st = next_matching(&mut rx, 10, "polling", |u| is_state(u, State::Polling)).await;
    let Update::Status(st) = st else {
        unreachable!()
    };
    assert!(!st.realtime);
    let r = h.client().create(&new_row("Con foco")).await.unwrap();
    // The window regains focus: one immediate catch-up.
    h.sync_now();
    next_matching(&mut rx, 3, "row via sync now", |u| has_row(u, &r.id)).await;

    // Realtime back on: live again, changes arrive by the stream.
    h.set_realtime(true);
    next_matching(&mut rx, 30, "live again", |u| is_state(u, State::Live)).await;
    let r2 = h.client().create(&new_row("En vivo")).await.unwrap();
    next_matching(&mut rx, 5, "row via stream", |u| has_row(u, &r2.id)).await;
    let rows = h.cache().run(|c| c.rows(None)).await.unwrap();
    assert_eq!(rows.len(), 2);

    timeout(Duration::from_secs(3), h.shutdown())
        .await
        .expect("shutdown is prompt");
    // The update channel closes once the engine task is gone.
    timeout(Duration::from_secs(3), async {
        while rx.recv().await.is_some() {}
    })
    .await
    .expect("engine task ended");
    drop(server);
}
