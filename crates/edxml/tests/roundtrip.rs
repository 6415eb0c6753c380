//! What we write reads back to the same model, and validates against our XSD.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use lienthong_edxml::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9ÀÁÂĂĐƠƯàáảãạăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữự <>&\"',./:-]{1,24}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn otext() -> impl Strategy<Value = Option<String>> {
    option::of(text())
}

fn agency_id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-K][0-9]{2}",
        "[0-9A-Z.]{1,20}",
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (1990u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..60).prop_map(|(d, h, m, s)| DateTime::new(d, h, m, s).unwrap())
}

fn extra(edxml_ns_allowed: bool) -> impl Strategy<Value = Extra> {
    let ns = if edxml_ns_allowed {
        prop_oneof![
            Just(Some(EDXML_NS.to_owned())),
            Just(Some("urn:example:ext".to_owned())),
            Just(None)
        ]
        .boxed()
    } else {
        Just(Some("urn:example:ext".to_owned())).boxed()
    };
    let leaf = (
        ns.clone(),
        "Ext[A-Za-z0-9]{0,6}",
        vec(("[a-z]{1,5}", text()), 0..2),
        option::of(text()),
    )
        .prop_map(|(namespace, local, attrs, t)| {
            let mut attributes: Vec<(Option<String>, String, String)> = Vec::new();
            for (k, v) in attrs {
                if !attributes.iter().any(|(_, kk, _)| *kk == k) {
                    attributes.push((None, k, v));
                }
            }
            Extra {
                namespace,
                local,
                attributes,
                text: t.unwrap_or_default(),
                children: vec![],
            }
        });
    leaf.prop_recursive(2, 6, 3, move |inner| {
        (ns.clone(), "Ext[A-Za-z0-9]{0,6}", vec(inner, 1..3)).prop_map(
            |(namespace, local, children)| Extra {
                namespace,
                local,
                attributes: vec![],
                text: String::new(),
                children,
            },
        )
    })
}

fn organization(ext: bool) -> impl Strategy<Value = Organization> {
    (
        agency_id(),
        otext(),
        otext(),
        otext(),
        otext(),
        otext(),
        otext(),
        otext(),
        vec(extra(ext), 0..2),
    )
        .prop_map(
            |(
                organ_id,
                organization_in_charge,
                organ_name,
                organ_add,
                email,
                telephone,
                fax,
                website,
                extra,
            )| Organization {
                organ_id,
                organization_in_charge,
                organ_name,
                organ_add,
                email,
                telephone,
                fax,
                website,
                extra,
            },
        )
}

fn response_for() -> impl Strategy<Value = ResponseFor> {
    (
        option::of(agency_id()),
        otext(),
        option::of(date()),
        otext(),
    )
        .prop_map(
            |(organ_id, code, promulgation_date, document_id)| ResponseFor {
                organ_id,
                code,
                promulgation_date,
                document_id,
            },
        )
}

fn staff() -> impl Strategy<Value = StaffInfo> {
    (otext(), otext(), otext(), otext()).prop_map(|(department, staff, email, mobile)| StaffInfo {
        department,
        staff,
        email,
        mobile,
    })
}

fn int() -> impl Strategy<Value = Option<i64>> {
    option::of(-5i64..1000)
}

fn header(ext: bool) -> impl Strategy<Value = MessageHeader> {
    let a = (
        organization(ext),
        vec(organization(ext), 0..3),
        otext(),
        option::of(
            (otext(), otext()).prop_map(|(code_number, code_notation)| DocCode {
                code_number,
                code_notation,
            }),
        ),
        option::of(
            (otext(), option::of(date())).prop_map(|(place, promulgation_date)| PromulgationInfo {
                place,
                promulgation_date,
            }),
        ),
        option::of(
            (int(), int(), otext()).prop_map(|(doc_type, type_detail, type_name)| DocumentType {
                doc_type,
                type_detail,
                type_name,
            }),
        ),
        otext(),
        otext(),
    );
    let b = (
        option::of(
            (otext(), otext(), otext()).prop_map(|(competence, position, full_name)| SignerInfo {
                competence,
                position,
                full_name,
            }),
        ),
        option::of(date()),
        option::of(other_info(ext)),
        int(),
        vec(text(), 0..3),
        vec(
            response_for().prop_filter("non-empty", |r| *r != ResponseFor::default()),
            0..2,
        ),
        vec(extra(ext), 0..2),
    );
    (a, b).prop_map(
        |(
            (from, to, document_id, code, promulgation_info, document_type, subject, content),
            (signer_info, due_date, other_info, steering_type, to_places, response_for, extra),
        )| MessageHeader {
            from,
            to,
            document_id,
            code,
            promulgation_info,
            document_type,
            subject,
            content,
            signer_info,
            due_date,
            other_info,
            steering_type,
            to_places,
            response_for,
            extra,
        },
    )
}

