//! Lenient reading of real edXML files.
//!
//! Real files differ from each other: prefixes vary, element order varies, dates come in
//! two forms, content ids with or without `cid:`, signatures in or out of the XML
//! Signature namespace, odd agency codes. The reader accepts all of that, matching
//! elements by namespace and local name, and reports what is odd as [`Warning`]s. It
//! fails only when the file is not XML (strictly: see `lienthong-xml`), is not edXML, or
//! lacks what no reader could do without (the envelope, the header, the sender).

use lienthong_types::Code;
use lienthong_xml::{Document, ElementRef, Limits, Position};
use serde::Serialize;

use crate::agency::AgencyCode;
use crate::attach;
use crate::dates::{Date, DateTime};
use crate::model::*;

/// Something odd in a file that did not stop it being read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// A stable code, e.g. `edxml.unknown_element`.
    pub code: Code,
    /// What is odd, for people.
    pub message: String,
    /// 1-based line of the element concerned, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
}

/// Why a file could not be read as edXML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdxmlError {
    /// Not well-formed XML, or refused by the strict reader.
    #[error("not readable as XML: {0}")]
    Xml(#[from] lienthong_xml::Error),
    /// XML, but not edXML.
    #[error("not an edXML file: {message} ({position})")]
    NotEdxml {
        /// What was found instead.
        message: String,
        /// Where.
        position: Position,
    },
    /// A required element is missing.
    #[error("{what} is missing in {parent} ({position})")]
    Missing {
        /// The missing element.
        what: &'static str,
        /// Where it was expected.
        parent: &'static str,
        /// Position of the parent element.
        position: Position,
    },
}

impl EdxmlError {
    /// A stable machine-readable code.
    pub fn code(&self) -> Code {
        match self {
            EdxmlError::Xml(e) => e.code(),
            EdxmlError::NotEdxml { .. } => Code::EdxmlNotEdxml,
            EdxmlError::Missing { .. } => Code::EdxmlMissingElement,
        }
    }

    /// Where the problem is.
    pub fn position(&self) -> Position {
        match self {
            EdxmlError::Xml(e) => e.position,
            EdxmlError::NotEdxml { position, .. } | EdxmlError::Missing { position, .. } => {
                *position
            }
        }
    }
}

/// A package read from a file, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The package.
    pub package: Package,
    /// What was odd.
    pub warnings: Vec<Warning>,
}

/// Read an edXML file with default XML limits.
pub fn read(input: &[u8]) -> Result<Parsed, EdxmlError> {
    read_with(input, &Limits::default())
}

/// Read an edXML file with the given XML limits.
pub fn read_with(input: &[u8], limits: &Limits) -> Result<Parsed, EdxmlError> {
    let doc = Document::parse_with(input, limits)?;
    from_document(&doc, input)
}

/// Read the package from an already parsed tree (`input` is the bytes it was parsed from,
/// used for positions in warnings).
pub fn from_document(doc: &Document, input: &[u8]) -> Result<Parsed, EdxmlError> {
    let mut r = Reader {
        input,
        warnings: Vec::new(),
    };
    let package = r.package(doc)?;
    Ok(Parsed {
        package,
        warnings: r.warnings,
    })
}

struct Reader<'i> {
    input: &'i [u8],
    warnings: Vec<Warning>,
}

fn is_ed(e: &ElementRef<'_>, local: &str) -> bool {
    e.is(EDXML_NS, local)
}

