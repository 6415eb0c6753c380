//! Directory loading, both layouts with real-looking data, every refusal reason and every
//! load error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use lienthong_routing::{
    AgencyCode, Date, Directory, DirectorySpec, GatewayId, LoadErrorKind, LoadErrors,
    LocalDelivery, Location, RefuseReason, RouteDecision,
};

const FEDERATION: &str = include_str!("fixtures/federation.toml");

fn fed() -> Directory {
    Directory::from_toml(FEDERATION).unwrap()
}
fn c(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}
fn g(s: &str) -> GatewayId {
    GatewayId::parse(s).unwrap()
}
fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
fn gs(list: &[&str]) -> Vec<GatewayId> {
    list.iter().map(|s| g(s)).collect()
}

/// Route hop by hop from `from` until a decision that is not a next hop. Returns the
/// gateways visited (including the last) and the final decision.
fn walk(dir: &Directory, from: &str, to: &str, today: Date) -> (Vec<GatewayId>, RouteDecision) {
    let to = c(to);
    let mut here = g(from);
    let mut hops = Vec::new();
    for _ in 0..100 {
        let decision = dir.route(&to, &here, &hops, today);
        match decision.next_hop() {
            Some(next) => {
                let next = next.clone();
                hops.push(here);
                here = next;
            }
            None => {
                hops.push(here);
                return (hops, decision);
            }
        }
    }
    panic!("no decision after 100 hops");
}

fn local(code: &str) -> RouteDecision {
    RouteDecision::LocalInbox { agency: c(code) }
}

const BEFORE: &str = "2025-06-01";
const AFTER: &str = "2025-07-01";

// ---------------------------------------------------------------- four-level layout

#[test]
fn four_level_commune_to_national_and_back() {
    let dir = fed();
    let (path, end) = walk(&dir, "gw-h50-giomy", "000.00.00.G22", d(BEFORE));
    assert_eq!(
        path,
        gs(&["gw-h50-giomy", "gw-h50-giolinh", "gw-h50", "gw-g22"])
    );
    assert_eq!(end, local("000.00.00.G22"));

    let (path, end) = walk(&dir, "gw-g22", "000.01.31.H50", d(BEFORE));
    assert_eq!(
        path,
        gs(&["gw-g22", "gw-h50", "gw-h50-giolinh", "gw-h50-giomy"])
    );
    assert_eq!(end, local("000.01.31.H50"));
}

#[test]
fn each_step_is_child_or_parent() {
    let dir = fed();
    let to = c("000.01.31.H50");
    let today = d(BEFORE);
    assert_eq!(
        dir.route(&to, &g("gw-g22"), &[], today),
        RouteDecision::Child(g("gw-h50"))
    );
    assert_eq!(
        dir.route(&to, &g("gw-h50"), &gs(&["gw-g22"]), today),
        RouteDecision::Child(g("gw-h50-giolinh"))
    );
    let back = c("000.00.00.G22");
    assert_eq!(
        dir.route(&back, &g("gw-h50-giomy"), &[], today),
        RouteDecision::Parent(g("gw-h50-giolinh"))
    );
    // A district to its province's own agency: up one.
    assert_eq!(
        dir.route(&c("000.00.11.H50"), &g("gw-h50-giolinh"), &[], today),
        RouteDecision::Parent(g("gw-h50"))
    );
    // The Sở to the district: down one.
    assert_eq!(
        dir.route(&c("000.00.31.H50"), &g("gw-h50"), &[], today),
        RouteDecision::Child(g("gw-h50-giolinh"))
    );
}

#[test]
fn four_level_across_provinces_uses_the_shortcut() {
    let dir = fed();
    // Gio Mỹ (commune, H50) to Tịnh Khê (commune, H48): up to the province, then the
    // H50 -> H48 shortcut instead of going through the root.
    let (path, end) = walk(&dir, "gw-h50-giomy", "000.00.71.H48", d(BEFORE));
    assert_eq!(
        path,
        gs(&[
            "gw-h50-giomy",
            "gw-h50-giolinh",
            "gw-h50",
            "gw-h48",
            "gw-h48-tinhkhe"
        ])
    );
    assert_eq!(end, local("000.00.71.H48"));
    assert_eq!(
        dir.route(&c("000.00.71.H48"), &g("gw-h50"), &[], d(BEFORE)),
        RouteDecision::Shortcut(g("gw-h48"))
    );
}

// ---------------------------------------------------------------- two-tier layout

#[test]
fn two_tier_commune_to_province_and_other_province() {
    let dir = fed();
    let today = d(AFTER);
    let (path, end) = walk(&dir, "gw-h48-tinhkhe", "000.00.00.H48", today);
    assert_eq!(path, gs(&["gw-h48-tinhkhe", "gw-h48"]));
    assert_eq!(end, local("000.00.00.H48"));

    // Tịnh Khê (H48) to Cồn Tiên (H50, new commune): up, shortcut to H50 (an ancestor of
    // the home gateway), down.
    let (path, end) = walk(&dir, "gw-h48-tinhkhe", "000.00.62.H50", today);
    assert_eq!(
        path,
        gs(&["gw-h48-tinhkhe", "gw-h48", "gw-h50", "gw-h50-contien"])
    );
    assert_eq!(end, local("000.00.62.H50"));
    assert_eq!(
        dir.route(
            &c("000.00.62.H50"),
            &g("gw-h48"),
            &gs(&["gw-h48-tinhkhe"]),
            today
        ),
        RouteDecision::Shortcut(g("gw-h50"))
    );
}

#[test]
fn two_tier_without_shortcuts_goes_through_the_root() {
    let mut spec: DirectorySpec = toml::from_str(FEDERATION).unwrap();
    spec.shortcuts.clear();
    let dir = Directory::from_spec(&spec).unwrap();
    let (path, end) = walk(&dir, "gw-h48-tinhkhe", "000.00.62.H50", d(AFTER));
    assert_eq!(
        path,
        gs(&[
            "gw-h48-tinhkhe",
            "gw-h48",
            "gw-g22",
            "gw-h50",
            "gw-h50-contien"
        ])
    );
    assert_eq!(end, local("000.00.62.H50"));
    assert_eq!(
        dir.path(&g("gw-h48-tinhkhe"), &g("gw-h50-contien")),
        Some(path)
    );
}

