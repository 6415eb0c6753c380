//! Client commands that talk to a gateway over mutual TLS: `send`, `inbox list|get|ack`,
//! `status`, `track` and `queue …`.
//!
//! Every command takes `--gateway URL --cert FILE --key FILE --ca FILE`, or the
//! `LIENTHONG_GATEWAY`/`_CERT`/`_KEY`/`_CA` variables, or a profile (`--profile NAME`). Human output is a
//! few lines or a table; `--json` prints the gateway's JSON answer as it came. Exit codes:
//! 0 success; 1 the gateway refused (printed as `error: CODE: MESSAGE` on stderr, and with
//! `--json` the gateway's error object on stdout); 2 a usage, file or connection problem.

//!
//! | module | commands |
//! |---|---|
//! | [`common`] | shared: failures, output helpers |
//! | [`connection`] | the connection options (flags, `LIENTHONG_*`, profiles), no-answer failures in words |
//! | [`profile`] | the profile file, `profile add|list|remove` |
//! | [`send`] | `send`, `status` |
//! | [`inbox`] | `inbox …` |
//! | [`track`] | `track` |
//! | [`queue`] | `queue …` |
//! | [`report`] | `report`, `queue overdue` |
//! | [`admin`] | `backup`, `certs status` |

/// Print a line on stdout; a closed pipe is not an error worth a panic.
macro_rules! out {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// Print a line on stderr.
macro_rules! note {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

mod admin;
mod common;
mod connection;
mod inbox;
mod profile;
mod queue;
mod report;
mod send;
mod track;

pub(crate) use admin::{BackupArgs, CertsStatus, backup, certs_status};
pub(crate) use inbox::{InboxArgs, inbox};
pub(crate) use profile::{ProfileArgs, profile};
pub(crate) use queue::{QueueArgs, queue};
pub(crate) use report::{ReportArgs, report};
pub(crate) use send::{SendArgs, StatusArgs, send, status};
pub(crate) use track::{TrackArgs, track};
