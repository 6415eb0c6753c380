//! `lienthong demo`: shows what is built, with nothing to set up.
//!
//! Today it writes a document and the full status sequence with the canonical writer,
//! reads every one back through the strict reader, and shows what a clerk would see.
//! As the gateway is built, this grows into a whole federation on loopback.

use std::process::ExitCode;

use lienthong_edxml::{
    Date, DateTime, DocCode, Edoc, MessageHeader, Organization, ResponseFor, Status, StatusCode,
    Summary, attach, read, write_edoc, write_status,
};

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Run once and exit 0 when everything worked (non-zero with the reason otherwise).
    #[arg(long)]
    once: bool,
}

fn org(code: &str, name: &str) -> Organization {
    Organization {
        organ_id: code.into(),
        organ_name: Some(name.into()),
        ..Organization::default()
    }
}

pub(crate) fn run(args: &Args) -> ExitCode {
    match demo() {
        Ok(()) => {
            if !args.once {
                println!(
                    "\nThe gateway (serve, relay, inboxes) is not built yet; this demo shows the\n\
                     document layer. Try: lienthong inspect crates/edxml/tests/fixtures/edoc_new.edxml"
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo() -> Result<(), String> {
    let sender = org("000.00.09.H50", "UBND xã Gio Linh (Quảng Trị)");
    let recipients = [
        org("000.00.11.H48", "Sở Tài chính tỉnh Quảng Ngãi"),
        org("000.00.00.G22", "Văn phòng Chính phủ"),
    ];
    let pdf = b"%PDF-1.4\n% lienthong demo\n";
    let zip = attach::zip_single_stored("Bao cao 15-UBND.pdf", pdf);
    let encoded = attach::encode_base64(&zip);
    let doc = Edoc {
        header: MessageHeader {
            from: sender.clone(),
            to: recipients.to_vec(),
            document_id: Some("000.00.09.H50,2026/11/22,15/UBND".into()),
            code: Some(DocCode {
                code_number: Some("15".into()),
                code_notation: Some("UBND".into()),
            }),
            subject: Some("V/v báo cáo kết quả liên thông văn bản điện tử".into()),
            ..MessageHeader::default()
        },
        manifest: vec![lienthong_edxml::ManifestReference {
            content_id: Some("att-1".into()),
            content_type: Some("application/zip".into()),
            attachment_name: Some("Bao cao 15-UBND.zip".into()),
            description: None,
        }],
        attachments: vec![lienthong_edxml::Attachment {
            content_id: Some("att-1".into()),
            attachment_name: Some("Bao cao 15-UBND.zip".into()),
            content_type: Some("application/zip".into()),
            encoded: encoded.clone(),
            inspection: Some(attach::inspect(&encoded, Some("Bao cao 15-UBND.zip"))),
            description: None,
        }],
        ..Edoc::default()
    };
    let xml = write_edoc(&doc);
    let parsed = read(xml.as_bytes()).map_err(|e| e.to_string())?;
    let s = Summary::of(&parsed);
    println!(
        "Document {} from {} to {}",
        s.code.as_deref().unwrap_or("?"),
        s.from,
        s.to.join(", ")
    );
    println!("  subject: {}", s.subject.as_deref().unwrap_or(""));
    for a in &s.attachments {
        println!(
            "  attachment: {} ({}, {} bytes)",
            a.name.as_deref().unwrap_or("?"),
            a.content_type.as_deref().unwrap_or("?"),
            a.size.unwrap_or(0)
        );
    }
    if !s.warnings.is_empty() {
        return Err(format!("unexpected warnings: {:?}", s.warnings));
    }
    let when =
        DateTime::new(Date::new(2026, 11, 22).ok_or("bad date")?, 9, 0, 0).ok_or("bad time")?;
    let seq = [
        StatusCode::Arrived,
        StatusCode::Accepted,
        StatusCode::Assigned,
        StatusCode::Processing,
        StatusCode::Completed,
    ];
    for (i, code) in seq.iter().enumerate() {
        let status = Status {
            from: recipients[0].clone(),
            response_for: ResponseFor {
                organ_id: Some(sender.organ_id.clone()),
                code: Some("15/UBND".into()),
                promulgation_date: Date::new(2026, 11, 22),
                document_id: doc.header.document_id.clone(),
            },
            staff_info: None,
            status_code: code.clone(),
            description: Some(code.label_vi().into()),
            timestamp: DateTime::new(when.date, 9, u8::try_from(i * 10).unwrap_or(0), 0),
            extra: vec![],
        };
        let xml = write_status(&status);
        let back = read(xml.as_bytes()).map_err(|e| e.to_string())?;
        let bs = Summary::of(&back);
        println!(
            "  status {} {:<22} {} -> {}",
            bs.status_code.as_deref().unwrap_or("?"),
            code.label_vi(),
            bs.from,
            bs.to.join(",")
        );
    }
    println!("All packages written canonically and read back through the strict reader.");
    Ok(())
}
