//! Looking inside attachments: base64, then (usually) a ZIP archive holding the file.
//!
//! The declared `ContentType` is often the ZIP wrapper's and sometimes wrong, so the file
//! name, size and content type reported here come from the bytes: the ZIP central
//! directory gives names and sizes, and the first bytes of each entry (inflated up to a
//! small bound, never the whole file) give its type. Archives are not extracted.

use std::borrow::Cow;
use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use lienthong_i18n::{Arg, Msg, msg};
use serde::Serialize;

/// Base64 as edXML producers write it: standard alphabet, padding optional.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The beginnings of the problems written here, which [`problem_msg`] knows again.
const BAD_BASE64: &str = "the base64 content is invalid: ";
const BAD_ZIP: &str = "the ZIP archive is damaged: ";
const ENTRY_UNREADABLE: &str = "the archive entry cannot be read: ";

/// Most entries listed from one archive.
const MAX_ZIP_ENTRIES: usize = 10_000;
/// How many bytes of an entry are inflated to sniff its type.
const SNIFF_BYTES: usize = 512;

/// One file inside a ZIP attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZipEntry {
    /// File name inside the archive.
    pub name: String,
    /// Uncompressed size as recorded in the archive.
    pub size: u64,
    /// Content type from its first bytes (or, failing that, its extension).
    pub content_type: String,
}

/// What an attachment's bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// Length of the base64 text (white space excluded).
    pub encoded_len: usize,
    /// Length of the decoded bytes, if the base64 was valid.
    pub decoded_len: Option<u64>,
    /// Is the decoded payload a ZIP archive?
    pub zip: bool,
    /// The entries of the archive.
    pub entries: Vec<ZipEntry>,
    /// The content type of the payload: of the single file inside a ZIP, else of the bytes.
    pub content_type: Option<String>,
    /// The file name: of the single file inside a ZIP.
    pub file_name: Option<String>,
    /// The file's size: of the single file inside a ZIP, else of the decoded bytes.
    pub size: Option<u64>,
    /// What went wrong, if anything (invalid base64, damaged archive).
    pub problem: Option<String>,
}

/// Decode base64 that may be wrapped over lines.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    LENIENT_B64
        .decode(compact_base64(text))
        .map_err(|e| e.to_string())
}

/// The base64 text without its white space (line breaks, indentation), borrowed when it has
/// none. Every submission passes here, so the scan looks at eight bytes at a time: base64's
/// alphabet lies above the space character, so only a byte at or below it needs a look.
fn compact_base64(text: &str) -> Cow<'_, [u8]> {
    let b = text.as_bytes();
    let Some(mut at) = next_at_or_below_space(b, 0) else {
        return Cow::Borrowed(b);
    };
    let mut out = Vec::with_capacity(b.len());
    let mut from = 0;
    loop {
        out.extend_from_slice(b.get(from..at).unwrap_or_default());
        // Other control characters stay, for the decoder to refuse.
        if let Some(&c) = b.get(at)
            && !c.is_ascii_whitespace()
        {
            out.push(c);
        }
        from = at + 1;
        match next_at_or_below_space(b, from) {
            Some(next) => at = next,
            None => {
                out.extend_from_slice(b.get(from..).unwrap_or_default());
                return Cow::Owned(out);
            }
        }
    }
}

/// The index of the first byte at or below b' ' from `from` on.
fn next_at_or_below_space(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let rest = b.get(from..)?;
    let mut skipped = 0;
    for chunk in rest.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Some byte of x is below 0x21 (exact for thresholds up to 0x80).
        if x.wrapping_sub(ONES * 0x21) & !x & HIGHS != 0 {
            break;
        }
        skipped += 8;
    }
    rest.get(skipped..)?
        .iter()
        .position(|&c| c <= b' ')
        .map(|p| from + skipped + p)
}

/// Encode bytes as base64 (standard alphabet, padded, one line).
pub fn encode_base64(bytes: &[u8]) -> String {
    general_purpose::STANDARD.encode(bytes)
}

