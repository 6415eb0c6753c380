//! Where each recipient goes: route every recipient (or refuse with every reason), the
//! dispatch plan stored in the same commit as the message, and what is left to dispatch
//! after a crash between accepting and queueing.

use lienthong_edxml::AgencyCode;
use lienthong_routing::{GatewayId, NextHops};
use lienthong_store::{Dispatch, MessageInfo, Origin, RecipientState, Timestamp};
use lienthong_types::Code;
use serde_json::{Value, json};

use super::{Refusal, Snapshot};

/// The directory's date of `now` (validity dates of agencies are days).
pub fn today(now: Timestamp) -> lienthong_routing::Date {
    lienthong_routing::Date::from_unix_millis(now.as_millis())
}

/// Route every recipient; refuse (with every reason, under `detail.causes`) if any cannot
/// be routed.
pub fn route_all(
    snap: &Snapshot,
    recipients: &[AgencyCode],
    hops: &[GatewayId],
    now: Timestamp,
) -> Result<NextHops, Refusal> {
    let dir = &snap.directory;
    // At the root, an uplink takes the agencies nobody here knows.
    let unknown_go_up = snap.uplink.is_some() && dir.parent(&snap.id).is_none();
    if snap.full_directory && !unknown_go_up {
        let unknown: Vec<Value> = recipients
            .iter()
            .filter(|r| dir.agency(r).is_none())
            .map(|r| {
                json!({"recipient": r.to_string(), "code": Code::RoutingUnknownAgency,
                       "reason": format!("agency {r} is not in the federation directory")})
            })
            .collect();
        if let Some(first) = unknown.first() {
            let msg = lienthong_i18n::msg!(
                "api-routing-unknown",
                recipient = first["recipient"].as_str().unwrap_or_default()
            );
            return Err(Refusal::new(Code::RoutingRefused, msg)
                .with(json!({"refused": unknown.clone(), "causes": unknown})));
        }
    }
    let mut next = dir.group_by_next_hop(recipients, &snap.id, hops, today(now));
    divert_to_uplink(snap, &mut next, hops);
    if let Some(first) = next.refused.first() {
        let detail: Vec<Value> = next
            .refused
            .iter()
            .map(|r| json!({"recipient": r.recipient.to_string(), "code": r.reason.code(), "reason": r.reason.to_string()}))
            .collect();
        return Err(Refusal::new(
            Code::RoutingRefused,
            lienthong_i18n::msg!(
                "api-routing-refused",
                recipient = first.recipient.to_string(),
                reason = first.reason.code()
            ),
        )
        .with(json!({"refused": detail.clone(), "causes": detail})));
    }
    Ok(next)
}

/// With an uplink: the recipients the directory marks `uplink` (homed here, reached over
/// VXP) go to the uplink's hop instead of an inbox, and at the root so do the agencies it
/// does not know. Never back up to the uplink a message came from.
fn divert_to_uplink(snap: &Snapshot, next: &mut NextHops, hops: &[GatewayId]) {
    let Some(up) = &snap.uplink else { return };
    let dir = &snap.directory;
    let came_from_uplink = hops.contains(up);
    let mut upward: Vec<AgencyCode> = Vec::new();
    let mut looping = Vec::new();
    next.local.retain(|d| {
        let via_uplink = dir.agency(&d.agency).is_some_and(|a| a.uplink);
        match (via_uplink, came_from_uplink) {
            (true, false) => upward.push(d.agency.clone()),
            (true, true) => looping.push(lienthong_routing::Refusal {
                recipient: d.agency.clone(),
                reason: lienthong_routing::RefuseReason::Loop {
                    gateway: up.clone(),
                },
            }),
            _ => {}
        }
        !via_uplink
    });
    next.refused.extend(looping);
    if dir.parent(&snap.id).is_none() && !came_from_uplink {
        next.refused.retain(|r| {
            let unknown = matches!(
                r.reason,
                lienthong_routing::RefuseReason::UnknownAgency { .. }
            );
            if unknown {
                upward.push(r.recipient.clone());
            }
            !unknown
        });
    }
    if !upward.is_empty() {
        let list = next.forward.entry(up.clone()).or_default();
        list.extend(upward);
        list.sort();
        list.dedup();
    }
}

