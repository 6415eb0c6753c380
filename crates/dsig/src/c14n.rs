//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, with or without comments,
//! over the strict tree of `lienthong-xml`.
//!
//! Node sets supported are the ones XML Signature needs for our profile: the whole
//! document (`URI=""`) or one element's subtree (`URI="#id"`), optionally minus one
//! subtree (the enveloped-signature transform removes the `Signature` element). XPath
//! node-sets are not supported (such references are refused before we get here).
//!
//! Documents with a DTD never reach this code (the reader refuses them), so the spec
//! examples that depend on DTD defaults or entities are expected refusals.

use std::sync::Arc;

use lienthong_xml::{Document, NodeId, NodeKind, XML_NS};

/// Where canonical bytes go: a buffer or a running digest.
pub trait Output {
    /// Append bytes.
    fn put(&mut self, bytes: &[u8]);
}

impl Output for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Output for ring::digest::Context {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A canonicalization method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Canonical XML 1.0 (inclusive).
    Inclusive {
        /// Keep comments.
        comments: bool,
    },
    /// Exclusive XML Canonicalization 1.0.
    Exclusive {
        /// Keep comments.
        comments: bool,
        /// The `InclusiveNamespaces PrefixList`, `#default` for the default namespace.
        inclusive_prefixes: Vec<String>,
    },
}

/// Algorithm URIs.
pub mod uri {
    /// Canonical XML 1.0, without comments.
    pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    /// Canonical XML 1.0, with comments.
    pub const C14N_WITH_COMMENTS: &str =
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
    /// Exclusive C14N 1.0, without comments.
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    /// Exclusive C14N 1.0, with comments.
    pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
    /// The non-standard URI the national SDK samples use for exclusive C14N.
    pub const LEGACY_SDK_EXC_C14N: &str = "http://www.w3.org/TR/xml-exc-c14n#";
}

impl Method {
    /// The method named by an algorithm URI (without its PrefixList), if supported.
    pub fn from_uri(uri: &str) -> Option<Method> {
        match uri {
            uri::C14N => Some(Method::Inclusive { comments: false }),
            uri::C14N_WITH_COMMENTS => Some(Method::Inclusive { comments: true }),
            uri::EXC_C14N => Some(Method::Exclusive {
                comments: false,
                inclusive_prefixes: vec![],
            }),
            uri::EXC_C14N_WITH_COMMENTS => Some(Method::Exclusive {
                comments: true,
                inclusive_prefixes: vec![],
            }),
            _ => None,
        }
    }

    fn comments(&self) -> bool {
        match self {
            Method::Inclusive { comments } | Method::Exclusive { comments, .. } => *comments,
        }
    }
}

/// Why a document cannot be canonicalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum C14nError {
    /// Canonical XML 1.0 fails on relative namespace URIs.
    #[error("relative namespace URI '{0}' cannot be canonicalized")]
    RelativeNamespace(String),
    /// The apex is not an element of this document.
    #[error("the node to canonicalize is not an element")]
    NotAnElement,
}

impl C14nError {
    /// What went wrong, for a report (its English rendering is the `Display` text).
    pub fn msg(&self) -> lienthong_i18n::Msg {
        match self {
            C14nError::RelativeNamespace(uri) => {
                lienthong_i18n::msg!("sig-c14n-relative-namespace", uri = uri)
            }
            C14nError::NotAnElement => lienthong_i18n::msg!("sig-c14n-not-an-element"),
        }
    }
}

/// Which nodes to canonicalize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSet {
    /// `None` for the whole document, or the apex element of a subtree.
    pub apex: Option<NodeId>,
    /// A subtree to leave out (the enveloped signature).
    pub exclude: Option<NodeId>,
}

impl NodeSet {
    /// The whole document.
    pub fn document() -> NodeSet {
        NodeSet {
            apex: None,
            exclude: None,
        }
    }

    /// One element and its descendants.
    pub fn subtree(apex: NodeId) -> NodeSet {
        NodeSet {
            apex: Some(apex),
            exclude: None,
        }
    }

    /// The same set minus `node`'s subtree.
    pub fn without(self, node: NodeId) -> NodeSet {
        NodeSet {
            exclude: Some(node),
            ..self
        }
    }
}

