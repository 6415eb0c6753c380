//! The key spaces in `lt_kv`: point reads and ordered pages for the store's logic, and the
//! batch transaction that applies a group commit's writes under the gateway-wide write lock.

use super::{PgEngine, WRITE_LOCK, db_error};
use crate::error::{Result, StoreError};

/// A pool that gave no connection, in words.
pub(crate) fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    use deadpool_postgres::PoolError;
    StoreError::Database(match e {
        PoolError::Backend(e) => {
            return db_error("connecting", &e);
        }
        PoolError::Timeout(_) => "no connection to the database within the timeout".into(),
        other => format!("connection pool: {other}"),
    })
}

const GET: &str = "SELECT value FROM lt_kv WHERE space = $1 AND key = $2";
const COUNT: &str = "SELECT count(*) FROM lt_kv WHERE space = $1";

/// The page query for a range: `from` inclusive or not, `to` (exclusive) or to the end of the
/// space, with or without the values.
fn page_sql(inclusive: bool, bounded: bool, values: bool) -> String {
    format!(
        "SELECT key{} FROM lt_kv WHERE space = $1 AND key {} $2{} ORDER BY key LIMIT {}",
        if values { ", value" } else { "" },
        if inclusive { ">=" } else { ">" },
        if bounded { " AND key < $3" } else { "" },
        if bounded { "$4" } else { "$3" },
    )
}

/// One page of a range read.
pub(crate) struct PageQuery {
    pub(crate) space: u8,
    pub(crate) from: Vec<u8>,
    pub(crate) inclusive: bool,
    pub(crate) to: Option<Vec<u8>>,
    pub(crate) limit: usize,
    pub(crate) values: bool,
}

impl PgEngine {
    /// The value of `key` in `space`, as committed.
    pub(crate) fn get(&self, space: u8, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let pool = self.pool();
        let key = key.to_vec();
        self.run("reading", async move {
            let c = pool.get().await.map_err(pool_error)?;
            let st = c
                .prepare_cached(GET)
                .await
                .map_err(|e| db_error("reading", &e))?;
            let row = c
                .query_opt(&st, &[&i16::from(space), &key])
                .await
                .map_err(|e| db_error("reading", &e))?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })
    }