impl Reader<'_> {
    fn pos(&self, e: &ElementRef<'_>) -> Position {
        Position::locate(self.input, e.span().start)
    }

    fn warn(&mut self, e: Option<&ElementRef<'_>>, code: Code, message: String) {
        let p = e.map(|e| self.pos(e));
        self.warnings.push(Warning {
            code,
            message,
            line: p.map(|p| p.line),
            column: p.map(|p| p.column),
        });
    }

    fn missing(&self, what: &'static str, parent: &'static str, at: &ElementRef<'_>) -> EdxmlError {
        EdxmlError::Missing {
            what,
            parent,
            position: self.pos(at),
        }
    }

    fn package(&mut self, doc: &Document) -> Result<Package, EdxmlError> {
        let root = doc.root_element();
        let envelope = if is_ed(&root, "edXML") {
            match root.child(EDXML_NS, "edXMLEnvelope") {
                Some(env) => env,
                None => return Err(self.missing("edXMLEnvelope", "edXML", &root)),
            }
        } else if is_ed(&root, "edXMLEnvelope") {
            root
        } else {
            let found = match root.namespace() {
                Some(ns) => format!("{{{ns}}}{}", root.local_name()),
                None => root.local_name().to_owned(),
            };
            let message = if root.local_name() == "edXML" || root.local_name() == "edXMLEnvelope" {
                format!("the root element {found} is in the wrong namespace (expected {EDXML_NS})")
            } else {
                format!("the root element is {found}, expected {{{EDXML_NS}}}edXML")
            };
            return Err(EdxmlError::NotEdxml {
                message,
                position: self.pos(&root),
            });
        };
        let header = envelope
            .child(EDXML_NS, "edXMLHeader")
            .ok_or_else(|| self.missing("edXMLHeader", "edXMLEnvelope", &envelope))?;
        let mh = header
            .child(EDXML_NS, "MessageHeader")
            .ok_or_else(|| self.missing("MessageHeader", "edXMLHeader", &header))?;
        let signatures: Vec<ElementRef<'_>> = root
            .descendants()
            .filter(|e| e.local_name() == "Signature")
            .collect();
        if signatures.len() > 1 {
            self.warn(
                signatures.get(1),
                Code::EdxmlMultipleSignatures,
                format!("{} Signature elements found", signatures.len()),
            );
        }
        let is_status = mh.child(EDXML_NS, "StatusCode").is_some();
        if is_status {
            Ok(Package::Status(Box::new(self.status(&mh)?)))
        } else {
            let mut edoc = Edoc {
                header: self.message_header(&mh)?,
                ..Edoc::default()
            };
            for c in header.child_elements() {
                if is_ed(&c, "MessageHeader") {
                    continue;
                } else if is_ed(&c, "TraceHeaderList") {
                    edoc.trace = self.trace_list(&c);
                } else if c.local_name() == "Signature" {
                    edoc.signature = Some(self.signature(&c));
                } else {
                    self.unknown(&c, "edXMLHeader");
                }
            }
            if let Some(body) = envelope.child(EDXML_NS, "edXMLBody") {
                for c in body.child_elements() {
                    if is_ed(&c, "edXMLManifest") {
                        for r in c.child_elements() {
                            if is_ed(&r, "Reference") {
                                edoc.manifest.push(self.manifest_ref(&r));
                            } else {
                                self.unknown(&r, "edXMLManifest");
                            }
                        }
                    } else {
                        self.unknown(&c, "edXMLBody");
                    }
                }
            }
            if edoc.signature.is_none()
                && let Some(sig) = signatures.first()
            {
                self.warn(
                    Some(sig),
                    Code::EdxmlSignatureMisplaced,
                    "the Signature is not in edXMLHeader, where edXML places it".into(),
                );
                edoc.signature = Some(self.signature(sig));
            }
            let container = if is_ed(&root, "edXML") {
                root.child(EDXML_NS, "AttachmentEncoded")
            } else {
                None
            }
            .or_else(|| envelope.child(EDXML_NS, "AttachmentEncoded"));
            if let Some(ae) = container {
                for a in ae.child_elements() {
                    if is_ed(&a, "Attachment") {
                        edoc.attachments.push(self.attachment(&a));
                    } else {
                        self.unknown(&a, "AttachmentEncoded");
                    }
                }
            }
            self.check_edoc(&edoc, &mh);
            Ok(Package::Edoc(Box::new(edoc)))
        }
    }

    fn check_edoc(&mut self, edoc: &Edoc, mh: &ElementRef<'_>) {
        if edoc.header.to.is_empty() {
            self.warn(
                Some(mh),
                Code::EdxmlNoRecipients,
                "the document has no To (no recipient)".into(),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for t in &edoc.header.to {
            if !seen.insert(t.organ_id.as_str()) {
                self.warn(
                    Some(mh),
                    Code::EdxmlDuplicateRecipient,
                    format!("recipient {} appears more than once in To", t.organ_id),
                );
            }
        }
        if edoc.header.subject.is_none() {
            self.warn(
                Some(mh),
                Code::EdxmlNoSubject,
                "the document has no Subject".into(),
            );
        }
        for m in &edoc.manifest {
            if !edoc
                .attachments
                .iter()
                .any(|a| a.content_id.is_some() && a.content_id == m.content_id)
            {
                self.warn(
                    None,
                    Code::EdxmlManifestWithoutAttachment,
                    format!(
                        "manifest entry {} has no attachment",
                        m.content_id.as_deref().unwrap_or("(no ContentId)")
                    ),
                );
            }
        }
        for a in &edoc.attachments {
            if !edoc
                .manifest
                .iter()
                .any(|m| m.content_id.is_some() && m.content_id == a.content_id)
            {
                self.warn(
                    None,
                    Code::EdxmlAttachmentNotInManifest,
                    format!(
                        "attachment {} is not listed in the manifest",
                        a.content_id.as_deref().unwrap_or("(no ContentId)")
                    ),
                );
            }
            if let Some(p) = a.inspection.as_ref().and_then(|i| i.problem.as_ref()) {
                self.warn(
                    None,
                    Code::EdxmlAttachmentUnreadable,
                    format!(
                        "attachment {}: {p}",
                        a.attachment_name.as_deref().unwrap_or("(unnamed)")
                    ),
                );
            }
        }
    }

    fn unknown(&mut self, e: &ElementRef<'_>, parent: &str) {
        self.warn(
            Some(e),
            Code::EdxmlUnknownElement,
            format!(
                "unknown element {} in {parent} was kept but not interpreted",
                display_name(e)
            ),
        );
    }

    fn unknown_extra(&mut self, e: &ElementRef<'_>, parent: &str) -> Extra {
        self.unknown(e, parent);
        extra_of(e)
    }

    /// Text of a leaf element: trimmed, `None` when empty.
    fn leaf(&mut self, e: &ElementRef<'_>) -> Option<String> {
        if e.has_child_elements() {
            self.warn(
                Some(e),
                Code::EdxmlUnexpectedChildren,
                format!(
                    "{} should hold text only; its child elements were ignored",
                    display_name(e)
                ),
            );
        }
        let t = e.text();
        let t = t.trim();
        if t.is_empty() {
            None
        } else {
            Some(t.to_owned())
        }
    }

    fn set_once<T>(&mut self, slot: &mut Option<T>, value: Option<T>, e: &ElementRef<'_>) {
        if slot.is_some() {
            self.warn(
                Some(e),
                Code::EdxmlRepeatedElement,
                format!(
                    "{} appears more than once; the first is used",
                    display_name(e)
                ),
            );
        } else {
            *slot = value;
        }
    }

    fn int<T: std::str::FromStr>(&mut self, e: &ElementRef<'_>) -> Option<T> {
        let t = self.leaf(e)?;
        match t.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.warn(
                    Some(e),
                    Code::EdxmlBadNumber,
                    format!("{} is '{t}', not a number; ignored", display_name(e)),
                );
                None
            }
        }
    }

    fn boolean(&mut self, e: &ElementRef<'_>) -> Option<bool> {
        let t = self.leaf(e)?;
        match t.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                self.warn(
                    Some(e),
                    Code::EdxmlBadBoolean,
                    format!("{} is '{t}', not true or false; ignored", display_name(e)),
                );
                None
            }
        }
    }

    fn date(&mut self, e: &ElementRef<'_>) -> Option<Date> {
        let t = self.leaf(e)?;
        let d = Date::parse_lenient(&t);
        if d.is_none() {
            self.warn(
                Some(e),
                Code::EdxmlBadDate,
                format!(
                    "{} is '{t}', not a date (yyyy/MM/dd or dd/MM/yyyy); ignored",
                    display_name(e)
                ),
            );
        }
        d
    }

    fn datetime(&mut self, e: &ElementRef<'_>) -> Option<DateTime> {
        let t = self.leaf(e)?;
        let d = DateTime::parse_lenient(&t);
        if d.is_none() {
            self.warn(
                Some(e),
                Code::EdxmlBadTimestamp,
                format!(
                    "{} is '{t}', not a date and time (yyyy/MM/dd HH:mm:ss); ignored",
                    display_name(e)
                ),
            );
        }
        d
    }

    fn agency_id(&mut self, e: &ElementRef<'_>) -> Option<String> {
        let t = self.leaf(e)?;
        if let Err(err) = AgencyCode::parse(&t) {
            self.warn(
                Some(e),
                Code::EdxmlOddAgencyCode,
                format!("{err}; kept as written"),
            );
        }
        Some(t)
    }

    fn organization(
        &mut self,
        e: &ElementRef<'_>,
        what: &'static str,
    ) -> Result<Organization, EdxmlError> {
        let mut o = Organization::default();
        let mut organ_id = None;
        for c in e.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                o.extra.push(self.unknown_extra(&c, what));
                continue;
            }
            match c.local_name() {
                "OrganId" => {
                    let v = self.agency_id(&c);
                    self.set_once(&mut organ_id, v, &c);
                }
                "OrganizationInCharge" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.organization_in_charge, v, &c);
                }
                "OrganName" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.organ_name, v, &c);
                }
                "OrganAdd" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.organ_add, v, &c);
                }
                "Email" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.email, v, &c);
                }
                "Telephone" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.telephone, v, &c);
                }
                "Fax" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.fax, v, &c);
                }
                "Website" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.website, v, &c);
                }
                _ => o.extra.push(self.unknown_extra(&c, what)),
            }
        }
        match organ_id {
            Some(id) => o.organ_id = id,
            None => return Err(self.missing("OrganId", what, e)),
        }
        Ok(o)
    }

    fn message_header(&mut self, mh: &ElementRef<'_>) -> Result<MessageHeader, EdxmlError> {
        let mut h = MessageHeader::default();
        let mut from = None;
        for c in mh.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                h.extra.push(self.unknown_extra(&c, "MessageHeader"));
                continue;
            }
            match c.local_name() {
                "From" => {
                    let v = Some(self.organization(&c, "From")?);
                    self.set_once(&mut from, v, &c);
                }
                "To" => match self.organization(&c, "To") {
                    Ok(o) => h.to.push(o),
                    Err(e) => self.warn(
                        Some(&c),
                        Code::EdxmlBadRecipient,
                        format!("{e}; this To was skipped"),
                    ),
                },
                "DocumentId" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut h.document_id, v, &c);
                }
                "Code" => {
                    let mut code = DocCode::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "CodeNumber") => code.code_number = self.leaf(&cc),
                            (true, "CodeNotation") => code.code_notation = self.leaf(&cc),
                            _ => self.unknown(&cc, "Code"),
                        }
                    }
                    self.set_once(&mut h.code, Some(code), &c);
                }
                "PromulgationInfo" => {
                    let mut p = PromulgationInfo::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "Place") => p.place = self.leaf(&cc),
                            (true, "PromulgationDate") => p.promulgation_date = self.date(&cc),
                            _ => self.unknown(&cc, "PromulgationInfo"),
                        }
                    }
                    self.set_once(&mut h.promulgation_info, Some(p), &c);
                }
                "DocumentType" => {
                    let mut t = DocumentType::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "Type") => t.doc_type = self.int(&cc),
                            (true, "TypeDetail") => t.type_detail = self.int(&cc),
                            (true, "TypeName") => t.type_name = self.leaf(&cc),
                            _ => self.unknown(&cc, "DocumentType"),
                        }
                    }
                    self.set_once(&mut h.document_type, Some(t), &c);
                }
                "Subject" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut h.subject, v, &c);
                }
                "Content" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut h.content, v, &c);
                }
                "SignerInfo" => {
                    let mut s = SignerInfo::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "Competence") => s.competence = self.leaf(&cc),
                            (true, "Position") => s.position = self.leaf(&cc),
                            (true, "FullName") => s.full_name = self.leaf(&cc),
                            _ => self.unknown(&cc, "SignerInfo"),
                        }
                    }
                    self.set_once(&mut h.signer_info, Some(s), &c);
                }
                "DueDate" => {
                    let v = self.date(&c);
                    self.set_once(&mut h.due_date, v, &c);
                }
                "OtherInfo" => {
                    let v = Some(self.other_info(&c));
                    self.set_once(&mut h.other_info, v, &c);
                }
                "SteeringType" => {
                    let v = self.int(&c);
                    self.set_once(&mut h.steering_type, v, &c);
                }
                "ToPlaces" => {
                    for cc in c.child_elements() {
                        if is_ed(&cc, "Place") {
                            if let Some(p) = self.leaf(&cc) {
                                h.to_places.push(p);
                            }
                        } else {
                            self.unknown(&cc, "ToPlaces");
                        }
                    }
                }
                "ResponseFor" => {
                    let r = self.response_for(&c);
                    if r != ResponseFor::default() {
                        h.response_for.push(r);
                    }
                }
                _ => h.extra.push(self.unknown_extra(&c, "MessageHeader")),
            }
        }
        h.from = from.ok_or_else(|| self.missing("From", "MessageHeader", mh))?;
        Ok(h)
    }

    fn other_info(&mut self, e: &ElementRef<'_>) -> OtherInfo {
        let mut o = OtherInfo::default();
        for c in e.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                o.extra.push(self.unknown_extra(&c, "OtherInfo"));
                continue;
            }
            match c.local_name() {
                "Priority" => {
                    o.priority = self.leaf(&c).map(|p| {
                        let pr = Priority::from_wire(&p);
                        if let Priority::Other(v) = &pr {
                            self.warn(
                                Some(&c),
                                Code::EdxmlUnknownPriority,
                                format!("Priority '{v}' is not one of 0–4"),
                            );
                        }
                        pr
                    });
                }
                "SphereOfPromulgation" => o.sphere_of_promulgation = self.leaf(&c),
                "TyperNotation" => o.typer_notation = self.leaf(&c),
                "PromulgationAmount" => o.promulgation_amount = self.int(&c),
                "PageAmount" => o.page_amount = self.int(&c),
                "Direction" => o.direction = self.boolean(&c),
                "Appendixes" => {
                    for cc in c.child_elements() {
                        if is_ed(&cc, "Appendix") {
                            if let Some(a) = self.leaf(&cc) {
                                o.appendixes.push(a);
                            }
                        } else {
                            self.unknown(&cc, "Appendixes");
                        }
                    }
                }
                _ => o.extra.push(self.unknown_extra(&c, "OtherInfo")),
            }
        }
        o
    }

    fn response_for(&mut self, e: &ElementRef<'_>) -> ResponseFor {
        let mut r = ResponseFor::default();
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "OrganId") => r.organ_id = self.agency_id(&c),
                (true, "Code") => r.code = self.leaf(&c),
                (true, "PromulgationDate") => r.promulgation_date = self.date(&c),
                (true, "DocumentId") => r.document_id = self.leaf(&c),
                _ => self.unknown(&c, "ResponseFor"),
            }
        }
        r
    }

    fn staff_info(&mut self, e: &ElementRef<'_>) -> StaffInfo {
        let mut s = StaffInfo::default();
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "Department") => s.department = self.leaf(&c),
                (true, "Staff") => s.staff = self.leaf(&c),
                (true, "Email") => s.email = self.leaf(&c),
                (true, "Mobile") => s.mobile = self.leaf(&c),
                _ => self.unknown(&c, "StaffInfo"),
            }
        }
        s
    }

    fn trace_list(&mut self, e: &ElementRef<'_>) -> TraceHeaderList {
        let mut t = TraceHeaderList::default();
        for c in e.child_elements() {
            if is_ed(&c, "TraceHeader") {
                let mut th = TraceHeader::default();
                for cc in c.child_elements() {
                    match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                        (true, "OrganId") => th.organ_id = self.agency_id(&cc),
                        (true, "Timestamp") => th.timestamp = self.datetime(&cc),
                        _ => self.unknown(&cc, "TraceHeader"),
                    }
                }
                t.trace_headers.push(th);
            } else if is_ed(&c, "Bussiness") || is_ed(&c, "Business") {
                if c.local_name() == "Business" {
                    self.warn(
                        Some(&c),
                        Code::EdxmlBusinessSpelling,
                        "'Business' read as the standard's 'Bussiness'".into(),
                    );
                }
                let v = Some(self.business(&c));
                self.set_once(&mut t.business, v, &c);
            } else {
                self.unknown(&c, "TraceHeaderList");
            }
        }
        t
    }

    fn business(&mut self, e: &ElementRef<'_>) -> Business {
        let mut b = Business::default();
        for c in e.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                b.extra.push(self.unknown_extra(&c, "Bussiness"));
                continue;
            }
            match c.local_name() {
                "DocumentId" => b.document_id = self.leaf(&c),
                "BussinessDocType" => {
                    b.business_doc_type = self.leaf(&c).map(|v| {
                        let t = BusinessDocType::from_wire(&v);
                        if let BusinessDocType::Other(x) = &t {
                            self.warn(
                                Some(&c),
                                Code::EdxmlUnknownBusinessType,
                                format!("BussinessDocType '{x}' is not one of 0–3"),
                            );
                        }
                        t
                    });
                }
                "BussinessDocReason" => b.business_doc_reason = self.leaf(&c),
                "Paper" => b.paper = self.int(&c),
                "StaffInfo" => b.staff_info = Some(self.staff_info(&c)),
                "BussinessDocumentInfo" => {
                    let mut info = BusinessDocumentInfo::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "DocumentInfo") => info.document_info = self.int(&cc),
                            (true, "DocumentReceiver") => info.document_receiver = self.int(&cc),
                            (true, "ReceiverList") => {
                                for r in cc.child_elements() {
                                    if is_ed(&r, "Receiver") {
                                        let mut rec = Receiver::default();
                                        for f in r.child_elements() {
                                            match (f.namespace() == Some(EDXML_NS), f.local_name())
                                            {
                                                (true, "OrganId") => {
                                                    rec.organ_id = self.agency_id(&f)
                                                }
                                                (true, "ReceiverType") => {
                                                    rec.receiver_type = self.int(&f)
                                                }
                                                _ => self.unknown(&f, "Receiver"),
                                            }
                                        }
                                        info.receivers.push(rec);
                                    } else {
                                        self.unknown(&r, "ReceiverList");
                                    }
                                }
                            }
                            _ => self.unknown(&cc, "BussinessDocumentInfo"),
                        }
                    }
                    b.business_document_info = Some(info);
                }
                "ReplacementInfoList" => {
                    for ri in c.child_elements() {
                        if !is_ed(&ri, "ReplacementInfo") {
                            self.unknown(&ri, "ReplacementInfoList");
                            continue;
                        }
                        let mut info = ReplacementInfo::default();
                        for f in ri.child_elements() {
                            match (f.namespace() == Some(EDXML_NS), f.local_name()) {
                                (true, "DocumentId") => info.document_id = self.leaf(&f),
                                (true, "OrganIdList") => {
                                    for o in f.child_elements() {
                                        if is_ed(&o, "OrganId") {
                                            if let Some(id) = self.agency_id(&o) {
                                                info.organ_ids.push(id);
                                            }
                                        } else {
                                            self.unknown(&o, "OrganIdList");
                                        }
                                    }
                                }
                                _ => self.unknown(&f, "ReplacementInfo"),
                            }
                        }
                        b.replacement_info.push(info);
                    }
                }
                _ => b.extra.push(self.unknown_extra(&c, "Bussiness")),
            }
        }
        b
    }

    fn content_id(&mut self, e: &ElementRef<'_>) -> Option<String> {
        let t = self.leaf(e)?;
        Some(normalize_content_id(&t))
    }

    fn manifest_ref(&mut self, e: &ElementRef<'_>) -> ManifestReference {
        let mut m = ManifestReference::default();
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "ContentId") => m.content_id = self.content_id(&c),
                (true, "ContentType") => m.content_type = self.leaf(&c),
                (true, "Description") => m.description = self.leaf(&c),
                (true, "AttachmentName") => m.attachment_name = self.leaf(&c),
                _ => self.unknown(&c, "Reference"),
            }
        }
        if m.content_id.is_none() {
            // Some producers give the id only as xlink:href="cid:…".
            if let Some(href) = e.attribute(Some("http://www.w3.org/1999/xlink"), "href") {
                m.content_id = Some(normalize_content_id(href));
            }
        }
        m
    }

    fn attachment(&mut self, e: &ElementRef<'_>) -> Attachment {
        let mut a = Attachment::default();
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "ContentId") => a.content_id = self.content_id(&c),
                (true, "AttachmentName") => a.attachment_name = self.leaf(&c),
                (true, "Description") => a.description = self.leaf(&c),
                (true, "ContentType") => a.content_type = self.leaf(&c),
                (true, "ContentTransferEncoded") => {
                    // Tens of kilobytes: trimmed in place rather than copied again.
                    let mut text = c.text();
                    let end = text.trim_end().len();
                    text.truncate(end);
                    let start = text.len() - text.trim_start().len();
                    text.drain(..start);
                    a.encoded = text;
                }
                _ => self.unknown(&c, "Attachment"),
            }
        }
        a.inspection = Some(attach::inspect(&a.encoded, a.attachment_name.as_deref()));
        a
    }

    fn signature(&mut self, e: &ElementRef<'_>) -> SignatureSummary {
        let mut s = SignatureSummary {
            in_xmldsig_namespace: e.namespace() == Some(XMLDSIG_NS),
            ..SignatureSummary::default()
        };
        if !s.in_xmldsig_namespace {
            self.warn(
                Some(e),
                Code::EdxmlLegacySignature,
                "the Signature is not in the XML Signature namespace (legacy SDK form); it cannot be verified".into(),
            );
        }
        for d in e.descendants() {
            match d.local_name() {
                "SignatureMethod" => {
                    s.signature_method = d.attribute(None, "Algorithm").map(str::to_owned)
                }
                "CanonicalizationMethod" => {
                    s.canonicalization_method = d.attribute(None, "Algorithm").map(str::to_owned);
                }
                "Reference" => {
                    if let Some(u) = d.attribute(None, "URI") {
                        s.reference_uris.push(u.to_owned());
                    }
                }
                "X509SubjectName" => s.x509_subject_name = Some(d.text().trim().to_owned()),
                "X509Certificate" => s.certificates += 1,
                _ => {}
            }
        }
        s
    }

    fn status(&mut self, mh: &ElementRef<'_>) -> Result<Status, EdxmlError> {
        let mut from = None;
        let mut response_for = None;
        let mut staff_info = None;
        let mut status_code = None;
        let mut description = None;
        let mut timestamp = None;
        let mut extra = Vec::new();
        for c in mh.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                extra.push(self.unknown_extra(&c, "MessageHeader"));
                continue;
            }
            match c.local_name() {
                "From" => {
                    let v = Some(self.organization(&c, "From")?);
                    self.set_once(&mut from, v, &c);
                }
                "ResponseFor" => {
                    let v = Some(self.response_for(&c));
                    self.set_once(&mut response_for, v, &c);
                }
                "StaffInfo" => {
                    let v = Some(self.staff_info(&c));
                    self.set_once(&mut staff_info, v, &c);
                }
                "StatusCode" => {
                    let v = self.leaf(&c).map(|s| {
                        let code = StatusCode::from_wire(&s);
                        if let StatusCode::Other(x) = &code {
                            self.warn(
                                Some(&c),
                                Code::EdxmlUnknownStatusCode,
                                format!("StatusCode '{x}' is not a known code (01–06, 13, 15, 16)"),
                            );
                        }
                        code
                    });
                    self.set_once(&mut status_code, v, &c);
                }
                "Description" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut description, v, &c);
                }
                "Timestamp" => {
                    let v = self.datetime(&c);
                    self.set_once(&mut timestamp, v, &c);
                }
                _ => extra.push(self.unknown_extra(&c, "MessageHeader")),
            }
        }
        let from = from.ok_or_else(|| self.missing("From", "MessageHeader", mh))?;
        let status_code =
            status_code.ok_or_else(|| self.missing("StatusCode", "MessageHeader", mh))?;
        let response_for = match response_for {
            Some(r) => r,
            None => {
                self.warn(
                    Some(mh),
                    Code::EdxmlNoResponseFor,
                    "the status package has no ResponseFor: it cannot be routed".into(),
                );
                ResponseFor::default()
            }
        };
        if response_for.document_id.is_none() {
            self.warn(
                Some(mh),
                Code::EdxmlNoDocumentId,
                "ResponseFor has no DocumentId".into(),
            );
        }
        Ok(Status {
            from,
            response_for,
            staff_info,
            status_code,
            description,
            timestamp,
            extra,
        })
    }
}

/// `cid:abc`, `<abc>` and `abc` all name content id `abc`.
pub fn normalize_content_id(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix("cid:").unwrap_or(s);
    let s = s
        .strip_prefix('<')
        .and_then(|x| x.strip_suffix('>'))
        .unwrap_or(s);
    s.to_owned()
}

fn display_name(e: &ElementRef<'_>) -> String {
    match e.namespace() {
        Some(EDXML_NS) => e.local_name().to_owned(),
        Some(ns) => format!("{{{ns}}}{}", e.local_name()),
        None => e.local_name().to_owned(),
    }
}

fn extra_of(e: &ElementRef<'_>) -> Extra {
    Extra {
        namespace: e.namespace().map(str::to_owned),
        local: e.local_name().to_owned(),
        attributes: e
            .element()
            .attributes
            .iter()
            .map(|a| {
                (
                    a.name.namespace.as_deref().map(str::to_owned),
                    a.name.local.to_string(),
                    a.value.clone(),
                )
            })
            .collect(),
        text: e.text().trim().to_owned(),
        children: e.child_elements().map(|c| extra_of(&c)).collect(),
    }
}
