//! Property tests: the reader never panics, and what the writer emits reads back the same.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_xml::{Document, NodeKind, XmlWriter};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Tree {
    Elem {
        name: String,
        attrs: Vec<(String, String)>,
        children: Vec<Tree>,
    },
    Text(String),
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}"
}

fn text() -> impl Strategy<Value = String> {
    // Includes markup characters, quotes, CR/TAB and Vietnamese text.
    proptest::string::string_regex("[a-z <>&\"'\t\r\nàáạệưởĐ]{1,12}").unwrap()
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        text().prop_map(Tree::Text),
        (name(), proptest::collection::vec((name(), text()), 0..3)).prop_map(|(n, a)| Tree::Elem {
            name: n,
            attrs: a,
            children: vec![]
        }),
    ];
    leaf.prop_recursive(5, 40, 5, |inner| {
        (
            name(),
            proptest::collection::vec((name(), text()), 0..3),
            proptest::collection::vec(inner, 0..5),
        )
            .prop_map(|(n, a, c)| Tree::Elem {
                name: n,
                attrs: a,
                children: c,
            })
    })
}

fn write(t: &Tree, w: &mut XmlWriter) {
    match t {
        Tree::Text(s) => {
            w.text(s);
        }
        Tree::Elem {
            name,
            attrs,
            children,
        } => {
            w.start(name);
            let mut seen = std::collections::HashSet::new();
            for (k, v) in attrs {
                if seen.insert(k.clone()) && k != "xmlns" && !k.starts_with("xml") {
                    w.attr(k, v);
                }
            }
            for c in children {
                write(c, w);
            }
            w.end();
        }
    }
}

proptest! {
    #[test]
    fn reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Document::parse(&bytes);
    }

    #[test]
    fn reader_never_panics_on_markupish_input(s in "[<>/a-c:=\"' &;#x0-9!\\[\\]?-]{0,64}") {
        let _ = Document::parse(s.as_bytes());
    }

    /// Markup mixed with Vietnamese letters (two- and three-byte UTF-8): an error found
    /// inside a character must still be reported, never panic.
    #[test]
    fn reader_never_panics_on_vietnamese_markup(
        s in "[<>/a-cDOCTYPE:=\"' &;#!\\[\\]?-đươạếỹĐ\u{1F4C4}]{0,48}"
    ) {
        let _ = Document::parse(s.as_bytes());
    }

    #[test]
    fn written_xml_reads_back(root_name in name(), children in proptest::collection::vec(tree(), 0..4)) {
        let mut w = XmlWriter::new(None);
        w.declaration();
        w.start(&root_name);
        for c in &children { write(c, &mut w); }
        let xml = w.finish();
        let doc = Document::parse(xml.as_bytes()).expect("writer output must parse");
        // Serializing the tree and reading again is a fixed point.
        let again = doc.to_xml();
        let doc2 = Document::parse(again.as_bytes()).expect("to_xml output must parse");
        prop_assert_eq!(again, doc2.to_xml());
        // Texts survive exactly (CR is escaped, so it is kept).
        let texts1: Vec<String> = doc.ids().filter_map(|i| match &doc.node(i).kind { NodeKind::Text(t) => Some(t.clone()), _ => None }).collect();
        let texts2: Vec<String> = doc2.ids().filter_map(|i| match &doc2.node(i).kind { NodeKind::Text(t) => Some(t.clone()), _ => None }).collect();
        prop_assert_eq!(texts1, texts2);
    }
}