#[test]
fn shortcut_used_only_when_not_longer() {
    let dir = fed();
    let today = d(AFTER);
    // gw-h50-contien has a shortcut to the root: used for the root's agencies (1 hop
    // instead of 2) and for H48 (1 + 1 = 2 hops instead of 3) …
    assert_eq!(
        dir.route(&c("000.00.00.G22"), &g("gw-h50-contien"), &[], today),
        RouteDecision::Shortcut(g("gw-g22"))
    );
    let (path, _) = walk(&dir, "gw-h50-contien", "000.00.00.H48", today);
    assert_eq!(path, gs(&["gw-h50-contien", "gw-g22", "gw-h48"]));
    // … but not for its own province (1 hop by the tree, 2 by the root).
    assert_eq!(
        dir.route(&c("000.00.11.H50"), &g("gw-h50-contien"), &[], today),
        RouteDecision::Parent(g("gw-h50"))
    );
    // And H50 does not take its H48 shortcut for the root's agencies.
    assert_eq!(
        dir.route(&c("000.00.00.G22"), &g("gw-h50"), &[], today),
        RouteDecision::Parent(g("gw-g22"))
    );
}

#[test]
fn purely_two_tier_tree() {
    let dir = Directory::from_toml(
        r#"
        [[gateway]]
        id = "gw-h50"
        url = "https://127.0.0.1:9000"
        [[gateway]]
        id = "gw-h50-xa-1"
        parent = "gw-h50"
        url = "https://127.0.0.1:9001"
        [[gateway]]
        id = "gw-h50-xa-2"
        parent = "gw-h50"
        url = "https://127.0.0.1:9002"
        [[agency]]
        code = "000.00.00.H50"
        name = "UBND tỉnh Quảng Trị"
        gateway = "gw-h50"
        [[agency]]
        code = "000.00.61.H50"
        name = "UBND xã 1"
        gateway = "gw-h50-xa-1"
        [[agency]]
        code = "000.00.62.H50"
        name = "UBND xã 2"
        gateway = "gw-h50-xa-2"
        "#,
    )
    .unwrap();
    let (path, end) = walk(&dir, "gw-h50-xa-1", "000.00.62.H50", d(AFTER));
    assert_eq!(path, gs(&["gw-h50-xa-1", "gw-h50", "gw-h50-xa-2"]));
    assert_eq!(end, local("000.00.62.H50"));
    // The province is the root here: it refuses unknown agencies.
    let (path, end) = walk(&dir, "gw-h50-xa-2", "000.00.00.H48", d(AFTER));
    assert_eq!(path, gs(&["gw-h50-xa-2", "gw-h50"]));
    assert_eq!(
        end,
        RouteDecision::Refuse(RefuseReason::UnknownAgency {
            code: c("000.00.00.H48")
        })
    );
}

// ---------------------------------------------------------------- aliases and validity

#[test]
fn aliases_resolve_to_the_canonical_agency() {
    let dir = fed();
    for alias in ["H50.SNV", "00.50.11.SNV", "000.00.11.H50"] {
        let (path, end) = walk(&dir, "gw-h48-tinhkhe", alias, d(AFTER));
        assert_eq!(path, gs(&["gw-h48-tinhkhe", "gw-h48", "gw-h50"]), "{alias}");
        assert_eq!(end, local("000.00.11.H50"), "{alias}");
        assert_eq!(dir.canonical(&c(alias)), Some(&c("000.00.11.H50")));
        assert_eq!(dir.home_gateway(&c(alias)), Some(&g("gw-h50")));
        assert_eq!(
            dir.agency(&c(alias)).unwrap().name,
            "Sở Nội vụ tỉnh Quảng Trị"
        );
    }
    assert_eq!(dir.agency(&c("000.00.99.H50")), None);
    assert_eq!(dir.home_gateway(&c("000.00.99.H50")), None);
}

#[test]
fn validity_windows_are_inclusive() {
    let dir = fed();
    let giomy = c("000.01.31.H50");
    let contien = c("000.00.62.H50");
    let here = g("gw-h50");
    assert_eq!(
        dir.route(&giomy, &here, &[], d("2025-06-30")),
        RouteDecision::Child(g("gw-h50-giolinh"))
    );
    assert_eq!(
        dir.route(&contien, &here, &[], d("2025-07-01")),
        RouteDecision::Child(g("gw-h50-contien"))
    );
    assert_eq!(
        dir.route(&giomy, &here, &[], d("2025-07-01")),
        RouteDecision::Refuse(RefuseReason::AgencyNotValid {
            agency: giomy.clone(),
            valid_from: None,
            valid_until: Some(d("2025-06-30")),
            today: d("2025-07-01"),
            replaced_by: Some(contien.clone()),
        })
    );
    assert_eq!(
        dir.route(&contien, &here, &[], d("2025-06-30")),
        RouteDecision::Refuse(RefuseReason::AgencyNotValid {
            agency: contien.clone(),
            valid_from: Some(d("2025-07-01")),
            valid_until: None,
            today: d("2025-06-30"),
            replaced_by: None,
        })
    );
    // H50 has valid_from written as a TOML date without quotes.
    assert_eq!(
        dir.agency(&c("000.00.00.H50")).unwrap().valid_from,
        Some(d("2016-04-01"))
    );
    assert!(matches!(
        dir.route(&c("000.00.00.H50"), &here, &[], d("2016-03-31")),
        RouteDecision::Refuse(RefuseReason::AgencyNotValid { .. })
    ));
}

