//! Verifying enveloped XML signatures, failing closed, with a report a clerk can read.
//!
//! What is refused outright: XPath, XPath Filter 2, XSLT and base64 transforms; external
//! and XPointer references; `RetrievalMethod`; HMAC; more than one signature; duplicate
//! Ids; a key without a certificate. What is never called valid: the legacy SDK form (a
//! `Signature` outside the XML Signature namespace, or the SDK's non-standard exclusive
//! C14N URI), which is reported as "legacy: unverifiable".
//!
//! Signature wrapping: the verifier runs on the same parsed tree the router and the DMS
//! read, ids must be unique, and the profile says which element must be covered (for
//! edXML and receipts: the root, i.e. everything). A signature over some other element,
//! wherever it was moved, does not make the document valid.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lienthong_i18n::{Lang, Msg, msg};
use lienthong_types::Code;
use lienthong_xml::{Document, ElementRef, NodeId, XML_NS};
use rustls_pki_types::{CertificateDer, UnixTime};
use serde::Serialize;

use crate::algorithms::{DigestAlgorithm, ENVELOPED, SignatureAlgorithm, XMLDSIG_NS};
use crate::c14n::{self, Method, NodeSet};
use crate::error::DsigError;
use crate::trust::{self, CertInfo, TrustStore};

/// The exclusive C14N namespace (for `InclusiveNamespaces`).
const EXC_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// What a profile expects of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The element the `Signature` must be a child of (`None`: anywhere).
    pub parent: Option<(String, String)>,
    /// Must a reference cover the root element (the whole document)?
    pub cover_root: bool,
}

impl Profile {
    /// edXML documents: signature in `edXMLHeader`, covering the whole document.
    pub fn edxml() -> Profile {
        Profile {
            parent: Some((
                "http://www.mic.gov.vn/TBT/QCVN_102_2016".into(),
                "edXMLHeader".into(),
            )),
            cover_root: true,
        }
    }

    /// Any placement, but the whole document must be covered.
    pub fn whole_document() -> Profile {
        Profile {
            parent: None,
            cover_root: true,
        }
    }
}

/// The agency a document claims to come from, to check against the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedAgency {
    /// Its code (edXML `From/OrganId`).
    pub code: String,
    /// Its name, for messages.
    pub name: Option<String>,
    /// Other codes of the same agency (its main code, its aliases after a merger or a
    /// renaming): a certificate naming any of them speaks for it too.
    pub other_codes: Vec<String>,
}

/// How to verify.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    /// Trusted roots, CRLs and pins.
    pub trust: &'a TrustStore,
    /// The time at which certificates must be valid.
    pub at: UnixTime,
    /// The agency the signer must speak for, if any.
    pub expected_agency: Option<ExpectedAgency>,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Intact, trusted, strong, and (if asked) signed for the right agency.
    Valid,
    /// Something is wrong: see the problems.
    Invalid,
    /// No signature at all.
    Unsigned,
    /// A legacy SDK signature form that cannot be verified.
    Legacy,
}

/// The signer, as far as the certificate tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// Subject DN.
    pub subject: String,
    /// The agency the certificate speaks for, if it names one (or is pinned).
    pub agency: Option<String>,
    /// Certificate details.
    #[serde(flatten)]
    pub certificate: CertInfo,
}

/// What verification found. `valid` is true only for [`Verdict::Valid`].
///
/// `problems`, `notes` and `covers` are in English (as in JSON); `problem_msgs`,
/// `note_msgs` and `cover_msgs` hold the same, in the same order, as catalog messages to be
/// put in the reader's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Valid or not, in one bit.
    pub valid: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// Who signed.
    pub signer: Option<Signer>,
    /// Signature algorithm, e.g. `RSA-SHA256`.
    pub algorithm: Option<String>,
    /// Digest algorithm(s).
    pub digest: Option<String>,
    /// Canonicalization of SignedInfo.
    pub canonicalization: Option<String>,
    /// The signature value matches and every digest matches.
    pub intact: bool,
    /// A SHA-1 based algorithm was used.
    pub weak: bool,
    /// What the references cover ("the whole document", "element <x> (#id)").
    pub covers: Vec<String>,
    /// Subjects from the signer to the trusted root.
    pub chain: Vec<String>,
    /// Certificates were checked at this time (RFC 3339).
    pub checked_at: String,
    /// Why it is not valid, in plain words. Empty when valid.
    pub problems: Vec<String>,
    /// Stable codes of the problems, in the same order.
    pub problem_codes: Vec<Code>,
    /// Things worth knowing that do not make it invalid.
    pub notes: Vec<String>,
    /// The problems as catalog messages, in the same order as `problems`.
    #[serde(skip)]
    pub problem_msgs: Vec<Msg>,
    /// The notes as catalog messages, in the same order as `notes`.
    #[serde(skip)]
    pub note_msgs: Vec<Msg>,
    /// What the references cover as catalog messages, in the same order as `covers`.
    #[serde(skip)]
    pub cover_msgs: Vec<Msg>,
    /// The node id of the verified Signature (for callers that keep the tree).
    #[serde(skip)]
    pub signature_node: Option<NodeId>,
}

