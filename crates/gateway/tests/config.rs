//! Configuration: the examples in deploy/ load; bad ones fail before anything is bound,
//! naming every problem.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_gateway::Config;

fn root() -> std::path::PathBuf {
    lienthong_testkit::repo_root()
}

#[test]
fn deploy_examples_are_valid() {
    let dir = root().join("deploy/federation");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name == "directory.toml" || !name.ends_with(".toml") {
            continue;
        }
        let v = Config::load(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            v.config
                .gateway
                .data_dir
                .as_ref()
                .is_some_and(|d| d.starts_with(&dir)),
            "{name}: paths resolve against the file"
        );
        n += 1;
    }
    assert!(n >= 6, "{n} example configs");
    let v = Config::load(&dir.join("gw-h50.toml")).unwrap();
    assert_eq!(v.config.limits.max_body_bytes, 100 * 1024 * 1024 - 1);
    assert_eq!(v.directory.agencies().len(), 9);
}

#[test]
fn local_view_routes_like_the_design() {
    let v = Config::load(&root().join("deploy/federation/local-view-example.toml")).unwrap();
    let here = v.id.clone();
    let today = lienthong_routing::Date::new(2026, 11, 22).unwrap();
    let code = |c: &str| lienthong_edxml::AgencyCode::parse(c).unwrap();
    use lienthong_routing::RouteDecision;
    assert!(matches!(
        v.directory.route(&code("000.00.11.H50"), &here, &[], today),
        RouteDecision::LocalInbox { .. }
    ));
    assert!(
        matches!(v.directory.route(&code("000.05.21.H50"), &here, &[], today), RouteDecision::Child(c) if c.as_str() == "gw-h50-giolinh")
    );
    assert!(
        matches!(v.directory.route(&code("000.00.11.H48"), &here, &[], today), RouteDecision::Parent(p) if p.as_str() == "gw-g22")
    );
}

#[test]
fn unknown_keys_are_refused() {
    let e = Config::load(&root().join("crates/gateway/tests/configs/bad-unknown-key.toml"))
        .unwrap_err();
    assert!(e.to_string().contains("adress"), "{e}");
}

#[test]
fn every_problem_is_named() {
    let e = Config::load(&root().join("crates/gateway/tests/configs/bad-many-problems.toml"))
        .unwrap_err()
        .to_string();
    for needle in [
        "gateway.id",
        "listen.addr 'not an address'",
        "tls.cert: file",
        "tls.client_ca: at least one CA",
        "signing.key: file",
        "trust.document_roots",
        "parent.url 'http://plain-http.example'",
        "agency[0].code",
        "identity[0]: exactly one",
        "identity[0].fingerprint",
    ] {
        assert!(e.contains(needle), "missing '{needle}' in: {e}");
    }
}

#[test]
fn a_missing_file_is_reported() {
    let e = Config::load(std::path::Path::new("/nonexistent/gw.toml")).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
}

#[test]
fn a_directory_without_this_gateway_is_refused() {
    let dir = root().join("deploy/federation");
    let text = std::fs::read_to_string(dir.join("gw-h50.toml"))
        .unwrap()
        .replace("id = \"gw-h50\"", "id = \"gw-nowhere\"");
    let e = Config::from_toml(&text, &dir).unwrap_err();
    assert!(e.contains("gw-nowhere") && e.contains("not in it"), "{e}");
}

#[test]
fn a_child_without_agencies_in_the_local_view_is_warned_about() {
    let dir = root().join("deploy/federation");
    let text = std::fs::read_to_string(dir.join("local-view-example.toml")).unwrap();
    let v = Config::from_toml(&text, &dir).unwrap();
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    // The design document's shape: a [[child]] with an id and a URL only.
    let bare = text.replace("agencies = [\"000.00.21.H50\", \"000.05.21.H50\"]\n", "");
    assert_ne!(bare, text);
    let v = Config::from_toml(&bare, &dir).unwrap();
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
    assert!(
        v.warnings[0].contains("gw-h50-giolinh"),
        "{}",
        v.warnings[0]
    );
    assert!(
        v.warnings[0].contains("nothing will be routed to it"),
        "{}",
        v.warnings[0]
    );
}

