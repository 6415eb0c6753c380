//! What the store's integration tests share.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::Path;

/// The store's sled database opened directly, as the store opens it (to damage it on
/// purpose, or to look at raw keys).
pub fn raw_sled(dir: &Path) -> sled::Db {
    // sled releases its file lock a moment after the last handle closed (its IO threads let
    // go): wait for it, as `SledStore::open_at` does.
    if let Ok(f) = std::fs::File::open(dir.join("meta").join("db")) {
        rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive).unwrap();
    }
    sled::Config::new()
        .path(dir.join("meta"))
        .segment_size(8 * 1024 * 1024)
        .open()
        .unwrap()
}
