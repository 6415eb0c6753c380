//! # lienthong-xml
//!
//! The strict XML reader every other lienthong crate reads through. It turns bytes into a
//! small immutable tree with namespaces resolved, or refuses them with an [`Error`] that
//! names what is wrong and the line and column where it is.
//!
//! Why not use quick-xml directly: quick-xml is a tokenizer and happily accepts input
//! that XML 1.0 forbids (two roots, `<` in attribute values, undeclared prefixes, names
//! starting with digits, …). A gateway that routes and verifies signatures must read
//! exactly one meaning from a document, the same one a signature verifier and the
//! receiving DMS would read, so this crate checks what quick-xml does not.
//!
//! Refused always: any DOCTYPE (this covers XXE and entity-expansion bombs), undeclared
//! prefixes, more than one root, mismatched tags, invalid UTF-8 and non-UTF-8 encodings,
//! duplicate attributes, text outside the root. Bounded by [`Limits`]: total size, depth,
//! attributes per element, name length, text node size, attribute value size, node count.
//!
//! Every node records its byte range in the input ([`Node::span`]); elements also record
//! their start and end tags, which the signature code uses to splice without re-serializing.
//!
//! ```
//! use lienthong_xml::Document;
//! let doc = Document::parse(br#"<a xmlns="urn:x"><b k="v">t</b></a>"#).unwrap();
//! let b = doc.root_element().child("urn:x", "b").unwrap();
//! assert_eq!(b.attribute(None, "k"), Some("v"));
//! assert_eq!(b.text(), "t");
//!
//! let err = Document::parse(b"<!DOCTYPE a><a/>").unwrap_err();
//! assert_eq!(err.code(), "xml.doctype");
//! assert_eq!((err.position.line, err.position.column), (1, 1));
//! ```

mod chars;
mod error;
mod parse;
mod tree;
mod write;

pub use error::{Error, ErrorKind, LimitKind, Position};
pub use parse::Limits;
pub use tree::{
    Attribute, Document, Element, ElementRef, Name, NamespaceDecl, Node, NodeId, NodeKind, XML_NS,
    XMLNS_NS,
};
pub use write::{XmlWriter, escape_attr, escape_attr_string, escape_text};
