//! A consistent, read-only view of a PostgreSQL store's database as of one instant, for the
//! online backup: a `REPEATABLE READ` transaction on a connection of its own. The gateway's
//! nodes keep writing meanwhile; batches commit whole, so the view holds each batch entirely
//! or not at all.

use std::sync::Arc;

use super::{PgEngine, db_error};
use crate::error::Result;
use crate::types::Sha256;

/// Entries as (space, key, value).
pub(crate) type Entries = Vec<(u8, Vec<u8>, Vec<u8>)>;

/// An open snapshot. Dropped, its connection closes (and the transaction with it).
pub(crate) struct Snapshot {
    engine: Arc<PgEngine>,
    client: Arc<tokio_postgres::Client>,
}

impl PgEngine {
    /// Open a snapshot of the database as it is now.
    pub(crate) fn snapshot(self: &Arc<Self>) -> Result<Snapshot> {
        let (config, tls) = self.connect_args();
        let client = self.run("opening a snapshot", async move {
            let c = PgEngine::connect_owned(config, tls).await?;
            // The snapshot is taken by the first query; the transaction keeps it.
            c.batch_execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT count(*) FROM lt_schema",
            )
            .await
            .map_err(|e| db_error("opening a snapshot", &e))?;
            Ok(c)
        })?;
        Ok(Snapshot {
            engine: Arc::clone(self),
            client: Arc::new(client),
        })
    }
}

impl Snapshot {
    /// Up to `limit` entries after `after`, in (space, key) order.
    pub(crate) fn page(&self, after: Option<(i16, Vec<u8>)>, limit: usize) -> Result<Entries> {
        let c = Arc::clone(&self.client);
        self.engine.run("reading a snapshot", async move {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = match &after {
                Some((s, k)) => {
                    c.query(
                        "SELECT space, key, value FROM lt_kv WHERE (space, key) > ($1, $2) \
                         ORDER BY space, key LIMIT $3",
                        &[s, k, &limit],
                    )
                    .await
                }
                None => {
                    c.query(
                        "SELECT space, key, value FROM lt_kv ORDER BY space, key LIMIT $1",
                        &[&limit],
                    )
                    .await
                }
            }
            .map_err(|e| db_error("reading a snapshot", &e))?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let s: i16 = r.get(0);
                    (u8::try_from(s).unwrap_or(u8::MAX), r.get(1), r.get(2))
                })
                .collect())
        })
    }

    /// A payload in the snapshot, checked against its digest (`None`: no such row, or bytes
    /// that do not hash to it).
    pub(crate) fn payload(&self, sha: &Sha256) -> Result<Option<Vec<u8>>> {
        let c = Arc::clone(&self.client);
        let key = sha.as_bytes().to_vec();
        let bytes = self.engine.run("reading a snapshot", async move {
            let row = c
                .query_opt("SELECT bytes FROM lt_payload WHERE sha256 = $1", &[&key])
                .await
                .map_err(|e| db_error("reading a snapshot", &e))?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })?;
        Ok(bytes.filter(|b| Sha256::digest(b) == *sha))
    }
}
