//! May this gateway relay this to us, and as of when is a relayed signature judged. The
//! relay's transport metadata travels in headers ([`headers`]); the body is the exact
//! document.

use lienthong_edxml::AgencyCode;
use lienthong_i18n::msg;
use lienthong_routing::{GatewayId, RouteDecision};
use lienthong_store::{MessageId, Timestamp};
use lienthong_types::Code;
use serde_json::json;

use super::dispatch::today;
use super::{Refusal, Snapshot};

/// Header names of the relay transport metadata.
pub mod headers {
    /// The message id given by the first gateway.
    pub const MESSAGE_ID: &str = "lienthong-message-id";
    /// `record`: the sender's home gateway accepted the document although its envelope
    /// signature is not valid, under a `record` policy (its own, or a VXP system's).
    pub const SIGNATURE_POLICY: &str = "lienthong-signature-policy";
    /// SHA-256 of the body, hex.
    pub const SHA256: &str = "lienthong-sha256";
    /// The recipients behind this link, comma-separated.
    pub const RECIPIENTS: &str = "lienthong-recipients";
    /// Gateways the message passed, comma-separated, the sending gateway last.
    pub const HOPS: &str = "lienthong-hops";
}

/// When a relayed document's signature is checked: when the message entered the network (the
/// time in its UUID v7 id, given by the first gateway, which checked the signature then),
/// so that a signer certificate that expired while the message waited in a queue does not
/// make the next hop refuse a document that was valid when it was sent. Never later than
/// `now`, and never earlier than `window_ms` (the retry policy's `max_age_ms`: nothing
/// legitimately travels longer) before it.
pub fn relay_signature_time(id: MessageId, now: Timestamp, window_ms: u64) -> Timestamp {
    let entered = id
        .as_uuid()
        .get_timestamp()
        .map(|t| {
            let (secs, nanos) = t.to_unix();
            secs.saturating_mul(1000)
                .saturating_add(u64::from(nanos) / 1_000_000)
        })
        .unwrap_or(now.as_millis());
    let earliest = now.as_millis().saturating_sub(window_ms);
    Timestamp::from_millis(entered.clamp(earliest, now.as_millis()))
}

/// A gateway may relay to us only what the directory routes through it to us: from a
/// child, recipients outside that child's subtree; from the parent or a shortcut,
/// recipients in our subtree.
pub fn authorize_relay(
    snap: &Snapshot,
    from: &GatewayId,
    hops: &[GatewayId],
    recipients: &[AgencyCode],
    now: Timestamp,
) -> Result<(), Refusal> {
    let (dir, here) = (&snap.directory, &snap.id);
    let is_child = dir.parent(from) == Some(here);
    let is_parent = dir.parent(here) == Some(from);
    let is_shortcut = dir.shortcuts_from(from).any(|g| g == here);
    if !(is_child || is_parent || is_shortcut) {
        return Err(Refusal::new(
            Code::AuthRelayNotRouted,
            msg!(
                "api-relay-not-neighbour",
                from = from.to_string(),
                here = here.to_string()
            ),
        ));
    }
    check_hop_list(snap, from, hops)?;
    for r in recipients {
        let home = dir.home_gateway(r);
        let ok = match home {
            Some(h) => {
                let below_us = dir.subtree_contains(here, h);
                if is_child {
                    !dir.subtree_contains(from, h)
                } else {
                    below_us
                }
            }
            // Unknown here: only a child may send it up (we pass it to our parent).
            None => is_child,
        };
        if !ok {
            return Err(Refusal::new(
                Code::AuthRelayNotRouted,
                msg!(
                    "api-relay-not-through",
                    from = from.to_string(),
                    recipient = r.to_string(),
                    here = here.to_string()
                ),
            ));
        }
        if let RouteDecision::Refuse(reason) = dir.route(r, here, hops, today(now)) {
            return Err(Refusal::new(Code::RoutingRefused, reason.to_string())
                .with(json!({"recipient": r.to_string(), "code": reason.code(),
                             "causes": [{"code": reason.code(), "recipient": r.to_string(), "message": reason.to_string()}]})));
        }
    }
    Ok(())
}