#[test]
fn agencies_of_the_configuration_are_warned_about_when_a_directory_file_is_used() {
    let dir = root().join("deploy/federation");
    let text = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let v = Config::from_toml(&text, &dir).unwrap();
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    let with = format!(
        "{text}\n[[agency]]\ncode = \"000.00.11.H50\"\nname = \"Sở Tài chính\"\nsigners = [\"{}\"]\n",
        "ab".repeat(32)
    );
    let v = Config::from_toml(&with, &dir).unwrap();
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
    assert!(
        v.warnings[0].contains("1 [[agency]] entries (1 pinned signers) are ignored"),
        "{}",
        v.warnings[0]
    );
    // And the pin did not reach the directory in force.
    assert_eq!(v.directory.signer_pins().count(), 0);
}

#[test]
fn a_signing_certificate_of_another_gateway_is_refused_before_start() {
    let dir = root().join("deploy/federation");
    let text = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let v = Config::from_toml(&text, &dir).unwrap();
    lienthong_gateway::server::load_keys(&v, lienthong_types::Timestamp::now_utc()).unwrap();
    // Receipts signed with gw-g22's certificate would say gw-h50 received the message:
    // every peer would refuse them and resend forever.
    let signing = "[signing]                 # receipts are signed with the gateway key\ncert = \"../../certs-dev/gateways/gw-h50.pem\"\nkey = \"../../certs-dev/gateways/gw-h50.key\"";
    assert!(text.contains(signing));
    let wrong = text.replace(signing, &signing.replace("gw-h50.", "gw-g22."));
    let v = Config::from_toml(&wrong, &dir).unwrap();
    let e = match lienthong_gateway::server::load_keys(&v, lienthong_types::Timestamp::now_utc()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted another gateway's signing certificate"),
    };
    assert!(e.contains("peers would refuse"), "{e}");
    assert!(e.contains("gw-g22"), "{e}");
    // A key that does not match the certificate is refused too.
    let mismatched = text.replace(
        "key = \"../../certs-dev/gateways/gw-h50.key\"\n\n",
        "key = \"../../certs-dev/gateways/gw-g22.key\"\n\n",
    );
    assert_ne!(mismatched, text);
    let v = Config::from_toml(&mismatched, &dir).unwrap();
    assert!(
        lienthong_gateway::server::load_keys(&v, lienthong_types::Timestamp::now_utc()).is_err()
    );
}

#[test]
fn a_body_budget_smaller_than_the_largest_body_is_refused() {
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let text = example.replace(
        "max_buffered_body_bytes = 536870912",
        "max_buffered_body_bytes = 1000",
    );
    assert_ne!(text, example, "the example sets the budget");
    let e = Config::from_toml(&text, &dir).unwrap_err();
    assert!(
        e.contains("limits.max_buffered_body_bytes (1000) must be at least limits.max_body_bytes"),
        "{e}"
    );
}

/// The operator reads the configuration's problems in Vietnamese by default (serve prints
/// them in the chosen language); the English is the same text `from_toml` gives.
#[test]
fn configuration_problems_are_said_in_either_language() {
    use lienthong_i18n::Lang;
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let text = example.replace(
        "max_buffered_body_bytes = 536870912",
        "max_buffered_body_bytes = 1000",
    );
    let english = Config::from_toml(&text, &dir).unwrap_err();
    let msgs = Config::from_toml_msgs(&text, &dir).unwrap_err();
    let en: Vec<String> = msgs.iter().map(|m| m.render(Lang::En)).collect();
    assert_eq!(en.join("; "), english);
    let vi: Vec<String> = msgs.iter().map(|m| m.render(Lang::Vi)).collect();
    let vi = vi.join("; ");
    assert!(
        vi.contains("limits.max_buffered_body_bytes") && vi.contains("1000"),
        "{vi}"
    );
    assert_ne!(vi, english, "{vi}");
    assert!(vi.contains("ít nhất") || vi.contains("phải"), "{vi}");
}

#[test]
fn request_head_limits_stay_below_the_http_stack_s_own() {
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let v = Config::from_toml(&example, &dir).unwrap();
    let l = &v.config.limits;
    assert_eq!(
        (l.max_uri_bytes, l.max_header_bytes, l.max_headers),
        (8192, 32768, 100)
    );
    for (key, bad) in [
        ("max_uri_bytes", 60_001),
        ("max_header_bytes", 262_145),
        ("max_headers", 513),
        ("max_headers", 0),
    ] {
        let text = example.replace("[limits]\n", &format!("[limits]\n{key} = {bad}\n"));
        assert_ne!(text, example, "the example has a [limits] section");
        let e = Config::from_toml(&text, &dir).unwrap_err();
        assert!(
            e.contains("max_uri_bytes (1 to 60000)"),
            "{key} = {bad}: {e}"
        );
    }
}

