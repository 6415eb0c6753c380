//! Where a file's signatures are (signature fields of the AcroForm, with their values),
//! whether the file is certified (DocMDP), and what each revision after a signature added
//! or changed, sorted into what a signature allows and what it does not.

use std::collections::HashSet;

use crate::doc::{Doc, Entry};
use crate::error::PdfError;
use crate::object::{Dict, Obj};

/// A signature field with a value.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The field's full name (`/T` of it and its ancestors joined by `.`).
    pub(crate) field: String,
    /// The signature dictionary.
    pub(crate) sig: Dict,
    /// Its object number, when it is an indirect object (as it must be).
    pub(crate) sig_num: Option<u32>,
}

/// Every signature field with a value, as of the newest revision.
pub(crate) fn signatures(doc: &Doc<'_>) -> Result<Vec<Found>, PdfError> {
    let rev = doc.newest();
    let catalog = doc.catalog(rev)?;
    let Some(acro) = catalog.get(b"AcroForm") else {
        return Ok(Vec::new());
    };
    let acro = match doc.resolve(acro, rev)? {
        Obj::Dict(d) => d,
        _ => return Ok(Vec::new()),
    };
    let fields = match acro
        .get(b"Fields")
        .map(|f| doc.resolve(f, rev))
        .transpose()?
    {
        Some(Obj::Array(a)) => a,
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut walked = 0usize;
    // (field, inherited FT, parent name, depth)
    let mut stack: Vec<(Obj, Option<Vec<u8>>, String, usize)> = fields
        .into_iter()
        .rev()
        .map(|f| (f, None, String::new(), 0))
        .collect();
    while let Some((f, ft, parent, depth)) = stack.pop() {
        walked += 1;
        if walked > doc.limits.max_fields {
            return Err(PdfError::limit(
                format!("more than {} form fields", doc.limits.max_fields),
                None,
            ));
        }
        if depth > crate::object::MAX_DEPTH {
            return Err(PdfError::limit("form fields nested too deeply", None));
        }
        if let Obj::Ref(n, _) = f
            && !seen.insert(n)
        {
            continue; // a field reached twice (or a cycle)
        }
        let Obj::Dict(d) = doc.resolve(&f, rev)? else {
            continue;
        };
        let name = match d.get(b"T") {
            Some(Obj::Str(t)) => {
                let t = text(t);
                if parent.is_empty() {
                    t
                } else {
                    format!("{parent}.{t}")
                }
            }
            _ => parent.clone(),
        };
        let ft = d.name(b"FT").map(<[u8]>::to_vec).or(ft);
        if let Some(Obj::Array(kids)) = d.get(b"Kids").map(|k| doc.resolve(k, rev)).transpose()? {
            for k in kids.into_iter().rev() {
                stack.push((k, ft.clone(), name.clone(), depth + 1));
            }
        }
        if ft.as_deref() == Some(b"Sig")
            && let Some(v) = d.get(b"V")
        {
            let sig_num = match v {
                Obj::Ref(n, _) => Some(*n),
                _ => None,
            };
            if let Obj::Dict(sig) = doc.resolve(v, rev)? {
                if out.len() >= doc.limits.max_signatures {
                    return Err(PdfError::limit(
                        format!("more than {} signatures", doc.limits.max_signatures),
                        None,
                    ));
                }
                out.push(Found {
                    field: name,
                    sig,
                    sig_num,
                });
            }
        }
    }
    Ok(out)
}

/// The DocMDP permission (1, 2 or 3) of a certification signature, if `sig` is one.
pub(crate) fn docmdp(doc: &Doc<'_>, sig: &Dict) -> Option<i64> {
    let rev = doc.newest();
    let refs = match sig.get(b"Reference").map(|r| doc.resolve(r, rev)) {
        Some(Ok(Obj::Array(a))) => a,
        _ => return None,
    };
    for r in refs.iter().take(16) {
        let Ok(Obj::Dict(r)) = doc.resolve(r, rev) else {
            continue;
        };
        if r.name(b"TransformMethod") != Some(b"DocMDP") {
            continue;
        }
        let p = match r.get(b"TransformParams").map(|p| doc.resolve(p, rev)) {
            Some(Ok(Obj::Dict(p))) => p.int(b"P").unwrap_or(2),
            _ => 2,
        };
        return Some(p.clamp(1, 3));
    }
    None
}

/// Catalog entries that signing and validation data update (the signature fields, the
/// DocMDP permission, the document security store, the developer extension that PAdES
/// declares, the PDF version, XMP metadata): a catalog changed only in these is not a
/// change to the document.
const CATALOG_UPDATES: &[&[u8]] = &[
    b"AcroForm",
    b"DSS",
    b"Perms",
    b"Metadata",
    b"Extensions",
    b"Version",
];

/// A kind of change made after a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// Another signature, its field, its appearance (allowed unless DocMDP P=1).
    Signatures,
    /// Document information, metadata, validation data (allowed).
    Metadata,
    /// Form fields filled in.
    FormFields,
    /// Annotations (comments, stamps, links).
    Annotations,
    /// Pages added or removed.
    Pages,
    /// Page content or resources changed.
    Content,
    /// Anything else.
    Other,
}

