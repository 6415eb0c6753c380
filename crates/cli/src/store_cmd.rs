//! `lienthong store migrate --from SOURCE --to DEST`: copy a stopped gateway's store into an
//! empty one on another engine, then prove the copy with the store check.
//!
//! SOURCE and DEST are `sled:DIR` (an embedded store's data folder), `postgres://…` (a
//! database; `--password-file` for its password, no TLS) or `config:FILE` (the store a
//! gateway configuration names, `[store]` with its TLS and password file).
//!
//! Every key space is copied, each payload read back and its SHA-256 checked on the way;
//! then the destination is checked as `check-store --hashes` would (every record, index,
//! counter and payload), and its messages per state compared with the source's.
//!
//! Exit codes: 0 copied and verified, 1 copied but the check found problems (listed), 2
//! nothing usable was copied (an endpoint could not be opened, or the destination is not
//! empty).

use std::path::PathBuf;
use std::process::ExitCode;

use lienthong_store::prelude::*;
use lienthong_store::{KvStore, PgOptions, StoreConfig, VerifyLevel};

/// Arguments of `store`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: StoreCmd,
}

#[derive(Debug, clap::Subcommand)]
enum StoreCmd {
    /// Copy a stopped gateway's store into an empty store on another engine and check it.
    #[command(about = say!("cli-store-help-migrate"))]
    Migrate(MigrateArgs),
}

#[derive(Debug, clap::Args)]
struct MigrateArgs {
    /// `sled:DIR`, `postgres://…` or `config:FILE`.
    #[arg(long, help = say!("cli-store-help-from"))]
    from: String,
    /// `sled:DIR`, `postgres://…` or `config:FILE`; must be empty.
    #[arg(long, help = say!("cli-store-help-to"))]
    to: String,
    /// The password of a `postgres://` endpoint, from this file.
    #[arg(long, help = say!("cli-store-help-password-file"))]
    password_file: Option<PathBuf>,
}

/// Where a store is.
enum Endpoint {
    Sled(PathBuf),
    Postgres(Box<PgOptions>),
}

pub(crate) fn run(args: &Args) -> ExitCode {
    match &args.cmd {
        StoreCmd::Migrate(m) => migrate(m),
    }
}

fn fail(message: String) -> ExitCode {
    eprintln!("{}", say!("cli-store-error", message = message));
    ExitCode::from(2)
}

fn endpoint(given: &str, password: Option<&PathBuf>) -> Result<Endpoint, String> {
    if let Some(dir) = given.strip_prefix("sled:") {
        return Ok(Endpoint::Sled(PathBuf::from(dir)));
    }
    if let Some(file) = given.strip_prefix("config:") {
        let v = lienthong_gateway::Config::load(std::path::Path::new(file))
            .map_err(|e| e.to_string())?;
        return match v.config.store.engine {
            lienthong_gateway::config::store::StoreEngine::Postgres => {
                Ok(Endpoint::Postgres(Box::new(v.config.store.options()?)))
            }
            lienthong_gateway::config::store::StoreEngine::Sled => Ok(Endpoint::Sled(
                v.config.gateway.data_dir.clone().unwrap_or_default(),
            )),
        };
    }
    if given.starts_with("postgres://") || given.starts_with("postgresql://") {
        let mut opts = PgOptions::new(given);
        if let Some(f) = password {
            opts.password = Some(lienthong_gateway::config::store::read_password(f)?);
        }
        opts.check()?;
        return Ok(Endpoint::Postgres(Box::new(opts)));
    }
    Err(say!("cli-store-endpoint", given = given))
}

fn config() -> StoreConfig {
    // The copy reads and checks every payload itself.
    StoreConfig {
        verify_on_open: VerifyLevel::Off,
        ..StoreConfig::default()
    }
}

/// Open the source: it must exist (never created by reading it).
fn open_source(e: &Endpoint) -> Result<KvStore, String> {
    match e {
        Endpoint::Sled(dir) => {
            if !dir.join("meta").join("db").is_file() {
                return Err(say!(
                    "cli-check-store-no-meta",
                    dir = dir.display().to_string()
                ));
            }
            KvStore::open_at(dir, config(), now()).map_err(|err| {
                format!(
                    "{}: {err} {}",
                    dir.display(),
                    say!("cli-check-store-still-running")
                )
            })
        }
        Endpoint::Postgres(o) => KvStore::open_postgres(o, config()).map_err(|e| e.to_string()),
    }
}

/// Open the destination: a new or empty folder, or a database (its schema applied).
fn open_dest(e: &Endpoint) -> Result<KvStore, String> {
    match e {
        Endpoint::Sled(dir) => {
            let empty = std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
            if !empty {
                return Err(say!(
                    "cli-store-dest-not-empty",
                    dest = dir.display().to_string()
                ));
            }
            KvStore::open_at(dir, config(), now())
                .map_err(|err| format!("{}: {err}", dir.display()))
        }
        Endpoint::Postgres(o) => KvStore::open_postgres(o, config()).map_err(|e| e.to_string()),
    }
}

fn now() -> lienthong_types::Timestamp {
    lienthong_types::Clock::now(&lienthong_types::SystemClock)
}

fn migrate(m: &MigrateArgs) -> ExitCode {
    let (from, to) = match (
        endpoint(&m.from, m.password_file.as_ref()),
        endpoint(&m.to, m.password_file.as_ref()),
    ) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let source = match open_source(&from) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let dest = match open_dest(&to) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let (src_name, dest_name) = (
        source.dir().display().to_string(),
        dest.dir().display().to_string(),
    );
    if src_name == dest_name {
        return fail(say!("cli-store-same", store = src_name));
    }
    match dest.is_empty_store() {
        Ok(true) => {}
        Ok(false) => return fail(say!("cli-store-dest-not-empty", dest = dest_name)),
        Err(e) => return fail(e.to_string()),
    }
    let started = std::time::Instant::now();
    let copied = match source.copy_to(&dest) {
        Ok(r) => r,
        Err(e) => return fail(say!("cli-store-copy-failed", error = e.to_string())),
    };
    println!(
        "{}",
        say!(
            "cli-store-copied",
            from = src_name.as_str(),
            to = dest_name.as_str(),
            entries = copied.entries,
            payloads = copied.payloads,
            bytes = copied.payload_bytes,
            seconds = format!("{:.1}", started.elapsed().as_secs_f64())
        )
    );
    let (before, after) = match (source.queue_stats(now()), dest.queue_stats(now())) {
        (Ok(a), Ok(b)) => (a.states, b.states),
        (Err(e), _) | (_, Err(e)) => return fail(e.to_string()),
    };
    let report = match dest.check(VerifyLevel::BlobsHashed) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let mut problems = report.problems;
    if before != after {
        problems.push(say!(
            "cli-store-states-differ",
            before = format!("{before:?}"),
            after = format!("{after:?}")
        ));
    }
    if problems.is_empty() {
        println!(
            "{}",
            say!(
                "cli-store-verified",
                messages = report.messages,
                payloads = report.blobs
            )
        );
        ExitCode::SUCCESS
    } else {
        println!(
            "{}",
            say!("cli-check-store-problems", count = problems.len())
        );
        for p in &problems {
            println!("  {p}");
        }
        ExitCode::from(1)
    }
}