#[test]
fn a_backup_folder_inside_the_data_folder_is_refused() {
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let v = Config::from_toml(&example, &dir).unwrap();
    assert_eq!(
        v.config.backup.dir.as_deref(),
        Some(dir.join("backups/gw-h50").as_path()),
        "resolved against the file's folder"
    );
    let text = example.replace("dir = \"backups/gw-h50\"", "dir = \"data/gw-h50/backups\"");
    assert_ne!(text, example, "the example sets a backup folder");
    let e = Config::from_toml(&text, &dir).unwrap_err();
    assert!(
        e.contains("backup.dir") && e.contains("inside gateway.data_dir"),
        "{e}"
    );
}

#[test]
fn probe_intervals_are_checked() {
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let v = Config::from_toml(&example, &dir).unwrap();
    assert_eq!(
        (v.config.forward.probe_min_ms, v.config.forward.probe_max_ms),
        (1_000, 10_000),
        "defaults"
    );
    for (min, max) in [(10, 1_000), (5_000, 1_000)] {
        let text = format!("{example}\n[forward]\nprobe_min_ms = {min}\nprobe_max_ms = {max}\n");
        let e = Config::from_toml(&text, &dir).unwrap_err();
        assert!(e.contains("probe_min_ms at least 100"), "{e}");
    }
}

/// The TOML block of docs/CONFIGURATION.md.
fn reference() -> String {
    let doc = std::fs::read_to_string(root().join("docs/CONFIGURATION.md")).unwrap();
    doc.split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("\n```").next())
        .unwrap()
        .to_owned()
}

