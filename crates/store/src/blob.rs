//! Content-addressed payload files.
//!
//! A payload with SHA-256 `abcdef…` lives at `blobs/ab/abcdef…` (64 hex digits). It is written to
//! `tmp/`, `fdatasync`ed, renamed into place and its directory is `fsync`ed before the call returns,
//! so a file under `blobs/` is always complete and durable. Concurrent writers overlap these
//! fsyncs (the file system batches them into shared journal commits). Reading re-hashes the bytes.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Result, StoreError};
use crate::types::Sha256;

/// The blob directory of one store.
#[derive(Debug)]
pub(crate) struct BlobStore {
    blobs: PathBuf,
    tmp: PathBuf,
    counter: AtomicU64,
    /// The blob directory, kept open for `syncfs` (Linux).
    #[cfg(target_os = "linux")]
    root: File,
    /// Payloads renamed into place so far (counted after the rename).
    written: AtomicU64,
    /// `written` as it was just before the last successful `syncfs`: everything counted up to
    /// it is durable.
    synced: std::sync::Mutex<u64>,
}

fn fsync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io("syncing directory", path, e))
}

impl BlobStore {
    /// Create (if needed) `blobs/00..ff` and `tmp/` under `data_dir`, and empty `tmp/`.
    pub(crate) fn open(data_dir: &Path) -> Result<BlobStore> {
        let blobs = data_dir.join("blobs");
        let tmp = data_dir.join("tmp");
        let mut created = false;
        for dir in [&blobs, &tmp] {
            if !dir.is_dir() {
                fs::create_dir_all(dir).map_err(|e| StoreError::io("creating", dir, e))?;
                created = true;
            }
        }
        let mut blobs_changed = false;
        for i in 0..=255u8 {
            let sub = blobs.join(format!("{i:02x}"));
            if !sub.is_dir() {
                fs::create_dir(&sub).map_err(|e| StoreError::io("creating", &sub, e))?;
                blobs_changed = true;
            }
        }
        if blobs_changed {
            fsync_dir(&blobs)?;
        }
        if created {
            fsync_dir(data_dir)?;
        }
        // Leftovers of writes interrupted by a crash: never referenced, safe to drop.
        let entries = fs::read_dir(&tmp).map_err(|e| StoreError::io("listing", &tmp, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io("listing", &tmp, e))?;
            let p = entry.path();
            match fs::remove_file(&p) {
                Ok(()) => tracing::info!(path = %p.display(), "removed leftover temporary blob"),
                Err(e) => {
                    tracing::warn!(path = %p.display(), error = %e, "cannot remove temporary file")
                }
            }
        }
        #[cfg(target_os = "linux")]
        let root = File::open(&blobs).map_err(|e| StoreError::io("opening", &blobs, e))?;
        Ok(BlobStore {
            blobs,
            tmp,
            counter: AtomicU64::new(0),
            #[cfg(target_os = "linux")]
            root,
            written: AtomicU64::new(0),
            synced: std::sync::Mutex::new(0),
        })
    }

    /// Where the blob with this digest lives.
    pub(crate) fn path(&self, sha: &Sha256) -> PathBuf {
        let hex = sha.to_hex();
        self.blobs.join(&hex[..2]).join(hex)
    }

    fn dir_of(&self, sha: &Sha256) -> PathBuf {
        self.blobs.join(format!("{:02x}", sha.as_bytes()[0]))
    }

    /// Put `bytes` (whose digest is `sha`) under its content address.
    ///
    /// On Linux the file is written and renamed into place but not synced here: the
    /// group-commit leader makes every blob of its batch durable with one `syncfs` before it
    /// applies the batch's records to sled (see [`BlobStore::sync_all`]). Elsewhere the file
    /// is `fdatasync`ed and its directory `fsync`ed before this returns.
    pub(crate) fn write(&self, sha: &Sha256, bytes: &[u8]) -> Result<()> {
        let final_path = self.path(sha);
        if final_path.exists() {
            // Another writer may have renamed it into place but not yet made it durable; the
            // barrier of the caller's group commit covers it (Linux) or we sync again.
            // Count it too: its writer may not have counted its rename yet.
            #[cfg(target_os = "linux")]
            {
                self.written.fetch_add(1, Ordering::SeqCst);
                return Ok(());
            }
            #[cfg(not(target_os = "linux"))]
            return fsync_dir(&self.dir_of(sha));
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let tmp_path = self
            .tmp
            .join(format!("{}.{}.{n}.tmp", sha.to_hex(), std::process::id()));
        let result = (|| {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp_path)
                .map_err(|e| StoreError::io("creating", &tmp_path, e))?;
            f.write_all(bytes)
                .map_err(|e| StoreError::io("writing", &tmp_path, e))?;
            #[cfg(not(target_os = "linux"))]
            f.sync_data()
                .map_err(|e| StoreError::io("syncing", &tmp_path, e))?;
            drop(f);
            fs::rename(&tmp_path, &final_path)
                .map_err(|e| StoreError::io("renaming into", &final_path, e))?;
            #[cfg(not(target_os = "linux"))]
            fsync_dir(&self.dir_of(sha))?;
            // Counted after the rename, before the caller's records join a batch.
            self.written.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp_path);
        }
        result
    }

