//! Payload rows in `lt_payload`: one per distinct SHA-256, written (and durable) before any
//! metadata refers to them, outside the write lock, so that every node stores payloads at once.

use super::kv::pool_error;
use super::{PgEngine, db_error};
use crate::error::{Result, StoreError};
use crate::types::Sha256;

/// How long a row nothing refers to is kept before the sweep deletes it: an accept that has
/// written or claimed it is far quicker than this to commit the metadata that refers to it.
pub(crate) const UNREFERENCED_GRACE_SECS: u32 = 600;

impl PgEngine {
    /// Store `bytes` under `sha` (durable on return), or mark the row already there as used
    /// now.
    pub(crate) fn put_payload(&self, sha: &Sha256, bytes: &[u8]) -> Result<()> {
        let pool = self.pool();
        let key = sha.as_bytes().to_vec();
        let bytes = bytes.to_vec();
        self.run("storing a payload", async move {
            let c = pool.get().await.map_err(pool_error)?;
            let st = c
                .prepare_cached(
                    "INSERT INTO lt_payload (sha256, bytes) VALUES ($1, $2) \
                     ON CONFLICT (sha256) DO UPDATE SET touched = now()",
                )
                .await
                .map_err(|e| db_error("storing a payload", &e))?;
            c.execute(&st, &[&key, &bytes])
                .await
                .map_err(|e| db_error("storing a payload", &e))?;
            Ok(())
        })
    }

    /// The payload stored under `sha`, checked against it: a row whose bytes do not hash to
    /// its key is [`StoreError::Corrupt`].
    pub(crate) fn read_payload(&self, sha: &Sha256) -> Result<Option<Vec<u8>>> {
        let pool = self.pool();
        let key = sha.as_bytes().to_vec();
        let bytes = self.run("reading a payload", async move {
            let c = pool.get().await.map_err(pool_error)?;
            let st = c
                .prepare_cached("SELECT bytes FROM lt_payload WHERE sha256 = $1")
                .await
                .map_err(|e| db_error("reading a payload", &e))?;
            let row = c
                .query_opt(&st, &[&key])
                .await
                .map_err(|e| db_error("reading a payload", &e))?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })?;
        match bytes {
            Some(b) if Sha256::digest(&b) == *sha => Ok(Some(b)),
            Some(b) => Err(StoreError::corrupt(
                format!("payload ({} bytes that do not hash to their key)", b.len()),
                format!("lt_payload/{sha}"),
            )),
            None => Ok(None),
        }
    }

    /// Digests in the `payloads` key space (tag `space`) with no row: what a presence check
    /// reports. Returns those digests and how many entries were checked.
    pub(crate) fn missing_payloads(&self, space: u8) -> Result<(Vec<Vec<u8>>, u64)> {
        let pool = self.pool();
        self.run("checking payloads", async move {
            let c = pool.get().await.map_err(pool_error)?;
            let missing = c
                .query(
                    "SELECT k.key FROM lt_kv k WHERE k.space = $1 \
                     AND NOT EXISTS (SELECT 1 FROM lt_payload p WHERE p.sha256 = k.key) \
                     ORDER BY k.key LIMIT 1000",
                    &[&i16::from(space)],
                )
                .await
                .map_err(|e| db_error("checking payloads", &e))?;
            let n = c
                .query_one(
                    "SELECT count(*) FROM lt_kv WHERE space = $1",
                    &[&i16::from(space)],
                )
                .await
                .map_err(|e| db_error("checking payloads", &e))?;
            Ok((
                missing
                    .into_iter()
                    .map(|r| r.get::<_, Vec<u8>>(0))
                    .collect(),
                u64::try_from(n.get::<_, i64>(0)).unwrap_or(0),
            ))
        })
    }

    /// Refresh the planner's statistics of both tables (after a bulk copy: until autovacuum
    /// gets to them, the first queries of a node starting on millions of fresh rows would be
    /// planned blind).
    pub(crate) fn analyze(&self) -> Result<()> {
        let pool = self.pool();
        self.run("analyzing", async move {
            let c = pool.get().await.map_err(pool_error)?;
            c.batch_execute("ANALYZE lt_kv; ANALYZE lt_payload")
                .await
                .map_err(|e| db_error("analyzing", &e))
        })
    }

    /// Delete rows nothing refers to (no entry in the `payloads` key space, tag `space`)
    /// that no accept has touched for [`UNREFERENCED_GRACE_SECS`]. Returns how many.
    pub(crate) fn sweep_payloads(&self, space: u8) -> Result<usize> {
        let pool = self.pool();
        self.run("sweeping payloads", async move {
            let c = pool.get().await.map_err(pool_error)?;
            let n = c
                .execute(
                    &format!(
                        "DELETE FROM lt_payload p WHERE p.touched < now() - interval '{UNREFERENCED_GRACE_SECS} seconds' \
                         AND NOT EXISTS (SELECT 1 FROM lt_kv k WHERE k.space = $1 AND k.key = p.sha256)"
                    ),
                    &[&i16::from(space)],
                )
                .await
                .map_err(|e| db_error("sweeping payloads", &e))?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }
}