#[test]
fn the_configuration_reference_loads_and_names_every_key() {
    let text = reference();
    // It is a configuration that loads (every key real, every value valid).
    let v = Config::from_toml(&text, &root().join("deploy/federation"))
        .unwrap_or_else(|e| panic!("docs/CONFIGURATION.md: {e}"));
    // Its values are the defaults where it says so.
    let d = lienthong_gateway::config::LimitsSection::default();
    assert_eq!(v.config.limits.max_body_bytes, d.max_body_bytes);
    assert_eq!(
        v.config.limits.max_buffered_body_bytes,
        d.max_buffered_body_bytes
    );
    assert_eq!(v.config.limits.per_peer_burst, d.per_peer_burst);
    let r = lienthong_gateway::config::RetrySection::default();
    assert_eq!(
        (v.config.retry.cap_ms, v.config.retry.max_age_ms),
        (r.cap_ms, r.max_age_ms)
    );
    let f = lienthong_gateway::config::ForwardSection::default();
    assert_eq!(
        (
            v.config.forward.probe_min_ms,
            v.config.forward.probe_max_ms,
            v.config.forward.lease_ms
        ),
        (f.probe_min_ms, f.probe_max_ms, f.lease_ms)
    );
    // Every field of every section of the configuration is named in it.
    let src = ["mod.rs", "vxp.rs", "compliance.rs", "store.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(root().join("crates/gateway/src/config").join(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let mut section = None;
    let mut checked = 0;
    for line in src.lines() {
        if let Some(rest) = line.strip_prefix("pub struct ") {
            let name = rest.split_whitespace().next().unwrap_or("");
            section = (name == "Config" || name.ends_with("Section")).then(|| name.to_owned());
            continue;
        }
        if line.starts_with('}') {
            section = None;
        }
        let (Some(s), Some(field)) = (&section, line.strip_prefix("    pub ")) else {
            continue;
        };
        let key = field.split(':').next().unwrap();
        // Config's own fields are sections ([limits], [[child]], ...) or `directory`.
        let named = text.contains(&format!("\n{key} = "))
            || text.contains(&format!("\n# {key} = "))
            || text.starts_with(&format!("# {key} = "))
            || text.contains(&format!("[{key}]"))
            || text.contains(&format!(".{key}]]"))
            || text.contains(&format!("[{key}."));
        assert!(named, "docs/CONFIGURATION.md does not name {s}.{key}");
        checked += 1;
    }
    assert!(checked >= 60, "{checked} fields checked");
}

#[test]
fn a_vxp_section_is_checked_before_start() {
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let v = Config::from_toml(&example, &dir).unwrap();
    assert_eq!(v.vxp_addr, Some("127.0.0.1:8450".parse().unwrap()));
    let vxp = v.config.vxp.as_ref().unwrap();
    assert_eq!(vxp.system[0].id, "vxp.demo.h50");
    assert_eq!(
        vxp.system[0].policy,
        lienthong_gateway::config::SignaturePolicy::Record,
        "record by default"
    );
    assert!(vxp.system[0].secret_file.is_absolute());
    let agencies = "agencies = [\"000.00.00.H50\", \"000.00.01.H50\", \"000.00.11.H50\"]";
    assert!(example.contains(agencies));
    for (what, from, to, problem) in [
        (
            "plain HTTP off loopback",
            "listen = \"127.0.0.1:8450\"",
            "listen = \"0.0.0.0:8450\"",
            "plain HTTP only on a loopback address",
        ),
        (
            "an agency homed elsewhere",
            agencies,
            "agencies = [\"000.00.21.H50\"]",
            "000.00.21.H50 is homed at gw-h50-giolinh",
        ),
        (
            "an agency not in the directory",
            agencies,
            "agencies = [\"000.00.77.H50\"]",
            "000.00.77.H50 is not in the directory",
        ),
        (
            "a secret file that is not there",
            "secret_file = \"vxp/vxp.demo.h50.secret\"",
            "secret_file = \"vxp/nothing.secret\"",
            "cannot read",
        ),
        (
            "a short secret",
            "secret_file = \"vxp/vxp.demo.h50.secret\"",
            "secret_file = \"vxp/README.md\"\nprevious_secret_file = \"../../Cargo.lock\"",
            "",
        ),
    ] {
        let text = example.replace(from, to);
        assert_ne!(text, example, "{what}");
        let r = Config::from_toml(&text, &dir);
        if problem.is_empty() {
            // README.md and Cargo.lock are long enough to be secrets: loads.
            assert!(r.is_ok(), "{what}: {:?}", r.err());
            continue;
        }
        let e = r.unwrap_err();
        assert!(e.contains(problem), "{what}: {e}");
    }
    // TLS on any address; plain HTTP off loopback when allowed.
    for extra in ["tls = true", "allow_plain_http = true"] {
        let text = example.replace(
            "listen = \"127.0.0.1:8450\"",
            &format!("listen = \"0.0.0.0:8450\"\n{extra}"),
        );
        assert!(Config::from_toml(&text, &dir).is_ok(), "{extra}");
    }
    // One agency, two systems; one id twice.
    let twice = format!(
        "{example}\n[[vxp.system]]\nid = \"vxp.demo.h50\"\nsecret_file = \"vxp/vxp.demo.h50.secret\"\nagencies = [\"000.00.01.H50\"]\n"
    );
    let e = Config::from_toml(&twice, &dir).unwrap_err();
    assert!(
        e.contains("already belongs to system 'vxp.demo.h50'"),
        "{e}"
    );
    assert!(e.contains("appears twice"), "{e}");
    // A secret shorter than 16 bytes.
    let short = std::env::temp_dir().join(format!("lienthong-short-{}.secret", std::process::id()));
    std::fs::write(&short, "short\n").unwrap();
    let text = example.replace(
        "secret_file = \"vxp/vxp.demo.h50.secret\"",
        &format!("secret_file = \"{}\"", short.display()),
    );
    let e = Config::from_toml(&text, &dir).unwrap_err();
    assert!(e.contains("at least 16 bytes"), "{e}");
    let _ = std::fs::remove_file(short);
}

#[test]
fn an_uplink_is_checked_before_start() {
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-g22.toml")).unwrap();
    let uplink = |id: &str, endpoint: &str, extra: &str| {
        format!(
            "{example}\n[uplink.vxp]\nid = \"{id}\"\nendpoint = \"{endpoint}\"\nsystem = \"bridge.g22\"\nsecret_file = \"vxp/vxp.demo.h50.secret\"\n{extra}"
        )
    };
    let v = Config::from_toml(
        &uplink("uplink-vxp", "http://10.0.0.9:8080/XrdAdapter/adapter", ""),
        &dir,
    )
    .unwrap();
    let up = v.config.uplink.vxp.as_ref().unwrap();
    assert_eq!(up.poll_interval_ms, 5000);
    assert!(up.secret_file.is_absolute());
    for (what, text, problem) in [
        (
            "a gateway's id",
            uplink("gw-h50", "http://10.0.0.9", ""),
            "a gateway of the directory has this id",
        ),
        (
            "not a URL",
            uplink("uplink-vxp", "10.0.0.9:8080", ""),
            "an http:// or https:// URL",
        ),
        (
            "https without a CA",
            uplink("uplink-vxp", "https://vxp.example", ""),
            "needs the CA",
        ),
        (
            "a fast poll",
            uplink("uplink-vxp", "http://10.0.0.9", "poll_interval_ms = 10\n"),
            "at least 100",
        ),
    ] {
        let e = Config::from_toml(&text, &dir).unwrap_err();
        assert!(e.contains(problem), "{what}: {e}");
    }
    assert!(
        Config::from_toml(
            &uplink(
                "uplink-vxp",
                "https://vxp.example",
                "ca = [\"../../certs-dev/ca.pem\"]\n"
            ),
            &dir
        )
        .is_ok()
    );
}

#[test]
fn the_calendar_and_the_score_rule_are_checked() {
    let dir = root().join("deploy/federation");
    let example = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let v = Config::from_toml(&example, &dir).unwrap();
    assert_eq!(v.rules, lienthong_compliance::Rules::default(), "defaults");
    let ok = format!(
        "{example}\n[calendar]\nholidays = [\"2026-09-02\"]\nend_of_day = \"16:30\"\n[compliance]\nhoa_toc_minutes = 30\nkhan_minutes = 0\n"
    );
    let v = Config::from_toml(&ok, &dir).unwrap();
    let wed: lienthong_compliance::Day = "2026-09-02".parse().unwrap();
    assert!(!v.rules.calendar.is_working(wed));
    assert_eq!(v.rules.calendar.end().to_string(), "16:30");
    assert_eq!(v.rules.urgency.threshold(3), Some(30));
    assert_eq!(
        v.rules.urgency.threshold(1),
        None,
        "0: the end-of-day rule only"
    );
    for (extra, says) in [
        (
            "[calendar]\nholidays = [\"2026-02-30\"]\n",
            "calendar: '2026-02-30' is not a date",
        ),
        (
            "[calendar]\nend_of_day = \"07:00\"\n",
            "calendar: the working day ends (07:00) before it starts (08:00)",
        ),
        (
            "[calendar]\nstart_of_day = \"8h\"\n",
            "'8h' is not a time of day",
        ),
        (
            "[compliance]\nsigned_target = 0\n",
            "compliance: signed_target = 0",
        ),
        (
            "[compliance]\nsigned_weight = 0\nsame_day_weight = 0\n",
            "not both 0",
        ),
        (
            "[compliance]\nsubtree_budget_ms = 5\n",
            "compliance.subtree_budget_ms = 5",
        ),
    ] {
        let e = Config::from_toml(&format!("{example}\n{extra}"), &dir).unwrap_err();
        assert!(e.contains(says), "{extra}: {e}");
    }
}

/// `[store]`: each wrong combination named, nothing else said about a good one.
#[test]
fn store_section_problems_are_named() {
    let dir = root().join("deploy/federation");
    let base = std::fs::read_to_string(dir.join("gw-h50.toml")).unwrap();
    let without_data: String = base
        .lines()
        .filter(|l| !l.starts_with("data_dir = "))
        .collect::<Vec<_>>()
        .join("\n");
    let cases: [(String, &[&str]); 4] = [
        (
            format!(
                "{without_data}\n[store]\nengine = \"postgres\"\npool_size = 1\ntimeout_ms = 10\n"
            ),
            &[
                "store.url",
                "store.pool_size = 1: 2 to 1000",
                "store.timeout_ms = 10",
            ],
        ),
        (
            format!("{base}\n[store]\nurl = \"postgres://u@h/db\"\n"),
            &["url, password_file and tls are for store.engine = \"postgres\""],
        ),
        (without_data.clone(), &["gateway.data_dir"]),
        (
            format!(
                "{without_data}\n[store]\nengine = \"postgres\"\nurl = \"postgres://u@h:5432/\"\n"
            ),
            &["name the database"],
        ),
    ];
    for (text, needles) in cases {
        let e = Config::from_toml(&text, &dir).unwrap_err();
        for n in needles {
            assert!(e.contains(n), "missing '{n}' in: {e}");
        }
    }
    let good = format!(
        "{without_data}\n[store]\nengine = \"postgres\"\nurl = \"postgres://lienthong@127.0.0.1:5432/gw\"\n"
    );
    let v = Config::from_toml(&good, &dir).unwrap();
    assert_eq!(v.config.store.pool_size, 16);
    assert!(v.config.gateway.data_dir.is_none());
}
