//! Why a call of [`crate::ApiClient`] got no answer, sorted into what a person can act on:
//! nothing listening, the gateway's certificate not trusted or not for that name, the client
//! certificate refused, no answer in time. The command line says each in words; the English
//! `Display` keeps the library's own chain for logs and tests.

use std::error::Error as StdError;

use rustls::{AlertDescription, CertificateError};

/// What went wrong, as far as the error chain tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// Nothing listens at the address: the gateway is not running, or not on this port.
    Refused,
    /// The host name in the URL could not be resolved.
    Unresolved,
    /// The gateway's certificate does not chain to the CA certificates given (`--ca`).
    ServerUntrusted,
    /// The gateway's certificate is not for the host name or address in the URL.
    NameMismatch,
    /// The gateway's certificate has expired, or is not valid yet.
    ServerExpired,
    /// The gateway refused the client certificate during the handshake.
    ClientRefused(ClientRefusal),
    /// The gateway closed the connection before answering: after a handshake in which it
    /// was shown a client certificate, the usual cause is that it refused the certificate.
    Closed,
    /// No answer within the client's timeout.
    Timeout,
    /// Anything else (the detail says what).
    Other,
}

/// Why the gateway refused the client certificate, from the TLS alert it sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRefusal {
    /// Not issued by a CA the gateway trusts.
    UnknownCa,
    /// Expired (or not valid yet).
    Expired,
    /// Revoked in the gateway's CRL.
    Revoked,
    /// The gateway required a certificate and none was given.
    Missing,
    /// Refused for another reason (wrong key usage, unreadable).
    Other,
}

/// A call that got no answer.
#[derive(Debug, Clone)]
pub struct CallError {
    base: String,
    failure: Failure,
    detail: String,
}

impl CallError {
    pub(crate) fn new(base: &str, failure: Failure, detail: String) -> CallError {
        CallError {
            base: base.to_owned(),
            failure,
            detail,
        }
    }

    /// What went wrong.
    pub fn failure(&self) -> Failure {
        self.failure
    }

    /// The gateway's URL as called (`https://host:port`).
    pub fn gateway(&self) -> &str {
        &self.base
    }

    /// `host:port` of the gateway's URL (the port defaults to 443).
    pub fn address(&self) -> String {
        let rest = self.base.split_once("://").map_or(&*self.base, |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or(rest);
        let has_port = match authority.rsplit_once(':') {
            Some((host, port)) => {
                !port.is_empty()
                    && port.bytes().all(|b| b.is_ascii_digit())
                    && (!host.starts_with('[') || host.ends_with(']'))
            }
            None => false,
        };
        if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:443")
        }
    }

    /// The library's own account of the failure.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.failure {
            Failure::Timeout => f.write_str("the gateway did not answer in time"),
            _ => write!(f, "cannot reach {}: {}", self.base, self.detail),
        }
    }
}

impl StdError for CallError {}

impl From<CallError> for String {
    fn from(e: CallError) -> String {
        e.to_string()
    }
}

/// Sort an error chain: the first TLS or socket error found in it decides.
pub(crate) fn classify(e: &(dyn StdError + 'static)) -> Failure {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(f) = examine(err) {
            return f;
        }
        cur = err.source();
    }
    // An alert that reached the request only in words (h2 keeps its io::Error to itself).
    let chain = crate::net::error_chain(e);
    if let Some(rest) = chain.split("received fatal alert: ").nth(1) {
        let name: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        return Failure::ClientRefused(match name.as_str() {
            "UnknownCA" => ClientRefusal::UnknownCa,
            "CertificateExpired" => ClientRefusal::Expired,
            "CertificateRevoked" => ClientRefusal::Revoked,
            "CertificateRequired" => ClientRefusal::Missing,
            _ => ClientRefusal::Other,
        });
    }
    // The connection ended under a request: over HTTP/2 the TLS alert that ended it stays
    // with the connection's task, and the request only learns that it was cancelled.
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(h) = err.downcast_ref::<hyper::Error>()
            && (h.is_canceled() || h.is_closed() || h.is_incomplete_message())
        {
            return Failure::Closed;
        }
        cur = err.source();
    }
    // hyper-util's resolver reports a failed lookup only in words.
    if chain.contains("failed to lookup address") || chain.contains("Name or service not known") {
        return Failure::Unresolved;
    }
    Failure::Other
}

/// One link of the chain, looking inside the wrappers whose `source()` skips what they
/// wrap: a boxed error (hyper-util's connector errors) and an io::Error's inner error.
fn examine(err: &(dyn StdError + 'static)) -> Option<Failure> {
    if let Some(t) = err.downcast_ref::<rustls::Error>() {
        return Some(from_tls(t));
    }
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        if let Some(inner) = io.get_ref() {
            let inner: &(dyn StdError + 'static) = inner;
            if let Some(f) = examine(inner) {
                return Some(f);
            }
        }
        return from_io(io);
    }
    None
}

fn from_io(io: &std::io::Error) -> Option<Failure> {
    use std::io::ErrorKind as K;
    match io.kind() {
        K::ConnectionRefused => Some(Failure::Refused),
        K::BrokenPipe | K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof => {
            Some(Failure::Closed)
        }
        K::TimedOut => Some(Failure::Timeout),
        _ => None,
    }
}

fn from_tls(t: &rustls::Error) -> Failure {
    match t {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                Failure::ServerUntrusted
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Failure::NameMismatch
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => Failure::ServerExpired,
            _ => Failure::Other,
        },
        rustls::Error::AlertReceived(a) => Failure::ClientRefused(match a {
            AlertDescription::UnknownCA => ClientRefusal::UnknownCa,
            AlertDescription::CertificateExpired => ClientRefusal::Expired,
            AlertDescription::CertificateRevoked => ClientRefusal::Revoked,
            AlertDescription::CertificateRequired => ClientRefusal::Missing,
            _ => ClientRefusal::Other,
        }),
        _ => Failure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_names_host_and_port() {
        let e = |b: &str| CallError::new(b, Failure::Refused, String::new()).address();
        assert_eq!(e("https://127.0.0.1:8443"), "127.0.0.1:8443");
        assert_eq!(e("https://gw.example.vn"), "gw.example.vn:443");
        assert_eq!(e("https://[::1]:9"), "[::1]:9");
        assert_eq!(e("https://[::1]"), "[::1]:443");
        assert_eq!(e("https://h:8443/base"), "h:8443");
    }

    #[test]
    fn the_chain_decides_what_to_say() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(classify(&refused), Failure::Refused);
        let tls = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::BadSignature),
        );
        assert_eq!(classify(&tls), Failure::ServerUntrusted);
        let alert = rustls::Error::AlertReceived(AlertDescription::CertificateRevoked);
        assert_eq!(
            classify(&alert),
            Failure::ClientRefused(ClientRefusal::Revoked)
        );
        let worded = std::io::Error::other("connection error: received fatal alert: UnknownCA");
        assert_eq!(
            classify(&worded),
            Failure::ClientRefused(ClientRefusal::UnknownCa)
        );
        let other = std::io::Error::other("something else");
        assert_eq!(classify(&other), Failure::Other);
        let timeout = CallError::new("https://h:1", Failure::Timeout, String::new());
        assert_eq!(timeout.to_string(), "the gateway did not answer in time");
    }
}
