//! The [`Store`]'s logic over ordered key spaces, on either engine: sled and the payload log
//! on the local disk, or PostgreSQL (`crate::pg`). The crate documentation describes the
//! format, which is the same on both.
//!
//! | module | job |
//! |---|---|
//! | this one | the store handle, transactions, and commit (group commit, the backup tap, the PostgreSQL batch) |
//! | [`keys`] | the key schema: the only place that knows key bytes |
//! | [`codec`] | record values |
//! | [`records`] | stored records and the helpers that keep their indexes in step |
//! | [`open`] | open, crash recovery, upgrade |
//! | [`accept`] | accepting a message and its dispatch plan |
//! | [`queues`] | the forwarding queues |
//! | [`inbox`] | the agencies' inboxes |
//! | [`actions`] | operator actions |
//! | [`read`] | lookups |
//! | [`upkeep`] | retention and the sweep |
//! | [`compliance`] | the facts of documents for the reports, their counts and open obligations |
//! | [`check`] | the consistency check |
//! | [`backup`] | the online backup |
//! | [`copy`] | copying a whole store into an empty one (engine to engine, the PostgreSQL backup) |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::commit::GroupCommit;
use crate::config::StoreConfig;
use crate::error::{Result, StoreError};
use crate::payloads::Payloads;
use crate::pg::Engine;
use crate::pg::known::Seen;
use crate::pg::kv::{Batch, BatchWrites, Pages};
use crate::space::Space;

use keys::{N_TREES, T, prefix_end};

mod accept;
mod actions;
mod backup;
mod check;
mod codec;
mod compliance;
mod copy;
mod inbox;
mod keys;
mod open;
mod queues;
mod read;
mod records;
mod upkeep;

/// A durable [`Store`]: on sled and the payload log ([`KvStore::open_at`]), or on PostgreSQL
/// ([`KvStore::open_postgres`]). See the crate documentation for the format.
#[derive(Debug)]
pub struct KvStore {
    /// The data folder (sled), or the database's address without credentials (PostgreSQL).
    dir: PathBuf,
    config: StoreConfig,
    meta: Meta,
    trees: Vec<Space>,
    blobs: Payloads,
    /// Serialises all metadata writes and guards the write sets not yet applied to sled.
    shared: Mutex<Shared>,
    commit: GroupCommit,
    /// Held by whatever punches holes in or deletes payload segments (purge, sweep) and by an
    /// online backup, which copies the segments and must not see them change under it.
    maintenance: Mutex<()>,
    /// Per hop: urgent entries leased in a row while ordinary ones waited (see `pick_due`).
    urgent_streaks: Mutex<std::collections::HashMap<String, u32>>,
}

impl Drop for KvStore {
    /// Closing makes durable what was applied without waiting for a flush (leases), so that a
    /// clean stop loses nothing and sled has nothing left to write when its handles go.
    fn drop(&mut self) {
        if let Err(e) = self.barrier() {
            tracing::warn!(error = %e, "store: last flush at close failed");
        }
    }
}

/// Where the key spaces are kept.
#[derive(Debug)]
enum Meta {
    Sled {
        db: sled::Db,
        /// sled's log file, for fsync (see `open_at`).
        db_file: std::fs::File,
    },
    Pg(Engine),
}

/// Write sets per tree: key → new value (`None` = delete).
type WriteSet = Vec<BTreeMap<Vec<u8>, Option<Vec<u8>>>>;

fn empty_write_set() -> WriteSet {
    vec![BTreeMap::new(); N_TREES]
}

/// State behind the write lock.
#[derive(Debug)]
struct Shared {
    /// Writes of operations that have completed their logic but are not yet applied to sled.
    /// The group-commit leader applies them all as one sled batch, then flushes.
    pending: WriteSet,
    /// Set when applying or flushing failed: the in-memory view may be ahead of sled, so every
    /// further write is refused until the store is reopened.
    poisoned: Option<String>,
    /// While an online backup copies sled: every write applied since it began, full keys in
    /// the order applied (`None` = removed), to be replayed onto the copy (see `backup`).
    tap: Option<Tap>,
    /// PostgreSQL: the open transaction holding the gateway-wide write lock, which the
    /// pending writes were computed under (see `crate::pg`). Its reads go through what the
    /// node knows (`crate::pg::known`).
    batch: Option<Batch>,
}

/// Keys read at most in one [`Tx::prefetch_keys`].
const MAX_PREFETCH: usize = 256;

