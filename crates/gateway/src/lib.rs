//! # lienthong-gateway
//!
//! The gateway: the only crate with tokio, hyper and rustls. It serves the HTTP API of
//! the design (DMS, gateway-to-gateway relay, operators, health, metrics) over mutual
//! TLS, stores every message durably before answering, forwards to next hops with
//! signed receipts, and delivers into agency inboxes exactly once.
//!
//! * [`config`]: the TOML configuration, validated before a port is bound.
//! * [`tls`]: rustls (ring) server and client configurations, reloadable.
//! * [`identity`]: who a client certificate is (agency, gateway, operator, monitor).
//! * [`core`]: the decisions, sans IO (documents, relays, dispatch, receipts, peers'
//!   answers, links), each a plain function of a [`state::Snapshot`], inputs and the time.
//! * [`state`]: what handlers and forwarders share; the snapshot a reload swaps.
//! * [`http`]: the router, its layers, and the handlers by audience (DMS, relay, tracking,
//!   operators, health), thin drivers around the core.
//! * [`apply`]: carrying out dispatch decisions against the store; recovery at start.
//! * [`forward`]: one forwarder per next hop.
//! * [`console`]: the operators' web page, its anti-forgery token.
//! * [`start_error`]: what a gateway that cannot start says, in either language.
//! * [`net`]: the HTTPS client to peers.
//! * [`waiters`]: inbox long polls, woken by deliveries.
//! * [`budget`]: the memory budget for document bodies held at once.
//! * [`server`]: starting and stopping a gateway.
//! * [`metrics`]: Prometheus metrics.
//! * [`client`]: an HTTPS client of this API (CLI, demo, tests); [`client_error`]: why a
//!   call got no answer, sorted into what a person can act on.
//! * [`federation`]: several gateways on loopback in one process (demo, tests).

pub mod apply;
pub mod backups;
pub mod budget;
pub mod client;
pub mod client_error;
pub mod config;
pub mod conns;
pub mod console;
pub mod core;
pub mod error;
pub mod federation;
pub mod forward;
pub mod hot;
pub mod http;
pub mod identity;
pub(crate) mod intake;
pub mod links;
pub mod metrics;
pub mod net;
pub mod revocation;
pub mod seen;
pub mod server;
pub mod start_error;
pub mod state;
pub mod storage;
pub mod tls;
pub mod trust_files;
pub(crate) mod uplink;
pub mod vxp;
pub mod waiters;

pub use client::{Answer, ApiClient};
pub use client_error::{CallError, ClientRefusal, Failure};
pub use config::{Config, Validated};
pub use core::relay::headers;
pub use error::ApiError;
pub use identity::Peer;
pub use server::{RunningGateway, StartError, start, start_on, start_with_clock, store_config};