impl Report {
    fn new(at: UnixTime) -> Report {
        Report {
            valid: false,
            verdict: Verdict::Invalid,
            signer: None,
            algorithm: None,
            digest: None,
            canonicalization: None,
            intact: false,
            weak: false,
            covers: Vec::new(),
            chain: Vec::new(),
            checked_at: crate::time::format_rfc3339(at.as_secs()),
            problems: Vec::new(),
            problem_codes: Vec::new(),
            notes: Vec::new(),
            problem_msgs: Vec::new(),
            note_msgs: Vec::new(),
            cover_msgs: Vec::new(),
            signature_node: None,
        }
    }

    /// Add a problem: its code, its English text to `problems`, its message to
    /// `problem_msgs`. (The verdict is left as it is.)
    pub fn problem(&mut self, code: Code, message: Msg) {
        self.problem_codes.push(code);
        self.problems.push(message.render(Lang::En));
        self.problem_msgs.push(message);
    }

    /// Add a note: its English text to `notes`, its message to `note_msgs`.
    pub fn note(&mut self, message: Msg) {
        self.notes.push(message.render(Lang::En));
        self.note_msgs.push(message);
    }

    fn finish(mut self) -> Report {
        if self.verdict == Verdict::Invalid && self.problems.is_empty() {
            self.verdict = Verdict::Valid;
        }
        self.valid = self.verdict == Verdict::Valid;
        self
    }
}

/// Verify the signature of a document given as bytes. Fails only when the bytes are not
/// readable XML; every other outcome is a [`Report`].
pub fn verify_bytes(
    input: &[u8],
    profile: &Profile,
    policy: &Policy<'_>,
) -> Result<Report, DsigError> {
    let doc = Document::parse(input)?;
    Ok(verify(&doc, profile, policy))
}

