//! Where payload bytes live: the payload log of a sled store, or the `lt_payload` rows of a
//! PostgreSQL one. The store's logic sees one interface; a location ([`Loc`]) in a PostgreSQL
//! store is segment 0, offset 0 and the length, the row being found by its digest.

use std::path::PathBuf;

use crate::blob::{Loc, PayloadLog, Reservation};
use crate::error::{Result, StoreError};
use crate::pg::Engine;
use crate::types::Sha256;

/// The payload storage of one store.
#[derive(Debug)]
pub(crate) enum Payloads {
    /// Segments of the payload log, on the local disk.
    Log(Box<PayloadLog>),
    /// Rows in the database.
    Pg(Engine),
}

impl Payloads {
    /// The payload log, if this is one.
    #[cfg_attr(not(feature = "fault-injection"), allow(dead_code))]
    pub(crate) fn log(&self) -> Option<&PayloadLog> {
        match self {
            Payloads::Log(l) => Some(&**l),
            Payloads::Pg(_) => None,
        }
    }

    /// Store `bytes` durably (see [`PayloadLog::append`]); a PostgreSQL row needs no
    /// reservation.
    pub(crate) fn append(&self, sha: &Sha256, bytes: &[u8]) -> Result<(Loc, Option<Reservation>)> {
        match self {
            Payloads::Log(l) => l.append(sha, bytes).map(|(loc, r)| (loc, Some(r))),
            Payloads::Pg(e) => {
                e.put_payload(sha, bytes)?;
                Ok((
                    Loc {
                        seg: 0,
                        off: 0,
                        len: bytes.len() as u64,
                    },
                    None,
                ))
            }
        }
    }

    /// The payload at `loc`, checked against `sha`.
    pub(crate) fn read(&self, loc: Loc, sha: &Sha256) -> Result<Vec<u8>> {
        match self {
            Payloads::Log(l) => l.read(loc, sha),
            Payloads::Pg(e) => match e.read_payload(sha)? {
                Some(b) if b.len() as u64 == loc.len => Ok(b),
                Some(b) => Err(StoreError::corrupt(
                    format!("payload ({} bytes where {} were stored)", b.len(), loc.len),
                    format!("lt_payload/{sha}"),
                )),
                None => Err(StoreError::corrupt(
                    "payload (missing)",
                    format!("lt_payload/{sha}"),
                )),
            },
        }
    }

    /// Give back an unused or purged record's space (the log only: a row nothing refers
    /// to goes with the sweep).
    pub(crate) fn punch_record(&self, loc: Loc) -> Result<()> {
        match self {
            Payloads::Log(l) => l.punch_record(loc),
            Payloads::Pg(_) => Ok(()),
        }
    }

    /// The log's segments (none in a database).
    pub(crate) fn segments(&self) -> Result<Vec<u32>> {
        match self {
            Payloads::Log(l) => l.segments(),
            Payloads::Pg(_) => Ok(Vec::new()),
        }
    }

    /// The segment being appended to.
    pub(crate) fn current(&self) -> u32 {
        match self {
            Payloads::Log(l) => l.current(),
            Payloads::Pg(_) => 0,
        }
    }

    /// Whether a segment can be deleted.
    pub(crate) fn removable(&self, seg: u32) -> bool {
        match self {
            Payloads::Log(l) => l.removable(seg),
            Payloads::Pg(_) => false,
        }
    }

    /// Delete a segment.
    pub(crate) fn remove(&self, seg: u32) -> Result<()> {
        match self {
            Payloads::Log(l) => l.remove(seg),
            Payloads::Pg(_) => Ok(()),
        }
    }

    /// A segment's length.
    pub(crate) fn segment_len(&self, seg: u32) -> Result<Option<u64>> {
        match self {
            Payloads::Log(l) => l.segment_len(seg),
            Payloads::Pg(_) => Ok(None),
        }
    }

    /// Whether a range of a segment holds data.
    pub(crate) fn has_data(&self, seg: u32, off: u64, len: u64) -> Result<bool> {
        match self {
            Payloads::Log(l) => l.has_data(seg, off, len),
            Payloads::Pg(_) => Ok(false),
        }
    }

    /// Punch a hole in a segment.
    pub(crate) fn punch(&self, seg: u32, off: u64, len: u64) -> Result<()> {
        match self {
            Payloads::Log(l) => l.punch(seg, off, len),
            Payloads::Pg(_) => Ok(()),
        }
    }

    /// Why the log refuses payloads, if it does.
    pub(crate) fn failure(&self) -> Option<String> {
        match self {
            Payloads::Log(l) => l.failure(),
            Payloads::Pg(_) => None,
        }
    }

    /// A segment's file.
    pub(crate) fn segment_path(&self, no: u32) -> PathBuf {
        match self {
            Payloads::Log(l) => l.segment_path(no),
            Payloads::Pg(e) => PathBuf::from(&e.shown),
        }
    }
}
