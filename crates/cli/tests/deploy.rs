//! deploy/federation.sh starts the demo federation as separate processes, reports it
//! healthy, carries a document across it, and stops it; when another process holds a
//! gateway's port, `start` fails, naming the gateway and why.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The federation has fixed ports (8440-8444) and one run folder: the tests of this file
/// that run it take turns. (Tests of other files run in other test binaries, one binary
/// after another.)
static FEDERATION: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The gateways federation.sh starts, with their ports.
const GATEWAYS: [(&str, u16); 5] = [
    ("gw-g22", 8440),
    ("gw-h50", 8441),
    ("gw-h50-giolinh", 8442),
    ("gw-h50-giomai", 8443),
    ("gw-h48", 8444),
];

fn script(arg: &str) -> std::process::Output {
    Command::new("bash")
        .arg(lienthong_testkit::repo_root().join("deploy/federation.sh"))
        .arg(arg)
        .env("LIENTHONG_BIN", env!("CARGO_BIN_EXE_lienthong"))
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_script_starts_serves_and_stops() {
    let _one_at_a_time = FEDERATION.lock().await;
    let data = lienthong_testkit::repo_root().join("deploy/federation/data");
    let _ = std::fs::remove_dir_all(&data);
    let out = script("start");
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        script("stop");
        panic!("start failed:\n{log}");
    }
    assert_eq!(
        log.matches(" ready on https://127.0.0.1:").count(),
        5,
        "{log}"
    );
    let st = script("status");
    let status = String::from_utf8_lossy(&st.stdout).into_owned();
    assert!(st.status.success(), "{status}");

    // /healthz names the gateway that answers: how the script tells its own gateway from
    // another process holding the port. `status` says who answers (it asks with curl).
    let certs = support::certs();
    for (id, port) in GATEWAYS {
        let anonymous = lienthong_gateway::ApiClient::new(
            &format!("https://127.0.0.1:{port}"),
            &[certs.join("ca.pem").as_path()],
            None,
        )
        .unwrap();
        let h = anonymous.get("/healthz").await.unwrap();
        assert_eq!(h.status, 200, "{id}");
        assert_eq!(
            h.json()["gateway"],
            id,
            "{id}: {}",
            String::from_utf8_lossy(&h.body)
        );
        if curl_installed() {
            let line = format!("{id}: ready (https://127.0.0.1:{port}, pid ");
            assert!(status.contains(&line), "{status}");
            assert!(status.contains(&format!("answered by {id})\n")), "{status}");
        }
    }

    // A document from the commune to the other province crosses the running processes.
    let client = |port: u16, who: &str| {
        lienthong_gateway::ApiClient::new(
            &format!("https://127.0.0.1:{port}"),
            &[certs.join("ca.pem").as_path()],
            Some((
                certs.join(format!("dms/{who}.pem")).as_path(),
                certs.join(format!("dms/{who}.key")).as_path(),
            )),
        )
        .unwrap()
    };
    let doc = support::document("000.05.21.H50", &["000.00.11.H48"], 777);
    let a = client(8443, "000.05.21.H50")
        .submit(doc.clone())
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let inbox = client(8444, "000.00.11.H48");
    let got = support::eventually(
        "delivery across the processes",
        Duration::from_secs(30),
        || async {
            inbox
                .get(&format!("/v1/inbox/{id}"))
                .await
                .ok()
                .filter(|a| a.status == 200)
        },
    )
    .await;
    assert_eq!(got.body.as_ref(), doc.as_slice());

    // The same document over the VXP API of gw-h48 (what an SDK-based DMS of the agency
    // sees), with the development secret of deploy/federation/vxp/.
    let vxp = |port: u16, system: &str| {
        let secret = std::fs::read_to_string(
            lienthong_testkit::repo_root().join(format!("deploy/federation/vxp/{system}.secret")),
        )
        .unwrap();
        lienthong_gateway::vxp::client::VxpClient::new(
            &format!("http://127.0.0.1:{port}"),
            system,
            secret.trim_end().as_bytes(),
            "05122026T133941+0937",
            lienthong_gateway::vxp::client::Roots::empty(),
        )
        .unwrap()
    };
    let h48 = vxp(8451, "vxp.demo.h48");
    assert!(h48.received("edoc").await.unwrap().contains(&id));
    assert_eq!(h48.get_edoc(&id).await.unwrap(), doc);
    assert!(h48.update_status(&id, "done").await.unwrap().ok());
    assert!(!h48.received("edoc").await.unwrap().contains(&id));
    // And a document sent over gw-h50's VXP API crosses the processes to the mTLS inbox.
    let doc = support::document("000.00.01.H50", &["000.00.11.H48"], 778);
    let sent = vxp(8450, "vxp.demo.h50")
        .send_edoc(&doc, "edoc", "000.00.01.H50")
        .await
        .unwrap();
    assert!(sent.ok(), "{}", String::from_utf8_lossy(&sent.body));
    let id = sent.json()["DocId"].as_str().unwrap().to_owned();
    let got = support::eventually(
        "a VXP document across the processes",
        Duration::from_secs(30),
        || async {
            inbox
                .get(&format!("/v1/inbox/{id}"))
                .await
                .ok()
                .filter(|a| a.status == 200)
        },
    )
    .await;
    assert_eq!(got.body.as_ref(), doc.as_slice());
    assert!(log.contains("VXP API"), "{log}");

    // Prometheus, as deploy/prometheus/prometheus.yml configures it: every target scraped
    // with the monitor certificate it names, which may read and do nothing else.
    let prom = lienthong_testkit::repo_root().join("deploy/prometheus");
    let yml = std::fs::read_to_string(prom.join("prometheus.yml")).unwrap();
    let file = |key: &str| {
        let line = yml
            .lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in prometheus.yml"));
        prom.join(line.trim())
    };
    let (ca, cert, key) = (file("ca_file:"), file("cert_file:"), file("key_file:"));
    assert!(
        cert.ends_with("certs-dev/monitor/prometheus.pem"),
        "{}",
        cert.display()
    );
    let targets: Vec<&str> = yml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- 127.0.0.1:"))
        .collect();
    assert_eq!(targets.len(), 5, "{yml}");
    for port in targets {
        let c = lienthong_gateway::ApiClient::new(
            &format!("https://127.0.0.1:{port}"),
            &[ca.as_path()],
            Some((cert.as_path(), key.as_path())),
        )
        .unwrap();
        let m = c.get("/metrics").await.unwrap();
        assert_eq!(m.status, 200, "{port}");
        assert!(
            String::from_utf8_lossy(&m.body).contains("lienthong_"),
            "{port}"
        );
        let a = c
            .post_json("/v1/backups", &serde_json::json!({}))
            .await
            .unwrap();
        assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"), "{port}");
    }

    let out = script("stop");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches(" stopped")
            .count(),
        5
    );
    let st = script("status");
    assert!(!st.status.success(), "everything is down after stop");
    let _ = std::fs::remove_dir_all(&data);
}

