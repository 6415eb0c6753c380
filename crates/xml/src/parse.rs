//! The strict reader: quick-xml tokens in, a checked [`Document`] out.
//!
//! quick-xml is a fast tokenizer, not a conforming XML processor. Everything it lets
//! through that XML 1.0 + Namespaces forbid is checked here: DOCTYPE, undeclared prefixes,
//! several roots, mismatched or unmatched tags, invalid UTF-8 and encodings, duplicate
//! attributes (also by expanded name), text outside the root, invalid names and
//! characters, unknown entities, `<` in attribute values, misplaced declarations and
//! reserved-prefix abuse.

use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::errors::{Error as QxError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};

use crate::chars::{first_invalid_char, is_xml_char, is_xml_space, split_qname};
use crate::error::{Error, ErrorKind, LimitKind};
use crate::tree::{
    Attribute, Document, Element, Name, NamespaceDecl, Node, NodeId, NodeKind, XML_NS, XMLNS_NS,
};

/// Limits applied while reading. The defaults are safe for a public endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Maximum input size in bytes. Default 64 MiB.
    pub max_bytes: usize,
    /// Maximum element nesting depth. Default 64.
    pub max_depth: usize,
    /// Maximum attributes, namespace declarations included, on one element. Default 64.
    pub max_attributes: usize,
    /// Maximum length of a name in bytes. Default 256.
    pub max_name_len: usize,
    /// Maximum size of one text node in bytes. Default 48 MiB (base64 attachments are large).
    pub max_text_len: usize,
    /// Maximum size of one attribute value in bytes. Default 64 KiB.
    pub max_attr_value_len: usize,
    /// Maximum number of nodes. Default 1,000,000.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
            max_depth: 64,
            max_attributes: 64,
            max_name_len: 256,
            max_text_len: 48 * 1024 * 1024,
            max_attr_value_len: 64 * 1024,
            max_nodes: 1_000_000,
        }
    }
}

impl Document {
    /// Read `input` with the default [`Limits`].
    pub fn parse(input: &[u8]) -> Result<Document, Error> {
        Document::parse_with(input, &Limits::default())
    }

    /// Read `input` with the given limits.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Document, Error> {
        Parser::new(input, limits)?.run()
    }
}

struct OpenElement {
    id: NodeId,
    /// The name exactly as written in the start tag, for end-tag matching.
    raw_name: Box<str>,
    /// How many bindings this element pushed onto the namespace stack.
    ns_pushed: usize,
}

struct Parser<'a> {
    input: &'a [u8],
    text: &'a str,
    /// Offset of `text` within `input` (3 when a UTF-8 BOM was skipped).
    base: usize,
    limits: &'a Limits,
    nodes: Vec<Node>,
    prolog: Vec<NodeId>,
    epilog: Vec<NodeId>,
    root: Option<NodeId>,
    stack: Vec<OpenElement>,
    /// Namespace bindings in scope, innermost last: (prefix, uri).
    ns: Vec<(Option<Box<str>>, Arc<str>)>,
    /// Character data being accumulated: (start offset, text).
    pending_text: Option<(usize, String)>,
    /// Position after the last event.
    last_end: usize,
    seen_markup: bool,
    xml_ns: Arc<str>,
}

