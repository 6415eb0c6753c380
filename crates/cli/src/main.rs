//! # lienthong
//!
//! The `lienthong` command. Subcommands:
//!
//! * `demo [--once]`: show the system working, with nothing to set up.
//! * `inspect FILE [--json]`: what an edXML file says (exit 2 when it cannot be read).
//! * `sign`, `verify`: enveloped XML signatures, for senders and clerks.
//! * `certs dev --out DIR`: the development PKI.
//!
//! `demo` and `certs dev` come with the default `dev` feature; a production build without
//! it (`--no-default-features`) does not link the development PKI at all.
//! * `serve --config FILE`: run a gateway.
//! * `check-store --config FILE [--hashes]`: check a stopped gateway's store.
//! * `send`, `inbox list|get|ack`, `status`, `track`, `queue …`, `report`: talk to a gateway
//!   (each takes `--gateway URL --cert --key --ca`).
//!
//! Exit codes: 0 success, 1 a negative verdict (for commands that give one), 2 the input
//! could not be read or the command line is wrong.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod certs;
mod check_store;
#[cfg(feature = "dev")]
mod demo;
mod inspect;
mod remote;
mod serve;
mod sign;
mod verify;
mod verify_pdf;

/// lienthong: inter-agency electronic document exchange gateway (edXML, QCVN 102:2016).
#[derive(Debug, Parser)]
#[command(name = "lienthong", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show lienthong working end to end with built-in sample data; nothing to set up.
    #[cfg(feature = "dev")]
    Demo(demo::Args),
    /// Show what an edXML document or status package says.
    Inspect(inspect::Args),
    /// Sign a file with an enveloped XML signature over the whole document.
    Sign(sign::Args),
    /// Check who signed a document, a receipt or a PDF, and whether it changed since.
    Verify(verify::Args),
    /// Certificates: `certs dev --out DIR` makes the development PKI; `certs status` shows
    /// when the certificates a gateway depends on expire.
    Certs(certs::Args),
    /// Run one gateway.
    Serve(serve::Args),
    /// Submit edXML files (a file, or every .edxml file in a folder) to a gateway.
    Send(remote::SendArgs),
    /// An agency's inbox: list, get, ack.
    Inbox(remote::InboxArgs),
    /// Submit a status package (alias of `send` for one file).
    Status(remote::StatusArgs),
    /// Track a sent message: per-recipient state, hops, receipts, statuses, history.
    Track(remote::TrackArgs),
    /// Operators: queues, messages by state, retry/suspend/resume/cancel.
    Queue(remote::QueueArgs),
    /// Operators: check a stopped gateway's store (messages, queues, inboxes, payloads).
    CheckStore(check_store::Args),
    /// Operators: back up a running gateway's store (into its `[backup] dir`) and wait.
    Backup(remote::BackupArgs),
    /// Operators: the compliance report per agency for a period, grouped by level (a table,
    /// CSV, XLSX or JSON).
    Report(remote::ReportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        #[cfg(feature = "dev")]
        Command::Demo(a) => demo::run(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Sign(a) => sign::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Certs(a) => certs::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Send(a) => remote::send(&a),
        Command::Inbox(a) => remote::inbox(&a),
        Command::Status(a) => remote::status(&a),
        Command::Track(a) => remote::track(&a),
        Command::Queue(a) => remote::queue(&a),
        Command::Backup(a) => remote::backup(&a),
        Command::Report(a) => remote::report(&a),
        Command::CheckStore(a) => check_store::run(&a),
    }
}
