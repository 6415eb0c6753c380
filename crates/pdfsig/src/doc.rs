//! A PDF file as its revisions: the cross-reference sections from `startxref` back through
//! `/Prev` (classic tables, xref streams and hybrid files), one table per revision, and
//! object lookup as of any revision, through object streams. Damage is refused, never
//! repaired: a signature must be judged on the structure every reader sees.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use crate::error::PdfError;
use crate::limits::Limits;
use crate::object::{Dict, Indirect, Obj, Parser};
use crate::stream;

/// Where an object of one revision lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Free,
    At(usize),
    InStream { stream: u32, index: u32 },
}

/// One revision: its cross-reference section and trailer.
#[derive(Debug)]
pub(crate) struct Revision {
    /// Offset of its `xref` keyword or xref stream object.
    pub(crate) xref_at: usize,
    /// Offset just past its `%%EOF` (and the end of line after it, if any).
    pub(crate) end: usize,
    /// Offset just past its `%%EOF`, before any end of line.
    pub(crate) eof_at: usize,
    pub(crate) entries: BTreeMap<u32, Entry>,
    pub(crate) trailer: Dict,
}

/// A whole file, opened.
pub(crate) struct Doc<'a> {
    pub(crate) bytes: &'a [u8],
    /// Oldest first.
    pub(crate) revisions: Vec<Revision>,
    pub(crate) limits: Limits,
    inflated: Cell<usize>,
    resolving: Cell<usize>,
    objstm: RefCell<HashMap<(usize, u32), Rc<ObjStm>>>,
    /// Objects read from object streams are kept: one stream holds many.
    pub(crate) uses_object_streams: Cell<bool>,
}

struct ObjStm {
    data: Vec<u8>,
    /// (object number, offset from `first`)
    index: Vec<(u32, usize)>,
    first: usize,
}

impl<'a> Doc<'a> {
    /// Read the cross-reference structure of `bytes`.
    pub(crate) fn open(bytes: &'a [u8], limits: Limits) -> Result<Doc<'a>, PdfError> {
        if bytes.len() > limits.max_file_bytes {
            return Err(PdfError::new(
                lienthong_types::Code::PdfTooLarge,
                format!(
                    "the file is {} bytes; at most {} are read",
                    bytes.len(),
                    limits.max_file_bytes
                ),
                None,
            ));
        }
        if !crate::is_pdf(bytes) {
            return Err(PdfError::syntax(
                "no %PDF- header in the first 1024 bytes",
                0,
            ));
        }
        let mut doc = Doc {
            bytes,
            revisions: Vec::new(),
            limits,
            inflated: Cell::new(0),
            resolving: Cell::new(0),
            objstm: RefCell::new(HashMap::new()),
            uses_object_streams: Cell::new(false),
        };
        let sx = rfind(bytes, b"startxref")
            .ok_or_else(|| PdfError::xref("no 'startxref' in the file", None))?;
        let mut p = Parser::new(bytes, sx + b"startxref".len());
        let first = p
            .uint()
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| PdfError::xref("'startxref' is not followed by an offset", Some(sx)))?;
        let mut seen = HashSet::new();
        let mut next = Some(first);
        let mut newest_first: Vec<Revision> = Vec::new();
        let mut total_entries = 0usize;
        while let Some(at) = next {
            if !seen.insert(at) {
                return Err(PdfError::xref(
                    "the cross-reference sections loop (a /Prev points back)",
                    Some(at),
                ));
            }
            if newest_first.len() >= doc.limits.max_revisions {
                return Err(PdfError::limit(
                    format!("more than {} revisions", doc.limits.max_revisions),
                    Some(at),
                ));
            }
            let rev = doc.read_section(at, &mut total_entries)?;
            next = match rev.trailer.get(b"Prev") {
                None => None,
                Some(Obj::Int(p)) => Some(
                    usize::try_from(*p)
                        .map_err(|_| PdfError::xref("a negative /Prev offset", Some(at)))?,
                ),
                Some(_) => return Err(PdfError::xref("/Prev is not an offset", Some(at))),
            };
            // A /Prev pointing forward is a linearized file's first-page section pointing
            // to its main section: the two are one revision (the original file).
            match newest_first.last_mut() {
                Some(first_page)
                    if rev.xref_at > first_page.xref_at && first_page_of(first_page) =>
                {
                    for (n, e) in rev.entries {
                        first_page.entries.entry(n).or_insert(e);
                    }
                    first_page.end = first_page.end.max(rev.end);
                    first_page.eof_at = first_page.eof_at.max(rev.eof_at);
                }
                _ => newest_first.push(rev),
            }
        }
        newest_first.reverse();
        // A revision must end after it starts and before the next one's section.
        for w in newest_first.windows(2) {
            if let [a, b] = w
                && a.xref_at >= b.xref_at
            {
                return Err(PdfError::xref(
                    "a /Prev points forward: revisions out of order",
                    Some(b.xref_at),
                ));
            }
        }
        // What follows the last %%EOF must be white space: anything else is a revision cut
        // short (a truncated file) or bytes appended without one, which readers disagree on.
        let tail_at = newest_first.last().map_or(0, |r| r.end);
        if let Some(i) = bytes
            .get(tail_at..)
            .and_then(|t| t.iter().position(|b| !crate::object::is_white(*b)))
        {
            return Err(PdfError::xref(
                "data after the last %%EOF: the file is truncated or was appended to without a revision",
                Some(tail_at + i),
            ));
        }
        doc.revisions = newest_first;
        Ok(doc)
    }

