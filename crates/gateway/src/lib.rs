//! # lienthong-gateway
//!
//! The gateway: the only crate with tokio, hyper and rustls. It serves the HTTP API of
//! the design (DMS, gateway-to-gateway relay, operators, health, metrics) over mutual
//! TLS, stores every message durably before answering, forwards to next hops with
//! signed receipts, and delivers into agency inboxes exactly once.
//!
//! * [`config`]: the TOML configuration, validated before a port is bound.
//! * [`tls`]: rustls (ring) server and client configurations, reloadable.
//! * [`identity`]: who a client certificate is (agency, gateway, operator).
//! * [`app`]: the router, middleware and handlers.
//! * [`forward`]: one forwarder per next hop.
//! * [`waiters`]: inbox long polls, woken by deliveries.
//! * [`budget`]: the memory budget for document bodies held at once.
//! * [`server`]: starting and stopping a gateway.
//! * [`metrics`]: Prometheus metrics.
//! * [`client`]: an HTTPS client of this API (CLI, demo, tests).
//! * [`federation`]: several gateways on loopback in one process (demo, tests).

pub mod app;
pub mod backups;
pub mod budget;
pub mod client;
pub mod config;
pub mod console;
pub mod error;
pub mod federation;
pub mod forward;
pub mod hot;
pub mod identity;
pub mod links;
pub mod metrics;
pub mod seen;
pub mod server;
pub mod tls;
pub mod waiters;

pub use client::{Answer, ApiClient};
pub use config::{Config, Validated};
pub use error::ApiError;
pub use identity::Peer;
pub use server::{RunningGateway, StartError, start, start_on, store_config};