/// Another process holds gw-h50's port (as a federation left running from another checkout
/// would): gw-h50's own process exits ("address in use") while the port still answers.
/// `start` fails, naming gw-h50 and why, rather than reporting it ready; and `stop` leaves
/// no gateway of the script running.
#[test]
fn federation_script_fails_when_another_process_holds_a_port() {
    let _one_at_a_time = FEDERATION.blocking_lock();
    let root = lienthong_testkit::repo_root();
    let data = root.join("deploy/federation/data");
    script("stop"); // what a test that failed half-way may have left running
    let _ = std::fs::remove_dir_all(&data);

    let impostor = Impostor::hold("127.0.0.1:8441");
    let out = script("start");
    let started = script_pids();
    let stopped = script("stop");
    drop(impostor);
    let _ = std::fs::remove_dir_all(&data);

    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "start succeeded:\n{log}");
    assert!(!log.contains("gw-h50 ready"), "{log}");
    assert!(log.contains("gw-h50 failed: its process"), "{log}");
    assert!(log.contains(") exited"), "{log}");
    // The end of gw-h50's log, shown, says which address it could not listen on.
    assert!(log.contains("127.0.0.1:8441"), "{log}");

    assert!(stopped.status.success());
    assert_eq!(started.len(), GATEWAYS.len(), "a pid file per gateway");
    for (g, pid) in started {
        assert!(!running(pid), "{g} (pid {pid}) still runs after stop");
    }
    for (g, _) in GATEWAYS {
        let pid_file = root.join(format!("deploy/federation/run/{g}.pid"));
        assert!(!pid_file.exists(), "{}", pid_file.display());
    }
}