#[test]
fn refused_at_the_first_gateway_that_knows_the_agency() {
    let dir = fed();
    // From the other province: refused right at the sender's gateway, not after travelling.
    let (path, end) = walk(&dir, "gw-h48-tinhkhe", "000.00.31.H50", d(AFTER));
    assert_eq!(path, gs(&["gw-h48-tinhkhe"]));
    let RouteDecision::Refuse(reason) = end else {
        panic!("expected a refusal")
    };
    assert_eq!(reason.code(), "routing.agency_not_valid");
    assert_eq!(
        reason.to_string(),
        "agency 000.00.31.H50 is not valid on 2025-07-01 (valid from 2016-04-01 until 2025-06-30); replaced by 000.00.00.H50"
    );
}

#[test]
fn replacement_chain_is_followed_to_a_valid_agency() {
    let dir = Directory::from_toml(
        r#"
        [[gateway]]
        id = "gw-h50"
        url = "https://h50"
        [[agency]]
        code = "A.OLD"
        name = "old"
        gateway = "gw-h50"
        valid_until = "2020-12-31"
        replaced_by = "A.MID"
        [[agency]]
        code = "A.MID"
        name = "middle"
        gateway = "gw-h50"
        valid_until = "2025-06-30"
        replaced_by = "A.NEW.ALIAS"
        [[agency]]
        code = "A.NEW"
        name = "new"
        gateway = "gw-h50"
        aliases = ["A.NEW.ALIAS"]
        valid_from = "2025-07-01"
        "#,
    )
    .unwrap();
    let refused = |today: &str| match dir.route(&c("A.OLD"), &g("gw-h50"), &[], d(today)) {
        RouteDecision::Refuse(RefuseReason::AgencyNotValid { replaced_by, .. }) => replaced_by,
        other => panic!("{other:?}"),
    };
    assert_eq!(refused("2022-01-01"), Some(c("A.MID")));
    assert_eq!(refused("2025-07-01"), Some(c("A.NEW")));
    // A replacement given by alias is stored canonical.
    assert_eq!(
        dir.agency(&c("A.MID")).unwrap().replaced_by,
        Some(c("A.NEW"))
    );
}

// ---------------------------------------------------------------- refusals

#[test]
fn unknown_agency_goes_up_and_the_root_refuses() {
    let dir = fed();
    let unknown = c("000.00.00.H99");
    assert_eq!(
        dir.route(&unknown, &g("gw-h50-giomy"), &[], d(BEFORE)),
        RouteDecision::Parent(g("gw-h50-giolinh"))
    );
    let (path, end) = walk(&dir, "gw-h50-giomy", "000.00.00.H99", d(BEFORE));
    assert_eq!(
        path,
        gs(&["gw-h50-giomy", "gw-h50-giolinh", "gw-h50", "gw-g22"])
    );
    let reason = RefuseReason::UnknownAgency { code: unknown };
    assert_eq!(reason.code(), "routing.unknown_agency");
    assert_eq!(end, RouteDecision::Refuse(reason));
}

#[test]
fn loops_are_refused() {
    let dir = fed();
    let to = c("000.00.00.G22");
    // `here` already visited.
    assert_eq!(
        dir.route(
            &to,
            &g("gw-h50"),
            &gs(&["gw-h50-giomy", "gw-h50"]),
            d(BEFORE)
        ),
        RouteDecision::Refuse(RefuseReason::Loop {
            gateway: g("gw-h50")
        })
    );
    // Even for a local delivery.
    assert_eq!(
        dir.route(&to, &g("gw-g22"), &gs(&["gw-g22"]), d(BEFORE)),
        RouteDecision::Refuse(RefuseReason::Loop {
            gateway: g("gw-g22")
        })
    );
    // The next hop already visited (a gateway with another view of the tree sent it down).
    let reason = RefuseReason::Loop {
        gateway: g("gw-g22"),
    };
    assert_eq!(
        dir.route(&to, &g("gw-h50"), &gs(&["gw-g22"]), d(BEFORE)),
        RouteDecision::Refuse(reason.clone())
    );
    assert_eq!(reason.code(), "routing.loop");
    // Unknown recipients too.
    assert!(matches!(
        dir.route(&c("X.UNKNOWN"), &g("gw-h48"), &gs(&["gw-g22"]), d(BEFORE)),
        RouteDecision::Refuse(RefuseReason::Loop { .. })
    ));
}

#[test]
fn hop_limit_applies_to_forwarding_only() {
    let mut dir = fed();
    dir.set_hop_limit(NonZeroU32::new(2).unwrap());
    assert_eq!(dir.hop_limit(), 2);
    let to = c("000.01.31.H50");
    let today = d(BEFORE);
    // Two hops made: no third.
    let hops = gs(&["gw-h48-tinhkhe", "gw-h48"]);
    let reason = RefuseReason::HopLimit { hops: 2, limit: 2 };
    assert_eq!(
        dir.route(&to, &g("gw-h50"), &hops, today),
        RouteDecision::Refuse(reason.clone())
    );
    assert_eq!(reason.code(), "routing.hop_limit");
    // One hop made: a second is allowed.
    assert_eq!(
        dir.route(&to, &g("gw-h50"), &hops[1..], today),
        RouteDecision::Child(g("gw-h50-giolinh"))
    );
    // Delivering is not a hop.
    assert_eq!(
        dir.route(&c("000.00.11.H50"), &g("gw-h50"), &hops, today),
        local("000.00.11.H50")
    );
    // The limit comes from the file too, and defaults to 16.
    assert_eq!(fed().hop_limit(), 16);
    let text = FEDERATION.replace("hop_limit = 16", "hop_limit = 1");
    let dir = Directory::from_toml(&text).unwrap();
    assert_eq!(dir.hop_limit(), 1);
    let (path, end) = walk(&dir, "gw-h50-giomy", "000.00.00.G22", today);
    assert_eq!(path, gs(&["gw-h50-giomy", "gw-h50-giolinh"]));
    assert_eq!(
        end,
        RouteDecision::Refuse(RefuseReason::HopLimit { hops: 1, limit: 1 })
    );
    let no_limit = FEDERATION.replace("hop_limit = 16", "");
    assert_eq!(
        Directory::from_toml(&no_limit).unwrap().hop_limit(),
        lienthong_routing::DEFAULT_HOP_LIMIT
    );
}

