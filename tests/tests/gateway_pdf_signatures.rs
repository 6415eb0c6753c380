//! The signatures inside PDF attachments, at the gateway: verified on accept, kept with
//! the message (tracking shows them), shown to the recipient in the signature view, and,
//! under `[trust] pdf_signatures = "require"`, a document whose main PDF lacks a valid
//! organisation signature of the sending agency is refused with nothing stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use lienthong_edxml::Attachment;
use lienthong_edxml::attach::{encode_base64, zip_single_stored};
use lienthong_gateway::federation::Federation;
use lienthong_testkit::pdf::PdfDraft;
use serde_json::Value;
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.00.H50";
const OTHER: &str = "000.00.01.H50";

/// A PDF signed by `signer`'s organisation certificate (the development PKI on disk).
fn signed_pdf(signer: &str, text: &str) -> Vec<u8> {
    let chain: Vec<Vec<u8>> = lienthong_dsig::certs_from_pem(
        &std::fs::read(certs().join(format!("signers/{signer}.pem"))).unwrap(),
    )
    .unwrap()
    .into_iter()
    .map(|c| c.to_vec())
    .collect();
    let key = std::fs::read_to_string(certs().join(format!("signers/{signer}.key"))).unwrap();
    let now = jiff::Timestamp::now().as_second();
    PdfDraft::new(text, 0)
        .sign("ChuKyToChuc", &chain, &key, now - 60)
        .unwrap()
        .bytes
}

/// One byte of the page text changed after signing.
fn tampered(mut pdf: Vec<u8>) -> Vec<u8> {
    let at = pdf.windows(5).position(|w| w == b"Cong ").unwrap();
    pdf[at] = b'K';
    pdf
}

/// A signed document from FROM with this PDF as its attachment, zipped as the national
/// SDK sends it.
fn document_with_pdf(n: u32, pdf: &[u8]) -> Vec<u8> {
    let a = Attachment {
        content_id: Some(format!("att{n}")),
        attachment_name: Some(format!("Cong van {n}.zip")),
        content_type: Some("application/zip".into()),
        encoded: encode_base64(&zip_single_stored(&format!("Cong van {n}.pdf"), pdf)),
        ..Attachment::default()
    };
    sign_xml(&edoc_xml_with(FROM, &[TO], n, vec![a]), FROM)
}

async fn federation(tag: &str, pdf_policy: &str) -> Federation {
    let mut f = prepare_pair(tag);
    let cfg = &f.nodes["gw-h50"].config_path;
    let text = std::fs::read_to_string(cfg).unwrap().replace(
        "policy = \"require\"",
        &format!("policy = \"require\"\npdf_signatures = \"{pdf_policy}\""),
    );
    std::fs::write(cfg, text).unwrap();
    f.start_all().await.unwrap();
    f
}