fn other_info(ext: bool) -> impl Strategy<Value = OtherInfo> {
    (
        option::of(prop_oneof![
            (0u8..5).prop_map(|p| Priority::from_wire(&p.to_string())),
            "[5-9]".prop_map(Priority::Other)
        ]),
        otext(),
        otext(),
        option::of(0u32..1000),
        option::of(0u32..1000),
        option::of(any::<bool>()),
        vec(text(), 0..3),
        vec(extra(ext), 0..2),
    )
        .prop_map(
            |(
                priority,
                sphere_of_promulgation,
                typer_notation,
                promulgation_amount,
                page_amount,
                direction,
                appendixes,
                extra,
            )| OtherInfo {
                priority,
                sphere_of_promulgation,
                typer_notation,
                promulgation_amount,
                page_amount,
                direction,
                appendixes,
                extra,
            },
        )
}

fn business(ext: bool) -> impl Strategy<Value = Business> {
    (
        otext(),
        option::of(prop_oneof![
            (0u8..4).prop_map(|t| BusinessDocType::from_wire(&t.to_string())),
            "[4-9]".prop_map(BusinessDocType::Other)
        ]),
        otext(),
        int(),
        option::of(staff()),
        option::of(
            (
                int(),
                int(),
                vec(
                    (option::of(agency_id()), int()).prop_map(|(organ_id, receiver_type)| {
                        Receiver {
                            organ_id,
                            receiver_type,
                        }
                    }),
                    0..3,
                ),
            )
                .prop_map(|(document_info, document_receiver, receivers)| {
                    BusinessDocumentInfo {
                        document_info,
                        document_receiver,
                        receivers,
                    }
                }),
        ),
        vec(
            (otext(), vec(agency_id(), 0..3)).prop_map(|(document_id, organ_ids)| {
                ReplacementInfo {
                    document_id,
                    organ_ids,
                }
            }),
            0..2,
        ),
        vec(extra(ext), 0..2),
    )
        .prop_map(
            |(
                document_id,
                business_doc_type,
                business_doc_reason,
                paper,
                staff_info,
                business_document_info,
                replacement_info,
                extra,
            )| Business {
                document_id,
                business_doc_type,
                business_doc_reason,
                paper,
                staff_info,
                business_document_info,
                replacement_info,
                extra,
            },
        )
}

fn attachment() -> impl Strategy<Value = (ManifestReference, Attachment)> {
    (
        "[a-z0-9-]{1,12}",
        otext(),
        otext(),
        otext(),
        vec(any::<u8>(), 0..64),
        any::<bool>(),
    )
        .prop_map(|(cid, name, desc, ctype, bytes, zipped)| {
            let payload = if zipped {
                attach::zip_single_stored("tệp.pdf", &bytes)
            } else {
                bytes
            };
            let encoded = attach::encode_base64(&payload);
            let inspection = Some(attach::inspect(&encoded, name.as_deref()));
            (
                ManifestReference {
                    content_id: Some(cid.clone()),
                    content_type: ctype.clone(),
                    description: desc.clone(),
                    attachment_name: name.clone(),
                },
                Attachment {
                    content_id: Some(cid),
                    attachment_name: name,
                    description: desc,
                    content_type: ctype,
                    encoded,
                    inspection,
                },
            )
        })
}

