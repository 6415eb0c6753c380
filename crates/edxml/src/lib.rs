//! # lienthong-edxml
//!
//! edXML documents and status packages (QCVN 102:2016).

pub mod agency;

pub use agency::{AgencyCode, AgencyCodeError, AgencyGroup, Qcvn102};
