//! The reader refuses what XML 1.0 and Namespaces forbid, with the right position,
//! and keeps what they allow.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_xml::{Document, ErrorKind, LimitKind, Limits, NodeKind};

fn err(input: &str) -> lienthong_xml::Error {
    match Document::parse(input.as_bytes()) {
        Ok(_) => panic!("accepted: {input}"),
        Err(e) => e,
    }
}

fn at(input: &str) -> (String, u32, u32) {
    let e = err(input);
    (
        e.code().as_str().to_owned(),
        e.position.line,
        e.position.column,
    )
}

/// A malformed `<!…` whose ninth byte falls inside a Vietnamese letter is a clear error,
/// not a panic while the error is classified.
#[test]
fn bad_bang_markup_with_vietnamese_letters_is_an_error_not_a_panic() {
    for input in [
        "<!xxđđđ>",
        "<!xxxxđđđ>",
        "<a><!xxđđđ></a>",
        "<a><!Sở Tài chính/></a>",
        "<!đ",
    ] {
        let e = err(input);
        assert!(e.position.offset <= input.len(), "{input}: {e}");
    }
    // the prefix test still sees a DOCTYPE cut short
    assert_eq!(err("<!DOC").code(), "xml.doctype");
}

#[test]
fn doctype_is_refused_in_every_form() {
    assert_eq!(at("<!DOCTYPE a><a/>"), ("xml.doctype".into(), 1, 1));
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<a>&x;</a>";
    assert_eq!(at(xxe), ("xml.doctype".into(), 2, 1));
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n<lolz>&lol2;</lolz>";
    assert_eq!(err(laughs).kind, ErrorKind::Doctype);
    // Truncated DOCTYPE is still a DOCTYPE.
    assert_eq!(err("<!DOCTYPE a [").kind, ErrorKind::Doctype);
    // Lower-case keyword is not valid markup at all.
    assert!(Document::parse(b"<!doctype a><a/>").is_err());
}

#[test]
fn undeclared_prefixes_are_refused() {
    assert_eq!(at("<x:a/>"), ("xml.undeclared_prefix".into(), 1, 2));
    assert_eq!(
        at("<a>\n  <b y:c=\"1\"/></a>"),
        ("xml.undeclared_prefix".into(), 2, 6)
    );
    // Scope ends with the element.
    assert_eq!(
        err("<r><a xmlns:p=\"urn:p\"/><p:b/></r>").kind,
        ErrorKind::UndeclaredPrefix("p".into())
    );
}

#[test]
fn one_root_only() {
    assert_eq!(at("<a/><b/>"), ("xml.multiple_roots".into(), 1, 5));
    assert_eq!(at("<a/>\n\n<b></b>"), ("xml.multiple_roots".into(), 3, 1));
    assert_eq!(err("").kind, ErrorKind::NoRoot);
    assert_eq!(err("<!-- only a comment -->").kind, ErrorKind::NoRoot);
}

#[test]
fn tags_must_match() {
    assert_eq!(
        err("<a><b></a></b>").kind,
        ErrorKind::MismatchedTag {
            expected: "b".into(),
            found: "a".into()
        }
    );
    assert_eq!(at("<a>\n</b>"), ("xml.mismatched_tag".into(), 2, 1));
    assert_eq!(at("<a/></a>"), ("xml.unmatched_end_tag".into(), 1, 5));
    // Same namespace, different prefix: still a mismatch (XML matches names literally).
    assert!(matches!(
        err("<p:a xmlns:p=\"u\" xmlns:q=\"u\"></q:a>").kind,
        ErrorKind::MismatchedTag { .. }
    ));
}

#[test]
fn truncated_input_is_refused() {
    assert!(matches!(err("<a><b>text").kind, ErrorKind::Truncated(_)));
    assert!(matches!(err("<a><b").kind, ErrorKind::Truncated(_)));
    assert!(matches!(err("<a x=\"1").kind, ErrorKind::Truncated(_)));
    assert!(matches!(err("<a><!-- c").kind, ErrorKind::Truncated(_)));
    assert!(matches!(err("<a><![CDATA[x").kind, ErrorKind::Truncated(_)));
}

#[test]
fn encodings_other_than_utf8_are_refused() {
    let e = Document::parse(b"<a>\xff</a>").unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUtf8);
    assert_eq!(e.position.offset, 3);
    let e = Document::parse(b"<a>ok\n\xc3</a>").unwrap_err();
    assert_eq!((e.position.line, e.position.column), (2, 1));
    assert!(matches!(
        err("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>").kind,
        ErrorKind::UnsupportedEncoding(_)
    ));
    assert!(matches!(
        Document::parse(b"\xff\xfe<\0a\0/\0>\0").unwrap_err().kind,
        ErrorKind::UnsupportedEncoding(_)
    ));
    assert!(matches!(
        Document::parse(b"<\0a\0/\0>\0").unwrap_err().kind,
        ErrorKind::UnsupportedEncoding(_)
    ));
    // UTF-8 with a BOM and the declared encoding in any case is fine.
    let d = Document::parse(b"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>").unwrap();
    assert_eq!(d.root_element().local_name(), "a");
}

