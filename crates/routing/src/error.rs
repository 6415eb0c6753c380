//! Errors found while loading a directory.

use std::fmt;

use lienthong_edxml::AgencyCodeError;

use crate::date::{Date, DateError};
use lienthong_types::GatewayIdError;

/// Where in the directory file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The text itself (syntax, unknown key, wrong type): the message carries line and column.
    Text,
    /// The file as a whole (version, hop limit, the tree's root).
    File,
    /// The `index`-th `[[gateway]]` (from 0), with its id as written.
    Gateway {
        /// Position in the `gateway` list, from 0.
        index: usize,
        /// The id as written.
        id: String,
    },
    /// The `index`-th `[[agency]]` (from 0), with its code as written.
    Agency {
        /// Position in the `agency` list, from 0.
        index: usize,
        /// The code as written.
        code: String,
    },
    /// The `index`-th `[[shortcut]]` (from 0).
    Shortcut {
        /// Position in the `shortcut` list, from 0.
        index: usize,
        /// `from` as written.
        from: String,
        /// `to` as written.
        to: String,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Text => f.write_str("directory text"),
            Location::File => f.write_str("directory"),
            Location::Gateway { index, id } => write!(f, "gateway[{index}] (id \"{id}\")"),
            Location::Agency { index, code } => write!(f, "agency[{index}] (code \"{code}\")"),
            Location::Shortcut { index, from, to } => {
                write!(f, "shortcut[{index}] (\"{from}\" -> \"{to}\")")
            }
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadErrorKind {
    /// The text is not valid TOML/JSON or does not fit the model (unknown key, missing key,
    /// wrong type). The message is the parser's, with line and column.
    #[error("{format} error: {message}")]
    Syntax {
        /// `TOML` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// `version` other than 1.
    #[error("unsupported directory version {0} (only 1 is known)")]
    UnsupportedVersion(u32),
    /// `hop_limit = 0`.
    #[error("hop_limit must be at least 1")]
    InvalidHopLimit,
    /// A gateway id (in `field`) is not `[a-z0-9-]{{1,63}}`.
    #[error("invalid gateway id in '{field}': {reason}")]
    InvalidGatewayId {
        /// The key holding it (`id`, `parent`, `gateway`, `from`, `to`).
        field: &'static str,
        /// Why it is invalid.
        reason: GatewayIdError,
    },
    /// The url is empty, has no `scheme://` or contains white space.
    #[error("invalid url '{0}' (expected e.g. https://host:port)")]
    InvalidUrl(String),
    /// A second gateway with the same id.
    #[error("duplicate gateway id (first defined at gateway[{first_index}])")]
    DuplicateGateway {
        /// Index of the first gateway with this id.
        first_index: usize,
    },
    /// The parent gateway is not defined.
    #[error("unknown parent gateway '{0}'")]
    UnknownParentGateway(String),
    /// No gateway without a parent.
    #[error("the gateway tree has no root (exactly one gateway must have no parent)")]
    NoRoot,
    /// Several gateways without a parent.
    #[error("the gateway tree has more than one root: {}", .0.join(", "))]
    MultipleRoots(Vec<String>),
    /// The parents of these gateways form a cycle (listed in parent order, first repeated
    /// at the end).
    #[error("cycle in the gateway tree: {}", .0.join(" -> "))]
    GatewayCycle(Vec<String>),
    /// An agency code (in `field`) is invalid.
    #[error("invalid agency code in '{field}': {reason}")]
    InvalidAgencyCode {
        /// The key holding it (`code`, `aliases[2]`, `parent`, `replaced_by`).
        field: String,
        /// Why it is invalid.
        reason: AgencyCodeError,
    },
    /// A code or alias already used by an agency (as its code or as an alias).
    #[error(
        "code '{code}' in '{field}' is already used by agency[{first_index}] (code \"{first_agency}\") in '{first_field}'"
    )]
    DuplicateCode {
        /// The code.
        code: String,
        /// Where it appears in this agency (`code` or `aliases[i]`).
        field: String,
        /// Index of the agency that has it first.
        first_index: usize,
        /// That agency's code.
        first_agency: String,
        /// Where it appears there.
        first_field: String,
    },
    /// The home gateway is not defined.
    #[error("home gateway '{0}' is not defined")]
    UnknownHomeGateway(String),
    /// The parent agency is not defined (neither as a code nor as an alias).
    #[error("unknown parent agency '{0}'")]
    UnknownParentAgency(String),
    /// The parents of these agencies form a cycle.
    #[error("cycle in the agency parents: {}", .0.join(" -> "))]
    AgencyCycle(Vec<String>),
    /// The replacing agency is not defined, or is the agency itself.
    #[error("replaced_by '{0}' is not another defined agency")]
    UnknownReplacement(String),
    /// A date is malformed.
    #[error("invalid date in '{field}': {reason}")]
    InvalidDate {
        /// `valid_from` or `valid_until`.
        field: &'static str,
        /// Why it is invalid.
        reason: DateError,
    },
    /// `valid_until` is before `valid_from`.
    #[error("valid_until {valid_until} is before valid_from {valid_from}")]
    EmptyValidity {
        /// First valid day.
        valid_from: Date,
        /// Last valid day.
        valid_until: Date,
    },
    /// A pinned signer fingerprint is malformed.
    #[error("invalid certificate fingerprint in '{field}': {reason}")]
    InvalidSignerFingerprint {
        /// `signers[k]`.
        field: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The same certificate pinned twice (to this agency or another).
    #[error("certificate {fingerprint} is already pinned to agency '{first_agency}'")]
    DuplicateSigner {
        /// The fingerprint (normalized).
        fingerprint: String,
        /// The agency that pinned it first.
        first_agency: String,
    },
    /// A level that is not one of the report's levels.
    #[error("level '{0}' is not one of central, province, department, district, commune, other")]
    InvalidLevel(String),
    /// A shortcut names an undefined gateway.
    #[error("shortcut gateway '{0}' is not defined")]
    UnknownShortcutGateway(String),
    /// A shortcut from a gateway to itself.
    #[error("shortcut from a gateway to itself")]
    ShortcutToSelf,
    /// A bug in this crate: validation passed but the directory could not be built.
    /// Never expected; please report it with the directory file.
    #[error("internal error while building the directory ({0}); please report this")]
    Internal(String),
    /// The same shortcut twice.
    #[error("duplicate shortcut (first defined at shortcut[{first_index}])")]
    DuplicateShortcut {
        /// Index of the first one.
        first_index: usize,
    },
}

/// One problem in a directory file, with its location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct LoadError {
    /// Where.
    pub location: Location,
    /// What.
    pub kind: LoadErrorKind,
}

/// All problems found in a directory file (at least one), in file order by section:
/// file-level, gateways, agencies, shortcuts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl LoadErrors {
    /// The problems.
    pub fn errors(&self) -> &[LoadError] {
        &self.0
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (never true for an error returned by this crate).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "invalid directory: {one}"),
            many => {
                write!(f, "invalid directory: {} problems", many.len())?;
                for e in many {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadErrors {}