fn codes(causes: &Value) -> Vec<String> {
    causes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["code"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_record_every_pdf_verdict_is_kept_and_shown() {
    let f = federation("pdf-record", "record").await;
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let inbox = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();
    let mut ids = Vec::new();
    for (n, pdf) in [
        (1, signed_pdf(FROM, "Cong van 1")),
        (2, tampered(signed_pdf(FROM, "Cong van 2"))),
    ] {
        let a = sender.submit(document_with_pdf(n, &pdf)).await.unwrap();
        assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
        // the DMS learns at once what its PDFs came to
        let verdict = if n == 1 { "valid" } else { "invalid" };
        assert_eq!(a.json()["pdfs"][0]["verdict"], verdict, "{}", a.json());
        ids.push(a.json()["id"].as_str().unwrap().to_owned());
    }
    let text = metrics_text(&f, "gw-h50").await;
    for v in ["valid", "invalid"] {
        assert_eq!(
            metric_value(
                &text,
                &format!("lienthong_pdf_signatures_total{{verdict=\"{v}\"}}")
            ),
            Some(1.0),
            "{text}"
        );
    }
    // the recipient's signature view: the envelope, then the PDF's signatures
    let view = |id: String| {
        let c = inbox.clone();
        async move {
            let a = c.get(&format!("/v1/inbox/{id}/signature")).await.unwrap();
            assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
            a.json()
        }
    };
    let good = view(ids[0].clone()).await;
    assert_eq!(good["signature"]["valid"], true, "{good:#}");
    let pdf = &good["attachments"][0];
    assert_eq!(pdf["name"], "Cong van 1.pdf", "{good:#}");
    assert_eq!(pdf["verdict"], "valid", "{pdf:#}");
    let sig = &pdf["signatures"][0];
    assert_eq!(sig["signer"]["agency"], FROM, "{sig:#}");
    assert_eq!(sig["role"], "organisation");
    assert_eq!(sig["covers"]["whole_file"], true);
    let bad = view(ids[1].clone()).await;
    let pdf = &bad["attachments"][0];
    assert_eq!(pdf["verdict"], "invalid", "{pdf:#}");
    let problems = &pdf["signatures"][0]["problem_codes"];
    assert!(
        problems
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "pdf.digest_mismatch"),
        "{pdf:#}"
    );
    // tracking, from the sender: the verdicts kept with the message
    for (id, verdict, sender_signed) in [(&ids[0], "valid", true), (&ids[1], "invalid", false)] {
        let t = sender.get(&format!("/v1/documents/{id}")).await.unwrap();
        assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
        let note = &t.json()["message"]["signature"]["pdfs"][0];
        assert_eq!(
            note["name"],
            format!("Cong van {}.pdf", if verdict == "valid" { 1 } else { 2 })
        );
        assert_eq!(note["verdict"], verdict, "{note:#}");
        assert_eq!(note["sender_signed"], sender_signed, "{note:#}");
        assert_eq!(note["signers"][0]["agency"], FROM);
        assert_eq!(note["signers"][0]["role"], "organisation");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_require_the_main_pdf_needs_the_senders_organisation_signature() {
    let f = federation("pdf-require", "require").await;
    let sender = f
        .client("gw-h50", Some(&format!("dms/{FROM}")))
        .unwrap()
        .with_language("en");
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let stored = || {
        let ops = ops.clone();
        async move {
            let j = ops.get("/v1/messages?state=all").await.unwrap().json();
            j["messages"].as_array().map_or(0, Vec::len)
        }
    };
    for (n, pdf, expect) in [
        (
            11,
            tampered(signed_pdf(FROM, "Cong van 11")),
            "pdf.digest_mismatch",
        ),
        (12, signed_pdf(OTHER, "Cong van 12"), "sig.wrong_agency"),
        (13, b"%PDF-1.7\nnot really\n".to_vec(), "pdf.xref"),
    ] {
        let a = sender.submit(document_with_pdf(n, &pdf)).await.unwrap();
        assert_eq!(a.status, 422, "{n}: {}", String::from_utf8_lossy(&a.body));
        let e = &a.json()["error"];
        assert_eq!(e["code"], "signature.required", "{e:#}");
        let causes = codes(&e["detail"]["causes"]);
        assert_eq!(causes[0], "pdf.no_organisation_signature", "{e:#}");
        assert!(causes.contains(&expect.to_owned()), "{n}: {e:#}");
        assert!(e["message"].as_str().unwrap().contains(FROM), "{e:#}");
    }
    // no PDF at all
    let a = sender.submit(document(FROM, &[TO], 14)).await.unwrap();
    assert_eq!(a.status, 422, "{}", String::from_utf8_lossy(&a.body));
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no PDF")
    );
    assert_eq!(stored().await, 0, "a refused document leaves no trace");
    // the sender's own organisation signature passes
    let a = sender
        .submit(document_with_pdf(15, &signed_pdf(FROM, "Cong van 15")))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(stored().await, 1);
}
