//! Errors of signing and of reading signatures and keys. A verification that runs to the
//! end never fails with an error: it returns a [`crate::Report`] with its problems.

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
    pub fn code(&self) -> &'static str {
        match self {
            DsigError::Xml(e) => e.code(),
            DsigError::Key(_) => "dsig.key",
            DsigError::Certificate(_) => "dsig.certificate",
            DsigError::Sign(_) => "dsig.sign",
            DsigError::C14n(_) => "dsig.c14n",
            DsigError::Receipt(_) => "dsig.receipt",
        }
    }
}
