//! Enveloped signing over the whole document (`URI=""`, exclusive C14N, SHA-256,
//! RSA-SHA256 or ECDSA-P256-SHA256 by key type, certificates in `KeyInfo`).
//!
//! The `Signature` element is spliced into the original bytes as the last child of the
//! chosen element; nothing else in the document changes, so what the sender wrote is what
//! every recipient reads.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lienthong_xml::{Document, NodeId};
use rustls_pki_types::CertificateDer;

use crate::algorithms::{DigestAlgorithm, ENVELOPED, XMLDSIG_NS};
use crate::c14n::{self, Method, NodeSet};
use crate::error::DsigError;
use crate::keys::{SigningKey, cert_public_key};

/// Where the `Signature` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// As the last child of the root element.
    RootLastChild,
    /// As the last child of the first element `{namespace}local` (for edXML:
    /// `edXMLHeader`, where the national SDK places it).
    LastChildOf {
        /// Namespace URI.
        namespace: String,
        /// Local name.
        local: String,
    },
}

/// What the signature's single `Reference` points at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// `URI=""`: the whole document (what edXML and receipts use).
    #[default]
    WholeDocument,
    /// `URI="#id"`: the element whose `Id` (or `ID`, `id`, `xml:id`) attribute is `id`.
    Id(String),
}