impl Change {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Change::Signatures => "signatures",
            Change::Metadata => "metadata",
            Change::FormFields => "form_fields",
            Change::Annotations => "annotations",
            Change::Pages => "pages",
            Change::Content => "content",
            Change::Other => "other",
        }
    }

    /// The change in words, for a clerk: the catalog ids of the message alone (or first
    /// in a list) and after another (with the separator).
    pub(crate) fn message_ids(self) -> (&'static str, &'static str) {
        match self {
            Change::Signatures => ("pdf-change-signatures", "pdf-change-signatures-more"),
            Change::Metadata => ("pdf-change-metadata", "pdf-change-metadata-more"),
            Change::FormFields => ("pdf-change-form-fields", "pdf-change-form-fields-more"),
            Change::Annotations => ("pdf-change-annotations", "pdf-change-annotations-more"),
            Change::Pages => ("pdf-change-pages", "pdf-change-pages-more"),
            Change::Content => ("pdf-change-content", "pdf-change-content-more"),
            Change::Other => ("pdf-change-other", "pdf-change-other-more"),
        }
    }

    /// Does a signature with this DocMDP permission (None: an approval signature) allow
    /// the change? Later signatures, filled-in form fields and metadata, as pyHanko's
    /// standard policy: annotations are not among them (a comment can cover the text).
    pub(crate) fn allowed(self, p: Option<i64>) -> bool {
        match (self, p) {
            (_, Some(1)) => false,
            (Change::Signatures | Change::Metadata | Change::FormFields, _) => true,
            _ => false,
        }
    }
}

/// What the revisions after `rev` changed (sorted, each kind once).
pub(crate) fn changes_after(doc: &Doc<'_>, rev: usize) -> Result<Vec<Change>, PdfError> {
    let mut kinds = Vec::new();
    for later in rev + 1..doc.revisions.len() {
        let Some(r) = doc.revisions.get(later) else {
            continue;
        };
        for (&num, e) in &r.entries {
            if *e == Entry::Free || num == 0 {
                if *e == Entry::Free
                    && num != 0
                    && doc
                        .entry(num, later - 1)
                        .is_some_and(|(_, e)| e != Entry::Free)
                {
                    kinds.push(Change::Other); // an object deleted
                }
                continue;
            }
            let before = match doc.entry(num, later - 1) {
                Some((_, Entry::Free)) | None => None,
                Some(_) => doc.get(num, later - 1)?,
            };
            let now = doc.get(num, later)?.unwrap_or(Obj::Null);
            if before.as_ref() == Some(&now) && !is_stream(doc, num, later) {
                continue; // rewritten unchanged
            }
            kinds.push(classify(doc, num, later, before.as_ref(), &now)?);
        }
    }
    kinds.sort();
    kinds.dedup();
    Ok(kinds)
}

fn is_stream(doc: &Doc<'_>, num: u32, rev: usize) -> bool {
    matches!(doc.get_indirect(num, rev), Ok(Some((i, _))) if i.stream_at.is_some())
}

fn without<'a>(d: &'a Dict, keys: &[&[u8]]) -> Vec<&'a (Vec<u8>, Obj)> {
    d.0.iter()
        .filter(|(k, _)| !keys.contains(&k.as_slice()))
        .collect()
}