impl<'a> Parser<'a> {
    fn new(input: &'a [u8], limits: &'a Limits) -> Result<Parser<'a>, Error> {
        if input.len() > limits.max_bytes {
            return Err(Error::at(
                ErrorKind::Limit {
                    what: LimitKind::TotalSize,
                    limit: limits.max_bytes,
                },
                input,
                limits.max_bytes,
            ));
        }
        if input.starts_with(&[0xFE, 0xFF]) || input.starts_with(&[0xFF, 0xFE]) {
            return Err(Error::at(
                ErrorKind::UnsupportedEncoding("UTF-16".into()),
                input,
                0,
            ));
        }
        if input.starts_with(&[0, b'<']) || input.starts_with(&[b'<', 0]) {
            return Err(Error::at(
                ErrorKind::UnsupportedEncoding("UTF-16 (no byte order mark)".into()),
                input,
                0,
            ));
        }
        let base = if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let text = match std::str::from_utf8(&input[base..]) {
            Ok(t) => t,
            Err(e) => {
                return Err(Error::at(
                    ErrorKind::InvalidUtf8,
                    input,
                    base + e.valid_up_to(),
                ));
            }
        };
        if let Some((off, cp)) = first_invalid_char(text) {
            return Err(Error::at(ErrorKind::InvalidChar(cp), input, base + off));
        }
        Ok(Parser {
            input,
            text,
            base,
            limits,
            nodes: Vec::new(),
            prolog: Vec::new(),
            epilog: Vec::new(),
            root: None,
            stack: Vec::new(),
            ns: Vec::new(),
            pending_text: None,
            last_end: base,
            seen_markup: false,
            xml_ns: Arc::from(XML_NS),
        })
    }

    fn err(&self, kind: ErrorKind, offset: usize) -> Error {
        Error::at(kind, self.input, offset)
    }

    fn run(mut self) -> Result<Document, Error> {
        let mut reader = Reader::from_str(self.text);
        {
            let cfg = reader.config_mut();
            cfg.trim_text(false);
            cfg.expand_empty_elements = false;
            // We match end tags ourselves, with our own error messages.
            cfg.check_end_names = false;
            cfg.allow_unmatched_ends = true;
            cfg.check_comments = true;
            cfg.allow_dangling_amp = false;
        }
        loop {
            let start = self.base + pos(reader.buffer_position());
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = self.base + pos(reader.error_position());
                    return Err(self.map_qx_error(e, at));
                }
            };
            let end = self.base + pos(reader.buffer_position());
            match event {
                Event::Decl(d) => {
                    if start != self.base || self.seen_markup {
                        return Err(self.err(ErrorKind::MisplacedDeclaration, start));
                    }
                    if let Some(enc) = d.encoding() {
                        let enc =
                            enc.map_err(|e| self.err(ErrorKind::Syntax(e.to_string()), start))?;
                        if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
                            return Err(
                                self.err(ErrorKind::UnsupportedEncoding(enc.into_owned()), start)
                            );
                        }
                    }
                    match d.version() {
                        Ok(v) if v == "1.0" => {}
                        Ok(v) => {
                            return Err(self.err(
                                ErrorKind::Syntax(format!("unsupported XML version '{v}'")),
                                start,
                            ));
                        }
                        Err(e) => return Err(self.err(ErrorKind::Syntax(e.to_string()), start)),
                    }
                }
                Event::DocType(_) => return Err(self.err(ErrorKind::Doctype, start)),
                Event::Start(s) => {
                    self.seen_markup = true;
                    self.flush_text()?;
                    self.start_element(&s, start, end, false)?;
                }
                Event::Empty(s) => {
                    self.seen_markup = true;
                    self.flush_text()?;
                    self.start_element(&s, start, end, true)?;
                }
                Event::End(e) => {
                    self.flush_text()?;
                    let qname = e.name();
                    let found: &str = qname.as_ref();
                    let found = found.trim_end_matches(is_xml_space).to_owned();
                    self.end_element(&found, start, end)?;
                }
                Event::Text(t) => {
                    let raw: &str = &t;
                    self.push_text(raw, start, true)?;
                }
                Event::CData(c) => {
                    if self.stack.is_empty() {
                        return Err(self.err(ErrorKind::TextOutsideRoot, start));
                    }
                    let raw: &str = &c;
                    self.push_text(raw, start, false)?;
                }
                Event::GeneralRef(r) => {
                    if self.stack.is_empty() {
                        return Err(self.err(ErrorKind::TextOutsideRoot, start));
                    }
                    let name: &str = &r;
                    let c = resolve_reference(name).map_err(|k| self.err(k, start))?;
                    self.append_text(start, |s| s.push(c))?;
                }
                Event::Comment(c) => {
                    self.seen_markup = true;
                    self.flush_text()?;
                    let content: &str = &c;
                    let content = normalize_eol(content);
                    self.push_misc(NodeKind::Comment(content), start, end)?;
                }
                Event::PI(p) => {
                    self.seen_markup = true;
                    self.flush_text()?;
                    let target = p.target().to_owned();
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(self.err(ErrorKind::MisplacedDeclaration, start));
                    }
                    if split_qname(&target).is_none_or(|(p, _)| p.is_some()) {
                        return Err(self.err(ErrorKind::InvalidName(target), start));
                    }
                    let data = p.content().trim_start_matches(is_xml_space);
                    let data = normalize_eol(data);
                    self.push_misc(NodeKind::ProcessingInstruction { target, data }, start, end)?;
                }
                Event::Eof => break,
            }
            self.last_end = end;
        }
        self.flush_text()?;
        if let Some(open) = self.stack.last() {
            let name = open.raw_name.to_string();
            return Err(self.err(
                ErrorKind::Truncated(format!("element <{name}> is not closed")),
                self.input.len(),
            ));
        }
        let root = self
            .root
            .ok_or_else(|| self.err(ErrorKind::NoRoot, self.input.len()))?;
        Ok(Document {
            nodes: self.nodes,
            root,
            prolog: self.prolog,
            epilog: self.epilog,
            input_len: self.input.len(),
        })
    }

    fn map_qx_error(&self, e: QxError, at: usize) -> Error {
        let kind = match e {
            QxError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                ErrorKind::MismatchedTag { expected, found }
            }
            QxError::IllFormed(IllFormedError::UnmatchedEndTag(n)) => ErrorKind::UnmatchedEndTag(n),
            QxError::IllFormed(IllFormedError::MissingEndTag(n)) => {
                ErrorKind::Truncated(format!("element <{n}> is not closed"))
            }
            QxError::Syntax(
                s @ (SyntaxError::UnclosedTag
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedPI
                | SyntaxError::UnclosedXmlDecl
                | SyntaxError::UnclosedDoctype
                | SyntaxError::UnclosedDoubleQuotedAttributeValue
                | SyntaxError::UnclosedSingleQuotedAttributeValue),
            ) => {
                // An unclosed DOCTYPE is still a DOCTYPE.
                if matches!(s, SyntaxError::UnclosedDoctype) {
                    ErrorKind::Doctype
                } else {
                    ErrorKind::Truncated(s.to_string())
                }
            }
            QxError::Syntax(SyntaxError::InvalidBangMarkup)
                if self
                    .text
                    .get(at.saturating_sub(self.base)..)
                    .is_some_and(|rest| {
                        // bytes, not `str` slicing: byte 9 may fall inside a character
                        let n = rest.len().min(9);
                        n >= 2 && rest.as_bytes()[..n].eq_ignore_ascii_case(&b"<!DOCTYPE"[..n])
                    }) =>
            {
                ErrorKind::Doctype
            }
            other => ErrorKind::Syntax(other.to_string()),
        };
        self.err(kind, at)
    }

    fn new_node(&mut self, kind: NodeKind, span: std::ops::Range<usize>) -> Result<NodeId, Error> {
        if self.nodes.len() >= self.limits.max_nodes {
            return Err(self.err(
                ErrorKind::Limit {
                    what: LimitKind::Nodes,
                    limit: self.limits.max_nodes,
                },
                span.start,
            ));
        }
        let id = NodeId(self.nodes.len() as u32);
        let parent = self.stack.last().map(|o| o.id);
        self.nodes.push(Node { kind, parent, span });
        if let Some(p) = parent
            && let NodeKind::Element(e) = &mut self.nodes[p.index()].kind
        {
            e.children.push(id);
        }
        Ok(id)
    }

    fn push_misc(&mut self, kind: NodeKind, start: usize, end: usize) -> Result<(), Error> {
        let outside = self.stack.is_empty();
        let id = self.new_node(kind, start..end)?;
        if outside {
            if self.root.is_some() {
                self.epilog.push(id);
            } else {
                self.prolog.push(id);
            }
        }
        Ok(())
    }

    /// Text or CDATA. `escaped` text may hold no references (quick-xml splits them out),
    /// but must not contain `]]>`.
    fn push_text(&mut self, raw: &str, start: usize, escaped: bool) -> Result<(), Error> {
        if self.stack.is_empty() {
            if let Some(i) = raw.find(|c: char| !is_xml_space(c)) {
                return Err(self.err(ErrorKind::TextOutsideRoot, start + i));
            }
            return Ok(());
        }
        // `contains(char)` is a memchr; the substring search runs only when needed.
        if escaped
            && raw.contains(']')
            && let Some(i) = raw.find("]]>")
        {
            return Err(self.err(
                ErrorKind::Syntax("']]>' is not allowed in character data".into()),
                start + i,
            ));
        }
        let text = normalize_eol_cow(raw);
        self.append_text(start, |s| {
            if s.is_empty() {
                s.reserve_exact(text.len());
            }
            s.push_str(&text)
        })
    }

    fn append_text(&mut self, start: usize, f: impl FnOnce(&mut String)) -> Result<(), Error> {
        let pending = self
            .pending_text
            .get_or_insert_with(|| (start, String::new()));
        f(&mut pending.1);
        if pending.1.len() > self.limits.max_text_len {
            let at = pending.0;
            return Err(self.err(
                ErrorKind::Limit {
                    what: LimitKind::TextSize,
                    limit: self.limits.max_text_len,
                },
                at,
            ));
        }
        Ok(())
    }

    fn flush_text(&mut self) -> Result<(), Error> {
        if let Some((start, text)) = self.pending_text.take() {
            let end = self.last_end.max(start);
            self.new_node(NodeKind::Text(text), start..end)?;
        }
        Ok(())
    }

    fn resolve_prefix(&self, prefix: Option<&str>) -> Option<Arc<str>> {
        match prefix {
            Some("xml") => Some(self.xml_ns.clone()),
            _ => self
                .ns
                .iter()
                .rev()
                .find(|(p, _)| p.as_deref() == prefix)
                .map(|(_, u)| u.clone())
                .filter(|u| !u.is_empty()),
        }
    }

    fn check_name_len(&self, name: &str, at: usize) -> Result<(), Error> {
        if name.len() > self.limits.max_name_len {
            return Err(self.err(
                ErrorKind::Limit {
                    what: LimitKind::NameLength,
                    limit: self.limits.max_name_len,
                },
                at,
            ));
        }
        Ok(())
    }

    fn start_element(
        &mut self,
        s: &BytesStart<'_>,
        start: usize,
        end: usize,
        empty: bool,
    ) -> Result<(), Error> {
        if self.stack.is_empty() && self.root.is_some() {
            let qname = s.name();
            let n: &str = qname.as_ref();
            return Err(self.err(ErrorKind::MultipleRoots(n.to_owned()), start));
        }
        if self.stack.len() + 1 > self.limits.max_depth {
            return Err(self.err(
                ErrorKind::Limit {
                    what: LimitKind::Depth,
                    limit: self.limits.max_depth,
                },
                start,
            ));
        }
        let qname = s.name();
        let raw_name: &str = qname.as_ref();
        self.check_name_len(raw_name, start)?;
        let (prefix, local) = split_qname(raw_name)
            .ok_or_else(|| self.err(ErrorKind::InvalidName(raw_name.to_owned()), start + 1))?;

        // First pass over attributes: raw name/value pairs, namespace declarations.
        let mut raw_attrs: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
        let mut decls: Vec<NamespaceDecl> = Vec::new();
        let attrs_base = start + 1 + raw_name.len();
        let mut iter = s.attributes();
        iter.with_checks(false);
        let mut count = 0usize;
        let mut cursor = attrs_base;
        for a in iter {
            let a = match a {
                Ok(a) => a,
                Err(e) => return Err(self.err(ErrorKind::Syntax(e.to_string()), start)),
            };
            count += 1;
            if count > self.limits.max_attributes {
                return Err(self.err(
                    ErrorKind::Limit {
                        what: LimitKind::Attributes,
                        limit: self.limits.max_attributes,
                    },
                    start,
                ));
            }
            let key: String = {
                let k: &str = a.key.as_ref();
                k.to_owned()
            };
            let key = key.as_str();
            // Locate the attribute for error positions: search the raw tag text.
            let key_at = self.locate_in_tag(start, end, cursor, key);
            cursor = key_at + key.len();
            self.check_name_len(key, key_at)?;
            let raw_value: &str = &a.value;
            if raw_value.len() > self.limits.max_attr_value_len {
                return Err(self.err(
                    ErrorKind::Limit {
                        what: LimitKind::AttributeValueSize,
                        limit: self.limits.max_attr_value_len,
                    },
                    key_at,
                ));
            }
            let value = normalize_attr_value(raw_value).map_err(|k| self.err(k, key_at))?;
            if raw_attrs.iter().any(|(k, _, _)| *k == key) {
                return Err(self.err(ErrorKind::DuplicateAttribute(key.to_owned()), key_at));
            }
            let span = key_at..key_at + key.len() + raw_value.len() + 3;
            if key == "xmlns" {
                self.check_ns_decl(None, &value, key_at)?;
                decls.push(NamespaceDecl {
                    prefix: None,
                    uri: Arc::from(value.as_str()),
                });
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                if split_qname(p).is_none_or(|(pp, _)| pp.is_some()) {
                    return Err(self.err(ErrorKind::InvalidName(key.to_owned()), key_at));
                }
                self.check_ns_decl(Some(p), &value, key_at)?;
                decls.push(NamespaceDecl {
                    prefix: Some(p.into()),
                    uri: Arc::from(value.as_str()),
                });
            }
            raw_attrs.push((key.to_owned(), value, span));
        }

        // Bring this element's declarations into scope.
        let ns_pushed = decls.len();
        for d in &decls {
            self.ns.push((d.prefix.clone(), d.uri.clone()));
        }

        let namespace =
            match prefix {
                Some(p) => Some(self.resolve_prefix(Some(p)).ok_or_else(|| {
                    self.err(ErrorKind::UndeclaredPrefix(p.to_owned()), start + 1)
                })?),
                None => self.resolve_prefix(None),
            };
        if prefix == Some("xmlns") {
            return Err(self.err(
                ErrorKind::Namespace("elements may not have the prefix 'xmlns'".into()),
                start + 1,
            ));
        }

        let mut attributes: Vec<Attribute> = Vec::with_capacity(raw_attrs.len());
        for (key, value, span) in raw_attrs {
            let key = key.as_str();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            let (ap, al) = split_qname(key)
                .ok_or_else(|| self.err(ErrorKind::InvalidName(key.to_owned()), span.start))?;
            let ans = match ap {
                Some(p) => Some(self.resolve_prefix(Some(p)).ok_or_else(|| {
                    self.err(ErrorKind::UndeclaredPrefix(p.to_owned()), span.start)
                })?),
                None => None,
            };
            // Namespaces in XML 1.0 §6.3: no two attributes with the same expanded name.
            if attributes
                .iter()
                .any(|a| *a.name.local == *al && a.name.namespace == ans)
            {
                return Err(self.err(ErrorKind::DuplicateAttribute(key.to_owned()), span.start));
            }
            attributes.push(Attribute {
                name: Name {
                    prefix: ap.map(Into::into),
                    local: al.into(),
                    namespace: ans,
                },
                value,
                span,
            });
        }

        let element = Element {
            name: Name {
                prefix: prefix.map(Into::into),
                local: local.into(),
                namespace,
            },
            namespaces: decls,
            attributes,
            children: Vec::new(),
            start_tag: start..end,
            end_tag: end..end,
        };
        let id = self.new_node(NodeKind::Element(element), start..end)?;
        if self.stack.is_empty() {
            self.root = Some(id);
        }
        self.stack.push(OpenElement {
            id,
            raw_name: raw_name.into(),
            ns_pushed,
        });
        if empty {
            self.close_top(end, end);
        }
        Ok(())
    }

    /// Byte offset of attribute `key` inside the start tag at `start..end`, searching from
    /// `from`: the first occurrence preceded by white space and followed by `=` or white space.
    fn locate_in_tag(&self, start: usize, end: usize, from: usize, key: &str) -> usize {
        let lo = from.saturating_sub(self.base);
        let hi = end.saturating_sub(self.base).min(self.text.len());
        let Some(tag) = self.text.get(lo..hi) else {
            return start;
        };
        let bytes = tag.as_bytes();
        let mut search = 0;
        while let Some(i) = tag.get(search..).and_then(|t| t.find(key)) {
            let at = search + i;
            let before_ok = at == 0 || bytes[at - 1].is_ascii_whitespace();
            let after = bytes.get(at + key.len()).copied();
            if before_ok && matches!(after, Some(b'=' | b' ' | b'\t' | b'\n' | b'\r')) {
                return from + at;
            }
            search = at + key.len().max(1);
        }
        start
    }

    fn check_ns_decl(&self, prefix: Option<&str>, uri: &str, at: usize) -> Result<(), Error> {
        let bad = |m: &str| Err(self.err(ErrorKind::Namespace(m.to_owned()), at));
        match prefix {
            Some("xmlns") => bad("the prefix 'xmlns' must not be declared"),
            Some("xml") if uri != XML_NS => bad("the prefix 'xml' is bound to its own namespace"),
            Some("xml") => Ok(()),
            Some(_) if uri.is_empty() => {
                bad("a prefix cannot be undeclared with an empty URI in XML 1.0")
            }
            _ if uri == XML_NS => bad("the XML namespace may only be bound to 'xml'"),
            _ if uri == XMLNS_NS => bad("the xmlns namespace must not be declared"),
            _ => Ok(()),
        }
    }

    fn end_element(&mut self, found: &str, start: usize, end: usize) -> Result<(), Error> {
        let Some(open) = self.stack.last() else {
            return Err(self.err(ErrorKind::UnmatchedEndTag(found.to_owned()), start));
        };
        if &*open.raw_name != found {
            return Err(self.err(
                ErrorKind::MismatchedTag {
                    expected: open.raw_name.to_string(),
                    found: found.to_owned(),
                },
                start,
            ));
        }
        self.close_top(start, end);
        Ok(())
    }

    fn close_top(&mut self, end_tag_start: usize, end: usize) {
        if let Some(open) = self.stack.pop() {
            for _ in 0..open.ns_pushed {
                self.ns.pop();
            }
            let node = &mut self.nodes[open.id.index()];
            node.span.end = end;
            if let NodeKind::Element(e) = &mut node.kind {
                e.end_tag = end_tag_start..end;
            }
        }
    }
}

