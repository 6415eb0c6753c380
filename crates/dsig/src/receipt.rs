//! Signed receipts: a gateway's proof that it durably received a message at a hop.
//!
//! ```xml
//! <Receipt xmlns="urn:lienthong:receipt:1" version="1">
//!   <MessageId>0190f3a2-…</MessageId>
//!   <DocumentSha256>9f86d0…</DocumentSha256>
//!   <ReceivingGateway>gw-h50</ReceivingGateway>
//!   <ReceivedAt>2026-11-22T03:00:00.123Z</ReceivedAt>
//!   <Hop>2</Hop>
//!   <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">…</Signature>
//! </Receipt>
//! ```
//!
//! The signature is enveloped over the whole receipt; the signer's certificate must name
//! the receiving gateway (`urn:lienthong:gateway:ID`). Receipts verify offline with
//! `lienthong verify --trust CA RECEIPT`.

use lienthong_i18n::msg;
use lienthong_types::{Code, GatewayId, MessageId, Sha256};
use lienthong_xml::{Document, XmlWriter};
use rustls_pki_types::CertificateDer;
use serde::Serialize;

use crate::error::DsigError;
use crate::keys::SigningKey;
use crate::sign::{Placement, sign_enveloped};
use crate::verify::{Policy, Profile, Report, Verdict, verify};

/// The receipt namespace (version 1 of the format).
pub const RECEIPT_NS: &str = "urn:lienthong:receipt:1";

/// What a receipt states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The message id (UUID).
    pub message_id: MessageId,
    /// SHA-256 of the exact document bytes (lower-case hex in the XML and in JSON).
    pub document_sha256: Sha256,
    /// The gateway that received it.
    pub receiving_gateway: GatewayId,
    /// When it was durably stored, milliseconds since the Unix epoch.
    pub received_at_ms: u64,
    /// Which hop this was (1 = first gateway-to-gateway transfer).
    pub hop: u32,
}

fn format_ms(ms: u64) -> String {
    let s = crate::time::format_rfc3339(ms / 1000);
    format!("{}.{:03}Z", &s[..19], ms % 1000)
}

fn parse_ms(s: &str) -> Option<u64> {
    let (main, frac) = match s.strip_suffix('Z')?.split_once('.') {
        Some((m, f)) => (m, f),
        None => (s.strip_suffix('Z')?, "0"),
    };
    if frac.is_empty() || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = crate::time::parse_time(&format!("{main}Z"))?;
    let ms: u64 = format!("{frac:0<3}").parse().ok()?;
    secs.checked_mul(1000)?.checked_add(ms)
}

impl Receipt {
    /// The unsigned receipt XML.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::new(Some("  "));
        w.declaration();
        w.start("Receipt")
            .attr("xmlns", RECEIPT_NS)
            .attr("version", "1");
        w.leaf("MessageId", &self.message_id.to_string());
        w.leaf("DocumentSha256", &self.document_sha256.to_hex());
        w.leaf("ReceivingGateway", self.receiving_gateway.as_str());
        w.leaf("ReceivedAt", &format_ms(self.received_at_ms));
        w.leaf("Hop", &self.hop.to_string());
        w.finish()
    }

    /// Sign the receipt with the gateway's key.
    pub fn sign(
        &self,
        key: &SigningKey,
        chain: &[CertificateDer<'_>],
    ) -> Result<Vec<u8>, DsigError> {
        sign_enveloped(
            self.to_xml().as_bytes(),
            key,
            chain,
            &Placement::RootLastChild,
        )
    }

    /// Read a receipt's fields (without verifying it).
    pub fn parse(bytes: &[u8]) -> Result<Receipt, DsigError> {
        let doc = Document::parse(bytes)?;
        Receipt::from_document(&doc)
    }

    fn from_document(doc: &Document) -> Result<Receipt, DsigError> {
        let root = doc.root_element();
        if !root.is(RECEIPT_NS, "Receipt") {
            return Err(DsigError::Receipt(format!(
                "the root element is not {{{RECEIPT_NS}}}Receipt"
            )));
        }
        let field = |name: &str| -> Result<String, DsigError> {
            root.child(RECEIPT_NS, name)
                .map(|e| e.text().trim().to_owned())
                .ok_or_else(|| DsigError::Receipt(format!("{name} is missing")))
        };
        let sha = field("DocumentSha256")?;
        let document_sha256 = sha.parse::<Sha256>().map_err(|_| {
            DsigError::Receipt(format!("DocumentSha256 '{sha}' is not 64 hex digits"))
        })?;
        let id = field("MessageId")?;
        let message_id = id
            .parse::<MessageId>()
            .map_err(|e| DsigError::Receipt(format!("MessageId '{id}': {e}")))?;
        let gw = field("ReceivingGateway")?;
        let receiving_gateway = gw
            .parse::<GatewayId>()
            .map_err(|e| DsigError::Receipt(format!("ReceivingGateway '{gw}': {e}")))?;
        let at = field("ReceivedAt")?;
        Ok(Receipt {
            message_id,
            document_sha256,
            receiving_gateway,
            received_at_ms: parse_ms(&at).ok_or_else(|| {
                DsigError::Receipt(format!("ReceivedAt '{at}' is not a UTC time"))
            })?,
            hop: field("Hop")?
                .parse()
                .map_err(|_| DsigError::Receipt("Hop is not a number".into()))?,
        })
    }
}

