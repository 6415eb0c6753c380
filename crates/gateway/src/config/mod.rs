//! Gateway configuration: TOML, unknown keys refused, everything validated before a port
//! is bound.
//!
//! The shape follows the design document (`[gateway]`, `[listen]`, `[tls]`, `[signing]`,
//! `[trust]`, `[parent]`, `[[child]]`, `[[agency]]`) with optional additions, each with a
//! safe default: `[limits]`, `[retry]`, `[forward]`, `[retention]`, `[backup]`, `[[identity]]`
//! (certificate fingerprints for peers whose certificates cannot name them) and
//! `directory` (a full federation directory, see `lienthong-routing`). Without a
//! directory file, routing is built from the local view: agencies homed here, each
//! child's `agencies` (its subtree), and everything else to the parent.

pub mod compliance;
pub mod problems;
pub mod store;
pub mod vxp;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use lienthong_edxml::AgencyCode;
use lienthong_i18n::{Arg, Lang, Msg, msg};
use lienthong_routing::{Directory, DirectorySpec, GatewayId};
use serde::Deserialize;

use self::problems::{at, english, gateway_id};

/// Why a configuration cannot be used. Each names the key and the problem.
#[derive(Debug, thiserror::Error)]
#[error("config {file}: {problems}")]
pub struct ConfigError {
    /// The config file.
    pub file: String,
    /// The problems in English, `; ` between them.
    pub problems: String,
    /// The problems, for people in any language ([`ConfigError::msg`]).
    pub messages: Vec<Msg>,
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// This gateway.
    pub gateway: GatewaySection,
    /// Where to listen.
    pub listen: ListenSection,
    /// TLS server identity and client CAs.
    pub tls: TlsSection,
    /// The receipt-signing key (may be the TLS key).
    pub signing: SigningSection,
    /// Trust for document signatures.
    pub trust: TrustSection,
    /// The parent gateway (absent at the national root).
    pub parent: Option<PeerSection>,
    /// Child gateways.
    #[serde(default)]
    pub child: Vec<ChildSection>,
    /// Agencies homed at this gateway.
    #[serde(default)]
    pub agency: Vec<AgencySection>,
    /// Fingerprint-mapped identities.
    #[serde(default)]
    pub identity: Vec<IdentitySection>,
    /// A full federation directory (TOML or JSON, `lienthong-routing` format).
    pub directory: Option<PathBuf>,
    /// Request limits.
    #[serde(default)]
    pub limits: LimitsSection,
    /// Retry policy of outgoing hops.
    #[serde(default)]
    pub retry: RetrySection,
    /// Forwarding.
    #[serde(default)]
    pub forward: ForwardSection,
    /// Retention of payloads.
    #[serde(default)]
    pub retention: RetentionSection,
    /// Online backups.
    #[serde(default)]
    pub backup: BackupSection,
    /// Where messages are kept: the embedded store (default) or PostgreSQL.
    #[serde(default)]
    pub store: store::StoreSection,
    /// The national axis's DMS API on a second listener (off without it).
    pub vxp: Option<vxp::VxpSection>,
    /// Links to other axes: `[uplink.vxp]`.
    #[serde(default)]
    pub uplink: vxp::UplinkSection,
    /// Working days and hours for same-day receipt notices.
    #[serde(default)]
    pub calendar: compliance::CalendarSection,
    /// The compliance report's score and the urgent documents' thresholds.
    #[serde(default)]
    pub compliance: compliance::ComplianceSection,
}

/// `[backup]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupSection {
    /// The folder online backups go to (`POST /v1/backups`, `lienthong backup`); created
    /// when needed; outside `gateway.data_dir`. Without it, backups are refused.
    pub dir: Option<PathBuf>,
}

/// `[gateway]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySection {
    /// This gateway's id.
    pub id: String,
    /// Where the store lives (`[store] engine = "sled"`, the default; not used with
    /// PostgreSQL).
    pub data_dir: Option<PathBuf>,
}

/// `[listen]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenSection {
    /// Socket address, e.g. `0.0.0.0:8443`.
    pub addr: String,
}

