//! Connection profiles: `~/.config/lienthong/profile.toml` (or `$XDG_CONFIG_HOME/lienthong/
//! profile.toml`), several named profiles, one of them the default; `lienthong profile add`
//! writes one, `profile list` shows them, `profile remove` deletes one.
//!
//! ```toml
//! default = "h50"
//!
//! [profile.h50]
//! gateway = "https://127.0.0.1:8441"
//! ca = ["/srv/lienthong/certs-dev/ca.pem"]
//! cert = "/srv/lienthong/certs-dev/dms/000.00.01.H50.pem"
//! key = "/srv/lienthong/certs-dev/dms/000.00.01.H50.key"
//! ```
//!
//! Relative paths in the file are read from the file's folder; `profile add` writes
//! absolute ones.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lienthong_types::Code;
use serde::{Deserialize, Serialize};

use super::common::{Fail, cannot_read, cannot_write, header, table};

/// The most a profile file may hold.
const MAX_FILE: u64 = 1 << 20;

/// One profile: what it sets (any part may be left to the command line).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) gateway: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) ca: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) key: Option<PathBuf>,
}

/// The profile file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(default)]
    profile: BTreeMap<String, Profile>,
}

/// Where the profile file is: `$XDG_CONFIG_HOME/lienthong/profile.toml`, else
/// `$HOME/.config/lienthong/profile.toml`.
pub(super) fn profile_path() -> Option<PathBuf> {
    let absolute = |k: &str| {
        std::env::var_os(k)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    absolute("XDG_CONFIG_HOME")
        .or_else(|| absolute("HOME").map(|h| h.join(".config")))
        .map(|d| d.join("lienthong").join("profile.toml"))
}

fn unreadable(file: &Path, error: impl std::fmt::Display) -> Fail {
    Fail::local(
        Code::UsageProfile,
        say!(
            "client-profile-unreadable",
            file = file.display().to_string(),
            error = error.to_string()
        ),
    )
}

impl ProfileFile {
    /// The profiles in `file`; `None` when there is no such file.
    pub(super) fn load(file: &Path) -> Result<Option<ProfileFile>, Fail> {
        let f = match std::fs::File::open(file) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Fail::local(Code::UsageProfile, cannot_read(file, &e))),
        };
        let mut text = String::new();
        f.take(MAX_FILE + 1)
            .read_to_string(&mut text)
            .map_err(|e| unreadable(file, e))?;
        if text.len() as u64 > MAX_FILE {
            return Err(unreadable(file, say!("client-profile-too-big")));
        }
        let parsed: ProfileFile = toml::from_str(&text).map_err(|e| unreadable(file, e))?;
        Ok(Some(parsed))
    }

    /// Profile `name`, its relative paths read from the file's folder.
    pub(super) fn named(&self, name: &str, file: &Path) -> Result<Profile, Fail> {
        match self.profile.get(name) {
            Some(p) => Ok(anchored(p, file)),
            None => {
                let names: Vec<&str> = self.profile.keys().map(String::as_str).collect();
                Err(Fail::local(
                    Code::UsageProfile,
                    say!(
                        "client-profile-unknown",
                        name = name,
                        file = file.display().to_string(),
                        names = names.join(", ")
                    ),
                ))
            }
        }
    }

    /// The default profile, if the file names one.
    pub(super) fn default_profile(&self, file: &Path) -> Result<Option<Profile>, Fail> {
        match &self.default {
            Some(name) => self.named(name, file).map(Some),
            None => Ok(None),
        }
    }
}

/// `p` with its relative paths joined to the profile file's folder.
fn anchored(p: &Profile, file: &Path) -> Profile {
    let dir = file.parent().unwrap_or(Path::new("."));
    let at = |x: &PathBuf| {
        if x.is_absolute() {
            x.clone()
        } else {
            dir.join(x)
        }
    };
    Profile {
        gateway: p.gateway.clone(),
        ca: p.ca.iter().map(at).collect(),
        cert: p.cert.as_ref().map(at),
        key: p.key.as_ref().map(at),
    }
}

