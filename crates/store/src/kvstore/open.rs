//! Opening a store: the sled lock, the format check and upgrade, leases restored after a
//! crash, and the payload check on open.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::blob::{Loc, PayloadLog};
use crate::commit::GroupCommit;
use crate::config::{StoreConfig, VerifyLevel};
use crate::error::{Result, StoreError};
use crate::payloads::Payloads;
use crate::pg::{PgEngine, PgOptions, schema};
use crate::space::Space;
use crate::types::{Sha256, Timestamp};

use super::codec::*;
use super::keys::*;
use super::records::*;
use super::{KvStore, Meta, Shared, Tx, apply, empty_write_set};

/// The store layout version in the `meta` space's `format` key (1: one file per payload under
/// `blobs/` and one sled tree per logical tree; 2: the payload log, still one sled tree per
/// logical tree; 3: the payload log and key spaces of the one sled tree `store`; 4: format 3
/// plus the per-agency activity counters and the `inbox_open` index, which opening a format-3
/// store builds in place). Record values carry their own version byte ([`FORMAT_VERSION`]).
pub(super) const STORE_FORMAT: u8 = 4;

/// The format opening upgrades in place to [`STORE_FORMAT`].
pub(super) const UPGRADABLE_FORMAT: u8 = 3;

/// The sled tree that held the format marker in formats 1 and 2.
pub(super) const OLD_META_TREE: &[u8] = b"meta";

