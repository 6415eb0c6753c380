//! The edXML data model: documents (edoc) and status packages.
//!
//! Field names follow the element names of QCVN 102:2016 (including the standard's own
//! spelling `Bussiness`). Free-text fields are `Option<String>`; fields with a known
//! meaning are typed, and keep unrecognised values in an `Other` variant rather than
//! dropping them. Elements this model does not know are kept as [`Extra`] in the
//! container where they were found.

use serde::Serialize;

use crate::agency::AgencyCode;
use crate::dates::{Date, DateTime};

/// The edXML namespace.
pub const EDXML_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// The XML Signature namespace.
pub const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// An element the model does not know, kept with its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extra {
    /// Namespace URI (`None` for no namespace).
    pub namespace: Option<String>,
    /// Local name.
    pub local: String,
    /// Attributes: (namespace, local name, value).
    pub attributes: Vec<(Option<String>, String, String)>,
    /// Text content (direct text children, concatenated, trimmed).
    pub text: String,
    /// Child elements.
    pub children: Vec<Extra>,
}

/// An organisation block: `From`, `To`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Organization {
    /// `OrganId`, as written (see [`Organization::code`]).
    pub organ_id: String,
    /// `OrganizationInCharge`: the direct supervising body.
    pub organization_in_charge: Option<String>,
    /// `OrganName`.
    pub organ_name: Option<String>,
    /// `OrganAdd`: address.
    pub organ_add: Option<String>,
    /// `Email`.
    pub email: Option<String>,
    /// `Telephone`.
    pub telephone: Option<String>,
    /// `Fax`.
    pub fax: Option<String>,
    /// `Website`.
    pub website: Option<String>,
    /// Unknown child elements.
    pub extra: Vec<Extra>,
}

impl Organization {
    /// The `OrganId` as a valid agency code, if it is one.
    pub fn code(&self) -> Option<AgencyCode> {
        AgencyCode::parse(&self.organ_id).ok()
    }
}

/// `Code`: number and notation of the document (số và ký hiệu).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DocCode {
    /// `CodeNumber` (số), e.g. `7816`.
    pub code_number: Option<String>,
    /// `CodeNotation` (ký hiệu), e.g. `VPCP-TTĐT`.
    pub code_notation: Option<String>,
}

impl DocCode {
    /// `7816/VPCP-TTĐT`, the form used in `ResponseFor/Code`.
    pub fn display(&self) -> String {
        match (&self.code_number, &self.code_notation) {
            (Some(n), Some(t)) => format!("{n}/{t}"),
            (Some(n), None) => n.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => String::new(),
        }
    }
}

/// `PromulgationInfo`: place and date of issue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PromulgationInfo {
    /// `Place`.
    pub place: Option<String>,
    /// `PromulgationDate`.
    pub promulgation_date: Option<Date>,
}

/// `DocumentType`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DocumentType {
    /// `Type` (1 văn bản hành chính, 2 văn bản quy phạm pháp luật, as far as is known).
    pub doc_type: Option<i64>,
    /// `TypeDetail`.
    pub type_detail: Option<i64>,
    /// `TypeName`, e.g. "Công văn"; the authoritative text.
    pub type_name: Option<String>,
}

/// `SignerInfo`: who signed the paper-equivalent document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SignerInfo {
    /// `Competence`: authority prefix (TM., KT., TL., TUQ., Q.).
    pub competence: Option<String>,
    /// `Position`: title.
    pub position: Option<String>,
    /// `FullName`.
    pub full_name: Option<String>,
}

/// Processing priority (độ khẩn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// 0 thường.
    Normal,
    /// 1 khẩn.
    Urgent,
    /// 2 thượng khẩn.
    VeryUrgent,
    /// 3 hỏa tốc.
    Flash,
    /// 4 hỏa tốc hẹn giờ.
    FlashScheduled,
    /// Any other value, as written.
    Other(String),
}

impl Priority {
    /// From the wire value.
    pub fn from_wire(s: &str) -> Priority {
        match s.trim() {
            "0" => Priority::Normal,
            "1" => Priority::Urgent,
            "2" => Priority::VeryUrgent,
            "3" => Priority::Flash,
            "4" => Priority::FlashScheduled,
            other => Priority::Other(other.to_owned()),
        }
    }

    /// The wire value.
    pub fn wire(&self) -> &str {
        match self {
            Priority::Normal => "0",
            Priority::Urgent => "1",
            Priority::VeryUrgent => "2",
            Priority::Flash => "3",
            Priority::FlashScheduled => "4",
            Priority::Other(s) => s,
        }
    }
}