/// Canonicalize into a new buffer.
pub fn canonicalize_to_vec(
    doc: &Document,
    set: NodeSet,
    method: &Method,
) -> Result<Vec<u8>, C14nError> {
    let mut out = Vec::new();
    canonicalize(doc, set, method, &mut out)?;
    Ok(out)
}

/// Canonicalize `set` of `doc` with `method` into `out`.
pub fn canonicalize(
    doc: &Document,
    set: NodeSet,
    method: &Method,
    out: &mut impl Output,
) -> Result<(), C14nError> {
    let mut c = Canon {
        doc,
        method,
        exclude: set.exclude,
        in_scope: Vec::new(),
        rendered: Vec::new(),
    };
    match set.apex {
        None => {
            let comments = method.comments();
            for &id in doc.prolog() {
                if c.misc(id, comments, out) {
                    out.put(b"\n");
                }
            }
            c.subtree(doc.root(), true, out)?;
            for &id in doc.epilog() {
                if is_output_misc(doc, id, comments) {
                    out.put(b"\n");
                    c.misc(id, comments, out);
                }
            }
        }
        Some(apex) => {
            if doc.element(apex).is_none() {
                return Err(C14nError::NotAnElement);
            }
            // Bindings inherited from the apex's ancestors.
            if let Some(parent) = doc.node(apex).parent {
                let mut inherited = doc.in_scope_namespaces(parent);
                inherited.reverse();
                c.in_scope.extend(inherited);
            }
            c.subtree(apex, true, out)?;
        }
    }
    Ok(())
}

fn is_output_misc(doc: &Document, id: NodeId, comments: bool) -> bool {
    match &doc.node(id).kind {
        NodeKind::Comment(_) => comments,
        NodeKind::ProcessingInstruction { .. } => true,
        _ => false,
    }
}

type Binding = (Option<Box<str>>, Arc<str>);

struct Canon<'d, 'm> {
    doc: &'d Document,
    method: &'m Method,
    exclude: Option<NodeId>,
    /// In-scope bindings, innermost last.
    in_scope: Vec<Binding>,
    /// Bindings rendered by output ancestors, innermost last.
    rendered: Vec<Binding>,
}

enum Step {
    Enter(NodeId, bool),
    Leave(NodeId, usize, usize),
}

fn lookup<'a>(stack: &'a [Binding], prefix: Option<&str>) -> Option<&'a Arc<str>> {
    stack
        .iter()
        .rev()
        .find(|(p, _)| p.as_deref() == prefix)
        .map(|(_, u)| u)
}

