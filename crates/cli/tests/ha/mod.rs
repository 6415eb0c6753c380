//! What the multi-node tests share: a TCP proxy (the load balancer in front of the nodes,
//! and the network between them and PostgreSQL), and a gateway of two `lienthong serve`
//! processes on one PostgreSQL with a single-process parent beside it.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use lienthong_gateway::ApiClient;
use lienthong_gateway::federation::{Federation, FederationSpec};
use lienthong_testkit::postgres::PgCluster;

use super::support;

/// A TCP proxy on loopback: each connection goes to the next target that accepts it
/// (round robin, as a TCP load balancer passing TLS through). `pause` stops every byte in
/// both directions without closing anything, as a network cut does; `resume` lets them on.
pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<ProxyState>,
}

struct ProxyState {
    targets: Vec<SocketAddr>,
    next: AtomicUsize,
    paused: Mutex<bool>,
    cv: Condvar,
    stop: AtomicBool,
}

impl ProxyState {
    fn wait_open(&self) {
        let mut p = self.paused.lock().unwrap();
        while *p {
            p = self.cv.wait(p).unwrap();
        }
    }
}

impl Proxy {
    /// Listen on `listen` (port 0: any).
    pub fn start(listen: SocketAddr, targets: Vec<SocketAddr>) -> Proxy {
        let l = TcpListener::bind(listen).unwrap();
        let addr = l.local_addr().unwrap();
        let state = Arc::new(ProxyState {
            targets,
            next: AtomicUsize::new(0),
            paused: Mutex::new(false),
            cv: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || serve(&st, client));
            }
        });
        Proxy { addr, state }
    }

    pub fn pause(&self) {
        *self.state.paused.lock().unwrap() = true;
    }

    pub fn resume(&self) {
        *self.state.paused.lock().unwrap() = false;
        self.state.cv.notify_all();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.resume();
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(st: &Arc<ProxyState>, client: TcpStream) {
    st.wait_open();
    let n = st.targets.len();
    let first = st.next.fetch_add(1, Ordering::SeqCst);
    let upstream = (0..n).find_map(|i| {
        TcpStream::connect_timeout(&st.targets[(first + i) % n], Duration::from_secs(1)).ok()
    });
    let Some(upstream) = upstream else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let (c2, u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let s2 = st.clone();
    std::thread::spawn(move || pump(&s2, c2, u2));
    pump(st, upstream, client);
}

/// Copy `from` to `to` until either ends, holding every chunk while paused.
fn pump(st: &ProxyState, mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        st.wait_open();
        if st.stop.load(Ordering::SeqCst) || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}

/// gw-g22 (one process, the embedded store) above gw-h50, which runs as two processes on
/// one PostgreSQL behind a [`Proxy`] at the address the directory gives gw-h50.
pub struct Ha {
    pub f: Federation,
    pub cluster: PgCluster,
    /// The load balancer of gw-h50 (the directory's address for it).
    pub lb: Proxy,
    /// Between gw-h50's nodes and PostgreSQL.
    pub db: Proxy,
    pub nodes: Vec<NodeProc>,
    pub parent: Option<Child>,
    pub rt: tokio::runtime::Runtime,
    root: PathBuf,
    /// One harness at a time in this test process: each picks free ports, releases them and
    /// has its processes bind them, and two at once could take each other's.
    _serial: std::sync::MutexGuard<'static, ()>,
}

static SERIAL: Mutex<()> = Mutex::new(());

/// One `lienthong serve` process of gw-h50.
pub struct NodeProc {
    pub config: PathBuf,
    pub addr: SocketAddr,
    pub log: PathBuf,
    pub child: Option<Child>,
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn spawn(config: &Path, log: &Path) -> Child {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_lienthong"))
        .args(["--lang", "en", "serve", "--config"])
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap()
}

impl Ha {
    /// Prepare and start everything: the cluster, gw-g22, both nodes of gw-h50.
    pub fn start(tag: &str) -> Ha {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cluster = PgCluster::start();
        let url = cluster.database();
        let root = support::tempdir(tag);
        let spec = FederationSpec {
            nodes: support::nodes(Some(&["gw-g22", "gw-h50"])),
            certs: support::certs(),
            root: root.clone(),
            policy: lienthong_gateway::config::SignaturePolicy::Require,
            extra_toml: support::FAST_RETRY.replace("lease_ms = 5000", "lease_ms = 2000"),
        };
        let mut f = Federation::prepare(&spec).unwrap();
        f.release_ports();
        let h50 = (
            f.nodes["gw-h50"].config_path.clone(),
            f.nodes["gw-h50"].addr,
        );
        let pg_port = cluster.port();
        let db = Proxy::start(
            "127.0.0.1:0".parse().unwrap(),
            vec![SocketAddr::from(([127, 0, 0, 1], pg_port))],
        );
        let db_url = url.replace(&format!(":{pg_port}/"), &format!(":{}/", db.addr.port()));
        let base = std::fs::read_to_string(&h50.0).unwrap();
        let mut nodes = Vec::new();
        for i in 1..=2 {
            let addr = free_addr();
            let text = base
                .replace(
                    &format!("addr = \"{}\"", h50.1),
                    &format!("addr = \"{addr}\""),
                )
                .lines()
                .filter(|l| !l.starts_with("data_dir = "))
                .collect::<Vec<_>>()
                .join("\n")
                + &format!(
                    "\n[store]\nengine = \"postgres\"\nurl = \"{db_url}\"\npool_size = 8\ntimeout_ms = 2000\nlock_wait_ms = 2000\n"
                );
            let config = root.join(format!("gw-h50-node{i}.toml"));
            std::fs::write(&config, text).unwrap();
            nodes.push(NodeProc {
                config,
                addr,
                log: root.join(format!("gw-h50-node{i}.log")),
                child: None,
            });
        }
        let lb = Proxy::start(h50.1, nodes.iter().map(|n| n.addr).collect());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut ha = Ha {
            f,
            cluster,
            lb,
            db,
            nodes,
            parent: None,
            rt,
            root,
            _serial: serial,
        };
        let g22 = &ha.f.nodes["gw-g22"];
        ha.parent = Some(spawn(&g22.config_path, &ha.root.join("gw-g22.log")));
        ha.wait_ready(g22.addr);
        for i in 0..2 {
            ha.start_node(i);
        }
        ha
    }

    pub fn start_node(&mut self, i: usize) {
        let n = &mut self.nodes[i];
        n.child = Some(spawn(&n.config, &n.log));
        let addr = n.addr;
        self.wait_ready(addr);
    }

    /// SIGKILL node `i` and reap it.
    pub fn kill_node(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A client of whatever listens at `addr`, with `CERTS/<identity>.pem`, HTTP/1.1.
    pub fn client_at(&self, addr: SocketAddr, identity: Option<&str>) -> ApiClient {
        let certs = support::certs();
        let ca = certs.join("ca.pem");
        let pair = identity.map(|r| {
            (
                certs.join(format!("{r}.pem")),
                certs.join(format!("{r}.key")),
            )
        });
        ApiClient::new_http1(
            &format!("https://{addr}"),
            &[ca.as_path()],
            pair.as_ref().map(|(c, k)| (c.as_path(), k.as_path())),
        )
        .unwrap()
        .with_timeout(Duration::from_secs(20))
    }

    /// Wait until `/readyz` at `addr` answers 200 (a process starting up).
    pub fn wait_ready(&self, addr: SocketAddr) {
        let c = self.client_at(addr, None);
        let start = Instant::now();
        loop {
            let ok = self
                .rt
                .block_on(c.get("/readyz"))
                .is_ok_and(|a| a.status == 200);
            if ok {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{addr} not ready after 30 s; logs in {}",
                self.root.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn g22_addr(&self) -> SocketAddr {
        self.f.nodes["gw-g22"].addr
    }

    /// Every inbox entry of `agency` at the gateway at `addr`: (sha256, id).
    pub fn inbox(&self, addr: SocketAddr, agency: &str) -> Vec<(String, String)> {
        let c = self.client_at(addr, Some(&format!("dms/{agency}")));
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(a) => format!("/v1/inbox?limit=1000&after={a}"),
                None => "/v1/inbox?limit=1000".to_owned(),
            };
            let v = self.rt.block_on(c.get(&path)).unwrap().json();
            let items = v["items"].as_array().cloned().unwrap_or_default();
            for i in &items {
                out.push((
                    i["sha256"].as_str().unwrap_or_default().to_owned(),
                    i["id"].as_str().unwrap_or_default().to_owned(),
                ));
            }
            match v["next"].as_str() {
                Some(n) if !items.is_empty() => after = Some(n.to_owned()),
                _ => break,
            }
        }
        out
    }

    /// What gw-h50's operator API says of its queues and unfinished messages.
    pub fn diagnosis(&self) -> String {
        let ops = self.client_at(self.lb.addr, Some("operator/ops"));
        let mut out = String::new();
        let q = self.rt.block_on(ops.get("/v1/queues"));
        out.push_str(&format!("queues: {:?}\n", q.map(|a| a.json())));
        for state in ["queued", "in_flight", "retry_scheduled", "dead", "accepted"] {
            let m = self
                .rt
                .block_on(ops.get(&format!("/v1/messages?state={state}&limit=20")));
            out.push_str(&format!("{state}: {:?}\n", m.map(|a| a.json())));
        }
        out
    }

    pub fn logs(&self) -> String {
        self.root.display().to_string()
    }
}

impl Drop for Ha {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill_node(i);
        }
        if let Some(mut p) = self.parent.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
    }
}