/// Verify the signature of a parsed document.
pub fn verify(doc: &Document, profile: &Profile, policy: &Policy<'_>) -> Report {
    let mut r = Report::new(policy.at);
    let root = doc.root_element();
    let all: Vec<ElementRef<'_>> = std::iter::once(root).chain(root.descendants()).collect();
    let dsig: Vec<&ElementRef<'_>> = all
        .iter()
        .filter(|e| e.is(XMLDSIG_NS, "Signature"))
        .collect();
    let legacy: Vec<&ElementRef<'_>> = all
        .iter()
        .filter(|e| e.local_name() == "Signature" && e.namespace() != Some(XMLDSIG_NS))
        .collect();
    match (dsig.len(), legacy.len()) {
        (0, 0) => {
            r.verdict = Verdict::Unsigned;
            r.problem(Code::SigUnsigned, msg!("sig-unsigned"));
            return r.finish();
        }
        (0, _) => {
            r.verdict = Verdict::Legacy;
            r.problem(Code::SigLegacy, msg!("sig-legacy-form"));
            return r.finish();
        }
        (1, 0) => {}
        (n, m) => {
            r.problem(Code::SigMultiple, msg!("sig-multiple", count = n + m));
            return r.finish();
        }
    }
    let sig = *dsig[0];
    r.signature_node = Some(sig.id());

    if let Some((ns, local)) = &profile.parent {
        let ok = sig.parent().is_some_and(|p| p.is(ns, local));
        if !ok {
            r.problem(
                Code::SigMisplaced,
                msg!("sig-misplaced", parent = local.as_str()),
            );
        }
    }

    // Ids must be unique: a second element with the same Id is the classic wrapping trick.
    let ids = match collect_ids(&all) {
        Ok(ids) => ids,
        Err(dup) => {
            r.problem(Code::SigDuplicateId, msg!("sig-duplicate-id", id = dup));
            return r.finish();
        }
    };

    // SignedInfo.
    let parts: Vec<ElementRef<'_>> = sig.child_elements().collect();
    let Some(signed_info) = parts
        .first()
        .filter(|e| e.is(XMLDSIG_NS, "SignedInfo"))
        .copied()
    else {
        r.problem(Code::SigMalformed, msg!("sig-no-signed-info"));
        return r.finish();
    };
    let Some(sig_value_el) = parts
        .get(1)
        .filter(|e| e.is(XMLDSIG_NS, "SignatureValue"))
        .copied()
    else {
        r.problem(Code::SigMalformed, msg!("sig-no-signature-value"));
        return r.finish();
    };
    let key_info = parts.iter().find(|e| e.is(XMLDSIG_NS, "KeyInfo")).copied();
    let si: Vec<ElementRef<'_>> = signed_info.child_elements().collect();
    let (Some(cm), Some(sm)) = (
        si.first()
            .filter(|e| e.is(XMLDSIG_NS, "CanonicalizationMethod")),
        si.get(1).filter(|e| e.is(XMLDSIG_NS, "SignatureMethod")),
    ) else {
        r.problem(Code::SigMalformed, msg!("sig-signed-info-start"));
        return r.finish();
    };
    let cm_uri = cm.attribute(None, "Algorithm").unwrap_or("");
    let si_method = match c14n_method(cm) {
        Ok(m) => m,
        Err(Unsupported::Legacy) => {
            r.verdict = Verdict::Legacy;
            r.problem(Code::SigLegacy, msg!("sig-legacy-c14n", uri = cm_uri));
            return r.finish();
        }
        Err(Unsupported::Refused(why)) => {
            r.problem(Code::SigUnsupported, why);
            return r.finish();
        }
    };
    r.canonicalization = Some(cm_uri.to_owned());
    let sm_uri = sm.attribute(None, "Algorithm").unwrap_or("");
    let Some(alg) = SignatureAlgorithm::from_uri(sm_uri) else {
        if sm_uri.to_ascii_lowercase().contains("hmac") {
            r.problem(Code::SigHmac, msg!("sig-hmac"));
        } else {
            r.problem(
                Code::SigUnsupported,
                msg!("sig-unsupported-method", uri = sm_uri),
            );
        }
        return r.finish();
    };
    r.algorithm = Some(alg.name().to_owned());
    if alg.is_weak() {
        r.weak = true;
    }

    // References.
    let refs: Vec<ElementRef<'_>> = si[2..].to_vec();
    if refs.is_empty() || refs.iter().any(|e| !e.is(XMLDSIG_NS, "Reference")) {
        r.problem(Code::SigMalformed, msg!("sig-signed-info-references"));
        return r.finish();
    }
    let mut digests_ok = true;
    let mut covered_root = false;
    let mut digest_names: Vec<&str> = Vec::new();
    let mut covered_elements: Vec<(String, String)> = Vec::new();
    for reference in &refs {
        match check_reference(doc, reference, sig.id(), &ids) {
            Ok(checked) => {
                if checked.apex == doc.root() {
                    covered_root = true;
                }
                if !digest_names.contains(&checked.digest.name()) {
                    digest_names.push(checked.digest.name());
                }
                if checked.digest.is_weak() {
                    r.weak = true;
                }
                let describe = checked.target.describe();
                r.covers.push(describe.render(Lang::En));
                r.cover_msgs.push(describe);
                if !checked.matches {
                    digests_ok = false;
                    r.problem(Code::SigDigestMismatch, checked.target.mismatch());
                }
                if let Target::Element { name, uri } = checked.target {
                    covered_elements.push((name, uri));
                }
            }
            Err(Unsupported::Legacy) => {
                r.verdict = Verdict::Legacy;
                r.problem(Code::SigLegacy, msg!("sig-legacy-transform"));
                return r.finish();
            }
            Err(Unsupported::Refused(why)) => {
                r.problem(Code::SigRefusedReference, why);
                return r.finish();
            }
        }
    }
    r.digest = Some(digest_names.join(", "));
    if profile.cover_root && !covered_root {
        let partial = match covered_elements.as_slice() {
            [(name, uri)] => msg!("sig-partial-element", name = name, uri = uri),
            _ => msg!("sig-partial", covers = r.covers.join(", ")),
        };
        r.problem(Code::SigPartial, partial);
    }

    // Certificates.
    let certs = match key_info.as_ref().map(certificates) {
        Some(Ok(c)) if !c.is_empty() => c,
        Some(Err(why)) => {
            r.problem(Code::SigKeyInfo, why);
            return r.finish();
        }
        _ => {
            r.problem(Code::SigNoCertificate, msg!("sig-no-certificate"));
            return r.finish();
        }
    };
    let infos: Vec<Option<CertInfo>> = certs.iter().map(|c| trust::cert_info(c).ok()).collect();

    // Signature value over the canonical SignedInfo.
    let value = match decode_b64(&sig_value_el.text()) {
        Some(v) => v,
        None => {
            r.problem(Code::SigMalformed, msg!("sig-bad-signature-value-base64"));
            return r.finish();
        }
    };
    let canonical =
        match c14n::canonicalize_to_vec(doc, NodeSet::subtree(signed_info.id()), &si_method) {
            Ok(c) => c,
            Err(e) => {
                r.problem(Code::SigC14n, e.msg());
                return r.finish();
            }
        };
    let signer_idx = certs.iter().position(|c| {
        crate::keys::cert_public_key(c).is_ok_and(|pk| {
            ring::signature::UnparsedPublicKey::new(alg.ring(), pk)
                .verify(&canonical, &value)
                .is_ok()
        })
    });
    let leaf_idx = signer_idx
        .or_else(|| {
            infos
                .iter()
                .position(|i| i.as_ref().is_some_and(|i| !i.is_ca))
        })
        .unwrap_or(0);
    if signer_idx.is_none() {
        r.problem(Code::SigBadValue, msg!("sig-bad-value"));
    }
    r.intact = signer_idx.is_some() && digests_ok;
    if alg.is_weak() || digest_names.contains(&"SHA-1") {
        let digest = r.digest.clone().unwrap_or_default();
        r.problem(
            Code::SigWeak,
            msg!("sig-weak", algorithm = alg.name(), digest = digest),
        );
    }

    // Trust.
    let Some(Some(leaf_info)) = infos.get(leaf_idx).cloned() else {
        r.problem(Code::CertMalformed, msg!("sig-cert-unreadable"));
        return r.finish();
    };
    let leaf = &certs[leaf_idx];
    let intermediates: Vec<CertificateDer<'_>> = certs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != leaf_idx)
        .map(|(_, c)| c.clone())
        .collect();
    let outcome = trust::check_signer(policy.trust, leaf, &intermediates, policy.at, &leaf_info);
    let certificate_ok = outcome.problems.is_empty();
    for (code, message) in outcome.problems {
        r.problem(code, message);
    }
    for message in outcome.notes {
        r.note(message);
    }
    r.chain = outcome.chain;

    // Which agency the signer speaks for.
    let pinned = policy
        .trust
        .pinned_agency(&leaf_info.fingerprint)
        .map(str::to_owned);
    let agency = leaf_info.agencies.first().cloned().or(pinned.clone());
    if let Some(expected) = &policy.expected_agency {
        let speaks = std::iter::once(&expected.code)
            .chain(&expected.other_codes)
            .any(|code| {
                leaf_info.agencies.contains(code)
                    || pinned.as_deref() == Some(code.as_str())
                    || leaf_info.subject_values.contains(code)
            });
        if !speaks {
            let who = leaf_info
                .organization
                .clone()
                .unwrap_or_else(|| leaf_info.subject.clone());
            // Names and codes only: the same in every language.
            let who = match &agency {
                Some(a) => format!("{who} ({a})"),
                None => who,
            };
            let claimed = match &expected.name {
                Some(n) => format!("{n} ({})", expected.code),
                None => expected.code.clone(),
            };
            // A trusted certificate that names no agency code at all may be the agency's own
            // from a CA that cannot name codes: say how to pin it. (Not for one that names
            // another agency, nor one whose chain failed: a pin would not be the fix.)
            let names_a_code = leaf_info
                .subject_values
                .iter()
                .any(|v| looks_like_agency_code(v));
            let message = if agency.is_none() && certificate_ok && !names_a_code {
                msg!(
                    "sig-wrong-agency-pin",
                    who = who,
                    claimed = claimed,
                    code = expected.code.as_str(),
                    fingerprint = leaf_info.fingerprint_sha256.as_str()
                )
            } else {
                msg!("sig-wrong-agency", who = who, claimed = claimed)
            };
            r.problem(Code::SigWrongAgency, message);
        }
    }
    r.signer = Some(Signer {
        subject: leaf_info.subject.clone(),
        agency: agency.or_else(|| {
            policy
                .expected_agency
                .as_ref()
                .filter(|e| leaf_info.subject_values.contains(&e.code))
                .map(|e| e.code.clone())
        }),
        certificate: leaf_info,
    });
    r.finish()
}