/// `[tls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// Server certificate chain (PEM).
    pub cert: PathBuf,
    /// Server private key (PKCS#8 PEM).
    pub key: PathBuf,
    /// CAs of client certificates (DMSs, peers, operators); also used to verify peers'
    /// server certificates when forwarding.
    pub client_ca: Vec<PathBuf>,
    /// CRLs for client certificates.
    #[serde(default)]
    pub client_crls: Vec<PathBuf>,
    /// What a client CRL past its nextUpdate means: `warn` (it is still used; the metric
    /// `lienthong_client_crl_next_update_timestamp_seconds` is in the past and the gateway
    /// logs a warning) or `refuse` (client certificates of that CA are refused until a fresh
    /// CRL is loaded).
    #[serde(default)]
    pub crl_expired: CrlExpired,
}

/// `[tls] crl_expired`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrlExpired {
    /// Keep using it, and say so.
    #[default]
    Warn,
    /// Refuse the certificates it covers.
    Refuse,
}

/// `[signing]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningSection {
    /// Certificate (PEM) naming this gateway (`urn:lienthong:gateway:ID`).
    pub cert: PathBuf,
    /// Private key (PKCS#8 PEM).
    pub key: PathBuf,
}

/// Whether documents must carry a valid signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignaturePolicy {
    /// Refuse unsigned, legacy, weak or invalid documents.
    Require,
    /// Accept them and record the verdict (for legacy systems).
    Record,
}

/// `[trust]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustSection {
    /// Roots for agency document signatures.
    pub document_roots: Vec<PathBuf>,
    /// CRLs for document signers.
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    /// `require` or `record`.
    pub policy: SignaturePolicy,
    /// A relay straight from its sender's home gateway, which accepted a signature that is
    /// not valid under a `record` policy (its own, a VXP system's or an uplink's), is taken
    /// with the verdict recorded, even under `require` (default true; only with a directory
    /// file, and only for senders it lists). False: this gateway's policy decides alone.
    #[serde(default = "yes")]
    pub accept_recorded_relays: bool,
    /// The signatures inside PDF attachments: `record` (default) keeps each PDF's verdict
    /// with the message; `require` also refuses a document whose main PDF (the first PDF
    /// attachment) lacks a valid organisation signature from the sending agency.
    #[serde(default = "record")]
    pub pdf_signatures: SignaturePolicy,
    /// Trust the Government CA's roots and intermediates shipped with lienthong for PDF
    /// signatures (default true). `document_roots` are trusted for them too.
    #[serde(default = "yes")]
    pub government_ca: bool,
    /// More roots for PDF signatures (public CAs: VNPT-CA, Viettel-CA, …), PEM.
    #[serde(default)]
    pub pdf_roots: Vec<PathBuf>,
    /// Issuing CA certificates offered to every PDF signer's chain (signatures often carry
    /// only the signer's certificate), PEM.
    #[serde(default)]
    pub pdf_intermediates: Vec<PathBuf>,
}

fn yes() -> bool {
    true
}

fn record() -> SignaturePolicy {
    SignaturePolicy::Record
}

/// `[parent]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSection {
    /// Peer gateway id.
    pub id: String,
    /// Its base URL (`https://host:port`).
    pub url: String,
}

/// `[[child]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildSection {
    /// Child gateway id.
    pub id: String,
    /// Its base URL.
    pub url: String,
    /// Agencies in its subtree (used when no directory file is given).
    #[serde(default)]
    pub agencies: Vec<String>,
}

/// `[[agency]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencySection {
    /// Agency code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Signing certificates pinned to it (SHA-256 fingerprints, as a directory's `signers`).
    #[serde(default)]
    pub signers: Vec<String>,
    /// Its level in compliance reports (as a directory's `level`).
    #[serde(default)]
    pub level: Option<String>,
}

/// `[[identity]]`: a certificate fingerprint mapped to an identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySection {
    /// SHA-256 of the certificate DER, hex.
    pub fingerprint: String,
    /// The agency it acts for.
    pub agency: Option<String>,
    /// The gateway it is.
    pub gateway: Option<String>,
    /// The operator it is.
    pub operator: Option<String>,
    /// The monitor it is (reads metrics, the console and reports only).
    pub monitor: Option<String>,
}