#[test]
fn duplicate_attributes_are_refused() {
    assert_eq!(
        at("<a x=\"1\" x=\"2\"/>"),
        ("xml.duplicate_attribute".into(), 1, 10)
    );
    // Same expanded name through two prefixes (Namespaces in XML §6.3).
    assert!(matches!(
        err("<a xmlns:p=\"u\" xmlns:q=\"u\" p:x=\"1\" q:x=\"2\"/>").kind,
        ErrorKind::DuplicateAttribute(_)
    ));
    assert!(matches!(
        err("<a xmlns:p=\"u\" xmlns:p=\"v\"/>").kind,
        ErrorKind::DuplicateAttribute(_)
    ));
}

#[test]
fn text_outside_root_is_refused() {
    assert_eq!(at("hello<a/>"), ("xml.text_outside_root".into(), 1, 1));
    assert_eq!(
        at("<a/>\n trailing"),
        ("xml.text_outside_root".into(), 2, 2)
    );
    assert_eq!(err("<a/>&amp;").kind, ErrorKind::TextOutsideRoot);
    assert_eq!(err("<a/><![CDATA[x]]>").kind, ErrorKind::TextOutsideRoot);
    // White space, comments and PIs outside the root are fine.
    let d = Document::parse(b"\n<!-- c --> <?pi x?>\n<a/>\n<!-- d -->\n").unwrap();
    assert_eq!(d.prolog().len(), 2);
    assert_eq!(d.epilog().len(), 1);
}

/// quick-xml 0.42 accepts each of these; we must not.
#[test]
fn quick_xml_laxities_are_refused_here() {
    let cases: &[(&str, &str)] = &[
        ("<a/><b/>", "xml.multiple_roots"),
        ("<a v=\"<\"/>", "xml.lt_in_attribute"),
        ("<1a/>", "xml.invalid_name"),
        ("<a 1b=\"x\"/>", "xml.invalid_name"),
        ("<x:a/>", "xml.undeclared_prefix"),
        ("<a>&undefined;</a>", "xml.unknown_entity"),
        ("<a>&#0;</a>", "xml.invalid_char_ref"),
        ("<a>&#xD800;</a>", "xml.invalid_char_ref"),
        ("<a>&#xZZ;</a>", "xml.invalid_char_ref"),
        ("<a>x]]>y</a>", "xml.syntax"),
        ("<a>\u{1}</a>", "xml.invalid_char"),
        ("<a/>text", "xml.text_outside_root"),
        ("<a xmlns:p=\"\"/>", "xml.namespace"),
        ("<a xmlns:xml=\"urn:other\"/>", "xml.namespace"),
        ("<a xmlns:xmlns=\"urn:other\"/>", "xml.namespace"),
        (
            "<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>",
            "xml.namespace",
        ),
        (
            "<a><?xml version=\"1.0\"?></a>",
            "xml.misplaced_declaration",
        ),
        (" <?xml version=\"1.0\"?><a/>", "xml.misplaced_declaration"),
        ("<a><!-- a -- b --></a>", "xml.syntax"),
        ("<a:b:c xmlns:a=\"u\"/>", "xml.invalid_name"),
    ];
    for (input, code) in cases {
        let e = err(input);
        assert_eq!(e.code(), *code, "input {input:?} gave {e}");
    }
}

#[test]
fn limits_are_enforced() {
    let small = Limits {
        max_bytes: 100,
        max_depth: 3,
        max_attributes: 2,
        max_name_len: 5,
        max_text_len: 10,
        max_attr_value_len: 8,
        max_nodes: 6,
    };
    let lim = |input: &str| match Document::parse_with(input.as_bytes(), &small) {
        Err(lienthong_xml::Error {
            kind: ErrorKind::Limit { what, .. },
            ..
        }) => what,
        other => panic!("{input:?}: {other:?}"),
    };
    assert_eq!(
        lim(&format!("<a>{}</a>", "x".repeat(200))),
        LimitKind::TotalSize
    );
    assert_eq!(lim("<a><b><c><d/></c></b></a>"), LimitKind::Depth);
    assert_eq!(lim("<a x=\"1\" y=\"2\" z=\"3\"/>"), LimitKind::Attributes);
    assert_eq!(lim("<abcdef/>"), LimitKind::NameLength);
    assert_eq!(lim("<a abcdef=\"1\"/>"), LimitKind::NameLength);
    assert_eq!(lim("<a>0123456789ab</a>"), LimitKind::TextSize);
    // Text split by references and CDATA is still one text node.
    assert_eq!(
        lim("<a>01234&amp;<![CDATA[6789]]>x</a>"),
        LimitKind::TextSize
    );
    assert_eq!(lim("<a x=\"123456789\"/>"), LimitKind::AttributeValueSize);
    assert_eq!(lim("<a><b/><b/><b/><b/><b/><b/></a>"), LimitKind::Nodes);
    // Within the limits it reads.
    assert!(Document::parse_with(b"<a x=\"1\"><b>short</b></a>", &small).is_ok());
}