fn edoc(ext: bool) -> impl Strategy<Value = Edoc> {
    (
        header(ext),
        vec(
            (option::of(agency_id()), option::of(datetime())).prop_map(|(organ_id, timestamp)| {
                TraceHeader {
                    organ_id,
                    timestamp,
                }
            }),
            0..3,
        ),
        option::of(business(ext)),
        vec(attachment(), 0..3),
    )
        .prop_map(|(header, trace_headers, business, atts)| {
            let (manifest, attachments) = atts.into_iter().unzip();
            Edoc {
                header,
                trace: TraceHeaderList {
                    trace_headers,
                    business,
                },
                manifest,
                attachments,
                signature: None,
            }
        })
}

fn status(ext: bool) -> impl Strategy<Value = Status> {
    (
        organization(ext),
        response_for(),
        option::of(staff()),
        prop_oneof![
            (0usize..9).prop_map(|i| StatusCode::KNOWN[i].clone()),
            "(0[7-9]|1[0247-9]|[2-9][0-9])".prop_map(StatusCode::Other)
        ],
        otext(),
        option::of(datetime()),
        vec(extra(ext), 0..2),
    )
        .prop_map(
            |(from, response_for, staff_info, status_code, description, timestamp, extra)| Status {
                from,
                response_for,
                staff_info,
                status_code,
                description,
                timestamp,
                extra,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn edoc_round_trips(e in edoc(true)) {
        let xml = write_edoc(&e);
        let back = read(xml.as_bytes()).unwrap_or_else(|err| panic!("{err}\n{xml}"));
        match back.package {
            Package::Edoc(b) => prop_assert_eq!(*b, e, "{}", xml),
            Package::Status(_) => prop_assert!(false, "read back as a status"),
        }
    }

    #[test]
    fn status_round_trips(s in status(true)) {
        let xml = write_status(&s);
        let back = read(xml.as_bytes()).unwrap_or_else(|err| panic!("{err}\n{xml}"));
        match back.package {
            Package::Status(b) => prop_assert_eq!(*b, s, "{}", xml),
            Package::Edoc(_) => prop_assert!(false, "read back as a document"),
        }
    }
}

#[test]
fn fixtures_survive_read_write_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("bad_") {
            continue;
        }
        let first = read(&std::fs::read(&path).unwrap()).unwrap().package;
        let mut second = read(write(&first).as_bytes()).unwrap().package;
        // The signature is not part of what the writer emits.
        if let (Package::Edoc(a), Package::Edoc(b)) = (&first, &mut second) {
            b.signature = a.signature.clone();
        }
        assert_eq!(first, second, "{name}");
    }
}

/// Our output validates against schemas/edxml-lienthong.xsd (xmllint as the oracle).
#[test]
fn output_validates_against_our_xsd() {
    let xsd = lienthong_testkit::repo_root().join("schemas/edxml-lienthong.xsd");
    let dir = tempfile_dir();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut files = Vec::new();
    for i in 0..40 {
        let e = edoc(false).new_tree(&mut runner).unwrap().current();
        let s = status(false).new_tree(&mut runner).unwrap().current();
        for (kind, xml) in [("edoc", write_edoc(&e)), ("status", write_status(&s))] {
            let p = dir.join(format!("{kind}-{i}.edxml"));
            std::fs::write(&p, xml).unwrap();
            files.push(p);
        }
    }
    let Some(checked) = lienthong_testkit::xmllint_schema(&xsd, &files) else {
        return;
    };
    checked.unwrap_or_else(|report| panic!("xmllint refused our output:\n{report}"));
    // And the schema is not vacuous: a document missing From is refused.
    let bad = dir.join("bad.edxml");
    std::fs::write(&bad, format!("<edXML xmlns=\"{EDXML_NS}\"><edXMLEnvelope><edXMLHeader><MessageHeader/></edXMLHeader></edXMLEnvelope></edXML>")).unwrap();
    assert!(lienthong_testkit::xmllint_schema(&xsd, &[bad]).is_some_and(|r| r.is_err()));
    std::fs::remove_dir_all(&dir).ok();
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("lienthong-xsd-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