/// The largest `limits.max_uri_bytes`: hyper answers a bare 414 to targets over 65,534 bytes.
pub const MAX_URI_BYTES: usize = 60_000;
/// The largest `limits.max_header_bytes`; the server's buffers are sized above it.
pub const MAX_HEADER_BYTES: usize = 256 * 1024;
/// The largest `limits.max_headers`; the server's parser counts above it.
pub const MAX_HEADERS: usize = 512;

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    /// Largest request body in bytes; at or above it the answer is 413. Default 100 MiB - 1.
    pub max_body_bytes: usize,
    /// Time to receive request headers, ms (slowloris defence). Default 10 s.
    pub header_timeout_ms: u64,
    /// Longest request target (path and query), bytes; longer is refused with 414
    /// `request.uri_too_long`. Default 8 KiB; at most 60,000.
    pub max_uri_bytes: usize,
    /// Request header fields, names and values together (4 bytes more for each field's
    /// separators), bytes; more is refused with 431 `request.headers_too_large`. Default
    /// 32 KiB; at most 256 KiB.
    pub max_header_bytes: usize,
    /// Request header fields, counted; more is refused with 431. Default 100; at most 512.
    pub max_headers: usize,
    /// Time to read a whole request and answer it, ms. Default 120 s.
    pub request_timeout_ms: u64,
    /// TLS handshake time, ms. Default 10 s.
    pub handshake_timeout_ms: u64,
    /// Requests handled at once. Default 256.
    pub max_concurrent_requests: usize,
    /// Sustained requests per second per peer identity. Default 200.
    pub per_peer_rate: u32,
    /// Burst size per peer. Default 400.
    pub per_peer_burst: u32,
    /// Open connections at once. Default 1024.
    pub max_connections: usize,
    /// TLS handshakes in progress from one source address. Default 128.
    pub max_handshakes_per_address: usize,
    /// Connections whose client presented no usable certificate (health probes, scanners),
    /// in all; they can never take the pool from identified clients. Default 64.
    pub max_anonymous_connections: usize,
    /// Such connections from one source address. Default 4.
    pub max_anonymous_per_address: usize,
    /// Connections one identity (an agency's DMS, a gateway, an operator) may hold.
    /// Default 128.
    pub max_connections_per_identity: usize,
    /// A connection with no request in progress for this long is closed, ms. Default 120 s.
    pub idle_timeout_ms: u64,
    /// A connection is asked to close after this long (HTTP/2 GOAWAY; HTTP/1 after its
    /// current answer), and cut `request_timeout_ms` later, ms. Default 1 h.
    pub max_connection_age_ms: u64,
    /// HTTP/2 keep-alive ping interval, ms. Default 20 s.
    pub http2_keepalive_interval_ms: u64,
    /// An HTTP/2 ping unanswered this long closes the connection, ms. Default 10 s.
    pub http2_keepalive_timeout_ms: u64,
    /// The slowest upload still served: a request with a body gets `request_timeout_ms`
    /// plus its `Content-Length` at this rate, so that a big scan over a commune's slow
    /// link is not cut off. Bytes per second; default 65,536 (512 kbit/s).
    pub min_bytes_per_second: u64,
    /// Inbox long polls (`GET /v1/inbox?wait=N`) waiting at once; beyond this a poll is
    /// answered at once. A waiting poll does not count against `max_concurrent_requests`.
    /// Default 4096.
    pub max_inbox_waiters: usize,
    /// Document bodies held in memory at once (being received, relayed or served from an
    /// inbox), bytes; beyond it a request waits briefly, then gets 503 `server.busy`, and a
    /// relay waits. At least `max_body_bytes`. Peak memory for bodies is a small multiple of
    /// this (a body is parsed and checked while held). Default 512 MiB.
    pub max_buffered_body_bytes: u64,
    /// Of that, what one identity (a DMS, a gateway, an operator) may hold at once; past it
    /// its next body gets 503 `server.busy` at once, so that no client can hoard the budget
    /// by declaring big bodies and sending them slowly. At least `max_body_bytes`; above
    /// `max_buffered_body_bytes` it is that. Default 128 MiB.
    pub max_buffered_body_bytes_per_identity: u64,
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_body_bytes: 100 * 1024 * 1024 - 1,
            header_timeout_ms: 10_000,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            request_timeout_ms: 120_000,
            handshake_timeout_ms: 10_000,
            max_concurrent_requests: 256,
            per_peer_rate: 200,
            per_peer_burst: 400,
            max_connections: 1024,
            max_handshakes_per_address: 128,
            max_anonymous_connections: 64,
            max_anonymous_per_address: 4,
            max_connections_per_identity: 128,
            idle_timeout_ms: 120_000,
            max_connection_age_ms: 3_600_000,
            http2_keepalive_interval_ms: 20_000,
            http2_keepalive_timeout_ms: 10_000,
            min_bytes_per_second: 65_536,
            max_inbox_waiters: 4096,
            max_buffered_body_bytes: 512 * 1024 * 1024,
            max_buffered_body_bytes_per_identity: 128 * 1024 * 1024,
        }
    }
}