/// Inspect the base64 text of an attachment.
pub fn inspect(encoded: &str, declared_name: Option<&str>) -> Inspection {
    let compact = compact_base64(encoded);
    let mut ins = Inspection {
        encoded_len: compact.len(),
        decoded_len: None,
        zip: false,
        entries: Vec::new(),
        content_type: None,
        file_name: None,
        size: None,
        problem: None,
    };
    let bytes = match LENIENT_B64.decode(compact) {
        Ok(b) => b,
        Err(e) => {
            ins.problem = Some(format!("{BAD_BASE64}{e}"));
            return ins;
        }
    };
    ins.decoded_len = Some(bytes.len() as u64);
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        ins.zip = true;
        match list_zip(&bytes) {
            Ok(entries) => {
                if let [only] = entries.as_slice() {
                    ins.file_name = Some(only.name.clone());
                    ins.size = Some(only.size);
                    ins.content_type = Some(only.content_type.clone());
                } else {
                    ins.content_type = Some("application/zip".into());
                    ins.size = Some(bytes.len() as u64);
                }
                ins.entries = entries;
            }
            Err(e) => {
                ins.problem = Some(format!("{BAD_ZIP}{e}"));
                ins.content_type = Some("application/zip".into());
                ins.size = Some(bytes.len() as u64);
            }
        }
    } else {
        ins.content_type = Some(sniff(&bytes, declared_name).to_owned());
        ins.size = Some(bytes.len() as u64);
    }
    ins
}

/// List a ZIP archive from its central directory (the `zip` crate), sniffing each entry's
/// type from its first [`SNIFF_BYTES`] (inflated as far as that, never further).
fn list_zip(b: &[u8]) -> Result<Vec<ZipEntry>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(b)).map_err(|e| e.to_string())?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(format!(
            "{} entries (more than {MAX_ZIP_ENTRIES})",
            archive.len()
        ));
    }
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        // The listing from the central directory; an encrypted entry or one compressed in
        // a way not built in is listed all the same.
        let (name, size, is_dir) = {
            let raw = archive
                .by_index_raw(i)
                .map_err(|e| format!("entry {i}: {e}"))?;
            (raw.name().to_owned(), raw.size(), raw.is_dir())
        };
        if is_dir {
            continue;
        }
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        // A damaged, encrypted or unsupported entry sniffs as empty: its extension decides.
        if let Ok(mut file) = archive.by_index(i) {
            let _ = (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut head);
        }
        let content_type = sniff(&head, Some(&name)).to_owned();
        entries.push(ZipEntry {
            name,
            size,
            content_type,
        });
    }
    Ok(entries)
}

/// Most PDF files taken from one attachment.
const MAX_PDFS: usize = 16;

/// A PDF file found in an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfFile {
    /// Its name: the archive entry's, else the attachment's declared name.
    pub name: String,
    /// Its bytes, or why they could not be taken (larger than allowed, a damaged entry).
    pub bytes: Result<Vec<u8>, String>,
}

/// The PDF files of an attachment: the decoded bytes themselves when they are a PDF, or
/// each PDF entry of a ZIP archive (known by its first bytes, not its name). Each is read
/// whole up to `max_bytes`, and a zipped one up to twice the archive's size (at least
/// 1 MiB): an entry that inflates further (whatever its header says) is listed with an
/// error instead of its bytes. At most 16 per attachment.
pub fn pdf_files(
    encoded: &str,
    declared_name: Option<&str>,
    max_bytes: usize,
) -> Result<Vec<PdfFile>, String> {
    let bytes = LENIENT_B64
        .decode(compact_base64(encoded))
        .map_err(|e| format!("{BAD_BASE64}{e}"))?;
    let name = declared_name.unwrap_or("attachment.pdf").to_owned();
    if bytes.starts_with(b"%PDF-") {
        if bytes.len() > max_bytes {
            return Ok(vec![PdfFile {
                name,
                bytes: Err(format!(
                    "{} bytes, more than the {max_bytes} read",
                    bytes.len()
                )),
            }]);
        }
        return Ok(vec![PdfFile {
            name,
            bytes: Ok(bytes),
        }]);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(Vec::new());
    }
    // an entry inflating to more than twice the archive is not a PDF anyone zipped
    let max_bytes = max_bytes.min(bytes.len().saturating_mul(2).max(1 << 20));
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(&bytes)).map_err(|e| format!("{BAD_ZIP}{e}"))?;
    let mut out = Vec::new();
    for i in 0..archive.len().min(MAX_ZIP_ENTRIES) {
        let Ok(mut file) = archive.by_index(i) else {
            continue;
        };
        if file.is_dir() {
            continue;
        }
        let entry = file.name().to_owned();
        let mut head = Vec::with_capacity(8);
        if (&mut file).take(5).read_to_end(&mut head).is_err() || head != b"%PDF-" {
            continue;
        }
        if out.len() >= MAX_PDFS {
            break;
        }
        let mut rest = Vec::new();
        let read = (&mut file)
            .take(max_bytes.saturating_sub(head.len()) as u64 + 1)
            .read_to_end(&mut rest);
        head.extend_from_slice(&rest);
        let bytes = match read {
            Err(e) => Err(format!("{ENTRY_UNREADABLE}{e}")),
            Ok(_) if head.len() > max_bytes => Err(format!("more than the {max_bytes} bytes read")),
            Ok(_) => Ok(head),
        };
        out.push(PdfFile { name: entry, bytes });
    }
    Ok(out)
}