fn has_scheme(uri: &str) -> bool {
    match uri.find(':') {
        Some(i) if i > 0 => {
            let scheme = &uri[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        _ => false,
    }
}

impl Canon<'_, '_> {
    /// Write a comment or PI; returns whether anything was written.
    fn misc(&self, id: NodeId, comments: bool, out: &mut impl Output) -> bool {
        match &self.doc.node(id).kind {
            NodeKind::Comment(c) if comments => {
                out.put(b"<!--");
                out.put(c.as_bytes());
                out.put(b"-->");
                true
            }
            NodeKind::ProcessingInstruction { target, data } => {
                out.put(b"<?");
                out.put(target.as_bytes());
                if !data.is_empty() {
                    out.put(b" ");
                    out.put(data.as_bytes());
                }
                out.put(b"?>");
                true
            }
            _ => false,
        }
    }

    fn subtree(
        &mut self,
        start: NodeId,
        is_apex: bool,
        out: &mut impl Output,
    ) -> Result<(), C14nError> {
        let comments = self.method.comments();
        let mut work = vec![Step::Enter(start, is_apex)];
        while let Some(step) = work.pop() {
            match step {
                Step::Enter(id, apex) => {
                    if Some(id) == self.exclude {
                        continue;
                    }
                    match &self.doc.node(id).kind {
                        NodeKind::Element(e) => {
                            let scope_mark = self.in_scope.len();
                            let rendered_mark = self.rendered.len();
                            for d in &e.namespaces {
                                if !d.uri.is_empty() && !has_scheme(&d.uri) {
                                    return Err(C14nError::RelativeNamespace(d.uri.to_string()));
                                }
                                self.in_scope.push((d.prefix.clone(), d.uri.clone()));
                            }
                            self.start_tag(id, apex, out);
                            work.push(Step::Leave(id, scope_mark, rendered_mark));
                            work.extend(e.children.iter().rev().map(|&c| Step::Enter(c, false)));
                        }
                        NodeKind::Text(t) => escape_text(t, out),
                        _ => {
                            self.misc(id, comments, out);
                        }
                    }
                }
                Step::Leave(id, scope_mark, rendered_mark) => {
                    if let Some(e) = self.doc.element(id) {
                        out.put(b"</");
                        put_qname(e.name.prefix.as_deref(), &e.name.local, out);
                        out.put(b">");
                    }
                    self.in_scope.truncate(scope_mark);
                    self.rendered.truncate(rendered_mark);
                }
            }
        }
        Ok(())
    }

    fn start_tag(&mut self, id: NodeId, apex: bool, out: &mut impl Output) {
        let Some(e) = self.doc.element(id) else {
            return;
        };
        // Candidate namespace bindings for this element.
        let mut candidates: Vec<(Option<Box<str>>, Arc<str>)> = Vec::new();
        let add = |p: Option<Box<str>>, u: Arc<str>, list: &mut Vec<Binding>| {
            if !list.iter().any(|(q, _)| *q == p) {
                list.push((p, u));
            }
        };
        match self.method {
            Method::Inclusive { .. } => {
                if apex {
                    for (p, u) in self.in_scope.iter().rev() {
                        add(p.clone(), u.clone(), &mut candidates);
                    }
                } else {
                    for d in &e.namespaces {
                        add(d.prefix.clone(), d.uri.clone(), &mut candidates);
                    }
                }
            }
            Method::Exclusive {
                inclusive_prefixes, ..
            } => {
                let empty: Arc<str> = Arc::from("");
                // Visibly utilized: the element's own prefix (or the default namespace)...
                let ens = e.name.namespace.clone().unwrap_or_else(|| empty.clone());
                add(e.name.prefix.clone(), ens, &mut candidates);
                // ...and the prefixes of its attributes.
                for a in &e.attributes {
                    if let (Some(p), Some(ns)) = (&a.name.prefix, &a.name.namespace)
                        && &**p != "xml"
                    {
                        add(Some(p.clone()), ns.clone(), &mut candidates);
                    }
                }
                // The InclusiveNamespaces PrefixList is treated as in inclusive C14N.
                for token in inclusive_prefixes {
                    let p: Option<&str> = if token == "#default" {
                        None
                    } else {
                        Some(token.as_str())
                    };
                    match lookup(&self.in_scope, p) {
                        Some(u) => add(p.map(Into::into), u.clone(), &mut candidates),
                        None if p.is_none() => add(None, empty.clone(), &mut candidates),
                        None => {}
                    }
                }
            }
        }
        // Render those not already in effect in the output.
        let mut ns_out: Vec<Binding> = Vec::new();
        for (p, u) in candidates {
            if p.as_deref() == Some("xml") {
                continue;
            }
            let current = lookup(&self.rendered, p.as_deref());
            let differs = match p {
                // For the default namespace, "no binding" and "" are the same.
                None => current.map_or("", |c| &**c) != &*u,
                Some(_) => current.map(|c| &**c) != Some(&*u),
            };
            if differs && !(p.is_some() && u.is_empty()) {
                ns_out.push((p, u));
            }
        }
        ns_out.sort_by(|a, b| {
            a.0.as_deref()
                .unwrap_or("")
                .cmp(b.0.as_deref().unwrap_or(""))
        });

        // Attributes, plus xml:* inherited onto the apex in inclusive C14N.
        let mut attrs: Vec<(&str, &str, Option<&str>, &str)> = e
            .attributes
            .iter()
            .map(|a| {
                (
                    a.name.namespace.as_deref().unwrap_or(""),
                    &*a.name.local,
                    a.name.prefix.as_deref(),
                    a.value.as_str(),
                )
            })
            .collect();
        if apex && matches!(self.method, Method::Inclusive { .. }) {
            let mut cur = self.doc.node(id).parent;
            while let Some(pid) = cur {
                if let Some(pe) = self.doc.element(pid) {
                    for a in &pe.attributes {
                        if a.name.namespace.as_deref() == Some(XML_NS)
                            && !attrs
                                .iter()
                                .any(|(ns, l, _, _)| *ns == XML_NS && *l == &*a.name.local)
                        {
                            attrs.push((XML_NS, &a.name.local, Some("xml"), &a.value));
                        }
                    }
                }
                cur = self.doc.node(pid).parent;
            }
        }
        attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

        out.put(b"<");
        put_qname(e.name.prefix.as_deref(), &e.name.local, out);
        for (p, u) in &ns_out {
            match p {
                Some(p) => {
                    out.put(b" xmlns:");
                    out.put(p.as_bytes());
                }
                None => out.put(b" xmlns"),
            }
            out.put(b"=\"");
            escape_attr(u, out);
            out.put(b"\"");
        }
        for (_, local, prefix, value) in attrs {
            out.put(b" ");
            put_qname(prefix, local, out);
            out.put(b"=\"");
            escape_attr(value, out);
            out.put(b"\"");
        }
        out.put(b">");
        self.rendered.extend(ns_out);
    }
}

fn put_qname(prefix: Option<&str>, local: &str, out: &mut impl Output) {
    if let Some(p) = prefix {
        out.put(p.as_bytes());
        out.put(b":");
    }
    out.put(local.as_bytes());
}

fn escape_text(s: &str, out: &mut impl Output) {
    let b = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        // Skip clean runs eight bytes at a time (base64 attachments are one long run).
        while i + 8 <= b.len() && !needs_escape8(&b[i..i + 8]) {
            i += 8;
        }
        let Some(&c) = b.get(i) else { break };
        let rep: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#xD;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.put(&b[last..i]);
        out.put(rep);
        i += 1;
        last = i;
    }
    out.put(&b[last..]);
}

/// Does any of these 8 bytes need escaping in text (`&`, `<`, `>`, CR)? Word-at-a-time.
fn needs_escape8(chunk: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    let x = u64::from_le_bytes(w);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    (has_zero(x ^ (ONES * u64::from(b'&')))
        | has_zero(x ^ (ONES * u64::from(b'<')))
        | has_zero(x ^ (ONES * u64::from(b'>')))
        | has_zero(x ^ (ONES * u64::from(b'\r'))))
        != 0
}

fn escape_attr(s: &str, out: &mut impl Output) {
    let b = s.as_bytes();
    let mut last = 0;
    for (i, &c) in b.iter().enumerate() {
        let rep: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'"' => b"&quot;",
            b'\t' => b"&#x9;",
            b'\n' => b"&#xA;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        out.put(&b[last..i]);
        out.put(rep);
        last = i + 1;
    }
    out.put(&b[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, method: &Method) -> String {
        let doc = Document::parse(xml.as_bytes()).unwrap();
        String::from_utf8(canonicalize_to_vec(&doc, NodeSet::document(), method).unwrap()).unwrap()
    }

    const INC: Method = Method::Inclusive { comments: false };

    fn exc() -> Method {
        Method::Exclusive {
            comments: false,
            inclusive_prefixes: vec![],
        }
    }

    #[test]
    fn default_namespace_undeclaration_trap() {
        let xml = r#"<a:root xmlns:a="urn:a" xmlns="urn:default"><child/><x xmlns=""/></a:root>"#;
        // Exclusive: the default namespace is only rendered where used; x needs no undeclaration
        // because no output ancestor rendered a non-empty default.
        assert_eq!(
            c14n(xml, &exc()),
            r#"<a:root xmlns:a="urn:a"><child xmlns="urn:default"></child><x></x></a:root>"#
        );
        assert_eq!(
            c14n(xml, &INC),
            r#"<a:root xmlns="urn:default" xmlns:a="urn:a"><child></child><x xmlns=""></x></a:root>"#
        );
    }

    #[test]
    fn relative_namespace_is_refused() {
        let doc = Document::parse(b"<a xmlns=\"relative/ns\"/>").unwrap();
        assert!(matches!(
            canonicalize_to_vec(&doc, NodeSet::document(), &INC),
            Err(C14nError::RelativeNamespace(_))
        ));
    }
}
