//! Is this document acceptable: readable XML, edXML, recipients that are agency codes
//! (aliases folded into the agency's main code), and a signature acceptable under the
//! policy. Also: may the calling agency's DMS submit it.

use lienthong_compliance::facts::{MAX_NUMBER_CHARS, MAX_SUBJECT_CHARS};
use lienthong_compliance::{Day, DocFacts, clip};
use lienthong_dsig::{ExpectedAgency, Policy, Profile, Verdict};
use lienthong_edxml::{AgencyCode, BusinessDocType, Package};
use lienthong_i18n::{Arg, msg};
use lienthong_store::{AcceptRequest, BusinessType, MessageKind, Origin, StatusNote, Timestamp};
use lienthong_types::Code;
use serde_json::json;

use super::{Refusal, Snapshot};
use crate::config::SignaturePolicy;

/// What the gateway reads from a document.
#[derive(Debug)]
pub struct Checked {
    /// Document or status package.
    pub kind: MessageKind,
    /// The sender as stored: the agency's main code when the document uses an alias.
    pub sender: String,
    /// Recipients, main codes, each once.
    pub recipients: Vec<AgencyCode>,
    /// The edXML DocumentId (for a status: the document it answers).
    pub document_id: Option<String>,
    /// The business type of a document.
    pub business: Option<BusinessType>,
    /// What a status package says.
    pub status: Option<StatusNote>,
    /// The signature's verdict.
    pub verdict: Verdict,
    /// Why the signature is not valid (empty when it is).
    pub problems: Vec<String>,
    /// The signatures inside its PDF attachments.
    pub pdfs: Vec<lienthong_store::PdfNote>,
    /// For a document: what the compliance reports need of it.
    pub facts: Option<DocFacts>,
}

impl Checked {
    /// What the store is asked to accept for this document: its `bytes` as received, for
    /// `recipients` (all of them for a submission; those behind the link for a relay), from
    /// `origin`.
    pub fn accept_request(
        &self,
        bytes: &[u8],
        recipients: &[AgencyCode],
        origin: Origin,
    ) -> AcceptRequest {
        AcceptRequest {
            sender: self.sender.clone(),
            kind: self.kind,
            bytes: bytes.to_vec(),
            document_id: self.document_id.clone(),
            business: self.business,
            recipients: recipients.iter().map(ToString::to_string).collect(),
            origin,
            status: self.status.clone(),
            signature: Some(lienthong_store::SignatureNote {
                verdict: serde_json::to_value(self.verdict)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                // Accepted although not valid: only a `record` policy lets that through.
                recorded: self.verdict != Verdict::Valid,
                pdfs: self.pdfs.clone(),
            }),
            facts: self.facts.clone(),
        }
    }
}

/// What the reports need of a document: its urgency, due date, `Paper` flag, number and
/// symbol, subject, and whether its sender signed it validly (the envelope, or an
/// organisation signature of the sender inside a PDF attachment).
pub fn doc_facts(e: &lienthong_edxml::Edoc, signed: bool) -> DocFacts {
    let h = &e.header;
    let number = h.code.as_ref().and_then(|c| {
        let text = match (c.code_number.as_deref(), c.code_notation.as_deref()) {
            (Some(n), Some(k)) => format!("{n}/{k}"),
            (Some(n), None) => n.to_owned(),
            (None, Some(k)) => k.to_owned(),
            (None, None) => return None,
        };
        clip(&text, MAX_NUMBER_CHARS)
    });
    let priority = h
        .other_info
        .as_ref()
        .and_then(|o| o.priority.as_ref())
        .and_then(|p| p.wire().parse::<u8>().ok())
        .filter(|p| *p <= lienthong_compliance::facts::MAX_PRIORITY)
        .unwrap_or(0);
    let due = h.due_date.and_then(|d| {
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
            .parse::<Day>()
            .ok()
    });
    DocFacts {
        priority,
        due,
        paper: e
            .trace
            .business
            .as_ref()
            .and_then(|b| b.paper)
            .is_some_and(|p| p == 1),
        number,
        subject: h
            .subject
            .as_deref()
            .and_then(|s| clip(s, MAX_SUBJECT_CHARS)),
        signed,
        ..DocFacts::default()
    }
}