/// `profile add|list|remove`.
#[derive(Debug, clap::Args)]
pub(crate) struct ProfileArgs {
    #[command(subcommand)]
    cmd: ProfileCmd,
}

#[derive(Debug, clap::Subcommand)]
enum ProfileCmd {
    /// Write a profile (replacing one of the same name).
    #[command(about = say!("client-help-profile-add"))]
    Add(AddArgs),
    /// The profiles in the file.
    #[command(about = say!("client-help-profile-list"))]
    List,
    /// Delete a profile.
    #[command(about = say!("client-help-profile-remove"))]
    Remove {
        /// The profile's name.
        #[arg(help = say!("client-help-profile-name"))]
        name: String,
    },
}

#[derive(Debug, clap::Args)]
struct AddArgs {
    /// The profile's name (letters, digits, `-`, `_`, `.`).
    #[arg(help = say!("client-help-profile-name"))]
    name: String,
    /// Gateway URL.
    #[arg(long, value_name = "URL", help = say!("remote-help-conn-gateway"))]
    gateway: String,
    /// CA certificate(s) the gateway's certificate chains to, repeatable.
    #[arg(long, value_name = "FILE", required = true, help = say!("remote-help-conn-ca"))]
    ca: Vec<PathBuf>,
    /// Client certificate.
    #[arg(long, value_name = "FILE", help = say!("remote-help-conn-cert"))]
    cert: PathBuf,
    /// Client key.
    #[arg(long, value_name = "FILE", help = say!("remote-help-conn-key"))]
    key: PathBuf,
    /// Make it the default profile (the first profile always is).
    #[arg(long, help = say!("client-help-profile-default"))]
    default: bool,
}

pub(crate) fn profile(a: &ProfileArgs) -> ExitCode {
    let r = match &a.cmd {
        ProfileCmd::Add(add) => add_profile(add),
        ProfileCmd::List => list_profiles(),
        ProfileCmd::Remove { name } => remove_profile(name),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            f.report(false);
            ExitCode::from(f.exit())
        }
    }
}

