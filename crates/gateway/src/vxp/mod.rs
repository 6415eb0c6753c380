//! The national axis's DMS API (VXP) on a second listener (`[vxp]`), so that a DMS built on
//! the official SDK connects unchanged. The wire contract is `lienthong-vxp`'s; this is the
//! shell: the listener, authentication against the configured systems, and the operations
//! carried out through the same core, store, inboxes and statuses as the mTLS API.
//!
//! Every answer is the SDK's envelope (`status`, `ErrorCode`, `ErrorDesc`): a refusal made
//! by a shared layer (the head's size, the time limit, the concurrency limit) is turned into
//! one by `router::envelope`, with the API's code as `ErrorCode`.

pub mod client;
mod listen;
mod ops;
mod router;
mod shared;
mod systems;

pub use lienthong_vxp::sign::new_secret;
pub use listen::VxpRunning;
pub(crate) use listen::{ListenFailure, start};
pub use systems::{System, Systems, VxpState};
