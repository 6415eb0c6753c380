//! The key spaces in `lt_kv`: point reads and ordered pages for the store's logic, and the
//! batch transaction that applies a group commit's writes under the gateway-wide write lock.

use super::known::{Change, Entries, GenState, Known, Seen};
use super::page::PageQuery;
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
/// [`GET`] with the state it was read in (one statement, so one snapshot).
const GET_SEEN: &str = "SELECT g.gen, g.stamp, k.value FROM lt_gen g \
     LEFT JOIN lt_kv k ON k.space = $1 AND k.key = $2";
const STATE: &str = "SELECT gen, stamp FROM lt_gen";
/// Other nodes' batches after a generation, in order, a row per key with its value now if it
/// is small (counters and the like, which every batch changes; a larger one is read again
/// when needed), at most [`MAX_CHANGED_KEYS`] rows.
const CHANGES: &str = "SELECT c.gen_from, c.stamp_from, c.gen_to, c.stamp_to, u.space, u.key, \
     k.value IS NULL, CASE WHEN length(k.value) <= 256 THEN k.value END \
     FROM lt_changes c CROSS JOIN LATERAL unnest(c.spaces, c.keys) AS u(space, key) \
     LEFT JOIN lt_kv k ON k.space = u.space AND k.key = u.key \
     WHERE c.gen_to > $1 ORDER BY c.gen_to LIMIT $2";
/// A batch's keys recorded with the state it found, returning the state it leaves.
const LOG_CHANGES: &str = "INSERT INTO lt_changes \
     (gen_to, stamp_to, gen_from, stamp_from, spaces, keys) \
     SELECT gen, stamp, $1, $2, $3, $4 FROM lt_gen RETURNING gen_to, stamp_to";
/// `lt_changes` rows older than this many generations go (a node further behind forgets
/// everything it knew).
const KEEP_CHANGES: i64 = 10_000;
const PRUNE_CHANGES: &str = "DELETE FROM lt_changes WHERE gen_to < $1";
/// Keys of other nodes' batches read at most when a batch begins (more: everything is
/// forgotten).
const MAX_CHANGED_KEYS: i64 = 50_000;
/// [`GET_SEEN`] for several keys at once, in the order given.
const GET_MANY_SEEN: &str = "SELECT g.gen, g.stamp, k.value FROM lt_gen g \
     CROSS JOIN unnest($1::int2[], $2::bytea[]) WITH ORDINALITY AS u(space, key, i) \
     LEFT JOIN lt_kv k ON k.space = u.space AND k.key = u.key ORDER BY u.i";
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

/// [`page_sql`] with the state it was read in: one row at least, whose key is null when the
/// page is empty.
fn page_seen_sql(inclusive: bool, bounded: bool, values: bool) -> String {
    let page = page_sql(inclusive, bounded, true);
    let page = if values {
        page
    } else {
        page.replacen("SELECT key, value", "SELECT key, NULL::bytea AS value", 1)
    };
    format!(
        "SELECT g.gen, g.stamp, p.key, p.value FROM lt_gen g \
         LEFT JOIN LATERAL ({page}) p ON true ORDER BY p.key"
    )
}

/// The rows of [`CHANGES`] as batches, or `None` if they may be cut short.
fn changes_of(rows: &[tokio_postgres::Row]) -> Option<Vec<Change>> {
    if rows.len() as i64 >= MAX_CHANGED_KEYS {
        return None;
    }
    let mut out: Vec<Change> = Vec::new();
    for row in rows {
        let to = state_at(row, 2);
        if out.last().is_none_or(|c| c.to != to) {
            out.push(Change {
                from: state_at(row, 0),
                to,
                keys: Vec::new(),
            });
        }
        let space = u8::try_from(row.get::<_, i16>(4)).unwrap_or(u8::MAX);
        let absent: bool = row.get(6);
        let small: Option<Vec<u8>> = row.get(7);
        let now = match (absent, small) {
            (true, _) => Some(None),
            (false, Some(v)) => Some(Some(v)),
            (false, None) => None,
        };
        if let Some(c) = out.last_mut() {
            c.keys.push((space, row.get(5), now));
        }
    }
    Some(out)
}