    fn read_section(&self, at: usize, total: &mut usize) -> Result<Revision, PdfError> {
        if at >= self.bytes.len() {
            return Err(PdfError::xref(
                "a cross-reference offset past the end of the file",
                Some(at),
            ));
        }
        let mut p = Parser::new(self.bytes, at);
        p.skip_ws();
        let (entries, trailer) = if p.at_keyword(b"xref") {
            p.pos += 4;
            let (mut entries, trailer) = self.read_table(&mut p, total)?;
            // A hybrid file: the table's free entries may be in use in the /XRefStm.
            if let Some(Obj::Int(s)) = trailer.get(b"XRefStm") {
                let s = usize::try_from(*s)
                    .map_err(|_| PdfError::xref("a negative /XRefStm offset", Some(at)))?;
                let (more, _) = self.read_xref_stream(s, total)?;
                for (n, e) in more {
                    if entries.get(&n).is_none_or(|old| *old == Entry::Free) {
                        entries.insert(n, e);
                    }
                }
            }
            (entries, trailer)
        } else {
            self.read_xref_stream(at, total)?
        };
        let eof = find(self.bytes.get(at..).unwrap_or_default(), b"%%EOF")
            .map(|i| at + i + 5)
            .ok_or_else(|| PdfError::xref("a revision without %%EOF", Some(at)))?;
        let mut end = eof;
        match (self.bytes.get(end), self.bytes.get(end + 1)) {
            (Some(b'\r'), Some(b'\n')) => end += 2,
            (Some(b'\r' | b'\n'), _) => end += 1,
            _ => {}
        }
        Ok(Revision {
            xref_at: at,
            end,
            eof_at: eof,
            entries,
            trailer,
        })
    }

    fn count(&self, total: &mut usize, n: usize, at: usize) -> Result<(), PdfError> {
        *total = total.saturating_add(n);
        if *total > self.limits.max_objects {
            return Err(PdfError::limit(
                format!(
                    "more than {} cross-reference entries",
                    self.limits.max_objects
                ),
                Some(at),
            ));
        }
        Ok(())
    }