fn the_file() -> Result<PathBuf, Fail> {
    profile_path().ok_or_else(|| Fail::local(Code::UsageProfile, say!("client-profile-no-home")))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// An absolute path to a file that exists.
fn absolute(p: &Path) -> Result<PathBuf, Fail> {
    std::fs::canonicalize(p).map_err(|e| Fail::local(Code::IoRead, cannot_read(p, &e)))
}

fn add_profile(a: &AddArgs) -> Result<(), Fail> {
    if !valid_name(&a.name) {
        return Err(Fail::local(
            Code::UsageProfile,
            say!("client-profile-bad-name", name = a.name.as_str()),
        ));
    }
    if !a.gateway.starts_with("https://") {
        return Err(Fail::local(
            Code::UsageGateway,
            say!("remote-gateway-not-https", url = a.gateway.as_str()),
        ));
    }
    let p = Profile {
        gateway: Some(a.gateway.trim_end_matches('/').to_owned()),
        ca: a.ca.iter().map(|c| absolute(c)).collect::<Result<_, _>>()?,
        cert: Some(absolute(&a.cert)?),
        key: Some(absolute(&a.key)?),
    };
    // The certificates and the key must load, as a command using the profile would.
    let ca: Vec<&Path> = p.ca.iter().map(PathBuf::as_path).collect();
    if let (Some(cert), Some(key)) = (&p.cert, &p.key) {
        lienthong_gateway::ApiClient::new(&a.gateway, &ca, Some((cert, key))).map_err(|e| {
            Fail::local(
                Code::UsageCredentials,
                say!("remote-certificates", error = e),
            )
        })?;
    }
    let file = the_file()?;
    let mut all = ProfileFile::load(&file)?.unwrap_or_default();
    all.profile.insert(a.name.clone(), p);
    let is_default = a.default || all.default.is_none() || all.profile.len() == 1;
    if is_default {
        all.default = Some(a.name.clone());
    }
    save(&file, &all)?;
    let shown = file.display().to_string();
    if is_default {
        out!(
            "{}",
            say!(
                "client-profile-added-default",
                name = a.name.as_str(),
                file = shown
            )
        );
    } else {
        out!(
            "{}",
            say!("client-profile-added", name = a.name.as_str(), file = shown)
        );
    }
    Ok(())
}

fn list_profiles() -> Result<(), Fail> {
    let file = the_file()?;
    let shown = file.display().to_string();
    let Some(all) = ProfileFile::load(&file)?.filter(|a| !a.profile.is_empty()) else {
        out!("{}", say!("client-profile-none", file = shown));
        return Ok(());
    };
    out!("{}", say!("client-profile-file", file = shown));
    let text = |p: &Option<PathBuf>| {
        p.as_ref()
            .map_or_else(|| "-".to_owned(), |p| p.display().to_string())
    };
    let rows: Vec<Vec<String>> = all
        .profile
        .iter()
        .map(|(name, p)| {
            let mark = if all.default.as_deref() == Some(name.as_str()) {
                "*"
            } else {
                ""
            };
            vec![
                format!("{name}{mark}"),
                p.gateway.clone().unwrap_or_else(|| "-".to_owned()),
                text(&p.cert),
            ]
        })
        .collect();
    table(
        &header(&[
            "client-profile-col-name",
            "client-profile-col-gateway",
            "client-profile-col-cert",
        ]),
        &rows,
    );
    out!("{}", say!("client-profile-default-mark"));
    Ok(())
}

fn remove_profile(name: &str) -> Result<(), Fail> {
    let file = the_file()?;
    let mut all = ProfileFile::load(&file)?.unwrap_or_default();
    all.named(name, &file)?;
    all.profile.remove(name);
    if all.default.as_deref() == Some(name) {
        all.default = None;
    }
    save(&file, &all)?;
    out!(
        "{}",
        say!(
            "client-profile-removed",
            name = name,
            file = file.display().to_string()
        )
    );
    Ok(())
}

/// Write the file whole: a temporary file beside it, then a rename.
fn save(file: &Path, all: &ProfileFile) -> Result<(), Fail> {
    let text = toml::to_string(all).map_err(|e| unreadable(file, e))?;
    let text = format!("{}\n{text}", say!("client-profile-header"));
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Fail::local(Code::IoWrite, cannot_write(dir, &e)))?;
    }
    let tmp = file.with_extension("toml.tmp");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    };
    write().map_err(|e| Fail::local(Code::IoWrite, cannot_write(file, &e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_read_from_the_files_folder() {
        let p = Profile {
            gateway: Some("https://g:1".into()),
            ca: vec!["ca.pem".into(), "/abs/ca2.pem".into()],
            cert: Some("c/x.pem".into()),
            key: None,
        };
        let a = anchored(&p, Path::new("/home/u/.config/lienthong/profile.toml"));
        assert_eq!(a.ca[0], Path::new("/home/u/.config/lienthong/ca.pem"));
        assert_eq!(a.ca[1], Path::new("/abs/ca2.pem"));
        assert_eq!(
            a.cert.as_deref(),
            Some(Path::new("/home/u/.config/lienthong/c/x.pem"))
        );
        assert!(a.key.is_none());
    }

    #[test]
    fn names_are_plain() {
        assert!(valid_name("h50-dms_1.prod"));
        for bad in ["", "a b", "x/y", "tên", &"a".repeat(65)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_file_with_unknown_keys_is_refused() {
        let bad: Result<ProfileFile, _> = toml::from_str("[profile.a]\ngatway = \"https://x\"\n");
        assert!(bad.is_err());
        let good: ProfileFile =
            toml::from_str("default = \"a\"\n[profile.a]\ngateway = \"https://x\"\n").unwrap();
        assert_eq!(good.default.as_deref(), Some("a"));
    }
}
