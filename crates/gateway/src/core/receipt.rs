//! Receipts: sign ours for a relay we stored, and check the next hop's before its lease is
//! acknowledged (valid, signed by a certificate of that gateway, for this message id and
//! these bytes). Anything else is a failed relay, retried with backoff.

use lienthong_dsig::{Policy, Receipt, TrustStore, verify_receipt};
use lienthong_store::{MessageId, Sha256, Timestamp};
use lienthong_types::{Code, GatewayId};

use super::Snapshot;

/// What the forwarder expects a receipt to say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The next hop the message was relayed to.
    pub hop: &'a str,
    /// The message.
    pub id: MessageId,
    /// Its exact bytes.
    pub sha256: Sha256,
}

/// Why a receipt is not good.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptProblem {
    /// Not a receipt.
    #[error("receipt unreadable: {0}")]
    Unreadable(String),
    /// Its signature or certificate does not hold.
    #[error("receipt not valid: {0}")]
    Invalid(String),
    /// Valid, but from (or for) another gateway.
    #[error("receipt is from {found}, not {expected}")]
    WrongGateway {
        /// The gateway the receipt names.
        found: GatewayId,
        /// The next hop.
        expected: String,
    },
    /// Valid, but for another message id.
    #[error("receipt is for another message ({0})")]
    OtherMessage(MessageId),
    /// Valid, but for other bytes.
    #[error("receipt is for other bytes (SHA-256 {0})")]
    OtherDocument(Sha256),
}

impl ReceiptProblem {
    /// The problem's code.
    pub fn code(&self) -> Code {
        match self {
            ReceiptProblem::Unreadable(_) => Code::ReceiptUnreadable,
            ReceiptProblem::Invalid(_) => Code::ReceiptInvalid,
            ReceiptProblem::WrongGateway { .. } => Code::ReceiptWrongGateway,
            ReceiptProblem::OtherMessage(_) => Code::ReceiptOtherMessage,
            ReceiptProblem::OtherDocument(_) => Code::ReceiptOtherDocument,
        }
    }
}

/// Check a next hop's receipt against what was relayed, under the federation `trust`, at `now`.
pub fn check_receipt(
    bytes: &[u8],
    expect: Expected<'_>,
    trust: &TrustStore,
    now: Timestamp,
) -> Result<Receipt, ReceiptProblem> {
    let policy = Policy {
        trust,
        at: lienthong_dsig::unix_time(now.as_millis() / 1000),
        expected_agency: None,
    };
    let (receipt, report) =
        verify_receipt(bytes, &policy).map_err(|e| ReceiptProblem::Unreadable(e.to_string()))?;
    if !report.valid {
        return Err(ReceiptProblem::Invalid(report.problems.join("; ")));
    }
    if receipt.receiving_gateway.as_str() != expect.hop {
        return Err(ReceiptProblem::WrongGateway {
            found: receipt.receiving_gateway,
            expected: expect.hop.to_owned(),
        });
    }
    if receipt.message_id != expect.id {
        return Err(ReceiptProblem::OtherMessage(receipt.message_id));
    }
    if receipt.document_sha256 != expect.sha256 {
        return Err(ReceiptProblem::OtherDocument(receipt.document_sha256));
    }
    Ok(receipt)
}

