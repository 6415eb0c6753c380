//! # lienthong-dsig
//!
//! Canonical XML and XML Signature for lienthong (in progress).

pub mod c14n;