/// The state in columns `i` (generation) and `i + 1` (stamp) of `row`.
fn state_at(row: &tokio_postgres::Row, i: usize) -> GenState {
    GenState {
        generation: row.get(i),
        stamp: row.get(i + 1),
    }
}

/// Run the page query `st` (made by [`page_sql`] for `q`) on `c`.
async fn query_page(
    c: &tokio_postgres::Client,
    st: &tokio_postgres::Statement,
    q: &PageQuery,
) -> std::result::Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
    let space = i16::from(q.space);
    let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
    match &q.to {
        Some(to) => c.query(st, &[&space, &q.from, to, &limit]).await,
        None => c.query(st, &[&space, &q.from, &limit]).await,
    }
}

/// A page's rows as (key, value), the value empty unless it was asked for.
fn page_entries(rows: Vec<tokio_postgres::Row>, values: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    rows.into_iter()
        .map(|r| {
            let k: Vec<u8> = r.get(0);
            let v: Vec<u8> = if values { r.get(1) } else { Vec::new() };
            (k, v)
        })
        .collect()
}

/// A pooled connection, with `sql` prepared on it (once per connection).
async fn pooled(
    pool: &deadpool_postgres::Pool,
    what: &str,
    sql: &str,
) -> Result<(deadpool_postgres::Object, tokio_postgres::Statement)> {
    let c = pool.get().await.map_err(pool_error)?;
    let st = c
        .prepare_cached(sql)
        .await
        .map_err(|e| db_error(what, &e))?;
    Ok((c, st))
}

impl PgEngine {
    /// The value of `key` in `space`, as committed.
    pub(crate) fn get(&self, space: u8, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let pool = self.pool();
        let key = key.to_vec();
        self.run("reading", async move {
            let (c, st) = pooled(&pool, "reading", GET).await?;
            let row = c
                .query_opt(&st, &[&i16::from(space), &key])
                .await
                .map_err(|e| db_error("reading", &e))?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })
    }