    fn read_table(
        &self,
        p: &mut Parser<'_>,
        total: &mut usize,
    ) -> Result<(BTreeMap<u32, Entry>, Dict), PdfError> {
        let mut entries = BTreeMap::new();
        loop {
            p.skip_ws();
            if p.at_keyword(b"trailer") {
                p.pos += b"trailer".len();
                let trailer = match p.object(0)? {
                    Obj::Dict(d) => d,
                    _ => {
                        return Err(PdfError::xref(
                            "the trailer is not a dictionary",
                            Some(p.pos),
                        ));
                    }
                };
                return Ok((entries, trailer));
            }
            let at = p.pos;
            let start = p.uint().ok_or_else(|| {
                PdfError::xref("expected a subsection start or 'trailer'", Some(at))
            })?;
            let n = p
                .uint()
                .ok_or_else(|| PdfError::xref("expected a subsection count", Some(p.pos)))?;
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            self.count(total, n, at)?;
            for i in 0..n {
                let off = p.uint();
                let gen_ = p.uint();
                p.skip_ws();
                let kind = p.buf.get(p.pos).copied();
                p.pos += 1;
                let (Some(off), Some(_gen)) = (off, gen_) else {
                    return Err(PdfError::xref(
                        "a malformed cross-reference entry",
                        Some(p.pos),
                    ));
                };
                let num = u32::try_from(start.saturating_add(i as u64))
                    .map_err(|_| PdfError::xref("an object number out of range", Some(p.pos)))?;
                let e = match kind {
                    Some(b'n') => Entry::At(usize::try_from(off).unwrap_or(usize::MAX)),
                    Some(b'f') => Entry::Free,
                    _ => {
                        return Err(PdfError::xref(
                            "a cross-reference entry that is neither 'n' nor 'f'",
                            Some(p.pos),
                        ));
                    }
                };
                entries.insert(num, e);
            }
        }
    }