/// `[retry]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetrySection {
    /// First delay, ms. Default 1 s.
    pub base_ms: u64,
    /// Growth per attempt. Default 2.
    pub factor: f64,
    /// Largest delay, ms. Default 5 min.
    pub cap_ms: u64,
    /// Jitter, percent of the delay. Default 20.
    pub jitter_percent: u8,
    /// Attempts before dead-lettering. Default 50.
    pub max_attempts: u32,
    /// Age before dead-lettering, ms. Default 3 days.
    pub max_age_ms: u64,
}

impl Default for RetrySection {
    fn default() -> Self {
        RetrySection {
            base_ms: 1_000,
            factor: 2.0,
            cap_ms: 300_000,
            jitter_percent: 20,
            max_attempts: 50,
            max_age_ms: 3 * 24 * 3_600_000,
        }
    }
}

/// `[forward]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForwardSection {
    /// Relays in flight per peer. Default 16.
    pub concurrency_per_peer: usize,
    /// Lease length, ms, renewed every third of it while the relay goes on. Default 60 s.
    pub lease_ms: u64,
    /// Time for one relay request, ms, plus the body's size at `min_bytes_per_second`.
    /// Default 30 s.
    pub request_timeout_ms: u64,
    /// The slowest link still used: a relay of N bytes gets N at this rate on top of
    /// `request_timeout_ms`. Bytes per second; default 65,536 (512 kbit/s).
    pub min_bytes_per_second: u64,
    /// A relay sent again (its earlier attempt failed or its answer was lost) with a body of
    /// at least this many bytes first asks the peer for its receipt, so that a big document
    /// the peer already stored is not uploaded twice over a slow link. Default 1 MiB.
    pub resend_check_bytes: u64,
    /// While a link is down, its first probe comes this long after the failure, ms;
    /// each next one twice as long after the last, up to `probe_max_ms`. Default 1 s.
    pub probe_min_ms: u64,
    /// The longest wait between two probes of a link that is down, ms. Default 10 s. New
    /// work for the hop, or the peer connecting to this gateway, brings a probe forward.
    pub probe_max_ms: u64,
}

impl Default for ForwardSection {
    fn default() -> Self {
        ForwardSection {
            concurrency_per_peer: 16,
            lease_ms: 60_000,
            request_timeout_ms: 30_000,
            min_bytes_per_second: 65_536,
            resend_check_bytes: 1024 * 1024,
            probe_min_ms: 1_000,
            probe_max_ms: 10_000,
        }
    }
}

/// `[retention]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSection {
    /// Days to keep payloads of finished messages. Default 90.
    pub payload_days: u64,
}

impl Default for RetentionSection {
    fn default() -> Self {
        RetentionSection { payload_days: 90 }
    }
}

/// A validated configuration, with paths resolved against the config file's folder.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The configuration as read.
    pub config: Config,
    /// This gateway's id.
    pub id: GatewayId,
    /// The socket address.
    pub addr: SocketAddr,
    /// The routing directory.
    pub directory: Directory,
    /// Where the config file was.
    pub base: PathBuf,
    /// The VXP listener's address, with `[vxp]`.
    pub vxp_addr: Option<SocketAddr>,
    /// Settings that are valid but probably not what was meant (logged at start, printed by
    /// `serve --check`).
    pub warnings: Vec<String>,
    /// The same warnings, for people in any language.
    pub warning_msgs: Vec<Msg>,
    /// The working-day calendar and the urgent thresholds (`[calendar]`, `[compliance]`).
    pub rules: lienthong_compliance::Rules,
}

