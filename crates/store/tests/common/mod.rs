//! What the store's integration tests share.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::Path;

/// The store's sled database opened directly, as the store opens it (to damage it on
/// purpose, or to look at raw keys).
pub fn raw_sled(dir: &Path) -> sled::Db {
    // sled releases its file lock a moment after the last handle closed (its IO threads let
    // go): wait for it, as `KvStore::open_at` does.
    if let Ok(f) = std::fs::File::open(dir.join("meta").join("db")) {
        rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive).unwrap();
    }
    sled::Config::new()
        .path(dir.join("meta"))
        .segment_size(8 * 1024 * 1024)
        .open()
        .unwrap()
}

/// Where a store under test lives: a folder (sled) or a database of the test cluster
/// (PostgreSQL).
pub struct Place {
    /// The folder (sled), kept for the test's life.
    pub dir: tempfile::TempDir,
    /// The database (PostgreSQL).
    pub url: Option<String>,
}

impl Place {
    /// A sled store's folder.
    pub fn sled() -> Place {
        Place {
            dir: tempfile::tempdir().unwrap(),
            url: None,
        }
    }

    /// A new database of the shared test cluster, if PostgreSQL is installed.
    pub fn postgres() -> Option<Place> {
        let cluster = lienthong_testkit::postgres::shared()?;
        Some(Place {
            dir: tempfile::tempdir().unwrap(),
            url: Some(cluster.database()),
        })
    }

    /// The engine's name, for messages.
    pub fn engine(&self) -> &'static str {
        if self.url.is_some() {
            "postgres"
        } else {
            "sled"
        }
    }

    /// Open (or reopen) the store here.
    pub fn open(
        &self,
        config: lienthong_store::StoreConfig,
        now: lienthong_store::Timestamp,
    ) -> lienthong_store::Result<lienthong_store::KvStore> {
        match &self.url {
            None => lienthong_store::KvStore::open_at(self.dir.path(), config, now),
            Some(url) => lienthong_store::KvStore::open_postgres(
                &lienthong_store::PgOptions::new(url.clone()),
                config,
            ),
        }
    }
}

/// Run `body` on a sled store's place, then on a PostgreSQL one (when PostgreSQL is
/// installed; required under `LIENTHONG_REQUIRE_TOOLS=1`): the same assertions hold on both.
pub fn on_both(body: impl Fn(&Place)) {
    for place in [Some(Place::sled()), Place::postgres()]
        .into_iter()
        .flatten()
    {
        eprintln!("-- engine: {}", place.engine());
        body(&place);
    }
}

/// A local submission of `bytes` from `sender` to `recipients`: a document, nothing else set.
pub fn req(sender: &str, bytes: &[u8], recipients: &[&str]) -> lienthong_store::AcceptRequest {
    lienthong_store::AcceptRequest {
        sender: sender.into(),
        kind: lienthong_store::MessageKind::Edoc,
        bytes: bytes.to_vec(),
        document_id: None,
        business: None,
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
        origin: lienthong_store::Origin::Local,
        status: None,
        signature: None,
        facts: None,
    }
}
