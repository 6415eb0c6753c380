//! What an integrator meets in the first hour: connection profiles and `LIENTHONG_*`
//! variables in place of the four long flags; a connection that fails said as what to do
//! (nothing listening, the wrong CA, a refused client certificate, another name); `sign`
//! warning of what a gateway would refuse.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

mod fed;
use fed::*;

use support::certs;

/// Run `lienthong ARGS…` in English with only the given `LIENTHONG_*` variables, and
/// `XDG_CONFIG_HOME` at `config` (the profile file is `config/lienthong/profile.toml`).
fn with_env(config: &Path, env: &[(&str, &OsString)], args: &[&dyn AsRef<std::ffi::OsStr>]) -> Out {
    let mut cmd = fed::cmd::command(Some("en_US.UTF-8"));
    cmd.args(args.iter().map(|a| a.as_ref().to_owned()))
        .env("XDG_CONFIG_HOME", config)
        .env("HOME", config);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Out::from(cmd.output().unwrap())
}

fn os(p: impl AsRef<std::ffi::OsStr>) -> OsString {
    p.as_ref().to_owned()
}

#[test]
fn profiles_and_variables_stand_in_for_the_four_flags() {
    let fed = Fed::start(&["gw-h50"], "");
    let url = fed.f.url("gw-h50").unwrap();
    let config = fed.path("config");
    let file = config.join("lienthong/profile.toml");
    let c = certs();
    let (ca, dms_pem, dms_key) = (
        c.join("ca.pem"),
        c.join("dms/000.00.11.H50.pem"),
        c.join("dms/000.00.11.H50.key"),
    );
    let (ops_pem, ops_key) = (c.join("operator/ops.pem"), c.join("operator/ops.key"));

    let add = |name: &str, cert: &Path, key: &Path| {
        with_env(
            &config,
            &[],
            &[
                &"profile",
                &"add",
                &name,
                &"--gateway",
                &url,
                &"--ca",
                &ca,
                &"--cert",
                &cert,
                &"--key",
                &key,
            ],
        )
    };

    // Nothing given: which options are missing, and how to give them once.
    let none = with_env(&config, &[], &[&"inbox", &"list"]).expect(2);
    for want in [
        "--gateway (LIENTHONG_GATEWAY)",
        "--ca (LIENTHONG_CA)",
        "profile add",
    ] {
        assert!(none.stderr.contains(want), "{want}: {}", none.stderr);
    }
    assert!(!file.exists());

    // A profile with a file that does not exist is refused, and nothing is written.
    let missing = fed.path("nowhere.pem");
    let bad = add("h50", &missing, &dms_key).expect(2);
    assert!(bad.stderr.contains("nowhere.pem"), "{}", bad.stderr);
    assert!(!file.exists());

    // The first profile is the default.
    let added = add("h50", &dms_pem, &dms_key).expect(0);
    assert!(added.text().contains("as the default"), "{}", added.text());
    assert!(added.text().contains(&file.display().to_string()));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("default = \"h50\""), "{written}");
    // Absolute paths, so that the profile works from any folder.
    let abs = std::fs::canonicalize(&dms_pem).unwrap();
    assert!(written.contains(&abs.display().to_string()), "{written}");

    // Now the four flags are not needed.
    with_env(&config, &[], &[&"inbox", &"list"]).expect(0);
    // The DMS profile is not an operator: the gateway says so.
    let forbidden = with_env(&config, &[], &[&"queue", &"stats", &"--json"]).expect(1);
    assert_eq!(forbidden.json()["error"]["code"], "auth.forbidden");

    // A second profile, chosen by name or by LIENTHONG_PROFILE.
    add("ops", &ops_pem, &ops_key).expect(0);
    with_env(&config, &[], &[&"queue", &"stats", &"--profile", &"ops"]).expect(0);
    with_env(
        &config,
        &[("LIENTHONG_PROFILE", &os("ops"))],
        &[&"queue", &"stats"],
    )
    .expect(0);
    let list = with_env(&config, &[], &[&"profile", &"list"]).expect(0);
    assert!(list.text().contains("h50*"), "{}", list.text());
    assert!(list.text().contains("ops"), "{}", list.text());

    // Variables override the profile: the operator's certificate over the default DMS one.
    let as_ops = [
        ("LIENTHONG_CERT", &os(&ops_pem)),
        ("LIENTHONG_KEY", &os(&ops_key)),
    ];
    with_env(&config, &as_ops, &[&"queue", &"stats"]).expect(0);
    // Flags override the variables: a wrong gateway in the environment, the right one given.
    let nowhere = os(format!("https://127.0.0.1:{}", free_port()));
    let wrong = [("LIENTHONG_GATEWAY", &nowhere)];
    let down = with_env(&config, &wrong, &[&"inbox", &"list", &"--json"]).expect(2);
    assert_eq!(down.json()["error"]["code"], "connection.refused");
    with_env(&config, &wrong, &[&"inbox", &"list", &"--gateway", &url]).expect(0);

    // Mistakes are named.
    let unknown = with_env(&config, &[], &[&"inbox", &"list", &"--profile", &"nosuch"]).expect(2);
    assert!(
        unknown.stderr.contains("no profile nosuch"),
        "{}",
        unknown.stderr
    );
    assert!(unknown.stderr.contains("h50, ops"), "{}", unknown.stderr);
    let bad_name = add("a b", &dms_pem, &dms_key).expect(2);
    assert!(
        bad_name.stderr.contains("cannot be a profile name"),
        "{}",
        bad_name.stderr
    );
    with_env(&config, &[], &[&"profile", &"remove", &"ops"]).expect(0);
    with_env(&config, &[], &[&"queue", &"stats", &"--profile", &"ops"]).expect(2);

    // A profile file with a mistake in it is named, with what is wrong.
    std::fs::write(&file, "[profile.x]\ngatway = \"https://127.0.0.1:1\"\n").unwrap();
    let broken = with_env(&config, &[], &[&"inbox", &"list"]).expect(2);
    assert!(
        broken.stderr.contains(&file.display().to_string()),
        "{}",
        broken.stderr
    );
    assert!(broken.stderr.contains("gatway"), "{}", broken.stderr);
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `inbox list` against the gateway at `url` with these credentials: the error object of
/// its `--json` form, and what it says to a person.
fn failure(url: &str, ca: &Path, cert: &Path, key: &Path) -> (serde_json::Value, String) {
    let conn = [
        os("--gateway"),
        os(url),
        os("--ca"),
        os(ca),
        os("--cert"),
        os(cert),
        os("--key"),
        os(key),
    ];
    let run = |json: bool| {
        let mut args = vec![os("inbox"), os("list")];
        if json {
            args.push(os("--json"));
        }
        args.extend(conn.iter().cloned());
        lienthong(args).expect(2)
    };
    (run(true).json()["error"].clone(), run(false).stderr)
}

