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
//!   (each takes `--gateway URL --cert --key --ca`, the `LIENTHONG_*` variables or a profile).
//! * `profile add|list|remove`: named connection profiles.
//!
//! Exit codes: 0 success, 1 a negative verdict (for commands that give one), 2 the input
//! could not be read or the command line is wrong.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[macro_use]
mod text;
mod certs;
mod check_store;
#[cfg(feature = "dev")]
mod demo;
mod inspect;
mod remote;
mod serve;
mod sign;
mod store_cmd;
mod verify;
mod verify_pdf;

/// lienthong: inter-agency electronic document exchange gateway (edXML, QCVN 102:2016).
#[derive(Debug, Parser)]
#[command(
    name = "lienthong",
    version,
    about = say!("cli-help-about"),
    long_about = None,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = say!("cli-help-commands"),
    subcommand_value_name = say!("cli-help-command"),
    help_template = help_template(),
)]
struct Cli {
    /// The language of everything printed: vi (the default) or en.
    #[arg(long, global = true, value_name = "vi|en", help = say!("cli-help-lang"), help_heading = say!("cli-help-options"))]
    lang: Option<lienthong_i18n::Lang>,
    /// Print help.
    #[arg(short, long, global = true, action = clap::ArgAction::Help, help = say!("cli-help-help"), help_heading = say!("cli-help-options"))]
    help: Option<bool>,
    /// Print the version.
    #[arg(short = 'V', long, action = clap::ArgAction::Version, help = say!("cli-help-version"), help_heading = say!("cli-help-options"))]
    version: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

/// The help page's layout with its headings in the chosen language.
fn help_template() -> String {
    format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        say!("cli-help-usage")
    )
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show lienthong working end to end with built-in sample data; nothing to set up.
    #[cfg(feature = "dev")]
    #[command(about = say!("cli-help-cmd-demo"))]
    Demo(demo::Args),
    /// Show what an edXML document or status package says.
    #[command(about = say!("cli-help-cmd-inspect"))]
    Inspect(inspect::Args),
    /// Sign a file with an enveloped XML signature over the whole document.
    #[command(about = say!("cli-help-cmd-sign"))]
    Sign(sign::Args),
    /// Check who signed a document, a receipt or a PDF, and whether it changed since.
    #[command(about = say!("cli-help-cmd-verify"))]
    Verify(verify::Args),
    /// Certificates: `certs dev --out DIR` makes the development PKI; `certs status` shows
    /// when the certificates a gateway depends on expire.
    #[command(about = say!("cli-help-cmd-certs"))]
    Certs(certs::Args),
    /// Run one gateway.
    #[command(about = say!("cli-help-cmd-serve"))]
    Serve(serve::Args),
    /// Submit edXML files (a file, or every .edxml file in a folder) to a gateway.
    #[command(about = say!("cli-help-cmd-send"))]
    Send(remote::SendArgs),
    /// An agency's inbox: list, get, ack.
    #[command(about = say!("cli-help-cmd-inbox"))]
    Inbox(remote::InboxArgs),
    /// Submit a status package (alias of `send` for one file).
    #[command(about = say!("cli-help-cmd-status"))]
    Status(remote::StatusArgs),
    /// Track a sent message: per-recipient state, hops, receipts, statuses, history.
    #[command(about = say!("cli-help-cmd-track"))]
    Track(remote::TrackArgs),
    /// Operators: queues, messages by state, retry/suspend/resume/cancel.
    #[command(about = say!("cli-help-cmd-queue"))]
    Queue(remote::QueueArgs),
    /// Connection profiles: which gateway, with which certificates, under a name.
    #[command(about = say!("cli-help-cmd-profile"))]
    Profile(remote::ProfileArgs),
    /// Operators: check a stopped gateway's store (messages, queues, inboxes, payloads).
    #[command(about = say!("cli-help-cmd-check-store"))]
    CheckStore(check_store::Args),
    /// Operators: move a stopped gateway's store to another engine.
    #[command(about = say!("cli-help-cmd-store"))]
    Store(store_cmd::Args),
    /// Operators: back up a running gateway's store (into its `[backup] dir`) and wait.
    #[command(about = say!("cli-help-cmd-backup"))]
    Backup(remote::BackupArgs),
    /// Operators: the compliance report per agency for a period, grouped by level (a table,
    /// CSV, XLSX or JSON).
    #[command(about = say!("cli-help-cmd-report"))]
    Report(remote::ReportArgs),
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    text::choose(&args);
    let cli = match parse(&args) {
        Ok(c) => c,
        Err(code) => return code,
    };
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
        Command::Store(a) => store_cmd::run(&a),
        Command::Profile(a) => remote::profile(&a),
    }
}