/// Sign `input` with an enveloped signature over the whole document.
///
/// `chain` starts with the signer's certificate (whose public key must match `key`),
/// optionally followed by intermediates; all go into `KeyInfo`.
pub fn sign_enveloped(
    input: &[u8],
    key: &SigningKey,
    chain: &[CertificateDer<'_>],
    placement: &Placement,
) -> Result<Vec<u8>, DsigError> {
    sign_with_target(input, key, chain, placement, &Target::WholeDocument)
}

/// Sign `input` with a signature whose reference is `target`. The enveloped-signature
/// transform is used when the signature lies inside the signed element.
pub fn sign_with_target(
    input: &[u8],
    key: &SigningKey,
    chain: &[CertificateDer<'_>],
    placement: &Placement,
    target: &Target,
) -> Result<Vec<u8>, DsigError> {
    let leaf = chain
        .first()
        .ok_or_else(|| DsigError::Certificate("no signer certificate given".into()))?;
    if cert_public_key(leaf)? != key.public_key() {
        return Err(DsigError::Key(
            "the private key does not belong to the signer certificate".into(),
        ));
    }
    let doc = Document::parse(input)?;
    let root = doc.root_element();
    if let Some(existing) = std::iter::once(root)
        .chain(root.descendants())
        .find(|e| e.local_name() == "Signature")
    {
        let p = existing.position(input);
        return Err(DsigError::Sign(format!(
            "the document already has a Signature element ({p}); remove it before signing again"
        )));
    }
    let parent = match placement {
        Placement::RootLastChild => root.id(),
        Placement::LastChildOf { namespace, local } => std::iter::once(root)
            .chain(root.descendants())
            .find(|e| e.is(namespace, local))
            .map(|e| e.id())
            .ok_or_else(|| {
                DsigError::Sign(format!(
                    "no {{{namespace}}}{local} element to put the signature in"
                ))
            })?,
    };
    let splice = Splice::new(input, &doc, parent)?;
    // The element the reference points at, and whether the signature sits inside it.
    let (uri, target_id) = match target {
        Target::WholeDocument => (String::new(), None),
        Target::Id(id) => match elements_with_id(&doc, id).as_slice() {
            [one] => (format!("#{id}"), Some(*one)),
            [] => return Err(DsigError::Sign(format!("no element has the Id '{id}'"))),
            _ => return Err(DsigError::Sign(format!("the Id '{id}' is not unique"))),
        },
    };
    let enveloped = match target_id {
        None => true,
        Some(t) => {
            let mut cur = Some(parent);
            let mut inside = false;
            while let Some(c) = cur {
                if c == t {
                    inside = true;
                    break;
                }
                cur = doc.node(c).parent;
            }
            inside
        }
    };
    let uri = lienthong_xml::escape_attr_string(&uri);
    let form = Form {
        uri: &uri,
        enveloped,
    };
    let certs_b64: Vec<String> = chain.iter().map(|c| STANDARD.encode(c.as_ref())).collect();
    let digest_alg = DigestAlgorithm::Sha256;

    // 1. Digest of the document as it will be, minus the signature (the enveloped transform).
    let draft = splice.apply(&signature_xml(
        &splice.indent,
        key,
        &form,
        "",
        "",
        &certs_b64,
    ));
    let draft_doc = Document::parse(&draft)?;
    let sig_id = splice.find_signature(&draft_doc)?;
    let mut set = match target {
        // Node ids after the insertion point moved: find the target again by its Id.
        Target::Id(id) => match elements_with_id(&draft_doc, id).as_slice() {
            [one] => NodeSet::subtree(*one),
            _ => {
                return Err(DsigError::Sign(format!(
                    "internal: Id '{id}' lost in the draft"
                )));
            }
        },
        Target::WholeDocument => NodeSet::document(),
    };
    if enveloped {
        set = set.without(sig_id);
    }
    let mut ctx = ring::digest::Context::new(digest_alg.ring());
    c14n::canonicalize(&draft_doc, set, &exclusive(), &mut ctx)?;
    let digest_b64 = STANDARD.encode(ctx.finish().as_ref());

    // 2. Sign the canonical SignedInfo. Exclusive C14N of SignedInfo depends only on the
    //    namespaces it uses, all declared on Signature, so the standalone element suffices.
    let with_digest = signature_xml(&splice.indent, key, &form, &digest_b64, "", &certs_b64);
    let sig_doc = Document::parse(with_digest.as_bytes())?;
    let signed_info = sig_doc
        .root_element()
        .child(XMLDSIG_NS, "SignedInfo")
        .ok_or_else(|| DsigError::Sign("internal: no SignedInfo".into()))?
        .id();
    let canonical =
        c14n::canonicalize_to_vec(&sig_doc, NodeSet::subtree(signed_info), &exclusive())?;
    let value = key.sign(&canonical)?;
    let value_b64 = STANDARD.encode(value);

    Ok(splice.apply(&signature_xml(
        &splice.indent,
        key,
        &form,
        &digest_b64,
        &value_b64,
        &certs_b64,
    )))
}

fn exclusive() -> Method {
    Method::Exclusive {
        comments: false,
        inclusive_prefixes: vec![],
    }
}

struct Form<'a> {
    uri: &'a str,
    enveloped: bool,
}

fn signature_xml(
    indent: &str,
    key: &SigningKey,
    form: &Form<'_>,
    digest: &str,
    value: &str,
    certs: &[String],
) -> String {
    let i = indent;
    let mut s = String::new();
    s.push_str(&format!("<Signature xmlns=\"{XMLDSIG_NS}\">\n"));
    s.push_str(&format!("{i}  <SignedInfo>\n"));
    s.push_str(&format!(
        "{i}    <CanonicalizationMethod Algorithm=\"{}\"/>\n",
        c14n::uri::EXC_C14N
    ));
    s.push_str(&format!(
        "{i}    <SignatureMethod Algorithm=\"{}\"/>\n",
        key.algorithm().uri()
    ));
    s.push_str(&format!("{i}    <Reference URI=\"{}\">\n", form.uri));
    s.push_str(&format!("{i}      <Transforms>\n"));
    if form.enveloped {
        s.push_str(&format!(
            "{i}        <Transform Algorithm=\"{ENVELOPED}\"/>\n"
        ));
    }
    s.push_str(&format!(
        "{i}        <Transform Algorithm=\"{}\"/>\n",
        c14n::uri::EXC_C14N
    ));
    s.push_str(&format!("{i}      </Transforms>\n"));
    s.push_str(&format!(
        "{i}      <DigestMethod Algorithm=\"{}\"/>\n",
        DigestAlgorithm::Sha256.uri()
    ));
    s.push_str(&format!("{i}      <DigestValue>{digest}</DigestValue>\n"));
    s.push_str(&format!("{i}    </Reference>\n"));
    s.push_str(&format!("{i}  </SignedInfo>\n"));
    s.push_str(&format!("{i}  <SignatureValue>{value}</SignatureValue>\n"));
    s.push_str(&format!("{i}  <KeyInfo>\n{i}    <X509Data>\n"));
    for c in certs {
        s.push_str(&format!(
            "{i}      <X509Certificate>{c}</X509Certificate>\n"
        ));
    }
    s.push_str(&format!(
        "{i}    </X509Data>\n{i}  </KeyInfo>\n{i}</Signature>"
    ));
    s
}

/// Where and how to insert the signature text into the original bytes.
struct Splice<'a> {
    input: &'a [u8],
    /// Byte offset where the insertion starts.
    at: usize,
    /// Bytes replaced at `at` (2 for the `/>` of an empty element).
    replace: usize,
    /// Text before the signature.
    before: String,
    /// Text after the signature.
    after: String,
    /// Indentation of the signature's own lines.
    indent: String,
    parent: NodeId,
}