#[test]
fn unknown_gateway_is_refused() {
    let dir = fed();
    let reason = RefuseReason::UnknownGateway(g("gw-h99"));
    assert_eq!(
        dir.route(&c("000.00.00.G22"), &g("gw-h99"), &[], d(BEFORE)),
        RouteDecision::Refuse(reason.clone())
    );
    assert_eq!(reason.code(), "routing.unknown_gateway");
    assert_eq!(reason.to_string(), "gateway gw-h99 is not in the directory");
}

// ---------------------------------------------------------------- grouping

#[test]
fn grouping_by_next_hop() {
    let dir = fed();
    let recipients: Vec<AgencyCode> = [
        "000.00.00.H50",
        "000.00.11.H50",
        "H50.SNV", // alias of the Sở: same link as the Sở
        "000.00.00.H48",
        "000.00.71.H48",
        "000.00.00.G12",
        "000.00.00.G22",
        "000.00.00.G22", // repeated
        "000.00.31.H50", // expired
        "X.UNKNOWN",
        "X.UNKNOWN",
        "000.00.62.H50",
    ]
    .iter()
    .map(|s| c(s))
    .collect();
    let groups = dir.group_by_next_hop(&recipients, &g("gw-g22"), &[], d(AFTER));
    assert_eq!(
        groups.local,
        vec![
            LocalDelivery {
                agency: c("000.00.00.G12"),
                requested: vec![c("000.00.00.G12")]
            },
            LocalDelivery {
                agency: c("000.00.00.G22"),
                requested: vec![c("000.00.00.G22")]
            },
        ]
    );
    let expected: BTreeMap<GatewayId, Vec<AgencyCode>> = [
        (g("gw-h48"), vec![c("000.00.00.H48"), c("000.00.71.H48")]),
        (
            g("gw-h50"),
            vec![
                c("000.00.00.H50"),
                c("000.00.11.H50"),
                c("000.00.62.H50"),
                c("H50.SNV"),
            ],
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(groups.forward, expected);
    let refused: Vec<(&str, &str)> = groups
        .refused
        .iter()
        .map(|r| (r.recipient.as_str(), r.reason.code().as_str()))
        .collect();
    assert_eq!(
        refused,
        vec![
            ("000.00.31.H50", "routing.agency_not_valid"),
            ("X.UNKNOWN", "routing.unknown_agency")
        ]
    );

    // At the province, the Sở by code and by alias is one delivery.
    let groups = dir.group_by_next_hop(
        &[c("H50.SNV"), c("000.00.11.H50")],
        &g("gw-h50"),
        &gs(&["gw-g22"]),
        d(AFTER),
    );
    assert_eq!(
        groups.local,
        vec![LocalDelivery {
            agency: c("000.00.11.H50"),
            requested: vec![c("000.00.11.H50"), c("H50.SNV")]
        }]
    );
    assert!(groups.forward.is_empty() && groups.refused.is_empty());
}

#[test]
fn a_message_to_many_crosses_each_link_once() {
    let dir = fed();
    let today = d(AFTER);
    let everyone: Vec<AgencyCode> = dir
        .agencies()
        .iter()
        .filter(|a| a.is_valid_on(today))
        .map(|a| a.code.clone())
        .collect();
    for start in dir.gateways() {
        // (gateway, hops, recipients) copies in flight.
        let mut queue = vec![(start.id.clone(), Vec::<GatewayId>::new(), everyone.clone())];
        let mut links: BTreeMap<(GatewayId, GatewayId), usize> = BTreeMap::new();
        let mut delivered = Vec::new();
        while let Some((here, hops, recipients)) = queue.pop() {
            let groups = dir.group_by_next_hop(&recipients, &here, &hops, today);
            assert!(groups.refused.is_empty(), "{:?}", groups.refused);
            delivered.extend(groups.local.into_iter().map(|l| l.agency));
            for (next, rs) in groups.forward {
                *links.entry((here.clone(), next.clone())).or_default() += 1;
                let mut h = hops.clone();
                h.push(here.clone());
                queue.push((next, h, rs));
            }
        }
        delivered.sort();
        assert_eq!(delivered, everyone, "from {}", start.id);
        assert!(
            links.values().all(|&n| n == 1),
            "from {}: {links:?}",
            start.id
        );
    }
}

// ---------------------------------------------------------------- helpers

#[test]
fn tree_helpers() {
    let dir = fed();
    assert_eq!(dir.root().id, g("gw-g22"));
    assert_eq!(dir.parent(&g("gw-g22")), None);
    assert_eq!(dir.parent(&g("gw-h50-giomy")), Some(&g("gw-h50-giolinh")));
    assert_eq!(dir.parent(&g("gw-nope")), None);
    assert_eq!(
        dir.children(&g("gw-g22")).cloned().collect::<Vec<_>>(),
        gs(&["gw-h50", "gw-h48"])
    );
    assert_eq!(
        dir.children(&g("gw-h50")).cloned().collect::<Vec<_>>(),
        gs(&["gw-h50-giolinh", "gw-h50-contien"])
    );
    assert_eq!(dir.children(&g("gw-h50-giomy")).count(), 0);
    assert_eq!(dir.children(&g("gw-nope")).count(), 0);
    assert_eq!(dir.depth(&g("gw-g22")), Some(0));
    assert_eq!(dir.depth(&g("gw-h50-giomy")), Some(3));
    assert_eq!(dir.depth(&g("gw-h48-tinhkhe")), Some(2));
    assert_eq!(dir.depth(&g("gw-nope")), None);
    assert!(dir.subtree_contains(&g("gw-h50"), &g("gw-h50-giomy")));
    assert!(dir.subtree_contains(&g("gw-h50"), &g("gw-h50")));
    assert!(!dir.subtree_contains(&g("gw-h50-giomy"), &g("gw-h50")));
    assert!(!dir.subtree_contains(&g("gw-h48"), &g("gw-h50-giomy")));
    assert!(!dir.subtree_contains(&g("gw-nope"), &g("gw-h50")));
    assert_eq!(
        dir.path(&g("gw-h50-giomy"), &g("gw-h48-tinhkhe")),
        Some(gs(&[
            "gw-h50-giomy",
            "gw-h50-giolinh",
            "gw-h50",
            "gw-g22",
            "gw-h48",
            "gw-h48-tinhkhe"
        ]))
    );
    assert_eq!(dir.path(&g("gw-h50"), &g("gw-h50")), Some(gs(&["gw-h50"])));
    assert_eq!(
        dir.path(&g("gw-g22"), &g("gw-h50-giomy")),
        Some(gs(&["gw-g22", "gw-h50", "gw-h50-giolinh", "gw-h50-giomy"]))
    );
    assert_eq!(dir.path(&g("gw-g22"), &g("gw-nope")), None);
    assert_eq!(
        dir.shortcuts_from(&g("gw-h50"))
            .cloned()
            .collect::<Vec<_>>(),
        gs(&["gw-h48"])
    );
    let gw = dir.gateway(&g("gw-h50-giolinh")).unwrap();
    assert_eq!(gw.url, "https://127.0.0.1:8442");
    assert_eq!(gw.level.as_deref(), Some("district"));
    assert_eq!(gw.parent, Some(g("gw-h50")));
    assert_eq!(gw.depth, 2);
    // Depth-first: every gateway before its subtree.
    let order: Vec<&str> = dir.gateways().iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "gw-g22",
            "gw-h50",
            "gw-h50-giolinh",
            "gw-h50-giomy",
            "gw-h50-contien",
            "gw-h48",
            "gw-h48-tinhkhe"
        ]
    );
}