/// Is this document a receipt (by its root element)?
pub fn is_receipt(doc: &Document) -> bool {
    doc.root_element().is(RECEIPT_NS, "Receipt")
}

/// Verify a receipt: a valid signature over the whole receipt by a trusted certificate
/// that names the receiving gateway.
pub fn verify_receipt(bytes: &[u8], policy: &Policy<'_>) -> Result<(Receipt, Report), DsigError> {
    let doc = Document::parse(bytes)?;
    verify_receipt_doc(&doc, policy)
}

/// [`verify_receipt`] on a parsed document.
pub fn verify_receipt_doc(
    doc: &Document,
    policy: &Policy<'_>,
) -> Result<(Receipt, Report), DsigError> {
    let receipt = Receipt::from_document(doc)?;
    let profile = Profile {
        parent: Some((RECEIPT_NS.into(), "Receipt".into())),
        cover_root: true,
    };
    let mut report = verify(doc, &profile, policy);
    if let Some(signer) = &report.signer
        && !signer
            .certificate
            .gateways
            .iter()
            .any(|g| g == receipt.receiving_gateway.as_str())
    {
        let gateway = receipt.receiving_gateway.as_str();
        let message = if signer.certificate.gateways.is_empty() {
            msg!("sig-receipt-no-gateway", gateway = gateway)
        } else {
            msg!(
                "sig-receipt-wrong-gateway",
                gateway = gateway,
                named = signer.certificate.gateways.join(", ")
            )
        };
        report.problem(Code::ReceiptWrongGateway, message);
        report.valid = false;
        report.verdict = Verdict::Invalid;
    }
    Ok((receipt, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        assert_eq!(format_ms(1_740_787_200_123), "2025-03-01T00:00:00.123Z");
        assert_eq!(
            parse_ms("2025-03-01T00:00:00.123Z"),
            Some(1_740_787_200_123)
        );
        assert_eq!(parse_ms("2025-03-01T00:00:00.1Z"), Some(1_740_787_200_100));
        assert_eq!(parse_ms("2025-03-01T00:00:00Z"), Some(1_740_787_200_000));
        assert_eq!(parse_ms("2025-03-01T00:00:00"), None);
    }

    #[test]
    fn parse_rejects_malformed() {
        let id = MessageId::new_v7(lienthong_types::Timestamp::from_millis(5));
        let r = Receipt {
            message_id: id,
            document_sha256: Sha256::digest(b"doc"),
            receiving_gateway: GatewayId::parse("gw-a").unwrap(),
            received_at_ms: 5,
            hop: 1,
        };
        assert_eq!(Receipt::parse(r.to_xml().as_bytes()).unwrap(), r);
        let bad = r.to_xml().replace(&r.document_sha256.to_hex(), "xyz");
        assert!(Receipt::parse(bad.as_bytes()).is_err());
        let bad_id = r.to_xml().replace(&id.to_string(), "not-a-uuid");
        let e = Receipt::parse(bad_id.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("MessageId 'not-a-uuid'"), "{e}");
        let bad_gw = r.to_xml().replace("gw-a", "gw a/..");
        let e = Receipt::parse(bad_gw.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("ReceivingGateway"), "{e}");
        assert!(Receipt::parse(b"<Other/>").is_err());
        let no_hop = r.to_xml().replace("<Hop>1</Hop>", "");
        assert!(
            Receipt::parse(no_hop.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("Hop")
        );
    }
}
