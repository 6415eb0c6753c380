//! A BER reader that keeps the bytes it read: each value knows its whole encoding (tag,
//! length, content) as a slice of the input, so signed attributes are verified over the
//! exact bytes the signer produced, and indefinite lengths (which CMS signers such as
//! BouncyCastle emit) are read. Depth and size are bounded.

/// Deepest nesting read.
const MAX_DEPTH: usize = 40;

/// A BER value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// Tag byte (single-byte tags only; the CMS profile needs no others).
    pub(crate) tag: u8,
    /// The content octets. For an indefinite length, everything up to (not including) the
    /// end-of-contents octets.
    pub(crate) content: &'a [u8],
    /// Tag, length and content, as in the input.
    pub(crate) raw: &'a [u8],
    /// Was the length indefinite?
    pub(crate) indefinite: bool,
}

/// Why BER could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BerError(pub(crate) &'static str);

type R<T> = Result<T, BerError>;

impl<'a> Tlv<'a> {
    pub(crate) fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// The values inside a constructed value.
    pub(crate) fn children(&self) -> R<Vec<Tlv<'a>>> {
        if !self.constructed() {
            return Err(BerError(
                "a primitive value where a constructed one belongs",
            ));
        }
        let mut out = Vec::new();
        let mut rest = self.content;
        while !rest.is_empty() {
            let (t, r) = read(rest, 0)?;
            out.push(t);
            rest = r;
            if out.len() > 100_000 {
                return Err(BerError("too many values in one constructed value"));
            }
        }
        Ok(out)
    }

    /// The content of a primitive value, or a constructed string's pieces joined.
    pub(crate) fn octets(&self) -> R<std::borrow::Cow<'a, [u8]>> {
        if !self.constructed() {
            return Ok(std::borrow::Cow::Borrowed(self.content));
        }
        let mut out = Vec::new();
        for c in self.children()? {
            if c.constructed() {
                out.extend_from_slice(&c.octets()?);
            } else {
                out.extend_from_slice(c.content);
            }
        }
        Ok(std::borrow::Cow::Owned(out))
    }

    pub(crate) fn expect(self, tag: u8, what: &'static str) -> R<Tlv<'a>> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(BerError(what))
        }
    }
}

/// Read one value at the start of `input`; returns it and what follows it.
pub(crate) fn read(input: &[u8], depth: usize) -> R<(Tlv<'_>, &[u8])> {
    if depth > MAX_DEPTH {
        return Err(BerError("values nested too deeply"));
    }
    let tag = *input.first().ok_or(BerError("unexpected end of data"))?;
    if tag & 0x1f == 0x1f {
        return Err(BerError("a multi-byte tag"));
    }
    let first = *input.get(1).ok_or(BerError("unexpected end of data"))?;
    let (len, hdr) = if first < 0x80 {
        (Some(usize::from(first)), 2)
    } else if first == 0x80 {
        (None, 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n > 4 {
            return Err(BerError("a length longer than 4 octets"));
        }
        let bytes = input
            .get(2..2 + n)
            .ok_or(BerError("unexpected end of data"))?;
        let len = bytes.iter().fold(0usize, |a, b| a << 8 | usize::from(*b));
        (Some(len), 2 + n)
    };
    match len {
        Some(len) => {
            let end = hdr
                .checked_add(len)
                .ok_or(BerError("a length out of range"))?;
            let content = input
                .get(hdr..end)
                .ok_or(BerError("a value longer than its data"))?;
            if tag & 0x20 != 0 {
                // validate the inside now, so children() cannot fail deeper than here
                let mut rest = content;
                while !rest.is_empty() {
                    rest = read(rest, depth + 1)?.1;
                }
            }
            let raw = input.get(..end).ok_or(BerError("unexpected end of data"))?;
            Ok((
                Tlv {
                    tag,
                    content,
                    raw,
                    indefinite: false,
                },
                input.get(end..).unwrap_or_default(),
            ))
        }
        None => {
            if tag & 0x20 == 0 {
                return Err(BerError("an indefinite length on a primitive value"));
            }
            let body = input.get(hdr..).ok_or(BerError("unexpected end of data"))?;
            let mut rest = body;
            loop {
                if rest.starts_with(&[0, 0]) {
                    let clen = body.len() - rest.len();
                    let end = hdr + clen + 2;
                    let content = body.get(..clen).ok_or(BerError("unexpected end of data"))?;
                    let raw = input.get(..end).ok_or(BerError("unexpected end of data"))?;
                    return Ok((
                        Tlv {
                            tag,
                            content,
                            raw,
                            indefinite: true,
                        },
                        input.get(end..).unwrap_or_default(),
                    ));
                }
                if rest.is_empty() {
                    return Err(BerError("an indefinite length without end-of-contents"));
                }
                rest = read(rest, depth + 1)?.1;
            }
        }
    }
}

/// Read exactly one value; trailing bytes (the zero padding of a PDF's `/Contents`) are
/// returned beside it.
pub(crate) fn read_one(input: &[u8]) -> R<(Tlv<'_>, &[u8])> {
    read(input, 0)
}

/// An OBJECT IDENTIFIER's content as dotted text.
pub(crate) fn oid_text(content: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for (i, b) in content.iter().enumerate() {
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if parts.is_empty() && i < 8 {
                let (a, b) = if v < 40 {
                    (0, v)
                } else if v < 80 {
                    (1, v - 40)
                } else {
                    (2, v - 80)
                };
                parts.push(a);
                parts.push(b);
            } else {
                parts.push(v);
            }
            v = 0;
        }
        if v > u64::MAX >> 8 {
            return "invalid".into();
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite_lengths_with_raw_spans() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING (constructed, indefinite) {"ab","c"} } EOC + padding
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0,
            0, 0, 0, 0, 0, 0,
        ];
        let (t, rest) = read_one(&ber).unwrap();
        assert!(t.indefinite);
        assert_eq!(t.raw.len(), 18);
        assert_eq!(rest, &[0, 0, 0]);
        let kids = t.children().unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[0].content, &[5]);
        assert_eq!(&*kids[1].octets().unwrap(), b"abc");
        assert_eq!(
            oid_text(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]),
            "1.2.840.113549.1.7.2"
        );
    }

    #[test]
    fn refuses_damage_without_panicking() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x02],
            &[0x30, 0x80, 0x02, 0x01, 0x05],
            &[0x04, 0x80, 0, 0],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x1f, 0x01, 0x00],
        ] {
            assert!(read_one(bad).is_err(), "{bad:?}");
        }
        let mut deep = Vec::new();
        for _ in 0..100 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(read_one(&deep).is_err());
    }
}
