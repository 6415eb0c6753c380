//! `[vxp]`: the national axis's DMS API on a second listener, for the DMSs that speak it
//! through the official SDK (see `lienthong-vxp`). Each `[[vxp.system]]` is one connected
//! system: its `systemid`, its secret (from a file, never in the configuration), and the
//! agencies homed here it may send as and receive for.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use lienthong_edxml::AgencyCode;
use lienthong_i18n::{Lang, Msg, msg};
use lienthong_routing::{Directory, GatewayId};
use serde::Deserialize;

use super::SignaturePolicy;
use super::problems::{at, gateway_id};

/// `[vxp]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VxpSection {
    /// Socket address of the VXP listener, e.g. `127.0.0.1:8450`.
    pub listen: String,
    /// HTTPS with the gateway's server certificate (the SDK sends no client certificate);
    /// false: plain HTTP, only on a loopback address unless `allow_plain_http`.
    #[serde(default)]
    pub tls: bool,
    /// Plain HTTP on a non-loopback address (a trusted segment, as the axis's adapter runs).
    #[serde(default)]
    pub allow_plain_http: bool,
    /// Refuse requests whose `XroadVnpt-timestamp` (read as Vietnam time) is further than
    /// this from the gateway's clock, seconds. Off by default: the SDK computes its
    /// timestamp once per client object and reuses it for hours.
    #[serde(default)]
    pub max_clock_skew_s: Option<u64>,
    /// The connected systems (`[[vxp.system]]`).
    #[serde(default)]
    pub system: Vec<VxpSystemSection>,
}

/// `[[vxp.system]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VxpSystemSection {
    /// The SDK's `systemid`.
    pub id: String,
    /// File holding the secret (its text, trailing line break ignored).
    pub secret_file: PathBuf,
    /// While a secret is rotated: the old one, accepted too.
    pub previous_secret_file: Option<PathBuf>,
    /// Agencies homed at this gateway that the system may send as and receive for.
    pub agencies: Vec<String>,
    /// What an envelope signature that is not valid means for documents from this system:
    /// `record` (default: accepted, the verdict recorded and shown in tracking) or `require`.
    #[serde(default = "record")]
    pub policy: SignaturePolicy,
}

fn record() -> SignaturePolicy {
    SignaturePolicy::Record
}

/// The shortest secret accepted, bytes.
pub const MIN_SECRET_BYTES: usize = 16;

/// Read a secret file: its text without the trailing line break.
pub fn read_secret(path: &Path) -> Result<Vec<u8>, String> {
    read_secret_msg(path).map_err(|m| m.render(Lang::En))
}

/// [`read_secret`], what is wrong a message for any language.
pub fn read_secret_msg(path: &Path) -> Result<Vec<u8>, Msg> {
    let text = std::fs::read(path).map_err(|e| {
        msg!(
            "config-secret-unreadable",
            path = path.display().to_string(),
            error = e.to_string()
        )
    })?;
    let mut s = text.as_slice();
    while let Some(rest) = s.strip_suffix(b"\n").or_else(|| s.strip_suffix(b"\r")) {
        s = rest;
    }
    if s.len() < MIN_SECRET_BYTES {
        return Err(msg!(
            "config-secret-short",
            path = path.display().to_string(),
            min = MIN_SECRET_BYTES.to_string()
        ));
    }
    Ok(s.to_vec())
}

