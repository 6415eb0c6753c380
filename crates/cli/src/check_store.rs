//! `lienthong check-store --config FILE [--hashes]`: check a stopped gateway's store;
//! `--data DIR` instead checks the store in DIR (a backup, before relying on it).
//!
//! Every message, queue entry, inbox entry, index and counter is checked against the
//! others, and every payload against the log (its record present, or with `--hashes` read
//! back and its SHA-256 compared). For the operator after a disk problem, before
//! restarting. The gateway must be stopped: the store is opened exclusively.
//!
//! Exit codes: 0 healthy, 1 problems found (listed), 2 the store could not be opened.

use lienthong_store::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

use lienthong_store::{KvStore, VerifyLevel};

/// The store to check, opened without its own payload check (so that the check lists
/// every problem instead of the open stopping at the first), and its name.
fn open(args: &Args) -> Result<(KvStore, String), ExitCode> {
    let (dir, base, section) = match (&args.config, &args.data) {
        (Some(config), _) => match lienthong_gateway::Config::load(config) {
            Ok(v) => (
                v.config.gateway.data_dir.clone(),
                lienthong_gateway::store_config(&v),
                v.config.store.clone(),
            ),
            Err(e) => {
                eprintln!("{}", say!("cli-check-store-error", message = e.to_string()));
                return Err(ExitCode::from(2));
            }
        },
        (None, Some(data)) => (
            Some(data.clone()),
            lienthong_store::StoreConfig::default(),
            lienthong_gateway::config::store::StoreSection::default(),
        ),
        (None, None) => {
            eprintln!("{}", say!("cli-check-store-no-store-given"));
            return Err(ExitCode::from(2));
        }
    };
    let config = lienthong_store::StoreConfig {
        verify_on_open: VerifyLevel::Off,
        ..base
    };
    let now = lienthong_types::Clock::now(&lienthong_types::SystemClock);
    if section.engine == lienthong_gateway::config::store::StoreEngine::Postgres {
        // Online: the check holds every node's writes while it reads.
        return match lienthong_gateway::storage::open_store(None, &section, config, now) {
            Ok(s) => {
                let name = s.dir().display().to_string();
                Ok((s, name))
            }
            Err(e) => {
                eprintln!("{}", say!("cli-check-store-error", message = e));
                Err(ExitCode::from(2))
            }
        };
    }
    let dir = dir.unwrap_or_default();
    if !dir.is_dir() {
        eprintln!(
            "{}",
            say!("cli-check-store-no-dir", dir = dir.display().to_string())
        );
        return Err(ExitCode::from(2));
    }
    // Never create a store while checking one: an empty or mistyped folder is not healthy.
    if !dir.join("meta").join("db").is_file() {
        eprintln!(
            "{}",
            say!("cli-check-store-no-meta", dir = dir.display().to_string())
        );
        return Err(ExitCode::from(2));
    }
    match KvStore::open_at(&dir, config, now) {
        Ok(s) => Ok((s, dir.display().to_string())),
        Err(e) => {
            eprintln!(
                "{}",
                say!(
                    "cli-check-store-error",
                    message = format!("{}: {e}", dir.display())
                )
            );
            eprintln!("{}", say!("cli-check-store-still-running"));
            Err(ExitCode::from(2))
        }
    }
}

/// Arguments of `check-store`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The gateway configuration (TOML); the store its `[store]` names is checked (its
    /// `gateway.data_dir`, or its PostgreSQL database, online).
    #[arg(
        long,
        required_unless_present = "data",
        conflicts_with = "data",
        help = say!("cli-check-store-help-config")
    )]
    config: Option<PathBuf>,
    /// A data folder to check instead (e.g. a backup made by `lienthong backup`; opening
    /// it applies the store's recovery, as a restore would).
    #[arg(long, help = say!("cli-check-store-help-data"))]
    data: Option<PathBuf>,
    /// Also read every payload back and compare its SHA-256 (reads the whole log).
    #[arg(long, help = say!("cli-check-store-help-hashes"))]
    hashes: bool,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let level = if args.hashes {
        VerifyLevel::BlobsHashed
    } else {
        VerifyLevel::BlobsPresent
    };
    let (store, dir) = match open(args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let dir = std::path::Path::new(&dir);
    let report = match store.check(level) {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "{}",
                say!(
                    "cli-check-store-check-failed",
                    dir = dir.display().to_string(),
                    error = e.to_string()
                )
            );
            return ExitCode::from(2);
        }
    };
    let counts = say!(
        "cli-check-store-counts",
        dir = dir.display().to_string(),
        messages = report.messages,
        queue = report.queue_entries,
        inbox = report.inbox_entries,
        payloads = report.blobs
    );
    if args.hashes {
        println!("{counts} ({})", say!("cli-check-store-hashes-read"));
    } else {
        println!("{counts}");
    }
    if report.problems.is_empty() {
        println!("{}", say!("cli-check-store-healthy"));
        ExitCode::SUCCESS
    } else {
        println!(
            "{}",
            say!("cli-check-store-problems", count = report.problems.len())
        );
        for p in &report.problems {
            println!("  {p}");
        }
        ExitCode::from(1)
    }
}