    fn read_xref_stream(
        &self,
        at: usize,
        total: &mut usize,
    ) -> Result<(BTreeMap<u32, Entry>, Dict), PdfError> {
        let mut p = Parser::new(self.bytes, at);
        let ind = p.indirect()?;
        let Obj::Dict(d) = &ind.obj else {
            return Err(PdfError::xref(
                "expected 'xref' or an xref stream",
                Some(at),
            ));
        };
        if !d.is_type(b"XRef") || ind.stream_at.is_none() {
            return Err(PdfError::xref(
                "expected 'xref' or an xref stream",
                Some(at),
            ));
        }
        let data = self.stream_data(&ind, at)?;
        let w: Vec<usize> = d
            .get(b"W")
            .and_then(Obj::as_array)
            .map(|a| {
                a.iter()
                    .map(|o| {
                        o.as_int()
                            .and_then(|i| usize::try_from(i).ok())
                            .filter(|i| *i <= 8)
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .and_then(|v| v.filter(|v| v.len() == 3))
            .ok_or_else(|| PdfError::xref("an xref stream without a valid /W", Some(at)))?;
        let row: usize = w.iter().sum();
        if row == 0 {
            return Err(PdfError::xref("an xref stream with /W [0 0 0]", Some(at)));
        }
        let size = d
            .int(b"Size")
            .and_then(|s| u64::try_from(s).ok())
            .ok_or_else(|| PdfError::xref("an xref stream without /Size", Some(at)))?;
        let index: Vec<u64> = match d.get(b"Index") {
            Some(Obj::Array(a)) => a
                .iter()
                .map(|o| o.as_int().and_then(|i| u64::try_from(i).ok()))
                .collect::<Option<Vec<_>>>()
                .filter(|v| v.len() % 2 == 0)
                .ok_or_else(|| PdfError::xref("a malformed /Index", Some(at)))?,
            _ => vec![0, size],
        };
        let mut entries = BTreeMap::new();
        let mut rows = data.chunks_exact(row);
        for pair in index.chunks_exact(2) {
            let (start, n) = (pair[0], pair[1]);
            self.count(total, usize::try_from(n).unwrap_or(usize::MAX), at)?;
            for i in 0..n {
                let Some(r) = rows.next() else {
                    return Err(PdfError::xref(
                        "an xref stream shorter than its /Index",
                        Some(at),
                    ));
                };
                let field = |k: usize, default: u64| -> u64 {
                    let from: usize = w.iter().take(k).sum();
                    let bytes = r.get(from..from + w[k]).unwrap_or_default();
                    if bytes.is_empty() {
                        return default;
                    }
                    bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
                };
                let num = u32::try_from(start.saturating_add(i))
                    .map_err(|_| PdfError::xref("an object number out of range", Some(at)))?;
                let e = match field(0, 1) {
                    0 => Entry::Free,
                    1 => Entry::At(usize::try_from(field(1, 0)).unwrap_or(usize::MAX)),
                    2 => Entry::InStream {
                        stream: u32::try_from(field(1, 0)).unwrap_or(u32::MAX),
                        index: u32::try_from(field(2, 0)).unwrap_or(u32::MAX),
                    },
                    // unknown types are null references (ISO 32000-1 §7.5.8.3)
                    _ => Entry::Free,
                };
                entries.insert(num, e);
            }
        }
        Ok((entries, d.clone()))
    }

    /// The decoded data of a stream object read at `at`.
    pub(crate) fn stream_data(&self, ind: &Indirect, at: usize) -> Result<Vec<u8>, PdfError> {
        let Obj::Dict(d) = &ind.obj else {
            return Err(PdfError::syntax("a stream without a dictionary", at));
        };
        let start = ind
            .stream_at
            .ok_or_else(|| PdfError::syntax("not a stream", at))?;
        let len = match d.get(b"Length") {
            Some(Obj::Int(n)) => *n,
            Some(Obj::Ref(n, _)) => {
                // never a stream itself; resolved once, without further indirection
                match self.get(*n, self.revisions.len().max(1) - 1)? {
                    Some(Obj::Int(v)) => v,
                    _ => {
                        return Err(PdfError::syntax(
                            "a stream /Length that is not a number",
                            at,
                        ));
                    }
                }
            }
            _ => return Err(PdfError::syntax("a stream without /Length", at)),
        };
        let len =
            usize::try_from(len).map_err(|_| PdfError::syntax("a negative stream /Length", at))?;
        let raw = start
            .checked_add(len)
            .and_then(|end| self.bytes.get(start..end))
            .ok_or_else(|| PdfError::syntax("a stream runs past the end of the file", at))?;
        let mut budget = self
            .limits
            .max_inflated_total
            .saturating_sub(self.inflated.get())
            .min(self.limits.max_inflated_stream);
        let out = stream::decode(d, raw, &mut budget, at)?;
        self.inflated
            .set(self.inflated.get().saturating_add(out.len()));
        Ok(out)
    }

    /// The index of the newest revision.
    pub(crate) fn newest(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }

    /// Where object `num` lives as of revision `rev`, and in which revision that entry is.
    pub(crate) fn entry(&self, num: u32, rev: usize) -> Option<(usize, Entry)> {
        (0..=rev.min(self.newest()))
            .rev()
            .find_map(|r| self.revisions.get(r)?.entries.get(&num).map(|e| (r, *e)))
    }

    /// Object `num` as of revision `rev` (streams as their dictionary), or `None` if free
    /// or absent.
    pub(crate) fn get(&self, num: u32, rev: usize) -> Result<Option<Obj>, PdfError> {
        Ok(self.get_indirect(num, rev)?.map(|(i, _)| i.obj))
    }

    /// Object `num` as of revision `rev`, with the offset it was read at (for objects in
    /// object streams, the stream's offset).
    pub(crate) fn get_indirect(
        &self,
        num: u32,
        rev: usize,
    ) -> Result<Option<(Indirect, usize)>, PdfError> {
        let depth = self.resolving.get();
        if depth >= 8 {
            return Err(PdfError::limit(
                "references nested too deeply (object streams or lengths refer to each other)",
                None,
            ));
        }
        self.resolving.set(depth + 1);
        let r = self.get_inner(num, rev);
        self.resolving.set(depth);
        r
    }

    fn get_inner(&self, num: u32, rev: usize) -> Result<Option<(Indirect, usize)>, PdfError> {
        let Some((found_in, e)) = self.entry(num, rev) else {
            return Ok(None);
        };
        match e {
            Entry::Free => Ok(None),
            Entry::At(off) => {
                if off >= self.bytes.len() {
                    return Err(PdfError::xref(
                        format!("object {num} is listed past the end of the file"),
                        Some(off),
                    ));
                }
                let mut p = Parser::new(self.bytes, off);
                let ind = p.indirect()?;
                if ind.num != num {
                    return Err(PdfError::xref(
                        format!(
                            "the cross-reference entry of object {num} points at object {}",
                            ind.num
                        ),
                        Some(off),
                    ));
                }
                Ok(Some((ind, off)))
            }
            Entry::InStream { stream, index } => {
                self.uses_object_streams.set(true);
                let os = self.objstm(stream, found_in)?;
                let &(n, rel) = os.index.get(index as usize).ok_or_else(|| {
                    PdfError::xref(
                        format!("object {num} is past the end of object stream {stream}"),
                        None,
                    )
                })?;
                if n != num {
                    return Err(PdfError::xref(
                        format!("object stream {stream} holds object {n} where {num} is listed"),
                        None,
                    ));
                }
                let mut p = Parser::new(&os.data, os.first.saturating_add(rel));
                let obj = p.object(0)?;
                let at = self.entry(stream, found_in).map_or(0, |(_, e)| match e {
                    Entry::At(o) => o,
                    _ => 0,
                });
                Ok(Some((
                    Indirect {
                        num,
                        obj,
                        stream_at: None,
                    },
                    at,
                )))
            }
        }
    }

    fn objstm(&self, num: u32, rev: usize) -> Result<Rc<ObjStm>, PdfError> {
        if let Some(os) = self.objstm.borrow().get(&(rev, num)) {
            return Ok(os.clone());
        }
        let Some((_, Entry::At(off))) = self.entry(num, rev) else {
            return Err(PdfError::xref(
                format!("object stream {num} is not a plain object in the file"),
                None,
            ));
        };
        let mut p = Parser::new(self.bytes, off);
        let ind = p.indirect()?;
        let Obj::Dict(d) = &ind.obj else {
            return Err(PdfError::xref(
                format!("object {num} is not an object stream"),
                Some(off),
            ));
        };
        if !d.is_type(b"ObjStm") {
            return Err(PdfError::xref(
                format!("object {num} is not an object stream"),
                Some(off),
            ));
        }
        let n = d
            .int(b"N")
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n <= self.limits.max_objects)
            .ok_or_else(|| PdfError::xref("an object stream without a valid /N", Some(off)))?;
        let first = d
            .int(b"First")
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| PdfError::xref("an object stream without a valid /First", Some(off)))?;
        let data = self.stream_data(&ind, off)?;
        let mut hp = Parser::new(&data, 0);
        let mut index = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            let (Some(o), Some(r)) = (hp.uint(), hp.uint()) else {
                return Err(PdfError::xref(
                    "a malformed object stream header",
                    Some(off),
                ));
            };
            index.push((
                u32::try_from(o).unwrap_or(u32::MAX),
                usize::try_from(r).unwrap_or(usize::MAX),
            ));
        }
        let os = Rc::new(ObjStm { data, index, first });
        let mut cache = self.objstm.borrow_mut();
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert((rev, num), os.clone());
        Ok(os)
    }

    /// Follow a reference (once) as of revision `rev`; other objects are returned as they
    /// are.
    pub(crate) fn resolve(&self, o: &Obj, rev: usize) -> Result<Obj, PdfError> {
        match o {
            Obj::Ref(n, _) => Ok(self.get(*n, rev)?.unwrap_or(Obj::Null)),
            other => Ok(other.clone()),
        }
    }

    /// The document catalog of revision `rev`.
    pub(crate) fn catalog(&self, rev: usize) -> Result<Dict, PdfError> {
        let t = &self
            .revisions
            .get(rev)
            .ok_or_else(|| PdfError::xref("no revision", None))?
            .trailer;
        match t.get(b"Root") {
            Some(r) => match self.resolve(r, rev)? {
                Obj::Dict(d) => Ok(d),
                _ => Err(PdfError::xref(
                    "the trailer's /Root is not a dictionary",
                    None,
                )),
            },
            None => Err(PdfError::xref("the trailer has no /Root", None)),
        }
    }
}

/// Is this section a linearized file's first-page section (its trailer's /Prev points
/// forward to the main section)? Only such a section may be followed by a later offset.
fn first_page_of(r: &Revision) -> bool {
    r.trailer
        .int(b"Prev")
        .and_then(|p| usize::try_from(p).ok())
        .is_some_and(|p| p > r.xref_at)
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
