//! The sled-backed [`Store`]. The crate documentation describes the on-disk format.
//!
//! | module | job |
//! |---|---|
//! | this one | the store handle, transactions, and commit (group commit, the backup tap) |
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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::blob::PayloadLog;
use crate::commit::GroupCommit;
use crate::config::StoreConfig;
use crate::error::{Result, StoreError};
use crate::space::Space;

use keys::{N_TREES, T, prefix_end};

mod accept;
mod actions;
mod backup;
mod check;
mod codec;
mod compliance;
mod inbox;
mod keys;
mod open;
mod queues;
mod read;
mod records;
mod upkeep;

/// A durable [`Store`] on sled and the payload log. See the crate documentation for the format.
#[derive(Debug)]
pub struct SledStore {
    dir: PathBuf,
    config: StoreConfig,
    db: sled::Db,
    /// sled's log file, for fsync (see `open_at`).
    db_file: std::fs::File,
    trees: Vec<Space>,
    blobs: PayloadLog,
    /// Serialises all metadata writes and guards the write sets not yet applied to sled.
    shared: Mutex<Shared>,
    commit: GroupCommit,
    /// Held by whatever punches holes in or deletes payload segments (purge, sweep) and by an
    /// online backup, which copies the segments and must not see them change under it.
    maintenance: Mutex<()>,
    /// Per hop: urgent entries leased in a row while ordinary ones waited (see `pick_due`).
    urgent_streaks: Mutex<std::collections::HashMap<String, u32>>,
}

impl Drop for SledStore {
    /// Closing makes durable what was applied without waiting for a flush (leases), so that a
    /// clean stop loses nothing and sled has nothing left to write when its handles go.
    fn drop(&mut self) {
        if let Err(e) = self.barrier() {
            tracing::warn!(error = %e, "store: last flush at close failed");
        }
    }
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
}

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

/// The writes of one operation, read through the batches not yet applied and sled.
struct Tx<'a> {
    trees: &'a [Space],
    /// Writes of earlier operations not yet applied to sled.
    pending: Option<&'a WriteSet>,
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
    match trees.first() {
        Some(space) => Ok(space.tree().apply_batch(batch)?),
        None => Ok(()),
    }
}

impl<'a> Tx<'a> {
    /// A transaction seeing sled plus the writes of earlier operations not yet applied.
    fn new(trees: &'a [Space], shared: &'a Shared) -> Tx<'a> {
        Tx {
            trees,
            pending: Some(&shared.pending),
            writes: empty_write_set(),
            barrier: false,
        }
    }

    /// A read-only view of what is applied to sled.
    fn reader(trees: &'a [Space]) -> Tx<'a> {
        Tx {
            trees,
            pending: None,
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
        Ok(self.trees[t as usize].get(key)?.map(|v| v.to_vec()))
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
        let mut tree_keys = self.trees[t as usize].range(start, end).keys();
        let mut next_tree = || -> Result<Option<Vec<u8>>> {
            Ok(match tree_keys.next() {
                Some(k) => Some(k?.to_vec()),
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

impl SledStore {
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

    /// Approximate size of the sled files in bytes.
    pub fn metadata_size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
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
    /// then flush and fsync sled. Returns the last ticket covered.
    fn apply_and_flush(&self) -> Result<u64> {
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
        let flushed = self.db.flush().map_err(StoreError::from).and_then(|_| {
            self.db_file
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
        self.commit.wait(t, || self.apply_and_flush())
    }

    /// Run `f` under the write lock against sled plus the pending writes; add its writes to the
    /// pending batch; then wait (without the lock) for the group commit that applies and flushes
    /// them. An `Err` from `f` discards its writes.
    fn write<R>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        let mut g = self.lock();
        if let Some(p) = &g.poisoned {
            return Err(StoreError::Flush(format!(
                "store unusable after an earlier failure: {p}"
            )));
        }
        let mut tx = Tx::new(&self.trees, &g);
        let out = f(&mut tx)?;
        let Tx {
            writes, barrier, ..
        } = tx;
        let wrote = writes.iter().any(|m| !m.is_empty());
        for (pending, own) in g.pending.iter_mut().zip(writes) {
            pending.extend(own);
        }
        let ticket = self.commit.ticket();
        drop(g);
        if wrote || barrier {
            self.commit.wait(ticket, || self.apply_and_flush())?;
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
        let mut g = self.lock_applied()?;
        if let Some(p) = &g.poisoned {
            return Err(StoreError::Flush(format!(
                "store unusable after an earlier failure: {p}"
            )));
        }
        let mut tx = Tx::new(&self.trees, &g);
        let out = f(&mut tx)?;
        let Tx { writes, .. } = tx;
        if let Err(e) = apply_locked(&self.trees, &mut g, &writes) {
            g.poisoned = Some(e.to_string());
            return Err(e);
        }
        Ok(out)
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