/// A listener on a gateway's address that accepts connections and closes them at once: it
/// holds the port and speaks no TLS. Dropping it closes the port.
struct Impostor {
    addr: std::net::SocketAddr,
    done: Arc<AtomicBool>,
    accepting: Option<std::thread::JoinHandle<()>>,
}

impl Impostor {
    fn hold(addr: &str) -> Impostor {
        let listener = std::net::TcpListener::bind(addr)
            .unwrap_or_else(|e| panic!("cannot hold {addr} (is a federation running?): {e}"));
        let addr = listener.local_addr().unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let accepting = std::thread::spawn(move || {
            for connection in listener.incoming() {
                drop(connection);
                if stop.load(Ordering::Acquire) {
                    break;
                }
            }
        });
        Impostor {
            addr,
            done,
            accepting: Some(accepting),
        }
    }
}

impl Drop for Impostor {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Release);
        // One more connection wakes the accept loop, which sees `done` and ends, closing
        // the listener.
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

/// The pids in federation.sh's pid files, by gateway.
fn script_pids() -> Vec<(&'static str, u32)> {
    let run = lienthong_testkit::repo_root().join("deploy/federation/run");
    GATEWAYS
        .iter()
        .filter_map(|(g, _)| {
            let pid = std::fs::read_to_string(run.join(format!("{g}.pid"))).ok()?;
            Some((*g, pid.trim().parse().ok()?))
        })
        .collect()
}

/// Is process `pid` running? A zombie (ended, not yet reaped by its parent) is not. Linux
/// reads /proc; elsewhere `kill -0`, which counts a zombie as running.
fn running(pid: u32) -> bool {
    if !std::path::Path::new("/proc/self").exists() {
        return Command::new("kill")
            .arg("-0")
            .arg(pid.to_string())
            .output()
            .is_ok_and(|o| o.status.success());
    }
    // /proc/PID/stat: "PID (COMMAND) STATE …"; COMMAND may hold spaces and parentheses.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        !matches!(state, Some('Z' | 'X'))
    })
}

/// federation.sh asks who answers on a port with curl, when it is installed.
fn curl_installed() -> bool {
    Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// No private key is compiled into the program: the development PKI makes its keys at run
/// time, and nothing else carries one.
#[test]
fn no_private_key_is_compiled_into_the_binary() {
    let bin = std::fs::read(env!("CARGO_BIN_EXE_lienthong")).unwrap();
    for marker in [&b"PRIVATE KEY-----\nMI"[..], &b"PRIVATE KEY-----\r\nMI"[..]] {
        assert!(
            !bin.windows(marker.len()).any(|w| w == marker),
            "the binary holds a PEM private key"
        );
    }
    // the check can see one: a PEM key made here has the marker
    let key = lienthong_testkit::pki::rsa_key_pem(1024).unwrap();
    let marker = b"PRIVATE KEY-----\nMI";
    assert!(key.as_bytes().windows(marker.len()).any(|w| w == marker));
}