enum Unsupported {
    Legacy,
    Refused(Msg),
}

fn c14n_method(e: &ElementRef<'_>) -> Result<Method, Unsupported> {
    let uri = e.attribute(None, "Algorithm").unwrap_or("");
    if uri == c14n::uri::LEGACY_SDK_EXC_C14N {
        return Err(Unsupported::Legacy);
    }
    let mut m = Method::from_uri(uri)
        .ok_or_else(|| Unsupported::Refused(msg!("sig-unsupported-c14n", uri = uri)))?;
    if let Method::Exclusive {
        inclusive_prefixes, ..
    } = &mut m
        && let Some(inc) = e.child(EXC_NS, "InclusiveNamespaces")
    {
        *inclusive_prefixes = inc
            .attribute(None, "PrefixList")
            .unwrap_or("")
            .split_ascii_whitespace()
            .map(str::to_owned)
            .collect();
    }
    Ok(m)
}

struct CheckedRef {
    apex: NodeId,
    target: Target,
    digest: DigestAlgorithm,
    matches: bool,
}

/// What a reference points at.
enum Target {
    /// `URI=""`.
    Whole,
    /// `URI="#id"`: the element's local name and the URI.
    Element { name: String, uri: String },
}

impl Target {
    /// "the whole document", "element <x> (#id)".
    fn describe(&self) -> Msg {
        match self {
            Target::Whole => msg!("sig-covers-whole"),
            Target::Element { name, uri } => msg!("sig-covers-element", name = name, uri = uri),
        }
    }