/// Entries (key, value) of a range, read from the engine.
type EntryIter<'a> = Box<dyn Iterator<Item = Result<(Vec<u8>, Vec<u8>)>> + 'a>;

/// One write recorded for a backup: the full sled key and its new value (`None`: removed).
type TappedWrite = (Vec<u8>, Option<Vec<u8>>);

/// The writes recorded while a backup copies sled, bounded: past `max_bytes`
/// ([`StoreConfig::backup_max_replay_bytes`]) the recording stops and the backup fails at
/// its cut (rather than take the memory of a small machine); it can be tried again at a
/// quieter time.
#[derive(Debug, Default)]
struct Tap {
    writes: Vec<TappedWrite>,
    bytes: usize,
    max_bytes: usize,
    overflowed: bool,
}

impl Tap {
    fn record(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        if self.overflowed {
            return;
        }
        self.bytes += key.len() + value.as_ref().map_or(0, Vec::len) + 64;
        if self.bytes > self.max_bytes {
            self.overflowed = true;
            self.writes = Vec::new();
            return;
        }
        self.writes.push((key, value));
    }
}

/// [`apply`] under the write lock, also recording the writes for a backup in progress.
fn apply_locked(trees: &[Space], g: &mut Shared, writes: &WriteSet) -> Result<()> {
    apply(trees, writes)?;
    if let Some(tap) = g.tap.as_mut().filter(|t| !t.overflowed) {
        for (space, w) in trees.iter().zip(writes) {
            for (k, v) in w {
                tap.record(space.key(k), v.clone());
            }
        }
    }
    Ok(())
}

/// A group commit's writes as PostgreSQL rows, with the notifications they imply: a new
/// inbox entry wakes its agency's long polls, a ready queue entry its hop's forwarders, on
/// every node.
fn pg_writes(writes: WriteSet) -> BatchWrites {
    use crate::pg::listen::{StoreChange, note};
    let mut w = BatchWrites::default();
    let mut notes = std::collections::BTreeSet::new();
    for (i, set) in writes.into_iter().enumerate() {
        let tag = i16::try_from(i).unwrap_or(i16::MAX);
        for (k, v) in set {
            let change = match (i, &v) {
                (i, Some(_)) if i == T::Inbox as usize => {
                    keys::leading_name(&k).map(|a| StoreChange::Delivered(a.to_owned()))
                }
                (i, Some(_)) if i == T::Ready as usize => {
                    keys::leading_name(&k).map(|h| StoreChange::Queued(h.to_owned()))
                }
                _ => None,
            };
            if let Some(n) = change.as_ref().and_then(note) {
                notes.insert(n);
            }
            match v {
                Some(v) => {
                    w.put_spaces.push(tag);
                    w.put_keys.push(k);
                    w.put_values.push(v);
                }
                None => {
                    if i == T::Payloads as usize {
                        w.dropped_payloads.push(k.clone());
                    }
                    w.del_spaces.push(tag);
                    w.del_keys.push(k);
                }
            }
        }
    }
    w.notes = notes.into_iter().collect();
    w
}

/// The writes of one operation, read through the batches not yet applied and sled.
struct Tx<'a> {
    trees: &'a [Space],
    /// Writes of earlier operations not yet applied to sled.
    pending: Option<&'a WriteSet>,
    /// PostgreSQL, under the write lock: the batch, whose connection the reads go through
    /// when neither the node nor `hints` has the value.
    batch: Option<&'a Batch>,
    /// PostgreSQL, under the write lock: what this operation read before taking it (see
    /// [`KvStore::write_prepared`]), each value used only while still true.
    hints: Option<&'a Seen>,
    /// PostgreSQL, reading without the lock: what this operation read, each value and page
    /// with the state it was read in (read once per operation, as sled's reads are cheap
    /// and the database's are not).
    seen: Option<std::cell::RefCell<Seen>>,
    /// PostgreSQL, a dry run of [`KvStore::write_prepared`]: values the node knows serve it
    /// too (its results are thrown away; only what it saw is kept, and checked again).
    dry_run: bool,
    /// The facts of documents this transaction wrote, as written (read back by later steps
    /// of the same operation without asking the engine).
    facts: std::collections::HashMap<crate::types::MessageId, lienthong_compliance::DocFacts>,
    writes: WriteSet,
    /// Wait for durability even without writes (the caller saw data that may not be flushed yet).
    barrier: bool,
}