fn classify(
    doc: &Doc<'_>,
    num: u32,
    rev: usize,
    before: Option<&Obj>,
    now: &Obj,
) -> Result<Change, PdfError> {
    let new = before.is_none();
    let Obj::Dict(d) = now else {
        // an array: a new one, or one that only grew at its end (a page's annotations, a
        // content array), is judged by the objects it lists; one that lost or reordered
        // entries changes what is shown
        return Ok(match (before, now) {
            (None, Obj::Array(_)) => Change::Metadata,
            (Some(b), n @ Obj::Array(_)) if appended(Some(b), Some(n)) => Change::Metadata,
            (_, Obj::Array(_)) => Change::Content,
            _ => Change::Other,
        });
    };
    let bd = before.and_then(Obj::as_dict);
    let t = d.name(b"Type").unwrap_or_default();
    let stream = is_stream(doc, num, rev);
    Ok(match t {
        b"Sig" | b"DocTimeStamp" => Change::Signatures,
        b"XRef" | b"ObjStm" => Change::Metadata,
        b"DSS" | b"VRI" | b"Metadata" => Change::Metadata,
        // a new font for an appearance; a changed one would redraw the signed text
        b"Font" | b"FontDescriptor" | b"Encoding" if new => Change::Metadata,
        b"Font" | b"FontDescriptor" | b"Encoding" => Change::Content,
        b"Annot" => match (bd, annot_kind(doc, d, rev)) {
            // a signature field signed before: its widget may not change
            (Some(b), _) if b.get(b"V").is_some() && d.name(b"FT") == Some(b"Sig") => Change::Other,
            // a new widget of a field that is not a signature: a new form field drawn on the
            // page, not one filled in
            (None, Change::FormFields) => Change::Other,
            (_, kind) => kind,
        },
        b"Page" => match bd {
            None => Change::Pages,
            Some(b)
                if without(b, &[b"Annots"]) == without(d, &[b"Annots"])
                    && appended(b.get(b"Annots"), d.get(b"Annots")) =>
            {
                Change::Metadata
            }
            Some(_) => Change::Content,
        },
        b"Pages" => Change::Pages,
        b"Catalog" => match bd {
            Some(b) if without(b, CATALOG_UPDATES) == without(d, CATALOG_UPDATES) => {
                Change::Metadata
            }
            _ => Change::Other,
        },
        b"XObject" if new => Change::Signatures, // a new appearance
        _ if d.get(b"FT").is_some() || d.get(b"Kids").is_some() && d.get(b"T").is_some() => {
            match (d.name(b"FT"), bd) {
                // a signature field signed before may not change
                (Some(b"Sig"), Some(b)) if b.get(b"V").is_some() => Change::Other,
                (Some(b"Sig"), _) => Change::Signatures,
                // filling in a field that was there; a new one is not filling in
                (_, Some(_)) => Change::FormFields,
                (_, None) => Change::Other,
            }
        }
        // the AcroForm: fields added at the end and SigFlags; anything else (default
        // resources, NeedAppearances) changes how fields are shown
        _ if d.get(b"Fields").is_some() => match bd {
            Some(b)
                if without(b, &[b"Fields", b"SigFlags"])
                    == without(d, &[b"Fields", b"SigFlags"])
                    && appended(b.get(b"Fields"), d.get(b"Fields")) =>
            {
                Change::Metadata
            }
            None => Change::Metadata,
            Some(_) => Change::Other,
        },
        _ if d.get(b"Producer").is_some()
            || d.get(b"ModDate").is_some()
            || d.get(b"CreationDate").is_some() =>
        {
            Change::Metadata
        }
        _ if stream && new && d.name(b"Subtype") == Some(b"Form") => Change::Signatures,
        _ if stream => Change::Content,
        _ if new => Change::Other,
        _ => Change::Other,
    })
}

/// Did an array (or a reference to one, unchanged) only grow at its end?
fn appended(before: Option<&Obj>, now: Option<&Obj>) -> bool {
    match (before, now) {
        (None, _) => true,
        (Some(Obj::Array(b)), Some(Obj::Array(n))) => n.len() >= b.len() && n.starts_with(b),
        (Some(b), Some(n)) => b == n,
        (Some(_), None) => false,
    }
}

fn annot_kind(doc: &Doc<'_>, d: &Dict, rev: usize) -> Change {
    if d.name(b"Subtype") != Some(b"Widget") {
        return Change::Annotations;
    }
    let mut cur = d.clone();
    for _ in 0..crate::object::MAX_DEPTH {
        if let Some(ft) = cur.name(b"FT") {
            return if ft == b"Sig" {
                Change::Signatures
            } else {
                Change::FormFields
            };
        }
        match cur.get(b"Parent").map(|p| doc.resolve(p, rev)) {
            Some(Ok(Obj::Dict(p))) => cur = p,
            _ => break,
        }
    }
    Change::FormFields
}

/// A PDF text string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding read as
/// Latin-1) as Rust text.
pub(crate) fn text(b: &[u8]) -> String {
    if let Some(u) = b.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = u
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(u) = b.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(u).into_owned();
    }
    b.iter().map(|&c| char::from(c)).collect()
}
