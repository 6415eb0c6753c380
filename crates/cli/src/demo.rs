//! `lienthong demo [--once]`: a whole federation in one process on loopback, with a
//! throw-away PKI, and documents and statuses travelling through it.
//!
//! Gateways: national (Văn phòng Chính phủ), Quảng Trị and Quảng Ngãi provinces, a
//! district under Quảng Trị and a commune under that. A commune office sends signed
//! documents to a department of the other province and to several recipients at once; the
//! recipients fetch them and answer 01 → 03 → 04 → 05 → 06, one refuses with 02, and the
//! sender recalls one document (13 → 15). Every hop's signed receipt is verified offline.
//! Last, a DMS built on the national axis's SDK sends through the VXP API of its gateway,
//! and takes the answering status from it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use lienthong_dsig::{Policy, TrustStore, verify_receipt};
use lienthong_edxml::{
    Attachment, Date, DocCode, Edoc, ManifestReference, MessageHeader, Organization, ResponseFor,
    Status, StatusCode, attach,
};
use lienthong_gateway::ApiClient;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec, NodeSpec};
use lienthong_testkit::federation::{AGENCIES, GATEWAYS, agency, samples};

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Run the flows once and exit: 0 when all completed, 1 with the reason otherwise.
    #[arg(long, help = say!("demo-help-once"))]
    once: bool,
    /// Keep the generated PKI, configs and data in this folder (default: a temporary one).
    #[arg(long, help = say!("demo-help-dir"))]
    dir: Option<PathBuf>,
}

const COMMUNE: &str = "000.05.21.H50"; // UBND xã Gio Mai
const FAR: &str = "000.00.11.H48"; // Sở Tài chính tỉnh Quảng Ngãi
const REFUSER: &str = "000.00.09.H48"; // Sở Nội vụ tỉnh Quảng Ngãi
const TIMEOUT: Duration = Duration::from_secs(60);
/// The agency whose DMS speaks the VXP API (the national axis's SDK) in the demo.
const VXP_AGENCY: &str = "000.00.01.H50"; // Văn phòng UBND tỉnh Quảng Trị
const VXP_SYSTEM: &str = "vxp.demo.h50";

pub(crate) fn run(args: &Args) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{}", say!("demo-error-runtime", error = e.to_string()));
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        let dir = args.dir.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("lienthong-demo-{}", std::process::id()))
        });
        let mut demo = match Demo::start(&dir).await {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{}", say!("demo-failed-to-start", error = e));
                return ExitCode::FAILURE;
            }
        };
        let outcome = demo.flows().await;
        if let Err(e) = &outcome {
            eprintln!("\n{}", say!("demo-failed", error = e));
        }
        if args.once || outcome.is_err() {
            demo.fed.stop_all().await;
            if args.dir.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            }
            return if outcome.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        demo.explain(&dir);
        let _ = tokio::signal::ctrl_c().await;
        demo.fed.stop_all().await;
        ExitCode::SUCCESS
    })
}

struct Demo {
    fed: Federation,
    certs: PathBuf,
    trust: TrustStore,
    start: Instant,
    latencies: Vec<Duration>,
    receipts: usize,
    /// (message, from, to) links already shown: a link is crossed once per message.
    links: std::collections::HashSet<(String, String, String)>,
    hops: usize,
    statuses: usize,
    documents: usize,
    /// The VXP system's secret (made for this run) and gw-h50's VXP address.
    vxp: (String, std::net::SocketAddr),
    /// The commune chairman's personal signing certificate (DER) and key: the first
    /// signature inside each document's PDF, before the commune's organisation signature.
    person: (Vec<u8>, String),
    /// PDF signatures verified by the sending gateway and found valid.
    pdf_signatures: usize,
}

fn org(code: &str) -> Organization {
    Organization {
        organ_id: code.into(),
        organ_name: agency(code).map(|a| a.name.to_owned()),
        ..Organization::default()
    }
}

fn name(code: &str) -> String {
    agency(code).map_or_else(|| code.to_owned(), |a| format!("{} ({code})", a.name))
}

