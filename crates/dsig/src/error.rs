//! Errors of signing and of reading signatures and keys. A verification that runs to the
//! end never fails with an error: it returns a [`crate::Report`] with its problems.

use lienthong_types::Code;
/// What stopped an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsigError {
    /// The input is not readable XML.
    #[error("not readable as XML: {0}")]
    Xml(#[from] lienthong_xml::Error),
    /// A private key problem.
    #[error("key: {0}")]
    Key(String),
    /// A certificate problem.
    #[error("certificate: {0}")]
    Certificate(String),
    /// The document cannot be signed as asked.
    #[error("cannot sign: {0}")]
    Sign(String),
    /// Canonicalization failed.
    #[error("canonicalization: {0}")]
    C14n(#[from] crate::c14n::C14nError),
    /// A receipt is malformed.
    #[error("receipt: {0}")]
    Receipt(String),
}

impl DsigError {
    /// A stable machine-readable code.
    pub fn code(&self) -> Code {
        match self {
            DsigError::Xml(e) => e.code(),
            DsigError::Key(_) => Code::DsigKey,
            DsigError::Certificate(_) => Code::DsigCertificate,
            DsigError::Sign(_) => Code::DsigSign,
            DsigError::C14n(_) => Code::DsigC14n,
            DsigError::Receipt(_) => Code::DsigReceipt,
        }
    }
}