impl Config {
    /// Read and validate a config file.
    pub fn load(path: &Path) -> Result<Validated, ConfigError> {
        let error = |messages: Vec<Msg>| ConfigError {
            file: path.display().to_string(),
            problems: english(&messages),
            messages,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| error(vec![msg!("config-cannot-read", error = e.to_string())]))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Config::from_toml_msgs(&text, &base).map_err(error)
    }

    /// Parse and validate TOML; relative paths are taken from `base`. The problems in
    /// English, `; ` between them.
    pub fn from_toml(text: &str, base: &Path) -> Result<Validated, String> {
        Config::from_toml_msgs(text, base).map_err(|problems| english(&problems))
    }

    /// [`Config::from_toml`], each problem a message for any language.
    pub fn from_toml_msgs(text: &str, base: &Path) -> Result<Validated, Vec<Msg>> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| vec![msg!("config-toml", detail = e.to_string())])?;
        let mut problems: Vec<Msg> = Vec::new();
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        if let Some(d) = &mut config.gateway.data_dir {
            resolve(d);
        }
        config.store.resolve(base);
        config
            .store
            .check(config.gateway.data_dir.is_some(), &mut problems);
        resolve(&mut config.tls.cert);
        resolve(&mut config.tls.key);
        config.tls.client_ca.iter_mut().for_each(resolve);
        config.tls.client_crls.iter_mut().for_each(resolve);
        resolve(&mut config.signing.cert);
        resolve(&mut config.signing.key);
        config.trust.document_roots.iter_mut().for_each(resolve);
        config.trust.crls.iter_mut().for_each(resolve);
        if let Some(d) = &mut config.directory {
            resolve(d);
        }
        if let Some(d) = &mut config.backup.dir {
            resolve(d);
            if config
                .gateway
                .data_dir
                .as_ref()
                .is_some_and(|data| d.starts_with(data))
            {
                problems.push(msg!(
                    "config-backup-inside-data",
                    path = d.display().to_string()
                ));
            }
        }

        let rules = compliance::rules(&config.calendar, &config.compliance, &mut problems);
        let id = GatewayId::parse(&config.gateway.id)
            .map_err(|e| problems.push(at("gateway.id", gateway_id(&e))))
            .ok();
        let addr: Option<SocketAddr> = config
            .listen
            .addr
            .parse()
            .map_err(|e: std::net::AddrParseError| {
                problems.push(msg!(
                    "config-bad-value",
                    key = "listen.addr",
                    value = &config.listen.addr,
                    error = e.to_string()
                ))
            })
            .ok();
        let files = [
            ("tls.cert", &config.tls.cert),
            ("tls.key", &config.tls.key),
            ("signing.cert", &config.signing.cert),
            ("signing.key", &config.signing.key),
        ];
        for (key, p) in files {
            if !p.is_file() {
                problems.push(file_missing(key, p));
            }
        }
        if config.tls.client_ca.is_empty() {
            problems.push(msg!("config-client-ca-none"));
        }
        for (key, list) in [
            ("tls.client_ca", &config.tls.client_ca),
            ("tls.client_crls", &config.tls.client_crls),
            ("trust.document_roots", &config.trust.document_roots),
            ("trust.crls", &config.trust.crls),
        ] {
            for p in list {
                if !p.is_file() {
                    problems.push(file_missing(key, p));
                }
            }
        }
        if config.trust.document_roots.is_empty() && config.trust.policy == SignaturePolicy::Require
        {
            problems.push(msg!("config-document-roots-none"));
        }
        let l = &config.limits;
        if l.max_body_bytes == 0 || l.max_concurrent_requests == 0 || l.max_connections == 0 {
            problems.push(msg!("config-limits-zero"));
        }
        if l.max_buffered_body_bytes < l.max_body_bytes as u64 {
            problems.push(msg!(
                "config-limits-buffered",
                buffered = l.max_buffered_body_bytes.to_string(),
                body = l.max_body_bytes.to_string()
            ));
        }
        if l.max_buffered_body_bytes_per_identity < l.max_body_bytes as u64 {
            problems.push(msg!(
                "config-limits-buffered-per-identity",
                buffered = l.max_buffered_body_bytes_per_identity.to_string(),
                body = l.max_body_bytes.to_string()
            ));
        }
        if !(1..=MAX_URI_BYTES).contains(&l.max_uri_bytes)
            || !(1..=MAX_HEADER_BYTES).contains(&l.max_header_bytes)
            || !(1..=MAX_HEADERS).contains(&l.max_headers)
        {
            problems.push(msg!(
                "config-limits-head",
                uri = MAX_URI_BYTES.to_string(),
                header_bytes = MAX_HEADER_BYTES.to_string(),
                headers = MAX_HEADERS.to_string()
            ));
        }
        if l.min_bytes_per_second == 0 || config.forward.min_bytes_per_second == 0 {
            problems.push(msg!("config-min-rate-zero"));
        }
        if l.per_peer_rate == 0 || l.per_peer_burst == 0 {
            problems.push(msg!("config-peer-rate-zero"));
        }
        if [
            l.max_handshakes_per_address,
            l.max_anonymous_connections,
            l.max_anonymous_per_address,
            l.max_connections_per_identity,
        ]
        .contains(&0)
            || [
                l.idle_timeout_ms,
                l.max_connection_age_ms,
                l.http2_keepalive_interval_ms,
                l.http2_keepalive_timeout_ms,
            ]
            .contains(&0)
        {
            problems.push(msg!("config-connection-limits-zero"));
        }
        if l.max_anonymous_connections >= l.max_connections {
            problems.push(msg!(
                "config-limits-anonymous",
                anonymous = l.max_anonymous_connections.to_string(),
                connections = l.max_connections.to_string()
            ));
        }
        if config.forward.probe_min_ms < 100
            || config.forward.probe_max_ms < config.forward.probe_min_ms
        {
            problems.push(msg!("config-forward-probe"));
        }
        if config.forward.concurrency_per_peer == 0 || config.forward.lease_ms < 1000 {
            problems.push(msg!("config-forward-lease"));
        }
        if config.retry.factor.is_nan()
            || config.retry.factor < 1.0
            || config.retry.base_ms == 0
            || config.retry.max_attempts == 0
        {
            problems.push(msg!("config-retry"));
        }
        for (i, a) in config.agency.iter().enumerate() {
            if let Err(e) = AgencyCode::parse(&a.code) {
                problems.push(at(format!("agency[{i}].code"), e.msg()));
            }
        }
        for (i, c) in config.child.iter().enumerate() {
            if let Err(e) = GatewayId::parse(&c.id) {
                problems.push(at(format!("child[{i}].id"), gateway_id(&e)));
            }
            check_url(&format!("child[{i}].url"), &c.url, &mut problems);
            for a in &c.agencies {
                if let Err(e) = AgencyCode::parse(a) {
                    problems.push(at(format!("child[{i}].agencies"), e.msg()));
                }
            }
        }
        if let Some(p) = &config.parent {
            if let Err(e) = GatewayId::parse(&p.id) {
                problems.push(at("parent.id", gateway_id(&e)));
            }
            check_url("parent.url", &p.url, &mut problems);
        }
        for (i, ident) in config.identity.iter().enumerate() {
            let n = [
                &ident.agency,
                &ident.gateway,
                &ident.operator,
                &ident.monitor,
            ]
            .iter()
            .filter(|x| x.is_some())
            .count();
            if n != 1 {
                problems.push(msg!("config-identity-one", key = format!("identity[{i}]")));
            }
            if ident.fingerprint.len() != 64
                || !ident.fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
            {
                problems.push(msg!(
                    "config-identity-fingerprint",
                    key = format!("identity[{i}].fingerprint")
                ));
            }
        }
        let directory = match (&id, &config.directory) {
            (Some(id), Some(file)) => match std::fs::read_to_string(file) {
                Err(e) => {
                    problems.push(msg!(
                        "config-directory-unreadable",
                        path = file.display().to_string(),
                        error = e.to_string()
                    ));
                    None
                }
                Ok(text) => {
                    let loaded = if file.extension().is_some_and(|e| e == "json") {
                        Directory::from_json(&text)
                    } else {
                        Directory::from_toml(&text)
                    };
                    match loaded {
                        Ok(d) => {
                            if d.gateway(id).is_none() {
                                problems.push(msg!(
                                    "config-directory-without-self",
                                    path = file.display().to_string(),
                                    id = id.to_string()
                                ));
                            }
                            Some(d)
                        }
                        Err(e) => {
                            problems.push(msg!(
                                "config-directory-invalid",
                                path = file.display().to_string(),
                                error = e.to_string()
                            ));
                            None
                        }
                    }
                }
            },
            (Some(id), None) => match local_view(&config, id) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(msg!("config-local-view", error = e));
                    None
                }
            },
            (None, _) => None,
        };
        let vxp_addr = match config.vxp.as_mut() {
            Some(v) => vxp::check(v, base, id.as_ref(), directory.as_ref(), &mut problems),
            None => None,
        };
        if let Some(up) = config.uplink.vxp.as_mut() {
            vxp::check_uplink(up, base, directory.as_ref(), &mut problems);
        }
        let mut warning_msgs = Vec::new();
        if config.directory.is_none() {
            for c in config.child.iter().filter(|c| c.agencies.is_empty()) {
                warning_msgs.push(msg!("config-warn-child-without-agencies", child = &c.id));
            }
        } else if !config.agency.is_empty() {
            let pins: usize = config.agency.iter().map(|a| a.signers.len()).sum();
            warning_msgs.push(msg!(
                "config-warn-agencies-ignored",
                count = config.agency.len().to_string(),
                pins = pins.to_string()
            ));
        }
        let warnings: Vec<String> = warning_msgs.iter().map(|m| m.render(Lang::En)).collect();
        match (id, addr, directory) {
            (Some(id), Some(addr), Some(directory)) if problems.is_empty() => Ok(Validated {
                config,
                id,
                addr,
                directory,
                base: base.to_path_buf(),
                vxp_addr,
                warnings,
                warning_msgs,
                rules,
            }),
            _ => Err(problems),
        }
    }
}