/// A problem written here, in parts: the libraries' details stay in English.
enum Problem<'a> {
    Base64(&'a str),
    Zip(&'a str),
    ZipEntries { count: &'a str, max: &'a str },
    ZipEntry { index: &'a str, detail: &'a str },
    TooBig { size: &'a str, max: &'a str },
    EntryUnreadable(&'a str),
    OverLimit(&'a str),
    Other(&'a str),
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Problem<'_> {
    fn of(p: &str) -> Problem<'_> {
        if let Some(d) = p.strip_prefix(BAD_BASE64) {
            return Problem::Base64(d);
        }
        if let Some(d) = p.strip_prefix(ENTRY_UNREADABLE) {
            return Problem::EntryUnreadable(d);
        }
        if let Some(d) = p.strip_prefix(BAD_ZIP) {
            if let Some((count, max)) = d
                .strip_suffix(')')
                .and_then(|r| r.split_once(" entries (more than "))
                .filter(|(c, m)| is_number(c) && is_number(m))
            {
                return Problem::ZipEntries { count, max };
            }
            if let Some((index, detail)) = d
                .strip_prefix("entry ")
                .and_then(|r| r.split_once(": "))
                .filter(|(i, _)| is_number(i))
            {
                return Problem::ZipEntry { index, detail };
            }
            return Problem::Zip(d);
        }
        if let Some(max) = p
            .strip_prefix("more than the ")
            .and_then(|r| r.strip_suffix(" bytes read"))
            .filter(|m| is_number(m))
        {
            return Problem::OverLimit(max);
        }
        if let Some((size, max)) = p
            .strip_suffix(" read")
            .and_then(|r| r.split_once(" bytes, more than the "))
            .filter(|(s, m)| is_number(s) && is_number(m))
        {
            return Problem::TooBig { size, max };
        }
        Problem::Other(p)
    }
}

/// The message of a problem written here (an [`Inspection`]'s, an error of [`pdf_files`]
/// or of a [`PdfFile`]), for people, in any language; in English it is the text itself.
/// What the base64 and ZIP libraries say stays in English.
pub fn problem_msg(problem: &str) -> Msg {
    match Problem::of(problem) {
        Problem::Base64(d) => msg!("edxml-base64-invalid", detail = d),
        Problem::Zip(d) => msg!("edxml-zip-damaged", detail = d),
        Problem::ZipEntries { count, max } => {
            msg!("edxml-zip-too-many-entries", count = count, max = max)
        }
        Problem::ZipEntry { index, detail } => {
            msg!("edxml-zip-entry-damaged", index = index, detail = detail)
        }
        Problem::TooBig { size, max } => msg!("edxml-pdf-too-big", size = size, max = max),
        Problem::EntryUnreadable(d) => msg!("edxml-pdf-entry-unreadable", detail = d),
        Problem::OverLimit(max) => msg!("edxml-pdf-over-limit", max = max),
        Problem::Other(p) => msg!("edxml-attachment-problem", problem = p),
    }
}

/// The reader's warning about an attachment named `name` whose bytes could not be read.
pub(crate) fn unreadable_msg(name: Arg, problem: &str) -> Msg {
    match Problem::of(problem) {
        Problem::Base64(d) => msg!("edxml-attachment-base64-invalid", name = name, detail = d),
        Problem::Zip(d) => msg!("edxml-attachment-zip-damaged", name = name, detail = d),
        Problem::ZipEntries { count, max } => msg!(
            "edxml-attachment-zip-too-many-entries",
            name = name,
            count = count,
            max = max
        ),
        Problem::ZipEntry { index, detail } => msg!(
            "edxml-attachment-zip-entry-damaged",
            name = name,
            index = index,
            detail = detail
        ),
        // Not an inspection's problem; the English text, else what the code means.
        _ => msg!(
            "edxml-attachment-unreadable",
            name = name,
            problem = Arg::Findings {
                english: vec![problem.to_owned()],
                codes: vec![lienthong_types::Code::EdxmlAttachmentUnreadable],
            }
        ),
    }
}

/// Content type from magic bytes, falling back to the file extension.
pub fn sniff(head: &[u8], name: Option<&str>) -> &'static str {
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let by_ext = || -> &'static str {
        match ext.as_str() {
            "pdf" => "application/pdf",
            "doc" => "application/msword",
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xls" => "application/vnd.ms-excel",
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "ppt" => "application/vnd.ms-powerpoint",
            "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "xml" | "edxml" => "application/xml",
            "txt" => "text/plain",
            "zip" => "application/zip",
            "rar" => "application/vnd.rar",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "tif" | "tiff" => "image/tiff",
            "rtf" => "application/rtf",
            "odt" => "application/vnd.oasis.opendocument.text",
            _ => "application/octet-stream",
        }
    };
    if head.starts_with(b"%PDF-") {
        "application/pdf"
    } else if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        // OLE compound file: Word, Excel or PowerPoint 97-2003; the extension decides.
        match ext.as_str() {
            "doc" | "xls" | "ppt" => by_ext(),
            _ => "application/x-ole-storage",
        }
    } else if head.starts_with(b"PK\x03\x04") {
        match ext.as_str() {
            "docx" | "xlsx" | "pptx" | "odt" => by_ext(),
            _ => "application/zip",
        }
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if head.starts_with(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        "image/gif"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "image/tiff"
    } else if head.starts_with(b"{\\rtf") {
        "application/rtf"
    } else if head.starts_with(b"Rar!\x1a\x07") {
        "application/vnd.rar"
    } else if head.starts_with(b"<?xml") || head.starts_with(b"\xEF\xBB\xBF<?xml") {
        "application/xml"
    } else if head.is_empty() {
        by_ext()
    } else {
        match by_ext() {
            "application/octet-stream" if std::str::from_utf8(head).is_ok() => "text/plain",
            t => t,
        }
    }
}

/// Build a ZIP archive holding one stored (uncompressed) file with a UTF-8 name. Used to
/// write attachments the way the national SDK does, and by tests.
pub fn zip_single_stored(name: &str, content: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(
        content.len() + 2 * name.len() + 100,
    )));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(content.len() > u32::MAX as usize);
    // Writing to memory fails only on sizes ZIP cannot express; the result is then empty.
    let written = w
        .start_file(name, options)
        .and_then(|()| w.write_all(content).map_err(zip::result::ZipError::from))
        .and_then(|()| w.finish());
    match written {
        Ok(cursor) => cursor.into_inner(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The eight-at-a-time scan removes exactly the ASCII white space, wherever it falls
        /// relative to the eight-byte words, and keeps every other byte (control characters and
        /// non-ASCII included) for the decoder to judge.
        #[test]
        fn compacting_equals_filtering_white_space(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[A-Za-z0-9+/=]{0,40}",
                    "[ \t\r\n\x0b\x0c\x00\x01\x1f!]{1,3}",
                    "[àăâđêôơư]{1,2}",
                ],
                0..30,
            )
        ) {
            let text: String = parts.concat();
            let expected: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            let got = compact_base64(&text);
            prop_assert_eq!(got.as_ref(), expected.as_slice());
            // Text with nothing at or below the space character is not copied.
            if text.bytes().all(|c| c > b' ') {
                prop_assert!(matches!(got, Cow::Borrowed(_)));
            }
        }
    }

    #[test]
    fn pdf_files_come_from_plain_and_zipped_attachments() {
        let pdf = b"%PDF-1.7\n...%%EOF\n".to_vec();
        let plain = pdf_files(&encode_base64(&pdf), Some("cv.pdf"), 1000).unwrap();
        assert_eq!(
            plain,
            vec![PdfFile {
                name: "cv.pdf".into(),
                bytes: Ok(pdf.clone())
            }]
        );
        let zipped = zip_single_stored("Công văn 12.pdf", &pdf);
        let got = pdf_files(&encode_base64(&zipped), Some("x.zip"), 1000).unwrap();
        assert_eq!(
            got,
            vec![PdfFile {
                name: "Công văn 12.pdf".into(),
                bytes: Ok(pdf.clone())
            }]
        );
        // too big: named, not read
        let got = pdf_files(&encode_base64(&zipped), None, 10).unwrap();
        assert!(got[0].bytes.as_ref().unwrap_err().contains("more than"));
        // not a PDF, not base64
        assert!(
            pdf_files(&encode_base64(b"hello"), None, 1000)
                .unwrap()
                .is_empty()
        );
        let docx = zip_single_stored("a.docx", b"PK\x03\x04 inner");
        assert!(
            pdf_files(&encode_base64(&docx), None, 1000)
                .unwrap()
                .is_empty()
        );
        assert!(pdf_files("!!!", None, 1000).is_err());
    }

    #[test]
    fn a_zipped_pdf_that_inflates_past_twice_its_archive_is_not_read() {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("bomb.pdf", options).unwrap();
        w.write_all(b"%PDF-1.7\n").unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..16 {
            w.write_all(&zeros).unwrap();
        }
        let archive = w.finish().unwrap().into_inner();
        assert!(archive.len() < 100_000, "{}", archive.len());
        let got = pdf_files(&encode_base64(&archive), None, 64 << 20).unwrap();
        assert_eq!(got.len(), 1);
        let Err(why) = &got[0].bytes else {
            panic!("a 16 MiB entry from a small archive was read");
        };
        assert!(why.contains("more than the 1048576 bytes"), "{why}");
    }

    #[test]
    fn white_space_and_control_characters_in_base64() {
        let b64 = encode_base64(b"exactly these bytes, wrapped");
        let spaced = format!(" \t{}\r\n {}\n", &b64[..9], &b64[9..]);
        assert_eq!(
            decode_base64(&spaced).unwrap(),
            b"exactly these bytes, wrapped"
        );
        assert_eq!(inspect(&spaced, None).encoded_len, b64.len());
        // A control character that is not white space is refused, not skipped.
        let bad = format!("{}\u{1}{}", &b64[..9], &b64[9..]);
        assert!(decode_base64(&bad).is_err());
        assert!(inspect(&bad, None).problem.is_some());
    }

    #[test]
    fn zip_of_a_pdf_is_seen_through() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
        let zip = zip_single_stored("Công văn 123.pdf", pdf);
        let b64 = encode_base64(&zip);
        // Wrapped over lines, as some producers do.
        let wrapped: String = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n");
        let ins = inspect(&wrapped, Some("x.zip"));
        assert!(ins.zip);
        assert_eq!(ins.problem, None);
        assert_eq!(ins.file_name.as_deref(), Some("Công văn 123.pdf"));
        assert_eq!(ins.content_type.as_deref(), Some("application/pdf"));
        assert_eq!(ins.size, Some(pdf.len() as u64));
        assert_eq!(ins.decoded_len, Some(zip.len() as u64));
    }

    #[test]
    fn raw_payloads_and_bad_base64() {
        let ins = inspect(&encode_base64(b"\x89PNG\r\n\x1a\nrest"), None);
        assert!(!ins.zip);
        assert_eq!(ins.content_type.as_deref(), Some("image/png"));
        assert_eq!(ins.size, Some(12));
        let bad = inspect("UEsDBBQ...[TRUNCATED 361024 base64 chars]", None);
        assert!(bad.problem.unwrap().contains("base64"));
        assert_eq!(bad.size, None);
    }

    #[test]
    fn damaged_zip_is_reported_not_fatal() {
        let mut zip = zip_single_stored("a.pdf", b"%PDF-1.4");
        zip.truncate(zip.len() - 10);
        let ins = inspect(&encode_base64(&zip), None);
        assert!(ins.zip);
        assert!(ins.problem.unwrap().contains("ZIP"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Some("a.doc")),
            "application/msword"
        );
        assert_eq!(sniff(b"<?xml version", None), "application/xml");
        assert_eq!(
            sniff(b"", Some("a.XLSX")),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(sniff(b"hello", None), "text/plain");
        assert_eq!(sniff(b"\x00\x01\x02\xff", None), "application/octet-stream");
    }

    #[test]
    fn a_zip_we_write_lists_with_its_name_size_and_type() {
        let zip = zip_single_stored("Quyết định 12.pdf", b"%PDF-1.7 body");
        let entries = list_zip(&zip).unwrap();
        assert_eq!(
            entries,
            vec![ZipEntry {
                name: "Quyết định 12.pdf".into(),
                size: 13,
                content_type: "application/pdf".into(),
            }]
        );
    }
}