/// Apply `writes` to sled as one batch of the shared tree, which sled recovers atomically.
fn apply(trees: &[Space], writes: &WriteSet) -> Result<()> {
    if writes.iter().all(BTreeMap::is_empty) {
        return Ok(());
    }
    let mut batch = sled::Batch::default();
    for (space, w) in trees.iter().zip(writes) {
        for (k, val) in w {
            match val {
                Some(val) => batch.insert(space.key(k), val.as_slice()),
                None => batch.remove(space.key(k)),
            }
        }
    }
    match trees.first().and_then(Space::tree) {
        Some(tree) => Ok(tree.apply_batch(batch)?),
        None => Ok(()),
    }
}

impl<'a> Tx<'a> {
    /// A transaction seeing sled plus the writes of earlier operations not yet applied
    /// (on PostgreSQL, in the batch holding the write lock, using `hints` while still true).
    fn new(trees: &'a [Space], shared: &'a Shared, hints: Option<&'a Seen>) -> Tx<'a> {
        Tx {
            trees,
            pending: Some(&shared.pending),
            batch: shared.batch.as_ref(),
            hints,
            seen: None,
            dry_run: false,
            facts: std::collections::HashMap::new(),
            writes: empty_write_set(),
            barrier: false,
        }
    }

    /// A read-only view of what is applied to sled (committed, on PostgreSQL).
    fn reader(trees: &'a [Space]) -> Tx<'a> {
        Tx {
            trees,
            pending: None,
            batch: None,
            hints: None,
            seen: matches!(trees.first(), Some(Space::Pg { .. })).then(std::cell::RefCell::default),
            dry_run: false,
            facts: std::collections::HashMap::new(),
            writes: empty_write_set(),
            barrier: false,
        }
    }

    fn get(&self, t: T, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(v) = self.writes[t as usize].get(key) {
            return Ok(v.clone());
        }
        if let Some(v) = self.pending.and_then(|p| p[t as usize].get(key)) {
            return Ok(v.clone());
        }
        if let Some(b) = self.batch {
            return b.get(t as u8, key, self.hints);
        }
        match (&self.seen, &self.trees[t as usize]) {
            (Some(seen), Space::Pg { engine, tag }) => {
                if let Some((_, v)) = seen.borrow().value(*tag, key) {
                    return Ok(v);
                }
                let known = self
                    .dry_run
                    .then(|| engine.known_value(*tag, key))
                    .flatten();
                let (at, v) = match known {
                    Some(k) => k,
                    None => engine.get_seen(*tag, key)?,
                };
                seen.borrow_mut().put_value(*tag, key, at, v.clone());
                Ok(v)
            }
            (_, space) => Ok(space.get(key)?.map(|v| v.to_vec())),
        }
    }

    /// The entries of `t` in `start..end` in the engine, keys only unless `values`.
    fn base_range(&self, t: T, start: &[u8], end: Option<&[u8]>, values: bool) -> EntryIter<'_> {
        if let Some(b) = self.batch {
            return Box::new(Pages::in_batch(b, self.hints, t as u8, start, end, values));
        }
        match (&self.seen, &self.trees[t as usize]) {
            (Some(seen), Space::Pg { engine, tag }) => Box::new(Pages::new(
                *tag,
                start,
                end,
                values,
                Box::new(move |q| {
                    if let Some((_, entries)) = seen.borrow().page(q) {
                        return Ok(entries);
                    }
                    let (at, entries) = engine.page_seen(q)?;
                    let mut s = seen.borrow_mut();
                    if q.values {
                        for (k, v) in &entries {
                            s.put_value(q.space, k, at, Some(v.clone()));
                        }
                    }
                    s.put_page(q, at, entries.clone());
                    Ok(entries)
                }),
            )),
            (_, _) if values => Box::new(
                self.trees[t as usize]
                    .range(start, end)
                    .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec()))),
            ),
            (_, _) => Box::new(
                self.trees[t as usize]
                    .range(start, end)
                    .keys()
                    .map(|r| r.map(|k| (k.to_vec(), Vec::new()))),
            ),
        }
    }

    /// PostgreSQL, reading without the lock: read the keys not read yet in one round trip
    /// (at most [`MAX_PREFETCH`] of them), so that the caller's reads of them come from
    /// memory (on sled, or under the lock, nothing to do).
    fn prefetch_keys(&self, keys: &[(T, Vec<u8>)]) -> Result<()> {
        let (Some(seen), Some(Space::Pg { engine, .. })) = (&self.seen, self.trees.first()) else {
            return Ok(());
        };
        let wanted: Vec<(u8, Vec<u8>)> = {
            let s = seen.borrow();
            keys.iter()
                .filter(|(t, k)| s.value(*t as u8, k).is_none())
                .take(MAX_PREFETCH)
                .map(|(t, k)| (*t as u8, k.clone()))
                .collect()
        };
        if wanted.is_empty() {
            return Ok(());
        }
        let (at, values) = engine.get_many_seen(&wanted)?;
        let mut s = seen.borrow_mut();
        for ((space, key), v) in wanted.iter().zip(values) {
            s.put_value(*space, key, at, v);
        }
        Ok(())
    }

    /// PostgreSQL: read every entry of `t` starting with `prefix` in a few pages, so that
    /// the caller's reads of them one by one come from memory (on sled, nothing to do).
    fn prefetch(&self, t: T, prefix: &[u8]) -> Result<()> {
        if self.batch.is_none() && self.seen.is_none() {
            return Ok(());
        }
        for item in self.base_range(t, prefix, prefix_end(prefix).as_deref(), true) {
            let (k, v) = item?;
            if let Some(b) = self.batch {
                b.learn(t as u8, k, Some(v));
            }
        }
        Ok(())
    }

    fn put(&mut self, t: T, key: Vec<u8>, value: Vec<u8>) {
        self.writes[t as usize].insert(key, Some(value));
    }

    fn del(&mut self, t: T, key: Vec<u8>) {
        self.writes[t as usize].insert(key, None);
    }

    /// Keys of tree `t` in `start..end` (`end` = None: unbounded), in order, at most `limit`,
    /// as this transaction sees them (sled merged with the pending and own writes).
    fn keys_in(
        &self,
        t: T,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>> {
        use std::ops::Bound;
        let bounds = (
            Bound::Included(start.to_vec()),
            end.map_or(Bound::Unbounded, |e| Bound::Excluded(e.to_vec())),
        );
        let mut overlay: BTreeMap<Vec<u8>, bool> = BTreeMap::new();
        if let Some(p) = self.pending {
            for (k, v) in p[t as usize].range(bounds.clone()) {
                overlay.insert(k.clone(), v.is_some());
            }
        }
        for (k, v) in self.writes[t as usize].range(bounds) {
            overlay.insert(k.clone(), v.is_some());
        }
        let mut tree_keys = self.base_range(t, start, end, false);
        let mut next_tree = || -> Result<Option<Vec<u8>>> {
            Ok(match tree_keys.next() {
                Some(k) => Some(k?.0),
                None => None,
            })
        };
        let mut over = overlay.into_iter();
        let mut a = next_tree()?;
        let mut b = over.next();
        let mut out = Vec::new();
        while out.len() < limit {
            match (a.take(), b.take()) {
                (None, None) => break,
                (Some(k), None) => {
                    out.push(k);
                    a = next_tree()?;
                }
                (None, Some((k, present))) => {
                    if present {
                        out.push(k);
                    }
                    b = over.next();
                }
                (Some(ka), Some((kb, present))) => {
                    if kb <= ka {
                        if present {
                            out.push(kb.clone());
                        }
                        a = if kb == ka { next_tree()? } else { Some(ka) };
                        b = over.next();
                    } else {
                        out.push(ka);
                        a = next_tree()?;
                        b = Some((kb, present));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Keys of tree `t` starting with `prefix`.
    fn keys_with_prefix(&self, t: T, prefix: &[u8], limit: usize) -> Result<Vec<Vec<u8>>> {
        self.keys_in(t, prefix, prefix_end(prefix).as_deref(), limit)
    }

    // ---- typed helpers ----
}

impl KvStore {
    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The configuration in use.
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// How many group-commit flushes have run since open (for metrics).
    pub fn flush_count(&self) -> u64 {
        self.commit.flush_count()
    }

    /// Approximate size of the sled files in bytes (0 on PostgreSQL).
    pub fn metadata_size_on_disk(&self) -> Result<u64> {
        match &self.meta {
            Meta::Sled { db, .. } => Ok(db.size_on_disk()?),
            Meta::Pg(_) => Ok(0),
        }
    }

    /// The PostgreSQL engine, if the store is on one.
    pub(crate) fn pg(&self) -> Option<&Engine> {
        match &self.meta {
            Meta::Pg(e) => Some(e),
            Meta::Sled { .. } => None,
        }
    }

    fn tree(&self, t: T) -> &Space {
        &self.trees[t as usize]
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding the lock cannot leave `pending` half-merged: an operation's writes
        // are merged in one step after its logic succeeded.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn poison(&self, e: &StoreError) {
        tracing::error!(error = %e, "store write failed; refusing further writes until reopened");
        self.lock().poisoned = Some(e.to_string());
    }

    /// The group-commit leader's work: apply every pending write set to sled as one batch,
    /// then flush and fsync sled (or commit the PostgreSQL batch). Returns the last ticket
    /// covered.
    fn apply_and_flush(&self) -> std::result::Result<u64, (Option<u64>, StoreError)> {
        let (db, db_file) = match &self.meta {
            Meta::Sled { db, db_file } => (db, db_file),
            Meta::Pg(engine) => return self.commit_pg(engine),
        };
        self.apply_and_flush_sled(db, db_file)
            .map_err(|e| (None, e))
    }

    /// [`Self::apply_and_flush`] on PostgreSQL: take the pending writes and the batch they
    /// were computed in (a new batch may open meanwhile, and waits for this one's lock),
    /// then write and commit them. A failure fails exactly the tickets taken; the store
    /// stays usable (the next batch starts from what is committed).
    fn commit_pg(&self, engine: &Engine) -> std::result::Result<u64, (Option<u64>, StoreError)> {
        let (writes, batch, target) = {
            let mut g = self.lock();
            let writes = std::mem::replace(&mut g.pending, empty_write_set());
            (writes, g.batch.take(), self.commit.issued())
        };
        let Some(batch) = batch else {
            return Ok(target);
        };
        let w = pg_writes(writes);
        let r = if w.is_empty() {
            engine.end_batch(batch)
        } else {
            engine.commit_batch(batch, w)
        };
        r.map(|()| target).map_err(|e| (Some(target), e))
    }

    fn apply_and_flush_sled(&self, db: &sled::Db, db_file: &std::fs::File) -> Result<u64> {
        let target = {
            let mut g = self.lock();
            if let Some(p) = &g.poisoned {
                return Err(StoreError::Flush(format!(
                    "store unusable after an earlier failure: {p}"
                )));
            }
            let batch = std::mem::replace(&mut g.pending, empty_write_set());
            // Tickets are issued under this lock after their writes joined `pending`.
            let target = self.commit.issued();
            // Every payload these records refer to was durable before its writer joined the
            // batch (`PayloadLog::append` returns after its fdatasync).
            if let Err(e) = apply_locked(&self.trees, &mut g, &batch) {
                g.poisoned = Some(e.to_string());
                return Err(e);
            }
            target
        };
        let flushed = db.flush().map_err(StoreError::from).and_then(|_| {
            db_file
                .sync_data()
                .map_err(|e| StoreError::io("syncing", self.dir.join("meta").join("db"), e))
        });
        if let Err(e) = flushed {
            self.poison(&e);
            return Err(e);
        }
        Ok(target)
    }

    /// Wait until everything done so far is durable.
    fn barrier(&self) -> Result<()> {
        let t = self.commit.ticket();
        self.commit.wait_exact(t, || self.apply_and_flush())
    }

    /// PostgreSQL: make sure the pending writes have a batch holding the write lock, before
    /// an operation computes against them (waits for another node's batch).
    fn hold_write_lock(&self, g: &mut Shared) -> Result<()> {
        if let (Meta::Pg(engine), None) = (&self.meta, &g.batch) {
            g.batch = Some(engine.begin_batch()?);
        }
        Ok(())
    }

    /// PostgreSQL: a batch with nothing pending and nobody to commit it releases the lock
    /// now (an operation that wrote nothing, or was refused, must not keep other nodes
    /// waiting).
    fn release_idle_batch(&self, g: &mut Shared) {
        if let Meta::Pg(engine) = &self.meta
            && g.pending.iter().all(BTreeMap::is_empty)
            && let Some(b) = g.batch.take()
            && let Err(e) = engine.end_batch(b)
        {
            tracing::warn!(error = %e, "store: releasing the write lock failed (the connection is closed, which releases it)");
        }
    }

    /// Run `f` under the write lock against sled plus the pending writes; add its writes to the
    /// pending batch; then wait (without the lock) for the group commit that applies and flushes
    /// them. An `Err` from `f` discards its writes.
    fn write<R>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        self.write_with(None, f)
    }

    /// [`Self::write`] for logic that may run twice: on PostgreSQL it first runs on `pre` (a
    /// [`Tx::reader`], which may have read already), without the lock, its writes thrown
    /// away and its refusals found again under the lock. What it read there, with the state
    /// each was read in, serves the run under the lock while still true, so that the other
    /// operations do not wait for those reads (see `crate::pg::known`).
    fn write_prepared<R>(
        &self,
        mut pre: Tx<'_>,
        f: impl Fn(&mut Tx<'_>) -> Result<R>,
    ) -> Result<R> {
        if pre.seen.is_none() {
            return self.write(f);
        }
        pre.dry_run = true;
        if let Err(e @ StoreError::Database(_)) = f(&mut pre) {
            return Err(e);
        }
        let seen = pre.seen.take().map(std::cell::RefCell::into_inner);
        self.write_with(seen.as_ref(), f)
    }

    fn write_with<R>(
        &self,
        hints: Option<&Seen>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<R>,
    ) -> Result<R> {
        let mut g = self.lock();
        if let Some(p) = &g.poisoned {
            return Err(StoreError::Flush(format!(
                "store unusable after an earlier failure: {p}"
            )));
        }
        self.hold_write_lock(&mut g)?;
        let mut tx = Tx::new(&self.trees, &g, hints);
        let out = match f(&mut tx) {
            Ok(out) => out,
            Err(e) => {
                drop(tx);
                self.release_idle_batch(&mut g);
                return Err(e);
            }
        };
        let Tx {
            writes, barrier, ..
        } = tx;
        let wrote = writes.iter().any(|m| !m.is_empty());
        for (pending, own) in g.pending.iter_mut().zip(writes) {
            pending.extend(own);
        }
        if !wrote {
            self.release_idle_batch(&mut g);
        }
        let ticket = self.commit.ticket();
        drop(g);
        if wrote || barrier {
            self.commit.wait_exact(ticket, || self.apply_and_flush())?;
        }
        Ok(out)
    }

    /// Like [`Self::write`], but the writes are applied to sled at once and become durable with
    /// the next group commit instead of waiting for one: for state that a crash may lose without
    /// harm. A lease is such state: forgotten, its entry is simply due again after the restart
    /// (what recovery makes of a remembered lease too), its attempt goes uncounted, and the
    /// next hop deduplicates the resend by message id. sled recovers a prefix of what was
    /// applied, so a later durable write (the lease's ack) makes it durable too, and on disk
    /// the records stay consistent.
    fn write_unsynced<R>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        if let Meta::Pg(_) = self.meta {
            // Other nodes read the database, not this node's memory: commit it.
            return self.write(f);
        }
        let mut g = self.lock_applied()?;
        if let Some(p) = &g.poisoned {
            return Err(StoreError::Flush(format!(
                "store unusable after an earlier failure: {p}"
            )));
        }
        let mut tx = Tx::new(&self.trees, &g, None);
        let out = f(&mut tx)?;
        let Tx { writes, .. } = tx;
        if let Err(e) = apply_locked(&self.trees, &mut g, &writes) {
            g.poisoned = Some(e.to_string());
            return Err(e);
        }
        Ok(out)
    }

    /// Run `f` with every write of every node held off and everything before it committed
    /// (sled: applied, flushed by the next group commit), for maintenance that reads the
    /// key spaces directly.
    fn with_writes_held<R>(&self, f: impl FnOnce() -> Result<R>) -> Result<R> {
        if let Meta::Sled { .. } = self.meta {
            let _g = self.lock_applied()?;
            return f();
        }
        let mut g = loop {
            self.barrier()?;
            let g = self.lock();
            if g.pending.iter().all(BTreeMap::is_empty) {
                break g;
            }
        };
        self.hold_write_lock(&mut g)?;
        let out = f();
        self.release_idle_batch(&mut g);
        out
    }

    /// Lock with everything pending applied to sled (not yet flushed; the tickets waiting for it
    /// are covered by the next flush), for maintenance that reads sled directly.
    fn lock_applied(&self) -> Result<MutexGuard<'_, Shared>> {
        let mut g = self.lock();
        let batch = std::mem::replace(&mut g.pending, empty_write_set());
        apply_locked(&self.trees, &mut g, &batch)
            .inspect_err(|e| g.poisoned = Some(e.to_string()))?;
        Ok(g)
    }
}