/// Parse and check a document or status package; its signature is checked as of
/// `signature_at` (now for a submission, the message's entry into the network for a relay).
///
/// `now` is today's time: the revocation lists must be fresh now, whatever `signature_at`.
///
/// `submitter` is the agency of the DMS submitting it (`None` for a relay): whether it may
/// is checked before the signature, which costs far more. `policy` says whether a signature
/// that is not valid refuses it (the gateway's `[trust] policy`, or a VXP system's own).
pub fn check_document(
    snap: &Snapshot,
    bytes: &[u8],
    submitter: Option<&Submitter>,
    policy: SignaturePolicy,
    signature_at: Timestamp,
    now: Timestamp,
) -> Result<Checked, Refusal> {
    let (doc, parsed) = read_document(snap, bytes)?;
    let (kind, raw_recipients, document_id, business) = match &parsed.package {
        Package::Edoc(e) => (
            MessageKind::Edoc,
            e.header
                .to
                .iter()
                .map(|t| t.organ_id.clone())
                .collect::<Vec<_>>(),
            e.header.document_id.clone(),
            e.trace
                .business
                .as_ref()
                .and_then(|b| b.business_doc_type.as_ref())
                .and_then(|t| match t {
                    BusinessDocType::New => Some(BusinessType::New),
                    BusinessDocType::Revoke => Some(BusinessType::Revoke),
                    BusinessDocType::Update => Some(BusinessType::Update),
                    BusinessDocType::Replace => Some(BusinessType::Replace),
                    BusinessDocType::Other(_) => None,
                }),
        ),
        Package::Status(st) => (
            MessageKind::Status,
            st.response_for.organ_id.iter().cloned().collect(),
            st.response_for.document_id.clone(),
            None,
        ),
    };
    let mut recipients = Vec::new();
    let mut bad = Vec::new();
    for r in &raw_recipients {
        // Aliases become the agency's own code, so each agency has one inbox.
        match AgencyCode::parse(r).map(|c| snap.directory.main_code(&c)) {
            Ok(c) if !recipients.contains(&c) => recipients.push(c),
            Ok(_) => {}
            Err(e) => bad.push(json!({"recipient": r, "problem": e.to_string()})),
        }
    }
    if !bad.is_empty() {
        return Err(
            Refusal::new(Code::DocumentBadRecipient, msg!("api-bad-recipient"))
                .with(json!({"recipients": bad.clone(), "causes": bad})),
        );
    }
    if recipients.is_empty() {
        return Err(Refusal::new(
            Code::DocumentNoRecipients,
            match kind {
                MessageKind::Edoc => msg!("api-no-recipients-edoc"),
                MessageKind::Status => msg!("api-no-recipients-status"),
            },
        ));
    }
    let from = parsed.package.from();
    if let Some(caller) = submitter {
        check_submitter_of(snap, caller, &from.organ_id)?;
    }
    let report = signature_report(snap, &doc, from, signature_at, now);
    if policy == SignaturePolicy::Require && !report.valid {
        return Err(Refusal::new(
            Code::SignatureRequired,
            msg!(
                "api-signature-refused",
                problems = Arg::Msgs(report.problem_msgs.clone())
            ),
        )
        .with(json!({
            "verdict": report.verdict,
            "problems": report.problems,
            "problem_codes": report.problem_codes,
            "causes": report.problem_codes.iter().zip(&report.problems)
                .map(|(c, m)| json!({"code": c, "message": m})).collect::<Vec<_>>(),
        })));
    }
    // The signatures inside the PDFs, judged as of the same time. Where the document enters
    // the network (a submission) `require` refuses one whose main PDF lacks the sender's
    // organisation signature; gateways further on record what they find.
    // The XML tree is no longer needed: freed before the PDFs are decoded, so that the
    // two never take memory at once.
    drop(doc);
    let sender_codes = agency_codes(snap, &from.organ_id);
    let pdfs = super::pdfs::check_attachments(
        &parsed.package,
        &snap.pdf_trust,
        i64::try_from(signature_at.as_millis() / 1000).unwrap_or(i64::MAX),
        super::pdfs::gateway_limits(),
    );
    if snap.pdf_policy == SignaturePolicy::Require
        && submitter.is_some()
        && kind == MessageKind::Edoc
    {
        super::pdfs::require_organisation_signature(&pdfs, &sender_codes)?;
    }
    // Stored under the agency's own code when the document names it by an alias (common
    // since the 2025 mergers), so that tracking, DocumentId conflicts and returning statuses
    // all see one sender.
    let sender = match AgencyCode::parse(&from.organ_id) {
        Ok(c) => snap.directory.main_code(&c).to_string(),
        Err(_) => from.organ_id.clone(),
    };
    let status = match &parsed.package {
        Package::Status(st) => Some(StatusNote {
            code: st.status_code.wire().to_owned(),
            description: st.description.clone(),
        }),
        Package::Edoc(_) => None,
    };
    let pdfs = super::pdfs::notes(&pdfs, &sender_codes);
    let facts = match &parsed.package {
        Package::Edoc(e) => Some(doc_facts(
            e,
            report.verdict == Verdict::Valid || pdfs.iter().any(|p| p.sender_signed),
        )),
        Package::Status(_) => None,
    };
    Ok(Checked {
        kind,
        sender,
        recipients,
        document_id,
        business,
        status,
        verdict: report.verdict,
        problems: report.problems,
        pdfs,
        facts,
    })
}