#[test]
fn default_limits_stop_deep_nesting() {
    let deep = "<a>".repeat(10_000);
    let e = Document::parse(deep.as_bytes()).unwrap_err();
    assert!(matches!(
        e.kind,
        ErrorKind::Limit {
            what: LimitKind::Depth,
            ..
        }
    ));
}

#[test]
fn namespaces_resolve_by_uri_not_prefix() {
    let src = r#"<edXML xmlns="urn:ed"><e:Env xmlns:e="urn:ed" xmlns:x="urn:x"><e:H x:at="1" plain="2"/><Sig xmlns=""/></e:Env></edXML>"#;
    let d = Document::parse(src.as_bytes()).unwrap();
    let root = d.root_element();
    assert!(root.is("urn:ed", "edXML"));
    let env = root.child("urn:ed", "Env").unwrap();
    let h = env.child("urn:ed", "H").unwrap();
    assert_eq!(h.attribute(Some("urn:x"), "at"), Some("1"));
    assert_eq!(h.attribute(None, "plain"), Some("2"));
    let sig = env.child_elements().nth(1).unwrap();
    assert_eq!(sig.local_name(), "Sig");
    assert_eq!(sig.namespace(), None);
    assert!(
        h.attribute(Some("http://www.w3.org/XML/1998/namespace"), "lang")
            .is_none()
    );
    let xml_lang = Document::parse(b"<a xml:lang=\"vi\"/>").unwrap();
    assert_eq!(
        xml_lang
            .root_element()
            .attribute(Some(lienthong_xml::XML_NS), "lang"),
        Some("vi")
    );
}

#[test]
fn text_is_merged_and_normalized() {
    let d = Document::parse(b"<a>x\r\ny&amp;&#233;<![CDATA[<z>\r]]>\rw</a>").unwrap();
    assert_eq!(d.root_element().text(), "x\ny&\u{e9}<z>\n\nw");
    assert_eq!(d.root_element().children().len(), 1);
}

#[test]
fn spans_and_positions_are_exact() {
    let src = "<?xml version=\"1.0\"?>\n<r>\n  <child k=\"v\">text</child>\n  <e/>\n</r>";
    let d = Document::parse(src.as_bytes()).unwrap();
    let root = d.root_element();
    let child = root.child_elements().next().unwrap();
    assert_eq!(&src[child.span()], "<child k=\"v\">text</child>");
    let e = child.element();
    assert_eq!(&src[e.start_tag.clone()], "<child k=\"v\">");
    assert_eq!(&src[e.end_tag.clone()], "</child>");
    assert_eq!(&src[e.attributes[0].span.clone()], "k=\"v\"");
    let pos = child.position(src.as_bytes());
    assert_eq!((pos.line, pos.column), (3, 3));
    let empty = root.child_elements().nth(1).unwrap();
    assert_eq!(&src[empty.span()], "<e/>");
    assert_eq!(empty.element().end_tag, empty.span().end..empty.span().end);
    assert_eq!(&src[root.span()], &src[22..]);
    let text_id = child.children()[0];
    assert_eq!(&src[d.node(text_id).span.clone()], "text");
}

#[test]
fn error_columns_count_characters() {
    // "Việt" has multi-byte characters before the error.
    let e = err("<a>Việt</b>");
    assert_eq!((e.position.line, e.position.column), (1, 8));
    assert!(e.to_string().contains("line 1, column 8"), "{e}");
}

#[test]
fn writer_round_trip_keeps_namespace_declarations() {
    let src = r#"<edXML xmlns="urn:ed" xmlns:xsi="urn:xsi"><!-- c --><edXML:E xmlns:edXML="urn:ed" a="x&quot;y"><edXML:F>t &amp; &lt;u&gt;</edXML:F><G xmlns="">&#xD;</G><?pi data?></edXML:E></edXML>"#;
    let d = Document::parse(src.as_bytes()).unwrap();
    let out = d.to_xml();
    let d2 = Document::parse(out.as_bytes()).unwrap();
    // Same tree apart from spans.
    assert_eq!(strip(&d), strip(&d2));
    assert!(
        out.contains("<edXML:E xmlns:edXML=\"urn:ed\" a=\"x&quot;y\">"),
        "{out}"
    );
    assert!(out.contains("<G xmlns=\"\">&#xD;</G>"), "{out}");
}

fn strip(d: &Document) -> Vec<String> {
    d.ids()
        .map(|id| match &d.node(id).kind {
            NodeKind::Element(e) => format!(
                "E {:?} {:?} {:?} {:?}",
                e.name,
                e.namespaces,
                e.attributes
                    .iter()
                    .map(|a| (a.name.clone(), a.value.clone()))
                    .collect::<Vec<_>>(),
                e.children
            ),
            other => format!("{other:?}"),
        })
        .collect()
}