impl<'a> Splice<'a> {
    fn new(input: &'a [u8], doc: &Document, parent: NodeId) -> Result<Splice<'a>, DsigError> {
        let e = doc
            .element(parent)
            .ok_or_else(|| DsigError::Sign("internal: parent is not an element".into()))?;
        let end_indent = line_indent(input, e.end_tag.start);
        if e.end_tag.is_empty() {
            // `<parent/>`: becomes `<parent><Signature/></parent>`.
            let at = e.start_tag.end.saturating_sub(2);
            if input.get(at..e.start_tag.end) != Some(b"/>") {
                return Err(DsigError::Sign(
                    "internal: empty element does not end in />".into(),
                ));
            }
            let open_indent = line_indent(input, e.start_tag.start).unwrap_or_default();
            return Ok(Splice {
                input,
                at,
                replace: 2,
                before: format!(">\n{open_indent}  "),
                after: format!("\n{open_indent}</{}>", e.name.qualified()),
                indent: format!("{open_indent}  "),
                parent,
            });
        }
        Ok(match end_indent {
            // The end tag sits on its own line: indent the signature one level deeper.
            Some(ind) => Splice {
                input,
                at: e.end_tag.start,
                replace: 0,
                before: "  ".into(),
                after: format!("\n{ind}"),
                indent: format!("{ind}  "),
                parent,
            },
            None => Splice {
                input,
                at: e.end_tag.start,
                replace: 0,
                before: String::new(),
                after: String::new(),
                indent: String::new(),
                parent,
            },
        })
    }

    fn apply(&self, signature: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.input.len() + signature.len() + 64);
        out.extend_from_slice(&self.input[..self.at]);
        out.extend_from_slice(self.before.as_bytes());
        out.extend_from_slice(signature.as_bytes());
        out.extend_from_slice(self.after.as_bytes());
        out.extend_from_slice(&self.input[self.at + self.replace..]);
        out
    }

    /// The inserted Signature: the last child element of the parent (node ids are stable
    /// across the reparse up to the parent, which precedes the insertion).
    fn find_signature(&self, doc: &Document) -> Result<NodeId, DsigError> {
        doc.element_ref(self.parent)
            .and_then(|p| p.child_elements().last())
            .filter(|s| s.is(XMLDSIG_NS, "Signature"))
            .map(|s| s.id())
            .ok_or_else(|| DsigError::Sign("internal: inserted Signature not found".into()))
    }
}

/// If only white space precedes `offset` on its line, that white space.
fn line_indent(input: &[u8], offset: usize) -> Option<String> {
    let before = input.get(..offset)?;
    let line_start = before.iter().rposition(|&b| b == b'\n')? + 1;
    let ws = &before[line_start..];
    if ws.iter().all(|b| *b == b' ' || *b == b'\t') {
        Some(String::from_utf8_lossy(ws).into_owned())
    } else {
        None
    }
}

/// Elements carrying `id` in an Id attribute (`Id`, `ID`, `id` or `xml:id`).
fn elements_with_id(doc: &Document, id: &str) -> Vec<NodeId> {
    let root = doc.root_element();
    std::iter::once(root)
        .chain(root.descendants())
        .filter(|e| {
            e.element().attributes.iter().any(|a| {
                a.value == id
                    && match a.name.namespace.as_deref() {
                        None => matches!(&*a.name.local, "Id" | "ID" | "id"),
                        Some(lienthong_xml::XML_NS) => &*a.name.local == "id",
                        Some(_) => false,
                    }
            })
        })
        .map(|e| e.id())
        .collect()
}
