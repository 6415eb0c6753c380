//! Which gateway a client command talks to, and as whom: `--gateway --ca --cert --key` on
//! the command line, else the `LIENTHONG_GATEWAY`, `LIENTHONG_CA`, `LIENTHONG_CERT` and
//! `LIENTHONG_KEY` variables, else a profile (`--profile NAME` or `LIENTHONG_PROFILE`, else
//! the profile file's default). A call that gets no answer is said as what to do about it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lienthong_gateway::{Answer, ApiClient, CallError, ClientRefusal, Failure};
use lienthong_types::Code;

use super::common::Fail;
use super::profile::{ProfileFile, profile_path};

/// Connection options shared by the client commands.
#[derive(Debug, clap::Args)]
pub(crate) struct Conn {
    /// Gateway URL, e.g. https://127.0.0.1:8441
    #[arg(long, value_name = "URL", env = "LIENTHONG_GATEWAY", hide_env = true,
        help = say!("client-help-gateway"))]
    pub(super) gateway: Option<String>,
    /// Client certificate (PEM): an agency DMS certificate, or an operator's for `queue`.
    #[arg(long, value_name = "FILE", env = "LIENTHONG_CERT", hide_env = true,
        help = say!("client-help-cert"))]
    pub(super) cert: Option<PathBuf>,
    /// Client key (PKCS#8 PEM).
    #[arg(long, value_name = "FILE", env = "LIENTHONG_KEY", hide_env = true,
        help = say!("client-help-key"))]
    pub(super) key: Option<PathBuf>,
    /// CA certificate(s) the gateway's certificate chains to (PEM), repeatable.
    #[arg(long, value_name = "FILE", env = "LIENTHONG_CA", hide_env = true,
        help = say!("client-help-ca"))]
    pub(super) ca: Vec<PathBuf>,
    /// A named profile of the profile file, for what the options above leave unset.
    #[arg(long, value_name = "NAME", env = "LIENTHONG_PROFILE", hide_env = true,
        help = say!("client-help-profile"))]
    pub(super) profile: Option<String>,
}

/// The connection as resolved: every part known.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pub(super) gateway: String,
    pub(super) ca: Vec<PathBuf>,
    pub(super) cert: PathBuf,
    pub(super) key: PathBuf,
}

/// The connection this run uses, for saying what went wrong with it.
static IN_USE: OnceLock<Resolved> = OnceLock::new();

/// Fill what the command line and the environment leave unset from a profile.
pub(super) fn resolve(c: &Conn) -> Result<Resolved, Fail> {
    let complete = c.gateway.is_some() && c.cert.is_some() && c.key.is_some() && !c.ca.is_empty();
    let profile = if complete && c.profile.is_none() {
        None
    } else {
        let file = profile_path();
        let profiles = match &file {
            Some(f) => ProfileFile::load(f)?,
            None => None,
        };
        match (&c.profile, profiles, &file) {
            (Some(name), Some(p), Some(f)) => Some(p.named(name, f)?),
            (Some(name), _, f) => {
                let file = f
                    .as_ref()
                    .map_or_else(String::new, |f| f.display().to_string());
                return Err(Fail::local(
                    Code::UsageProfile,
                    say!("client-profile-no-file", name = name.as_str(), file = file),
                ));
            }
            (None, Some(p), Some(f)) => p.default_profile(f)?,
            (None, _, _) => None,
        }
    };
    let profile = profile.unwrap_or_default();
    let gateway = c.gateway.clone().or(profile.gateway);
    let cert = c.cert.clone().or(profile.cert);
    let key = c.key.clone().or(profile.key);
    let ca = if c.ca.is_empty() {
        profile.ca
    } else {
        c.ca.clone()
    };
    match (gateway, cert, key) {
        (Some(gateway), Some(cert), Some(key)) if !ca.is_empty() => Ok(Resolved {
            gateway,
            ca,
            cert,
            key,
        }),
        (gateway, cert, key) => {
            let missing: Vec<&str> = [
                (gateway.is_none(), "--gateway (LIENTHONG_GATEWAY)"),
                (ca.is_empty(), "--ca (LIENTHONG_CA)"),
                (cert.is_none(), "--cert (LIENTHONG_CERT)"),
                (key.is_none(), "--key (LIENTHONG_KEY)"),
            ]
            .into_iter()
            .filter_map(|(gone, what)| gone.then_some(what))
            .collect();
            Err(Fail::local(
                Code::UsageGateway,
                say!("client-missing", what = missing.join(", ")),
            ))
        }
    }
}