    /// The digest of what it points at does not match.
    fn mismatch(&self) -> Msg {
        match self {
            Target::Whole => msg!("sig-digest-mismatch-whole"),
            Target::Element { name, uri } => {
                msg!("sig-digest-mismatch-element", name = name, uri = uri)
            }
        }
    }
}

fn check_reference(
    doc: &Document,
    reference: &ElementRef<'_>,
    signature: NodeId,
    ids: &[(String, NodeId)],
) -> Result<CheckedRef, Unsupported> {
    let Some(uri) = reference.attribute(None, "URI") else {
        return Err(Unsupported::Refused(msg!("sig-ref-no-uri")));
    };
    let (apex, target) = if uri.is_empty() {
        (doc.root(), Target::Whole)
    } else if let Some(id) = uri.strip_prefix('#') {
        if id.starts_with("xpointer(") {
            return Err(Unsupported::Refused(msg!("sig-ref-xpointer", uri = uri)));
        }
        let Some((_, node)) = ids.iter().find(|(i, _)| i == id) else {
            return Err(Unsupported::Refused(msg!("sig-ref-dangling", uri = uri)));
        };
        let name = doc
            .element(*node)
            .map_or_else(String::new, |e| e.name.local.to_string());
        (
            *node,
            Target::Element {
                name,
                uri: uri.to_owned(),
            },
        )
    } else {
        return Err(Unsupported::Refused(msg!("sig-ref-external", uri = uri)));
    };

    let mut enveloped = false;
    let mut method: Option<Method> = None;
    let children: Vec<ElementRef<'_>> = reference.child_elements().collect();
    let mut i = 0;
    if let Some(t) = children.first().filter(|e| e.is(XMLDSIG_NS, "Transforms")) {
        i = 1;
        for tr in t.child_elements() {
            if !tr.is(XMLDSIG_NS, "Transform") {
                return Err(Unsupported::Refused(msg!("sig-transforms-other")));
            }
            let alg = tr.attribute(None, "Algorithm").unwrap_or("");
            if alg == ENVELOPED && !enveloped && method.is_none() {
                enveloped = true;
            } else if alg == c14n::uri::LEGACY_SDK_EXC_C14N {
                return Err(Unsupported::Legacy);
            } else if let Ok(m) = c14n_method(&tr) {
                if method.is_some() {
                    return Err(Unsupported::Refused(msg!("sig-transforms-two-c14n")));
                }
                method = Some(m);
            } else {
                let what = match alg {
                    "http://www.w3.org/TR/1999/REC-xpath-19991116" => msg!("sig-transform-xpath"),
                    "http://www.w3.org/2002/06/xmldsig-filter2" => msg!("sig-transform-xpath2"),
                    "http://www.w3.org/TR/1999/REC-xslt-19991116" => msg!("sig-transform-xslt"),
                    "http://www.w3.org/2000/09/xmldsig#base64" => msg!("sig-transform-base64"),
                    other => msg!("sig-transform-unsupported", uri = other),
                };
                return Err(Unsupported::Refused(what));
            }
        }
    }
    let (Some(dm), Some(dv)) = (
        children.get(i).filter(|e| e.is(XMLDSIG_NS, "DigestMethod")),
        children
            .get(i + 1)
            .filter(|e| e.is(XMLDSIG_NS, "DigestValue")),
    ) else {
        return Err(Unsupported::Refused(msg!("sig-ref-digest-parts")));
    };
    let dm_uri = dm.attribute(None, "Algorithm").unwrap_or("");
    let digest = DigestAlgorithm::from_uri(dm_uri)
        .ok_or_else(|| Unsupported::Refused(msg!("sig-unsupported-digest", uri = dm_uri)))?;
    let expected = decode_b64(&dv.text())
        .ok_or_else(|| Unsupported::Refused(msg!("sig-bad-digest-base64")))?;
    // Without a canonicalization transform, the node-set is serialized with C14N 1.0.
    let method = method.unwrap_or(Method::Inclusive { comments: false });
    let mut set = if apex == doc.root() && uri.is_empty() {
        NodeSet::document()
    } else {
        NodeSet::subtree(apex)
    };
    if enveloped {
        set = set.without(signature);
    }
    let mut ctx = ring::digest::Context::new(digest.ring());
    c14n::canonicalize(doc, set, &method, &mut ctx).map_err(|e| Unsupported::Refused(e.msg()))?;
    let actual = ctx.finish();
    Ok(CheckedRef {
        apex,
        target,
        digest,
        matches: constant_time_eq(actual.as_ref(), &expected),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn decode_b64(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

fn collect_ids(all: &[ElementRef<'_>]) -> Result<Vec<(String, NodeId)>, String> {
    let mut ids: Vec<(String, NodeId)> = Vec::new();
    for e in all {
        for a in &e.element().attributes {
            let is_id = match a.name.namespace.as_deref() {
                None => matches!(&*a.name.local, "Id" | "ID" | "id"),
                Some(XML_NS) => &*a.name.local == "id",
                Some(_) => false,
            };
            if is_id {
                if ids.iter().any(|(v, _)| *v == a.value) {
                    return Err(a.value.clone());
                }
                ids.push((a.value.clone(), e.id()));
            }
        }
    }
    Ok(ids)
}

fn certificates(key_info: &ElementRef<'_>) -> Result<Vec<CertificateDer<'static>>, Msg> {
    let mut out = Vec::new();
    for d in key_info.descendants() {
        if d.local_name() == "RetrievalMethod" {
            return Err(msg!("sig-retrieval-method"));
        }
        if d.is(XMLDSIG_NS, "X509Certificate") {
            let der = decode_b64(&d.text()).ok_or_else(|| msg!("sig-bad-certificate-base64"))?;
            out.push(CertificateDer::from(der));
        }
    }
    Ok(out)
}

/// Whether `s` has the shape of an agency code (QĐ 20/2020: `000.00.11.H50`).
fn looks_like_agency_code(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() == 13
        && b.iter().enumerate().all(|(i, c)| match i {
            3 | 6 | 9 => *c == b'.',
            10 => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        })
}
