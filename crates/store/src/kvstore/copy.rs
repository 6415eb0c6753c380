//! Copying a whole store into an empty one, across engines: `lienthong store migrate` (a
//! stopped gateway's sled folder into PostgreSQL, or back), and the online backup of a
//! PostgreSQL store (a snapshot of the database into a new sled folder).
//!
//! Every key space is copied as it is, except where the engines differ: a payload is read
//! (and its SHA-256 checked) from the source and stored anew in the destination, whose
//! location replaces the source's, and the per-segment counters (`meta` `seg/`) are counted
//! afresh from those locations.

use std::collections::BTreeMap;

use super::KvStore;
use super::keys::*;
use crate::blob::Loc;
use crate::error::{Result, StoreError};
use crate::pg::snapshot::{Entries, Snapshot};
use crate::types::{CopyReport, Sha256};

/// Entries per destination write.
const PAGE: usize = 2_000;

/// Where a copy reads from.
pub(super) trait Source {
    /// The next entries, in (space, key) order; empty when done.
    fn page(&mut self, limit: usize) -> Result<Entries>;
    /// A payload, checked against its digest.
    fn payload(&self, sha: &Sha256, loc: Loc) -> Result<Vec<u8>>;
}

/// The key spaces of an open store, read directly (the store must not change meanwhile: a
/// stopped gateway's, or with writes held).
struct Spaces<'a> {
    store: &'a KvStore,
    space: usize,
    after: Option<Vec<u8>>,
}

impl Source for Spaces<'_> {
    fn page(&mut self, limit: usize) -> Result<Entries> {
        let mut out = Vec::new();
        while out.len() < limit && self.space < N_TREES {
            // The smallest key after the last one read is that key with a zero byte added.
            let start = match self.after.take() {
                Some(mut k) => {
                    k.push(0);
                    k
                }
                None => Vec::new(),
            };
            let mut got = 0;
            for item in self.store.trees[self.space]
                .range(&start, None)
                .take(limit - out.len())
            {
                let (k, v) = item?;
                self.after = Some(k.to_vec());
                out.push((self.space as u8, k.to_vec(), v.to_vec()));
                got += 1;
            }
            if got == 0 || out.len() < limit {
                self.space += 1;
                self.after = None;
            }
        }
        Ok(out)
    }

    fn payload(&self, sha: &Sha256, loc: Loc) -> Result<Vec<u8>> {
        self.store.blobs.read(loc, sha)
    }
}

/// A snapshot of a PostgreSQL store's database.
struct FromSnapshot<'a> {
    snapshot: &'a Snapshot,
    after: Option<(i16, Vec<u8>)>,
}

impl Source for FromSnapshot<'_> {
    fn page(&mut self, limit: usize) -> Result<Entries> {
        let page = self.snapshot.page(self.after.take(), limit)?;
        if let Some((s, k, _)) = page.last() {
            self.after = Some((i16::from(*s), k.clone()));
        }
        Ok(page)
    }

    fn payload(&self, sha: &Sha256, loc: Loc) -> Result<Vec<u8>> {
        match self.snapshot.payload(sha)? {
            Some(b) if b.len() as u64 == loc.len => Ok(b),
            _ => Err(StoreError::corrupt(
                "payload (missing or of another length)",
                format!("lt_payload/{sha}"),
            )),
        }
    }
}

impl KvStore {
    /// Copy this store, which must not change meanwhile (a stopped gateway's), into `dest`,
    /// which must be empty. Check `dest` afterwards ([`crate::Check::check`]).
    pub fn copy_to(&self, dest: &KvStore) -> Result<CopyReport> {
        dest.copy_from(&mut Spaces {
            store: self,
            space: 0,
            after: None,
        })
    }

    /// Copy a snapshot of a PostgreSQL database into this (empty) store.
    pub(super) fn copy_from_snapshot(&self, snapshot: &Snapshot) -> Result<CopyReport> {
        self.copy_from(&mut FromSnapshot {
            snapshot,
            after: None,
        })
    }

    /// Whether nothing but the format marker is stored.
    pub fn is_empty_store(&self) -> Result<bool> {
        for (i, space) in self.trees.iter().enumerate() {
            for item in space.iter().take(2) {
                let (k, _) = item?;
                if !(i == T::Meta as usize && k.as_ref() == META_FORMAT) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn copy_from(&self, source: &mut dyn Source) -> Result<CopyReport> {
        if !self.is_empty_store()? {
            return Err(StoreError::InvalidInput(format!(
                "the destination store {} is not empty; a copy goes only into an empty one",
                self.dir.display()
            )));
        }
        let mut report = CopyReport::default();
        let mut segs: BTreeMap<u32, u64> = BTreeMap::new();
        loop {
            let page = source.page(PAGE)?;
            if page.is_empty() {
                break;
            }
            let mut staged = Vec::with_capacity(page.len());
            // Held until the locations are in the destination's pending batch.
            let mut reservations = Vec::new();
            for (space, key, value) in page {
                let i = usize::from(space);
                if i >= N_TREES {
                    return Err(StoreError::corrupt(
                        format!("entry of an unknown key space {space}"),
                        show_key(&key),
                    ));
                }
                if i == T::Meta as usize && key.starts_with(META_SEG) {
                    continue;
                }
                if i == T::Payloads as usize {
                    let (Ok(sb), Some(src)) = (
                        <[u8; 32]>::try_from(key.as_slice()),
                        Loc::from_bytes(&value),
                    ) else {
                        return Err(StoreError::corrupt(
                            "payload location",
                            format!("payloads/{}", show_key(&key)),
                        ));
                    };
                    let sha = Sha256::from_bytes(sb);
                    let bytes = source.payload(&sha, src)?;
                    let (loc, r) = self.blobs.append(&sha, &bytes)?;
                    reservations.push(r);
                    *segs.entry(loc.seg).or_default() += 1;
                    report.payloads += 1;
                    report.payload_bytes += bytes.len() as u64;
                    staged.push((i, key, loc.to_bytes()));
                } else {
                    staged.push((i, key, value));
                }
            }
            report.entries += staged.len() as u64;
            self.write(|tx| {
                for (i, k, v) in staged {
                    tx.writes[i].insert(k, Some(v));
                }
                Ok(())
            })?;
            drop(reservations);
        }
        if !segs.is_empty() {
            report.entries += segs.len() as u64;
            self.write(|tx| {
                for (seg, n) in &segs {
                    tx.put(T::Meta, seg_key(*seg), n.to_be_bytes().to_vec());
                }
                Ok(())
            })?;
        }
        if let Some(engine) = self.pg() {
            engine.analyze()?;
        }
        Ok(report)
    }
}
