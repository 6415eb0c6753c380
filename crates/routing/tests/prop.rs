//! Property tests: random gateway trees of up to five levels (four-level, two-tier and mixed),
//! hundreds of agencies, some shortcuts. Routing is simulated hop by hop for every pair of
//! agencies and checked against an independent model of the tree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use lienthong_routing::{
    AgencyCode, AgencySpec, Date, Directory, DirectorySpec, GatewayId, GatewaySpec, RefuseReason,
    RouteDecision, ShortcutSpec,
};
use proptest::prelude::*;

/// Deepest level below the root (root = 0), so five levels.
const MAX_DEPTH: usize = 4;

/// The generated federation and an independent description of it.
#[derive(Debug, Clone)]
struct Model {
    spec: DirectorySpec,
    /// Gateway ids, by model index (0 is the root).
    ids: Vec<GatewayId>,
    parent: Vec<Option<usize>>,
    depth: Vec<usize>,
    /// Per agency: home gateway (model index), canonical code, alias, valid on `TODAY`.
    agencies: Vec<(usize, AgencyCode, Option<AgencyCode>, bool)>,
    shortcuts: HashSet<(usize, usize)>,
}

fn today() -> Date {
    Date::parse("2025-07-01").unwrap()
}

impl Model {
    fn ancestors(&self, mut g: usize) -> Vec<usize> {
        let mut out = vec![g];
        while let Some(p) = self.parent[g] {
            out.push(p);
            g = p;
        }
        out
    }

    fn is_ancestor(&self, a: usize, b: usize) -> bool {
        self.ancestors(b).contains(&a)
    }

    /// Tree path from `a` to `b`, both included.
    fn path(&self, a: usize, b: usize) -> Vec<usize> {
        let up_a = self.ancestors(a);
        let up_b = self.ancestors(b);
        let lca = *up_a.iter().find(|x| up_b.contains(x)).unwrap();
        let mut path: Vec<usize> = up_a.iter().copied().take_while(|&x| x != lca).collect();
        path.push(lca);
        let down: Vec<usize> = up_b.iter().copied().take_while(|&x| x != lca).collect();
        path.extend(down.into_iter().rev());
        path
    }

    fn index(&self, id: &GatewayId) -> usize {
        self.ids.iter().position(|x| x == id).unwrap()
    }
}

/// Pick one of `len` (> 0) things with a generated number.
fn pick(raw: u64, len: usize) -> usize {
    (raw % len as u64) as usize
}

/// xorshift, to shuffle the file order deterministically from a generated seed.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    seed |= 1;
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

