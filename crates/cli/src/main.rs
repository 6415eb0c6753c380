//! # lienthong
//!
//! The `lienthong` command. Subcommands:
//!
//! * `demo [--once]`: show the system working, with nothing to set up.
//! * `inspect FILE [--json]`: what an edXML file says (exit 2 when it cannot be read).
//!
//! Exit codes: 0 success, 1 a negative verdict (for commands that give one), 2 the input
//! could not be read or the command line is wrong.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod inspect;

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
    Demo(demo::Args),
    /// Show what an edXML document or status package says.
    Inspect(inspect::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(a) => demo::run(&a),
        Command::Inspect(a) => inspect::run(&a),
    }
}