/// The command line, read with every heading, help text and error in the chosen language.
fn parse(args: &[std::ffi::OsString]) -> Result<Cli, ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let cmd = localize(Cli::command());
    let matches = cmd.try_get_matches_from(args).map_err(usage_error)?;
    Cli::from_arg_matches(&matches).map_err(usage_error)
}

/// Headings of every subcommand's help page in the chosen language (clap writes its own
/// "Usage:", "Options:" and "Arguments:" otherwise).
fn localize(cmd: clap::Command) -> clap::Command {
    let cmd = cmd
        .help_template(help_template())
        .subcommand_help_heading(say!("cli-help-commands"))
        .subcommand_value_name(say!("cli-help-command"))
        .disable_help_subcommand(true)
        .mut_args(|a| {
            if a.get_help_heading().is_some() {
                a
            } else if a.is_positional() {
                a.help_heading(say!("cli-help-arguments"))
            } else {
                a.help_heading(say!("cli-help-options"))
            }
        });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    names
        .into_iter()
        .fold(cmd, |c, n| c.mut_subcommand(n, localize))
}

/// A command line clap could not read: help and version as asked, anything else said in
/// the chosen language with what was wrong (exit 2).
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let ctx = |k: ContextKind| e.get(k).map(ToString::to_string).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::UnknownArgument => say!(
            "cli-usage-unknown-argument",
            arg = ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidSubcommand => say!(
            "cli-usage-unknown-command",
            command = ctx(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => say!(
            "cli-usage-invalid-value",
            value = ctx(ContextKind::InvalidValue),
            arg = ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingRequiredArgument => {
            say!("cli-usage-missing", arg = ctx(ContextKind::InvalidArg))
        }
        ErrorKind::MissingSubcommand => say!("cli-usage-missing-command"),
        ErrorKind::ArgumentConflict => {
            say!("cli-usage-conflict", arg = ctx(ContextKind::InvalidArg))
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            say!("cli-usage-values", arg = ctx(ContextKind::InvalidArg))
        }
        _ => say!("cli-usage-other"),
    };
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        say!("cli-usage-error", what = what)
    );
    let usage = ctx(ContextKind::Usage);
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    if !usage.is_empty() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "\n{} {usage}",
            say!("cli-help-usage")
        );
    }
    let _ = writeln!(std::io::stderr().lock(), "\n{}", say!("cli-usage-see-help"));
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text that is a message id: the catalogs give the id back for one they lack.
    fn is_id(text: &str) -> bool {
        ["cli-", "remote-", "client-", "demo-"]
            .iter()
            .any(|p| text.starts_with(p))
    }

    /// What is not described in the catalogs in `cmd` (called `path`) and below it.
    fn undescribed(cmd: &clap::Command, path: &str, problems: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            match arg.get_help().map(ToString::to_string) {
                None => problems.push(format!("{path}: argument {id} has no help")),
                Some(h) if h.trim().is_empty() => {
                    problems.push(format!("{path}: argument {id} has an empty help"));
                }
                Some(h) if is_id(&h) => {
                    problems.push(format!("{path}: argument {id}: no message {h}"));
                }
                Some(_) => {}
            }
            for value in arg.get_possible_values() {
                if let Some(h) = value.get_help().map(ToString::to_string)
                    && is_id(&h)
                {
                    problems.push(format!(
                        "{path}: argument {id}, value {}: no message {h}",
                        value.get_name()
                    ));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            let sub_path = format!("{path} {}", sub.get_name());
            match sub.get_about().map(ToString::to_string) {
                None => problems.push(format!("{sub_path}: no about")),
                Some(a) if a.trim().is_empty() => problems.push(format!("{sub_path}: empty about")),
                Some(a) if is_id(&a) => problems.push(format!("{sub_path}: no message {a}")),
                Some(_) => {}
            }
            undescribed(sub, &sub_path, problems);
        }
    }

    #[test]
    fn every_command_and_argument_is_described_from_the_catalogs() {
        use clap::CommandFactory;
        let mut cmd = localize(<Cli as CommandFactory>::command());
        cmd.build();
        assert!(cmd.get_subcommands().count() >= 13);
        let mut problems = Vec::new();
        undescribed(&cmd, "lienthong", &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
