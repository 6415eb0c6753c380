//! How much of a file the verifier will read: every limit on input in one place.

/// Limits on what one file may cost. The defaults admit any real document seen in
/// government traffic (tens of megabytes, a few revisions) with a wide margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read (bytes).
    pub max_file_bytes: usize,
    /// Most revisions (incremental updates plus the original).
    pub max_revisions: usize,
    /// Most cross-reference entries over all revisions.
    pub max_objects: usize,
    /// Largest decompressed size of one stream (bytes).
    pub max_inflated_stream: usize,
    /// Largest decompressed size of all streams read for one file (bytes).
    pub max_inflated_total: usize,
    /// Most signatures examined.
    pub max_signatures: usize,
    /// Most form fields walked looking for signatures.
    pub max_fields: usize,
    /// Largest `/Contents` (the CMS) of one signature (bytes, decoded).
    pub max_contents_bytes: usize,
    /// Most certificates in one CMS.
    pub max_certificates: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 64 << 20,
            max_revisions: 1000,
            max_objects: 1_000_000,
            max_inflated_stream: 32 << 20,
            max_inflated_total: 128 << 20,
            max_signatures: 64,
            max_fields: 20_000,
            max_contents_bytes: 1 << 20,
            max_certificates: 64,
        }
    }
}
