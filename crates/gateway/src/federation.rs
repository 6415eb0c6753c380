//! A federation of gateways on loopback, in one process: for the demo and the tests.
//!
//! [`Federation::prepare`] binds a port for every gateway, writes a directory file and one
//! config file per gateway (the same files an operator would write, see `deploy/`), and
//! keeps the listeners so that the ports cannot be taken in between. Gateways can then be
//! started, stopped (a partition or a crash) and started again on the same port.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::client::ApiClient;
use crate::config::{Config, SignaturePolicy};
use crate::server::{RunningGateway, start, start_on};

/// One gateway of the federation.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// Gateway id (its certificate is `CERTS/gateways/ID.pem`).
    pub id: String,
    /// Parent gateway.
    pub parent: Option<String>,
    /// Agencies homed here: (code, name).
    pub agencies: Vec<(String, String)>,
}

/// What to build.
#[derive(Debug, Clone)]
pub struct FederationSpec {
    /// The gateways.
    pub nodes: Vec<NodeSpec>,
    /// A PKI in the `certs-dev` layout.
    pub certs: PathBuf,
    /// Where configs and data go.
    pub root: PathBuf,
    /// Signature policy of every gateway.
    pub policy: SignaturePolicy,
    /// Extra TOML appended to every gateway config (e.g. `[retry]` for fast tests).
    pub extra_toml: String,
}

/// A gateway of a running federation.
#[derive(Debug)]
pub struct Node {
    /// Its config file.
    pub config_path: PathBuf,
    /// Its address.
    pub addr: SocketAddr,
    /// Its URL.
    pub url: String,
    listener: Option<std::net::TcpListener>,
    running: Option<RunningGateway>,
}

/// A federation on loopback.
#[derive(Debug)]
pub struct Federation {
    /// Gateways by id.
    pub nodes: BTreeMap<String, Node>,
    certs: PathBuf,
    /// The clock gateways started from now on take the time from (the system's if none).
    clock: Option<std::sync::Arc<dyn lienthong_types::Clock>>,
}

fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Federation {
    /// Bind ports and write the files.
    pub fn prepare(spec: &FederationSpec) -> Result<Federation, String> {
        let mut listeners = BTreeMap::new();
        for n in &spec.nodes {
            let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let addr = l.local_addr().map_err(|e| e.to_string())?;
            listeners.insert(n.id.clone(), (l, addr));
        }
        let url = |id: &str| {
            listeners
                .get(id)
                .map(|(_, a)| format!("https://{a}"))
                .unwrap_or_default()
        };
        // The directory: the whole tree, every agency.
        let mut dir = String::from("# Federation directory (generated)\nversion = 1\n");
        for n in &spec.nodes {
            let _ = write!(
                dir,
                "\n[[gateway]]\nid = {}\nurl = {}\n",
                toml_str(&n.id),
                toml_str(&url(&n.id))
            );
            if let Some(p) = &n.parent {
                let _ = writeln!(dir, "parent = {}", toml_str(p));
            }
        }
        for n in &spec.nodes {
            for (code, name) in &n.agencies {
                let _ = write!(
                    dir,
                    "\n[[agency]]\ncode = {}\nname = {}\ngateway = {}\n",
                    toml_str(code),
                    toml_str(name),
                    toml_str(&n.id)
                );
            }
        }
        std::fs::create_dir_all(&spec.root).map_err(|e| e.to_string())?;
        let dir_path = spec.root.join("directory.toml");
        std::fs::write(&dir_path, dir).map_err(|e| e.to_string())?;
        let certs = spec
            .certs
            .canonicalize()
            .map_err(|e| format!("{}: {e}", spec.certs.display()))?;
        let c = |rel: &str| toml_str(&certs.join(rel).display().to_string());
        let mut nodes = BTreeMap::new();
        for n in &spec.nodes {
            let Some((l, addr)) = listeners.remove(&n.id) else {
                continue;
            };
            let home = spec.root.join(&n.id);
            std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
            let policy = match spec.policy {
                SignaturePolicy::Require => "require",
                SignaturePolicy::Record => "record",
            };
            let mut cfg = format!(
                "# Gateway {id} (generated)\ndirectory = {dir}\n\n[gateway]\nid = {idq}\ndata_dir = {data}\n\n[listen]\naddr = {addr}\n\n[tls]\ncert = {cert}\nkey = {key}\nclient_ca = [{ca}]\nclient_crls = [{crl}]\n\n[signing]\ncert = {cert}\nkey = {key}\n\n[trust]\ndocument_roots = [{ca}]\ncrls = [{crl}]\npolicy = \"{policy}\"\n",
                id = n.id,
                dir = toml_str(&dir_path.display().to_string()),
                idq = toml_str(&n.id),
                data = toml_str(&home.join("data").display().to_string()),
                addr = toml_str(&addr.to_string()),
                cert = c(&format!("gateways/{}.pem", n.id)),
                key = c(&format!("gateways/{}.key", n.id)),
                ca = c("ca.pem"),
                crl = c("ca.crl.pem"),
            );
            cfg.push_str(&spec.extra_toml);
            let config_path = home.join("gateway.toml");
            std::fs::write(&config_path, cfg).map_err(|e| e.to_string())?;
            nodes.insert(
                n.id.clone(),
                Node {
                    config_path,
                    addr,
                    url: format!("https://{addr}"),
                    listener: Some(l),
                    running: None,
                },
            );
        }
        Ok(Federation {
            nodes,
            certs,
            clock: None,
        })
    }

    /// Give gateway `id` a VXP listener on a free loopback port (plain HTTP), serving
    /// `systems`: (system id, secret, agencies, policy `record` or `require`). The secrets
    /// go to files beside its configuration. Call before starting it; its address is then
    /// [`RunningGateway::vxp`].
    pub fn add_vxp(&self, id: &str, systems: &[(&str, &str, &[&str], &str)]) -> Result<(), String> {
        let node = self
            .nodes
            .get(id)
            .ok_or_else(|| format!("no gateway {id}"))?;
        let config = &node.config_path;
        let mut text = std::fs::read_to_string(config).map_err(|e| e.to_string())?;
        text.push_str("\n[vxp]\nlisten = \"127.0.0.1:0\"\n");
        for (system, secret, agencies, policy) in systems {
            let file = config.with_file_name(format!("{system}.secret"));
            std::fs::write(&file, format!("{secret}\n")).map_err(|e| e.to_string())?;
            let agencies: Vec<String> = agencies.iter().map(|a| toml_str(a)).collect();
            let _ = write!(
                text,
                "\n[[vxp.system]]\nid = {}\nsecret_file = {}\nagencies = [{}]\npolicy = {}\n",
                toml_str(system),
                toml_str(&file.display().to_string()),
                agencies.join(", "),
                toml_str(policy)
            );
        }
        std::fs::write(config, text).map_err(|e| e.to_string())
    }

    /// Give up the reserved ports so that gateways can run as separate processes
    /// (`lienthong serve --config` on each [`Node::config_path`]).
    pub fn release_ports(&mut self) {
        for n in self.nodes.values_mut() {
            n.listener = None;
        }
    }

    /// Gateways started from now on take the time from `clock` (a test's simulated days).
    pub fn use_clock(&mut self, clock: std::sync::Arc<dyn lienthong_types::Clock>) {
        self.clock = Some(clock);
    }

    /// The directory file every gateway reads.
    pub fn directory_path(&self) -> Option<PathBuf> {
        let first = self.nodes.values().next()?;
        Some(first.config_path.parent()?.parent()?.join("directory.toml"))
    }

    /// Start every gateway that is not running.
    pub async fn start_all(&mut self) -> Result<(), String> {
        let ids: Vec<String> = self.nodes.keys().cloned().collect();
        for id in ids {
            self.start(&id).await?;
        }
        Ok(())
    }

    /// Start one gateway (again).
    pub async fn start(&mut self, id: &str) -> Result<(), String> {
        let node = self
            .nodes
            .get_mut(id)
            .ok_or_else(|| format!("no gateway {id}"))?;
        if node.running.is_some() {
            return Ok(());
        }
        let v = Config::load(&node.config_path).map_err(|e| e.to_string())?;
        let running = match (&self.clock, node.listener.take()) {
            (Some(c), l) => crate::server::start_with_clock(v, l, c.clone()).await,
            (None, Some(l)) => start_on(v, l).await,
            (None, None) => start(v).await,
        }
        .map_err(|e| format!("{id}: {e}"))?;
        node.running = Some(running);
        Ok(())
    }

    /// Re-read a running gateway's configuration and take its directory, as `SIGHUP` does
    /// for `lienthong serve` (see [`RunningGateway::reload_directory`]).
    pub fn reload_directory(&self, id: &str) -> Result<String, String> {
        let node = self
            .nodes
            .get(id)
            .ok_or_else(|| format!("no gateway {id}"))?;
        let running = node
            .running
            .as_ref()
            .ok_or_else(|| format!("{id} is not running"))?;
        let v = Config::load(&node.config_path).map_err(|e| e.to_string())?;
        running.reload_directory(&v)
    }

    /// Stop one gateway (its data stays; start it again with [`Federation::start`]).
    pub async fn stop(&mut self, id: &str) {
        if let Some(n) = self.nodes.get_mut(id)
            && let Some(r) = n.running.take()
        {
            r.shutdown().await;
        }
    }

    /// Stop everything.
    pub async fn stop_all(&mut self) {
        let ids: Vec<String> = self.nodes.keys().cloned().collect();
        for id in ids {
            self.stop(&id).await;
        }
    }

    /// The running gateway, if it is running.
    pub fn running(&self, id: &str) -> Option<&RunningGateway> {
        self.nodes.get(id).and_then(|n| n.running.as_ref())
    }

    /// The URL of a gateway.
    pub fn url(&self, id: &str) -> Option<String> {
        self.nodes.get(id).map(|n| n.url.clone())
    }

    /// A client of gateway `id` with the certificate at `CERTS/<rel>.pem` (e.g.
    /// `dms/000.00.00.H50`, `operator/ops`, `gateways/gw-h50`), or none.
    pub fn client(&self, id: &str, identity: Option<&str>) -> Result<ApiClient, String> {
        self.client_with(id, identity, true)
    }

    /// [`Federation::client`] speaking HTTP/1.1 only.
    pub fn client_http1(&self, id: &str, identity: Option<&str>) -> Result<ApiClient, String> {
        self.client_with(id, identity, false)
    }

    fn client_with(
        &self,
        id: &str,
        identity: Option<&str>,
        http2: bool,
    ) -> Result<ApiClient, String> {
        let url = self.url(id).ok_or_else(|| format!("no gateway {id}"))?;
        let ca = self.certs.join("ca.pem");
        let cert = identity.map(|r| {
            (
                self.certs.join(format!("{r}.pem")),
                self.certs.join(format!("{r}.key")),
            )
        });
        let identity = cert.as_ref().map(|(c, k)| (c.as_path(), k.as_path()));
        if http2 {
            ApiClient::new(&url, &[ca.as_path()], identity)
        } else {
            ApiClient::new_http1(&url, &[ca.as_path()], identity)
        }
    }

    /// The PKI folder.
    pub fn certs(&self) -> &Path {
        &self.certs
    }
}
