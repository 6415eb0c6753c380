//! Reading the business block, attachments, the signature summary and status packages.

use crate::attach;
use crate::model::*;
use lienthong_i18n::msg;
use lienthong_types::Code;
use lienthong_xml::ElementRef;

use super::{EdxmlError, Reader, is_ed, normalize_content_id};

impl Reader<'_> {
    pub(super) fn business(&mut self, e: &ElementRef<'_>) -> Business {
        let mut b = Business::default();
        for c in e.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                b.extra.push(self.unknown_extra(&c, "Bussiness"));
                continue;
            }
            match c.local_name() {
                "DocumentId" => b.document_id = self.leaf(&c),
                "BussinessDocType" => {
                    b.business_doc_type = self.leaf(&c).map(|v| {
                        let t = BusinessDocType::from_wire(&v);
                        if let BusinessDocType::Other(x) = &t {
                            self.warn(
                                Some(&c),
                                Code::EdxmlUnknownBusinessType,
                                msg!("edxml-unknown-business-type", value = x),
                            );
                        }
                        t
                    });
                }
                "BussinessDocReason" => b.business_doc_reason = self.leaf(&c),
                "Paper" => b.paper = self.int(&c),
                "StaffInfo" => b.staff_info = Some(self.staff_info(&c)),
                "BussinessDocumentInfo" => {
                    let mut info = BusinessDocumentInfo::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "DocumentInfo") => info.document_info = self.int(&cc),
                            (true, "DocumentReceiver") => info.document_receiver = self.int(&cc),
                            (true, "ReceiverList") => {
                                for r in cc.child_elements() {
                                    if is_ed(&r, "Receiver") {
                                        let mut rec = Receiver::default();
                                        for f in r.child_elements() {
                                            match (f.namespace() == Some(EDXML_NS), f.local_name())
                                            {
                                                (true, "OrganId") => {
                                                    rec.organ_id = self.agency_id(&f)
                                                }
                                                (true, "ReceiverType") => {
                                                    rec.receiver_type = self.int(&f)
                                                }
                                                _ => self.unknown(&f, "Receiver"),
                                            }
                                        }
                                        info.receivers.push(rec);
                                    } else {
                                        self.unknown(&r, "ReceiverList");
                                    }
                                }
                            }
                            _ => self.unknown(&cc, "BussinessDocumentInfo"),
                        }
                    }
                    b.business_document_info = Some(info);
                }
                "ReplacementInfoList" => {
                    for ri in c.child_elements() {
                        if !is_ed(&ri, "ReplacementInfo") {
                            self.unknown(&ri, "ReplacementInfoList");
                            continue;
                        }
                        let mut info = ReplacementInfo::default();
                        for f in ri.child_elements() {
                            match (f.namespace() == Some(EDXML_NS), f.local_name()) {
                                (true, "DocumentId") => info.document_id = self.leaf(&f),
                                (true, "OrganIdList") => {
                                    for o in f.child_elements() {
                                        if is_ed(&o, "OrganId") {
                                            if let Some(id) = self.agency_id(&o) {
                                                info.organ_ids.push(id);
                                            }
                                        } else {
                                            self.unknown(&o, "OrganIdList");
                                        }
                                    }
                                }
                                _ => self.unknown(&f, "ReplacementInfo"),
                            }
                        }
                        b.replacement_info.push(info);
                    }
                }
                _ => b.extra.push(self.unknown_extra(&c, "Bussiness")),
            }
        }
        b
    }

    pub(super) fn content_id(&mut self, e: &ElementRef<'_>) -> Option<String> {
        let t = self.leaf(e)?;
        Some(normalize_content_id(&t))
    }

    pub(super) fn manifest_ref(&mut self, e: &ElementRef<'_>) -> ManifestReference {
        let mut m = ManifestReference::default();
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "ContentId") => m.content_id = self.content_id(&c),
                (true, "ContentType") => m.content_type = self.leaf(&c),
                (true, "Description") => m.description = self.leaf(&c),
                (true, "AttachmentName") => m.attachment_name = self.leaf(&c),
                _ => self.unknown(&c, "Reference"),
            }
        }
        if m.content_id.is_none() {
            // Some producers give the id only as xlink:href="cid:…".
            if let Some(href) = e.attribute(Some("http://www.w3.org/1999/xlink"), "href") {
                m.content_id = Some(normalize_content_id(href));
            }
        }
        m
    }

    pub(super) fn attachment(&mut self, e: &ElementRef<'_>) -> Attachment {
        let mut a = Attachment::default();
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "ContentId") => a.content_id = self.content_id(&c),
                (true, "AttachmentName") => a.attachment_name = self.leaf(&c),
                (true, "Description") => a.description = self.leaf(&c),
                (true, "ContentType") => a.content_type = self.leaf(&c),
                (true, "ContentTransferEncoded") => {
                    // Tens of kilobytes: trimmed in place rather than copied again.
                    let mut text = c.text();
                    let end = text.trim_end().len();
                    text.truncate(end);
                    let start = text.len() - text.trim_start().len();
                    text.drain(..start);
                    a.encoded = text;
                }
                _ => self.unknown(&c, "Attachment"),
            }
        }
        a.inspection = Some(attach::inspect(&a.encoded, a.attachment_name.as_deref()));
        a
    }

    pub(super) fn signature(&mut self, e: &ElementRef<'_>) -> SignatureSummary {
        let mut s = SignatureSummary {
            in_xmldsig_namespace: e.namespace() == Some(XMLDSIG_NS),
            ..SignatureSummary::default()
        };
        if !s.in_xmldsig_namespace {
            self.warn(
                Some(e),
                Code::EdxmlLegacySignature,
                msg!("edxml-legacy-signature"),
            );
        }
        for d in e.descendants() {
            match d.local_name() {
                "SignatureMethod" => {
                    s.signature_method = d.attribute(None, "Algorithm").map(str::to_owned)
                }
                "CanonicalizationMethod" => {
                    s.canonicalization_method = d.attribute(None, "Algorithm").map(str::to_owned);
                }
                "Reference" => {
                    if let Some(u) = d.attribute(None, "URI") {
                        s.reference_uris.push(u.to_owned());
                    }
                }
                "X509SubjectName" => s.x509_subject_name = Some(d.text().trim().to_owned()),
                "X509Certificate" => s.certificates += 1,
                _ => {}
            }
        }
        s
    }

    pub(super) fn status(&mut self, mh: &ElementRef<'_>) -> Result<Status, EdxmlError> {
        let mut from = None;
        let mut response_for = None;
        let mut staff_info = None;
        let mut status_code = None;
        let mut seen_status_code = false;
        let mut description = None;
        let mut timestamp = None;
        let mut extra = Vec::new();
        for c in mh.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                extra.push(self.unknown_extra(&c, "MessageHeader"));
                continue;
            }
            match c.local_name() {
                "From" => {
                    if from.is_some() {
                        return Err(self.ambiguous("From", "MessageHeader", &c));
                    }
                    from = Some(self.organization(&c, "From")?);
                }
                "ResponseFor" => {
                    if response_for.is_some() {
                        return Err(self.ambiguous("ResponseFor", "MessageHeader", &c));
                    }
                    response_for = Some(self.response_for(&c)?);
                }
                "StaffInfo" => {
                    let v = Some(self.staff_info(&c));
                    self.set_once(&mut staff_info, v, &c);
                }
                "StatusCode" => {
                    if std::mem::replace(&mut seen_status_code, true) {
                        return Err(self.ambiguous("StatusCode", "MessageHeader", &c));
                    }
                    let v = self.leaf(&c).map(|s| {
                        let code = StatusCode::from_wire(&s);
                        if let StatusCode::Other(x) = &code {
                            self.warn(
                                Some(&c),
                                Code::EdxmlUnknownStatusCode,
                                msg!("edxml-unknown-status-code", value = x),
                            );
                        }
                        code
                    });
                    self.set_once(&mut status_code, v, &c);
                }
                "Description" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut description, v, &c);
                }
                "Timestamp" => {
                    let v = self.datetime(&c);
                    self.set_once(&mut timestamp, v, &c);
                }
                _ => extra.push(self.unknown_extra(&c, "MessageHeader")),
            }
        }
        let from = from.ok_or_else(|| self.missing("From", "MessageHeader", mh))?;
        let status_code =
            status_code.ok_or_else(|| self.missing("StatusCode", "MessageHeader", mh))?;
        let response_for = match response_for {
            Some(r) => r,
            None => {
                self.warn(
                    Some(mh),
                    Code::EdxmlNoResponseFor,
                    msg!("edxml-no-response-for"),
                );
                ResponseFor::default()
            }
        };
        if response_for.document_id.is_none() {
            self.warn(
                Some(mh),
                Code::EdxmlNoDocumentId,
                msg!("edxml-no-document-id"),
            );
        }
        Ok(Status {
            from,
            response_for,
            staff_info,
            status_code,
            description,
            timestamp,
            extra,
        })
    }
}