fn build_model(
    mut gws: Vec<(usize, u64, bool)>,
    ags: Vec<(u64, u8, bool)>,
    scs: Vec<(u64, u64)>,
    seed: u64,
) -> Model {
    // Shallower gateways first so that deep ones find parents.
    gws.sort_by_key(|g| g.0);
    let mut parent = vec![None];
    let mut depth = vec![0usize];
    for (want, raw, mixed) in gws {
        // Strict layout: the parent is exactly one level up. Mixed: any shallower level
        // (e.g. a commune straight under a province, the two-tier layout).
        let strict: Vec<usize> = (0..depth.len()).filter(|&i| depth[i] + 1 == want).collect();
        let candidates = if mixed || strict.is_empty() {
            (0..depth.len()).filter(|&i| depth[i] < want).collect()
        } else {
            strict
        };
        let p = candidates[pick(raw, candidates.len())];
        parent.push(Some(p));
        depth.push(depth[p] + 1);
    }
    let n = parent.len();
    let ids: Vec<GatewayId> = (0..n)
        .map(|i| GatewayId::parse(&format!("gw-{}-{i}", depth[i])).unwrap())
        .collect();

    let mut gateways: Vec<GatewaySpec> = (0..n)
        .map(|i| GatewaySpec {
            id: ids[i].to_string(),
            parent: parent[i].map(|p| ids[p].to_string()),
            url: format!("https://127.0.0.1:{}", 9000 + i),
            level: Some(format!("level-{}", depth[i])),
        })
        .collect();
    shuffle(&mut gateways, seed);

    let mut agencies = Vec::new();
    let mut agency_specs = Vec::new();
    for (i, (home, validity, alias)) in ags.into_iter().enumerate() {
        let home = pick(home, n);
        let code = AgencyCode::parse(&format!(
            "{:03}.00.{:02}.H{:02}",
            i,
            home % 100,
            depth[home]
        ))
        .unwrap();
        let alias = alias.then(|| AgencyCode::parse(&format!("OLD.{i}")).unwrap());
        let (from, until, valid) = match validity {
            0 => (None, None, true),
            1 => (None, Some("2025-06-30"), false),
            2 => (Some("2025-07-01"), None, true),
            _ => (Some("2025-07-02"), Some("2030-12-31"), false),
        };
        agency_specs.push(AgencySpec {
            code: code.to_string(),
            name: format!("agency {i}"),
            gateway: ids[home].to_string(),
            parent: None,
            aliases: alias.iter().map(ToString::to_string).collect(),
            valid_from: from.map(str::to_owned),
            valid_until: until.map(str::to_owned),
            replaced_by: None,
            signers: Vec::new(),
            uplink: false,
            level: None,
        });
        agencies.push((home, code, alias, valid));
    }

    let mut shortcuts = HashSet::new();
    let mut shortcut_specs = Vec::new();
    for (a, b) in scs {
        let (a, b) = (pick(a, n), pick(b, n));
        if a != b && shortcuts.insert((a, b)) {
            shortcut_specs.push(ShortcutSpec {
                from: ids[a].to_string(),
                to: ids[b].to_string(),
            });
        }
    }

    Model {
        spec: DirectorySpec {
            version: None,
            hop_limit: None,
            gateways,
            agencies: agency_specs,
            shortcuts: shortcut_specs,
        },
        ids,
        parent,
        depth,
        agencies,
        shortcuts,
    }
}

fn model_strategy(max_gateways: usize, max_agencies: usize) -> impl Strategy<Value = Model> {
    (
        prop::collection::vec(
            (1..=MAX_DEPTH, any::<u64>(), any::<bool>()),
            0..max_gateways,
        ),
        prop::collection::vec((any::<u64>(), 0u8..4, any::<bool>()), 1..max_agencies),
        prop::collection::vec((any::<u64>(), any::<u64>()), 0..12),
        any::<u64>(),
    )
        .prop_map(|(g, a, s, seed)| build_model(g, a, s, seed))
}

/// Route hop by hop; returns the gateways visited (model indices) and the final decision.
/// Checks every step against the model on the way.
fn walk(dir: &Directory, m: &Model, from: usize, to: &AgencyCode) -> (Vec<usize>, RouteDecision) {
    let mut here = from;
    let mut hops: Vec<GatewayId> = Vec::new();
    loop {
        assert!(hops.len() <= 2 * MAX_DEPTH + 1, "too many hops: {hops:?}");
        let decision = dir.route(to, &m.ids[here], &hops, today());
        let next = match &decision {
            RouteDecision::Child(g) => {
                let g = m.index(g);
                assert_eq!(m.parent[g], Some(here), "Child must be a child");
                g
            }
            RouteDecision::Parent(g) => {
                let g = m.index(g);
                assert_eq!(m.parent[here], Some(g), "Parent must be the parent");
                g
            }
            RouteDecision::Shortcut(g) => {
                let g = m.index(g);
                assert!(
                    m.shortcuts.contains(&(here, g)),
                    "Shortcut must be configured"
                );
                g
            }
            RouteDecision::LocalInbox { .. } | RouteDecision::Refuse(_) => {
                let mut visited: Vec<usize> = hops.iter().map(|h| m.index(h)).collect();
                visited.push(here);
                return (visited, decision);
            }
        };
        hops.push(m.ids[here].clone());
        here = next;
    }
}