/// The dispatch of a new message (local deliveries, one queue entry per next hop, the receipt
/// we issued), stored in the same commit as the message itself.
pub fn plan(next: &NextHops, issued_receipt: Option<Vec<u8>>) -> Dispatch {
    Dispatch {
        deliver: next.local.iter().map(|d| d.agency.to_string()).collect(),
        enqueue: next
            .forward
            .iter()
            .map(|(hop, rs)| {
                (
                    hop.to_string(),
                    rs.iter().map(ToString::to_string).collect(),
                )
            })
            .collect(),
        issued_receipt,
    }
}

/// What is left to dispatch of a stored message: its recipients still `accepted` (a crash
/// came between accepting and queueing, or the message predates dispatch-with-accept),
/// routed as of `now` along the hops it came by. `None` when nothing is left.
pub fn recovery(snap: &Snapshot, info: &MessageInfo, now: Timestamp) -> Option<NextHops> {
    let pending: Vec<AgencyCode> = info
        .recipients
        .iter()
        .filter(|(_, st)| matches!(st, RecipientState::Accepted))
        .filter_map(|(c, _)| AgencyCode::parse(c).ok())
        .collect();
    if pending.is_empty() {
        return None;
    }
    let hops: Vec<GatewayId> = match &info.origin {
        Origin::Local => vec![],
        Origin::Relayed { hops, .. } => hops
            .iter()
            .filter_map(|h| GatewayId::parse(h).ok())
            .collect(),
    };
    let mut next = snap
        .directory
        .group_by_next_hop(&pending, &snap.id, &hops, today(now));
    divert_to_uplink(snap, &mut next, &hops);
    Some(next)
}

