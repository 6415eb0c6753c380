//! The immutable document tree.

use std::ops::Range;
use std::sync::Arc;

use crate::error::Position;

/// The XML namespace, bound to the `xml` prefix by definition.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations, bound to `xmlns` by definition.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Index of a node in its [`Document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// An expanded name: namespace URI and local part, plus the prefix it was written with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    /// The prefix as written (`None` for an unprefixed name).
    pub prefix: Option<Box<str>>,
    /// The local part.
    pub local: Box<str>,
    /// The namespace URI the prefix (or default namespace) resolved to.
    pub namespace: Option<Arc<str>>,
}

impl Name {
    /// Is this name `{ns}local`?
    pub fn is(&self, ns: &str, local: &str) -> bool {
        &*self.local == local && self.namespace.as_deref() == Some(ns)
    }

    /// The name as written: `prefix:local` or `local`.
    pub fn qualified(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local),
            None => self.local.to_string(),
        }
    }
}

/// An attribute (namespace declarations are kept apart, in [`Element::namespaces`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its name. Unprefixed attributes are in no namespace.
    pub name: Name,
    /// The value after entity resolution and attribute-value normalization.
    pub value: String,
    /// Byte range of `name="value"` in the input.
    pub span: Range<usize>,
}

/// A namespace declaration (`xmlns="…"` or `xmlns:p="…"`) as written on an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDecl {
    /// The declared prefix, `None` for the default namespace.
    pub prefix: Option<Box<str>>,
    /// The namespace URI; empty for `xmlns=""` (undeclaring the default namespace).
    pub uri: Arc<str>,
}

/// An element node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Its expanded name.
    pub name: Name,
    /// Namespace declarations written on this element, in document order.
    pub namespaces: Vec<NamespaceDecl>,
    /// Attributes other than namespace declarations, in document order.
    pub attributes: Vec<Attribute>,
    /// Child nodes, in document order.
    pub children: Vec<NodeId>,
    /// Byte range of the start tag (or of the whole empty-element tag).
    pub start_tag: Range<usize>,
    /// Byte range of the end tag; equal to `start_tag.end..start_tag.end` for `<a/>`.
    pub end_tag: Range<usize>,
}

impl Element {
    /// The value of the attribute `{ns}local` (`ns = None` for unqualified attributes).
    pub fn attribute(&self, ns: Option<&str>, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| &*a.name.local == local && a.name.namespace.as_deref() == ns)
            .map(|a| a.value.as_str())
    }
}

/// What a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// An element.
    Element(Element),
    /// Character data: adjacent text, CDATA sections and references merged, line ends normalized.
    Text(String),
    /// A comment (its content, without `<!--` and `-->`).
    Comment(String),
    /// A processing instruction.
    ProcessingInstruction {
        /// The target.
        target: String,
        /// The data after the target, leading white space removed.
        data: String,
    },
}

/// One node with its place in the tree and in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its parent element; `None` for the root element and nodes outside it.
    pub parent: Option<NodeId>,
    /// Byte range in the input. For elements, from the start tag to the end of the end tag.
    pub span: Range<usize>,
}

/// A parsed XML document. Immutable; node ids are indices into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
    /// Comments and processing instructions before the root element.
    pub(crate) prolog: Vec<NodeId>,
    /// Comments and processing instructions after the root element.
    pub(crate) epilog: Vec<NodeId>,
    /// The original input length.
    pub(crate) input_len: usize,
}

impl Document {
    /// The root element's id.
    pub fn root(&self) -> NodeId {
        self.root
    }