fn check_url(key: &str, url: &str, problems: &mut Vec<Msg>) {
    match url.parse::<hyper::Uri>() {
        Ok(u) if u.scheme_str() == Some("https") && u.host().is_some() => {}
        Ok(_) => problems.push(msg!("config-url-https", key = key, url = url)),
        Err(e) => problems.push(msg!(
            "config-bad-value",
            key = key,
            value = url,
            error = e.to_string()
        )),
    }
}

/// `KEY: file PATH does not exist`.
fn file_missing(key: &str, path: &Path) -> Msg {
    msg!(
        "config-file-missing",
        key = key,
        path = path.display().to_string()
    )
}

/// The routing directory of the local view: parent (as the root), this gateway, its
/// children with their listed agencies, and the agencies homed here.
fn local_view(config: &Config, id: &GatewayId) -> Result<Directory, String> {
    let mut spec = DirectorySpec::default();
    let url = format!("https://{}", config.listen.addr);
    let me = lienthong_routing::GatewaySpec {
        id: id.to_string(),
        parent: config.parent.as_ref().map(|p| p.id.clone()),
        url,
        level: None,
    };
    if let Some(p) = &config.parent {
        spec.gateways.push(lienthong_routing::GatewaySpec {
            id: p.id.clone(),
            parent: None,
            url: p.url.clone(),
            level: None,
        });
    }
    spec.gateways.push(me);
    for c in &config.child {
        spec.gateways.push(lienthong_routing::GatewaySpec {
            id: c.id.clone(),
            parent: Some(id.to_string()),
            url: c.url.clone(),
            level: None,
        });
        for a in &c.agencies {
            spec.agencies.push(agency_spec(a, a, &c.id));
        }
    }
    for a in &config.agency {
        spec.agencies.push(lienthong_routing::AgencySpec {
            signers: a.signers.clone(),
            level: a.level.clone(),
            ..agency_spec(&a.code, &a.name, id.as_str())
        });
    }
    Directory::from_spec(&spec).map_err(|e| e.to_string())
}

fn agency_spec(code: &str, name: &str, gateway: &str) -> lienthong_routing::AgencySpec {
    lienthong_routing::AgencySpec {
        code: code.to_owned(),
        name: name.to_owned(),
        gateway: gateway.to_owned(),
        ..lienthong_routing::AgencySpec::default()
    }
}

impl ConfigError {
    /// The error for people, in any language (`Display` is its English).
    pub fn msg(&self) -> Msg {
        msg!(
            "config-error",
            file = &self.file,
            problems = Arg::Msgs(self.messages.clone())
        )
    }
}
