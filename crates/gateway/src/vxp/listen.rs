//! The VXP listener: plain HTTP (loopback or a trusted segment) or HTTPS with the gateway's
//! server certificate; the SDK presents no client certificate, so the caller is known only
//! from each request's signed headers. Connections are capped in all (`max_connections`)
//! and per source address (`max_connections_per_identity`), and closed when idle or old, as
//! on the mTLS listener.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::systems::VxpState;
use crate::config::Validated;
use crate::conns::{Activity, Caps, ConnCaps, Lifetimes};
use crate::state::Shared;
use crate::tls::TlsState;

/// A running VXP listener.
#[derive(Debug)]
pub struct VxpRunning {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its systems (replaced on reload).
    pub state: Arc<VxpState>,
    /// The accept loop; aborting it closes every connection.
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// Why the VXP listener did not start.
#[derive(Debug)]
pub(crate) enum ListenFailure {
    /// A system's secret file cannot be read.
    Systems(String),
    /// The address cannot be bound.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Bind and start the VXP listener of `v`, if it has one.
pub(crate) async fn start(
    v: &Validated,
    state: &Shared,
    tls: &Arc<TlsState>,
) -> Result<Option<VxpRunning>, ListenFailure> {
    let (Some(section), Some(addr)) = (&v.config.vxp, v.vxp_addr) else {
        return Ok(None);
    };
    let vx = Arc::new(VxpState::new(section).map_err(ListenFailure::Systems)?);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ListenFailure::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ListenFailure::Bind { addr, source })?;
    let ids: Vec<String> = section.system.iter().map(|s| s.id.clone()).collect();
    state.metrics.register_vxp(&ids);
    let router = super::router::router(state.clone(), vx.clone());
    let tls = section.tls.then(|| tls.clone());
    let task = tokio::spawn(accept_loop(listener, tls, router, state.clone()));
    tracing::info!(addr = %bound, tls = section.tls, systems = vx.systems().len(), "VXP listener started");
    Ok(Some(VxpRunning {
        addr: bound,
        state: vx,
        task,
    }))
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<Arc<TlsState>>,
    router: axum::Router,
    state: Shared,
) {
    let l = &state.limits;
    let caps = ConnCaps::new(Caps {
        handshakes_per_address: l.max_handshakes_per_address,
        anonymous_total: l.max_connections,
        anonymous_per_address: l.max_connections_per_identity,
        per_identity: l.max_connections_per_identity,
    });
    let lives = Lifetimes::from_limits(l);
    let handshake = Duration::from_millis(l.handshake_timeout_ms);
    let header_timeout = Duration::from_millis(l.header_timeout_ms);
    // Dropped with this task: every connection ends with it.
    let mut conns = JoinSet::new();
    loop {
        let (tcp, remote) = tokio::select! {
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "VXP accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let Some(slot) = caps.anonymous(remote.ip()) else {
            state.metrics.connection_refused("vxp_per_address");
            continue;
        };
        let router = router.clone();
        match &tls {
            None => {
                conns.spawn(async move {
                    let _slot = slot;
                    serve(tcp, remote, router, &lives, header_timeout).await;
                });
            }
            Some(tls) => {
                let Some(server_config) = tls.server() else {
                    continue;
                };
                let Some(handshaking) = caps.handshake(remote.ip()) else {
                    state.metrics.connection_refused("handshakes_per_address");
                    continue;
                };
                let acceptor = TlsAcceptor::from(server_config);
                conns.spawn(async move {
                    let _slot = slot;
                    let stream = match tokio::time::timeout(handshake, acceptor.accept(tcp)).await {
                        Ok(Ok(s)) => s,
                        _ => return,
                    };
                    drop(handshaking);
                    serve(stream, remote, router, &lives, header_timeout).await;
                });
            }
        }
    }
}

/// Serve one connection until it ends, or is idle or old past the limits.
async fn serve<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    stream: S,
    remote: SocketAddr,
    router: axum::Router,
    lives: &Lifetimes,
    header_timeout: Duration,
) {
    let activity = Activity::new();
    let svc = {
        let activity = activity.clone();
        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let in_flight = activity.begin();
            let answer = router.clone().oneshot(req);
            async move {
                let r = answer.await?;
                Ok::<_, std::convert::Infallible>(r.map(|b| {
                    axum::body::Body::new(http_body_util::BodyExt::map_frame(b, move |f| {
                        let _ = &in_flight;
                        f
                    }))
                }))
            }
        })
    };
    let mut builder = auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_headers(crate::conns::HYPER_MAX_HEADERS);
    let conn = builder.serve_connection(TokioIo::new(stream), svc);
    tokio::pin!(conn);
    let ended = || lives.ended(&activity);
    if let Some(why) = crate::conns::serve_until_ended(conn, remote, lives, ended, |c| {
        c.graceful_shutdown();
    })
    .await
    {
        tracing::debug!(%remote, why, "VXP connection closed");
    }
}
