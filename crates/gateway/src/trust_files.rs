//! The trust a gateway reads from files: the federation CA(s) for peers' receipts, the
//! roots and CRLs for agencies' document signatures, and for the signatures inside PDF
//! attachments the Government CA shipped with lienthong (unless `government_ca = false`),
//! the document roots, `pdf_roots`, `pdf_intermediates` and the CRLs; each with the
//! directory's pinned signing certificates.

use std::path::PathBuf;

use lienthong_dsig::TrustStore;
use lienthong_pdfsig::PdfTrust;

use crate::config::TrustSection;

/// The files, kept to read again on a reload.
#[derive(Debug, Clone, Default)]
pub struct PdfTrustFiles {
    government: bool,
    roots: Vec<PathBuf>,
    intermediates: Vec<PathBuf>,
    crls: Vec<PathBuf>,
}

/// Which kind of file could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfTrustFile {
    /// A root or intermediate certificate.
    Certificate,
    /// A revocation list.
    Crl,
}

impl PdfTrustFiles {
    /// These files, with or without the Government CA shipped with lienthong.
    pub fn new(
        government: bool,
        roots: Vec<PathBuf>,
        intermediates: Vec<PathBuf>,
        crls: Vec<PathBuf>,
    ) -> PdfTrustFiles {
        PdfTrustFiles {
            government,
            roots,
            intermediates,
            crls,
        }
    }

    /// The files `[trust]` names.
    pub fn of(t: &TrustSection) -> PdfTrustFiles {
        PdfTrustFiles::new(
            t.government_ca,
            t.document_roots
                .iter()
                .chain(&t.pdf_roots)
                .cloned()
                .collect(),
            t.pdf_intermediates.clone(),
            t.crls.clone(),
        )
    }

    /// Read them, with these pinned signing certificates; the first file that cannot be
    /// used is the error, with its kind.
    pub fn read(
        &self,
        pins: impl IntoIterator<Item = ([u8; 32], String)>,
    ) -> Result<PdfTrust, (PdfTrustFile, String)> {
        let mut t = if self.government {
            PdfTrust::government()
        } else {
            PdfTrust::new()
        };
        let cert = |m: String| (PdfTrustFile::Certificate, m);
        for p in &self.roots {
            t.add_roots_pem(&read_file(p).map_err(cert)?)
                .map_err(|e| cert(format!("{}: {e}", p.display())))?;
        }
        for p in &self.intermediates {
            t.add_intermediates_pem(&read_file(p).map_err(cert)?)
                .map_err(|e| cert(format!("{}: {e}", p.display())))?;
        }
        let crl = |m: String| (PdfTrustFile::Crl, m);
        for p in &self.crls {
            t.add_crls(&read_file(p).map_err(crl)?)
                .map_err(|e| crl(format!("{}: {e}", p.display())))?;
        }
        t.set_pins(pins);
        Ok(t)
    }

    /// Read them, with the directory's pinned signing certificates.
    pub fn load(&self, directory: &lienthong_routing::Directory) -> Result<PdfTrust, String> {
        self.read(directory.signer_pins().map(|(fp, c)| (fp, c.to_string())))
            .map_err(|(_, m)| m)
    }
}

fn read_file(p: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// The trust for peers' receipts (and our own signing certificate): the federation CA(s).
pub(crate) fn load_gateway_trust(client_ca: &[std::path::PathBuf]) -> Result<TrustStore, String> {
    let mut trust = TrustStore::new();
    for r in client_ca {
        trust
            .add_roots_pem(&read_file(r)?)
            .map_err(|e| format!("{}: {e}", r.display()))?;
    }
    Ok(trust)
}

/// The trust for agencies' document signatures: roots and CRLs.
pub(crate) fn load_doc_trust(
    roots: &[std::path::PathBuf],
    crls: &[std::path::PathBuf],
) -> Result<TrustStore, String> {
    let mut trust = TrustStore::new();
    for r in roots {
        trust
            .add_roots_pem(&read_file(r)?)
            .map_err(|e| format!("{}: {e}", r.display()))?;
    }
    for r in crls {
        trust
            .add_crls(&read_file(r)?)
            .map_err(|e| format!("{}: {e}", r.display()))?;
    }
    Ok(trust)
}

/// `trust` with the directory's pinned signing certificates (and no others).
pub(crate) fn with_pins(
    mut trust: TrustStore,
    directory: &lienthong_routing::Directory,
) -> TrustStore {
    trust.set_pins(
        directory
            .signer_pins()
            .map(|(fp, code)| (fp, code.to_string())),
    );
    trust
}

/// `pdf_trust` with the directory's pinned signing certificates (and no others).
pub fn pdf_with_pins(mut trust: PdfTrust, directory: &lienthong_routing::Directory) -> PdfTrust {
    trust.set_pins(directory.signer_pins().map(|(fp, c)| (fp, c.to_string())));
    trust
}
