//! Warnings and errors for people: each has its catalog message, which in English is
//! exactly the text the reader has always written (JSON carries it), and in Vietnamese a
//! message of the catalog.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_edxml::attach::{self, encode_base64, zip_single_stored};
use lienthong_edxml::*;
use lienthong_i18n::Lang;

/// A document with most of what the reader warns about.
fn odd_document() -> String {
    format!(
        r#"<edXML xmlns="{EDXML_NS}">
 <edXMLEnvelope>
  <edXMLHeader>
   <MessageHeader>
    <From><OrganId>000.00.00.G22</OrganId></From>
    <To><OrganId>000.00.00.H50</OrganId></To>
    <To><OrganId>000.00.00.H50</OrganId></To>
    <To><OrganName>no code</OrganName></To>
    <To><OrganId>A</OrganId><OrganId>B</OrganId></To>
    <To><OrganId>abc</OrganId></To>
    <DocumentId>1</DocumentId>
    <DocumentId>2</DocumentId>
    <OtherInfo><Priority>9</Priority><PageAmount>x</PageAmount><Direction>maybe</Direction></OtherInfo>
    <DueDate>soon</DueDate>
    <Foo/>
   </MessageHeader>
   <TraceHeaderList>
    <TraceHeader><Timestamp>later</Timestamp></TraceHeader>
    <Business><BussinessDocType>9</BussinessDocType></Business>
   </TraceHeaderList>
  </edXMLHeader>
  <edXMLBody><edXMLManifest><Reference><ContentId>m1</ContentId></Reference><Reference/></edXMLManifest></edXMLBody>
 </edXMLEnvelope>
 <AttachmentEncoded>
  <Attachment><ContentId>m1</ContentId><AttachmentName>x.pdf</AttachmentName><ContentTransferEncoded>!!!</ContentTransferEncoded></Attachment>
  <Attachment><ContentTransferEncoded>UEsDBAo=</ContentTransferEncoded></Attachment>
 </AttachmentEncoded>
 <Signature/>
 <Signature/>
</edXML>"#
    )
}

#[test]
fn every_warning_has_its_message_in_both_languages() {
    let parsed = read(odd_document().as_bytes()).unwrap();
    let w = &parsed.warnings;
    assert!(w.len() >= 15, "{w:#?}");
    for x in w {
        assert_eq!(x.message, x.msg.render(Lang::En));
        let vi = x.msg.render(Lang::Vi);
        assert!(!vi.starts_with("edxml-"), "{vi}");
        assert_ne!(vi, x.message, "{:?}: not translated", x.msg);
    }
    let english: Vec<&str> = w.iter().map(|x| x.message.as_str()).collect();
    let has = |text: &str| english.contains(&text);
    let starts = |text: &str| english.iter().any(|m| m.starts_with(text));
    for text in [
        "2 Signature elements found",
        "the Signature is not in edXMLHeader, where edXML places it",
        "the Signature is not in the XML Signature namespace (legacy SDK form); it cannot be verified",
        "recipient 000.00.00.H50 appears more than once in To",
        "DocumentId appears more than once; the first is used",
        "Priority '9' is not one of 0–4",
        "PageAmount is 'x', not a number; ignored",
        "Direction is 'maybe', not true or false; ignored",
        "DueDate is 'soon', not a date (yyyy/MM/dd or dd/MM/yyyy); ignored",
        "Timestamp is 'later', not a date and time (yyyy/MM/dd HH:mm:ss); ignored",
        "'Business' read as the standard's 'Bussiness'",
        "BussinessDocType '9' is not one of 0–3",
        "unknown element Foo in MessageHeader was kept but not interpreted",
        "agency code 'abc' has character 'a' (only 0-9, A-Z and '.' are allowed); kept as written",
        "manifest entry (no ContentId) has no attachment",
        "attachment (no ContentId) is not listed in the manifest",
    ] {
        assert!(has(text), "missing {text:?} in {english:#?}");
    }
    for text in [
        "OrganId is missing in To (line ",
        "OrganId appears more than once in To (line ",
        "attachment x.pdf: the base64 content is invalid: ",
        "attachment (unnamed): the ZIP archive is damaged: ",
    ] {
        assert!(starts(text), "missing {text:?}… in {english:#?}");
    }
    let skipped = w
        .iter()
        .find(|x| x.message.starts_with("OrganId is missing in To"))
        .unwrap();
    assert!(skipped.message.ends_with("); this To was skipped"));
    let vi: Vec<String> = w.iter().map(|x| x.msg.render(Lang::Vi)).collect();
    assert!(
        vi.iter()
            .any(|m| m.contains("(không có ContentId)") && m.contains("danh mục tệp")),
        "{vi:#?}"
    );
    assert!(
        vi.iter()
            .any(|m| m.starts_with("tệp đính kèm (không có tên): "))
    );
    // JSON keeps the English text and leaves the message out.
    let json = serde_json::to_value(Summary::of(&parsed)).unwrap();
    let first = &json["warnings"][0];
    assert_eq!(first["message"], w[0].message);
    assert!(first.get("msg").is_none(), "{first}");
}