fn pos(p: u64) -> usize {
    usize::try_from(p).unwrap_or(usize::MAX)
}

/// XML end-of-line handling: CR LF and lone CR become LF.
pub(crate) fn normalize_eol(s: &str) -> String {
    normalize_eol_cow(s).into_owned()
}

/// [`normalize_eol`] without copying when there is no CR.
fn normalize_eol_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\r') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Resolve `&name;` (name given without `&` and `;`).
fn resolve_reference(name: &str) -> Result<char, ErrorKind> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => {
            if let Some(num) = name.strip_prefix('#') {
                let cp = if let Some(hex) = num.strip_prefix('x') {
                    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(ErrorKind::InvalidCharRef(name.to_owned()));
                    }
                    u32::from_str_radix(hex, 16)
                } else {
                    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(ErrorKind::InvalidCharRef(name.to_owned()));
                    }
                    num.parse::<u32>()
                };
                match cp.ok().and_then(char::from_u32) {
                    Some(c) if is_xml_char(c) => Ok(c),
                    _ => Err(ErrorKind::InvalidCharRef(name.to_owned())),
                }
            } else {
                Err(ErrorKind::UnknownEntity(name.to_owned()))
            }
        }
    }
}

/// Attribute-value normalization (XML 1.0 §3.3.3, CDATA type): references resolved,
/// each literal white-space character (after EOL normalization) becomes a space.
fn normalize_attr_value(raw: &str) -> Result<String, ErrorKind> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<', '\r', '\n', '\t']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        match c {
            b'<' => return Err(ErrorKind::LtInAttribute),
            b'&' => {
                let after = &rest[i + 1..];
                let Some(semi) = after.find(';') else {
                    return Err(ErrorKind::Syntax(
                        "'&' in attribute value is not followed by a reference".into(),
                    ));
                };
                out.push(resolve_reference(&after[..semi])?);
                rest = &after[semi + 1..];
                continue;
            }
            b'\r' => {
                out.push(' ');
                if rest.as_bytes().get(i + 1) == Some(&b'\n') {
                    rest = &rest[i + 2..];
                    continue;
                }
            }
            _ => out.push(' '),
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_normalization() {
        assert_eq!(
            normalize_attr_value("x&#x9;y&#10;z\tw\nv&#xD;&amp;").as_deref(),
            Ok("x\ty\nz w v\r&")
        );
        assert_eq!(normalize_attr_value("a\r\nb").as_deref(), Ok("a b"));
        assert_eq!(normalize_attr_value("a<b"), Err(ErrorKind::LtInAttribute));
        assert!(matches!(
            normalize_attr_value("a&foo;"),
            Err(ErrorKind::UnknownEntity(_))
        ));
        assert!(matches!(
            normalize_attr_value("a&#0;"),
            Err(ErrorKind::InvalidCharRef(_))
        ));
        assert!(matches!(
            normalize_attr_value("a & b"),
            Err(ErrorKind::UnknownEntity(_) | ErrorKind::Syntax(_))
        ));
    }

    #[test]
    fn eol() {
        assert_eq!(normalize_eol("a\r\nb\rc\n"), "a\nb\nc\n");
    }
}
