//! PDF objects and their syntax (ISO 32000-1 §7.2–7.3): a tokenizer and a parser of one
//! object at a byte offset, bounded in nesting depth and in the number of elements, that
//! never reads outside the slice it is given.

use crate::error::PdfError;

/// Deepest nesting of arrays and dictionaries accepted.
pub(crate) const MAX_DEPTH: usize = 32;
/// Most elements in one array or dictionary.
const MAX_ELEMENTS: usize = 100_000;
/// Longest string or name.
const MAX_STRING: usize = 16 << 20;

/// A PDF object. Streams are not objects here: an indirect object's parser reports where
/// its stream data starts (see [`Parser::indirect`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32, u16),
}

/// A dictionary, in file order (keys are few; a linear search is cheapest).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Dict(pub(crate) Vec<(Vec<u8>, Obj)>);

impl Dict {
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Obj> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Obj::Name(n)) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Obj::Int(i)) => Some(*i),
            _ => None,
        }
    }

    pub(crate) fn is_type(&self, t: &[u8]) -> bool {
        self.name(b"Type") == Some(t)
    }
}

impl Obj {
    pub(crate) fn as_dict(&self) -> Option<&Dict> {
        match self {
            Obj::Dict(d) => Some(d),
            _ => None,
        }
    }

    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Obj]> {
        match self {
            Obj::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// An indirect object as read from the file.
#[derive(Debug, Clone)]
pub(crate) struct Indirect {
    pub(crate) num: u32,
    pub(crate) obj: Obj,
    /// For a stream: the offset of its first data byte.
    pub(crate) stream_at: Option<usize>,
}

pub(crate) fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0)
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

/// A cursor over the file (or over a decompressed object stream).
pub(crate) struct Parser<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) pos: usize,
    /// Added to `pos` in error messages (0 for the file itself).
    pub(crate) base: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(buf: &'a [u8], pos: usize) -> Parser<'a> {
        Parser { buf, pos, base: 0 }
    }

    fn err(&self, what: impl Into<String>) -> PdfError {
        PdfError::syntax(what, self.base + self.pos)
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Skip white space and comments.
    pub(crate) fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Does a keyword start here (followed by a non-regular byte or the end)?
    pub(crate) fn at_keyword(&self, kw: &[u8]) -> bool {
        self.buf.get(self.pos..).is_some_and(|r| r.starts_with(kw))
            && self
                .buf
                .get(self.pos + kw.len())
                .is_none_or(|b| !is_regular(*b))
    }

    pub(crate) fn expect_keyword(&mut self, kw: &[u8]) -> Result<(), PdfError> {
        self.skip_ws();
        if self.at_keyword(kw) {
            self.pos += kw.len();
            Ok(())
        } else {
            Err(self.err(format!("expected '{}'", String::from_utf8_lossy(kw))))
        }
    }

    /// An unsigned integer token, if one is here (no sign, no dot).
    pub(crate) fn uint(&mut self) -> Option<u64> {
        self.skip_ws();
        let start = self.pos;
        let mut v: u64 = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            self.pos += 1;
        }
        if self.pos == start || self.peek().is_some_and(is_regular) {
            self.pos = start;
            return None;
        }
        Some(v)
    }

    /// `N G obj <object> [stream … ]`, at the current position.
    pub(crate) fn indirect(&mut self) -> Result<Indirect, PdfError> {
        let num = self
            .uint()
            .ok_or_else(|| self.err("expected an object number"))?;
        let gen_ = self
            .uint()
            .ok_or_else(|| self.err("expected a generation number"))?;
        let num = u32::try_from(num).map_err(|_| self.err("object number out of range"))?;
        u16::try_from(gen_).map_err(|_| self.err("generation out of range"))?;
        self.expect_keyword(b"obj")?;
        let obj = self.object(0)?;
        self.skip_ws();
        let mut stream_at = None;
        if self.at_keyword(b"stream") {
            if !matches!(obj, Obj::Dict(_)) {
                return Err(self.err("a stream without a dictionary"));
            }
            self.pos += b"stream".len();
            // stream is followed by CRLF or LF (a lone CR is tolerated, as readers do)
            match (self.peek(), self.buf.get(self.pos + 1).copied()) {
                (Some(b'\r'), Some(b'\n')) => self.pos += 2,
                (Some(b'\n'), _) | (Some(b'\r'), _) => self.pos += 1,
                _ => return Err(self.err("'stream' not followed by an end of line")),
            }
            stream_at = Some(self.pos);
        }
        Ok(Indirect {
            num,
            obj,
            stream_at,
        })
    }

    /// One object, at most `MAX_DEPTH` containers deep.
    pub(crate) fn object(&mut self, depth: usize) -> Result<Obj, PdfError> {
        if depth > MAX_DEPTH {
            return Err(PdfError::limit(
                format!("objects nested deeper than {MAX_DEPTH}"),
                Some(self.base + self.pos),
            ));
        }
        self.skip_ws();
        let Some(b) = self.peek() else {
            return Err(self.err("unexpected end of data"));
        };
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Obj::Name(self.name()?))
            }
            b'(' => Ok(Obj::Str(self.literal()?)),
            b'<' if self.buf.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut d = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'>') if self.buf.get(self.pos + 1) == Some(&b'>') => {
                            self.pos += 2;
                            return Ok(Obj::Dict(Dict(d)));
                        }
                        Some(b'/') => {
                            self.pos += 1;
                            let k = self.name()?;
                            let v = self.object(depth + 1)?;
                            if d.len() >= MAX_ELEMENTS {
                                return Err(PdfError::limit(
                                    "a dictionary with too many entries",
                                    Some(self.base + self.pos),
                                ));
                            }
                            d.push((k, v));
                        }
                        _ => return Err(self.err("expected a name or '>>' in a dictionary")),
                    }
                }
            }
            b'<' => Ok(Obj::Str(self.hex()?)),
            b'[' => {
                self.pos += 1;
                let mut a = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        return Ok(Obj::Array(a));
                    }
                    if a.len() >= MAX_ELEMENTS {
                        return Err(PdfError::limit(
                            "an array with too many elements",
                            Some(self.base + self.pos),
                        ));
                    }
                    a.push(self.object(depth + 1)?);
                }
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number_or_ref(),
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(is_regular) {
                    self.pos += 1;
                }
                match self.buf.get(start..self.pos) {
                    Some(b"true") => Ok(Obj::Bool(true)),
                    Some(b"false") => Ok(Obj::Bool(false)),
                    Some(b"null") => Ok(Obj::Null),
                    _ => {
                        self.pos = start;
                        Err(self.err("unexpected token"))
                    }
                }
            }
        }
    }

    fn number_or_ref(&mut self) -> Result<Obj, PdfError> {
        let save = self.pos;
        // `N G R`
        if let Some(n) = self.uint() {
            let after_n = self.pos;
            if let Some(g) = self.uint() {
                self.skip_ws();
                if self.at_keyword(b"R")
                    && let (Ok(n), Ok(g)) = (u32::try_from(n), u16::try_from(g))
                {
                    self.pos += 1;
                    return Ok(Obj::Ref(n, g));
                }
            }
            self.pos = after_n;
            if let Ok(i) = i64::try_from(n) {
                return Ok(Obj::Int(i));
            }
        }
        self.pos = save;
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
        {
            self.pos += 1;
        }
        let text = std::str::from_utf8(self.buf.get(start..self.pos).unwrap_or_default())
            .map_err(|_| self.err("a malformed number"))?;
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Obj::Int(i));
        }
        // PDF reals: `-.5`, `4.`, `+3.0`
        let t = text.strip_suffix('.').unwrap_or(text);
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Obj::Real)
            .ok_or_else(|| self.err(format!("a malformed number '{text}'")))
    }

    fn name(&mut self) -> Result<Vec<u8>, PdfError> {
        let mut out = Vec::new();
        while let Some(b) = self.peek().filter(|b| is_regular(*b)) {
            self.pos += 1;
            if b == b'#' {
                let hi = self.peek().and_then(hexval);
                let lo = self.buf.get(self.pos + 1).copied().and_then(hexval);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        self.pos += 2;
                    }
                    _ => out.push(b'#'),
                }
            } else {
                out.push(b);
            }
            if out.len() > MAX_STRING {
                return Err(self.err("a name too long"));
            }
        }
        Ok(out)
    }

    fn literal(&mut self) -> Result<Vec<u8>, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut nest = 0usize;
        loop {
            let Some(b) = self.peek() else {
                self.pos = start;
                return Err(self.err("an unterminated string"));
            };
            self.pos += 1;
            match b {
                b'(' => {
                    nest += 1;
                    out.push(b);
                }
                b')' if nest == 0 => return Ok(out),
                b')' => {
                    nest -= 1;
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { continue };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
            if out.len() > MAX_STRING {
                return Err(self.err("a string too long"));
            }
        }
    }

    fn hex(&mut self) -> Result<Vec<u8>, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut half: Option<u8> = None;
        loop {
            let Some(b) = self.peek() else {
                self.pos = start;
                return Err(self.err("an unterminated hex string"));
            };
            self.pos += 1;
            if b == b'>' {
                if let Some(h) = half {
                    out.push(h << 4);
                }
                return Ok(out);
            }
            if is_white(b) {
                continue;
            }
            let v = hexval(b).ok_or_else(|| self.err("a bad digit in a hex string"))?;
            match half.take() {
                Some(h) => out.push(h << 4 | v),
                None => half = Some(v),
            }
            if out.len() > MAX_STRING {
                return Err(self.err("a hex string too long"));
            }
        }
    }
}

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Obj, PdfError> {
        Parser::new(s.as_bytes(), 0).object(0)
    }

    #[test]
    fn reads_the_object_kinds() {
        let o = parse("<< /Type /Sig /ByteRange [0 10 20 5] /Contents <0a0B 1> /M (D:2025\\051x) /P 3 0 R /R -1.5 /N null /B true /E#20x 1 >>").unwrap();
        let d = o.as_dict().unwrap();
        assert!(d.is_type(b"Sig"));
        assert_eq!(
            d.get(b"ByteRange")
                .and_then(Obj::as_array)
                .map(<[Obj]>::len),
            Some(4)
        );
        assert_eq!(d.get(b"Contents"), Some(&Obj::Str(vec![0x0a, 0x0b, 0x10])));
        assert_eq!(d.get(b"M"), Some(&Obj::Str(b"D:2025)x".to_vec())));
        assert_eq!(d.get(b"P"), Some(&Obj::Ref(3, 0)));
        assert_eq!(d.get(b"R"), Some(&Obj::Real(-1.5)));
        assert_eq!(d.get(b"N"), Some(&Obj::Null));
        assert_eq!(d.get(b"B"), Some(&Obj::Bool(true)));
        assert_eq!(d.int(b"E x"), Some(1));
    }

    #[test]
    fn reads_an_indirect_stream() {
        let src = b"7 0 obj <</Length 3>> stream\r\nabc\nendstream endobj";
        let ind = Parser::new(src, 0).indirect().unwrap();
        assert_eq!(ind.num, 7);
        assert_eq!(ind.stream_at, Some(30));
    }

    #[test]
    fn refuses_bad_syntax_and_deep_nesting() {
        for bad in ["<< /A ", "(abc", "<0g>", "[1 2", "<< 1 2 >>", "bogus", ""] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.code, lienthong_types::Code::PdfUnreadable, "{bad}");
        }
        let deep = "[".repeat(100);
        assert_eq!(
            parse(&deep).unwrap_err().code,
            lienthong_types::Code::PdfTooComplex
        );
    }
}
