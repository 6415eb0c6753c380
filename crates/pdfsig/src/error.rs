//! The error that stops reading a file: a stable code, what went wrong, and where (a byte
//! offset in the file, when there is one).

use lienthong_types::Code;

/// Why a PDF could not be read at all (as opposed to a signature that does not hold,
/// which is a finding in the report).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}{}", at.map(|a| format!(" (at byte {a})")).unwrap_or_default())]
pub struct PdfError {
    /// The stable code (`pdf.*`).
    pub code: Code,
    /// What went wrong, for people.
    pub what: String,
    /// The byte offset in the file where it went wrong, if known.
    pub at: Option<usize>,
}

impl PdfError {
    pub(crate) fn new(code: Code, what: impl Into<String>, at: Option<usize>) -> PdfError {
        PdfError {
            code,
            what: what.into(),
            at,
        }
    }

    pub(crate) fn syntax(what: impl Into<String>, at: usize) -> PdfError {
        PdfError::new(Code::PdfUnreadable, what, Some(at))
    }

    pub(crate) fn limit(what: impl Into<String>, at: Option<usize>) -> PdfError {
        PdfError::new(Code::PdfTooComplex, what, at)
    }

    pub(crate) fn xref(what: impl Into<String>, at: Option<usize>) -> PdfError {
        PdfError::new(Code::PdfXref, what, at)
    }
}
