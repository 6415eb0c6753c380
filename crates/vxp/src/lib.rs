//! The national document axis's DMS protocol (VXP), as the official SDK (SDKVXP 2.0.0 and
//! 2.0.1, Java) speaks it: `../shared/reference/vxp-wire.md` is the contract. Sans-IO: the
//! gateway's shell reads requests and writes answers; this crate decides what they mean.
//!
//! - [`auth`]: the signed headers (`XroadVnpt-sign-header`, its HMAC-SHA256 in
//!   `XroadVnpt-hash-header`), checked over the raw bytes received, and the parameters they
//!   carry.
//! - [`hashfile`]: the SDK's `XroadVnpt-hash-file` form of a SHA-256 and the `sendEdoc` body
//!   (the file and a trailing CRLF).
//! - [`stamp`]: the SDK's `XroadVnpt-timestamp`.
//! - [`time`]: Vietnam time in answers, and the list filters `fromDate`/`toDate`.
//! - [`op`]: the operations, by the last segment of the path.
//! - [`reply`]: the answer envelope (`status`, `ErrorCode`, `ErrorDesc`), as ASCII-only JSON.
//! - [`sign`]: the client side, for an uplink to an upstream axis and for tests: the headers
//!   the SDK sends.

pub mod auth;
pub mod hashfile;
pub mod op;
pub mod reply;
pub mod sign;
pub mod stamp;
pub mod time;

pub use auth::{PREFIX, Signed, VxpError, authenticate};
pub use op::Operation;
pub use reply::Reply;
