//! The errors' messages for people: in English exactly the `Display`, and every one in
//! the Vietnamese catalog too.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_i18n::Lang;
use lienthong_xml::{Document, ErrorKind, LimitKind};

/// English is the `Display`; Vietnamese is a message of the catalog, not its id.
fn check(kind: &ErrorKind) {
    let m = kind.msg();
    assert_eq!(m.render(Lang::En), kind.to_string(), "{m:?}");
    let vi = m.render(Lang::Vi);
    assert_ne!(vi, m.id, "{m:?}: not in the Vietnamese catalog");
    assert_ne!(vi, kind.to_string(), "{m:?}: not translated");
}

#[test]
fn every_kind_renders_as_its_display() {
    let s = |t: &str| t.to_owned();
    let mut kinds = vec![
        ErrorKind::Doctype,
        ErrorKind::UndeclaredPrefix(s("x")),
        ErrorKind::MultipleRoots(s("b")),
        ErrorKind::NoRoot,
        ErrorKind::MismatchedTag {
            expected: s("a"),
            found: s("b"),
        },
        ErrorKind::UnmatchedEndTag(s("a")),
        ErrorKind::InvalidUtf8,
        ErrorKind::UnsupportedEncoding(s("UTF-16")),
        ErrorKind::UnsupportedEncoding(s("UTF-16 (no byte order mark)")),
        ErrorKind::UnsupportedEncoding(s("windows-1258")),
        ErrorKind::DuplicateAttribute(s("k")),
        ErrorKind::TextOutsideRoot,
        ErrorKind::InvalidName(s("1a")),
        ErrorKind::InvalidChar(1),
        ErrorKind::InvalidChar(0x1F_FFFF),
        ErrorKind::UnknownEntity(s("nbsp")),
        ErrorKind::InvalidCharRef(s("#xD800")),
        ErrorKind::LtInAttribute,
        ErrorKind::MisplacedDeclaration,
    ];
    for what in [
        LimitKind::TotalSize,
        LimitKind::Depth,
        LimitKind::Attributes,
        LimitKind::NameLength,
        LimitKind::TextSize,
        LimitKind::Nodes,
        LimitKind::AttributeValueSize,
    ] {
        kinds.push(ErrorKind::Limit { what, limit: 256 });
    }
    kinds.push(ErrorKind::Limit {
        what: LimitKind::Nodes,
        limit: usize::MAX,
    });
    for t in [
        "element <a> is not closed",
        "tag not closed: `>` not found before end of input",
        "comment not closed: `-->` not found before end of input",
        "CDATA not closed: `]]>` not found before end of input",
        "processing instruction not closed: `?>` not found before end of input",
        "XML declaration not closed: `?>` not found before end of input",
        "attribute value not closed: `\"` not found before end of input",
        "attribute value not closed: `'` not found before end of input",
        "something else",
    ] {
        kinds.push(ErrorKind::Truncated(s(t)));
    }
    for t in [
        "elements may not have the prefix 'xmlns'",
        "the prefix 'xmlns' must not be declared",
        "the prefix 'xml' is bound to its own namespace",
        "a prefix cannot be undeclared with an empty URI in XML 1.0",
        "the XML namespace may only be bound to 'xml'",
        "the xmlns namespace must not be declared",
        "something else",
    ] {
        kinds.push(ErrorKind::Namespace(s(t)));
    }
    for t in [
        "unsupported XML version '1.1'",
        "']]>' is not allowed in character data",
        "'&' in attribute value is not followed by a reference",
        "syntax error: unknown or missed symbol in markup",
        "ill-formed document: an XML declaration does not contain `version` attribute",
        "ill-formed document: an XML declaration must start with `version` attribute, but in starts with `encoding`",
        "ill-formed document: unknown XML version: either 1.0 or 1.1 is expected",
        "ill-formed document: forbidden string `--` was found in a comment",
        "ill-formed document: entity or character reference not closed: `;` not found before end of input",
        "position 3: attribute key must be directly followed by `=` or space",
        "position 3: `=` must be followed by an attribute value",
        "position 3: attribute value must be enclosed in `\"` or `'`",
        "position 3: missing closing quote `\"` in attribute value",
        "position x: missing closing quote `\"` in attribute value",
        "something else",
    ] {
        kinds.push(ErrorKind::Syntax(s(t)));
    }
    for k in &kinds {
        check(k);
    }
    // The known texts have messages of their own; the rest keep the detail as written.
    assert_eq!(
        ErrorKind::Truncated(s("element <a> is not closed"))
            .msg()
            .id,
        "xml-truncated-element"
    );
    assert_eq!(
        ErrorKind::Syntax(s("something else")).msg().id,
        "xml-syntax"
    );
    assert_eq!(
        ErrorKind::Syntax(s("position 3: `=` must be followed by an attribute value"))
            .msg()
            .id,
        "xml-syntax-attribute-expected-value"
    );
}

#[test]
fn refused_documents_render_in_full() {
    let inputs: [&[u8]; 16] = [
        b"<!DOCTYPE a><a/>",
        b"<a>",
        b"<a",
        b"<a b=\"x",
        b"<a><!-- x",
        b"<a><![CDATA[x",
        b"<?xml version='1.0'",
        b"<a></b>",
        b"</a>",
        b"<a/><b/>",
        b"",
        b"<x:a/>",
        b"<a>&nbsp;</a>",
        b"<a b='<'/>",
        b"<a b='1' b='2'/>",
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
    ];
    for input in inputs {
        let e = Document::parse(input).unwrap_err();
        let english = e.to_string();
        assert_eq!(e.msg().render(Lang::En), english);
        assert_eq!(e.render(Lang::En), english);
        assert_eq!(e.kind.msg().render(Lang::En), e.kind.to_string());
        let vi = e.render(Lang::Vi);
        assert!(
            vi.contains(&format!("(dòng {}, cột ", e.position.line)),
            "{vi}"
        );
        assert!(!e.msg().render(Lang::Vi).starts_with("xml-"), "{vi}");
    }
    let pos = lienthong_xml::Position {
        offset: 0,
        line: 2,
        column: 7,
    };
    assert_eq!(pos.msg().render(Lang::En), pos.to_string());
    assert_eq!(pos.msg().render(Lang::Vi), "dòng 2, cột 7");
}