/// Resolve the section's paths against `base` and check it: the address, the plain-HTTP
/// rule, each system's id, secret files and agencies (valid codes, homed here, each in one
/// system only). Problems are added to `problems`; the listener's address is returned.
pub(super) fn check(
    vxp: &mut VxpSection,
    base: &Path,
    id: Option<&GatewayId>,
    directory: Option<&Directory>,
    problems: &mut Vec<Msg>,
) -> Option<SocketAddr> {
    let addr = match vxp.listen.parse::<SocketAddr>() {
        Ok(a) => Some(a),
        Err(e) => {
            problems.push(msg!(
                "config-bad-value",
                key = "vxp.listen",
                value = &vxp.listen,
                error = e.to_string()
            ));
            None
        }
    };
    if let Some(a) = addr
        && !vxp.tls
        && !vxp.allow_plain_http
        && !a.ip().is_loopback()
    {
        problems.push(msg!("config-vxp-plain-http", addr = a.to_string()));
    }
    if vxp.system.is_empty() {
        problems.push(msg!("config-vxp-no-system"));
    }
    let mut seen_agencies: Vec<(AgencyCode, String)> = Vec::new();
    for (i, sys) in vxp.system.iter_mut().enumerate() {
        let key = format!("vxp.system[{i}]");
        if sys.id.is_empty() || sys.id.len() > 128 || !sys.id.bytes().all(|b| b.is_ascii_graphic())
        {
            problems.push(msg!(
                "config-vxp-system-id",
                key = format!("{key}.id"),
                id = &sys.id
            ));
        }
        for p in [
            Some(&mut sys.secret_file),
            sys.previous_secret_file.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
            if let Err(e) = read_secret_msg(p) {
                problems.push(at(key.as_str(), e));
            }
        }
        let agencies = format!("{key}.agencies");
        if sys.agencies.is_empty() {
            problems.push(msg!("config-vxp-no-agency", key = &agencies));
        }
        for a in &sys.agencies {
            let code = match AgencyCode::parse(a) {
                Ok(c) => c,
                Err(e) => {
                    problems.push(at(agencies.as_str(), e.msg()));
                    continue;
                }
            };
            if let (Some(id), Some(dir)) = (id, directory) {
                match dir.home_gateway(&code) {
                    Some(h) if h == id => {}
                    Some(h) => problems.push(msg!(
                        "config-vxp-agency-elsewhere",
                        key = &agencies,
                        agency = a,
                        home = h.to_string()
                    )),
                    None => problems.push(msg!(
                        "config-vxp-agency-unknown",
                        key = &agencies,
                        agency = a
                    )),
                }
                let main = dir.main_code(&code);
                if let Some((_, other)) = seen_agencies.iter().find(|(c, _)| *c == main) {
                    problems.push(msg!(
                        "config-vxp-agency-taken",
                        key = &agencies,
                        agency = a,
                        system = other
                    ));
                } else {
                    seen_agencies.push((main, sys.id.clone()));
                }
            }
        }
    }
    for (i, sys) in vxp.system.iter().enumerate() {
        if vxp.system[..i].iter().any(|o| o.id == sys.id) {
            problems.push(msg!(
                "config-vxp-system-twice",
                key = format!("vxp.system[{i}].id"),
                id = &sys.id
            ));
        }
    }
    addr
}

/// `[uplink]`: links to other axes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UplinkSection {
    /// `[uplink.vxp]`: this gateway is a VXP client of an upstream axis (the national one).
    pub vxp: Option<UplinkVxpSection>,
}

/// `[uplink.vxp]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UplinkVxpSection {
    /// The uplink's name as a next hop (queues, metrics, `queue stats`); not the id of a
    /// gateway of the directory. Default `uplink-vxp`.
    #[serde(default = "uplink_id")]
    pub id: String,
    /// The upstream's VXP endpoint, `http(s)://host[:port][/prefix]`.
    pub endpoint: String,
    /// This gateway's `systemid` there.
    pub system: String,
    /// File holding the secret there.
    pub secret_file: PathBuf,
    /// CAs the upstream's HTTPS certificate must chain to (PEM); required for `https`.
    #[serde(default)]
    pub ca: Vec<PathBuf>,
    /// How often the upstream is asked for new documents and statuses, ms. Default 5 s.
    #[serde(default = "poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Envelope signatures of documents taken from upstream that are not valid: `record`
    /// (default: accepted, the verdict kept) or `require`.
    #[serde(default = "record")]
    pub policy: SignaturePolicy,
}

fn uplink_id() -> String {
    "uplink-vxp".into()
}

fn poll_interval_ms() -> u64 {
    5_000
}

/// Resolve `[uplink.vxp]`'s paths against `base` and check it: the endpoint, the hop id
/// (not a gateway of the directory), the secret and CA files, the polling interval.
pub(super) fn check_uplink(
    up: &mut UplinkVxpSection,
    base: &Path,
    directory: Option<&Directory>,
    problems: &mut Vec<Msg>,
) {
    for p in std::iter::once(&mut up.secret_file).chain(up.ca.iter_mut()) {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    }
    if let Err(e) = read_secret_msg(&up.secret_file) {
        problems.push(at("uplink.vxp", e));
    }
    for f in &up.ca {
        if !f.is_file() {
            problems.push(super::file_missing("uplink.vxp.ca", f));
        }
    }
    match up.endpoint.parse::<hyper::Uri>() {
        Ok(u) if u.host().is_some() && matches!(u.scheme_str(), Some("http" | "https")) => {
            if u.scheme_str() == Some("https") && up.ca.is_empty() {
                problems.push(msg!("config-uplink-https-without-ca"));
            }
        }
        _ => problems.push(msg!("config-uplink-endpoint", endpoint = &up.endpoint)),
    }
    match GatewayId::parse(&up.id) {
        Err(e) => problems.push(at("uplink.vxp.id", gateway_id(&e))),
        Ok(id) => {
            if directory.is_some_and(|d| d.gateway(&id).is_some()) {
                problems.push(msg!("config-uplink-id-taken", id = id.to_string()));
            }
        }
    }
    if up.system.is_empty() || !up.system.bytes().all(|b| b.is_ascii_graphic()) {
        problems.push(msg!("config-uplink-system"));
    }
    if up.poll_interval_ms < 100 {
        problems.push(msg!("config-uplink-poll"));
    }
}
