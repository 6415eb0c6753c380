//! Canonical writing, in the layout the national SDK emits (edxml-notes §1.1):
//! the default namespace on the root `edXML`, `xmlns:edXML` on the envelope, the `edXML:`
//! prefix on every envelope descendant, an unprefixed `AttachmentEncoded` block after the
//! envelope whose `ContentTransferEncoded` re-declares the prefix, two-space indentation,
//! and the element order of the SDK's `edoc_new.edxml`.
//!
//! Signatures are not written here: `lienthong-dsig` signs what this module writes.
//! Unknown elements kept by the reader ([`Extra`]) are written at the end of their
//! container, so what is read and written again keeps them.

use lienthong_xml::XmlWriter;

use crate::model::*;

fn opt(w: &mut XmlWriter, name: &str, v: Option<&str>) {
    if let Some(v) = v {
        w.leaf(name, v);
    }
}

fn opt_display<T: std::fmt::Display>(w: &mut XmlWriter, name: &str, v: Option<&T>) {
    if let Some(v) = v {
        w.leaf(name, &v.to_string());
    }
}

fn begin(w: &mut XmlWriter) {
    w.declaration();
    w.start("edXML").attr("xmlns", EDXML_NS);
    w.start("edXML:edXMLEnvelope").attr("xmlns:edXML", EDXML_NS);
    w.start("edXML:edXMLHeader");
}

fn extra(w: &mut XmlWriter, e: &Extra) {
    let (name, decl) = match e.namespace.as_deref() {
        Some(EDXML_NS) => (format!("edXML:{}", e.local), None),
        Some(ns) => (format!("x:{}", e.local), Some(("xmlns:x", ns))),
        None => (e.local.clone(), Some(("xmlns", ""))),
    };
    w.start(&name);
    if let Some((k, v)) = decl {
        w.attr(k, v);
    }
    for (i, (ns, local, value)) in e.attributes.iter().enumerate() {
        match ns {
            Some(ns) => {
                let p = format!("a{i}");
                w.attr(&format!("xmlns:{p}"), ns);
                w.attr(&format!("{p}:{local}"), value);
            }
            None => {
                w.attr(local, value);
            }
        }
    }
    w.text(&e.text);
    for c in &e.children {
        extra(w, c);
    }
    w.end();
}

fn extras(w: &mut XmlWriter, list: &[Extra]) {
    for e in list {
        extra(w, e);
    }
}

fn organization(w: &mut XmlWriter, name: &str, o: &Organization) {
    w.start(name);
    w.leaf("edXML:OrganId", &o.organ_id);
    opt(
        w,
        "edXML:OrganizationInCharge",
        o.organization_in_charge.as_deref(),
    );
    opt(w, "edXML:OrganName", o.organ_name.as_deref());
    opt(w, "edXML:OrganAdd", o.organ_add.as_deref());
    opt(w, "edXML:Email", o.email.as_deref());
    opt(w, "edXML:Telephone", o.telephone.as_deref());
    opt(w, "edXML:Fax", o.fax.as_deref());
    opt(w, "edXML:Website", o.website.as_deref());
    extras(w, &o.extra);
    w.end();
}

fn response_for(w: &mut XmlWriter, r: &ResponseFor) {
    w.start("edXML:ResponseFor");
    opt(w, "edXML:OrganId", r.organ_id.as_deref());
    opt(w, "edXML:Code", r.code.as_deref());
    opt_display(w, "edXML:PromulgationDate", r.promulgation_date.as_ref());
    opt(w, "edXML:DocumentId", r.document_id.as_deref());
    w.end();
}

fn staff_info(w: &mut XmlWriter, s: &StaffInfo) {
    w.start("edXML:StaffInfo");
    opt(w, "edXML:Department", s.department.as_deref());
    opt(w, "edXML:Staff", s.staff.as_deref());
    opt(w, "edXML:Email", s.email.as_deref());
    opt(w, "edXML:Mobile", s.mobile.as_deref());
    w.end();
}

fn message_header(w: &mut XmlWriter, h: &MessageHeader) {
    w.start("edXML:MessageHeader");
    organization(w, "edXML:From", &h.from);
    for t in &h.to {
        organization(w, "edXML:To", t);
    }
    opt(w, "edXML:DocumentId", h.document_id.as_deref());
    if let Some(c) = &h.code {
        w.start("edXML:Code");
        opt(w, "edXML:CodeNumber", c.code_number.as_deref());
        opt(w, "edXML:CodeNotation", c.code_notation.as_deref());
        w.end();
    }
    if let Some(p) = &h.promulgation_info {
        w.start("edXML:PromulgationInfo");
        opt(w, "edXML:Place", p.place.as_deref());
        opt_display(w, "edXML:PromulgationDate", p.promulgation_date.as_ref());
        w.end();
    }
    if let Some(t) = &h.document_type {
        w.start("edXML:DocumentType");
        opt_display(w, "edXML:Type", t.doc_type.as_ref());
        opt_display(w, "edXML:TypeDetail", t.type_detail.as_ref());
        opt(w, "edXML:TypeName", t.type_name.as_deref());
        w.end();
    }
    opt(w, "edXML:Subject", h.subject.as_deref());
    opt(w, "edXML:Content", h.content.as_deref());
    if let Some(s) = &h.signer_info {
        w.start("edXML:SignerInfo");
        opt(w, "edXML:Competence", s.competence.as_deref());
        opt(w, "edXML:Position", s.position.as_deref());
        opt(w, "edXML:FullName", s.full_name.as_deref());
        w.end();
    }
    opt_display(w, "edXML:DueDate", h.due_date.as_ref());
    if let Some(o) = &h.other_info {
        w.start("edXML:OtherInfo");
        opt(w, "edXML:Priority", o.priority.as_ref().map(Priority::wire));
        opt(
            w,
            "edXML:SphereOfPromulgation",
            o.sphere_of_promulgation.as_deref(),
        );
        opt(w, "edXML:TyperNotation", o.typer_notation.as_deref());
        opt_display(
            w,
            "edXML:PromulgationAmount",
            o.promulgation_amount.as_ref(),
        );
        opt_display(w, "edXML:PageAmount", o.page_amount.as_ref());
        opt_display(w, "edXML:Direction", o.direction.as_ref());
        if !o.appendixes.is_empty() {
            w.start("edXML:Appendixes");
            for a in &o.appendixes {
                w.leaf("edXML:Appendix", a);
            }
            w.end();
        }
        extras(w, &o.extra);
        w.end();
    }
    opt_display(w, "edXML:SteeringType", h.steering_type.as_ref());
    if !h.to_places.is_empty() {
        w.start("edXML:ToPlaces");
        for p in &h.to_places {
            w.leaf("edXML:Place", p);
        }
        w.end();
    }
    for r in &h.response_for {
        response_for(w, r);
    }
    extras(w, &h.extra);
    w.end();
}

