//! The signatures inside a document's PDF attachments, sans IO: every PDF of every
//! attachment (plain, or inside a ZIP attachment) verified under the snapshot's PDF trust,
//! the notes kept with the message, and the `require` policy's question: does the main
//! PDF (the first one) carry a valid organisation signature of the sending agency?

use lienthong_edxml::{Package, attach};
use lienthong_pdfsig::{Limits, PdfReport, PdfTrust, Role, Verdict};
use lienthong_store::{PdfNote, PdfSignerNote};
use lienthong_types::Code;
use serde::Serialize;
use serde_json::json;

use super::Refusal;

/// One PDF of an attachment, checked.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentPdf {
    /// The file's name: the archive entry's, else the attachment's.
    pub name: String,
    /// The report, when the file could be read.
    #[serde(flatten)]
    pub report: Option<PdfReport>,
    /// Why it could not be read (a damaged or hostile file, too large, a bad archive).
    pub error: Option<serde_json::Value>,
}

impl AttachmentPdf {
    /// Its verdict as kept: the report's, or `unreadable`.
    pub fn verdict(&self) -> &'static str {
        self.report
            .as_ref()
            .map_or("unreadable", |r| r.verdict.as_str())
    }

    /// Does a valid organisation signature of one of `sender` (the agency's codes) sign it?
    pub fn signed_by(&self, sender: &[String]) -> bool {
        self.report
            .as_ref()
            .is_some_and(|r| sender.iter().any(|c| r.organisation_signed_by(c)))
    }
}

/// What the gateway reads of one PDF: the verifier's defaults, with the inflated
/// structural streams (xref and object streams, a few hundred kilobytes in real files)
/// held to 4 MiB, so that a request's PDF check costs little beside its body.
pub fn gateway_limits() -> Limits {
    Limits {
        max_inflated_stream: 4 << 20,
        max_inflated_total: 4 << 20,
        ..Limits::default()
    }
}

/// Every PDF in the document's attachments, checked as of `at` (Unix seconds: when no
/// signature says when it was made), one at a time. A PDF is read to at most
/// `limits.max_file_bytes`, and a zipped one to at most twice its attachment's decoded
/// size (the national SDK stores PDFs uncompressed; a bigger one is a ZIP bomb).
pub fn check_attachments(
    package: &Package,
    trust: &PdfTrust,
    at: i64,
    limits: Limits,
) -> Vec<AttachmentPdf> {
    let max_bytes = limits.max_file_bytes;
    let Package::Edoc(e) = package else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in &e.attachments {
        let name = a.attachment_name.as_deref();
        match attach::pdf_files(&a.encoded, name, max_bytes) {
            Err(why) => {
                // an attachment that is not base64 is not a PDF we can check: named only
                // when it claims to be one
                if name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf")) {
                    out.push(AttachmentPdf {
                        name: name.unwrap_or_default().to_owned(),
                        report: None,
                        error: Some(json!({"code": Code::PdfUnreadable, "message": why})),
                    });
                }
            }
            Ok(files) => {
                for f in files {
                    let checked = match f.bytes {
                        Err(why) => Err(json!({"code": Code::PdfTooLarge, "message": why})),
                        Ok(bytes) => lienthong_pdfsig::verify_pdf(&bytes, at, trust).map_err(
                            |e| json!({"code": e.code, "message": e.what, "offset": e.at}),
                        ),
                    };
                    out.push(match checked {
                        Ok(r) => AttachmentPdf {
                            name: f.name,
                            report: Some(r),
                            error: None,
                        },
                        Err(e) => AttachmentPdf {
                            name: f.name,
                            report: None,
                            error: Some(e),
                        },
                    });
                }
            }
        }
    }
    out
}

/// What is kept with the message of each PDF.
pub fn notes(pdfs: &[AttachmentPdf], sender: &[String]) -> Vec<PdfNote> {
    pdfs.iter()
        .map(|p| PdfNote {
            name: p.name.clone(),
            verdict: p.verdict().to_owned(),
            sender_signed: p.signed_by(sender),
            signers: p
                .report
                .iter()
                .flat_map(|r| &r.signatures)
                .map(|s| PdfSignerNote {
                    role: match s.role {
                        Role::Person => "person".into(),
                        Role::Organisation => "organisation".into(),
                    },
                    name: s.signer.as_ref().and_then(|x| x.common_name.clone()),
                    agency: s.signer.as_ref().and_then(|x| x.agency.clone()),
                    verdict: s.verdict.as_str().to_owned(),
                })
                .collect(),
        })
        .collect()
}

/// Under `pdf_signatures = "require"`: the main PDF (the first) must carry a valid
/// organisation signature of the sending agency (`sender`: its codes, main and aliases).
pub fn require_organisation_signature(
    pdfs: &[AttachmentPdf],
    sender: &[String],
) -> Result<(), Refusal> {
    let from = sender.first().cloned().unwrap_or_default();
    let Some(main) = pdfs.first() else {
        return Err(refusal(
            format!(
                "the document has no PDF attachment; a valid organisation signature of {from} on its main PDF is required"
            ),
            json!([]),
        ));
    };
    if main.signed_by(sender) {
        return Ok(());
    }
    let why: Vec<serde_json::Value> = match &main.report {
        None => vec![main.error.clone().unwrap_or_default()],
        Some(r) if r.verdict == Verdict::Unsigned => {
            vec![json!({"code": Code::PdfUnsigned, "message": "the PDF carries no signature"})]
        }
        Some(r) => r
            .signatures
            .iter()
            .flat_map(|s| {
                let who = s
                    .signer
                    .as_ref()
                    .and_then(|x| x.common_name.clone())
                    .unwrap_or_else(|| s.field.clone());
                let mut v: Vec<serde_json::Value> = s
                    .problem_codes
                    .iter()
                    .zip(&s.problems)
                    .map(|(c, m)| json!({"code": c, "message": format!("{who}: {m}")}))
                    .collect();
                if s.valid && s.role == Role::Organisation {
                    let agency = s.signer.as_ref().and_then(|x| x.agency.clone());
                    v.push(json!({"code": Code::SigWrongAgency, "message": format!(
                        "{who} signs for {}, not for {from}",
                        agency.as_deref().unwrap_or("no agency the certificate names")
                    )}));
                }
                v
            })
            .collect(),
    };
    Err(refusal(
        format!(
            "the main PDF ({}) lacks a valid organisation signature of {from}",
            main.name
        ),
        serde_json::Value::Array(why),
    ))
}

fn refusal(message: String, causes: serde_json::Value) -> Refusal {
    let mut all =
        vec![json!({"code": Code::PdfNoOrganisationSignature, "message": message.clone()})];
    all.extend(causes.as_array().cloned().unwrap_or_default());
    Refusal::new(Code::SignatureRequired, message).with(json!({"pdf": true, "causes": all}))
}
