//! Client commands that talk to a gateway over mutual TLS (being built).

use std::process::ExitCode;

/// Connection options shared by the client commands.
#[derive(Debug, clap::Args)]
pub(crate) struct Conn {
    /// Gateway URL, e.g. https://127.0.0.1:8441
    #[arg(long)]
    gateway: String,
    /// Client certificate (PEM).
    #[arg(long)]
    cert: std::path::PathBuf,
    /// Client key (PKCS#8 PEM).
    #[arg(long)]
    key: std::path::PathBuf,
    /// CA certificate(s) of the gateway (PEM).
    #[arg(long)]
    ca: Vec<std::path::PathBuf>,
}

/// `send`.
#[derive(Debug, clap::Args)]
pub(crate) struct SendArgs {
    #[command(flatten)]
    conn: Conn,
}
/// `inbox`.
#[derive(Debug, clap::Args)]
pub(crate) struct InboxArgs {
    #[command(flatten)]
    conn: Conn,
}
/// `status`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    conn: Conn,
}
/// `track`.
#[derive(Debug, clap::Args)]
pub(crate) struct TrackArgs {
    #[command(flatten)]
    conn: Conn,
}
/// `queue`.
#[derive(Debug, clap::Args)]
pub(crate) struct QueueArgs {
    #[command(flatten)]
    conn: Conn,
}

fn todo_cmd(c: &Conn) -> ExitCode {
    eprintln!("error: not built yet (gateway {})", c.gateway);
    let _ = (&c.cert, &c.key, &c.ca);
    ExitCode::from(2)
}

pub(crate) fn send(a: &SendArgs) -> ExitCode {
    todo_cmd(&a.conn)
}
pub(crate) fn inbox(a: &InboxArgs) -> ExitCode {
    todo_cmd(&a.conn)
}
pub(crate) fn status(a: &StatusArgs) -> ExitCode {
    todo_cmd(&a.conn)
}
pub(crate) fn track(a: &TrackArgs) -> ExitCode {
    todo_cmd(&a.conn)
}
pub(crate) fn queue(a: &QueueArgs) -> ExitCode {
    todo_cmd(&a.conn)
}
