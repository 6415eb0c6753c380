//! The report on a file's signatures, shaped for `lienthong verify --json` and for the
//! gateway's signature view.

use lienthong_i18n::{Arg, Lang, Msg};
use lienthong_types::Code;
use serde::Serialize;

use crate::trust::ChainLink;

/// A verdict on one signature or on the whole file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Intact, unchanged since (or changed only as allowed), and trusted at the signing time.
    Valid,
    /// As valid, but with a weak algorithm (SHA-1, or RSA under 2048 bits).
    Weak,
    /// Intact, but the signer does not chain to a trusted root.
    Untrusted,
    /// There is no signature.
    Unsigned,
    /// Broken: changed, forged, revoked, expired, or unreadable.
    Invalid,
}

impl Verdict {
    /// The stable string.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Weak => "weak",
            Verdict::Untrusted => "untrusted",
            Verdict::Unsigned => "unsigned",
            Verdict::Invalid => "invalid",
        }
    }
}

/// Person or organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A competent person (the blue signature).
    Person,
    /// The organisation, applied by the clerk (the red seal).
    Organisation,
    /// A document time-stamp (`ETSI.RFC3161`) by a time-stamping authority: proves when,
    /// not who.
    Timestamp,
}

/// Who signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// Subject distinguished name.
    pub subject: String,
    /// Common name.
    pub common_name: Option<String>,
    /// Organisation (O).
    pub organisation: Option<String>,
    /// The agency code the certificate speaks for, if it names or is pinned to one.
    pub agency: Option<String>,
    /// Tax code (`UID=MST:…`).
    pub mst: Option<String>,
    /// Budget-unit code (`UID=MNS:…`).
    pub mns: Option<String>,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the certificate, hex.
    pub fingerprint_sha256: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Validity, RFC 3339.
    pub not_before: String,
    /// Validity, RFC 3339.
    pub not_after: String,
}

/// The RFC 3161 time-stamp on a signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timestamp {
    /// The time it proves (RFC 3339), if readable.
    pub time: Option<String>,
    /// The time-stamping authority (subject of its certificate).
    pub tsa: Option<String>,
    /// The token is intact, matches the signature, and its TSA chains to a trusted root.
    pub valid: bool,
    /// It uses a weak algorithm (a SHA-1 imprint or digest, a SHA-1 link).
    pub weak: bool,
    /// The imprint's hash algorithm.
    pub imprint_algorithm: String,
    /// The TSA's certificate path.
    pub chain: Vec<ChainLink>,
    /// Why it does not hold, if it does not.
    pub problems: Vec<String>,
    /// `problems` as catalog messages, in the same order (English is `problems`).
    #[serde(skip)]
    pub problem_msgs: Vec<Msg>,
}

impl Timestamp {
    pub(crate) fn problem(&mut self, what: Msg) {
        self.problems.push(what.render(Lang::En));
        self.problem_msgs.push(what);
    }

    /// Its problems as one value of a message, joined by "; " in the reader's language.
    pub(crate) fn problem_list(&self) -> Arg {
        Arg::Msgs(self.problem_msgs.clone())
    }
}

/// What a signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Covers {
    /// The signature covers the whole file as it is.
    pub whole_file: bool,
    /// The revision it covers (1 is the original file), if it ends at one.
    pub revision: Option<usize>,
    /// How many revisions the file has.
    pub revisions: usize,
    /// What was added or changed after it: `signatures`, `metadata`, `form_fields`,
    /// `annotations`, `pages`, `content`, `other`.
    pub changes_after: Vec<&'static str>,
}

/// One signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureReport {
    /// 1-based, in signing order.
    pub index: usize,
    /// The signature field's name.
    pub field: String,
    /// `/SubFilter`.
    pub subfilter: String,
    /// Person or organisation.
    pub role: Role,
    /// This signature's verdict.
    pub verdict: Verdict,
    /// Is the verdict `valid`?
    pub valid: bool,
    /// Who signed, if the certificate was found.
    pub signer: Option<Signer>,
    /// The signing time the signer claims (signingTime, else `/M`), RFC 3339.
    pub signing_time_claimed: Option<String>,
    /// The time the validity of the certificates was judged at, RFC 3339.
    pub checked_at: String,
    /// The time-stamp, if there is one.
    pub timestamp: Option<Timestamp>,
    /// What it covers.
    pub covers: Covers,
    /// The bytes signed are unchanged and the signature value verifies with the
    /// certificate's key.
    pub intact: bool,
    /// The certificate chains to a trusted root, valid at the signing time and not revoked.
    pub trusted: bool,
    /// `checked` (a CRL covered the signer), `unchecked` (none did) or `revoked`.
    pub revocation: &'static str,
    /// The signer's certificate path.
    pub chain: Vec<ChainLink>,
    /// Digest and signature algorithm, and the key.
    pub algorithm: String,
    /// A weak algorithm somewhere in the signature or its chain.
    pub weak: bool,
    /// What is wrong, for people.
    pub problems: Vec<String>,
    /// The stable codes of `problems`, in the same order.
    pub problem_codes: Vec<Code>,
    /// What is worth knowing but does not invalidate, for people.
    pub notes: Vec<String>,
    /// The stable codes of `notes`, in the same order.
    pub note_codes: Vec<Code>,
    /// `problems` as catalog messages, to be put in the reader's language; in the same
    /// order (English is `problems`).
    #[serde(skip)]
    pub problem_msgs: Vec<Msg>,
    /// `notes` as catalog messages, in the same order (English is `notes`).
    #[serde(skip)]
    pub note_msgs: Vec<Msg>,
    /// What the certificate says of the role: organisation, person, or unclear.
    #[serde(skip)]
    pub(crate) organisation_cert: Option<bool>,
}

impl SignatureReport {
    pub(crate) fn problem(&mut self, code: Code, what: Msg) {
        self.problems.push(what.render(Lang::En));
        self.problem_msgs.push(what);
        self.problem_codes.push(code);
    }

    pub(crate) fn note(&mut self, code: Code, what: Msg) {
        self.notes.push(what.render(Lang::En));
        self.note_msgs.push(what);
        self.note_codes.push(code);
    }
}

/// `m` with its `prefix` value set to the message `id` (the chain's problems name whose
/// chain it is that way).
pub(crate) fn prefixed(mut m: Msg, id: &'static str) -> Msg {
    for (k, v) in &mut m.args {
        if *k == "prefix" {
            *v = Arg::Msg(id);
        }
    }
    m
}

/// The report on a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PdfReport {
    /// Is the verdict `valid`?
    pub valid: bool,
    /// The file's verdict: the worst of its signatures', or `unsigned`.
    pub verdict: Verdict,
    /// The file's name, when known (set by the caller).
    pub file: Option<String>,
    /// How many revisions the file has.
    pub revisions: usize,
    /// Every signature, in signing order.
    pub signatures: Vec<SignatureReport>,
}

impl PdfReport {
    /// The signatures that are valid organisation signatures for `agency`.
    pub fn organisation_signed_by(&self, agency: &str) -> bool {
        self.signatures.iter().any(|s| {
            s.valid
                && s.role == Role::Organisation
                && s.signer.as_ref().and_then(|x| x.agency.as_deref()) == Some(agency)
        })
    }
}

/// Unix seconds as RFC 3339 (UTC).
pub(crate) fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| secs.to_string())
}