#[test]
fn agency_listings() {
    let dir = fed();
    let codes: Vec<&str> = dir.agencies().iter().map(|a| a.code.as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
    assert_eq!(codes.len(), 9);
    let at: Vec<&str> = dir
        .agencies_at(&g("gw-h50"))
        .map(|a| a.code.as_str())
        .collect();
    assert_eq!(at, ["000.00.00.H50", "000.00.11.H50"]);
    let under: Vec<&str> = dir
        .agencies_under(&g("gw-h50"))
        .map(|a| a.code.as_str())
        .collect();
    assert_eq!(
        under,
        [
            "000.00.00.H50",
            "000.00.11.H50",
            "000.00.31.H50",
            "000.00.62.H50",
            "000.01.31.H50"
        ]
    );
    assert_eq!(dir.agencies_under(&g("gw-g22")).count(), 9);
    assert_eq!(dir.agencies_under(&g("gw-nope")).count(), 0);
    assert_eq!(dir.agencies_at(&g("gw-nope")).count(), 0);
    // Parent agencies are stored canonical.
    assert_eq!(
        dir.agency(&c("000.00.62.H50")).unwrap().parent,
        Some(c("000.00.00.H50"))
    );
    // JSON for GET /v1/agencies.
    let json = serde_json::to_value(dir.agency(&c("000.00.11.H50")).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "code": "000.00.11.H50",
            "name": "Sở Nội vụ tỉnh Quảng Trị",
            "gateway": "gw-h50",
            "parent": "000.00.00.H50",
            "aliases": ["H50.SNV", "00.50.11.SNV"],
        })
    );
    let json = serde_json::to_value(dir.agency(&c("000.00.31.H50")).unwrap()).unwrap();
    assert_eq!(json["valid_until"], "2025-06-30");
    assert_eq!(json["replaced_by"], "000.00.00.H50");
}

#[test]
fn parent_given_by_alias_is_stored_canonical() {
    let dir = Directory::from_toml(
        r#"
        [[gateway]]
        id = "gw"
        url = "https://gw"
        [[agency]]
        code = "P.NEW"
        name = "p"
        gateway = "gw"
        aliases = ["P.OLD"]
        [[agency]]
        code = "C.ONE"
        name = "c"
        gateway = "gw"
        parent = "P.OLD"
        "#,
    )
    .unwrap();
    assert_eq!(dir.agency(&c("C.ONE")).unwrap().parent, Some(c("P.NEW")));
}

#[test]
fn json_and_toml_give_the_same_directory() {
    let toml_dir = fed();
    let spec = toml_dir.to_spec();
    let json = serde_json::to_string_pretty(&spec).unwrap();
    let json_dir = Directory::from_json(&json).unwrap();
    assert_eq!(json_dir.to_spec(), spec);
    let toml_text = toml::to_string(&spec).unwrap();
    assert_eq!(Directory::from_toml(&toml_text).unwrap().to_spec(), spec);
    // Same decisions everywhere.
    for gw in toml_dir.gateways() {
        for a in toml_dir.agencies() {
            for day in [BEFORE, AFTER] {
                assert_eq!(
                    toml_dir.route(&a.code, &gw.id, &[], d(day)),
                    json_dir.route(&a.code, &gw.id, &[], d(day))
                );
            }
        }
    }
    // A hand-written JSON file.
    let dir = Directory::from_json(
        r#"{
          "gateway": [
            {"id": "gw-g22", "url": "https://127.0.0.1:8440"},
            {"id": "gw-h48", "parent": "gw-g22", "url": "https://127.0.0.1:8445"}
          ],
          "agency": [
            {"code": "000.00.00.H48", "name": "UBND tỉnh Quảng Ngãi", "gateway": "gw-h48",
             "valid_from": "2016-04-01", "valid_until": null}
          ],
          "shortcut": []
        }"#,
    )
    .unwrap();
    assert_eq!(dir.home_gateway(&c("000.00.00.H48")), Some(&g("gw-h48")));
}

// ---------------------------------------------------------------- load errors

fn errors(text: &str) -> LoadErrors {
    match Directory::from_toml(text) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e,
    }
}

