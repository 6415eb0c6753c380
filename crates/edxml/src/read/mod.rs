//! Lenient reading of real edXML files.
//!
//! Real files differ from each other: prefixes vary, element order varies, dates come in
//! two forms, content ids with or without `cid:`, signatures in or out of the XML
//! Signature namespace, odd agency codes. The reader accepts all of that, matching
//! elements by namespace and local name, and reports what is odd as [`Warning`]s. It
//! fails only when the file is not XML (strictly: see `lienthong-xml`), is not edXML, or
//! lacks what no reader could do without (the envelope, the header, the sender).

use std::fmt;

use lienthong_i18n::{Arg, Lang, Msg, msg};
use lienthong_types::Code;
use lienthong_xml::{Document, ElementRef, Limits, Position};
use serde::Serialize;

use crate::agency::AgencyCode;
use crate::dates::{Date, DateTime};
use crate::model::*;

mod header;
mod parts;

/// Something odd in a file that did not stop it being read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// A stable code, e.g. `edxml.unknown_element`.
    pub code: Code,
    /// What is odd, in English (`msg` rendered in English; JSON carries it).
    pub message: String,
    /// 1-based line of the element concerned, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is odd, for people, in any language (an `edxml-` message of the catalogs).
    #[serde(skip)]
    pub msg: Msg,
}

// The message's values are text and whole numbers, never NaN.
impl Eq for Warning {}

impl Warning {
    /// A warning saying `msg`, at `line` and `column` when known.
    pub fn new(code: Code, msg: Msg, line: Option<u32>, column: Option<u32>) -> Warning {
        Warning {
            code,
            message: msg.render(Lang::En),
            line,
            column,
            msg,
        }
    }
}

/// Why a file could not be read as edXML. `Display` gives it in English; [`EdxmlError::msg`]
/// and [`EdxmlError::render`] in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdxmlError {
    /// Not well-formed XML, or refused by the strict reader.
    Xml(lienthong_xml::Error),
    /// XML, but not edXML: the root element is another one, or edXML's in another
    /// namespace.
    NotEdxml {
        /// The root element found: `{namespace}local`, or `local` without a namespace.
        found: String,
        /// Whether it has an edXML name (`edXML`, `edXMLEnvelope`) in another namespace.
        wrong_namespace: bool,
        /// Where.
        position: Position,
    },
    /// An element that must appear once (the envelope, the header, MessageHeader, From, a
    /// status's ResponseFor or StatusCode) appears again: readers that take the first and
    /// readers that take the last would see different senders or documents, so the file is
    /// refused rather than read either way.
    Ambiguous {
        /// The repeated element.
        what: &'static str,
        /// Where.
        parent: &'static str,
        /// Position of the second occurrence.
        position: Position,
    },
    /// A required element is missing.
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
            EdxmlError::Ambiguous { .. } => Code::EdxmlAmbiguous,
        }
    }

    /// Where the problem is.
    pub fn position(&self) -> Position {
        match self {
            EdxmlError::Xml(e) => e.position,
            EdxmlError::NotEdxml { position, .. }
            | EdxmlError::Missing { position, .. }
            | EdxmlError::Ambiguous { position, .. } => *position,
        }
    }

    /// What went wrong and where, for people; in English it is the `Display`. In other
    /// languages an XML error shows as what its code means: [`EdxmlError::render`] gives
    /// it in full.
    pub fn msg(&self) -> Msg {
        match self {
            EdxmlError::Xml(e) => self.xml_msg(Arg::Findings {
                english: vec![e.kind.to_string()],
                codes: vec![e.code()],
            }),
            EdxmlError::NotEdxml {
                found,
                wrong_namespace: true,
                position,
            } => msg!(
                "edxml-not-edxml-namespace",
                found = found,
                namespace = EDXML_NS,
                line = position.line,
                column = position.column
            ),
            EdxmlError::NotEdxml {
                found, position, ..
            } => msg!(
                "edxml-not-edxml-root",
                found = found,
                expected = format!("{{{EDXML_NS}}}edXML"),
                line = position.line,
                column = position.column
            ),
            EdxmlError::Ambiguous {
                what,
                parent,
                position,
            } => element_msg("edxml-ambiguous", what, parent, *position),
            EdxmlError::Missing {
                what,
                parent,
                position,
            } => element_msg("edxml-missing", what, parent, *position),
        }
    }

    /// What went wrong and where, in `lang`, in full.
    pub fn render(&self, lang: Lang) -> String {
        let m = match self {
            EdxmlError::Xml(e) => self.xml_msg(Arg::from(e.kind.msg().render(lang))),
            _ => self.msg(),
        };
        m.render(lang)
    }

    /// "not readable as XML: …" with `what` the XML error and its position.
    fn xml_msg(&self, what: Arg) -> Msg {
        let p = self.position();
        msg!(
            "edxml-not-xml",
            what = what,
            line = p.line,
            column = p.column
        )
    }
}

impl fmt::Display for EdxmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdxmlError::Xml(e) => write!(f, "not readable as XML: {e}"),
            EdxmlError::NotEdxml {
                found,
                wrong_namespace: true,
                position,
            } => write!(
                f,
                "not an edXML file: the root element {found} is in the wrong namespace \
                 (expected {EDXML_NS}) ({position})"
            ),
            EdxmlError::NotEdxml {
                found, position, ..
            } => write!(
                f,
                "not an edXML file: the root element is {found}, expected {{{EDXML_NS}}}edXML \
                 ({position})"
            ),
            EdxmlError::Ambiguous {
                what,
                parent,
                position,
            } => write!(
                f,
                "{what} appears more than once in {parent} ({position}: the second one)"
            ),
            EdxmlError::Missing {
                what,
                parent,
                position,
            } => write!(f, "{what} is missing in {parent} ({position})"),
        }
    }
}