    /// Entries of a range in key order (values empty unless asked for).
    pub(crate) fn page(&self, q: &PageQuery) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let pool = self.pool();
        let q = q.clone();
        self.run("reading a range", async move {
            let sql = page_sql(q.inclusive, q.to.is_some(), q.values);
            let (c, st) = pooled(&pool, "reading a range", &sql).await?;
            let rows = query_page(&c, &st, &q)
                .await
                .map_err(|e| db_error("reading a range", &e))?;
            Ok(page_entries(rows, q.values))
        })
    }

    /// The value of `key` in `space`, as committed, and the state it was read in.
    pub(crate) fn get_seen(&self, space: u8, key: &[u8]) -> Result<(GenState, Option<Vec<u8>>)> {
        let pool = self.pool();
        let key = key.to_vec();
        self.run("reading", async move {
            let (c, st) = pooled(&pool, "reading", GET_SEEN).await?;
            let row = c
                .query_one(&st, &[&i16::from(space), &key])
                .await
                .map_err(|e| db_error("reading", &e))?;
            Ok((state_at(&row, 0), row.get::<_, Option<Vec<u8>>>(2)))
        })
    }

    /// The values of several keys (space, key) as committed, in the order given, and the
    /// state they were read in: one round trip.
    pub(crate) fn get_many_seen(
        &self,
        keys: &[(u8, Vec<u8>)],
    ) -> Result<(GenState, Vec<Option<Vec<u8>>>)> {
        let pool = self.pool();
        let spaces: Vec<i16> = keys.iter().map(|(s, _)| i16::from(*s)).collect();
        let keys: Vec<Vec<u8>> = keys.iter().map(|(_, k)| k.clone()).collect();
        self.run("reading", async move {
            let (c, st) = pooled(&pool, "reading", GET_MANY_SEEN).await?;
            let rows = c
                .query(&st, &[&spaces, &keys])
                .await
                .map_err(|e| db_error("reading", &e))?;
            let at = match rows.first() {
                Some(r) => state_at(r, 0),
                None => return Err(StoreError::Database("reading: no generation".into())),
            };
            let values = rows.iter().map(|r| r.get::<_, Option<Vec<u8>>>(2));
            Ok((at, values.collect()))
        })
    }

    /// What the node knows of `key` in `space`, and the state it knows it in (for a dry run:
    /// the state may be a batch's not yet committed, which the check under the lock finds).
    pub(crate) fn known_value(&self, space: u8, key: &[u8]) -> Option<(GenState, Option<Vec<u8>>)> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .value_at(space, key)
    }

    /// A page of a range, as committed, and the state it was read in.
    pub(crate) fn page_seen(&self, q: &PageQuery) -> Result<(GenState, Entries)> {
        let pool = self.pool();
        let q = q.clone();
        self.run("reading a range", async move {
            let sql = page_seen_sql(q.inclusive, q.to.is_some(), q.values);
            let (c, st) = pooled(&pool, "reading a range", &sql).await?;
            let rows = query_page(&c, &st, &q)
                .await
                .map_err(|e| db_error("reading a range", &e))?;
            let Some(first) = rows.first() else {
                return Err(StoreError::Database(
                    "reading a range: no row for the generation (lt_gen is empty)".into(),
                ));
            };
            let at = state_at(first, 0);
            let mut entries = Vec::with_capacity(rows.len());
            for r in &rows {
                if let Some(k) = r.get::<_, Option<Vec<u8>>>(2) {
                    let v: Option<Vec<u8>> = r.get(3);
                    entries.push((k, v.unwrap_or_default()));
                }
            }
            Ok((at, entries))
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
        let writer = match reuse {
            Some(w) if !w.client.is_closed() => w,
            _ => Writer::connect(self)?,
        };
        let mut batch = Batch {
            writer,
            timeout: self.timeout,
            known: self.known.clone(),
            found: None,
        };
        let state = batch.statement(STATE)?;
        let changes = batch.statement(CHANGES)?;
        let since = batch.known().generation();
        let c = batch.client();
        let lock = format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})");
        // One round trip: the lock, then (once it is held) the state and the other nodes'
        // batches since this node's last one.
        let (_, found, rows) = batch.block("taking the write lock", async move {
            let others = async {
                match since {
                    Some(g) => c.query(&changes, &[&g, &MAX_CHANGED_KEYS]).await,
                    None => Ok(Vec::new()),
                }
            };
            tokio::try_join!(c.batch_execute(&lock), c.query_one(&state, &[]), others)
        })?;
        let found = state_at(&found, 0);
        match changes_of(&rows) {
            Some(changes) => batch.known().begin(found, &changes),
            None => batch.known().begin(found, &[]),
        };
        batch.found = Some(found);
        Ok(batch)
    }

    /// Apply `w` in the batch's transaction and commit: returns once the commit is durable
    /// (and the lock released). On error the transaction is gone with its connection, and
    /// nothing of it was applied, unless the connection broke during the commit itself.
    pub(crate) fn commit_batch(&self, batch: Batch, w: BatchWrites) -> Result<()> {
        let known = batch.known.clone();
        let r = self.commit_batch_inner(batch, w);
        if r.is_err() {
            // The commit may or may not have happened: know nothing.
            known
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .forget();
        }
        r
    }

    fn commit_batch_inner(&self, batch: Batch, w: BatchWrites) -> Result<()> {
        let put = batch.statement(PUT)?;
        let del = batch.statement(DEL)?;
        let drop_payloads = batch.statement(DROP_PAYLOADS)?;
        let notify = batch.statement(NOTIFY)?;
        let log = batch.statement(LOG_CHANGES)?;
        let prune = batch.statement(PRUNE_CHANGES)?;
        let Some(found) = batch.found else {
            return Err(StoreError::Database(
                "committing: the batch has no state".into(),
            ));
        };
        let (spaces, keys): (Vec<i16>, Vec<Vec<u8>>) = w
            .put_spaces
            .iter()
            .zip(&w.put_keys)
            .chain(w.del_spaces.iter().zip(&w.del_keys))
            .map(|(s, k)| (*s, k.clone()))
            .unzip();
        let oldest = found.generation - KEEP_CHANGES;
        let c = batch.client();
        let w = &w;
        // One round trip: the statements are sent together and run in order.
        let after = batch.block("committing", async move {
            let put = async {
                match w.put_keys.is_empty() {
                    true => Ok(0),
                    false => {
                        c.execute(&put, &[&w.put_spaces, &w.put_keys, &w.put_values])
                            .await
                    }
                }
            };
            let del = async {
                match w.del_keys.is_empty() {
                    true => Ok(0),
                    false => c.execute(&del, &[&w.del_spaces, &w.del_keys]).await,
                }
            };
            let dropped = async {
                match w.dropped_payloads.is_empty() {
                    true => Ok(0),
                    false => c.execute(&drop_payloads, &[&w.dropped_payloads]).await,
                }
            };
            let notes = async {
                match w.notes.is_empty() {
                    true => Ok(0),
                    false => c.execute(&notify, &[&w.notes]).await,
                }
            };
            let log_args: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
                [&found.generation, &found.stamp, &spaces, &keys];
            let prune_args: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&oldest];
            let (_, _, _, _, row, _) = tokio::try_join!(
                put,
                del,
                dropped,
                notes,
                c.query_one(&log, &log_args),
                c.execute(&prune, &prune_args)
            )?;
            Ok(state_at(&row, 0))
        })?;
        // Recorded before the lock is released, so that the next batch finds it.
        batch.known().wrote(w.changes(), after);
        let c = batch.client();
        batch.block("committing", async move {
            // The commit record in the WAL, the lock released, without waiting for the
            // flush: the next batch may compute meanwhile.
            c.batch_execute("SET LOCAL synchronous_commit TO off; COMMIT")
                .await
        })?;
        // Durable before acknowledged: a write of this connection's own row, committed at
        // the server's synchronous_commit level, returns once the WAL is flushed (and
        // replicated) past it, so past the batch.
        let c = batch.client();
        let id = batch.writer.id;
        batch.block("waiting for the commit to be durable", async move {
            c.execute(
                "INSERT INTO lt_flush (writer, n) VALUES ($1, 1) \
                 ON CONFLICT (writer) DO UPDATE SET n = lt_flush.n + 1",
                &[&id],
            )
            .await
        })?;
        self.keep_writer(batch.writer);
        Ok(())
    }

    /// Close a batch that wrote nothing: the lock is released at once.
    pub(crate) fn end_batch(&self, batch: Batch) -> Result<()> {
        let c = batch.client();
        batch.block("releasing the write lock", async move {
            c.batch_execute("ROLLBACK").await
        })?;
        self.keep_writer(batch.writer);
        Ok(())
    }

    fn keep_writer(&self, writer: Writer) {
        let mut w = self
            .writers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.len() < 4 {
            w.push(writer);
        }
    }
}

