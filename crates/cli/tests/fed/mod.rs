//! What the CLI's integration tests share: a federation on its own runtime, running the
//! `lienthong` binary and reading what it did.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec, NodeSpec};
use serde_json::Value;

use super::support::certs;

/// How the binary is run (shared with the tests that need no federation).
#[path = "../cmd/mod.rs"]
pub mod cmd;

/// A federation running on its own runtime, so the test thread can run the binary.
pub struct Fed {
    pub rt: tokio::runtime::Runtime,
    pub f: Federation,
    pub tmp: tempfile::TempDir,
}

impl Fed {
    pub fn start(gateways: &[&str], extra_toml: &str) -> Fed {
        let nodes = lienthong_testkit::federation::GATEWAYS
            .iter()
            .filter(|g| gateways.contains(&g.id))
            .map(|g| NodeSpec {
                id: g.id.into(),
                parent: g.parent.filter(|p| gateways.contains(p)).map(Into::into),
                agencies: lienthong_testkit::federation::AGENCIES
                    .iter()
                    .filter(|a| a.gateway == g.id)
                    .map(|a| (a.code.into(), a.name.into()))
                    .collect(),
            })
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        let spec = FederationSpec {
            nodes,
            certs: certs(),
            root: tmp.path().join("fed"),
            policy: SignaturePolicy::Require,
            extra_toml: extra_toml.into(),
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut f = Federation::prepare(&spec).unwrap();
        rt.block_on(f.start_all()).unwrap();
        Fed { rt, f, tmp }
    }

    /// `--gateway URL --cert … --key … --ca …` for gateway `gw` with the certificate
    /// `certs-dev/<identity>.pem`.
    pub fn conn(&self, gw: &str, identity: &str) -> Vec<OsString> {
        vec![
            "--gateway".into(),
            self.f.url(gw).unwrap().into(),
            "--cert".into(),
            certs().join(format!("{identity}.pem")).into(),
            "--key".into(),
            certs().join(format!("{identity}.key")).into(),
            "--ca".into(),
            certs().join("ca.pem").into(),
        ]
    }

    pub fn dms(&self, gw: &str, agency: &str) -> Vec<OsString> {
        self.conn(gw, &format!("dms/{agency}"))
    }

    pub fn ops(&self, gw: &str) -> Vec<OsString> {
        self.conn(gw, "operator/ops")
    }

    /// A file in this test's temporary folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn stop(&mut self, gw: &str) {
        self.rt.block_on(self.f.stop(gw));
    }
}

impl Drop for Fed {
    fn drop(&mut self) {
        self.rt.block_on(self.f.stop_all());
    }
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl From<std::process::Output> for Out {
    fn from(out: std::process::Output) -> Out {
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Out {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// Exit code `want`, or fail showing everything.
    pub fn expect(self, want: i32) -> Out {
        assert_eq!(
            self.code,
            want,
            "exit code\nstdout: {}\nstderr: {}",
            self.text(),
            self.stderr
        );
        self
    }
}

/// Run `lienthong ARGS…` in English (`LANG=en_US.UTF-8`, no `LC_ALL` or `LC_MESSAGES`):
/// the assertions read its English.
pub fn lienthong<I, S>(args: I) -> Out
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    lienthong_lang(args, Some("en_US.UTF-8"))
}

/// Run `lienthong ARGS…` with `LANG` set to `lang`, or with no locale at all (`None`);
/// `LC_ALL` and `LC_MESSAGES` are never set.
pub fn lienthong_lang<I, S>(args: I, lang: Option<&str>) -> Out
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    Out::from(
        cmd::command(lang)
            .args(args.into_iter().map(Into::into))
            .output()
            .unwrap(),
    )
}

/// `lienthong <cmd…> <conn…> <rest…>`, in English.
pub fn run(cmd: &[&str], conn: &[OsString], rest: &[&dyn AsRef<std::ffi::OsStr>]) -> Out {
    run_lang(cmd, conn, rest, Some("en_US.UTF-8"))
}

/// `lienthong <cmd…> <conn…> <rest…>` with `LANG` set to `lang`, or no locale at all.
pub fn run_lang(
    cmd: &[&str],
    conn: &[OsString],
    rest: &[&dyn AsRef<std::ffi::OsStr>],
    lang: Option<&str>,
) -> Out {
    let mut args: Vec<OsString> = cmd.iter().map(OsString::from).collect();
    args.extend(conn.iter().cloned());
    args.extend(rest.iter().map(|a| a.as_ref().to_owned()));
    lienthong_lang(args, lang)
}

/// Poll `f` until it gives `Some`, or fail after `limit`.
pub fn eventually<R>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<R>) -> R {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
