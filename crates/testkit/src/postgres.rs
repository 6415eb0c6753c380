//! Throw-away PostgreSQL clusters for tests: `initdb` into a temporary folder, a server on a
//! free loopback port, one database per test. Debian's server packages are found under
//! `/usr/lib/postgresql/VERSION/bin` (or `$LIENTHONG_PG_BIN`). As root (CI containers), the
//! cluster runs as the `postgres` user, since PostgreSQL refuses to run as root.
//!
//! A watchdog process stops the server when the test process ends, whatever way it ends.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

/// A running cluster.
#[derive(Debug)]
pub struct PgCluster {
    root: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    next_db: AtomicU32,
    /// Server settings (`-c name=value …`).
    settings: String,
}

/// Settings of a test cluster: no fsync (a killed server loses nothing it committed, the OS
/// has the pages; only a power cut would), room for many connections.
pub const TEST_SETTINGS: &str = "-c fsync=off -c max_connections=200";

/// Settings of a benchmark cluster: durable commits (fsync, `synchronous_commit = on`), as
/// in production, and memory for a deep queue.
pub const BENCH_SETTINGS: &str = "-c fsync=on -c synchronous_commit=on -c max_connections=300 \
     -c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min";

/// The folder of the PostgreSQL server programs, if installed.
pub fn pg_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LIENTHONG_PG_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

/// The cluster this test process shares (started on first use), or `None` when PostgreSQL
/// is not installed and `LIENTHONG_REQUIRE_TOOLS` is not set (the caller skips, saying so).
///
/// # Panics
/// When PostgreSQL is required but missing, or the cluster does not start.
#[allow(clippy::panic)]
pub fn shared() -> Option<Arc<PgCluster>> {
    static SHARED: OnceLock<Option<Arc<PgCluster>>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            if pg_bin().is_none() {
                if crate::tools_required() {
                    panic!(
                        "PostgreSQL's server programs are missing (apt-get install postgresql), and LIENTHONG_REQUIRE_TOOLS=1"
                    );
                }
                eprintln!("skipping the PostgreSQL half: no PostgreSQL server installed");
                return None;
            }
            Some(Arc::new(PgCluster::start()))
        })
        .clone()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(55432)
}

impl PgCluster {
    /// A new cluster of its own (for tests that stop and start the server), with
    /// [`TEST_SETTINGS`].
    ///
    /// # Panics
    /// When the server programs are missing or it does not start.
    pub fn start() -> PgCluster {
        PgCluster::start_with(TEST_SETTINGS)
    }

    /// A new cluster with these server settings (`-c name=value …`).
    ///
    /// # Panics
    /// When the server programs are missing or it does not start.
    #[allow(clippy::panic, clippy::expect_used)]
    pub fn start_with(settings: &str) -> PgCluster {
        let bin = pg_bin().expect("PostgreSQL's server programs (apt-get install postgresql)");
        let root = std::env::temp_dir().join(format!(
            "lienthong-pg-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&root).expect("cluster folder");
        let as_postgres = is_root();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:", root.to_str().unwrap_or_default()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown of {} to postgres", root.display());
        }
        let c = PgCluster {
            root,
            bin,
            port: free_port(),
            as_postgres,
            next_db: AtomicU32::new(0),
            settings: settings.to_owned(),
        };
        let data = c.data();
        let out = c
            .command("initdb")
            .args(["-D", data.to_str().unwrap_or_default()])
            .args(["-A", "trust", "-U", "lienthong", "-E", "UTF8", "--no-sync"])
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        c.start_server();
        c.watchdog();
        c
    }

    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    /// A server program, run as `postgres` when we are root.
    pub fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server programs' folder (`pgbench` is there too).
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// Start the server (again) and wait until it accepts connections.
    ///
    /// # Panics
    /// When it does not start.
    #[allow(clippy::panic)]
    pub fn start_server(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 {}",
            self.port,
            self.root.display(),
            self.settings
        );
        let out = self
            .command("pg_ctl")
            .args(["-D", self.data().to_str().unwrap_or_default()])
            .args(["-o", &opts, "-l"])
            .arg(self.root.join("server.log"))
            .args(["-w", "-t", "30", "start"])
            .stdout(Stdio::null())
            .output();
        match out {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "PostgreSQL did not start: {} {}",
                String::from_utf8_lossy(&o.stderr),
                std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default()
            ),
            Err(e) => panic!("pg_ctl: {e}"),
        }
    }

    /// Stop the server: `fast` (clients disconnected, a clean shutdown) or `immediate`
    /// (as a crash: recovery at the next start).
    pub fn stop_server(&self, mode: &str) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", self.data().to_str().unwrap_or_default()])
            .args(["-m", mode, "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// A new, empty database; its URL.
    ///
    /// # Panics
    /// When it cannot be created.
    #[allow(clippy::panic)]
    pub fn database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            self.next_db.fetch_add(1, Ordering::SeqCst)
        );
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://lienthong@127.0.0.1:{}/{name}", self.port)
    }

    /// Run `sql` in database `db` with psql; its output (unaligned, tuples only).
    ///
    /// # Panics
    /// When psql fails.
    #[allow(clippy::panic)]
    pub fn sql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args([
                "-U",
                "lienthong",
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtc",
                sql,
            ])
            .output();
        match out {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
            Ok(o) => panic!("psql {sql:?}: {}", String::from_utf8_lossy(&o.stderr)),
            Err(e) => panic!("psql: {e}"),
        }
    }

    /// Stop the server and remove the cluster when this process ends, however it ends.
    fn watchdog(&self) {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{root}'",
            pid = std::process::id(),
            stop = self.stop_line(),
            root = self.root.display()
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    fn stop_line(&self) -> String {
        let ctl = self.bin.join("pg_ctl");
        let prefix = if self.as_postgres {
            "runuser -u postgres -- "
        } else {
            ""
        };
        format!(
            "{prefix}'{}' -D '{}' -m immediate stop >/dev/null 2>&1",
            ctl.display(),
            self.data().display()
        )
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop_server("immediate");
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