fn check_pair(dir: &Directory, m: &Model, from: usize, agency: usize) {
    let (home, code, alias, valid) = &m.agencies[agency];
    let (path, end) = walk(dir, m, from, code);
    if !valid {
        assert_eq!(path, vec![from], "refused at the first gateway");
        assert!(
            matches!(&end, RouteDecision::Refuse(RefuseReason::AgencyNotValid { agency, .. }) if agency == code),
            "{end:?}"
        );
    } else {
        assert_eq!(
            end,
            RouteDecision::LocalInbox {
                agency: code.clone()
            }
        );
        assert_eq!(path.first(), Some(&from));
        assert_eq!(path.last(), Some(home));
        let unique: HashSet<&usize> = path.iter().collect();
        assert_eq!(unique.len(), path.len(), "loop in {path:?}");
        let tree = m.path(from, *home);
        let used_shortcut = path
            .windows(2)
            .any(|w| m.parent[w[0]] != Some(w[1]) && m.parent[w[1]] != Some(w[0]));
        if !used_shortcut {
            assert_eq!(path, tree, "tree path");
        }
        assert!(path.len() <= tree.len(), "{path:?} longer than {tree:?}");
        assert!(path.len() - 1 <= 2 * m.depth.iter().max().unwrap());
    }
    if let Some(alias) = alias {
        let (alias_path, alias_end) = walk(dir, m, from, alias);
        assert_eq!(alias_path, path, "alias routes like the code");
        assert_eq!(alias_end, end);
    }
}

