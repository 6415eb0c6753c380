//! `LISTEN lienthong`: every batch that delivers into an inbox or makes a queue entry ready
//! sends `NOTIFY lienthong` with `d:AGENCY` or `q:HOP` (at its commit, so never before the
//! change is visible), and every node's listener passes them to the gateway, which wakes the
//! long polls of that agency and the forwarder of that hop. After a lost connection the
//! listener reconnects (1 s, doubling to 10 s) and reports [`StoreChange::Missed`]: whatever
//! was sent meanwhile is unknown, so everything should look again.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_postgres::AsyncMessage;

use super::PgEngine;

/// What another node (or this one) changed, as told through the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChange {
    /// Something was delivered into this agency's inbox.
    Delivered(String),
    /// An entry of this hop's queue became ready.
    Queued(String),
    /// Notifications may have been lost (the listening connection was down): look again at
    /// everything.
    Missed,
}

/// Called for every change; must return quickly (it runs on the listener's task).
pub type ChangeHook = Arc<dyn Fn(StoreChange) + Send + Sync>;

/// The listener's state: the hook, once the gateway gave one.
#[derive(Default)]
pub(crate) struct Listener {
    hook: Mutex<Option<ChangeHook>>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").finish_non_exhaustive()
    }
}

/// The notification payload for a change.
pub(crate) fn note(change: &StoreChange) -> Option<String> {
    match change {
        StoreChange::Delivered(a) => Some(format!("d:{a}")),
        StoreChange::Queued(h) => Some(format!("q:{h}")),
        StoreChange::Missed => None,
    }
}

fn parse(payload: &str) -> Option<StoreChange> {
    match payload.split_once(':')? {
        ("d", a) => Some(StoreChange::Delivered(a.to_owned())),
        ("q", h) => Some(StoreChange::Queued(h.to_owned())),
        _ => None,
    }
}

impl PgEngine {
    /// Start listening (once) and pass every change to `hook`.
    pub(crate) fn listen(&self, hook: ChangeHook) {
        {
            let mut h = self
                .listener
                .hook
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let first = h.is_none();
            *h = Some(hook.clone());
            if !first {
                return;
            }
        }
        let (config, tls) = self.connect_args();
        self.handle().spawn(async move {
            let mut backoff = Duration::from_secs(1);
            let mut connected_before = false;
            loop {
                let r = match &tls {
                    Some(t) => listen_once(&config, t.clone(), &hook, connected_before).await,
                    None => {
                        listen_once(&config, tokio_postgres::NoTls, &hook, connected_before).await
                    }
                };
                match r {
                    Ok(()) => backoff = Duration::from_secs(1),
                    Err(e) => tracing::warn!(error = %e, "store: listening for other nodes' changes failed; retrying"),
                }
                connected_before = true;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        });
    }
}

/// One connection's life: LISTEN, then pass notifications on until it ends.
async fn listen_once<T>(
    config: &tokio_postgres::Config,
    tls: T,
    hook: &ChangeHook,
    reconnected: bool,
) -> Result<(), tokio_postgres::Error>
where
    T: tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
{
    let (client, mut conn) = config.connect(tls).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if tx.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
    });
    client.batch_execute("LISTEN lienthong").await?;
    if reconnected {
        hook(StoreChange::Missed);
    }
    while let Some(p) = rx.recv().await {
        if let Some(c) = parse(&p) {
            hook(c);
        }
    }
    driver.abort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_round_trip() {
        for c in [
            StoreChange::Delivered("000.00.01.H50".into()),
            StoreChange::Queued("gw-g22".into()),
        ] {
            let n = note(&c).unwrap();
            assert_eq!(parse(&n), Some(c));
        }
        assert_eq!(note(&StoreChange::Missed), None);
        assert_eq!(parse("x:1"), None);
        assert_eq!(parse("nothing"), None);
    }
}