/// Our signed receipt for message `id` with bytes `sha256`, received at `now` as hop `hop`
/// (the number of gateways it passed before us).
pub fn issue_receipt(
    snap: &Snapshot,
    id: MessageId,
    sha256: Sha256,
    hop: usize,
    now: Timestamp,
) -> Result<Vec<u8>, lienthong_dsig::DsigError> {
    Receipt {
        message_id: id,
        document_sha256: sha256,
        receiving_gateway: snap.id.clone(),
        received_at_ms: now.as_millis(),
        hop: u32::try_from(hop).unwrap_or(u32::MAX),
    }
    .sign(&snap.signing.key, &snap.signing.chain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixture::{at, signing, snapshot, trust};

    /// gw-h50 relayed message `id` to gw-g22, which answers with this receipt.
    fn relayed() -> (MessageId, Sha256, Vec<u8>) {
        let id = MessageId::new_v7(at(0));
        let sha = Sha256::digest(b"the document");
        let mut g22 = snapshot(true);
        g22.id = lienthong_routing::GatewayId::parse("gw-g22").unwrap();
        g22.signing = std::sync::Arc::new(signing("gw-g22"));
        let r = issue_receipt(&g22, id, sha, 1, at(5)).unwrap();
        (id, sha, r)
    }

    fn expect(id: MessageId, sha: Sha256) -> Expected<'static> {
        Expected {
            hop: "gw-g22",
            id,
            sha256: sha,
        }
    }

    #[test]
    fn a_good_receipt_is_accepted() {
        let (id, sha, r) = relayed();
        let got = check_receipt(&r, expect(id, sha), &trust(), at(10)).unwrap();
        assert_eq!(got.receiving_gateway.as_str(), "gw-g22");
        assert_eq!(got.hop, 1);
        assert_eq!(got.received_at_ms, at(5).as_millis());
    }

    #[test]
    fn a_receipt_from_another_gateway_is_refused() {
        // Validly signed by gw-h48 for itself: not the hop the message went to.
        let (id, sha, _) = relayed();
        let mut h48 = snapshot(true);
        h48.id = lienthong_routing::GatewayId::parse("gw-h48").unwrap();
        h48.signing = std::sync::Arc::new(signing("gw-h48"));
        let r = issue_receipt(&h48, id, sha, 1, at(5)).unwrap();
        let e = check_receipt(&r, expect(id, sha), &trust(), at(10)).unwrap_err();
        assert_eq!(
            e,
            ReceiptProblem::WrongGateway {
                found: "gw-h48".parse().unwrap(),
                expected: "gw-g22".into()
            }
        );
        assert_eq!(e.code(), Code::ReceiptWrongGateway);
    }

    #[test]
    fn a_receipt_for_another_message_id_is_refused() {
        let (_, sha, r) = relayed();
        let other = MessageId::new_v7(at(1));
        let e = check_receipt(&r, expect(other, sha), &trust(), at(10)).unwrap_err();
        assert!(matches!(e, ReceiptProblem::OtherMessage(_)), "{e}");
        assert_eq!(e.code(), Code::ReceiptOtherMessage);
    }

    #[test]
    fn a_receipt_for_other_bytes_is_refused() {
        let (id, _, r) = relayed();
        let e = check_receipt(
            &r,
            expect(id, Sha256::digest(b"other bytes")),
            &trust(),
            at(10),
        )
        .unwrap_err();
        assert!(matches!(e, ReceiptProblem::OtherDocument(_)), "{e}");
        assert_eq!(e.code(), Code::ReceiptOtherDocument);
    }

    #[test]
    fn a_receipt_with_a_bad_signature_is_refused() {
        let (id, sha, r) = relayed();
        // The hop number changed after signing: the signature no longer holds.
        let text = String::from_utf8(r)
            .unwrap()
            .replace("<Hop>1</Hop>", "<Hop>2</Hop>");
        let e = check_receipt(text.as_bytes(), expect(id, sha), &trust(), at(10)).unwrap_err();
        assert!(matches!(e, ReceiptProblem::Invalid(_)), "{e}");
        assert_eq!(e.code(), Code::ReceiptInvalid);
        // Signed by a CA the federation does not trust.
        let (id, sha, r) = relayed();
        let e = check_receipt(
            &r,
            expect(id, sha),
            &lienthong_dsig::TrustStore::new(),
            at(10),
        )
        .unwrap_err();
        assert!(matches!(e, ReceiptProblem::Invalid(_)), "{e}");
        // Not a receipt at all.
        let e = check_receipt(b"<html/>", expect(id, sha), &trust(), at(10)).unwrap_err();
        assert_eq!(e.code(), Code::ReceiptUnreadable);
    }
}