/// A connection for write batches, with a single-threaded runtime of its own that the
/// thread using it drives (`block_on`): a query under the write lock costs one round trip
/// to the server and no hand-over between threads, which matters as every operation of a
/// batch reads while all the others wait.
pub(crate) struct Writer {
    /// Its row in `lt_flush`.
    id: i64,
    rt: Option<tokio::runtime::Runtime>,
    client: tokio_postgres::Client,
    /// Statements prepared on this connection, by their text.
    statements: std::sync::Mutex<std::collections::HashMap<String, tokio_postgres::Statement>>,
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Possibly on an async task: never block; the connection's socket closes, and the
        // server rolls back whatever transaction was open.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    fn connect(engine: &PgEngine) -> Result<Writer> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::io("starting a database runtime", "postgres", e))?;
        let (config, tls) = engine.connect_args();
        let timeout = engine.timeout;
        // Connected from inside this runtime: the connection's task is spawned on it.
        let client = rt.block_on(async move {
            match tokio::time::timeout(timeout, PgEngine::connect_owned(config, tls)).await {
                Ok(r) => r,
                Err(_) => Err(StoreError::Database(format!(
                    "connecting: no answer within {} ms",
                    timeout.as_millis()
                ))),
            }
        })?;
        Ok(Writer {
            id: writer_id(),
            rt: Some(rt),
            client,
            statements: std::sync::Mutex::default(),
        })
    }
}