    /// Entries of a range in key order (values empty unless asked for).
    pub(crate) fn page(&self, q: PageQuery) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let pool = self.pool();
        self.run("reading a range", async move {
            let c = pool.get().await.map_err(pool_error)?;
            let sql = page_sql(q.inclusive, q.to.is_some(), q.values);
            let st = c
                .prepare_cached(&sql)
                .await
                .map_err(|e| db_error("reading a range", &e))?;
            let space = i16::from(q.space);
            let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
            let rows = match &q.to {
                Some(to) => c.query(&st, &[&space, &q.from, to, &limit]).await,
                None => c.query(&st, &[&space, &q.from, &limit]).await,
            }
            .map_err(|e| db_error("reading a range", &e))?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let k: Vec<u8> = r.get(0);
                    let v: Vec<u8> = if q.values { r.get(1) } else { Vec::new() };
                    (k, v)
                })
                .collect())
        })
    }

    /// Entries in `space`.
    pub(crate) fn count(&self, space: u8) -> Result<u64> {
        let pool = self.pool();
        self.run("counting", async move {
            let c = pool.get().await.map_err(pool_error)?;
            let row = c
                .query_one(COUNT, &[&i16::from(space)])
                .await
                .map_err(|e| db_error("counting", &e))?;
            Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
        })
    }

    /// Open a batch: a transaction holding the gateway-wide write lock. Waits for another
    /// node's batch to commit (at most the lock wait of [`super::PgOptions`]).
    pub(crate) fn begin_batch(&self) -> Result<Batch> {
        let reuse = self
            .writers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let (config, tls) = self.connect_args();
        self.run("taking the write lock", async move {
            let client = match reuse {
                Some(c) if !c.is_closed() => c,
                _ => PgEngine::connect_owned(config, tls).await?,
            };
            client
                .batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
                ))
                .await
                .map_err(|e| db_error("taking the write lock", &e))?;
            Ok(Batch { client })
        })
    }

    /// Apply `w` in the batch's transaction and commit: returns once the commit is durable
    /// (and the lock released). On error the transaction is gone with its connection, and
    /// nothing of it was applied, unless the connection broke during the commit itself.
    pub(crate) fn commit_batch(&self, batch: Batch, w: BatchWrites) -> Result<()> {
        let client = self.run("committing", async move {
            let c = batch.client;
            let run = async {
                if !w.put_keys.is_empty() {
                    c.execute(
                        "INSERT INTO lt_kv (space, key, value) \
                         SELECT * FROM unnest($1::int2[], $2::bytea[], $3::bytea[]) \
                         ON CONFLICT (space, key) DO UPDATE SET value = EXCLUDED.value",
                        &[&w.put_spaces, &w.put_keys, &w.put_values],
                    )
                    .await?;
                }
                if !w.del_keys.is_empty() {
                    c.execute(
                        "DELETE FROM lt_kv k USING unnest($1::int2[], $2::bytea[]) AS d(space, key) \
                         WHERE k.space = d.space AND k.key = d.key",
                        &[&w.del_spaces, &w.del_keys],
                    )
                    .await?;
                }
                if !w.dropped_payloads.is_empty() {
                    // Rows an accept touched lately stay for the sweep: it may be about to
                    // refer to them again.
                    c.execute(
                        "DELETE FROM lt_payload WHERE sha256 = ANY($1::bytea[]) \
                         AND touched < now() - interval '10 minutes'",
                        &[&w.dropped_payloads],
                    )
                    .await?;
                }
                if !w.notes.is_empty() {
                    c.execute(
                        "SELECT pg_notify('lienthong', n) FROM unnest($1::text[]) AS n",
                        &[&w.notes],
                    )
                    .await?;
                }
                c.batch_execute("COMMIT").await
            };
            run.await.map_err(|e| db_error("committing", &e))?;
            Ok(c)
        })?;
        self.keep_writer(client);
        Ok(())
    }

    /// Close a batch that wrote nothing: the lock is released at once.
    pub(crate) fn end_batch(&self, batch: Batch) -> Result<()> {
        let client = self.run("releasing the write lock", async move {
            batch
                .client
                .batch_execute("ROLLBACK")
                .await
                .map_err(|e| db_error("releasing the write lock", &e))?;
            Ok(batch.client)
        })?;
        self.keep_writer(client);
        Ok(())
    }

    fn keep_writer(&self, client: tokio_postgres::Client) {
        let mut w = self
            .writers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.len() < 2 {
            w.push(client);
        }
    }
}

/// An open transaction holding the write lock. Dropped without [`PgEngine::commit_batch`] or
/// [`PgEngine::end_batch`], its connection closes and the server rolls it back.
#[derive(Debug)]
pub(crate) struct Batch {
    client: tokio_postgres::Client,
}

/// A group commit's writes, as arrays for `unnest`.
#[derive(Debug, Default)]
pub(crate) struct BatchWrites {
    pub(crate) put_spaces: Vec<i16>,
    pub(crate) put_keys: Vec<Vec<u8>>,
    pub(crate) put_values: Vec<Vec<u8>>,
    pub(crate) del_spaces: Vec<i16>,
    pub(crate) del_keys: Vec<Vec<u8>>,
    /// Digests whose `payloads` entry this batch removes (their rows go too, unless touched
    /// lately).
    pub(crate) dropped_payloads: Vec<Vec<u8>>,
    /// `NOTIFY lienthong` payloads, sent by the server at commit.
    pub(crate) notes: Vec<String>,
}

impl BatchWrites {
    /// Nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.put_keys.is_empty() && self.del_keys.is_empty()
    }
}
