//! What a peer's answer to a relay means: does it refuse the message itself (so sending
//! the same bytes again cannot help: dead-letter it at once, with the reason), or is it
//! about the link, the peer's configuration or its load (retry with backoff; an operator may
//! fix the cause meanwhile)? And what does it say about the link?
//!
//! A lienthong peer says which through its error code, parsed back into a [`Code`] whose
//! [`Retry`] decides. A refused signature whose problems include the peer's own trust
//! setup (its CRL past nextUpdate, no roots, a root it lacks, revocation it cannot decide)
//! is for its operator to fix: the same bytes will pass then. Without a code we know (another
//! implementation), a 4xx other than 401, 403, 404, 408 and 429 is a refusal of the message.

use lienthong_types::{Code, Retry};
use serde_json::Value;

use super::link::{LinkSays, peer_busy, refuses_us};

/// The meaning of a peer's error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAnswer {
    /// The peer refused the message itself: trying again cannot help.
    pub permanent: bool,
    /// What it says about the link.
    pub link: LinkSays,
    /// The peer's code, when it gave one we know.
    pub code: Option<Code>,
}

/// Judge a peer's non-success answer (`status`, `body`).
pub fn judge_answer(status: u16, body: &[u8]) -> PeerAnswer {
    let answer = serde_json::from_slice::<Value>(body).ok();
    let error = answer.as_ref().map(|v| &v["error"]);
    let code = error.and_then(|e| e["code"].as_str()).and_then(Code::parse);
    let peer_trust_trouble = error
        .and_then(|e| e["detail"]["problem_codes"].as_array())
        .is_some_and(|codes| {
            codes
                .iter()
                .filter_map(|c| c.as_str().and_then(Code::parse))
                .any(|c| c.retry() == Retry::Later)
        });
    let permanent = match code {
        _ if peer_trust_trouble => false,
        Some(c) => c.retry() == Retry::Never,
        None => (400..500).contains(&status) && !matches!(status, 401 | 403 | 404 | 408 | 429),
    };
    PeerAnswer {
        permanent,
        link: if refuses_us(status) {
            LinkSays::Failed
        } else if peer_busy(status, code) {
            LinkSays::Busy
        } else {
            LinkSays::Works
        },
        code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str) -> Vec<u8> {
        serde_json::to_vec(
            &serde_json::json!({"error": {"code": code, "message": "m", "detail": {}}}),
        )
        .unwrap_or_default()
    }

    #[test]
    fn refusals_of_the_message_are_permanent_and_link_trouble_is_not() {
        for (status, code) in [
            (400, "document.not_edxml"),
            (400, "document.checksum"),
            (422, "signature.required"),
            (422, "routing.refused"),
            (409, "store.conflict"),
            (413, "request.too_large"),
            (400, "request.bad_request"),
        ] {
            let a = judge_answer(status, &err(code));
            assert!(a.permanent, "{code}");
            assert_eq!(a.link, LinkSays::Works, "{code}");
            assert_eq!(a.code.map(Code::as_str), Some(code));
        }
        for (status, code) in [
            (401, "auth.no_client_certificate"),
            (403, "auth.forbidden"),
            (403, "auth.relay_not_routed"),
            (408, "request.timeout"),
            (429, "request.rate_limited"),
            (503, "server.busy"),
            (503, "store.unavailable"),
            (500, "internal"),
            (404, "not_found"),
        ] {
            assert!(!judge_answer(status, &err(code)).permanent, "{code}");
        }
        // Our certificate refused: the link, not the message.
        assert_eq!(
            judge_answer(403, &err("auth.forbidden")).link,
            LinkSays::Failed
        );
        assert_eq!(judge_answer(401, b"").link, LinkSays::Failed);
    }

    #[test]
    fn the_peers_own_trust_setup_is_retried() {
        for trouble in [
            "cert.crl_expired",
            "cert.no_trust_roots",
            "cert.untrusted",
            "cert.revocation_unknown",
        ] {
            let body = serde_json::to_vec(&serde_json::json!({"error": {"code": "signature.required", "message": "m", "detail": {"problem_codes": ["sig.weak", trouble]}}})).unwrap_or_default();
            assert!(!judge_answer(422, &body).permanent, "{trouble}");
        }
        let body = serde_json::to_vec(&serde_json::json!({"error": {"code": "signature.required", "message": "m", "detail": {"problem_codes": ["sig.digest_mismatch", "cert.from_the_future"]}}})).unwrap_or_default();
        assert!(judge_answer(422, &body).permanent);
    }

    #[test]
    fn without_a_code_we_know_the_status_decides() {
        assert!(judge_answer(400, b"<html>bad</html>").permanent);
        assert!(judge_answer(410, b"").permanent);
        // A code from a newer peer that we do not know: by status too.
        assert!(judge_answer(400, &err("document.from_the_future")).permanent);
        assert!(!judge_answer(503, &err("server.from_the_future")).permanent);
        for s in [401, 403, 404, 408, 429, 502] {
            assert!(!judge_answer(s, b"plain text").permanent, "{s}");
        }
    }
}