/// Of a planned next-hop grouping, what is still pending for `info` (recipients already
/// past `accepted` are left alone): the agencies to deliver to here, and per hop the
/// recipients to queue.
pub fn still_pending(info: &MessageInfo, next: &NextHops) -> Dispatch {
    let pending = |code: &str| matches!(info.recipients.get(code), Some(RecipientState::Accepted));
    Dispatch {
        deliver: next
            .local
            .iter()
            .map(|d| d.agency.to_string())
            .filter(|c| pending(c))
            .collect(),
        enqueue: next
            .forward
            .iter()
            .filter_map(|(hop, rs)| {
                let list: Vec<String> = rs
                    .iter()
                    .map(ToString::to_string)
                    .filter(|r| pending(r))
                    .collect();
                (!list.is_empty()).then(|| (hop.to_string(), list))
            })
            .collect(),
        issued_receipt: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixture::{at, code, gw, info_with, snapshot};
    use lienthong_store::MessageId;

    /// The fixture's snapshot at gateway `here`, with an uplink and 000.00.11.H50 (homed at
    /// gw-h50) marked as reached through it.
    fn with_uplink(here: &str) -> Snapshot {
        let mut snap = snapshot(true);
        let mut spec = snap.directory.to_spec();
        for a in &mut spec.agencies {
            if a.code == "000.00.11.H50" {
                a.uplink = true;
            }
        }
        snap.directory =
            std::sync::Arc::new(lienthong_routing::Directory::from_spec(&spec).unwrap());
        snap.uplink = Some(gw("uplink-vxp"));
        snap.id = gw(here);
        snap
    }

    #[test]
    fn agencies_behind_the_uplink_and_unknown_ones_at_the_root_go_up() {
        let snap = with_uplink("gw-h50");
        let next = route_all(
            &snap,
            &[code("000.00.11.H50"), code("000.00.01.H50")],
            &[],
            at(0),
        )
        .unwrap();
        let d = plan(&next, None);
        assert_eq!(d.deliver, vec!["000.00.01.H50".to_owned()]);
        assert_eq!(
            d.enqueue,
            vec![("uplink-vxp".to_owned(), vec!["000.00.11.H50".to_owned()])]
        );
        // What came down the uplink never goes back up it.
        let r = route_all(&snap, &[code("000.00.11.H50")], &[gw("uplink-vxp")], at(0)).unwrap_err();
        assert_eq!(r.detail["causes"][0]["code"], "routing.loop");
        // Below the root, an unknown agency is still refused by a full directory…
        let r = route_all(&snap, &[code("999.99.99.Z99")], &[], at(0)).unwrap_err();
        assert_eq!(r.detail["causes"][0]["code"], "routing.unknown_agency");
        // …and at the root it goes up the uplink.
        let root = with_uplink("gw-g22");
        let next = route_all(&root, &[code("999.99.99.Z99")], &[], at(0)).unwrap();
        assert_eq!(
            plan(&next, None).enqueue,
            vec![("uplink-vxp".to_owned(), vec!["999.99.99.Z99".to_owned()])]
        );
        // Without an uplink, nothing changes.
        let mut plain = with_uplink("gw-h50");
        plain.uplink = None;
        let next = route_all(&plain, &[code("000.00.11.H50")], &[], at(0)).unwrap();
        assert_eq!(plan(&next, None).deliver, vec!["000.00.11.H50".to_owned()]);
    }

    #[test]
    fn every_recipient_routed_or_the_whole_message_refused_with_each_reason() {
        let snap = snapshot(true);
        // Homed here and at the other province: one local delivery, one hop.
        let next = route_all(
            &snap,
            &[code("000.00.01.H50"), code("000.00.00.H48")],
            &[],
            at(0),
        )
        .unwrap();
        assert_eq!(next.local.len(), 1);
        assert_eq!(next.forward.len(), 1);
        let d = plan(&next, None);
        assert_eq!(d.deliver, vec!["000.00.01.H50".to_owned()]);
        assert_eq!(
            d.enqueue,
            vec![("gw-g22".to_owned(), vec!["000.00.00.H48".to_owned()])]
        );
        // Unknown to a full directory: refused at once, every unknown one named.
        let r = route_all(
            &snap,
            &[code("000.00.01.H50"), code("999.99.99.Z99")],
            &[],
            at(0),
        )
        .unwrap_err();
        assert_eq!(r.code, Code::RoutingRefused);
        assert_eq!(r.detail["causes"][0]["code"], "routing.unknown_agency");
        assert_eq!(r.detail["causes"][0]["recipient"], "999.99.99.Z99");
        // A loop: the message came through here already.
        let r = route_all(
            &snap,
            &[code("000.00.00.H48")],
            &[gw("gw-h50"), gw("gw-g22")],
            at(0),
        )
        .unwrap_err();
        assert_eq!(r.code, Code::RoutingRefused);
        assert_eq!(r.detail["causes"][0]["code"], "routing.loop");
        // In a local view the unknown agency goes up to the parent instead.
        let local = snapshot(false);
        let next = route_all(&local, &[code("999.99.99.Z99")], &[], at(0)).unwrap();
        assert_eq!(
            next.forward.keys().map(|h| h.as_str()).collect::<Vec<_>>(),
            ["gw-g22"]
        );
    }

    #[test]
    fn recovery_dispatches_only_what_is_still_accepted() {
        let snap = snapshot(true);
        let id = MessageId::new_v7(at(0));
        let info = info_with(
            id,
            &[
                ("000.00.01.H50", RecipientState::Accepted),
                ("000.00.00.H48", RecipientState::Accepted),
                ("000.00.11.H50", RecipientState::Delivered),
            ],
        );
        let next = recovery(&snap, &info, at(0)).unwrap();
        let d = still_pending(&info, &next);
        assert_eq!(d.deliver, vec!["000.00.01.H50".to_owned()]);
        assert_eq!(
            d.enqueue,
            vec![("gw-g22".to_owned(), vec!["000.00.00.H48".to_owned()])]
        );
        let done = info_with(id, &[("000.00.11.H50", RecipientState::Delivered)]);
        assert!(recovery(&snap, &done, at(0)).is_none());
    }
}