/// An agency's codes: the directory's main code and aliases for `code` (the code itself
/// first when the directory does not know it).
pub fn agency_codes(snap: &Snapshot, code: &str) -> Vec<String> {
    let known = snap.directory.agency_by_text(code).map(|a| {
        std::iter::once(&a.code)
            .chain(&a.aliases)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    });
    match known {
        Some(mut codes) => {
            // the code the document uses first (messages name it)
            if let Some(i) = codes.iter().position(|c| c == code) {
                codes.swap(0, i);
            }
            codes
        }
        None => vec![code.to_owned()],
    }
}

/// Nodes any document may have, whatever its size.
pub const NODE_FLOOR: usize = 4096;

/// And one more per this many bytes. Real edXML has a few hundred nodes (an attachment is
/// one text node, however big), so this refuses only trees built to take memory: a parsed
/// node costs about 200 bytes, so the tree stays within a small multiple of the document
/// (OPERATIONS.md, "Memory").
pub const BYTES_PER_NODE: usize = 128;

/// The most nodes a document of `len` bytes may have.
pub fn max_nodes(len: usize) -> usize {
    NODE_FLOOR
        .saturating_add(len / BYTES_PER_NODE)
        .min(lienthong_xml::Limits::default().max_nodes)
}

/// Parse a document or status package: the XML tree and what edXML says.
pub fn read_document(
    snap: &Snapshot,
    bytes: &[u8],
) -> Result<(lienthong_xml::Document, lienthong_edxml::Parsed), Refusal> {
    let limits = lienthong_xml::Limits {
        max_bytes: snap.max_body_bytes,
        max_nodes: max_nodes(bytes.len()),
        ..lienthong_xml::Limits::default()
    };
    let doc = lienthong_xml::Document::parse_with(bytes, &limits).map_err(|e| {
        Refusal::new(
            Code::DocumentUnreadable,
            msg!(
                "api-not-xml",
                reason = Arg::Findings {
                    english: vec![e.to_string()],
                    codes: vec![e.code()],
                }
            ),
        ).with(json!({
            "xml_code": e.code(), "line": e.position.line, "column": e.position.column,
            "causes": [{"code": e.code(), "message": e.kind.to_string(), "line": e.position.line, "column": e.position.column}]
        }))
    })?;
    let parsed = lienthong_edxml::from_document(&doc, bytes).map_err(|e| {
        let p = e.position();
        let code = match e {
            lienthong_edxml::EdxmlError::Ambiguous { .. } => Code::DocumentAmbiguous,
            _ => Code::DocumentNotEdxml,
        };
        Refusal::new(code, e.to_string())
            .with(json!({"edxml_code": e.code(), "line": p.line, "column": p.column,
                "causes": [{"code": e.code(), "message": e.to_string(), "line": p.line, "column": p.column}]}))
    })?;
    Ok((doc, parsed))
}