    /// Make every blob written so far durable: one `syncfs` of the file system holding
    /// `blobs/` (file data, renames and directories alike). Called by the group-commit leader
    /// after it took its batch and before it applies it, so no record reaches sled's files
    /// before the blobs it refers to are on disk. A no-op where blobs are synced one by one.
    ///
    /// Skipped when no payload was renamed into place since the last sync (most batches:
    /// deliveries, leases, acknowledgements). A payload another writer renamed but whose
    /// batch is not yet committed was counted, so a duplicate that found it still waits for
    /// a sync.
    pub(crate) fn sync_all(&self) -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            let mut synced = self
                .synced
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Read before the sync: everything counted so far is covered by it.
            let upto = self.written.load(Ordering::SeqCst);
            if upto == *synced {
                return Ok(());
            }
            rustix::fs::syncfs(&self.root)
                .map_err(|e| StoreError::io("syncfs", &self.blobs, std::io::Error::from(e)))?;
            *synced = upto;
        }
        Ok(())
    }

    /// Whether the blob file exists.
    pub(crate) fn exists(&self, sha: &Sha256) -> bool {
        self.path(sha).is_file()
    }

    /// The blob's size, or `None` if there is no such file.
    pub(crate) fn len(&self, sha: &Sha256) -> Result<Option<u64>> {
        let p = self.path(sha);
        match fs::metadata(&p) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io("inspecting", p, e)),
        }
    }

    /// Read and verify the blob. A missing file or a digest mismatch is [`StoreError::Corrupt`].
    pub(crate) fn read(&self, sha: &Sha256) -> Result<Vec<u8>> {
        let p = self.path(sha);
        let mut buf = Vec::new();
        match File::open(&p) {
            Ok(mut f) => {
                f.read_to_end(&mut buf)
                    .map_err(|e| StoreError::io("reading", &p, e))?;
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(StoreError::corrupt(
                    "payload (blob file missing)",
                    p.display().to_string(),
                ));
            }
            Err(e) => return Err(StoreError::io("opening", p, e)),
        }
        let got = Sha256::digest(&buf);
        if got != *sha {
            return Err(StoreError::corrupt(
                format!("payload (content hashes to {got})"),
                p.display().to_string(),
            ));
        }
        Ok(buf)
    }

    /// Delete the blob (if present) and sync its directory.
    pub(crate) fn remove(&self, sha: &Sha256) -> Result<()> {
        let p = self.path(sha);
        match fs::remove_file(&p) {
            Ok(()) => fsync_dir(&self.dir_of(sha)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io("removing", p, e)),
        }
    }

    /// Every blob file present (names that are not digests are reported as `Err(path)`).
    pub(crate) fn list(&self) -> Result<Vec<std::result::Result<Sha256, PathBuf>>> {
        let mut out = Vec::new();
        for i in 0..=255u8 {
            let sub = self.blobs.join(format!("{i:02x}"));
            let entries = fs::read_dir(&sub).map_err(|e| StoreError::io("listing", &sub, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| StoreError::io("listing", &sub, e))?;
                let name = entry.file_name();
                match name.to_str().and_then(|s| s.parse::<Sha256>().ok()) {
                    Some(sha) if sha.as_bytes()[0] == i => out.push(Ok(sha)),
                    _ => out.push(Err(entry.path())),
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_verify() {
        let dir = tempfile::tempdir().unwrap();
        let b = BlobStore::open(dir.path()).unwrap();
        let data = b"hello".to_vec();
        let sha = Sha256::digest(&data);
        b.write(&sha, &data).unwrap();
        b.write(&sha, &data).unwrap(); // idempotent
        assert_eq!(b.read(&sha).unwrap(), data);
        assert_eq!(b.len(&sha).unwrap(), Some(5));
        assert!(
            b.path(&sha)
                .starts_with(dir.path().join("blobs").join(&sha.to_hex()[..2]))
        );
        assert_eq!(b.list().unwrap(), vec![Ok(sha)]);

        fs::write(b.path(&sha), b"hellO").unwrap();
        let e = b.read(&sha).unwrap_err();
        assert_eq!(e.code(), "store.corrupt");

        b.remove(&sha).unwrap();
        assert!(!b.exists(&sha));
        assert_eq!(b.read(&sha).unwrap_err().code(), "store.corrupt");
        b.remove(&sha).unwrap();
    }

    #[test]
    fn open_clears_tmp() {
        let dir = tempfile::tempdir().unwrap();
        drop(BlobStore::open(dir.path()).unwrap());
        fs::write(dir.path().join("tmp").join("x.tmp"), b"partial").unwrap();
        let _b = BlobStore::open(dir.path()).unwrap();
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
    }
}
