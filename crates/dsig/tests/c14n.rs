//! Canonical XML against the specifications' examples and against libxml2 (xmllint).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_dsig::c14n::{C14nError, Method, NodeSet, canonicalize_to_vec};
use lienthong_xml::Document;
use proptest::prelude::*;

const INC: Method = Method::Inclusive { comments: false };
const INC_C: Method = Method::Inclusive { comments: true };

fn exc(comments: bool, prefixes: &[&str]) -> Method {
    Method::Exclusive {
        comments,
        inclusive_prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
    }
}

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c14n")
}

fn c14n_file(name: &str, method: &Method) -> String {
    let bytes = std::fs::read(dir().join(name)).unwrap();
    let doc = Document::parse(&bytes).unwrap();
    String::from_utf8(canonicalize_to_vec(&doc, NodeSet::document(), method).unwrap()).unwrap()
}

/// Canonical XML 1.0 §3.1–3.6 and the exclusive C14N §2.2 inputs (their DTDs removed),
/// with the outputs libxml2 gives (stored as golden files, checked by hand against the specs).
#[test]
fn spec_examples_with_comments_match_golden() {
    for name in [
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "3.6",
        "exc-1",
        "exc-2",
        "edxml-like",
    ] {
        let inc = std::fs::read_to_string(dir().join(format!("{name}.c14n-comments.out"))).unwrap();
        assert_eq!(
            c14n_file(&format!("{name}.xml"), &INC_C),
            inc,
            "{name} inclusive"
        );
        let ex = std::fs::read_to_string(dir().join(format!("{name}.exc-comments.out"))).unwrap();
        assert_eq!(
            c14n_file(&format!("{name}.xml"), &exc(true, &[])),
            ex,
            "{name} exclusive"
        );
    }
}

#[test]
fn spec_3_1_without_comments() {
    assert_eq!(
        c14n_file("3.1.xml", &INC),
        "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>"
    );
    assert_eq!(
        c14n_file("3.1.xml", &INC_C),
        "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!<!-- Comment 1 --></doc>\n<?pi-without-data?>\n<!-- Comment 2 -->\n<!-- Comment 3 -->"
    );
}

/// The spec examples that need a DTD (3.1 and 3.3 with their DOCTYPE, 3.5 entity
/// references, 3.7 document subsets, 3.8 with attribute defaults) are refused.
#[test]
fn dtd_dependent_examples_are_refused() {
    let with_dtd = [
        "<!DOCTYPE doc SYSTEM \"doc.dtd\">\n<doc>Hello, world!</doc>",
        "<!DOCTYPE doc [<!ATTLIST e9 attr CDATA \"default\">]>\n<doc><e9/></doc>",
        "<!DOCTYPE doc [<!ENTITY ent1 \"Hello\">]>\n<doc>&ent1;</doc>",
    ];
    for xml in with_dtd {
        assert_eq!(
            Document::parse(xml.as_bytes()).unwrap_err().code(),
            "xml.doctype"
        );
    }
}

fn subtree(xml: &str, local: &str, method: &Method) -> String {
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let id = doc
        .root_element()
        .descendants()
        .chain(std::iter::once(doc.root_element()))
        .find(|e| e.local_name() == local)
        .unwrap()
        .id();
    String::from_utf8(canonicalize_to_vec(&doc, NodeSet::subtree(id), method).unwrap()).unwrap()
}

/// Exclusive XML Canonicalization §2.2: the same subtree in two contexts.
#[test]
fn exc_c14n_spec_2_2_subtrees() {
    let d1 = std::fs::read_to_string(dir().join("exc-1.xml")).unwrap();
    let d2 = std::fs::read_to_string(dir().join("exc-2.xml")).unwrap();
    assert_eq!(
        subtree(&d1, "elem2", &INC),
        r#"<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en"><n3:stuff></n3:stuff></n1:elem2>"#
    );
    assert_eq!(
        subtree(&d2, "elem2", &INC),
        r#"<n1:elem2 xmlns:n1="http://example.net" xmlns:n2="http://foo.example" xml:lang="en" xml:space="retain"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#
    );
    let expected = r#"<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#;
    assert_eq!(subtree(&d1, "elem2", &exc(false, &[])), expected);
    assert_eq!(subtree(&d2, "elem2", &exc(false, &[])), expected);
    // The InclusiveNamespaces PrefixList pulls n0 (in scope) back in; unknown prefixes are ignored.
    assert_eq!(
        subtree(&d1, "elem2", &exc(false, &["n0", "zz"])),
        r#"<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#
    );
}

#[test]
fn default_namespace_and_prefix_list() {
    let xml = r#"<r xmlns="urn:d" xmlns:p="urn:p"><p:a><b/></p:a></r>"#;
    assert_eq!(
        subtree(xml, "a", &exc(false, &[])),
        r#"<p:a xmlns:p="urn:p"><b xmlns="urn:d"></b></p:a>"#
    );
    assert_eq!(
        subtree(xml, "a", &exc(false, &["#default"])),
        r#"<p:a xmlns="urn:d" xmlns:p="urn:p"><b></b></p:a>"#
    );
}

#[test]
fn excluded_subtree_leaves_surrounding_text() {
    let xml = "<r>\n  <keep/>\n  <Signature><x/></Signature>\n</r>";
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let sig = doc.root_element().child_elements().nth(1).unwrap().id();
    let out = canonicalize_to_vec(&doc, NodeSet::document().without(sig), &INC).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<r>\n  <keep></keep>\n  \n</r>"
    );
}