/// A relay's hop list ends with the gateway sending it, and, where this gateway holds the
/// whole federation's directory, it is a path through it: each gateway handed the message
/// to a neighbour (its parent, a child, or a shortcut), the last one to us.
pub fn check_hop_list(
    snap: &Snapshot,
    from: &GatewayId,
    hops: &[GatewayId],
) -> Result<(), Refusal> {
    if hops.last() != Some(from) {
        return Err(Refusal::new(
            Code::AuthRelayNotRouted,
            msg!("api-relay-hops-end", from = from.to_string()),
        ));
    }
    if !snap.full_directory {
        return Ok(());
    }
    let dir = &snap.directory;
    let neighbours = |a: &GatewayId, b: &GatewayId| {
        dir.parent(a) == Some(b)
            || dir.parent(b) == Some(a)
            || dir.shortcuts_from(a).any(|g| g == b)
    };
    let path: Vec<&GatewayId> = hops.iter().chain(std::iter::once(&snap.id)).collect();
    match path.windows(2).find(|w| !neighbours(w[0], w[1])) {
        None => Ok(()),
        Some(w) => Err(Refusal::new(
            Code::AuthRelayNotRouted,
            msg!(
                "api-relay-hops-path",
                a = w[0].to_string(),
                b = w[1].to_string()
            ),
        )
        .with(json!({"hops": hops.iter().map(ToString::to_string).collect::<Vec<_>>()}))),
    }
}