pub(super) fn connect(c: &Conn) -> Result<ApiClient, Fail> {
    let r = resolve(c)?;
    if !r.gateway.starts_with("https://") {
        return Err(Fail::local(
            Code::UsageGateway,
            say!("remote-gateway-not-https", url = &r.gateway),
        ));
    }
    let ca: Vec<&Path> = r.ca.iter().map(PathBuf::as_path).collect();
    // The gateway's refusals are shown as they come: in the chosen language.
    let client = ApiClient::new(&r.gateway, &ca, Some((&r.cert, &r.key)))
        .map(|c| c.with_language(crate::text::lang().tag()))
        .map_err(|e| {
            Fail::local(
                Code::UsageCredentials,
                say!("remote-certificates", error = e),
            )
        })?;
    let _ = IN_USE.set(r);
    Ok(client)
}

/// The answer if it is a success, the refusal otherwise; no answer is exit 2.
pub(super) fn ok(r: Result<Answer, CallError>) -> Result<Answer, Fail> {
    match r {
        Ok(a) if a.status.is_success() => Ok(a),
        Ok(a) => Err(Fail::Refused(Box::new(a))),
        Err(e) => {
            let (code, message) = transport(&e);
            Err(Fail::local(code, message))
        }
    }
}

/// Why a call got no answer, as what to do about it, and its code.
pub(super) fn transport(e: &CallError) -> (Code, String) {
    let in_use = IN_USE.get();
    let shown = |p: &Path| p.display().to_string();
    let cert = in_use.map_or_else(String::new, |r| shown(&r.cert));
    let ca = in_use.map_or_else(String::new, |r| {
        r.ca.iter().map(|p| shown(p)).collect::<Vec<_>>().join(", ")
    });
    let url = e.gateway().to_owned();
    let address = e.address();
    match e.failure() {
        Failure::Refused => (
            Code::ConnectionRefused,
            say!("client-refused", address = address),
        ),
        Failure::Unresolved => (
            Code::ConnectionUnresolved,
            say!("client-unresolved", url = url),
        ),
        Failure::ServerUntrusted => (
            Code::ConnectionServerUntrusted,
            say!("client-server-untrusted", url = url, ca = ca),
        ),
        Failure::NameMismatch => {
            let host = address
                .rsplit_once(':')
                .map_or(address.as_str(), |(h, _)| h)
                .to_owned();
            (
                Code::ConnectionNameMismatch,
                say!("client-name-mismatch", url = url, host = host),
            )
        }
        Failure::ServerExpired => (
            Code::ConnectionServerExpired,
            say!("client-server-expired", url = url),
        ),
        Failure::ClientRefused(why) => {
            let why = match why {
                ClientRefusal::UnknownCa => "unknown-ca",
                ClientRefusal::Expired => "expired",
                ClientRefusal::Revoked => "revoked",
                ClientRefusal::Missing => "missing",
                ClientRefusal::Other => "other",
            };
            (
                Code::ConnectionClientRefused,
                say!("client-cert-refused", url = url, cert = cert, why = why),
            )
        }
        Failure::Closed => (
            Code::ConnectionClosed,
            say!("client-closed", url = url, cert = cert),
        ),
        Failure::Timeout => (Code::ConnectionTimeout, say!("remote-no-answer")),
        _ => (
            Code::Connection,
            say!("remote-cannot-reach", url = url, why = e.detail()),
        ),
    }
}