/// `OtherInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OtherInfo {
    /// `Priority`.
    pub priority: Option<Priority>,
    /// `SphereOfPromulgation`.
    pub sphere_of_promulgation: Option<String>,
    /// `TyperNotation`: ký hiệu người soạn thảo.
    pub typer_notation: Option<String>,
    /// `PromulgationAmount`: number of copies issued.
    pub promulgation_amount: Option<u32>,
    /// `PageAmount`: number of pages.
    pub page_amount: Option<u32>,
    /// `Direction`.
    pub direction: Option<bool>,
    /// `Appendixes/Appendix`.
    pub appendixes: Vec<String>,
    /// Unknown child elements.
    pub extra: Vec<Extra>,
}

/// `ResponseFor`: the document a document or status answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResponseFor {
    /// `OrganId`: for statuses 01–06/15/16 the original sender; for 13 the receiver.
    pub organ_id: Option<String>,
    /// `Code`, e.g. `7816/VPCP-TTĐT`.
    pub code: Option<String>,
    /// `PromulgationDate`.
    pub promulgation_date: Option<Date>,
    /// `DocumentId` of the document concerned.
    pub document_id: Option<String>,
}

/// `StaffInfo`: the clerk who sent it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StaffInfo {
    /// `Department`.
    pub department: Option<String>,
    /// `Staff`.
    pub staff: Option<String>,
    /// `Email`.
    pub email: Option<String>,
    /// `Mobile`.
    pub mobile: Option<String>,
}

/// `MessageHeader` of a document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MessageHeader {
    /// `From`.
    pub from: Organization,
    /// `To`, one per recipient agency.
    pub to: Vec<Organization>,
    /// `DocumentId` (e.g. `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT`). Not a message id.
    pub document_id: Option<String>,
    /// `Code`.
    pub code: Option<DocCode>,
    /// `PromulgationInfo`.
    pub promulgation_info: Option<PromulgationInfo>,
    /// `DocumentType`.
    pub document_type: Option<DocumentType>,
    /// `Subject` (trích yếu).
    pub subject: Option<String>,
    /// `Content`.
    pub content: Option<String>,
    /// `SignerInfo`.
    pub signer_info: Option<SignerInfo>,
    /// `DueDate`.
    pub due_date: Option<Date>,
    /// `OtherInfo`.
    pub other_info: Option<OtherInfo>,
    /// `SteeringType` (carried opaquely; its meaning is disputed).
    pub steering_type: Option<i64>,
    /// `ToPlaces/Place` (nơi nhận, free text).
    pub to_places: Vec<String>,
    /// `ResponseFor`, zero or more.
    pub response_for: Vec<ResponseFor>,
    /// Unknown child elements (e.g. `ResponseForTask`, `ApplicationType`).
    pub extra: Vec<Extra>,
}

/// `TraceHeader`: one hop recorded inside the document by older axes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TraceHeader {
    /// `OrganId` (may be missing or odd in real files).
    pub organ_id: Option<String>,
    /// `Timestamp`.
    pub timestamp: Option<DateTime>,
}

/// What the document does to earlier ones (`BussinessDocType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessDocType {
    /// 0: a new document.
    New,
    /// 1: revokes (thu hồi) an earlier document.
    Revoke,
    /// 2: updates an earlier document.
    Update,
    /// 3: replaces an earlier document.
    Replace,
    /// Any other value, as written.
    Other(String),
}

impl BusinessDocType {
    /// From the wire value.
    pub fn from_wire(s: &str) -> BusinessDocType {
        match s.trim() {
            "0" => BusinessDocType::New,
            "1" => BusinessDocType::Revoke,
            "2" => BusinessDocType::Update,
            "3" => BusinessDocType::Replace,
            other => BusinessDocType::Other(other.to_owned()),
        }
    }

    /// The wire value.
    pub fn wire(&self) -> &str {
        match self {
            BusinessDocType::New => "0",
            BusinessDocType::Revoke => "1",
            BusinessDocType::Update => "2",
            BusinessDocType::Replace => "3",
            BusinessDocType::Other(s) => s,
        }
    }

    /// Lower-case name for APIs: new, revoke, update, replace (or the raw value).
    pub fn name(&self) -> &str {
        match self {
            BusinessDocType::New => "new",
            BusinessDocType::Revoke => "revoke",
            BusinessDocType::Update => "update",
            BusinessDocType::Replace => "replace",
            BusinessDocType::Other(s) => s,
        }
    }
}

/// `Receiver` in an update's `ReceiverList`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Receiver {
    /// `OrganId`.
    pub organ_id: Option<String>,
    /// `ReceiverType`: 0 removed from the recipients, 1 newly added.
    pub receiver_type: Option<i64>,
}