fn trace(w: &mut XmlWriter, t: &TraceHeaderList) {
    w.start("edXML:TraceHeaderList");
    for th in &t.trace_headers {
        w.start("edXML:TraceHeader");
        opt(w, "edXML:OrganId", th.organ_id.as_deref());
        opt_display(w, "edXML:Timestamp", th.timestamp.as_ref());
        w.end();
    }
    if let Some(b) = &t.business {
        w.start("edXML:Bussiness");
        opt(w, "edXML:DocumentId", b.document_id.as_deref());
        opt(
            w,
            "edXML:BussinessDocType",
            b.business_doc_type.as_ref().map(BusinessDocType::wire),
        );
        opt(
            w,
            "edXML:BussinessDocReason",
            b.business_doc_reason.as_deref(),
        );
        opt_display(w, "edXML:Paper", b.paper.as_ref());
        if let Some(info) = &b.business_document_info {
            w.start("edXML:BussinessDocumentInfo");
            opt_display(w, "edXML:DocumentInfo", info.document_info.as_ref());
            opt_display(w, "edXML:DocumentReceiver", info.document_receiver.as_ref());
            w.start("edXML:ReceiverList");
            for r in &info.receivers {
                w.start("edXML:Receiver");
                opt(w, "edXML:OrganId", r.organ_id.as_deref());
                opt_display(w, "edXML:ReceiverType", r.receiver_type.as_ref());
                w.end();
            }
            w.end();
            w.end();
        }
        if !b.replacement_info.is_empty() {
            w.start("edXML:ReplacementInfoList");
            for ri in &b.replacement_info {
                w.start("edXML:ReplacementInfo");
                opt(w, "edXML:DocumentId", ri.document_id.as_deref());
                w.start("edXML:OrganIdList");
                for o in &ri.organ_ids {
                    w.leaf("edXML:OrganId", o);
                }
                w.end();
                w.end();
            }
            w.end();
        }
        if let Some(s) = &b.staff_info {
            staff_info(w, s);
        }
        extras(w, &b.extra);
        w.end();
    }
    w.end();
}

/// Write a document in the canonical layout. Its `signature` is not written.
pub fn write_edoc(e: &Edoc) -> String {
    let mut w = XmlWriter::new(Some("  "));
    begin(&mut w);
    message_header(&mut w, &e.header);
    trace(&mut w, &e.trace);
    w.end(); // edXMLHeader
    w.start("edXML:edXMLBody");
    w.start("edXML:edXMLManifest").attr("version", "1.0");
    for m in &e.manifest {
        w.start("edXML:Reference");
        opt(
            &mut w,
            "edXML:ContentId",
            m.content_id.as_ref().map(|c| format!("cid:{c}")).as_deref(),
        );
        opt(&mut w, "edXML:ContentType", m.content_type.as_deref());
        opt(&mut w, "edXML:Description", m.description.as_deref());
        opt(&mut w, "edXML:AttachmentName", m.attachment_name.as_deref());
        w.end();
    }
    w.end(); // manifest
    w.end(); // body
    w.end(); // envelope
    if !e.attachments.is_empty() {
        w.start("AttachmentEncoded");
        for a in &e.attachments {
            w.start("Attachment");
            opt(
                &mut w,
                "ContentId",
                a.content_id.as_ref().map(|c| format!("cid:{c}")).as_deref(),
            );
            opt(&mut w, "AttachmentName", a.attachment_name.as_deref());
            opt(&mut w, "Description", a.description.as_deref());
            opt(&mut w, "ContentType", a.content_type.as_deref());
            w.start("edXML:ContentTransferEncoded")
                .attr("xmlns:edXML", EDXML_NS);
            w.text(&a.encoded);
            w.end();
            w.end();
        }
        w.end();
    }
    w.finish()
}

/// Write a status package in the canonical layout.
pub fn write_status(s: &Status) -> String {
    let mut w = XmlWriter::new(Some("  "));
    begin(&mut w);
    w.start("edXML:MessageHeader");
    organization(&mut w, "edXML:From", &s.from);
    response_for(&mut w, &s.response_for);
    if let Some(st) = &s.staff_info {
        staff_info(&mut w, st);
    }
    w.leaf("edXML:StatusCode", s.status_code.wire());
    opt(&mut w, "edXML:Description", s.description.as_deref());
    opt_display(&mut w, "edXML:Timestamp", s.timestamp.as_ref());
    extras(&mut w, &s.extra);
    w.finish()
}

/// Write either kind.
pub fn write(p: &Package) -> String {
    match p {
        Package::Edoc(e) => write_edoc(e),
        Package::Status(s) => write_status(s),
    }
}