/// What the relayed document says must agree with the relay: every recipient the relay
/// names is one of the document's; a child sends up only what agencies of its own subtree
/// sent; the parent never brings what an agency of our own subtree sent (that
/// leaves through us, it never comes back down); and with the whole directory, the message
/// started at its sender's home gateway (a sender this directory does not know is left to
/// the signature check).
pub fn check_relayed_content(
    snap: &Snapshot,
    from: &GatewayId,
    hops: &[GatewayId],
    relayed_to: &[AgencyCode],
    document_recipients: &[AgencyCode],
    sender: &str,
) -> Result<(), Refusal> {
    if let Some(r) = relayed_to.iter().find(|r| !document_recipients.contains(r)) {
        return Err(Refusal::new(
            Code::AuthRelayNotRouted,
            msg!("api-relay-not-recipient", recipient = r.to_string()),
        ));
    }
    let dir = &snap.directory;
    let Some((sender, home)) = AgencyCode::parse(sender)
        .ok()
        .and_then(|s| dir.home_gateway(&s).map(|h| (s.clone(), h.clone())))
    else {
        return Ok(());
    };
    let from_child = dir.parent(from) == Some(&snap.id);
    let from_parent = dir.parent(&snap.id) == Some(from);
    if from_child && !dir.subtree_contains(from, &home) {
        return Err(Refusal::new(
            Code::AuthRelayNotRouted,
            msg!(
                "api-relay-outside",
                from = from.to_string(),
                sender = sender.to_string(),
                home = home.to_string()
            ),
        ));
    }
    // (A shortcut may start below us, so only the parent is held to this.)
    if from_parent && dir.subtree_contains(&snap.id, &home) {
        return Err(Refusal::new(
            Code::AuthRelayNotRouted,
            msg!(
                "api-relay-own-subtree",
                from = from.to_string(),
                sender = sender.to_string(),
                home = home.to_string()
            ),
        ));
    }
    if snap.full_directory && hops.first() != Some(&home) {
        return Err(Refusal::new(
            Code::AuthRelayNotRouted,
            msg!(
                "api-relay-not-home",
                sender = sender.to_string(),
                home = home.to_string(),
                hops = hops
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ));
    }
    Ok(())
}

/// A relay marked `record` (its envelope signature accepted although not valid, under a
/// `record` policy at the sender's home gateway) is taken so only for a sender the
/// directory knows: then [`check_relayed_content`] has made sure the message started at its
/// home. For an unknown sender nothing says who waived the signature, and this gateway's
/// own policy stands.
pub fn check_recorded_waiver(
    snap: &Snapshot,
    sender: &str,
    verdict: lienthong_dsig::Verdict,
) -> Result<(), Refusal> {
    let known = AgencyCode::parse(sender)
        .ok()
        .is_some_and(|c| snap.directory.agency(&c).is_some());
    if known
        || verdict == lienthong_dsig::Verdict::Valid
        || snap.policy != crate::config::SignaturePolicy::Require
    {
        return Ok(());
    }
    Err(Refusal::new(
        Code::SignatureRequired,
        msg!(
            "api-relay-record-unknown",
            verdict = format!("{verdict:?}"),
            sender = sender
        ),
    )
    .with(json!({"verdict": verdict})))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixture::{at, code, gw, snapshot};

    #[test]
    fn a_relayed_signature_is_checked_as_of_the_message_entering_the_network() {
        let day = 86_400_000;
        let now = Timestamp::from_millis(1_795_305_600_000);
        let sent = Timestamp::from_millis(now.as_millis() - 2 * day);
        let id = MessageId::new_v7(sent);
        // Within the window: the time the first gateway gave the message.
        assert_eq!(relay_signature_time(id, now, 3 * day), sent);
        // Older than anything may travel: no earlier than the window allows.
        assert_eq!(
            relay_signature_time(id, now, day),
            Timestamp::from_millis(now.as_millis() - day)
        );
        // An id from the future (a peer's clock ahead): now.
        let ahead = MessageId::new_v7(Timestamp::from_millis(now.as_millis() + day));
        assert_eq!(relay_signature_time(ahead, now, 3 * day), now);
    }

    #[test]
    fn a_gateway_relays_only_what_the_directory_routes_through_it() {
        // Seen from the province gw-h50: parent gw-g22, child gw-h50-giolinh.
        let snap = snapshot(true);
        let (parent, child) = (gw("gw-g22"), gw("gw-h50-giolinh"));
        let now = at(0);
        // The parent brings post for agencies below us; the child sends out what leaves it.
        assert!(
            authorize_relay(
                &snap,
                &parent,
                std::slice::from_ref(&parent),
                &[code("000.00.01.H50")],
                now
            )
            .is_ok()
        );
        assert!(
            authorize_relay(
                &snap,
                &child,
                std::slice::from_ref(&child),
                &[code("000.00.00.H48")],
                now
            )
            .is_ok()
        );
        let refused = |from: &GatewayId, hops: &[GatewayId], to: &str| {
            authorize_relay(&snap, from, hops, &[code(to)], now).unwrap_err()
        };
        // The hop list must end with the sender.
        assert_eq!(
            refused(&parent, std::slice::from_ref(&child), "000.00.01.H50").code,
            Code::AuthRelayNotRouted
        );
        // Not a neighbour.
        let stranger = gw("gw-h48");
        let r = refused(&stranger, std::slice::from_ref(&stranger), "000.00.01.H50");
        assert!(r.message.contains("not a neighbour"), "{}", r.message);
        // The parent may not send us post for the other province, nor the child post for itself.
        assert_eq!(
            refused(&parent, std::slice::from_ref(&parent), "000.00.00.H48").code,
            Code::AuthRelayNotRouted
        );
        assert_eq!(
            refused(&child, std::slice::from_ref(&child), "000.00.21.H50").code,
            Code::AuthRelayNotRouted
        );
        // Routed, but it would loop back through us.
        let r = refused(&parent, &[gw("gw-h50"), parent.clone()], "000.00.01.H50");
        assert_eq!(
            (r.code, r.detail["code"].as_str()),
            (Code::RoutingRefused, Some("routing.loop"))
        );
    }

    #[test]
    fn relayed_content_must_match_the_relay() {
        let snap = snapshot(true);
        let child = gw("gw-h50-giolinh");
        let to = [code("000.00.01.H50")];
        let from_child = [child.clone()];
        // From the child's subtree, starting at its sender's home: fine.
        assert!(
            check_relayed_content(&snap, &child, &from_child, &to, &to, "000.00.21.H50").is_ok()
        );
        // A recipient the document does not name.
        let r = check_relayed_content(
            &snap,
            &child,
            &from_child,
            &[code("000.00.11.H50")],
            &to,
            "000.00.21.H50",
        );
        assert_eq!(r.unwrap_err().code, Code::AuthRelayNotRouted);
        // The child relays a message of an agency homed outside its subtree.
        let r = check_relayed_content(&snap, &child, &from_child, &to, &to, "000.00.00.H48")
            .unwrap_err();
        assert!(
            r.message.contains("outside gw-h50-giolinh's subtree"),
            "{}",
            r.message
        );
        // The parent brings another province's, which started at its home.
        let parent = gw("gw-g22");
        let via_parent = [gw("gw-h48"), parent.clone()];
        assert!(
            check_relayed_content(&snap, &parent, &via_parent, &to, &to, "000.00.00.H48").is_ok()
        );
    }

    #[test]
    fn a_recorded_signature_is_waived_for_known_senders_only() {
        use lienthong_dsig::Verdict;
        let snap = snapshot(true);
        assert!(check_recorded_waiver(&snap, "000.00.01.H50", Verdict::Unsigned).is_ok());
        assert!(check_recorded_waiver(&snap, "999.99.99.Z99", Verdict::Valid).is_ok());
        let r = check_recorded_waiver(&snap, "999.99.99.Z99", Verdict::Unsigned).unwrap_err();
        assert_eq!(r.code, Code::SignatureRequired);
        let mut lenient = snapshot(true);
        lenient.policy = crate::config::SignaturePolicy::Record;
        assert!(check_recorded_waiver(&lenient, "999.99.99.Z99", Verdict::Invalid).is_ok());
    }

    #[test]
    fn a_replayed_path_is_refused() {
        let snap = snapshot(true);
        let parent = gw("gw-g22");
        let to = [code("000.00.21.H50")];
        // The parent brings down a document of an agency homed here: it left through us
        // and never comes back.
        let r = check_relayed_content(
            &snap,
            &parent,
            &[gw("gw-h50"), parent.clone()],
            &to,
            &to,
            "000.00.01.H50",
        )
        .unwrap_err();
        assert_eq!(r.code, Code::AuthRelayNotRouted);
        assert!(r.message.contains("in our own subtree"), "{}", r.message);
        // A message that did not start at its sender's home gateway.
        let r = check_relayed_content(
            &snap,
            &parent,
            std::slice::from_ref(&parent),
            &to,
            &to,
            "000.00.00.H48",
        )
        .unwrap_err();
        assert!(r.message.contains("home gateway gw-h48"), "{}", r.message);
        // A hop list that is not a path through the directory (gw-h50-giomai is not gw-g22's
        // neighbour).
        let r = authorize_relay(
            &snap,
            &parent,
            &[gw("gw-h50-giomai"), parent.clone()],
            &to,
            at(0),
        )
        .unwrap_err();
        assert_eq!(r.code, Code::AuthRelayNotRouted);
        assert!(r.message.contains("not a path"), "{}", r.message);
        // The same from a gateway holding only its local view: it cannot tell, and does
        // not refuse for it.
        let local = snapshot(false);
        assert!(check_hop_list(&local, &parent, &[gw("gw-h50-giomai"), parent.clone()]).is_ok());
    }
}