/// How long opening waits for sled's file lock to be released by a handle just closed.
pub(super) const SLED_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Wait (at most `within`) until nobody holds sled's exclusive lock on its log file `db`.
///
/// sled takes the lock with `flock` at open, and a closed `Db` releases it only when its
/// background IO threads have let go of it, a few milliseconds after the last handle was
/// dropped; an open in that window fails with "could not acquire lock" (sled's own tests
/// block on the lock for that reason). This waits for the release, so that closing and
/// reopening a store in one process (tests, an in-process restart) is reliable. A lock held
/// by another process (a second gateway on the same folder) is still reported by sled's open
/// once the wait is over.
pub(super) fn wait_for_sled_lock(db_file: &Path, within: std::time::Duration) {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{FlockOperation, flock};
        let Ok(f) = std::fs::File::open(db_file) else {
            return; // a new store: nothing to wait for
        };
        let deadline = std::time::Instant::now() + within;
        while flock(&f, FlockOperation::NonBlockingLockExclusive).is_err() {
            if std::time::Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        // Closing `f` releases the probe's lock; sled takes its own next.
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (db_file, within);
}

impl KvStore {
    /// Open (or create) the store in `dir`; `now` timestamps recovery events.
    ///
    /// Recovery: leases that were in flight become ready again (due as before); temporary blob
    /// files are removed; then the blobs are checked per [`StoreConfig::verify_on_open`] and the
    /// open **fails** with [`StoreError::Corrupt`] if any referenced payload is missing or damaged.
    pub fn open_at(dir: impl AsRef<Path>, config: StoreConfig, now: Timestamp) -> Result<KvStore> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io("creating", &dir, e))?;
        wait_for_sled_lock(&dir.join("meta").join("db"), SLED_LOCK_WAIT);
        let db = sled::Config::new()
            .path(dir.join("meta"))
            .cache_capacity(config.cache_capacity_bytes)
            // Durability comes from our group commit only; sled's background flusher would take
            // the same lock as our batches and add latency.
            .flush_every_ms(None)
            .segment_size(SEGMENT_SIZE)
            .open()?;
        // sled makes its log "stable" with sync_file_range(2), which neither commits the file's
        // metadata (its size) nor flushes the device cache. We fsync its log file ourselves after
        // every flush, through our own descriptor (fsync acts on the file, not the descriptor).
        let meta_dir = dir.join("meta");
        let db_path = meta_dir.join("db");
        let db_file =
            std::fs::File::open(&db_path).map_err(|e| StoreError::io("opening", &db_path, e))?;
        for d in [&meta_dir, &dir] {
            std::fs::File::open(d)
                .and_then(|f| f.sync_all())
                .map_err(|e| StoreError::io("syncing directory", d, e))?;
        }
        let shared_tree = db.open_tree("store")?;
        let trees: Vec<Space> = (0..N_TREES)
            .map(|i| Space::new(shared_tree.clone(), i as u8))
            .collect();
        let blobs = Payloads::Log(Box::new(PayloadLog::open(&dir, config.segment_bytes)?));
        let store = KvStore::new(dir, config, Meta::Sled { db, db_file }, trees, blobs);
        store.check_format()?;
        store.remove_dead_segments()?;
        let restored = store.restore_leases(now)?;
        if restored > 0 {
            tracing::info!(restored, "in-flight leases restored to ready");
        }
        store.verify_blobs_on_open()?;
        Ok(store)
    }

    fn new(
        dir: PathBuf,
        config: StoreConfig,
        meta: Meta,
        trees: Vec<Space>,
        blobs: Payloads,
    ) -> KvStore {
        KvStore {
            dir,
            config,
            meta,
            trees,
            blobs,
            shared: Mutex::new(Shared {
                pending: empty_write_set(),
                poisoned: None,
                tap: None,
                batch: None,
            }),
            commit: GroupCommit::default(),
            maintenance: Mutex::new(()),
            urgent_streaks: Mutex::default(),
        }
    }

    /// Open (or create) the store in the PostgreSQL database `opts` names: apply the schema's
    /// migrations (refusing a schema newer than this build), check the record format, and the
    /// payloads per [`StoreConfig::verify_on_open`].
    ///
    /// Unlike [`KvStore::open_at`], leases in flight are left alone: other nodes of the
    /// gateway may hold them. A dead node's leases expire and are leased again.
    pub fn open_postgres(opts: &PgOptions, config: StoreConfig) -> Result<KvStore> {
        let engine = std::sync::Arc::new(PgEngine::new(opts)?);
        let migrated = schema::migrate(&engine)?;
        if !migrated.applied.is_empty() {
            tracing::info!(from = migrated.found, applied = ?migrated.applied, "store schema migrated");
        }
        match schema::synchronous_commit(&engine)?.as_str() {
            "off" => tracing::warn!(
                database = %engine.shown,
                "synchronous_commit is off: a crash of PostgreSQL can lose writes the gateway acknowledged"
            ),
            level => {
                tracing::info!(database = %engine.shown, synchronous_commit = level, "store on PostgreSQL")
            }
        }
        let trees: Vec<Space> = (0..N_TREES)
            .map(|i| Space::pg(engine.clone(), i as u8))
            .collect();
        let store = KvStore::new(
            PathBuf::from(&engine.shown),
            config,
            Meta::Pg(engine.clone()),
            trees,
            Payloads::Pg(engine),
        );
        store.check_format()?;
        store.verify_blobs_on_open()?;
        Ok(store)
    }

    /// Recount [`Activity`] from the inbox and message records.
    pub(super) fn recount_activity(&self) -> Result<Activity> {
        let (mut counters, open) = self.recount_inbox_activity()?;
        for item in self.tree(T::Messages).iter() {
            let (k, v) = item?;
            let Ok(rec) = decode::<MessageRecord>(&v, "messages", &k) else {
                continue;
            };
            count_sent(&mut counters, &rec);
        }
        Ok((counters, open))
    }

    /// The part of [`Activity`] that the inbox records give: everything but what was sent.
    pub(super) fn recount_inbox_activity(&self) -> Result<Activity> {
        let mut counters: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut open = BTreeMap::new();
        for item in self.tree(T::Inbox).iter() {
            let (k, v) = item?;
            let Some((&len, rest)) = k.split_first() else {
                continue;
            };
            let Ok(agency) = std::str::from_utf8(rest.get(..len as usize).unwrap_or_default())
            else {
                continue;
            };
            let Ok(rec) = decode::<InboxRecord>(&v, "inbox", &k) else {
                continue;
            };
            *counters
                .entry(activity_key(agency, received_field(rec.kind)))
                .or_default() += 1;
            match rec.acked {
                None => {
                    *counters.entry(activity_key(agency, ACT_OPEN)).or_default() += 1;
                    open.insert(k.to_vec(), rec.delivered_at.as_millis());
                }
                Some(r) => {
                    *counters
                        .entry(activity_key(agency, ack_field(r)))
                        .or_default() += 1
                }
            }
        }
        Ok((counters, open))
    }

    /// Format 3 → 4: build the activity counters and the `inbox_open` index, and set the new
    /// marker, in one batch (sled recovers it whole or not at all).
    pub(super) fn upgrade_from_3(&self) -> Result<()> {
        let (counters, open) = self.recount_activity()?;
        let mut w = empty_write_set();
        for (k, n) in &counters {
            w[T::Meta as usize].insert(k.clone(), Some(n.to_be_bytes().to_vec()));
        }
        for (k, at) in &open {
            w[T::InboxOpen as usize].insert(k.clone(), Some(at.to_be_bytes().to_vec()));
        }
        w[T::Meta as usize].insert(META_FORMAT.to_vec(), Some(vec![STORE_FORMAT]));
        let Meta::Sled { db, db_file } = &self.meta else {
            return Err(StoreError::UnsupportedFormat {
                found: UPGRADABLE_FORMAT,
                supported: STORE_FORMAT,
            });
        };
        apply(&self.trees, &w)?;
        db.flush()?;
        db_file
            .sync_data()
            .map_err(|e| StoreError::io("syncing", self.dir.join("meta"), e))?;
        tracing::info!(
            agencies = counters.len(),
            unacknowledged = open.len(),
            "store upgraded from format 3 to 4 (per-agency activity counters)"
        );
        Ok(())
    }

    pub(super) fn check_format(&self) -> Result<()> {
        // A store of an earlier layout keeps its records in other sled trees: refuse it rather
        // than see an empty store.
        if let Meta::Sled { db, .. } = &self.meta
            && db.tree_names().iter().any(|n| n.as_ref() == OLD_META_TREE)
        {
            let found = db
                .open_tree(OLD_META_TREE)?
                .get(META_FORMAT)?
                .and_then(|v| v.first().copied())
                .unwrap_or(0);
            return Err(StoreError::UnsupportedFormat {
                found,
                supported: STORE_FORMAT,
            });
        }
        let meta = self.tree(T::Meta);
        match meta.get(META_FORMAT)? {
            Some(v) if v.as_ref() == [STORE_FORMAT] => Ok(()),
            Some(v) if v.as_ref() == [UPGRADABLE_FORMAT] => self.upgrade_from_3(),
            Some(v) => Err(StoreError::UnsupportedFormat {
                found: v.first().copied().unwrap_or(0),
                supported: STORE_FORMAT,
            }),
            None => {
                if !self.tree(T::Messages).is_empty()? {
                    return Err(StoreError::corrupt(
                        "store (format marker missing but messages present)",
                        self.dir.display().to_string(),
                    ));
                }
                match &self.meta {
                    Meta::Sled { db, db_file } => {
                        meta.insert(META_FORMAT, &[STORE_FORMAT])?;
                        db.flush()?;
                        db_file
                            .sync_all()
                            .map_err(|e| StoreError::io("syncing", self.dir.join("meta"), e))
                    }
                    // Nodes starting together: the marker goes in under the write lock,
                    // once.
                    Meta::Pg(_) => self.write(|tx| {
                        if tx.get(T::Meta, META_FORMAT)?.is_none() {
                            tx.put(T::Meta, META_FORMAT.to_vec(), vec![STORE_FORMAT]);
                        }
                        Ok(())
                    }),
                }
            }
        }
    }

    pub(super) fn restore_leases(&self, now: Timestamp) -> Result<usize> {
        let keys: Vec<Vec<u8>> = self
            .tree(T::Leased)
            .iter()
            .keys()
            .map(|k| k.map(|k| k.to_vec()))
            .collect::<std::result::Result<_, _>>()?;
        if keys.is_empty() {
            return Ok(0);
        }
        let n = keys.len();
        self.write(|tx| {
            for key in keys {
                let (hop, _deadline, id) = parse_hop_key(&key, "queue_leased")?;
                tx.del(T::Leased, key.clone());
                self.expire_entry(tx, id, &hop, now)?;
            }
            Ok(())
        })?;
        Ok(n)
    }

    pub(super) fn verify_blobs_on_open(&self) -> Result<()> {
        let level = self.config.verify_on_open;
        if level == VerifyLevel::Off {
            return Ok(());
        }
        let mut problems = Vec::new();
        let mut count = 0u64;
        self.verify_blobs(level, &mut problems, &mut count)?;
        if let Some(first) = problems.first() {
            for p in &problems {
                tracing::error!(problem = %p, "store verification failed");
            }
            return Err(StoreError::corrupt(
                format!(
                    "payload store: {} problem(s) among {count} blobs; refusing to open (first shown)",
                    problems.len()
                ),
                first.clone(),
            ));
        }
        Ok(())
    }

    /// Check every blob referenced by `blob_refs` (one per distinct digest).
    pub(super) fn verify_blobs(
        &self,
        level: VerifyLevel,
        problems: &mut Vec<String>,
        count: &mut u64,
    ) -> Result<()> {
        if let (Some(engine), VerifyLevel::BlobsPresent) = (self.pg(), level) {
            let (missing, n) = engine.missing_payloads(T::Payloads as u8)?;
            for sha in missing {
                problems.push(format!(
                    "payload {} is missing (no row in lt_payload)",
                    show_key(&sha)
                ));
            }
            *count += n;
            return Ok(());
        }
        // Four threads, each over a quarter of the digest space: the checks are system calls
        // (stat or read), which overlap well even on two cores.
        const PARTS: u16 = 4;
        let results: Vec<Result<(Vec<String>, u64)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..PARTS)
                .map(|i| {
                    let start = u8::try_from(i * 256 / PARTS).unwrap_or(u8::MAX);
                    let end = u8::try_from((i + 1) * 256 / PARTS).ok();
                    scope.spawn(move || self.verify_blob_range(level, start, end))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(StoreError::corrupt(
                            "blob check",
                            "verification thread panicked",
                        ))
                    })
                })
                .collect()
        });
        for r in results {
            let (p, n) = r?;
            problems.extend(p);
            *count += n;
        }
        Ok(())
    }

    /// Check the payloads whose digest starts with a byte in `start..end` (`None` = up to 0xff).
    pub(super) fn verify_blob_range(
        &self,
        level: VerifyLevel,
        start: u8,
        end: Option<u8>,
    ) -> Result<(Vec<String>, u64)> {
        let mut problems = Vec::new();
        let mut count = 0;
        let mut seg_len: BTreeMap<u32, Option<u64>> = BTreeMap::new();
        let tree = self.tree(T::Payloads);
        let iter = match end {
            Some(e) => tree.range(&[start], Some(&[e])),
            None => tree.range(&[start], None),
        };
        for item in iter {
            let (k, v) = item?;
            let (Ok(sb), Some(loc)) = (<[u8; 32]>::try_from(k.as_ref()), Loc::from_bytes(&v))
            else {
                problems.push(format!("payloads/{}: malformed entry", show_key(&k)));
                continue;
            };
            let sha = Sha256::from_bytes(sb);
            count += 1;
            match level {
                VerifyLevel::Off => {}
                VerifyLevel::BlobsPresent => {
                    let len = match seg_len.get(&loc.seg) {
                        Some(l) => *l,
                        None => {
                            let l = self.blobs.segment_len(loc.seg)?;
                            seg_len.insert(loc.seg, l);
                            l
                        }
                    };
                    match len {
                        None => problems
                            .push(format!("{loc}: payload {sha} is missing (no such segment)")),
                        Some(n) if n < loc.end() => problems.push(format!(
                            "{loc}: payload {sha} is cut short (the segment has {n} bytes)"
                        )),
                        Some(_) => {}
                    }
                }
                VerifyLevel::BlobsHashed => {
                    if let Err(e) = self.blobs.read(loc, &sha) {
                        problems.push(format!("payload {sha}: {e}"));
                    }
                }
            }
        }
        Ok((problems, count))
    }

    /// Delete segments no payload lives in (all purged, or only orphans of a crash), except the
    /// one being appended to. Called at open and after purges; takes the write lock.
    pub(super) fn remove_dead_segments(&self) -> Result<usize> {
        let g = self.lock();
        let tx = Tx::new(&self.trees, &g, None);
        let mut removed = 0;
        for seg in self.blobs.segments()? {
            if tx.counter(&seg_key(seg))? == 0 && self.blobs.removable(seg) {
                self.blobs.remove(seg)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    // ---------- accept ----------
}