proptest! {
    // Default configuration: 256 cases per property (PROPTEST_CASES overrides).

    /// Every pair of agencies (sender's home gateway -> recipient) is routed hop by hop.
    #[test]
    fn every_pair_of_agencies_is_routable(m in model_strategy(40, 300)) {
        let dir = Directory::from_spec(&m.spec).unwrap();
        // The route only depends on the sender's home gateway and the recipient: check each
        // (home, recipient) once and look the other pairs up.
        let mut checked: HashSet<(usize, usize)> = HashSet::new();
        let mut pairs = 0usize;
        for sender in &m.agencies {
            for r in 0..m.agencies.len() {
                if checked.insert((sender.0, r)) {
                    check_pair(&dir, &m, sender.0, r);
                }
                pairs += 1;
            }
        }
        prop_assert_eq!(pairs, m.agencies.len() * m.agencies.len());
    }

    /// From every gateway, an unknown agency goes up to the root, which refuses it.
    #[test]
    fn unknown_agencies_are_refused_by_the_root(m in model_strategy(40, 5)) {
        let dir = Directory::from_spec(&m.spec).unwrap();
        let unknown = AgencyCode::parse("NOT.IN.THE.DIRECTORY").unwrap();
        for g in 0..m.ids.len() {
            let (path, end) = walk(&dir, &m, g, &unknown);
            prop_assert_eq!(path, m.path(g, 0));
            prop_assert_eq!(end, RouteDecision::Refuse(RefuseReason::UnknownAgency { code: unknown.clone() }));
        }
    }

    /// The tree helpers agree with the model.
    #[test]
    fn helpers_agree_with_the_model(m in model_strategy(40, 5)) {
        let dir = Directory::from_spec(&m.spec).unwrap();
        prop_assert_eq!(&dir.root().id, &m.ids[0]);
        prop_assert_eq!(dir.gateways().len(), m.ids.len());
        for a in 0..m.ids.len() {
            prop_assert_eq!(dir.depth(&m.ids[a]), Some(m.depth[a] as u32));
            prop_assert_eq!(dir.parent(&m.ids[a]), m.parent[a].map(|p| &m.ids[p]));
            let kids: BTreeSet<&GatewayId> = dir.children(&m.ids[a]).collect();
            let expected: BTreeSet<&GatewayId> =
                (0..m.ids.len()).filter(|&c| m.parent[c] == Some(a)).map(|c| &m.ids[c]).collect();
            prop_assert_eq!(kids, expected);
            for b in 0..m.ids.len() {
                prop_assert_eq!(dir.subtree_contains(&m.ids[a], &m.ids[b]), m.is_ancestor(a, b));
                let path: Vec<GatewayId> = m.path(a, b).into_iter().map(|i| m.ids[i].clone()).collect();
                prop_assert_eq!(dir.path(&m.ids[a], &m.ids[b]), Some(path));
            }
        }
        // Depth-first order: each gateway's subtree follows it contiguously.
        let order: Vec<usize> = dir.gateways().iter().map(|g| m.index(&g.id)).collect();
        for (k, &g) in order.iter().enumerate() {
            let size = (0..m.ids.len()).filter(|&x| m.is_ancestor(g, x)).count();
            prop_assert!(order[k..k + size].iter().all(|&x| m.is_ancestor(g, x)));
        }
        // Round trip through the file model.
        let again = Directory::from_spec(&dir.to_spec()).unwrap();
        prop_assert_eq!(again.to_spec(), dir.to_spec());
    }

    /// A message to many recipients: each link is crossed once, each valid recipient gets
    /// exactly one copy, at its home; the others are refused once.
    #[test]
    fn many_recipients_cross_each_link_once(
        m in model_strategy(40, 120),
        start in any::<u64>(),
        picks in prop::collection::vec(any::<u64>(), 1..60),
        with_unknown in any::<bool>(),
    ) {
        let dir = Directory::from_spec(&m.spec).unwrap();
        let start = pick(start, m.ids.len());
        let mut recipients: Vec<AgencyCode> = picks
            .iter()
            .map(|p| {
                let (_, code, alias, _) = &m.agencies[pick(*p, m.agencies.len())];
                alias.clone().filter(|_| p % 2 == 0).unwrap_or_else(|| code.clone())
            })
            .collect();
        if with_unknown {
            recipients.push(AgencyCode::parse("NOT.KNOWN").unwrap());
        }
        let canonical = |r: &AgencyCode| m.agencies.iter().position(|a| &a.1 == r || a.2.as_ref() == Some(r));

        let mut queue = vec![(start, Vec::<GatewayId>::new(), recipients.clone())];
        let mut links: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut delivered: Vec<(usize, AgencyCode)> = Vec::new();
        let mut refused: Vec<AgencyCode> = Vec::new();
        while let Some((here, hops, rs)) = queue.pop() {
            let groups = dir.group_by_next_hop(&rs, &m.ids[here], &hops, today());
            for l in groups.local {
                delivered.push((here, l.agency));
            }
            refused.extend(groups.refused.into_iter().map(|r| r.recipient));
            for (next, rs) in groups.forward {
                let next = m.index(&next);
                *links.entry((here, next)).or_default() += 1;
                let mut h = hops.clone();
                h.push(m.ids[here].clone());
                queue.push((next, h, rs));
            }
        }
        prop_assert!(links.values().all(|&n| n == 1), "links {:?}", links);

        let mut expected_delivered: Vec<(usize, AgencyCode)> = Vec::new();
        let mut expected_refused: Vec<AgencyCode> = Vec::new();
        let mut seen = HashSet::new();
        for r in &recipients {
            match canonical(r) {
                Some(i) if m.agencies[i].3 => {
                    if seen.insert(i) {
                        expected_delivered.push((m.agencies[i].0, m.agencies[i].1.clone()));
                    }
                }
                _ => expected_refused.push(r.clone()),
            }
        }
        delivered.sort();
        expected_delivered.sort();
        prop_assert_eq!(delivered, expected_delivered);
        let refused: BTreeSet<AgencyCode> = refused.into_iter().collect();
        let expected_refused: BTreeSet<AgencyCode> = expected_refused.into_iter().collect();
        prop_assert_eq!(refused, expected_refused);
    }
}

/// A fixed five-level chain with shortcuts in both directions, all pairs.
#[test]
fn five_level_chain_with_shortcuts() {
    let spec = build_model(
        (1..=MAX_DEPTH)
            .flat_map(|lvl| [(lvl, 0u64, false), (lvl, u64::MAX, false)])
            .collect(),
        (0..200).map(|i| (i * 7919u64, 0, i % 3 == 0)).collect(),
        vec![(u64::MAX, 0u64), (0u64, u64::MAX), (3u64, u64::MAX / 2)],
        42,
    );
    let dir = Directory::from_spec(&spec.spec).unwrap();
    assert_eq!(
        dir.gateways().iter().map(|g| g.depth).max(),
        Some(MAX_DEPTH as u32)
    );
    let homes: HashMap<usize, ()> = spec.agencies.iter().map(|a| (a.0, ())).collect();
    for &from in homes.keys() {
        for r in 0..spec.agencies.len() {
            check_pair(&dir, &spec, from, r);
        }
    }
}