/// A row of `lt_flush` for a new write connection: one of 1,024 at random, so that the
/// connections of every node seldom share one (sharing is correct, their flush writes then
/// wait for each other) and the table never grows past that.
fn writer_id() -> i64 {
    let mut b = [0u8; 2];
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b).is_err() {
        return 0;
    }
    i64::from(u16::from_be_bytes(b) % 1024)
}

const PUT: &str = "INSERT INTO lt_kv (space, key, value) \
     SELECT * FROM unnest($1::int2[], $2::bytea[], $3::bytea[]) \
     ON CONFLICT (space, key) DO UPDATE SET value = EXCLUDED.value";
const DEL: &str = "DELETE FROM lt_kv k USING unnest($1::int2[], $2::bytea[]) AS d(space, key) \
     WHERE k.space = d.space AND k.key = d.key";
/// Rows an accept touched lately stay for the sweep: it may be about to refer to them again.
const DROP_PAYLOADS: &str = "DELETE FROM lt_payload WHERE sha256 = ANY($1::bytea[]) \
     AND touched < now() - interval '10 minutes'";
const NOTIFY: &str = "SELECT pg_notify('lienthong', n) FROM unnest($1::text[]) AS n";

/// An open transaction holding the write lock, on its [`Writer`]. Dropped without
/// [`PgEngine::commit_batch`] or [`PgEngine::end_batch`], its connection closes and the
/// server rolls it back.
#[derive(Debug)]
pub(crate) struct Batch {
    writer: Writer,
    timeout: std::time::Duration,
    /// The node's knowledge of `lt_kv`, which this batch reads first and brings up to date.
    known: std::sync::Arc<std::sync::Mutex<Known>>,
    /// The state found when the lock was taken.
    found: Option<GenState>,
}

