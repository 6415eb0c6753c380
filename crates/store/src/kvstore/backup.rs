//! Online backup: a consistent copy of a running store, with writes held only for an instant.
//!
//! sled has no snapshots, so the copy is made consistent by replay:
//!
//! 1. Under the write lock, a *tap* is switched on: from then on every write set applied to
//!    sled (group commits, leases) is also recorded, in order, with full keys.
//! 2. Without the lock, every entry of sled's tree is copied into a new sled database. Writes
//!    go on meanwhile, so the copy may hold some keys as they were before a write and some
//!    after: whatever it holds of a key written since step 1 is overwritten in step 4.
//! 3. Under the write lock again (the **cut**), the tap is taken and switched off, and the
//!    length of every payload segment is noted. This is the only time writes wait.
//! 4. The tapped writes are replayed onto the copy in the order they were applied, so that
//!    every key written after step 1 ends with its value at the cut; the others were copied
//!    unchanged. The copy is now sled as it was at the cut.
//! 5. The payload segments are copied up to their lengths at the cut, holes (purged payloads)
//!    kept as holes. Every payload the metadata at the cut refers to was durable before that
//!    metadata was applied (crate docs, "What is fsync'd"), so it lies inside those lengths.
//!    Purges and sweeps, which punch holes and delete segments, wait for the backup (the
//!    maintenance lock).
//!
//! Everything is written to `DEST.partial`, fsync'd, then renamed to `DEST`, so a backup cut
//! short by a crash is never taken for a complete one. `DEST` is a data folder a gateway can
//! open as it is (restore: put it in place of the data folder, start).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::codec::SEGMENT_SIZE;
use super::{KvStore, Tap};
use crate::api::Backup;
use crate::error::{Result, StoreError};
use crate::types::{BackupReport, Timestamp};

/// Entries per sled batch when filling the copy.
const BATCH: usize = 10_000;
/// File-system block: the unit of holes.
const BLOCK: usize = 4096;
/// sled's page cache for the copy (it is written once, sequentially).
const COPY_CACHE: u64 = 64 * 1024 * 1024;

/// The manifest written into every backup.
pub(crate) const MANIFEST: &str = "BACKUP.json";