    /// The root element.
    pub fn root_element(&self) -> ElementRef<'_> {
        ElementRef {
            doc: self,
            id: self.root,
        }
    }

    /// Comments and PIs before the root element.
    pub fn prolog(&self) -> &[NodeId] {
        &self.prolog
    }

    /// Comments and PIs after the root element.
    pub fn epilog(&self) -> &[NodeId] {
        &self.epilog
    }

    /// The node with this id. Ids come from this document, so this cannot fail for them;
    /// a foreign id out of range panics, as slice indexing does.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The element with this id, if it is one.
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.nodes.get(id.index())?.kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// A handle on the element with this id, if it is one.
    pub fn element_ref(&self, id: NodeId) -> Option<ElementRef<'_>> {
        self.element(id).map(|_| ElementRef { doc: self, id })
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// A document always has a root element, so it is never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// All node ids in document order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).map(|i| NodeId(i as u32))
    }

    /// Line and column of a byte offset, given the input this document was read from.
    /// (The tree does not keep the input; positions are computed only when needed.)
    pub fn position(&self, input: &[u8], offset: usize) -> Position {
        Position::locate(input, offset.min(self.input_len))
    }

    /// The in-scope namespace bindings of an element: prefix (`None` = default) to URI,
    /// nearest declaration winning. `xmlns=""` appears as an empty URI.
    pub fn in_scope_namespaces(&self, id: NodeId) -> Vec<(Option<Box<str>>, Arc<str>)> {
        let mut out: Vec<(Option<Box<str>>, Arc<str>)> = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            if let Some(e) = self.element(c) {
                for d in &e.namespaces {
                    if !out.iter().any(|(p, _)| *p == d.prefix) {
                        out.push((d.prefix.clone(), d.uri.clone()));
                    }
                }
            }
            cur = self.node(c).parent;
        }
        out
    }
}

/// A borrowed handle on an element, for convenient navigation.
#[derive(Debug, Clone, Copy)]
pub struct ElementRef<'d> {
    doc: &'d Document,
    id: NodeId,
}

impl<'d> ElementRef<'d> {
    /// Its id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The document.
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    /// The element data.
    pub fn element(&self) -> &'d Element {
        match &self.doc.nodes[self.id.index()].kind {
            NodeKind::Element(e) => e,
            // An ElementRef is only constructed for element ids.
            _ => unreachable!("ElementRef always points at an element"),
        }
    }

    /// Its name.
    pub fn name(&self) -> &'d Name {
        &self.element().name
    }

    /// Its local name.
    pub fn local_name(&self) -> &'d str {
        &self.element().name.local
    }

    /// Its namespace URI.
    pub fn namespace(&self) -> Option<&'d str> {
        self.element().name.namespace.as_deref()
    }

    /// Is it `{ns}local`?
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.element().name.is(ns, local)
    }

    /// Attribute value by namespace and local name.
    pub fn attribute(&self, ns: Option<&str>, local: &str) -> Option<&'d str> {
        self.element().attribute(ns, local)
    }

    /// The parent element.
    pub fn parent(&self) -> Option<ElementRef<'d>> {
        let p = self.doc.nodes[self.id.index()].parent?;
        self.doc.element_ref(p)
    }

    /// Byte range in the input.
    pub fn span(&self) -> Range<usize> {
        self.doc.nodes[self.id.index()].span.clone()
    }

    /// Position of the start tag, given the input the document was read from.
    pub fn position(&self, input: &[u8]) -> Position {
        self.doc.position(input, self.span().start)
    }

    /// Child node ids.
    pub fn children(&self) -> &'d [NodeId] {
        &self.element().children
    }

    /// Child elements, in order.
    pub fn child_elements(&self) -> impl Iterator<Item = ElementRef<'d>> + 'd {
        let doc = self.doc;
        self.element()
            .children
            .iter()
            .filter_map(move |&c| doc.element_ref(c))
    }

    /// The first child element with this local name in namespace `ns`.
    pub fn child(&self, ns: &str, local: &str) -> Option<ElementRef<'d>> {
        self.child_elements().find(|c| c.is(ns, local))
    }

    /// The concatenated text of the direct text children.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for &c in &self.element().children {
            if let NodeKind::Text(t) = &self.doc.nodes[c.index()].kind {
                s.push_str(t);
            }
        }
        s
    }

    /// Does it have any child elements?
    pub fn has_child_elements(&self) -> bool {
        self.child_elements().next().is_some()
    }

    /// All descendant elements (not including itself), in document order.
    pub fn descendants(&self) -> impl Iterator<Item = ElementRef<'d>> + 'd {
        let doc = self.doc;
        let mut stack: Vec<NodeId> = self.element().children.iter().rev().copied().collect();
        std::iter::from_fn(move || {
            while let Some(id) = stack.pop() {
                if let Some(e) = doc.element(id) {
                    stack.extend(e.children.iter().rev().copied());
                    return Some(ElementRef { doc, id });
                }
            }
            None
        })
    }
}