impl std::error::Error for EdxmlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EdxmlError::Xml(e) => Some(e),
            _ => None,
        }
    }
}

impl From<lienthong_xml::Error> for EdxmlError {
    fn from(e: lienthong_xml::Error) -> EdxmlError {
        EdxmlError::Xml(e)
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

    fn warn(&mut self, e: Option<&ElementRef<'_>>, code: Code, msg: Msg) {
        let p = e.map(|e| self.pos(e));
        self.warnings.push(Warning::new(
            code,
            msg,
            p.map(|p| p.line),
            p.map(|p| p.column),
        ));
    }

    /// The one child `local` of `parent`: missing and repeated are both errors.
    fn only_child<'d>(
        &self,
        parent: &ElementRef<'d>,
        parent_name: &'static str,
        local: &'static str,
    ) -> Result<ElementRef<'d>, EdxmlError> {
        let mut found = parent.child_elements().filter(|c| is_ed(c, local));
        let first = found
            .next()
            .ok_or_else(|| self.missing(local, parent_name, parent))?;
        match found.next() {
            Some(second) => Err(self.ambiguous(local, parent_name, &second)),
            None => Ok(first),
        }
    }

    fn ambiguous(
        &self,
        what: &'static str,
        parent: &'static str,
        at: &ElementRef<'_>,
    ) -> EdxmlError {
        EdxmlError::Ambiguous {
            what,
            parent,
            position: self.pos(at),
        }
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
            self.only_child(&root, "edXML", "edXMLEnvelope")?
        } else if is_ed(&root, "edXMLEnvelope") {
            root
        } else {
            let found = match root.namespace() {
                Some(ns) => format!("{{{ns}}}{}", root.local_name()),
                None => root.local_name().to_owned(),
            };
            return Err(EdxmlError::NotEdxml {
                found,
                wrong_namespace: root.local_name() == "edXML"
                    || root.local_name() == "edXMLEnvelope",
                position: self.pos(&root),
            });
        };
        let header = self.only_child(&envelope, "edXMLEnvelope", "edXMLHeader")?;
        let mh = self.only_child(&header, "edXMLHeader", "MessageHeader")?;
        let signatures: Vec<ElementRef<'_>> = root
            .descendants()
            .filter(|e| e.local_name() == "Signature")
            .collect();
        if signatures.len() > 1 {
            self.warn(
                signatures.get(1),
                Code::EdxmlMultipleSignatures,
                msg!("edxml-multiple-signatures", count = signatures.len()),
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
                    msg!("edxml-signature-misplaced"),
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
                msg!("edxml-no-recipients"),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for t in &edoc.header.to {
            if !seen.insert(t.organ_id.as_str()) {
                self.warn(
                    Some(mh),
                    Code::EdxmlDuplicateRecipient,
                    msg!("edxml-duplicate-recipient", recipient = &t.organ_id),
                );
            }
        }
        if edoc.header.subject.is_none() {
            self.warn(Some(mh), Code::EdxmlNoSubject, msg!("edxml-no-subject"));
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
                    msg!(
                        "edxml-manifest-without-attachment",
                        content_id = content_id_arg(m.content_id.as_deref())
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
                    msg!(
                        "edxml-attachment-not-in-manifest",
                        content_id = content_id_arg(a.content_id.as_deref())
                    ),
                );
            }
            if let Some(p) = a.inspection.as_ref().and_then(|i| i.problem.as_deref()) {
                let name = match a.attachment_name.as_deref() {
                    Some(n) => Arg::from(n),
                    None => Arg::Msg("edxml-attachment-unnamed"),
                };
                self.warn(
                    None,
                    Code::EdxmlAttachmentUnreadable,
                    crate::attach::unreadable_msg(name, p),
                );
            }
        }
    }

    fn unknown(&mut self, e: &ElementRef<'_>, parent: &str) {
        self.warn(
            Some(e),
            Code::EdxmlUnknownElement,
            msg!(
                "edxml-unknown-element",
                element = display_name(e),
                parent = parent
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
                msg!("edxml-unexpected-children", element = display_name(e)),
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
                msg!("edxml-repeated-element", element = display_name(e)),
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
                    msg!("edxml-bad-number", element = display_name(e), value = t),
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
                    msg!("edxml-bad-boolean", element = display_name(e), value = t),
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
                msg!("edxml-bad-date", element = display_name(e), value = t),
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
                msg!("edxml-bad-timestamp", element = display_name(e), value = t),
            );
        }
        d
    }

    fn agency_id(&mut self, e: &ElementRef<'_>) -> Option<String> {
        let t = self.leaf(e)?;
        if let Err(err) = AgencyCode::parse(&t) {
            self.warn(Some(e), Code::EdxmlOddAgencyCode, err.kept_msg());
        }
        Some(t)
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

/// A manifest entry's or attachment's content id, or "(no ContentId)".
fn content_id_arg(id: Option<&str>) -> Arg {
    match id {
        Some(id) => Arg::from(id),
        None => Arg::Msg("edxml-no-content-id"),
    }
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

/// A message about element `what` under `parent` at `position` (missing, repeated…).
pub(crate) fn element_msg(id: &'static str, what: &str, parent: &str, position: Position) -> Msg {
    msg!(
        id,
        what = what,
        parent = parent,
        line = position.line,
        column = position.column
    )
}
