//! The short description of a package that `lienthong inspect --json` prints.

use serde::Serialize;

use crate::model::{Package, PackageKind};
use crate::read::{Parsed, Warning};

/// One attachment as a clerk would describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentSummary {
    /// The file name: inside the ZIP when there is one file, else the declared name.
    pub name: Option<String>,
    /// The content type found by looking at the bytes (declared type if unreadable).
    pub content_type: Option<String>,
    /// The file size in bytes, if the bytes could be read.
    pub size: Option<u64>,
}

/// What a file says, in the JSON shape of the design's `inspect` contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// `edoc` or `status`.
    pub kind: PackageKind,
    /// The sending agency, as written.
    pub from: String,
    /// Recipients: the `To` agencies of a document; the destination of a status.
    pub to: Vec<String>,
    /// The edXML DocumentId (for a status: of the document it answers).
    pub document_id: Option<String>,
    /// Số/ký hiệu, e.g. `7816/VPCP-TTĐT` (for a status: of the document it answers).
    pub code: Option<String>,
    /// Trích yếu (documents only).
    pub subject: Option<String>,
    /// The status code, `01`…`16` (status packages only).
    pub status_code: Option<String>,
    /// new, revoke, update or replace (documents with a Bussiness block).
    pub business_type: Option<String>,
    /// Attachments.
    pub attachments: Vec<AttachmentSummary>,
    /// What was odd.
    pub warnings: Vec<Warning>,
}

impl Summary {
    /// Summarize a parsed package.
    pub fn of(parsed: &Parsed) -> Summary {
        let warnings = parsed.warnings.clone();
        match &parsed.package {
            Package::Edoc(e) => Summary {
                kind: PackageKind::Edoc,
                from: e.header.from.organ_id.clone(),
                to: e.header.to.iter().map(|t| t.organ_id.clone()).collect(),
                document_id: e.header.document_id.clone(),
                code: e
                    .header
                    .code
                    .as_ref()
                    .map(|c| c.display())
                    .filter(|c| !c.is_empty()),
                subject: e.header.subject.clone(),
                status_code: None,
                business_type: e
                    .trace
                    .business
                    .as_ref()
                    .and_then(|b| b.business_doc_type.as_ref())
                    .map(|t| t.name().to_owned()),
                attachments: e
                    .attachments
                    .iter()
                    .map(|a| {
                        let ins = a.inspection.as_ref();
                        AttachmentSummary {
                            name: ins
                                .and_then(|i| i.file_name.clone())
                                .or_else(|| a.attachment_name.clone()),
                            content_type: ins
                                .and_then(|i| i.content_type.clone())
                                .or_else(|| a.content_type.clone()),
                            size: ins.and_then(|i| i.size),
                        }
                    })
                    .collect(),
                warnings,
            },
            Package::Status(s) => Summary {
                kind: PackageKind::Status,
                from: s.from.organ_id.clone(),
                to: s.response_for.organ_id.iter().cloned().collect(),
                document_id: s.response_for.document_id.clone(),
                code: s.response_for.code.clone(),
                subject: None,
                status_code: Some(s.status_code.wire().to_owned()),
                business_type: None,
                attachments: Vec::new(),
                warnings,
            },
        }
    }
}
