//! Reading the message header: organisations, the header itself, other info, responses,
//! staff and the trace list.

use crate::model::*;
use lienthong_i18n::{Arg, Msg, msg};
use lienthong_types::Code;
use lienthong_xml::ElementRef;

use super::{EdxmlError, Reader, is_ed};

impl Reader<'_> {
    pub(super) fn organization(
        &mut self,
        e: &ElementRef<'_>,
        what: &'static str,
    ) -> Result<Organization, EdxmlError> {
        let mut o = Organization::default();
        let mut organ_id = None;
        let mut seen_organ_id = false;
        for c in e.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                o.extra.push(self.unknown_extra(&c, what));
                continue;
            }
            match c.local_name() {
                // Who the organisation is: a second code would be a second sender.
                "OrganId" => {
                    if seen_organ_id {
                        return Err(self.ambiguous("OrganId", what, &c));
                    }
                    seen_organ_id = true;
                    organ_id = self.agency_id(&c);
                }
                "OrganizationInCharge" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.organization_in_charge, v, &c);
                }
                "OrganName" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.organ_name, v, &c);
                }
                "OrganAdd" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.organ_add, v, &c);
                }
                "Email" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.email, v, &c);
                }
                "Telephone" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.telephone, v, &c);
                }
                "Fax" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.fax, v, &c);
                }
                "Website" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut o.website, v, &c);
                }
                _ => o.extra.push(self.unknown_extra(&c, what)),
            }
        }
        match organ_id {
            Some(id) => o.organ_id = id,
            None => return Err(self.missing("OrganId", what, e)),
        }
        Ok(o)
    }

    pub(super) fn message_header(
        &mut self,
        mh: &ElementRef<'_>,
    ) -> Result<MessageHeader, EdxmlError> {
        let mut h = MessageHeader::default();
        let mut from = None;
        for c in mh.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                h.extra.push(self.unknown_extra(&c, "MessageHeader"));
                continue;
            }
            match c.local_name() {
                "From" => {
                    if from.is_some() {
                        return Err(self.ambiguous("From", "MessageHeader", &c));
                    }
                    from = Some(self.organization(&c, "From")?);
                }
                "To" => match self.organization(&c, "To") {
                    Ok(o) => h.to.push(o),
                    Err(e) => self.warn(Some(&c), Code::EdxmlBadRecipient, recipient_skipped(&e)),
                },
                "DocumentId" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut h.document_id, v, &c);
                }
                "Code" => {
                    let mut code = DocCode::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "CodeNumber") => code.code_number = self.leaf(&cc),
                            (true, "CodeNotation") => code.code_notation = self.leaf(&cc),
                            _ => self.unknown(&cc, "Code"),
                        }
                    }
                    self.set_once(&mut h.code, Some(code), &c);
                }
                "PromulgationInfo" => {
                    let mut p = PromulgationInfo::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "Place") => p.place = self.leaf(&cc),
                            (true, "PromulgationDate") => p.promulgation_date = self.date(&cc),
                            _ => self.unknown(&cc, "PromulgationInfo"),
                        }
                    }
                    self.set_once(&mut h.promulgation_info, Some(p), &c);
                }
                "DocumentType" => {
                    let mut t = DocumentType::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "Type") => t.doc_type = self.int(&cc),
                            (true, "TypeDetail") => t.type_detail = self.int(&cc),
                            (true, "TypeName") => t.type_name = self.leaf(&cc),
                            _ => self.unknown(&cc, "DocumentType"),
                        }
                    }
                    self.set_once(&mut h.document_type, Some(t), &c);
                }
                "Subject" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut h.subject, v, &c);
                }
                "Content" => {
                    let v = self.leaf(&c);
                    self.set_once(&mut h.content, v, &c);
                }
                "SignerInfo" => {
                    let mut s = SignerInfo::default();
                    for cc in c.child_elements() {
                        match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                            (true, "Competence") => s.competence = self.leaf(&cc),
                            (true, "Position") => s.position = self.leaf(&cc),
                            (true, "FullName") => s.full_name = self.leaf(&cc),
                            _ => self.unknown(&cc, "SignerInfo"),
                        }
                    }
                    self.set_once(&mut h.signer_info, Some(s), &c);
                }
                "DueDate" => {
                    let v = self.date(&c);
                    self.set_once(&mut h.due_date, v, &c);
                }
                "OtherInfo" => {
                    let v = Some(self.other_info(&c));
                    self.set_once(&mut h.other_info, v, &c);
                }
                "SteeringType" => {
                    let v = self.int(&c);
                    self.set_once(&mut h.steering_type, v, &c);
                }
                "ToPlaces" => {
                    for cc in c.child_elements() {
                        if is_ed(&cc, "Place") {
                            if let Some(p) = self.leaf(&cc) {
                                h.to_places.push(p);
                            }
                        } else {
                            self.unknown(&cc, "ToPlaces");
                        }
                    }
                }
                "ResponseFor" => {
                    let r = self.response_for(&c)?;
                    if r != ResponseFor::default() {
                        h.response_for.push(r);
                    }
                }
                _ => h.extra.push(self.unknown_extra(&c, "MessageHeader")),
            }
        }
        h.from = from.ok_or_else(|| self.missing("From", "MessageHeader", mh))?;
        Ok(h)
    }

    pub(super) fn other_info(&mut self, e: &ElementRef<'_>) -> OtherInfo {
        let mut o = OtherInfo::default();
        for c in e.child_elements() {
            if c.namespace() != Some(EDXML_NS) {
                o.extra.push(self.unknown_extra(&c, "OtherInfo"));
                continue;
            }
            match c.local_name() {
                "Priority" => {
                    o.priority = self.leaf(&c).map(|p| {
                        let pr = Priority::from_wire(&p);
                        if let Priority::Other(v) = &pr {
                            self.warn(
                                Some(&c),
                                Code::EdxmlUnknownPriority,
                                msg!("edxml-unknown-priority", value = v),
                            );
                        }
                        pr
                    });
                }
                "SphereOfPromulgation" => o.sphere_of_promulgation = self.leaf(&c),
                "TyperNotation" => o.typer_notation = self.leaf(&c),
                "PromulgationAmount" => o.promulgation_amount = self.int(&c),
                "PageAmount" => o.page_amount = self.int(&c),
                "Direction" => o.direction = self.boolean(&c),
                "Appendixes" => {
                    for cc in c.child_elements() {
                        if is_ed(&cc, "Appendix") {
                            if let Some(a) = self.leaf(&cc) {
                                o.appendixes.push(a);
                            }
                        } else {
                            self.unknown(&cc, "Appendixes");
                        }
                    }
                }
                _ => o.extra.push(self.unknown_extra(&c, "OtherInfo")),
            }
        }
        o
    }

    /// A ResponseFor: the document it answers and who sent that. Its OrganId or DocumentId
    /// twice is ambiguous (a status goes back to the OrganId).
    pub(super) fn response_for(&mut self, e: &ElementRef<'_>) -> Result<ResponseFor, EdxmlError> {
        let mut r = ResponseFor::default();
        let (mut seen_organ, mut seen_document) = (false, false);
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "OrganId") => {
                    if std::mem::replace(&mut seen_organ, true) {
                        return Err(self.ambiguous("OrganId", "ResponseFor", &c));
                    }
                    r.organ_id = self.agency_id(&c);
                }
                (true, "Code") => r.code = self.leaf(&c),
                (true, "PromulgationDate") => r.promulgation_date = self.date(&c),
                (true, "DocumentId") => {
                    if std::mem::replace(&mut seen_document, true) {
                        return Err(self.ambiguous("DocumentId", "ResponseFor", &c));
                    }
                    r.document_id = self.leaf(&c);
                }
                _ => self.unknown(&c, "ResponseFor"),
            }
        }
        Ok(r)
    }

    pub(super) fn staff_info(&mut self, e: &ElementRef<'_>) -> StaffInfo {
        let mut s = StaffInfo::default();
        for c in e.child_elements() {
            match (c.namespace() == Some(EDXML_NS), c.local_name()) {
                (true, "Department") => s.department = self.leaf(&c),
                (true, "Staff") => s.staff = self.leaf(&c),
                (true, "Email") => s.email = self.leaf(&c),
                (true, "Mobile") => s.mobile = self.leaf(&c),
                _ => self.unknown(&c, "StaffInfo"),
            }
        }
        s
    }

    pub(super) fn trace_list(&mut self, e: &ElementRef<'_>) -> TraceHeaderList {
        let mut t = TraceHeaderList::default();
        for c in e.child_elements() {
            if is_ed(&c, "TraceHeader") {
                let mut th = TraceHeader::default();
                for cc in c.child_elements() {
                    match (cc.namespace() == Some(EDXML_NS), cc.local_name()) {
                        (true, "OrganId") => th.organ_id = self.agency_id(&cc),
                        (true, "Timestamp") => th.timestamp = self.datetime(&cc),
                        _ => self.unknown(&cc, "TraceHeader"),
                    }
                }
                t.trace_headers.push(th);
            } else if is_ed(&c, "Bussiness") || is_ed(&c, "Business") {
                if c.local_name() == "Business" {
                    self.warn(
                        Some(&c),
                        Code::EdxmlBusinessSpelling,
                        msg!("edxml-business-spelling"),
                    );
                }
                let v = Some(self.business(&c));
                self.set_once(&mut t.business, v, &c);
            } else {
                self.unknown(&c, "TraceHeaderList");
            }
        }
        t
    }
}

/// "…; this To was skipped": a recipient whose OrganId is missing or repeated.
fn recipient_skipped(e: &EdxmlError) -> Msg {
    match e {
        EdxmlError::Missing {
            what,
            parent,
            position,
        } => super::element_msg("edxml-recipient-skipped-missing", what, parent, *position),
        EdxmlError::Ambiguous {
            what,
            parent,
            position,
        } => super::element_msg("edxml-recipient-skipped-ambiguous", what, parent, *position),
        // Not made for a recipient; the English text, else what its code means.
        other => msg!(
            "edxml-recipient-skipped",
            problem = Arg::Findings {
                english: vec![other.to_string()],
                codes: vec![other.code()],
            }
        ),
    }
}