/// `BussinessDocumentInfo` (updates).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BusinessDocumentInfo {
    /// `DocumentInfo`: 1 when the document's metadata changed.
    pub document_info: Option<i64>,
    /// `DocumentReceiver`: 1 when the recipient list changed.
    pub document_receiver: Option<i64>,
    /// `ReceiverList/Receiver`.
    pub receivers: Vec<Receiver>,
}

/// `ReplacementInfo` (replacements).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReplacementInfo {
    /// `DocumentId` of the replaced document.
    pub document_id: Option<String>,
    /// `OrganIdList/OrganId`.
    pub organ_ids: Vec<String>,
}

/// `Bussiness`: the business operation of the document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Business {
    /// `DocumentId` of the document revoked, updated or replaced.
    pub document_id: Option<String>,
    /// `BussinessDocType`.
    pub business_doc_type: Option<BusinessDocType>,
    /// `BussinessDocReason`.
    pub business_doc_reason: Option<String>,
    /// `Paper`.
    pub paper: Option<i64>,
    /// `StaffInfo`.
    pub staff_info: Option<StaffInfo>,
    /// `BussinessDocumentInfo`.
    pub business_document_info: Option<BusinessDocumentInfo>,
    /// `ReplacementInfoList/ReplacementInfo`.
    pub replacement_info: Vec<ReplacementInfo>,
    /// Unknown child elements.
    pub extra: Vec<Extra>,
}

/// `TraceHeaderList`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TraceHeaderList {
    /// `TraceHeader` entries.
    pub trace_headers: Vec<TraceHeader>,
    /// `Bussiness`.
    pub business: Option<Business>,
}

/// A manifest entry (`edXMLManifest/Reference`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ManifestReference {
    /// `ContentId`, with any `cid:` prefix removed.
    pub content_id: Option<String>,
    /// `ContentType` as declared (often the ZIP wrapper's).
    pub content_type: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `AttachmentName`: the original file name.
    pub attachment_name: Option<String>,
}

/// An attachment (`AttachmentEncoded/Attachment`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Attachment {
    /// `ContentId`, with any `cid:` prefix removed.
    pub content_id: Option<String>,
    /// `AttachmentName`.
    pub attachment_name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `ContentType` as declared.
    pub content_type: Option<String>,
    /// `ContentTransferEncoded`: base64 of a ZIP archive holding the file. Kept encoded.
    #[serde(skip)]
    pub encoded: String,
    /// What the bytes turned out to be (filled in by the reader).
    pub inspection: Option<crate::attach::Inspection>,
}

/// A summary of the `Signature` element found in the header. Verification is the job of
/// `lienthong-dsig`; this only says what is there.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SignatureSummary {
    /// Is it in the XML Signature namespace? SDK samples often omit it (legacy form).
    pub in_xmldsig_namespace: bool,
    /// `SignatureMethod/@Algorithm`.
    pub signature_method: Option<String>,
    /// `CanonicalizationMethod/@Algorithm`.
    pub canonicalization_method: Option<String>,
    /// `Reference/@URI` values.
    pub reference_uris: Vec<String>,
    /// `X509SubjectName`, if present.
    pub x509_subject_name: Option<String>,
    /// Number of `X509Certificate` elements.
    pub certificates: usize,
}

/// An edXML document (gói tin văn bản).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Edoc {
    /// `MessageHeader`.
    pub header: MessageHeader,
    /// `TraceHeaderList`.
    pub trace: TraceHeaderList,
    /// `edXMLManifest/Reference` entries.
    pub manifest: Vec<ManifestReference>,
    /// `AttachmentEncoded/Attachment` entries.
    pub attachments: Vec<Attachment>,
    /// The header's `Signature`, if any.
    pub signature: Option<SignatureSummary>,
}

/// Business status codes of status packages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCode {
    /// 01 Đã đến: the receiving DMS got it; the clerk has not handled it yet.
    Arrived,
    /// 02 Từ chối tiếp nhận: refused by the receiving clerk (reason in Description).
    Refused,
    /// 03 Đã tiếp nhận: registered in the incoming register.
    Accepted,
    /// 04 Phân công: a leader assigned it for handling.
    Assigned,
    /// 05 Đang xử lý: being processed.
    Processing,
    /// 06 Hoàn thành: processing finished.
    Completed,
    /// 13 Lấy lại: the original sender asks to recall the document.
    RecallRequested,
    /// 15 Đồng ý lấy lại/cập nhật: the receiver accepts a recall or update.
    RecallAccepted,
    /// 16 Từ chối lấy lại/cập nhật: the receiver refuses a recall or update.
    RecallRefused,
    /// Any other code, as written.
    Other(String),
}

