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

/// Most PDFs checked in one document, and most signatures over all of them: the work one
/// request can cause is bounded whatever its attachments hold.
const MAX_PDFS: usize = 32;
const MAX_SIGNATURES: usize = 32;

/// What the gateway reads of one PDF: the verifier's defaults, with the inflated
/// structural streams (xref and object streams, a few hundred kilobytes in real files)
/// held to 4 MiB, at most 16 signatures and 16 certificates in each CMS, so that a
/// request's PDF check costs little beside its body.
pub fn gateway_limits() -> Limits {
    Limits {
        max_inflated_stream: 4 << 20,
        max_inflated_total: 4 << 20,
        max_signatures: 16,
        max_certificates: 16,
        ..Limits::default()
    }
}

fn unread(name: String, code: Code, why: impl Into<String>) -> AttachmentPdf {
    AttachmentPdf {
        name,
        report: None,
        error: Some(json!({"code": code, "message": why.into()})),
    }
}

/// Every PDF in the document's attachments, checked as of `at` (Unix seconds: when no
/// signature says when it was made), one at a time. A PDF is read to at most
/// `limits.max_file_bytes`, and a zipped one to at most twice its archive (the national
/// SDK stores PDFs uncompressed; more is a ZIP bomb). At most 32 PDFs and 32 signatures
/// in all are checked; the PDFs beyond are listed as not checked.
pub fn check_attachments(
    package: &Package,
    trust: &PdfTrust,
    at: i64,
    limits: Limits,
) -> Vec<AttachmentPdf> {
    let Package::Edoc(e) = package else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut signatures_left = MAX_SIGNATURES;
    for a in &e.attachments {
        let name = a.attachment_name.as_deref();
        let files = match attach::pdf_files(&a.encoded, name, limits.max_file_bytes) {
            Ok(files) => files,
            Err(why) => {
                // an attachment that is not base64 or not a readable archive: named only
                // when it claims to be a PDF
                if name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf")) {
                    out.push(unread(
                        name.unwrap_or_default().to_owned(),
                        Code::PdfUnreadable,
                        why,
                    ));
                }
                continue;
            }
        };
        for f in files {
            if out.len() >= MAX_PDFS || signatures_left == 0 {
                out.push(unread(
                    f.name,
                    Code::PdfTooComplex,
                    format!("not checked: the document carries more than {MAX_PDFS} PDFs or {MAX_SIGNATURES} PDF signatures"),
                ));
                continue;
            }
            let bytes = match f.bytes {
                Ok(b) => b,
                Err(why) => {
                    out.push(unread(f.name, Code::PdfTooLarge, why));
                    continue;
                }
            };
            let mine = Limits {
                max_signatures: limits.max_signatures.min(signatures_left),
                ..limits
            };
            out.push(
                match lienthong_pdfsig::verify_pdf_with(&bytes, at, trust, mine) {
                    Ok(r) => {
                        signatures_left = signatures_left.saturating_sub(r.signatures.len());
                        AttachmentPdf {
                            name: f.name,
                            report: Some(r),
                            error: None,
                        }
                    }
                    Err(e) => AttachmentPdf {
                        name: f.name,
                        report: None,
                        error: Some(json!({"code": e.code, "message": e.what, "offset": e.at})),
                    },
                },
            );
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
                        Role::Timestamp => "timestamp".into(),
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
            lienthong_i18n::msg!("api-pdf-missing", sender = from.clone()),
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
        lienthong_i18n::msg!(
            "api-pdf-unsigned",
            file = main.name.clone(),
            sender = from.to_string()
        ),
        serde_json::Value::Array(why),
    ))
}

fn refusal(message: lienthong_i18n::Msg, causes: serde_json::Value) -> Refusal {
    let english = message.render(lienthong_i18n::Lang::En);
    let mut all = vec![json!({"code": Code::PdfNoOrganisationSignature, "message": english})];
    all.extend(causes.as_array().cloned().unwrap_or_default());
    Refusal::new(Code::SignatureRequired, message).with(json!({"pdf": true, "causes": all}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_edxml::attach::{encode_base64, zip_single_stored};
    use lienthong_edxml::{Attachment, Edoc};

    fn with_attachments(pdfs: &[Vec<u8>]) -> Package {
        let e = Edoc {
            attachments: pdfs
                .iter()
                .enumerate()
                .map(|(i, p)| Attachment {
                    attachment_name: Some(format!("{i}.zip")),
                    encoded: encode_base64(&zip_single_stored(&format!("{i}.pdf"), p)),
                    ..Attachment::default()
                })
                .collect(),
            ..Edoc::default()
        };
        Package::Edoc(Box::new(e))
    }

    #[test]
    fn a_document_with_many_pdfs_has_the_first_32_checked_and_the_rest_listed() {
        let pdf = lienthong_testkit::pdf::PdfDraft::new("x", 0).bytes;
        let package = with_attachments(&vec![pdf; 40]);
        let got = check_attachments(&package, &PdfTrust::new(), 0, gateway_limits());
        assert_eq!(got.len(), 40);
        assert!(got[..32].iter().all(|p| p.verdict() == "unsigned"));
        for p in &got[32..] {
            assert_eq!(p.verdict(), "unreadable");
            assert_eq!(p.error.as_ref().unwrap()["code"], "pdf.too_complex");
        }
        let notes = notes(&got, &["000.00.01.H50".into()]);
        assert_eq!(notes.len(), 40);
        assert!(notes.iter().all(|n| !n.sender_signed));
    }

    #[test]
    fn require_names_the_missing_pdf_and_the_missing_signature() {
        let none = require_organisation_signature(&[], &["000.00.01.H50".into()]).unwrap_err();
        assert_eq!(none.code, Code::SignatureRequired);
        assert!(
            none.message.contains("no PDF attachment"),
            "{}",
            none.message
        );
        let pdf = lienthong_testkit::pdf::PdfDraft::new("x", 0).bytes;
        let got = check_attachments(
            &with_attachments(&[pdf]),
            &PdfTrust::new(),
            0,
            gateway_limits(),
        );
        let r = require_organisation_signature(&got, &["000.00.01.H50".into()]).unwrap_err();
        assert_eq!(
            r.detail["causes"][0]["code"],
            "pdf.no_organisation_signature"
        );
        assert_eq!(r.detail["causes"][1]["code"], "pdf.unsigned");
        assert!(r.message.contains("0.pdf"), "{}", r.message);
    }
}