/// A throw-away PKI written to `dir`: (ca.pem, dms cert, dms key).
fn other_pki(dir: &Path, ca_name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let pki = lienthong_testkit::pki::DevPki::generate_named(ca_name).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let dms = pki.dms.get("000.00.11.H50").unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    (
        w("ca.pem", &pki.ca.cert_pem),
        w("dms.pem", &dms.cert_pem),
        w("dms.key", &dms.key_pem),
    )
}

#[test]
fn connection_failures_say_what_to_do() {
    let fed = Fed::start(&["gw-h50"], "");
    let url = fed.f.url("gw-h50").unwrap();
    let c = certs();
    let (ca, pem, key) = (
        c.join("ca.pem"),
        c.join("dms/000.00.11.H50.pem"),
        c.join("dms/000.00.11.H50.key"),
    );

    // Nothing listening: which address and port.
    let port = free_port();
    let (e, said) = failure(&format!("https://127.0.0.1:{port}"), &ca, &pem, &key);
    assert_eq!(e["code"], "connection.refused", "{e}");
    assert!(
        said.contains(&format!("nothing is listening on 127.0.0.1:{port}")),
        "{said}"
    );
    assert!(said.contains("another port"), "{said}");

    // The gateway's certificate is not signed by the CA in --ca: a CA of the same name and
    // another key (a regenerated development PKI: BadSignature), and another CA altogether.
    for (tag, name) in [
        ("same-name", "lienthong DEV Root CA"),
        ("other", "Some Other CA"),
    ] {
        let (other_ca, _, _) = other_pki(&fed.path(tag), name);
        let (e, said) = failure(&url, &other_ca, &pem, &key);
        assert_eq!(e["code"], "connection.server_untrusted", "{tag}: {e}");
        assert!(
            said.contains("not signed by the CA in --ca"),
            "{tag}: {said}"
        );
        assert!(
            said.contains(&other_ca.display().to_string()),
            "{tag}: {said}"
        );
        assert!(
            !said.contains("BadSignature") && !said.contains("UnknownIssuer"),
            "{said}"
        );
    }

    // The gateway refuses a client certificate from a CA it does not trust.
    let (_, stranger, stranger_key) = other_pki(&fed.path("stranger"), "Stranger CA");
    let (e, said) = failure(&url, &ca, &stranger, &stranger_key);
    let code = e["code"].as_str().unwrap().to_owned();
    assert!(
        code == "connection.client_refused" || code == "connection.closed",
        "{e}"
    );
    assert!(said.contains("client certificate"), "{said}");
    assert!(said.contains(&stranger.display().to_string()), "{said}");
    assert!(!said.contains("broken pipe"), "{said}");

    // A server whose certificate names another host.
    let (name_url, _server) = server_named("gw.example.invalid");
    let (e, said) = failure(&name_url, &ca, &pem, &key);
    assert_eq!(e["code"], "connection.name_mismatch", "{e}");
    assert!(said.contains("not issued for 127.0.0.1"), "{said}");

    // In Vietnamese too.
    let vi = lienthong([
        os("--lang"),
        os("vi"),
        os("inbox"),
        os("list"),
        os("--gateway"),
        os(format!("https://127.0.0.1:{port}")),
        os("--ca"),
        os(&ca),
        os("--cert"),
        os(&pem),
        os("--key"),
        os(&key),
    ])
    .expect(2);
    assert!(
        vi.stderr.contains("không có dịch vụ nào đang nghe"),
        "{}",
        vi.stderr
    );
}