#[test]
fn errors_render_as_their_display() {
    let ns = EDXML_NS;
    let cases = [
        "<a>".to_owned(),
        "<!DOCTYPE a><a/>".to_owned(),
        "<html/>".to_owned(),
        "<edXML xmlns=\"urn:other\"/>".to_owned(),
        format!("<edXML xmlns=\"{ns}\"/>"),
        format!(
            "<edXML xmlns=\"{ns}\"><edXMLEnvelope><edXMLHeader/><edXMLHeader/></edXMLEnvelope></edXML>"
        ),
    ];
    for xml in cases {
        let e = read(xml.as_bytes()).unwrap_err();
        let english = e.to_string();
        assert_eq!(e.msg().render(Lang::En), english, "{xml}");
        assert_eq!(e.render(Lang::En), english, "{xml}");
        let vi = e.render(Lang::Vi);
        assert!(!vi.starts_with("edxml-"), "{vi}");
        assert_ne!(vi, english);
        assert!(
            vi.contains(&format!("dòng {}, cột ", e.position().line)),
            "{vi}"
        );
    }
    let e = read(b"<a>").unwrap_err();
    assert!(
        e.render(Lang::Vi)
            .starts_with("không đọc được dưới dạng XML: dữ liệu kết thúc đột ngột"),
        "{}",
        e.render(Lang::Vi)
    );
}

#[test]
fn agency_code_errors_render_as_their_display() {
    for s in [
        "",
        "0123456789012345678901234567890123456",
        "abc",
        "000.00.00.h50",
    ] {
        let e = AgencyCode::parse(s).unwrap_err();
        assert_eq!(e.msg().render(Lang::En), e.to_string());
        assert!(e.msg().render(Lang::Vi).starts_with("mã định danh cơ quan"));
    }
}

#[test]
fn attachment_problems_render_as_written() {
    let mut problems = Vec::new();
    problems.extend(attach::inspect("!!!", None).problem);
    let mut zip = zip_single_stored("a.pdf", b"%PDF-1.4");
    zip.truncate(zip.len() - 10);
    problems.extend(attach::inspect(&encode_base64(&zip), None).problem);
    problems.extend(attach::pdf_files("!!!", None, 1000).err());
    let pdf = zip_single_stored("a.pdf", b"%PDF-1.7 body");
    for f in attach::pdf_files(&encode_base64(&pdf), None, 5).unwrap() {
        problems.extend(f.bytes.err());
    }
    for f in attach::pdf_files(&encode_base64(b"%PDF-1.7 body"), None, 5).unwrap() {
        problems.extend(f.bytes.err());
    }
    problems.push("entry 3: something".to_owned());
    assert!(problems.len() >= 5, "{problems:?}");
    for p in &problems {
        let m = attach::problem_msg(p);
        assert_eq!(&m.render(Lang::En), p, "{m:?}");
        assert!(!m.render(Lang::Vi).starts_with("edxml-"));
    }
    assert_eq!(
        attach::problem_msg("13 bytes, more than the 5 read").id,
        "edxml-pdf-too-big"
    );
    assert_eq!(
        attach::problem_msg("more than the 5 bytes read").id,
        "edxml-pdf-over-limit"
    );
    assert_eq!(
        attach::problem_msg("the ZIP archive is damaged: 10001 entries (more than 10000)").id,
        "edxml-zip-too-many-entries"
    );
}
