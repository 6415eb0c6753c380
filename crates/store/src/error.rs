//! The one error type of this crate.

use lienthong_types::Code;
use std::path::PathBuf;

use lienthong_types::{MessageId, Sha256};

/// Everything that can go wrong in the store. [`StoreError::code`] gives a stable, short code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A different document from the same sender reuses a DocumentId, and is not an update,
    /// revoke or replace.
    #[error(
        "document id '{document_id}' of sender '{sender}' is already used by message {existing} \
         with different content; send it as update, revoke or replace"
    )]
    Conflict {
        /// The reused DocumentId.
        document_id: String,
        /// The sending agency.
        sender: String,
        /// The message that already holds it.
        existing: MessageId,
    },
    /// A relayed message reuses an id we already hold for different bytes.
    #[error("message id {id} is already stored with sha-256 {existing}, but this copy has {given}")]
    IdConflict {
        /// The id.
        id: MessageId,
        /// SHA-256 of the stored message.
        existing: Sha256,
        /// SHA-256 of the offered bytes.
        given: Sha256,
    },
    /// A relayed message under a new id carries the same bytes from the same sender as a
    /// message already stored: a replay, refused so that no inbox gets a document twice.
    #[error(
        "message {id} repeats the bytes of message {existing} from the same sender (a replay under a new id)"
    )]
    Replayed {
        /// The id it came with.
        id: MessageId,
        /// The message that holds those bytes.
        existing: MessageId,
    },
    /// No such thing.
    #[error("{what} not found: {key}")]
    NotFound {
        /// What kind of thing ("message", "inbox entry", "queue entry", …).
        what: &'static str,
        /// Which one.
        key: String,
    },
    /// The payload was removed by retention; metadata, history and receipts remain.
    #[error("the payload of message {id} was purged by retention")]
    Purged {
        /// The message.
        id: MessageId,
    },
    /// Stored data is damaged or inconsistent. The store refuses to guess.
    #[error("corrupt {what} at {location}")]
    Corrupt {
        /// What is damaged.
        what: String,
        /// Where: a file path, a tree and key, or a message id.
        location: String,
    },
    /// The operation does not apply to the current state.
    #[error("cannot {action} message {id}: it is {from}")]
    InvalidState {
        /// The message.
        id: MessageId,
        /// The state found.
        from: String,
        /// The operation refused.
        action: &'static str,
    },
    /// The caller's input is not acceptable (empty or too long names, unknown recipient, …).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The data directory was written by a newer or unknown format version.
    #[error("unsupported store format version {found} (this build reads version {supported})")]
    UnsupportedFormat {
        /// Version found on disk.
        found: u8,
        /// Version this build reads and writes.
        supported: u8,
    },
    /// A file-system operation failed.
    #[error("i/o error while {op} {}: {source}", path.display())]
    Io {
        /// What was being done.
        op: &'static str,
        /// On which path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// sled reported an error.
    #[error("metadata database error: {0}")]
    Sled(#[from] sled::Error),
    /// PostgreSQL could not be reached, or did not complete the operation (a lost connection,
    /// a timeout, the server shutting down). Nothing is assumed done: a write that returns this
    /// was not acknowledged, and trying again later may succeed.
    #[error("database: {0}")]
    Database(String),
    /// An earlier group-commit flush failed; this write may or may not be durable.
    #[error("durability flush failed: {0}")]
    Flush(String),
}

impl StoreError {
    /// A stable, machine-readable code, e.g. `Code::StoreConflict`.
    pub fn code(&self) -> Code {
        match self {
            StoreError::Conflict { .. } => Code::StoreConflict,
            StoreError::IdConflict { .. } => Code::StoreIdConflict,
            StoreError::Replayed { .. } => Code::StoreReplayed,
            StoreError::NotFound { .. } => Code::StoreNotFound,
            StoreError::Purged { .. } => Code::StorePurged,
            StoreError::Corrupt { .. } => Code::StoreCorrupt,
            StoreError::InvalidState { .. } => Code::StoreInvalidState,
            StoreError::InvalidInput(_) => Code::StoreInvalidInput,
            StoreError::UnsupportedFormat { .. } => Code::StoreUnsupportedFormat,
            StoreError::Io { .. } => Code::StoreIo,
            StoreError::Sled(_) => Code::StoreSled,
            StoreError::Flush(_) => Code::StoreFlush,
            StoreError::Database(_) => Code::StoreDatabase,
        }
    }

    /// Whether trying the same call again later may succeed (storage trouble, not a refusal).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Io { .. }
                | StoreError::Sled(_)
                | StoreError::Flush(_)
                | StoreError::Database(_)
        )
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, location: impl Into<String>) -> Self {
        StoreError::Corrupt {
            what: what.into(),
            location: location.into(),
        }
    }

    pub(crate) fn not_found(what: &'static str, key: impl ToString) -> Self {
        StoreError::NotFound {
            what,
            key: key.to_string(),
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