impl KvStore {
    /// A consistent copy of this store in the new folder `dest` (see the module docs),
    /// while it keeps working; `during_copy` runs after every entry has been read and
    /// before the cut, so that what it writes reaches the copy through the replay alone
    /// (tests use it; pass `|| ()` otherwise).
    pub fn backup_with(
        &self,
        dest: &Path,
        now: Timestamp,
        during_copy: impl FnOnce(),
    ) -> Result<BackupReport> {
        let started = Instant::now();
        let name = dest
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                StoreError::InvalidInput(format!(
                    "backup folder {}: give a folder name",
                    dest.display()
                ))
            })?;
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(StoreError::InvalidInput(format!(
                "backup folder {}: {} is not a folder",
                dest.display(),
                parent.display()
            )));
        }
        if dest.exists() {
            return Err(StoreError::InvalidInput(format!(
                "backup folder {} exists already; a backup never overwrites one",
                dest.display()
            )));
        }
        // A PostgreSQL store has no data folder to be inside of.
        if self.pg().is_none() {
            let dest_real = parent
                .canonicalize()
                .map_err(|e| StoreError::io("resolving", &parent, e))?;
            let dir_real = self
                .dir
                .canonicalize()
                .map_err(|e| StoreError::io("resolving", &self.dir, e))?;
            if dest_real.starts_with(&dir_real) {
                return Err(StoreError::InvalidInput(format!(
                    "backup folder {}: inside the data folder {}",
                    dest.display(),
                    self.dir.display()
                )));
            }
        }
        let work = parent.join(format!("{name}.partial"));
        let _maintenance = self
            .maintenance
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if work.exists() {
            // Left by a backup cut short: never complete, never used.
            std::fs::remove_dir_all(&work).map_err(|e| StoreError::io("removing", &work, e))?;
        }
        let engine = self.pg();
        if engine.is_none() {
            let mut g = self.lock();
            if let Some(p) = &g.poisoned {
                return Err(StoreError::Flush(format!(
                    "store unusable after an earlier failure: {p}"
                )));
            }
            g.tap = Some(Tap {
                max_bytes: self.config.backup_max_replay_bytes,
                ..Tap::default()
            });
        }
        // Whatever happens from here (an error, a panic), recording stops and the
        // unfinished copy goes.
        let mut cleanup = Cleanup {
            store: self,
            work: Some(work.clone()),
        };
        let mut report = match engine {
            Some(engine) => self.backup_pg_into(engine, &work, now)?,
            None => self.backup_into(&work, during_copy)?,
        };
        self.lock().tap = None;
        report.dir = dest.to_path_buf();
        report.at = now;
        report.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let manifest = serde_json::to_vec_pretty(&report)
            .map_err(|e| StoreError::InvalidInput(format!("backup manifest: {e}")))?;
        write_synced(&work.join(MANIFEST), &manifest)?;
        fsync_dir(&work)?;
        std::fs::rename(&work, dest).map_err(|e| StoreError::io("renaming", &work, e))?;
        // Complete: nothing to remove any more.
        cleanup.work = None;
        fsync_dir(&parent)?;
        Ok(report)
    }

    /// The online backup of a PostgreSQL store, into `work`: a snapshot of the database
    /// (writes go on, on every node) copied into a new sled data folder, which opens as a
    /// store and which `lienthong store migrate` can put back into a database. (A database
    /// this large is better kept by PostgreSQL's own base backups and WAL archive;
    /// OPERATIONS.md.)
    fn backup_pg_into(
        &self,
        engine: &crate::pg::Engine,
        work: &Path,
        now: Timestamp,
    ) -> Result<BackupReport> {
        let snapshot = engine.snapshot()?;
        let config = crate::config::StoreConfig {
            verify_on_open: crate::config::VerifyLevel::Off,
            ..self.config.clone()
        };
        let copied = {
            let copy = KvStore::open_at(work, config, now)?;
            copy.copy_from_snapshot(&snapshot)?
        };
        drop(snapshot);
        sync_tree(work)?;
        let segments = std::fs::read_dir(work.join("payloads"))
            .map_err(|e| StoreError::io("listing", work.join("payloads"), e))?
            .count();
        Ok(BackupReport {
            dir: PathBuf::new(),
            at: Timestamp::ZERO,
            entries: copied.entries,
            replayed: 0,
            segments: u32::try_from(segments).unwrap_or(u32::MAX),
            segment_bytes: copied.payload_bytes,
            paused_ms: 0,
            took_ms: 0,
        })
    }

    /// Steps 2 to 5 of the module docs, into `work`.
    fn backup_into(&self, work: &Path, during_copy: impl FnOnce()) -> Result<BackupReport> {
        let payloads = work.join("payloads");
        std::fs::create_dir_all(&payloads).map_err(|e| StoreError::io("creating", &payloads, e))?;
        let meta = work.join("meta");
        let db = sled::Config::new()
            .path(&meta)
            .cache_capacity(COPY_CACHE)
            .flush_every_ms(None)
            .segment_size(SEGMENT_SIZE)
            .open()?;
        let copy = db.open_tree("store")?;
        let source = self
            .trees
            .first()
            .and_then(crate::space::Space::tree)
            .cloned()
            .ok_or_else(|| {
                StoreError::corrupt("store (no key spaces)", self.dir.display().to_string())
            })?;
        let mut entries = 0u64;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0usize;
        for item in source.iter() {
            let (k, v) = item?;
            batch.insert(k, v);
            entries += 1;
            in_batch += 1;
            if in_batch == BATCH {
                copy.apply_batch(std::mem::take(&mut batch))?;
                in_batch = 0;
                if self.lock().tap.as_ref().is_none_or(|t| t.overflowed) {
                    return Err(abandoned(self.config.backup_max_replay_bytes));
                }
            }
        }
        copy.apply_batch(batch)?;
        // Every entry has been read: whatever is written from now to the cut reaches the
        // copy through the replay only.
        during_copy();

        // The cut.
        let held = Instant::now();
        let (tapped, segments) = {
            let mut g = self.lock();
            let tap = g.tap.take().unwrap_or_default();
            if tap.overflowed {
                return Err(abandoned(self.config.backup_max_replay_bytes));
            }
            let tapped = tap.writes;
            let mut segments = Vec::new();
            for no in self.blobs.segments()? {
                if let Some(len) = self.blobs.segment_len(no)? {
                    segments.push((no, len));
                }
            }
            (tapped, segments)
        };
        let paused_ms = u64::try_from(held.elapsed().as_millis()).unwrap_or(u64::MAX);

        let replayed = tapped.len() as u64;
        for chunk in tapped.chunks(BATCH) {
            let mut batch = sled::Batch::default();
            for (k, v) in chunk {
                match v {
                    Some(v) => batch.insert(k.as_slice(), v.as_slice()),
                    None => batch.remove(k.as_slice()),
                }
            }
            copy.apply_batch(batch)?;
        }
        drop(tapped);
        db.flush()?;
        drop(copy);
        drop(db);
        // sled's flush is not an fsync (crate docs): make every file of the copy durable.
        sync_tree(&meta)?;

        let mut segment_bytes = 0u64;
        for (no, len) in &segments {
            let from = self.blobs.segment_path(*no);
            let to = payloads.join(from.file_name().unwrap_or_default());
            copy_sparse(&from, &to, *len)?;
            segment_bytes += len;
        }
        fsync_dir(&payloads)?;
        fsync_dir(work)?;
        Ok(BackupReport {
            dir: PathBuf::new(),
            at: Timestamp::ZERO,
            entries,
            replayed,
            segments: u32::try_from(segments.len()).unwrap_or(u32::MAX),
            segment_bytes,
            paused_ms,
            took_ms: 0,
        })
    }
}