#[test]
fn non_element_apex_is_an_error() {
    let doc = Document::parse(b"<r>text</r>").unwrap();
    let text = doc.root_element().children()[0];
    assert_eq!(
        canonicalize_to_vec(&doc, NodeSet::subtree(text), &INC),
        Err(C14nError::NotAnElement)
    );
}

// ---- differential tests against xmllint --------------------------------------------

#[derive(Debug, Clone)]
enum Node {
    Elem {
        prefix: usize,
        attrs: Vec<(usize, String)>,
        decls: Vec<usize>,
        kids: Vec<Node>,
    },
    Text(String),
    Comment(String),
    Pi(String),
}

const PREFIXES: [(&str, &str); 4] = [
    ("", "urn:d"),
    ("a", "urn:a"),
    ("b", "urn:b"),
    ("c", "http://example.org/c"),
];

fn node() -> impl Strategy<Value = Node> {
    let text = "[a-z &<>\"'\r\n\té]{1,8}".prop_map(Node::Text);
    let comment = "[a-z ]{0,6}".prop_map(Node::Comment);
    let pi = "[a-z ]{0,6}".prop_map(Node::Pi);
    let leaf = prop_oneof![
        4 => text,
        1 => comment,
        1 => pi,
        3 => (0usize..4, proptest::collection::vec((0usize..4, "[a-z<&\"\t\n]{0,5}"), 0..3), proptest::collection::vec(0usize..5, 0..2))
            .prop_map(|(prefix, attrs, decls)| Node::Elem { prefix, attrs, decls, kids: vec![] }),
    ];
    leaf.prop_recursive(4, 30, 4, |inner| {
        (
            0usize..4,
            proptest::collection::vec((0usize..4, "[a-z<&\"\t\n]{0,5}"), 0..3),
            proptest::collection::vec(0usize..5, 0..3),
            proptest::collection::vec(inner, 0..4),
        )
            .prop_map(|(prefix, attrs, decls, kids)| Node::Elem {
                prefix,
                attrs,
                decls,
                kids,
            })
    })
}

/// Render a random tree. Each element declares the prefixes it uses (so every document is
/// namespace-well-formed), plus random extra declarations, including `xmlns=""` (decl 4).
fn render(n: &Node, out: &mut String, depth: usize) {
    match n {
        Node::Text(t) => {
            for c in t.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '\r' => out.push_str("&#13;"),
                    c => out.push(c),
                }
            }
        }
        Node::Comment(c) => out.push_str(&format!("<!--{c}-->")),
        Node::Pi(d) => out.push_str(&format!("<?pi {d}?>")),
        Node::Elem {
            prefix,
            attrs,
            decls,
            kids,
        } => {
            let (p, u) = PREFIXES[*prefix];
            let name = if p.is_empty() {
                format!("e{depth}")
            } else {
                format!("{p}:e{depth}")
            };
            out.push('<');
            out.push_str(&name);
            let mut declared = vec![];
            let decl = |i: usize, out: &mut String, declared: &mut Vec<usize>| {
                if declared.contains(&i) {
                    return;
                }
                declared.push(i);
                if i == 4 {
                    if !declared.contains(&0) {
                        out.push_str(" xmlns=\"\"");
                        declared.push(0);
                    }
                    return;
                }
                let (p, u) = PREFIXES[i];
                if p.is_empty() {
                    out.push_str(&format!(" xmlns=\"{u}\""));
                } else {
                    out.push_str(&format!(" xmlns:{p}=\"{u}\""));
                }
            };
            if !p.is_empty() || depth == 0 {
                decl(*prefix, out, &mut declared);
            }
            let _ = u;
            for d in decls {
                decl(*d, out, &mut declared);
            }
            let mut seen = vec![];
            for (i, (ap, v)) in attrs.iter().enumerate() {
                let (p, _) = PREFIXES[*ap];
                let key = if p.is_empty() {
                    format!("at{i}")
                } else {
                    format!("{p}:at")
                };
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key.clone());
                if !p.is_empty() {
                    decl(*ap, out, &mut declared);
                }
                let v = v
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('"', "&quot;")
                    .replace('\t', "&#9;")
                    .replace('\n', "&#10;");
                out.push_str(&format!(" {key}=\"{v}\""));
            }
            out.push('>');
            for k in kids {
                render(k, out, depth + 1);
            }
            out.push_str(&format!("</{name}>"));
        }
    }
}

fn xmllint(mode: &str, xml: &str) -> Vec<u8> {
    let path = std::env::temp_dir().join(format!(
        "lienthong-c14n-{}-{:?}.xml",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&path, xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg(mode)
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "xmllint failed on {xml}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    #[test]
    fn matches_xmllint(root in (0usize..4, proptest::collection::vec(node(), 0..5))) {
        if lienthong_testkit::tool("xmllint").is_none() { return Ok(()); }
        let tree = Node::Elem { prefix: root.0, attrs: vec![], decls: vec![], kids: root.1 };
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- before -->\n");
        render(&tree, &mut xml, 0);
        xml.push_str("\n<?after x?>\n");
        let doc = Document::parse(xml.as_bytes()).unwrap();
        let ours_inc = canonicalize_to_vec(&doc, NodeSet::document(), &INC_C).unwrap();
        let theirs = xmllint("--c14n", &xml);
        prop_assert_eq!(String::from_utf8_lossy(&ours_inc), String::from_utf8_lossy(&theirs), "inclusive, input:\n{}", xml);
        let ours_exc = canonicalize_to_vec(&doc, NodeSet::document(), &exc(true, &[])).unwrap();
        let theirs = xmllint("--exc-c14n", &xml);
        prop_assert_eq!(String::from_utf8_lossy(&ours_exc), String::from_utf8_lossy(&theirs), "exclusive, input:\n{}", xml);
    }
}