fn gateway_of(code: &str) -> Result<&'static str, String> {
    agency(code)
        .map(|a| a.gateway)
        .ok_or_else(|| say!("demo-unknown-agency", code = code))
}

impl Demo {
    async fn start(dir: &Path) -> Result<Demo, String> {
        let certs = dir.join("pki");
        println!("{}", say!("demo-title", n = GATEWAYS.len()));
        let pki = lienthong_testkit::pki::DevPki::generate().map_err(|e| e.to_string())?;
        pki.write_to(&certs).map_err(|e| e.to_string())?;
        let person = pki
            .issue(&lienthong_testkit::pki::LeafSpec::person(
                samples::PERSON,
                &name(COMMUNE),
                7001,
            ))
            .map_err(|e| e.to_string())?;
        let shown = certs.display().to_string();
        println!("  {}", say!("demo-pki", dir = shown));
        let nodes = GATEWAYS
            .iter()
            .map(|g| NodeSpec {
                id: g.id.into(),
                parent: g.parent.map(Into::into),
                agencies: AGENCIES
                    .iter()
                    .filter(|a| a.gateway == g.id)
                    .map(|a| (a.code.into(), a.name.into()))
                    .collect(),
            })
            .collect();
        let spec = FederationSpec {
            nodes,
            certs: certs.clone(),
            root: dir.join("federation"),
            policy: SignaturePolicy::Require,
            // Backups into each gateway's folder, so that `lienthong backup` works too.
            extra_toml: "\n[retry]\nbase_ms = 200\ncap_ms = 2000\n\n[backup]\ndir = \"backups\"\n"
                .into(),
        };
        let mut fed = Federation::prepare(&spec)?;
        let secret = lienthong_gateway::vxp::new_secret().ok_or_else(|| say!("demo-no-random"))?;
        let vxp_gateway = gateway_of(VXP_AGENCY)?;
        fed.add_vxp(
            vxp_gateway,
            &[(VXP_SYSTEM, &secret, &[VXP_AGENCY], "record")],
        )?;
        fed.start_all().await?;
        let vxp_addr = fed
            .running(vxp_gateway)
            .and_then(|g| g.vxp.as_ref())
            .map(|v| v.addr)
            .ok_or_else(|| say!("demo-vxp-not-started"))?;
        let level = |l: &str| match l {
            "national" => say!("demo-level-national"),
            "province" => say!("demo-level-province"),
            "district" => say!("demo-level-district"),
            "commune" => say!("demo-level-commune"),
            other => other.to_owned(),
        };
        let width = GATEWAYS
            .iter()
            .map(|g| level(g.level).chars().count())
            .max();
        for g in GATEWAYS {
            let homed: Vec<String> = AGENCIES
                .iter()
                .filter(|a| a.gateway == g.id)
                .map(|a| a.name.to_owned())
                .collect();
            println!(
                "  {:<15} {:<w$} {:<26} {}",
                g.id,
                level(g.level),
                fed.url(g.id).unwrap_or_default(),
                homed.join(", "),
                w = width.unwrap_or(8)
            );
        }
        let mut trust = TrustStore::new();
        trust
            .add_roots_pem(&std::fs::read(certs.join("ca.pem")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        Ok(Demo {
            fed,
            certs,
            trust,
            start: Instant::now(),
            latencies: Vec::new(),
            receipts: 0,
            links: std::collections::HashSet::new(),
            hops: 0,
            statuses: 0,
            documents: 0,
            vxp: (secret, vxp_addr),
            person: (person.cert_der, person.key_pem),
            pdf_signatures: 0,
        })
    }

    fn dms(&self, code: &str) -> Result<ApiClient, String> {
        self.fed
            .client(gateway_of(code)?, Some(&format!("dms/{code}")))
    }

    fn sign(&self, xml: &str, signer: &str) -> Result<Vec<u8>, String> {
        let key = lienthong_dsig::SigningKey::from_pem(
            &std::fs::read(self.certs.join(format!("signers/{signer}.key")))
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let chain = lienthong_dsig::certs_from_pem(
            &std::fs::read(self.certs.join(format!("signers/{signer}.pem")))
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let placement = lienthong_dsig::Placement::LastChildOf {
            namespace: lienthong_edxml::EDXML_NS.into(),
            local: "edXMLHeader".into(),
        };
        lienthong_dsig::sign_enveloped(xml.as_bytes(), &key, &chain, &placement)
            .map_err(|e| e.to_string())
    }

    /// The document's PDF, signed inside as Decree 30/2020 has it: by the competent person,
    /// then by the organisation (the clerk applies the agency's certificate).
    fn signed_pdf(&self, from: &str, n: u32, subject: &str) -> Result<Vec<u8>, String> {
        let org = lienthong_dsig::certs_from_pem(
            &std::fs::read(self.certs.join(format!("signers/{from}.pem")))
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|c| c.to_vec())
        .collect::<Vec<_>>();
        let org_key = std::fs::read_to_string(self.certs.join(format!("signers/{from}.key")))
            .map_err(|e| e.to_string())?;
        let now = i64::try_from(
            lienthong_types::Clock::now(&lienthong_types::SystemClock).as_millis() / 1000,
        )
        .unwrap_or(0);
        Ok(
            lienthong_testkit::pdf::PdfDraft::new(&format!("{n}/UBND: {subject}"), 0)
                .sign(
                    "ChuKyLanhDao",
                    std::slice::from_ref(&self.person.0),
                    &self.person.1,
                    now - 120,
                )?
                .sign("ChuKyToChuc", &org, &org_key, now - 60)?
                .bytes,
        )
    }

    fn document(&self, from: &str, to: &[&str], n: u32, subject: &str) -> Result<Vec<u8>, String> {
        let pdf = self.signed_pdf(from, n, subject)?;
        let zip = attach::zip_single_stored(&format!("Cong van {n}-UBND.pdf"), &pdf);
        let encoded = attach::encode_base64(&zip);
        let e = Edoc {
            header: MessageHeader {
                from: org(from),
                to: to.iter().map(|t| org(t)).collect(),
                document_id: Some(format!("{from},2026/11/22,{n}/UBND")),
                code: Some(DocCode {
                    code_number: Some(n.to_string()),
                    code_notation: Some("UBND".into()),
                }),
                promulgation_info: None,
                subject: Some(subject.into()),
                ..MessageHeader::default()
            },
            manifest: vec![ManifestReference {
                content_id: Some(format!("att-{n}")),
                content_type: Some("application/zip".into()),
                attachment_name: Some(format!("Cong van {n}-UBND.zip")),
                description: None,
            }],
            attachments: vec![Attachment {
                content_id: Some(format!("att-{n}")),
                attachment_name: Some(format!("Cong van {n}-UBND.zip")),
                content_type: Some("application/zip".into()),
                encoded,
                ..Attachment::default()
            }],
            ..Edoc::default()
        };
        self.sign(&lienthong_edxml::write_edoc(&e), from)
    }

    fn status(
        &self,
        from: &str,
        sender: &str,
        n: u32,
        code: &StatusCode,
        note: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        let s = Status {
            from: org(from),
            response_for: ResponseFor {
                organ_id: Some(sender.into()),
                code: Some(format!("{n}/UBND")),
                promulgation_date: Date::new(2026, 11, 22),
                document_id: Some(format!("{sender},2026/11/22,{n}/UBND")),
            },
            staff_info: None,
            description: Some(note.map_or_else(|| code.label_vi().to_owned(), str::to_owned)),
            status_code: code.clone(),
            timestamp: None,
            extra: vec![],
        };
        self.sign(&lienthong_edxml::write_status(&s), from)
    }

    fn t(&self) -> String {
        format!("[{:>6.2}s]", self.start.elapsed().as_secs_f64())
    }

    /// Submit; returns the message id.
    async fn submit(&self, from: &str, bytes: Vec<u8>) -> Result<String, String> {
        let answer = self.submit_for_answer(from, bytes).await?;
        answer["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| say!("demo-no-id"))
    }

    /// Submit; returns the gateway's 202 answer.
    async fn submit_for_answer(
        &self,
        from: &str,
        bytes: Vec<u8>,
    ) -> Result<serde_json::Value, String> {
        let a = self.dms(from)?.submit(bytes).await?;
        if a.status != 202 {
            let body = String::from_utf8_lossy(&a.body).into_owned();
            return Err(say!("demo-refused", from = from, body = body));
        }
        Ok(a.json())
    }

    /// Say who signed the PDFs inside, as the sending gateway found it; every signature
    /// must hold.
    fn show_pdfs(&mut self, answer: &serde_json::Value) -> Result<(), String> {
        for p in answer["pdfs"].as_array().into_iter().flatten() {
            let signers: Vec<String> = p["signers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| {
                    let agency = x["agency"]
                        .as_str()
                        .map(|a| format!(", {a}"))
                        .unwrap_or_default();
                    format!(
                        "{} ({}{agency})",
                        x["name"].as_str().unwrap_or("?"),
                        x["role"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            let verdict = p["verdict"].as_str().unwrap_or("?");
            let then = format!(" {} ", say!("demo-then"));
            let signers_text = signers.join(then.as_str());
            let pdf = p["name"].as_str().unwrap_or("?");
            let line = say!(
                "demo-pdf",
                pdf = pdf,
                signers = signers_text,
                verdict = verdict
            );
            println!("           {line}");
            if verdict != "valid" || p["sender_signed"] != true {
                return Err(say!("demo-pdf-bad", pdf = p.to_string()));
            }
            self.pdf_signatures += signers.len();
        }
        Ok(())
    }

    /// Wait until `id` is in `to`'s inbox; fetch it, compare bytes, acknowledge.
    async fn await_delivery(
        &mut self,
        id: &str,
        to: &str,
        sent: &[u8],
        since: Instant,
    ) -> Result<Duration, String> {
        let c = self.dms(to)?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let got = c.get(&format!("/v1/inbox/{id}")).await?;
            if got.status == 200 {
                let took = since.elapsed();
                if got.body.as_ref() != sent {
                    return Err(say!("demo-bytes-differ", to = to));
                }
                let ack = c
                    .post_json(
                        &format!("/v1/inbox/{id}/ack"),
                        &serde_json::json!({"result": "done"}),
                    )
                    .await?;
                if ack.status != 200 {
                    let body = String::from_utf8_lossy(&ack.body).into_owned();
                    return Err(say!("demo-ack-failed", body = body));
                }
                self.latencies.push(took);
                return Ok(took);
            }
            if Instant::now() > deadline {
                let within = format!("{TIMEOUT:?}");
                return Err(say!(
                    "demo-not-delivered",
                    id = id,
                    to = to,
                    within = within
                ));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Print and verify the hop trail of `id` from `from_gw` towards `to_gw`.
    async fn trail(&mut self, id: &str, from_gw: &str, to_gw: &str) -> Result<(), String> {
        let dir = self
            .fed
            .running(from_gw)
            .ok_or_else(|| say!("demo-gateway-not-running"))?
            .state
            .directory();
        let a = lienthong_routing::GatewayId::parse(from_gw).map_err(|e| e.to_string())?;
        let b = lienthong_routing::GatewayId::parse(to_gw).map_err(|e| e.to_string())?;
        let path = dir.path(&a, &b).ok_or_else(|| say!("demo-no-path"))?;
        let mid: lienthong_store::MessageId = id.parse().map_err(|_| say!("demo-bad-id"))?;
        let policy = Policy {
            trust: &self.trust,
            at: lienthong_dsig::unix_time(
                lienthong_types::Clock::now(&lienthong_types::SystemClock).as_millis() / 1000,
            ),
            expected_agency: None,
        };
        for pair in path.windows(2) {
            let (here, next) = (pair[0].as_str(), pair[1].as_str());
            if !self
                .links
                .insert((id.to_owned(), here.to_owned(), next.to_owned()))
            {
                let line = say!("demo-hop-crossed", here = here, next = next);
                println!("           {line}");
                continue;
            }
            let store = &self
                .fed
                .running(here)
                .ok_or_else(|| say!("demo-gateway-not-running"))?
                .state
                .store;
            // The far inbox may have the document a moment before the gateway that sent it
            // has recorded the receipt (it comes back in the answer): give it 5 s.
            let deadline = Instant::now() + Duration::from_secs(5);
            let r = loop {
                let receipts = store.received_receipts(mid).map_err(|e| e.to_string())?;
                if let Some(r) = receipts.into_iter().find(|r| r.hop == next) {
                    break r;
                }
                if Instant::now() >= deadline {
                    return Err(say!("demo-no-receipt", here = here, next = next));
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            };
            let (receipt, report) = verify_receipt(&r.bytes, &policy).map_err(|e| e.to_string())?;
            if !report.valid {
                let why = report.problems.join("; ");
                return Err(say!("demo-receipt-invalid", next = next, why = why));
            }
            self.receipts += 1;
            self.hops += 1;
            let line = say!(
                "demo-hop",
                hop = receipt.hop.to_string(),
                here = here,
                next = next,
                gateway = receipt.receiving_gateway.to_string(),
                sha256 = receipt
                    .document_sha256
                    .to_hex()
                    .chars()
                    .take(12)
                    .collect::<String>()
            );
            println!("           {line}");
        }
        Ok(())
    }

    async fn send_document(
        &mut self,
        n: u32,
        to: &[&str],
        subject: &str,
    ) -> Result<String, String> {
        let bytes = self.document(COMMUNE, to, n, subject)?;
        let t0 = Instant::now();
        let answer = self.submit_for_answer(COMMUNE, bytes.clone()).await?;
        let id = answer["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| say!("demo-no-id"))?;
        self.documents += 1;
        let from = name(COMMUNE);
        let line = say!("demo-document-accepted", number = n, from = from, id = &id);
        println!("{} {line}", self.t());
        println!(
            "           \"{subject}\" -> {}",
            to.iter().map(|t| name(t)).collect::<Vec<_>>().join(", ")
        );
        self.show_pdfs(&answer)?;
        for r in to {
            let took = self.await_delivery(&id, r, &bytes, t0).await?;
            let ms = format!("{:.1}", took.as_secs_f64() * 1e3);
            let line = say!("demo-delivered", to = name(r), ms = ms);
            println!("{} {line}", self.t());
            self.trail(&id, gateway_of(COMMUNE)?, gateway_of(r)?)
                .await?;
        }
        Ok(id)
    }

    async fn send_status(
        &mut self,
        from: &str,
        to: &str,
        n: u32,
        code: StatusCode,
        note: Option<&str>,
    ) -> Result<(), String> {
        let bytes = self.status(from, to, n, &code, note)?;
        let t0 = Instant::now();
        let id = self.submit(from, bytes.clone()).await?;
        let took = self.await_delivery(&id, to, &bytes, t0).await?;
        self.statuses += 1;
        let line = say!(
            "demo-status-reached",
            code = code.wire(),
            label = code.label_vi(),
            from = name(from),
            to = name(to),
            ms = format!("{:.1}", took.as_secs_f64() * 1e3)
        );
        println!("{} {line}", self.t());
        Ok(())
    }

    async fn flows(&mut self) -> Result<(), String> {
        println!("\n== {}", say!("demo-step-1"));
        let first = self
            .send_document(101, &[FAR], samples::SUBJECT_REPORT)
            .await?;
        for code in [
            StatusCode::Arrived,
            StatusCode::Accepted,
            StatusCode::Assigned,
            StatusCode::Processing,
            StatusCode::Completed,
        ] {
            self.send_status(FAR, COMMUNE, 101, code, None).await?;
        }

        println!("\n== {}", say!("demo-step-2"));
        let many = [FAR, REFUSER, "000.00.00.G22", "000.00.11.H50"];
        self.send_document(102, &many, samples::SUBJECT_BROADCAST)
            .await?;
        for r in [FAR, "000.00.00.G22", "000.00.11.H50"] {
            for code in [
                StatusCode::Arrived,
                StatusCode::Accepted,
                StatusCode::Assigned,
                StatusCode::Processing,
                StatusCode::Completed,
            ] {
                self.send_status(r, COMMUNE, 102, code, None).await?;
            }
        }
        self.send_status(REFUSER, COMMUNE, 102, StatusCode::Arrived, None)
            .await?;
        self.send_status(
            REFUSER,
            COMMUNE,
            102,
            StatusCode::Refused,
            Some(samples::REFUSAL_NOTE),
        )
        .await?;

        println!("\n== {}", say!("demo-step-3"));
        self.send_document(103, &[FAR], samples::SUBJECT_RECALLED)
            .await?;
        self.send_status(
            COMMUNE,
            FAR,
            103,
            StatusCode::RecallRequested,
            Some(samples::RECALL_NOTE),
        )
        .await?;
        self.send_status(FAR, COMMUNE, 103, StatusCode::RecallAccepted, None)
            .await?;

        // The tracking view at the sender's gateway agrees with what happened.
        let track = self
            .dms(COMMUNE)?
            .get(&format!("/v1/documents/{first}"))
            .await?
            .json();
        let codes: Vec<String> = track["statuses"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["status_code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if codes != ["01", "03", "04", "05", "06"] {
            let codes = format!("{codes:?}");
            return Err(say!("demo-tracking-wrong", id = first, codes = codes));
        }
        println!("\n{} {}", self.t(), say!("demo-tracking-ok"));
        self.vxp_flow().await?;
        self.summary();
        Ok(())
    }

    /// A DMS on the national axis's SDK: it sends with `sendEdoc`, the recipient (on the
    /// mTLS API) answers 01, and the DMS takes the status with `getReceivedEdocList`,
    /// `getEdoc` and `updateStatus done`.
    async fn vxp_flow(&mut self) -> Result<(), String> {
        let (secret, addr) = self.vxp.clone();
        let step = say!("demo-step-4", addr = addr.to_string(), system = VXP_SYSTEM);
        println!("\n== {step}");
        let client = lienthong_gateway::vxp::client::VxpClient::new(
            &format!("http://{addr}/XrdAdapter/adapter"),
            VXP_SYSTEM,
            secret.as_bytes(),
            "05122026T090000+0000",
            rustls_roots(),
        )?
        .sticky();
        let bytes = self.document(VXP_AGENCY, &[FAR], 104, samples::SUBJECT_VXP)?;
        let t0 = Instant::now();
        let sent = client.send_edoc(&bytes, "edoc", VXP_AGENCY).await?;
        if !sent.ok() {
            let body = String::from_utf8_lossy(&sent.body).into_owned();
            return Err(say!("demo-vxp-send-refused", body = body));
        }
        let id = sent.json()["DocId"].as_str().unwrap_or_default().to_owned();
        self.documents += 1;
        let line = say!("demo-vxp-sent", from = name(VXP_AGENCY), id = &id);
        println!("{} {line}", self.t());
        let took = self.await_delivery(&id, FAR, &bytes, t0).await?;
        let ms = format!("{:.1}", took.as_secs_f64() * 1e3);
        let line = say!("demo-vxp-delivered", to = name(FAR), ms = ms);
        println!("{} {line}", self.t());
        let status = self.status(FAR, VXP_AGENCY, 104, &StatusCode::Arrived, None)?;
        let status_id = self.submit(FAR, status.clone()).await?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if client.received("status").await?.contains(&status_id) {
                break;
            }
            if Instant::now() > deadline {
                return Err(say!("demo-vxp-not-listed", id = &status_id));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if client.get_edoc(&status_id).await? != status {
            return Err(say!("demo-vxp-other-bytes"));
        }
        let done = client.update_status(&status_id, "done").await?;
        if !done.ok() {
            let body = String::from_utf8_lossy(&done.body).into_owned();
            return Err(say!("demo-vxp-update-refused", body = body));
        }
        self.statuses += 1;
        self.latencies.push(t0.elapsed());
        let line = say!(
            "demo-vxp-status-taken",
            label = StatusCode::Arrived.label_vi()
        );
        println!("{} {line}", self.t());
        Ok(())
    }

    fn summary(&self) {
        let mut l = self.latencies.clone();
        l.sort();
        let pct = |p: f64| -> f64 {
            if l.is_empty() {
                return 0.0;
            }
            let i = ((l.len() as f64 - 1.0) * p).round() as usize;
            l[i.min(l.len() - 1)].as_secs_f64() * 1e3
        };
        let rows = [
            (say!("demo-summary-documents"), self.documents.to_string()),
            (
                say!("demo-summary-deliveries"),
                self.latencies.len().to_string(),
            ),
            (say!("demo-summary-hops"), self.hops.to_string()),
            (say!("demo-summary-receipts"), self.receipts.to_string()),
            (say!("demo-summary-statuses"), self.statuses.to_string()),
            (
                say!("demo-summary-pdf-signatures"),
                self.pdf_signatures.to_string(),
            ),
            (say!("demo-summary-p50"), format!("{:.1} ms", pct(0.5))),
            (say!("demo-summary-p99"), format!("{:.1} ms", pct(0.99))),
        ];
        println!("\n== {}", say!("demo-summary"));
        println!("  +--------------------------------------------+------------+");
        for (k, v) in rows {
            println!("  | {k:<42} | {v:>10} |");
        }
        println!("  +--------------------------------------------+------------+");
        println!("  {}", say!("demo-summary-end"));
    }

    fn explain(&self, dir: &Path) {
        let c = self.certs.display();
        println!("\n{}", say!("demo-explain-running"));
        if let Some(url) = self.fed.url(gateway_of(FAR).unwrap_or("gw-h48")) {
            println!(
                "  curl --cacert {c}/ca.pem --cert {c}/dms/{FAR}.pem --key {c}/dms/{FAR}.key {url}/v1/inbox"
            );
            println!(
                "  curl --cacert {c}/ca.pem --cert {c}/dms/{FAR}.pem --key {c}/dms/{FAR}.key '{url}/v1/inbox?after=NEXT&wait=60'   # {}",
                say!("demo-explain-long-poll")
            );
            println!(
                "  curl --cacert {c}/ca.pem --cert {c}/dms/{FAR}.pem --key {c}/dms/{FAR}.key {url}/v1/inbox/ID/signature   # {}",
                say!("demo-explain-signature")
            );
            println!(
                "  curl --cacert {c}/ca.pem --cert {c}/operator/ops.pem --key {c}/operator/ops.key {url}/v1/queues   # {}",
                say!("demo-explain-queues")
            );
            println!(
                "  curl --cacert {c}/ca.pem --cert {c}/operator/ops.pem --key {c}/operator/ops.key '{url}/v1/messages?state=all&agency={FAR}'   # {}",
                say!("demo-explain-messages")
            );
            println!(
                "  curl --cacert {c}/ca.pem --cert {c}/operator/ops.pem --key {c}/operator/ops.key {url}/v1/agencies/activity   # {}",
                say!("demo-explain-agencies")
            );
            println!("  curl --cacert {c}/ca.pem {url}/healthz");
            println!("{}", say!("demo-explain-cli"));
            let ops = format!(
                "--gateway {url} --ca {c}/ca.pem --cert {c}/operator/ops.pem --key {c}/operator/ops.key"
            );
            println!("  lienthong queue stats {ops}");
            let certs = say!("demo-explain-certs");
            println!("  lienthong certs status {ops}   # {certs}");
            println!(
                "  lienthong backup {ops}         # {}",
                say!("demo-explain-backup")
            );
            let (console, cert) = (format!("{url}/console"), format!("{c}/operator/ops.pem"));
            println!(
                "{}",
                say!("demo-explain-console", url = console, cert = cert)
            );
        }
        let (_, vxp) = &self.vxp;
        let secret = self
            .fed
            .nodes
            .get(gateway_of(VXP_AGENCY).unwrap_or("gw-h50"))
            .map(|n| {
                n.config_path
                    .with_file_name(format!("{VXP_SYSTEM}.secret"))
                    .display()
                    .to_string()
            })
            .unwrap_or_default();
        let line = say!(
            "demo-explain-vxp",
            addr = vxp.to_string(),
            system = VXP_SYSTEM,
            secret = secret
        );
        println!("{line}");
        let shown = dir.display().to_string();
        println!("{}", say!("demo-explain-dir", dir = shown));
    }
}

/// No roots: the demo's VXP listener is plain HTTP on loopback.
fn rustls_roots() -> lienthong_gateway::vxp::client::Roots {
    lienthong_gateway::vxp::client::Roots::empty()
}
