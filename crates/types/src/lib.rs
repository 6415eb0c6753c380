//! # lienthong-types
//!
//! The leaf crate every other lienthong crate depends on. It holds two things:
//!
//! * [`Code`]: the one vocabulary of error and problem codes. Every crate maps its own
//!   errors to a code in one place (`fn code()` of its error type); from the code come its
//!   stable string, the HTTP status the gateway answers with, whether trying again can help,
//!   the CLI's exit code and a message for people. Nothing decides by matching strings:
//!   a peer's answer is parsed back into a [`Code`] first.
//! * The typed values that cross crate boundaries: [`MessageId`] (UUID v7), [`Sha256`],
//!   [`Timestamp`] (milliseconds, UTC), [`GatewayId`], and the [`Clock`] that decisions take
//!   the time from (only the IO shell reads the system clock).

mod code;
mod gateway_id;
mod ids;
mod time;

pub use code::{Code, Family, Retry};
pub use gateway_id::{GatewayId, GatewayIdError, MAX_GATEWAY_ID_LEN};
pub use ids::{MessageId, ParseIdError, Sha256};
pub use time::{Clock, FixedClock, SystemClock, Timestamp};