/// Stops the recording of writes and removes the unfinished copy when a backup ends
/// without completing, however it ends.
struct Cleanup<'a> {
    store: &'a KvStore,
    work: Option<PathBuf>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        self.store.lock().tap = None;
        if let Some(w) = &self.work {
            let _ = std::fs::remove_dir_all(w);
        }
    }
}

impl Backup for KvStore {
    fn backup(&self, dest: &Path, now: Timestamp) -> Result<BackupReport> {
        self.backup_with(dest, now, || ())
    }
}

/// Copy the first `len` bytes of `from` to the new file `to`, leaving all-zero blocks
/// (the holes of purged payloads) unwritten, so that they stay holes.
fn copy_sparse(from: &Path, to: &Path, len: u64) -> Result<()> {
    let src = File::open(from).map_err(|e| StoreError::io("opening", from, e))?;
    let dst = File::create_new(to).map_err(|e| StoreError::io("creating", to, e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut off = 0u64;
    while off < len {
        let want = usize::try_from((len - off).min(buf.len() as u64)).unwrap_or(buf.len());
        let chunk = &mut buf[..want];
        src.read_exact_at(chunk, off)
            .map_err(|e| StoreError::io("reading", from, e))?;
        // Runs of blocks with data, written one run at a time.
        let mut run: Option<usize> = None;
        let blocks = chunk.len().div_ceil(BLOCK);
        for b in 0..=blocks {
            let block = chunk.get(b * BLOCK..((b + 1) * BLOCK).min(chunk.len()));
            let data = block.is_some_and(|x| x.iter().any(|&byte| byte != 0));
            match (data, run) {
                (true, None) => run = Some(b * BLOCK),
                (false, Some(start)) => {
                    let end = (b * BLOCK).min(chunk.len());
                    dst.write_all_at(&chunk[start..end], off + start as u64)
                        .map_err(|e| StoreError::io("writing", to, e))?;
                    run = None;
                }
                _ => {}
            }
        }
        off += want as u64;
    }
    dst.set_len(len)
        .and_then(|()| dst.sync_all())
        .map_err(|e| StoreError::io("syncing", to, e))
}

fn abandoned(max: usize) -> StoreError {
    StoreError::InvalidInput(format!(
        "backup abandoned: more than {max} bytes were written while it copied \
         (backup_max_replay_bytes); try again at a quieter time"
    ))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let f = File::create_new(path).map_err(|e| StoreError::io("creating", path, e))?;
    f.write_all_at(bytes, 0)
        .and_then(|()| f.sync_all())
        .map_err(|e| StoreError::io("writing", path, e))
}

fn fsync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io("syncing directory", path, e))
}

/// fsync every file under `dir`, then the folders.
fn sync_tree(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io("listing", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io("listing", dir, e))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| StoreError::io("inspecting", &path, e))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(|e| StoreError::io("syncing", &path, e))?;
        }
    }
    fsync_dir(dir)
}