impl Batch {
    /// Run `f` on the batch's connection, driven by this thread, within the timeout.
    fn block<T>(
        &self,
        what: &str,
        fut: impl std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        let Some(rt) = &self.writer.rt else {
            return Err(StoreError::Database(format!("{what}: connection closed")));
        };
        match rt.block_on(async { tokio::time::timeout(self.timeout, fut).await }) {
            Ok(r) => r.map_err(|e| db_error(what, &e)),
            Err(_) => Err(StoreError::Database(format!(
                "{what}: no answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    /// The batch's connection.
    fn client(&self) -> &tokio_postgres::Client {
        &self.writer.client
    }

    /// `sql` prepared on the batch's connection (once per connection).
    fn statement(&self, sql: &str) -> Result<tokio_postgres::Statement> {
        let cached = self
            .writer
            .statements
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(sql)
            .cloned();
        if let Some(st) = cached {
            return Ok(st);
        }
        let c = self.client();
        let st = self.block("preparing", async move { c.prepare(sql).await })?;
        self.writer
            .statements
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(sql.to_owned(), st.clone());
        Ok(st)
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value of `key` in `space` as this transaction sees it: known to the node, seen by
    /// the operation before the lock and still true, or read now.
    pub(crate) fn get(
        &self,
        space: u8,
        key: &[u8],
        seen: Option<&Seen>,
    ) -> Result<Option<Vec<u8>>> {
        if let Some(v) = self.known().value(space, key) {
            return Ok(v);
        }
        if let Some((at, v)) = seen.and_then(|s| s.value(space, key))
            && self.known().still_true(space, key, at)
        {
            self.learn(space, key.to_vec(), v.clone());
            return Ok(v);
        }
        let st = self.statement(GET)?;
        let c = self.client();
        let row = self.block("reading", async move {
            c.query_opt(&st, &[&i16::from(space), &key]).await
        })?;
        let v = row.map(|r| r.get::<_, Vec<u8>>(0));
        self.learn(space, key.to_vec(), v.clone());
        Ok(v)
    }

    /// A value read in this transaction (or still true in it), for the node to know.
    pub(crate) fn learn(&self, space: u8, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.known().learn(space, key, value);
    }

    /// A page of a range, as this transaction sees it: seen by the operation before the lock
    /// and still true, or read now.
    pub(crate) fn page(&self, q: &PageQuery, seen: Option<&Seen>) -> Result<Entries> {
        if let Some((at, entries)) = seen.and_then(|s| s.page(q))
            && self.known().page_still_true(q, at)
        {
            return Ok(entries);
        }
        let st = self.statement(&page_sql(q.inclusive, q.to.is_some(), q.values))?;
        let c = self.client();
        let rows = self.block("reading a range", query_page(c, &st, q))?;
        Ok(page_entries(rows, q.values))
    }
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

    /// Every change: space, key, new value (`None`: deleted).
    fn changes(&self) -> impl Iterator<Item = (u8, Vec<u8>, Option<Vec<u8>>)> + '_ {
        let tag = |s: &i16| u8::try_from(*s).unwrap_or(u8::MAX);
        let puts = self
            .put_spaces
            .iter()
            .zip(&self.put_keys)
            .zip(&self.put_values);
        let dels = self.del_spaces.iter().zip(&self.del_keys);
        puts.map(move |((s, k), v)| (tag(s), k.clone(), Some(v.clone())))
            .chain(dels.map(move |(s, k)| (tag(s), k.clone(), None)))
    }
}

/// Reads one page of a range.
pub(crate) type Fetch<'a> = Box<dyn FnMut(&PageQuery) -> Result<Vec<(Vec<u8>, Vec<u8>)>> + 'a>;

/// The entries of a range, read page after page, each after the last key seen, the pages
/// growing from 16 to 1,024 entries: a short scan reads little, a long one holds no
/// connection between pages.
pub(crate) struct Pages<'a> {
    /// The next page to read (`values` may be switched off before the first).
    pub(crate) query: PageQuery,
    fetch: Fetch<'a>,
    buffer: std::collections::VecDeque<(Vec<u8>, Vec<u8>)>,
    done: bool,
}

impl<'a> Pages<'a> {
    /// Keys of `space` in `from..to` (`None`: to the end of the space), with their values
    /// if `values`, each page read by `fetch`.
    pub(crate) fn new(
        space: u8,
        from: &[u8],
        to: Option<&[u8]>,
        values: bool,
        fetch: Fetch<'a>,
    ) -> Pages<'a> {
        Pages {
            query: PageQuery {
                space,
                from: from.to_vec(),
                inclusive: true,
                to: to.map(<[u8]>::to_vec),
                limit: 16,
                values,
            },
            fetch,
            buffer: std::collections::VecDeque::new(),
            done: false,
        }
    }

    /// The same range through a batch's transaction, using what the operation saw before.
    pub(crate) fn in_batch(
        batch: &'a Batch,
        seen: Option<&'a Seen>,
        space: u8,
        from: &[u8],
        to: Option<&[u8]>,
        values: bool,
    ) -> Pages<'a> {
        Pages::new(
            space,
            from,
            to,
            values,
            Box::new(move |q| batch.page(q, seen)),
        )
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() && !self.done {
            let asked = self.query.limit;
            let page = match (self.fetch)(&self.query) {
                Ok(p) => p,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            self.done = page.len() < asked;
            if let Some((last, _)) = page.last() {
                self.query.from = last.clone();
                self.query.inclusive = false;
            }
            self.query.limit = (asked * 4).min(1024);
            self.buffer.extend(page);
        }
        self.buffer.pop_front().map(Ok)
    }
}
