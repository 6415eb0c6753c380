//! # lienthong-edxml
//!
//! edXML documents and status packages (QCVN 102:2016/BTTTT), as the national document
//! axis and provincial axes exchange them.
//!
//! * [`read`] reads real files **leniently**: elements are matched by namespace and local
//!   name whatever the prefix, in any order; both date forms seen in the wild are
//!   accepted; content ids with or without `cid:`; unknown elements are kept as
//!   [`Extra`]; anything odd becomes a [`Warning`] rather than a failure. It fails only on
//!   input that is not strict XML (see `lienthong-xml`: DOCTYPE, bad encodings, truncation
//!   are refused) or not edXML at all. Warnings and errors carry their message of the
//!   catalogs (`edxml.ftl` of `lienthong-i18n`), for people in Vietnamese or English.
//! * [`write_edoc`] / [`write_status`] write **canonically**, in the layout the national
//!   SDK emits. What is written reads back to the same model (a property test checks it)
//!   and validates against `schemas/edxml-lienthong.xsd`.
//! * [`AgencyCode`] is the agency identifier newtype; QCVN 102 four-group codes parse to
//!   their levels ([`Qcvn102`]).
//! * [`attach`] looks inside attachments (base64 over ZIP) for the real file name, size
//!   and content type.
//! * [`Summary`] is the short description `lienthong inspect --json` prints.
//!
//! The gateway never rewrites a document: it carries the exact bytes it was given. The
//! model is for routing, checking and showing, not for transport.
//!
//! ```
//! let xml = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//!   <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//!     <edXML:edXMLHeader><edXML:MessageHeader>
//!       <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:From>
//!       <edXML:To><edXML:OrganId>000.00.00.H50</edXML:OrganId></edXML:To>
//!       <edXML:Subject>V/v thử nghiệm</edXML:Subject>
//!     </edXML:MessageHeader></edXML:edXMLHeader>
//!   </edXML:edXMLEnvelope>
//! </edXML>"#;
//! let parsed = lienthong_edxml::read(xml.as_bytes()).unwrap();
//! let summary = lienthong_edxml::Summary::of(&parsed);
//! assert_eq!(summary.from, "000.00.00.G22");
//! assert_eq!(summary.to, vec!["000.00.00.H50".to_string()]);
//! ```

pub mod agency;
pub mod attach;
pub mod dates;
pub mod model;
mod read;
mod summary;
mod write;

pub use agency::{AgencyCode, AgencyCodeError, AgencyGroup, Qcvn102};
pub use dates::{Date, DateTime};
pub use model::*;
pub use read::{EdxmlError, Parsed, Warning, from_document, normalize_content_id, read, read_with};
pub use summary::{AttachmentSummary, Summary};
pub use write::{write, write_edoc, write_status};
