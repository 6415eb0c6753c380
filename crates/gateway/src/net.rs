//! Reaching peers: the HTTPS client of relays, probes and trails (mutual TLS, the peer's
//! certificate must name the gateway meant), with one time limit on connecting, and how long
//! a transfer of a body may take.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The HTTPS client used for relays.
pub type HttpsClient = Client<TimedConnector, Full<Bytes>>;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The HTTPS connector with one time limit on the TCP connection *and* the TLS handshake: a
/// peer that accepts connections but never completes the handshake (hung, or a middlebox
/// holding the connection) is a link failure after it, like one that refuses connections,
/// instead of each relay waiting for its whole request timeout.
#[derive(Clone, Debug)]
pub struct TimedConnector {
    inner: Https,
    limit: Duration,
    /// The peer this connector reaches, and where its certificate is recorded once the
    /// handshake has completed (so only a certificate the peer proved it holds the key of).
    peer: (String, Arc<crate::seen::Seen>),
    /// Dates that record.
    clock: Arc<dyn lienthong_types::Clock>,
}

impl tower::Service<hyper::Uri> for TimedConnector {
    type Response = <Https as tower::Service<hyper::Uri>>::Response;
    type Error = BoxError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, BoxError>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: hyper::Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let limit = self.limit;
        let peer = self.peer.clone();
        let clock = self.clock.clone();
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(Ok(stream)) => {
                    if let hyper_rustls::MaybeHttpsStream::Https(tls) = &stream
                        && let Some(cert) = tls
                            .inner()
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|c| c.first())
                    {
                        let (hop, seen) = &peer;
                        seen.record(hop, cert.as_ref(), clock.now().as_millis());
                    }
                    Ok(stream)
                }
                Ok(Err(e)) => Err(e),
                Err(_) => Err(format!(
                    "no TLS connection within {} ms (TCP and handshake)",
                    limit.as_millis()
                )
                .into()),
            }
        })
    }
}

/// The longest a connection to a peer may take, TCP and TLS handshake together.
pub const CONNECT_LIMIT: Duration = Duration::from_secs(10);

/// A TCP connector with Nagle off: small requests and answers must not wait for the
/// peer's delayed ACK (40 ms per round trip otherwise).
pub fn plain_connector() -> HttpConnector {
    let mut c = HttpConnector::new();
    c.enforce_http(false);
    c.set_nodelay(true);
    c.set_connect_timeout(Some(Duration::from_secs(10)));
    c
}

/// Build a client for reaching gateway `peer` from the TLS state's current client
/// configuration: the peer's certificate must name that gateway.
pub fn client(
    tls: &crate::tls::TlsState,
    peer: &str,
    connect_limit: Duration,
    clock: Arc<dyn lienthong_types::Clock>,
) -> Option<HttpsClient> {
    let cfg = tls.client_for(peer)?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*cfg).clone())
        .https_only()
        .enable_http1()
        .enable_http2()
        .wrap_connector(plain_connector());
    Some(
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(64)
            .build(TimedConnector {
                inner: https,
                limit: connect_limit,
                peer: (peer.to_owned(), tls.next_hops.clone()),
                clock,
            }),
    )
}

/// The time a transfer of `bytes` gets: `base` plus the bytes at `rate` bytes per second.
pub fn transfer_timeout(base: Duration, bytes: u64, rate: u64) -> Duration {
    base.saturating_add(Duration::from_millis(
        bytes.saturating_mul(1000) / rate.max(1),
    ))
}

/// An error with its causes: "client error (Connect): invalid peer certificate: UnknownIssuer"
/// (hyper's own message alone does not say what went wrong).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::transfer_timeout;
    use std::time::Duration;

    #[test]
    fn big_bodies_get_time_for_a_slow_link() {
        let base = Duration::from_secs(30);
        // A 10 MB scan at 512 kbit/s: 30 s + 152.6 s.
        assert_eq!(
            transfer_timeout(base, 10_000_000, 65_536),
            Duration::from_millis(30_000 + 152_587)
        );
        assert_eq!(transfer_timeout(base, 0, 65_536), base);
        // No overflow, whatever the numbers.
        assert!(transfer_timeout(base, u64::MAX, 1) > base);
        assert!(transfer_timeout(base, 1, 0) > base);
    }
}