/// Verify the signature of a parsed document from `from` as of `signature_at`, under the
/// document trust of `snap`, with revocation lists that must be fresh at `now`.
pub fn signature_report(
    snap: &Snapshot,
    doc: &lienthong_xml::Document,
    from: &lienthong_edxml::Organization,
    signature_at: Timestamp,
    now: Timestamp,
) -> lienthong_dsig::Report {
    let trust = &snap.doc_trust;
    let dir = &snap.directory;
    let policy = Policy {
        trust,
        at: lienthong_dsig::unix_time(signature_at.as_millis() / 1000),
        expected_agency: Some(ExpectedAgency {
            code: from.organ_id.clone(),
            name: from.organ_name.clone(),
            // The directory's other codes for the same agency (its main code and aliases):
            // a certificate issued before a merger or renaming still speaks for it.
            other_codes: dir
                .agency_by_text(&from.organ_id)
                .map(|a| {
                    std::iter::once(&a.code)
                        .chain(&a.aliases)
                        .map(ToString::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        }),
    };
    let mut report = lienthong_dsig::verify(doc, &Profile::edxml(), &policy);
    // A relayed signature is judged as of the message's entry into the network, but the
    // revocation lists must be fresh today: stale CRLs cannot vouch that a certificate was
    // not revoked since.
    let today = now.as_millis() / 1000;
    if let Some(until) = trust.crls_fresh_until()
        && until < today
        && report.valid
    {
        report.problem(
            Code::CertCrlExpired,
            msg!(
                "api-crls-stale",
                at = lienthong_dsig::time::format_rfc3339(until)
            ),
        );
        report.valid = false;
        report.verdict = Verdict::Invalid;
    }
    report
}

/// A DMS speaks only for its own agency: the document's sender (main code, aliases folded)
/// must be the agency its certificate names.
/// Who submits a document: an agency's DMS by its certificate, or a VXP system, which
/// speaks for the agencies configured for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitter {
    /// The DMS of this agency (its certificate names it).
    Dms(AgencyCode),
    /// A VXP system and its agencies.
    System {
        /// Its `systemid`.
        id: String,
        /// The agencies it may send as.
        agencies: Vec<AgencyCode>,
    },
}

/// May `submitter` submit a document from `sender` here? A VXP system may for its own
/// agencies (by their main codes), each then checked as its DMS would be.
pub fn check_submitter_of(
    snap: &Snapshot,
    submitter: &Submitter,
    sender: &str,
) -> Result<(), Refusal> {
    match submitter {
        Submitter::Dms(caller) => check_submitter(snap, caller, sender),
        Submitter::System { id, agencies } => {
            let from = AgencyCode::parse(sender)
                .ok()
                .map(|c| snap.directory.main_code(&c));
            match agencies
                .iter()
                .find(|a| Some(snap.directory.main_code(a)) == from)
            {
                Some(a) => check_submitter(snap, a, sender),
                None => Err(Refusal::new(
                    Code::VxpAgencyNotAllowed,
                    msg!(
                        "api-system-not-allowed",
                        sender = sender,
                        system = id.to_string(),
                        allowed = agencies
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with(json!({"from": sender, "system": id}))),
            }
        }
    }
}

/// May the DMS of `caller` submit a document from `sender` here?
pub fn check_submitter(snap: &Snapshot, caller: &AgencyCode, sender: &str) -> Result<(), Refusal> {
    // A DMS speaks at its agency's home gateway: a certificate of an agency the directory
    // does not know, or of one homed at another gateway, submits nothing here.
    match snap.directory.home_gateway(caller) {
        Some(home) if home == &snap.id => {}
        Some(home) => {
            return Err(Refusal::new(
                Code::AuthWrongGateway,
                msg!(
                    "api-wrong-gateway",
                    caller = caller.to_string(),
                    home = home.to_string(),
                    here = snap.id.to_string()
                ),
            )
            .with(json!({"home_gateway": home.to_string()})));
        }
        None => {
            return Err(Refusal::new(
                Code::AuthUnknownAgency,
                msg!(
                    "api-unknown-agency",
                    caller = caller.to_string(),
                    here = snap.id.to_string()
                ),
            ));
        }
    }
    let from = AgencyCode::parse(sender)
        .ok()
        .map(|c| snap.directory.main_code(&c));
    if from == Some(snap.directory.main_code(caller)) {
        return Ok(());
    }
    Err(Refusal::new(
        Code::AuthWrongAgency,
        msg!(
            "api-wrong-agency",
            sender = sender,
            caller = caller.to_string()
        ),
    )
    .with(json!({"from": sender, "certificate_agency": caller.to_string()})))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixture::{code, snapshot};

    #[test]
    fn a_dms_submits_its_own_documents_at_its_home_gateway_only() {
        // Seen from gw-h50.
        let snap = snapshot(true);
        assert!(check_submitter(&snap, &code("000.00.01.H50"), "000.00.01.H50").is_ok());
        // Another agency's document.
        let r = check_submitter(&snap, &code("000.00.01.H50"), "000.00.11.H50").unwrap_err();
        assert_eq!(r.code, Code::AuthWrongAgency);
        // An agency homed at another gateway.
        let r = check_submitter(&snap, &code("000.00.21.H50"), "000.00.21.H50").unwrap_err();
        assert_eq!(r.code, Code::AuthWrongGateway);
        assert_eq!(r.detail["home_gateway"], "gw-h50-giolinh");
        // An agency the directory does not know.
        let r = check_submitter(&snap, &code("000.00.99.H50"), "000.00.99.H50").unwrap_err();
        assert_eq!(r.code, Code::AuthUnknownAgency);
    }

    #[test]
    fn a_vxp_system_submits_for_its_own_agencies_only() {
        let snap = snapshot(true);
        let system = Submitter::System {
            id: "vxp.demo".into(),
            agencies: vec![code("000.00.01.H50"), code("000.00.21.H50")],
        };
        assert!(check_submitter_of(&snap, &system, "000.00.01.H50").is_ok());
        let r = check_submitter_of(&snap, &system, "000.00.11.H50").unwrap_err();
        assert_eq!(r.code, Code::VxpAgencyNotAllowed);
        assert!(
            r.message.contains("000.00.01.H50, 000.00.21.H50"),
            "{}",
            r.message
        );
        // Its agency homed elsewhere is refused as that agency's DMS would be.
        let r = check_submitter_of(&snap, &system, "000.00.21.H50").unwrap_err();
        assert_eq!(r.code, Code::AuthWrongGateway);
        let dms = Submitter::Dms(code("000.00.01.H50"));
        assert!(check_submitter_of(&snap, &dms, "000.00.01.H50").is_ok());
    }

    #[test]
    fn the_node_cap_grows_with_the_document() {
        assert_eq!(max_nodes(0), NODE_FLOOR);
        assert_eq!(
            max_nodes(4_000_000),
            NODE_FLOOR + 4_000_000 / BYTES_PER_NODE
        );
        assert_eq!(
            max_nodes(usize::MAX),
            lienthong_xml::Limits::default().max_nodes
        );
    }
}
