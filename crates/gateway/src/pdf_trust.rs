//! The trust for the signatures inside PDF attachments, read from the files `[trust]`
//! names: the Government CA shipped with lienthong (unless `government_ca = false`), the
//! document roots, `pdf_roots`, `pdf_intermediates` and the CRLs, with the directory's
//! pinned signing certificates.

use std::path::PathBuf;

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

impl PdfTrustFiles {
    /// The files `[trust]` names.
    pub fn of(t: &TrustSection) -> PdfTrustFiles {
        PdfTrustFiles {
            government: t.government_ca,
            roots: t
                .document_roots
                .iter()
                .chain(&t.pdf_roots)
                .cloned()
                .collect(),
            intermediates: t.pdf_intermediates.clone(),
            crls: t.crls.clone(),
        }
    }

    /// Read them; the first file that cannot be used is the error.
    pub fn load(&self, directory: &lienthong_routing::Directory) -> Result<PdfTrust, String> {
        let mut t = if self.government {
            PdfTrust::government()
        } else {
            PdfTrust::new()
        };
        let read = |p: &PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        for p in &self.roots {
            t.add_roots_pem(&read(p)?)
                .map_err(|e| format!("{}: {e}", p.display()))?;
        }
        for p in &self.intermediates {
            t.add_intermediates_pem(&read(p)?)
                .map_err(|e| format!("{}: {e}", p.display()))?;
        }
        for p in &self.crls {
            t.add_crls(&read(p)?)
                .map_err(|e| format!("{}: {e}", p.display()))?;
        }
        Ok(with_pins(t, directory))
    }
}

/// `trust` with the directory's pinned signing certificates (and no others).
pub fn with_pins(mut trust: PdfTrust, directory: &lienthong_routing::Directory) -> PdfTrust {
    trust.set_pins(directory.signer_pins().map(|(fp, c)| (fp, c.to_string())));
    trust
}
