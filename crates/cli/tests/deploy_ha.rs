//! deploy/ha, the example of one gateway on two nodes and PostgreSQL: its configuration
//! loads (every file it names in place), its systemd template unit verifies and may write
//! the backup folder the configuration names, and HAProxy accepts its configuration, which
//! sends to the port the nodes listen on and checks `/readyz` over TLS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod units;

fn root() -> PathBuf {
    lienthong_testkit::repo_root()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The value of `key = "…"` in `text`.
fn quoted<'a>(text: &'a str, key: &str) -> &'a str {
    text.split_once(&format!("{key} = \""))
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v)
        .unwrap_or_else(|| panic!("no {key} = \"…\""))
}

#[test]
fn the_ha_configuration_loads_on_postgres_with_its_files_in_place() {
    let text = read("deploy/ha/gateway.toml");
    // Everything it names under /etc/lienthong, put in a folder of the test's.
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().display().to_string();
    let certs = dir.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    let dev = root().join("certs-dev");
    for (from, to) in [
        ("gateways/gw-h50.pem", "gw-h50.pem"),
        ("gateways/gw-h50.key", "gw-h50.key"),
        ("ca.pem", "ca.pem"),
        ("ca.crl.pem", "ca.crl.pem"),
        ("ca.pem", "pg-ca.pem"),
    ] {
        std::fs::copy(dev.join(from), certs.join(to)).unwrap();
    }
    std::fs::copy(
        root().join("deploy/federation/directory.toml"),
        dir.path().join("directory.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("pg-password"), "secret\n").unwrap();
    let local = text.replace("/etc/lienthong", &etc);
    let config = dir.path().join("gateway.toml");
    std::fs::write(&config, &local).unwrap();
    let v = lienthong_gateway::Config::load(&config).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v.config.store.engine,
        lienthong_gateway::config::store::StoreEngine::Postgres
    );
    assert!(
        v.config.gateway.data_dir.is_none(),
        "no data folder on PostgreSQL"
    );
    let opts = v.config.store.options().unwrap();
    assert_eq!(
        opts.password.as_deref(),
        Some("secret"),
        "read from its file"
    );
    assert!(opts.tls.is_some(), "sslmode=require with [store.tls]");
    // `serve --check` agrees.
    let out = Command::new(env!("CARGO_BIN_EXE_lienthong"))
        .args(["--lang", "en", "serve", "--check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "serve --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Without [store.tls], sslmode=require is refused, naming what is missing.
    let no_tls = local.split("[store.tls]").next().unwrap_or_default();
    std::fs::write(&config, no_tls).unwrap();
    let e = lienthong_gateway::Config::load(&config)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sslmode=require") && e.contains("[store.tls]"),
        "{e}"
    );
    // And the embedded store needs its folder.
    let sled = local.replace("engine = \"postgres\"", "engine = \"sled\"");
    std::fs::write(&config, sled).unwrap();
    let e = lienthong_gateway::Config::load(&config)
        .unwrap_err()
        .to_string();
    assert!(e.contains("gateway.data_dir"), "{e}");
}

#[test]
fn the_node_unit_verifies_and_lets_the_node_write_its_backup_folder() {
    let unit = read("deploy/ha/lienthong@.service");
    let config = read("deploy/ha/gateway.toml");
    let backups = quoted(&config, "dir");
    let writable = units::writable_paths(&unit);
    assert!(
        writable.iter().any(|w| Path::new(backups).starts_with(w)),
        "{backups} is not writable under ProtectSystem=strict: {writable:?}"
    );
    assert!(unit.contains("--config /etc/lienthong/gateway.toml"));
    units::verify(&unit, "lienthong@node1.service");
}

#[test]
fn haproxy_passes_tls_through_to_the_nodes_port_and_checks_readyz() {
    let cfg = read("deploy/ha/haproxy.cfg");
    let config = read("deploy/ha/gateway.toml");
    let port = quoted(&config, "addr")
        .rsplit_once(':')
        .map(|(_, p)| p.to_owned())
        .unwrap();
    assert!(
        cfg.contains("mode tcp"),
        "TLS must reach the nodes untouched"
    );
    let servers: Vec<&str> = cfg
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("server "))
        .collect();
    let (backups, ready): (Vec<&str>, Vec<&str>) =
        servers.iter().partition(|s| s.contains(" backup"));
    assert_eq!(ready.len(), 2, "two nodes, checked by /readyz");
    assert_eq!(backups.len(), 2, "the same two, by TCP, when none is ready");
    for s in &servers {
        assert!(
            s.contains(&format!(":{port} ")),
            "{s}: the nodes listen on {port}"
        );
    }
    for s in &ready {
        assert!(s.contains("check-ssl"), "{s}: the check speaks TLS");
    }
    assert!(cfg.contains("option httpchk GET /readyz"));
    let Some(haproxy) = lienthong_testkit::tool("haproxy") else {
        return;
    };
    let out = Command::new(haproxy)
        .args(["-c", "-f"])
        .arg(root().join("deploy/ha/haproxy.cfg"))
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.contains("Configuration file is valid"),
        "haproxy -c:\n{report}"
    );
}