impl StatusCode {
    /// All known codes, in numeric order.
    pub const KNOWN: [StatusCode; 9] = [
        StatusCode::Arrived,
        StatusCode::Refused,
        StatusCode::Accepted,
        StatusCode::Assigned,
        StatusCode::Processing,
        StatusCode::Completed,
        StatusCode::RecallRequested,
        StatusCode::RecallAccepted,
        StatusCode::RecallRefused,
    ];

    /// From the wire value (`"01"`; `"1"` is read as `"01"`).
    pub fn from_wire(s: &str) -> StatusCode {
        match s.trim() {
            "01" | "1" => StatusCode::Arrived,
            "02" | "2" => StatusCode::Refused,
            "03" | "3" => StatusCode::Accepted,
            "04" | "4" => StatusCode::Assigned,
            "05" | "5" => StatusCode::Processing,
            "06" | "6" => StatusCode::Completed,
            "13" => StatusCode::RecallRequested,
            "15" => StatusCode::RecallAccepted,
            "16" => StatusCode::RecallRefused,
            other => StatusCode::Other(other.to_owned()),
        }
    }

    /// The two-digit wire value.
    pub fn wire(&self) -> &str {
        match self {
            StatusCode::Arrived => "01",
            StatusCode::Refused => "02",
            StatusCode::Accepted => "03",
            StatusCode::Assigned => "04",
            StatusCode::Processing => "05",
            StatusCode::Completed => "06",
            StatusCode::RecallRequested => "13",
            StatusCode::RecallAccepted => "15",
            StatusCode::RecallRefused => "16",
            StatusCode::Other(s) => s,
        }
    }

    /// The Vietnamese label used by DMSs.
    pub fn label_vi(&self) -> &str {
        match self {
            StatusCode::Arrived => "Đã đến",
            StatusCode::Refused => "Từ chối tiếp nhận",
            StatusCode::Accepted => "Đã tiếp nhận",
            StatusCode::Assigned => "Phân công",
            StatusCode::Processing => "Đang xử lý",
            StatusCode::Completed => "Hoàn thành",
            StatusCode::RecallRequested => "Lấy lại",
            StatusCode::RecallAccepted => "Đồng ý lấy lại/cập nhật",
            StatusCode::RecallRefused => "Từ chối lấy lại/cập nhật",
            StatusCode::Other(_) => "Không rõ",
        }
    }

    /// An English gloss.
    pub fn label_en(&self) -> &str {
        match self {
            StatusCode::Arrived => "arrived",
            StatusCode::Refused => "refused",
            StatusCode::Accepted => "accepted and registered",
            StatusCode::Assigned => "assigned for handling",
            StatusCode::Processing => "being processed",
            StatusCode::Completed => "completed",
            StatusCode::RecallRequested => "recall requested by the sender",
            StatusCode::RecallAccepted => "recall or update accepted",
            StatusCode::RecallRefused => "recall or update refused",
            StatusCode::Other(_) => "unknown status",
        }
    }

    /// Sent by the original sender (13) rather than by a recipient (all others).
    pub fn is_from_sender(&self) -> bool {
        matches!(self, StatusCode::RecallRequested)
    }
}

/// A status package (gói tin trạng thái).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// `From`: the agency sending the status.
    pub from: Organization,
    /// `ResponseFor`: the document concerned. For 01–06/15/16, `organ_id` is the
    /// original sender; for 13 it is the receiver.
    pub response_for: ResponseFor,
    /// `StaffInfo`.
    pub staff_info: Option<StaffInfo>,
    /// `StatusCode`.
    pub status_code: StatusCode,
    /// `Description`.
    pub description: Option<String>,
    /// `Timestamp`.
    pub timestamp: Option<DateTime>,
    /// Unknown child elements of the MessageHeader.
    pub extra: Vec<Extra>,
}

impl Status {
    /// The agency this status must travel to: `ResponseFor/OrganId`.
    pub fn destination(&self) -> Option<&str> {
        self.response_for.organ_id.as_deref()
    }
}

/// Either kind of edXML package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Package {
    /// A document.
    Edoc(Box<Edoc>),
    /// A status package.
    Status(Box<Status>),
}

/// The two kinds of package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    /// A document.
    Edoc,
    /// A status package.
    Status,
}

impl PackageKind {
    /// `"edoc"` or `"status"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PackageKind::Edoc => "edoc",
            PackageKind::Status => "status",
        }
    }
}

impl Package {
    /// Which kind.
    pub fn kind(&self) -> PackageKind {
        match self {
            Package::Edoc(_) => PackageKind::Edoc,
            Package::Status(_) => PackageKind::Status,
        }
    }

    /// The sending organisation.
    pub fn from(&self) -> &Organization {
        match self {
            Package::Edoc(e) => &e.header.from,
            Package::Status(s) => &s.from,
        }
    }
}