/// A TLS server on loopback whose certificate (from the development CA) names only `dns`;
/// it completes handshakes and closes. Its runtime lives as long as the returned value.
fn server_named(dns: &str) -> (String, tokio::runtime::Runtime) {
    let ca_key = std::fs::read_to_string(certs().join("ca.key")).unwrap();
    let mut spec = lienthong_testkit::pki::LeafSpec::client("impostor", "test", "urn:x:y", 77);
    spec.dns = vec![dns.to_owned()];
    spec.ips = Vec::new();
    spec.ekus = vec![rcgen_server_auth()];
    let issued = lienthong_testkit::pki::issue_from_dev_ca(&ca_key, &spec).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    use rustls_pki_types::pem::PemObject;
    let cert =
        rustls_pki_types::CertificateDer::from_pem_slice(issued.cert_pem.as_bytes()).unwrap();
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(issued.key_pem.as_bytes()).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let a = acceptor.clone();
            tokio::spawn(async move {
                let _ = a.accept(tcp).await;
            });
        }
    });
    (format!("https://127.0.0.1:{port}"), rt)
}

fn rcgen_server_auth() -> lienthong_testkit::rcgen::ExtendedKeyUsagePurpose {
    lienthong_testkit::rcgen::ExtendedKeyUsagePurpose::ServerAuth
}

#[test]
fn sign_says_where_the_file_went_and_warns_of_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("doc.edxml");
    std::fs::write(
        &input,
        support::edoc_xml("000.00.01.H50", &["000.00.11.H48"], 5),
    )
    .unwrap();
    let c = certs();
    let sign = |signer: &str, out: &Path| {
        lienthong([
            os("sign"),
            os("--key"),
            os(c.join(format!("signers/{signer}.key"))),
            os("--cert"),
            os(c.join(format!("signers/{signer}.pem"))),
            os(&input),
            os("-o"),
            os(out),
        ])
    };
    // The agency's own certificate: where it went, who signed, no warning.
    let good = dir.path().join("good.edxml");
    let ok = sign("000.00.01.H50", &good).expect(0);
    assert!(
        ok.stderr
            .contains(&format!("written to {}", good.display())),
        "{}",
        ok.stderr
    );
    assert!(ok.stderr.contains("signed by"), "{}", ok.stderr);
    assert!(!ok.stderr.contains("warning"), "{}", ok.stderr);
    assert!(good.exists());

    // Another agency's certificate: signed as asked, with the gateway's objection.
    let other = dir.path().join("other.edxml");
    let warned = sign("000.05.21.H50", &other).expect(0);
    assert!(other.exists());
    assert!(
        warned.stderr.contains("warning: a gateway will refuse"),
        "{}",
        warned.stderr
    );
    assert!(warned.stderr.contains("000.00.01.H50"), "{}", warned.stderr);

    // An expired certificate (of 000.00.11.H50, for a document of that agency).
    std::fs::write(
        &input,
        support::edoc_xml("000.00.11.H50", &["000.00.11.H48"], 6),
    )
    .unwrap();
    let old = dir.path().join("old.edxml");
    let expired = sign("expired", &old).expect(0);
    assert!(
        !expired.stderr.contains("says it is from"),
        "{}",
        expired.stderr
    );
    assert!(
        expired.stderr.contains("warning: a gateway will refuse"),
        "{}",
        expired.stderr
    );
    assert!(expired.stderr.contains("expired"), "{}", expired.stderr);

    // The same warning in Vietnamese.
    let vi = lienthong([
        os("--lang"),
        os("vi"),
        os("sign"),
        os("--key"),
        os(c.join("signers/expired.key")),
        os("--cert"),
        os(c.join("signers/expired.pem")),
        os(&input),
        os("-o"),
        os(&old),
    ])
    .expect(0);
    assert!(vi.stderr.contains("cảnh báo"), "{}", vi.stderr);
}
