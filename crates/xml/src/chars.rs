//! Character and name productions of XML 1.0 (fifth edition) and Namespaces in XML 1.0.

/// `Char` production: is `c` allowed anywhere in an XML 1.0 document?
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// `NCName`: a name without a colon.
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// Split a `QName` into prefix and local part, checking both are NCNames.
pub(crate) fn split_qname(s: &str) -> Option<(Option<&str>, &str)> {
    match s.split_once(':') {
        Some((p, l)) if is_ncname(p) && is_ncname(l) => Some((Some(p), l)),
        Some(_) => None,
        None if is_ncname(s) => Some((None, s)),
        None => None,
    }
}

/// XML white space (`S` production).
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Find the first character not allowed by XML 1.0; returns its byte offset and code point.
pub(crate) fn first_invalid_char(s: &str) -> Option<(usize, u32)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Fast path, resumed after every slow character: eight bytes at a time (SWAR),
        // stopping at any byte >= 0x80 or < 0x20.
        while i + 8 <= bytes.len() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[i..i + 8]);
            let x = u64::from_le_bytes(w);
            let less_than_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
            if (x & HIGH) | less_than_space != 0 {
                break;
            }
            i += 8;
        }
        let Some(&b) = bytes.get(i) else { break };
        if b < 0x80 {
            if b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r' {
                return Some((i, u32::from(b)));
            }
            i += 1;
            continue;
        }
        // Non-ASCII: decode one scalar. `s` is valid UTF-8, so this always succeeds.
        let c = s[i..].chars().next()?;
        if !is_xml_char(c) {
            return Some((i, u32::from(c)));
        }
        i += c.len_utf8();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_ncname("edXML"));
        assert!(is_ncname("_a-b.c9"));
        assert!(is_ncname("Tên"));
        assert!(!is_ncname("1a"));
        assert!(!is_ncname("-a"));
        assert!(!is_ncname(""));
        assert!(!is_ncname("a:b"));
        assert_eq!(split_qname("edXML:To"), Some((Some("edXML"), "To")));
        assert_eq!(split_qname("To"), Some((None, "To")));
        assert_eq!(split_qname("a:b:c"), None);
        assert_eq!(split_qname(":b"), None);
        assert_eq!(split_qname("a:"), None);
    }

    #[test]
    fn chars() {
        assert_eq!(first_invalid_char("ok\tfine\n"), None);
        assert_eq!(first_invalid_char("bad\u{1}"), Some((3, 1)));
        assert_eq!(first_invalid_char("é\u{FFFE}"), Some((2, 0xFFFE)));
        assert_eq!(first_invalid_char("Việt Nam 𝄞"), None);
        // The fast path resumes after non-ASCII text and still finds a late control char.
        let long = format!("Việt{}\u{7}", "A".repeat(100));
        assert_eq!(first_invalid_char(&long), Some((long.len() - 1, 7)));
        let long = format!("{}é{}\u{FFFF}x", "B".repeat(17), "C".repeat(33));
        assert_eq!(first_invalid_char(&long).map(|p| p.1), Some(0xFFFF));
    }
}
