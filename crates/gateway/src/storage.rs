//! Opening the store a configuration names (`[store]`), for `serve`, `check-store` and
//! `store migrate`, and passing what other nodes change on to this one's waiters.

use std::path::Path;
use std::sync::Arc;

use lienthong_store::{KvStore, StoreChange, StoreConfig, Timestamp};

use crate::config::store::{StoreEngine, StoreSection};
use crate::state::AppState;

/// Open the store: the embedded one in `data_dir`, or the PostgreSQL database of
/// `section`. Blocking (call it from `spawn_blocking`).
pub fn open_store(
    data_dir: Option<&Path>,
    section: &StoreSection,
    config: StoreConfig,
    now: Timestamp,
) -> Result<KvStore, String> {
    match section.engine {
        StoreEngine::Sled => {
            let dir = data_dir.ok_or("gateway.data_dir is not set")?;
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            KvStore::open_at(dir, config, now).map_err(|e| e.to_string())
        }
        StoreEngine::Postgres => {
            let opts = section.options()?;
            KvStore::open_postgres(&opts, config).map_err(|e| e.to_string())
        }
    }
}

/// Wake this node's long polls and forwarders for what any node of the gateway delivers
/// or queues (a PostgreSQL store tells; the embedded one has no other node).
pub(crate) fn follow_other_nodes(state: &Arc<AppState>) {
    let weak = Arc::downgrade(state);
    state.store.on_change(Arc::new(move |change| {
        let Some(s) = weak.upgrade() else { return };
        match change {
            StoreChange::Delivered(agency) => s.inbox_waiters.delivered(&agency),
            StoreChange::Queued(hop) => {
                if let Some(n) = s.notify.get(&hop) {
                    n.notify_one();
                }
            }
            StoreChange::Missed => {
                s.inbox_waiters.delivered_to_all();
                for n in s.notify.values() {
                    n.notify_one();
                }
            }
        }
    }));
}
