//! Reading our own fixtures (every element and code), the public samples in ../shared,
//! and files that must be refused.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_edxml::*;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn edoc(name: &str) -> (Edoc, Vec<Warning>) {
    let parsed = read(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    match parsed.package {
        Package::Edoc(e) => (*e, parsed.warnings),
        Package::Status(_) => panic!("{name} read as a status"),
    }
}

#[test]
fn full_document_reads_every_element() {
    let (e, warnings) = edoc("edoc_new.edxml");
    assert!(warnings.is_empty(), "{warnings:#?}");
    let h = &e.header;
    assert_eq!(h.from.organ_id, "000.00.01.H50");
    assert_eq!(
        h.from.organ_name.as_deref(),
        Some("Văn phòng UBND tỉnh Quảng Trị")
    );
    assert_eq!(
        h.from.organization_in_charge.as_deref(),
        Some("Văn phòng UBND tỉnh Quảng Trị")
    );
    assert_eq!(
        h.from.organ_add.as_deref(),
        Some("Số 1 đường Trần Hưng Đạo")
    );
    assert_eq!(h.from.email.as_deref(), Some("vanthu@example.gov.vn"));
    assert_eq!(h.from.telephone.as_deref(), Some("0233 3852 000"));
    assert_eq!(h.from.fax.as_deref(), Some("0233 3852 001"));
    assert_eq!(h.from.website.as_deref(), Some("example.gov.vn"));
    assert_eq!(
        h.to.iter().map(|t| t.organ_id.as_str()).collect::<Vec<_>>(),
        ["000.00.11.H50", "000.00.00.H48"]
    );
    assert_eq!(
        h.document_id.as_deref(),
        Some("000.00.01.H50,2026/11/20,123/UBND-VP")
    );
    assert_eq!(h.code.as_ref().unwrap().display(), "123/UBND-VP");
    let p = h.promulgation_info.as_ref().unwrap();
    assert_eq!(p.place.as_deref(), Some("Đông Hà"));
    assert_eq!(p.promulgation_date, Date::new(2026, 11, 20));
    let t = h.document_type.as_ref().unwrap();
    assert_eq!(
        (t.doc_type, t.type_detail, t.type_name.as_deref()),
        (Some(1), Some(0), Some("Công văn"))
    );
    assert_eq!(
        h.subject.as_deref(),
        Some("V/v triển khai liên thông văn bản điện tử 4 cấp")
    );
    assert_eq!(
        h.content.as_deref(),
        Some("Đề nghị các cơ quan phối hợp & báo cáo trước ngày 30/11")
    );
    let s = h.signer_info.as_ref().unwrap();
    assert_eq!(s.competence.as_deref(), Some("KT. CHỦ TỊCH"));
    assert_eq!(s.position.as_deref(), Some("Phó Chủ tịch"));
    assert_eq!(s.full_name.as_deref(), Some("Nguyễn Văn A"));
    assert_eq!(h.due_date, Date::new(2026, 11, 30));
    let o = h.other_info.as_ref().unwrap();
    assert_eq!(o.priority, Some(Priority::Urgent));
    assert_eq!(
        o.sphere_of_promulgation.as_deref(),
        Some("Liên thông văn bản tỉnh")
    );
    assert_eq!(o.typer_notation.as_deref(), Some("NVA"));
    assert_eq!(
        (o.promulgation_amount, o.page_amount, o.direction),
        (Some(3), Some(2), Some(false))
    );
    assert_eq!(o.appendixes.len(), 2);
    assert_eq!(h.steering_type, Some(1));
    assert_eq!(h.to_places, ["Như trên", "Lưu: VT"]);
    assert_eq!(h.response_for.len(), 1);
    assert_eq!(h.response_for[0].code.as_deref(), Some("7816/VPCP-TTĐT"));
    assert_eq!(h.response_for[0].promulgation_date, Date::new(2026, 10, 1));
    let th = &e.trace.trace_headers[0];
    assert_eq!(th.organ_id.as_deref(), Some("000.00.01.H50"));
    assert_eq!(th.timestamp.unwrap().to_string(), "2026/11/20 08:30:00");
    let b = e.trace.business.as_ref().unwrap();
    assert_eq!(b.business_doc_type, Some(BusinessDocType::New));
    assert_eq!(
        b.business_doc_reason.as_deref(),
        Some("Văn bản điện tử mới")
    );
    assert_eq!(b.paper, Some(0));
    assert_eq!(
        b.staff_info.as_ref().unwrap().staff.as_deref(),
        Some("Trần Thị B")
    );
    assert_eq!(e.manifest.len(), 1);
    assert_eq!(e.manifest[0].content_id.as_deref(), Some("att-1"));
    let a = &e.attachments[0];
    assert_eq!(a.content_id.as_deref(), Some("att-1"));
    let ins = a.inspection.as_ref().unwrap();
    assert!(ins.zip);
    assert_eq!(ins.file_name.as_deref(), Some("Cong van 123-UBND.pdf"));
    assert_eq!(ins.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(ins.size, Some(20 * 101));
    assert!(e.signature.is_none());
}

#[test]
fn business_operations() {
    let (e, w) = edoc("edoc_update.edxml");
    assert!(w.is_empty(), "{w:#?}");
    let b = e.trace.business.unwrap();
    assert_eq!(b.business_doc_type, Some(BusinessDocType::Update));
    let info = b.business_document_info.unwrap();
    assert_eq!(
        (info.document_info, info.document_receiver),
        (Some(1), Some(1))
    );
    assert_eq!(info.receivers.len(), 2);
    assert_eq!(info.receivers[0].organ_id.as_deref(), Some("000.00.00.H48"));
    assert_eq!(info.receivers[0].receiver_type, Some(0));
    assert_eq!(info.receivers[1].receiver_type, Some(1));

    let (e, _) = edoc("edoc_replace.edxml");
    let b = e.trace.business.unwrap();
    assert_eq!(b.business_doc_type, Some(BusinessDocType::Replace));
    assert_eq!(b.replacement_info.len(), 1);
    assert_eq!(
        b.replacement_info[0].organ_ids,
        ["000.00.11.H50", "000.00.00.H48"]
    );
    assert_eq!(
        b.replacement_info[0].document_id.as_deref(),
        Some("000.00.01.H50,2026/11/01,100/UBND-VP")
    );

    let (e, _) = edoc("edoc_revoke.edxml");
    assert_eq!(
        e.trace.business.unwrap().business_doc_type,
        Some(BusinessDocType::Revoke)
    );
}

#[test]
fn every_status_code() {
    for code in StatusCode::KNOWN {
        let name = format!("status_{}.edxml", code.wire());
        let parsed = read(&fixture(&name)).unwrap();
        assert!(parsed.warnings.is_empty(), "{name}: {:#?}", parsed.warnings);
        let Package::Status(s) = parsed.package else {
            panic!("{name} is not a status")
        };
        assert_eq!(s.status_code, code);
        assert_eq!(
            s.response_for.document_id.as_deref(),
            Some("000.00.01.H50,2026/11/20,123/UBND-VP")
        );
        assert_eq!(s.response_for.promulgation_date, Date::new(2026, 11, 20));
        assert_eq!(s.timestamp.unwrap().iso(), "2026-11-21T09:15:00");
        assert_eq!(
            s.staff_info.as_ref().unwrap().staff.as_deref(),
            Some("Lê Văn C")
        );
        // 13 goes from the original sender to the receiver; the others come back.
        if code.is_from_sender() {
            assert_eq!(s.from.organ_id, "000.00.01.H50");
            assert_eq!(s.destination(), Some("000.00.11.H50"));
        } else {
            assert_eq!(s.from.organ_id, "000.00.11.H50");
            assert_eq!(s.destination(), Some("000.00.01.H50"));
        }
        assert!(!code.label_vi().is_empty() && !code.label_en().is_empty());
    }
    assert_eq!(StatusCode::from_wire("5"), StatusCode::Processing);
    assert_eq!(StatusCode::from_wire("99"), StatusCode::Other("99".into()));
}

#[test]
fn lenient_reading_of_odd_files() {
    let (e, warnings) = edoc("edoc_lenient.edxml");
    let codes: Vec<&str> = warnings.iter().map(|w| w.code.as_str()).collect();
    // Any prefix, any order.
    assert_eq!(e.header.from.organ_id, "000.00.11.H53");
    assert_eq!(
        e.header.from.organ_name.as_deref(),
        Some("Sở Nội vụ tỉnh Tây Ninh")
    );
    assert_eq!(
        e.header.subject.as_deref(),
        Some("V/v báo cáo tình hình (bản lenient)")
    );
    assert_eq!(e.header.code.as_ref().unwrap().display(), "45/SNV-VP");
    // dd/MM/yyyy and ISO dates.
    assert_eq!(
        e.header
            .promulgation_info
            .as_ref()
            .unwrap()
            .promulgation_date,
        Date::new(2026, 10, 30)
    );
    assert_eq!(e.header.due_date, Date::new(2026, 12, 15));
    // Odd agency codes are kept, with a warning.
    assert_eq!(e.header.to[1].organ_id, "null");
    assert!(codes.contains(&"edxml.odd_agency_code"));
    // Unknown elements are kept.
    assert_eq!(e.header.extra.len(), 1);
    assert_eq!(e.header.extra[0].local, "ResponseForTask");
    assert_eq!(e.header.extra[0].children[0].text, "NV-2026-01");
    assert!(codes.contains(&"edxml.unknown_element"));
    // Bad values become warnings.
    let o = e.header.other_info.as_ref().unwrap();
    assert_eq!(o.priority, Some(Priority::Other("7".into())));
    assert_eq!(o.page_amount, None);
    assert!(codes.contains(&"edxml.bad_number"));
    assert!(codes.contains(&"edxml.unknown_priority"));
    // A trace header with no OrganId.
    assert_eq!(e.trace.trace_headers.len(), 2);
    assert_eq!(e.trace.trace_headers[1].organ_id, None);
    // Bare and bracketed content ids match.
    assert_eq!(
        e.manifest[0].content_id.as_deref(),
        Some("3f2a9c1e-0000-4000-8000-000000000001")
    );
    assert_eq!(e.attachments[0].content_id, e.manifest[0].content_id);
    assert!(!codes.contains(&"edxml.manifest_without_attachment"));
    // Wrapped base64 over a ZIP holding a .docx.
    let ins = e.attachments[0].inspection.as_ref().unwrap();
    assert_eq!(ins.file_name.as_deref(), Some("phu-luc.docx"));
    assert_eq!(
        ins.content_type.as_deref(),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    // Standard-namespace signature summarized; no legacy warning.
    let sig = e.signature.as_ref().unwrap();
    assert!(sig.in_xmldsig_namespace);
    assert_eq!(sig.reference_uris, [""]);
    assert!(!codes.contains(&"edxml.legacy_signature"));
    // Every warning carries a position when it is about an element.
    let odd = warnings
        .iter()
        .find(|w| w.code == "edxml.odd_agency_code")
        .unwrap();
    assert!(odd.line.is_some() && odd.column.is_some());
}

#[test]
fn refused_files_name_the_problem_and_position() {
    let cases = [
        ("bad_doctype.edxml", "xml.doctype", 2),
        ("bad_billion_laughs.edxml", "xml.doctype", 2),
        ("bad_truncated.edxml", "xml.truncated", 0),
        ("bad_namespace.edxml", "edxml.not_edxml", 3),
    ];
    for (name, code, line) in cases {
        let err = read(&fixture(name)).unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
        if line > 0 {
            assert_eq!(err.position().line, line, "{name}: {err}");
        }
    }
    let err = read(&fixture("bad_namespace.edxml")).unwrap_err();
    assert!(err.to_string().contains("wrong namespace"), "{err}");
}

#[test]
fn structural_errors() {
    let ns = EDXML_NS;
    let cases = [
        (
            format!("<edXML xmlns=\"{ns}\"/>"),
            "edxml.missing_element",
            "edXMLEnvelope",
        ),
        (
            format!("<edXML xmlns=\"{ns}\"><edXMLEnvelope/></edXML>"),
            "edxml.missing_element",
            "edXMLHeader",
        ),
        (
            format!("<edXML xmlns=\"{ns}\"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope></edXML>"),
            "edxml.missing_element",
            "MessageHeader",
        ),
        (
            format!(
                "<edXML xmlns=\"{ns}\"><edXMLEnvelope><edXMLHeader><MessageHeader><To><OrganId>X</OrganId></To></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
            ),
            "edxml.missing_element",
            "From",
        ),
        (
            format!(
                "<edXML xmlns=\"{ns}\"><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganName>x</OrganName></From></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
            ),
            "edxml.missing_element",
            "OrganId",
        ),
        (
            "<html><body/></html>".to_string(),
            "edxml.not_edxml",
            "root element is html",
        ),
    ];
    for (xml, code, needle) in cases {
        let err = read(xml.as_bytes()).unwrap_err();
        assert_eq!(err.code(), code, "{xml}: {err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}

#[test]
fn summary_matches_design_shape() {
    let parsed = read(&fixture("edoc_new.edxml")).unwrap();
    let json = serde_json::to_value(Summary::of(&parsed)).unwrap();
    assert_eq!(json["kind"], "edoc");
    assert_eq!(json["from"], "000.00.01.H50");
    assert_eq!(json["to"][1], "000.00.00.H48");
    assert_eq!(json["code"], "123/UBND-VP");
    assert_eq!(json["status_code"], serde_json::Value::Null);
    assert_eq!(json["business_type"], "new");
    assert_eq!(json["attachments"][0]["name"], "Cong van 123-UBND.pdf");
    assert_eq!(json["attachments"][0]["content_type"], "application/pdf");
    assert_eq!(json["attachments"][0]["size"], 2020);
    let parsed = read(&fixture("status_05.edxml")).unwrap();
    let json = serde_json::to_value(Summary::of(&parsed)).unwrap();
    assert_eq!(json["kind"], "status");
    assert_eq!(json["status_code"], "05");
    assert_eq!(json["to"][0], "000.00.01.H50");
    assert_eq!(json["subject"], serde_json::Value::Null);
}

/// Every public sample in ../shared/samples/edxml reads without error, with the right fields.
#[test]
fn shared_samples_read() {
    let Some(shared) = lienthong_testkit::shared_dir() else {
        return;
    };
    let dir = shared.join("samples/edxml");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let parsed = read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = Summary::of(&parsed);
        seen += 1;
        if let Some(rest) = name.strip_prefix("vpcp-sdk_status_") {
            let code = &rest[..2];
            assert_eq!(s.kind, PackageKind::Status, "{name}");
            assert_eq!(s.status_code.as_deref(), Some(code), "{name}");
            assert_eq!(
                s.document_id.as_deref(),
                Some("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
                "{name}"
            );
            if code == "13" {
                assert_eq!(
                    (s.from.as_str(), s.to.as_slice()),
                    ("000.00.00.G22", &["000.00.00.H41".to_string()][..])
                );
            } else {
                assert_eq!(s.to, ["000.00.00.G22"], "{name}");
            }
        } else {
            assert_eq!(s.kind, PackageKind::Edoc, "{name}");
            let (from, recipient, count) = if name.contains("edoc_new") {
                // Short, malformed codes occur in real SDK test data: kept, with a warning.
                ("000.00.00.A80", "28.22.H17", 1)
            } else {
                ("000.00.00.G22", "000.00.00.H41", 3)
            };
            assert_eq!(s.from, from, "{name}");
            assert_eq!(s.to.len(), count, "{name}");
            assert!(s.to.contains(&recipient.to_string()), "{name}");
            assert!(s.subject.is_some(), "{name}");
            assert_eq!(s.attachments.len(), 1, "{name}");
            let expected_type = if name.contains("multi-to") || name.contains("_new") {
                Some("new")
            } else if name.contains("update") {
                Some("update")
            } else if name.contains("revocation") {
                Some("revoke")
            } else if name.contains("replacement") {
                Some("replace")
            } else {
                None
            };
            assert_eq!(s.business_type.as_deref(), expected_type, "{name}");
            // SDK samples carry the legacy, namespace-less Signature.
            assert!(
                s.warnings
                    .iter()
                    .any(|w| w.code == "edxml.legacy_signature"),
                "{name}"
            );
            if name.contains("EXCERPT") {
                // Truncated payloads: a warning, not a failure.
                assert!(
                    s.warnings
                        .iter()
                        .any(|w| w.code == "edxml.attachment_unreadable"),
                    "{name}"
                );
            } else {
                let a = &s.attachments[0];
                assert!(a.size.is_some(), "{name}: {a:?}");
                assert_eq!(
                    a.content_type.as_deref(),
                    Some("application/xml"),
                    "{name}: {a:?}"
                );
            }
        }
    }
    assert!(seen >= 13, "only {seen} samples found in {}", dir.display());
}

/// An element that decides who sent a file, or what it answers, must appear once: a file
/// with two is refused (`edxml.ambiguous`, at the second), not read as its first.
#[test]
fn ambiguous_files_are_refused_at_the_second_occurrence() {
    let edoc = String::from_utf8(fixture("edoc_new.edxml")).unwrap();
    let status = String::from_utf8(fixture("status_01.edxml")).unwrap();
    let dup = |text: &str, open: &str, close: &str| -> String {
        let a = text.find(open).unwrap();
        let b = text[a..].find(close).unwrap() + a + close.len();
        format!("{}{}{}", &text[..b], &text[a..b], &text[b..])
    };
    let cases = [
        ("From", dup(&edoc, "<edXML:From>", "</edXML:From>")),
        (
            "MessageHeader",
            dup(&edoc, "<edXML:MessageHeader>", "</edXML:MessageHeader>"),
        ),
        (
            "edXMLHeader",
            dup(&edoc, "<edXML:edXMLHeader>", "</edXML:edXMLHeader>"),
        ),
        (
            "edXMLEnvelope",
            dup(&edoc, "<edXML:edXMLEnvelope", "</edXML:edXMLEnvelope>"),
        ),
        ("From", dup(&status, "<edXML:From>", "</edXML:From>")),
        (
            "ResponseFor",
            dup(&status, "<edXML:ResponseFor>", "</edXML:ResponseFor>"),
        ),
        (
            "StatusCode",
            dup(&status, "<edXML:StatusCode>", "</edXML:StatusCode>"),
        ),
    ];
    for (what, text) in cases {
        let e = read(text.as_bytes()).expect_err(what);
        assert_eq!(e.code(), "edxml.ambiguous", "{what}: {e}");
        assert!(e.to_string().contains(what), "{e}");
        // the position is the second occurrence's
        let second = text
            .match_indices(&format!("<edXML:{what}"))
            .nth(1)
            .map(|(i, _)| i)
            .unwrap();
        assert_eq!(e.position().offset, second, "{what}");
    }
    // Inside one element: a From with two codes, a ResponseFor naming two senders, an empty
    // StatusCode before a real one.
    // A second OrganId right after the first one inside `inside`.
    let organ = |text: &str, inside: &str| -> String {
        let a = text.find(&format!("<edXML:{inside}>")).unwrap();
        let b = text[a..].find("</edXML:OrganId>").unwrap() + a + "</edXML:OrganId>".len();
        format!(
            "{}<edXML:OrganId>000.00.00.G22</edXML:OrganId>{}",
            &text[..b],
            &text[b..]
        )
    };
    for (what, text) in [
        ("OrganId", organ(&edoc, "From")),
        ("OrganId", organ(&status, "ResponseFor")),
        (
            "StatusCode",
            status.replacen(
                "<edXML:StatusCode>",
                "<edXML:StatusCode/><edXML:StatusCode>",
                1,
            ),
        ),
    ] {
        let e = read(text.as_bytes()).expect_err(what);
        assert_eq!(e.code(), "edxml.ambiguous", "{what}: {e}");
        assert!(e.to_string().contains(what), "{e}");
    }
    // An edoc answering several documents is not ambiguous: ResponseFor is 0..n there.
    let two_answers = dup(&edoc, "<edXML:ResponseFor>", "</edXML:ResponseFor>");
    assert!(read(two_answers.as_bytes()).is_ok());
}