fn kinds(e: &LoadErrors) -> Vec<&LoadErrorKind> {
    e.errors().iter().map(|e| &e.kind).collect()
}

const ROOT: &str = "[[gateway]]\nid = \"gw-g22\"\nurl = \"https://127.0.0.1:8440\"\n";

#[test]
fn syntax_errors_keep_line_and_column() {
    let e = errors("[[gateway]]\nid = \"gw-g22\"\nurl = https://x\n");
    assert_eq!(e.len(), 1);
    assert_eq!(e.errors()[0].location, Location::Text);
    let msg = e.to_string();
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("TOML"), "{msg}");

    let e = Directory::from_json("{\"gateway\": [ {\"id\": \"gw\", }] }").unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("JSON") && msg.contains("line 1 column"),
        "{msg}"
    );
}

#[test]
fn unknown_keys_are_errors() {
    for (text, key) in [
        (format!("colour = 1\n{ROOT}"), "colour"),
        (format!("{ROOT}port = 1\n"), "port"),
        (
            format!(
                "{ROOT}[[agency]]\ncode = \"A\"\nname = \"a\"\ngateway = \"gw-g22\"\nalias = [\"B\"]\n"
            ),
            "alias",
        ),
        (
            format!("{ROOT}[[shortcut]]\nfrom = \"gw-g22\"\nto = \"gw-g22\"\nvia = \"x\"\n"),
            "via",
        ),
    ] {
        let e = errors(&text);
        let msg = e.to_string();
        assert!(msg.contains(&format!("unknown field `{key}`")), "{msg}");
        assert!(msg.contains("line"), "{msg}");
    }
    let e = Directory::from_json(r#"{"gateway": [], "agencies": []}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field `agencies`"), "{e}");
    // Missing keys too.
    let e = errors("[[gateway]]\nid = \"gw\"\n");
    assert!(e.to_string().contains("missing field `url`"), "{e}");
}

#[test]
fn gateway_tree_errors() {
    // Unknown parent.
    let e = errors(&format!(
        "{ROOT}[[gateway]]\nid = \"gw-h50\"\nparent = \"gw-g23\"\nurl = \"https://h50\"\n"
    ));
    assert_eq!(
        e.errors()[0].location,
        Location::Gateway {
            index: 1,
            id: "gw-h50".into()
        }
    );
    assert_eq!(
        kinds(&e),
        [&LoadErrorKind::UnknownParentGateway("gw-g23".into())]
    );
    assert_eq!(
        e.to_string(),
        "invalid directory: gateway[1] (id \"gw-h50\"): unknown parent gateway 'gw-g23'"
    );

    // Duplicate id.
    let e = errors(&format!("{ROOT}{ROOT}"));
    assert_eq!(
        kinds(&e),
        [&LoadErrorKind::DuplicateGateway { first_index: 0 }]
    );
    assert!(matches!(
        e.errors()[0].location,
        Location::Gateway { index: 1, .. }
    ));

    // Two roots.
    let e = errors(&format!(
        "{ROOT}[[gateway]]\nid = \"gw-h48\"\nurl = \"https://h48\"\n"
    ));
    assert_eq!(
        kinds(&e),
        [&LoadErrorKind::MultipleRoots(vec![
            "gw-g22".into(),
            "gw-h48".into()
        ])]
    );
    assert_eq!(e.errors()[0].location, Location::File);

    // No gateway at all.
    let e = errors("");
    assert_eq!(kinds(&e), [&LoadErrorKind::NoRoot]);

    // A cycle (and so no root).
    let e = errors(
        "[[gateway]]\nid = \"gw-a\"\nparent = \"gw-c\"\nurl = \"https://a\"\n\
         [[gateway]]\nid = \"gw-b\"\nparent = \"gw-a\"\nurl = \"https://b\"\n\
         [[gateway]]\nid = \"gw-c\"\nparent = \"gw-b\"\nurl = \"https://c\"\n",
    );
    assert_eq!(
        kinds(&e),
        [
            &LoadErrorKind::NoRoot,
            &LoadErrorKind::GatewayCycle(vec![
                "gw-a".into(),
                "gw-c".into(),
                "gw-b".into(),
                "gw-a".into()
            ])
        ]
    );
    assert!(
        e.to_string()
            .contains("cycle in the gateway tree: gw-a -> gw-c -> gw-b -> gw-a"),
        "{e}"
    );

    // A cycle beside a good root, and a self-parent.
    let e = errors(&format!(
        "{ROOT}[[gateway]]\nid = \"gw-x\"\nparent = \"gw-y\"\nurl = \"https://x\"\n\
         [[gateway]]\nid = \"gw-y\"\nparent = \"gw-x\"\nurl = \"https://y\"\n\
         [[gateway]]\nid = \"gw-z\"\nparent = \"gw-z\"\nurl = \"https://z\"\n"
    ));
    assert_eq!(
        kinds(&e),
        [
            &LoadErrorKind::GatewayCycle(vec!["gw-x".into(), "gw-y".into(), "gw-x".into()]),
            &LoadErrorKind::GatewayCycle(vec!["gw-z".into(), "gw-z".into()]),
        ]
    );

    // Bad ids and urls (the first gateway's bad id leaves no root).
    let e = errors(
        "[[gateway]]\nid = \"GW-G22\"\nurl = \"127.0.0.1:8440\"\n\
         [[gateway]]\nid = \"gw-h50\"\nparent = \"Gw\"\nurl = \"https://h50\"\n",
    );
    let k = kinds(&e);
    assert_eq!(k[0], &LoadErrorKind::NoRoot);
    assert_eq!(e.errors()[0].location, Location::File);
    assert!(matches!(
        k[1],
        LoadErrorKind::InvalidGatewayId { field: "id", .. }
    ));
    assert_eq!(k[2], &LoadErrorKind::InvalidUrl("127.0.0.1:8440".into()));
    assert!(matches!(
        k[3],
        LoadErrorKind::InvalidGatewayId {
            field: "parent",
            ..
        }
    ));
    assert_eq!(k.len(), 4);
}

#[test]
fn file_level_errors() {
    let e = errors(&format!("version = 2\nhop_limit = 0\n{ROOT}"));
    assert_eq!(
        kinds(&e),
        [
            &LoadErrorKind::UnsupportedVersion(2),
            &LoadErrorKind::InvalidHopLimit
        ]
    );
    assert!(Directory::from_toml(&format!("version = 1\n{ROOT}")).is_ok());
}

fn agency(code: &str, extra: &str) -> String {
    format!("[[agency]]\ncode = \"{code}\"\nname = \"n\"\ngateway = \"gw-g22\"\n{extra}\n")
}

#[test]
fn agency_errors() {
    // Invalid code, alias, parent, replaced_by.
    let e = errors(&format!(
        "{ROOT}{}",
        agency(
            "000.00.00.h50",
            "aliases = [\"OK.1\", \"bad alias\"]\nparent = \"null\"\nreplaced_by = \"\""
        )
    ));
    let fields: Vec<&str> = e
        .errors()
        .iter()
        .map(|e| match &e.kind {
            LoadErrorKind::InvalidAgencyCode { field, .. } => field.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(fields, ["code", "aliases[1]", "parent", "replaced_by"]);
    assert_eq!(
        e.errors()[0].location,
        Location::Agency {
            index: 0,
            code: "000.00.00.h50".into()
        }
    );

    // Duplicate code; alias colliding with a code; alias colliding with another alias; alias
    // equal to its own code.
    let e = errors(&format!(
        "{ROOT}{}{}{}{}{}",
        agency("000.00.00.H50", "aliases = [\"OLD.H50\"]"),
        agency("000.00.00.H50", ""),
        agency("000.00.00.H48", "aliases = [\"000.00.00.H50\"]"),
        agency("000.00.00.H49", "aliases = [\"OLD.H50\"]"),
        agency("000.00.00.H47", "aliases = [\"000.00.00.H47\"]"),
    ));
    let dups: Vec<(usize, String, String, usize, String)> = e
        .errors()
        .iter()
        .map(|e| match (&e.location, &e.kind) {
            (
                Location::Agency { index, .. },
                LoadErrorKind::DuplicateCode {
                    code,
                    field,
                    first_index,
                    first_field,
                    ..
                },
            ) => (
                *index,
                code.clone(),
                field.clone(),
                *first_index,
                first_field.clone(),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        dups,
        [
            (1, "000.00.00.H50".into(), "code".into(), 0, "code".into()),
            (
                2,
                "000.00.00.H50".into(),
                "aliases[0]".into(),
                0,
                "code".into()
            ),
            (
                3,
                "OLD.H50".into(),
                "aliases[0]".into(),
                0,
                "aliases[0]".into()
            ),
            (
                4,
                "000.00.00.H47".into(),
                "aliases[0]".into(),
                4,
                "code".into()
            ),
        ]
    );
    assert!(e.to_string().contains(
        "agency[3] (code \"000.00.00.H49\"): code 'OLD.H50' in 'aliases[0]' is already used by agency[0] (code \"000.00.00.H50\") in 'aliases[0]'"
    ), "{e}");

    // Unknown home gateway (and an invalid one), unknown parent agency, bad replacement.
    let e = errors(&format!(
        "{ROOT}{}{}{}",
        agency("A.1", "parent = \"A.9\"\nreplaced_by = \"A.1\"").replace("gw-g22", "gw-h50"),
        agency("A.2", "replaced_by = \"A.8\"").replace("gw-g22", "GW"),
        agency("A.3", "parent = \"A.1\"\nreplaced_by = \"A.1\""),
    ));
    assert_eq!(
        kinds(&e),
        [
            &LoadErrorKind::UnknownHomeGateway("gw-h50".into()),
            &LoadErrorKind::UnknownParentAgency("A.9".into()),
            &LoadErrorKind::UnknownReplacement("A.1".into()),
            &LoadErrorKind::InvalidGatewayId {
                field: "gateway",
                reason: lienthong_routing::GatewayIdError::BadChar {
                    id: "GW".into(),
                    ch: 'G'
                }
            },
            &LoadErrorKind::UnknownReplacement("A.8".into()),
        ]
    );

    // Agency parent cycle.
    let e = errors(&format!(
        "{ROOT}{}{}{}",
        agency("A.1", "parent = \"A.2\""),
        agency("A.2", "parent = \"A.1\""),
        agency("A.3", "parent = \"A.3\""),
    ));
    assert_eq!(
        kinds(&e),
        [
            &LoadErrorKind::AgencyCycle(vec!["A.1".into(), "A.2".into(), "A.1".into()]),
            &LoadErrorKind::AgencyCycle(vec!["A.3".into(), "A.3".into()]),
        ]
    );
}

#[test]
fn date_errors() {
    let e = errors(&format!(
        "{ROOT}{}{}{}",
        agency(
            "A.1",
            "valid_from = \"2025-02-29\"\nvalid_until = \"30/06/2025\""
        ),
        agency(
            "A.2",
            "valid_from = \"2025-07-01\"\nvalid_until = \"2025-06-30\""
        ),
        agency("A.3", "valid_from = 2025-07-01T00:00:00"),
    ));
    let k = kinds(&e);
    assert!(matches!(
        k[0],
        LoadErrorKind::InvalidDate {
            field: "valid_from",
            reason: lienthong_routing::DateError::NoSuchDay(_)
        }
    ));
    assert!(matches!(
        k[1],
        LoadErrorKind::InvalidDate {
            field: "valid_until",
            reason: lienthong_routing::DateError::Format(_)
        }
    ));
    assert_eq!(
        k[2],
        &LoadErrorKind::EmptyValidity {
            valid_from: d("2025-07-01"),
            valid_until: d("2025-06-30")
        }
    );
    assert!(matches!(
        k[3],
        LoadErrorKind::InvalidDate {
            field: "valid_from",
            ..
        }
    ));
    assert_eq!(k.len(), 4);
    // A one-day window is fine.
    assert!(
        Directory::from_toml(&format!(
            "{ROOT}{}",
            agency(
                "A.1",
                "valid_from = \"2025-07-01\"\nvalid_until = \"2025-07-01\""
            )
        ))
        .is_ok()
    );
    // Wrong type.
    let e = errors(&format!("{ROOT}{}", agency("A.1", "valid_from = 20250701")));
    assert!(e.to_string().contains("a date YYYY-MM-DD"), "{e}");
}

#[test]
fn shortcut_errors() {
    let two =
        format!("{ROOT}[[gateway]]\nid = \"gw-h50\"\nparent = \"gw-g22\"\nurl = \"https://h50\"\n");
    let sc = |from: &str, to: &str| format!("[[shortcut]]\nfrom = \"{from}\"\nto = \"{to}\"\n");
    let e = errors(&format!(
        "{two}{}{}{}{}{}",
        sc("gw-h50", "gw-h48"),
        sc("gw-h50", "gw-h50"),
        sc("gw-h50", "gw-g22"),
        sc("gw-h50", "gw-g22"),
        sc("Gw", "gw-g22"),
    ));
    assert_eq!(
        e.errors()[0].location,
        Location::Shortcut {
            index: 0,
            from: "gw-h50".into(),
            to: "gw-h48".into()
        }
    );
    let k = kinds(&e);
    assert_eq!(
        k[0],
        &LoadErrorKind::UnknownShortcutGateway("gw-h48".into())
    );
    assert_eq!(k[1], &LoadErrorKind::ShortcutToSelf);
    assert_eq!(k[2], &LoadErrorKind::DuplicateShortcut { first_index: 2 });
    assert!(matches!(
        k[3],
        LoadErrorKind::InvalidGatewayId { field: "from", .. }
    ));
    assert_eq!(k.len(), 4);
    assert!(
        e.to_string().contains(
            "shortcut[0] (\"gw-h50\" -> \"gw-h48\"): shortcut gateway 'gw-h48' is not defined"
        ),
        "{e}"
    );
}

#[test]
fn all_errors_are_collected_in_section_order() {
    let text = format!(
        "hop_limit = 0\n{ROOT}[[gateway]]\nid = \"gw-h50\"\nparent = \"gw-nope\"\nurl = \"https://h50\"\n{}{}[[shortcut]]\nfrom = \"gw-g22\"\nto = \"gw-zz\"\n",
        agency("A.1", "valid_until = \"2025-13-01\""),
        agency("A.1", "").replace("gw-g22", "gw-qq"),
    );
    let e = errors(&text);
    let sections: Vec<String> = e
        .errors()
        .iter()
        .map(|e| match &e.location {
            Location::File => "file".to_owned(),
            Location::Gateway { index, .. } => format!("gateway[{index}]"),
            Location::Agency { index, .. } => format!("agency[{index}]"),
            Location::Shortcut { index, .. } => format!("shortcut[{index}]"),
            Location::Text => "text".to_owned(),
        })
        .collect();
    assert_eq!(
        sections,
        [
            "file",
            "gateway[1]",
            "agency[0]",
            "agency[1]",
            "agency[1]",
            "shortcut[0]"
        ]
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("invalid directory: 6 problems\n  "),
        "{msg}"
    );
}

#[test]
fn pinned_signers_are_normalized_and_mapped_to_their_agency() {
    let colons = (0..32)
        .map(|i| format!("{:02X}", i * 7))
        .collect::<Vec<_>>()
        .join(":");
    let plain = format!("sha256 Fingerprint={}", "AB".repeat(32));
    let dir = Directory::from_toml(&format!(
        "{ROOT}{}{}",
        agency(
            "000.00.11.H50",
            &format!("signers = [\"{colons}\", \"{plain}\"]")
        ),
        agency("000.00.12.H50", "")
    ))
    .unwrap();
    let a = dir.agency(&c("000.00.11.H50")).unwrap();
    assert_eq!(a.signers[0], colons.replace(':', "").to_lowercase());
    assert_eq!(
        a.signers[1],
        "ab".repeat(32),
        "openssl's whole line is accepted"
    );
    let pins: Vec<([u8; 32], String)> = dir
        .signer_pins()
        .map(|(fp, code)| (fp, code.to_string()))
        .collect();
    let first: [u8; 32] = std::array::from_fn(|i| (i * 7) as u8);
    assert_eq!(
        pins,
        [
            (first, "000.00.11.H50".to_string()),
            ([0xab; 32], "000.00.11.H50".to_string())
        ]
    );
    // They survive the round trip through the spec (what `GET /v1/agencies` shows).
    let again = Directory::from_spec(&dir.to_spec()).unwrap();
    assert_eq!(again.signer_pins().count(), 2);
}

#[test]
fn malformed_or_twice_pinned_signers_are_refused_with_their_place() {
    let fp = "0f".repeat(32);
    let e = errors(&format!(
        "{ROOT}{}{}",
        agency(
            "000.00.11.H50",
            &format!("signers = [\"{fp}\", \"12:34\", \"{}\"]", "zz".repeat(32))
        ),
        agency(
            "000.00.12.H50",
            &format!("signers = [\"{}\"]", fp.to_uppercase())
        )
    ));
    let got: Vec<(usize, String)> = e
        .errors()
        .iter()
        .map(|e| match (&e.location, &e.kind) {
            (Location::Agency { index, .. }, k) => (*index, k.to_string()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                0,
                "invalid certificate fingerprint in 'signers[1]': 4 hex digits, a SHA-256 fingerprint has 64".to_string()
            ),
            (
                0,
                "invalid certificate fingerprint in 'signers[2]': 'z' is not a hex digit".to_string()
            ),
            (
                1,
                format!("certificate {fp} is already pinned to agency '000.00.11.H50'")
            ),
        ]
    );
}
