//! Loading a directory: parse TOML or JSON into the file model, check every rule (reporting
//! every problem with its location), and build the lookup tables.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use lienthong_edxml::AgencyCode;
use lienthong_types::GatewayId;

use crate::date::Date;
use crate::directory::{Agency, DEFAULT_HOP_LIMIT, Directory, Gateway, NONE, Node};
use crate::error::{LoadError, LoadErrorKind, LoadErrors, Location};
use crate::spec::DirectorySpec;

impl Directory {
    /// Load a directory from TOML text (the caller reads the file).
    pub fn from_toml(text: &str) -> Result<Directory, LoadErrors> {
        let spec: DirectorySpec = toml::from_str(text).map_err(|e| syntax("TOML", &e))?;
        Directory::from_spec(&spec)
    }

    /// Load a directory from JSON text (same model as TOML).
    pub fn from_json(text: &str) -> Result<Directory, LoadErrors> {
        let spec: DirectorySpec = serde_json::from_str(text).map_err(|e| syntax("JSON", &e))?;
        Directory::from_spec(&spec)
    }

    /// Validate a directory model and build the lookup tables. Reports every problem found,
    /// each with its location.
    pub fn from_spec(spec: &DirectorySpec) -> Result<Directory, LoadErrors> {
        build(spec)
    }
}

fn syntax(format: &'static str, e: &dyn std::fmt::Display) -> LoadErrors {
    LoadErrors(vec![LoadError {
        location: Location::Text,
        kind: LoadErrorKind::Syntax {
            format,
            message: e.to_string(),
        },
    }])
}

fn url_ok(url: &str) -> bool {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !rest.is_empty()
                && !url.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The parent link of a gateway entry during validation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Not part of the tree (bad id, duplicate, or bad/unknown parent): already reported.
    Broken,
    /// No parent.
    Root,
    /// Parent at this spec index.
    To(usize),
}

/// Find the cycles of a functional graph (`next[i]` = successor, `None` = stops). Each cycle
/// is returned once, starting at its smallest index, in successor order.
fn cycles(next: &[Option<usize>]) -> Vec<Vec<usize>> {
    // 0 = unvisited, 1 = on the current walk, 2 = done.
    let mut state = vec![0u8; next.len()];
    let mut found = Vec::new();
    for start in 0..next.len() {
        let mut walk = Vec::new();
        let mut x = Some(start);
        while let Some(i) = x {
            match state[i] {
                0 => {
                    state[i] = 1;
                    walk.push(i);
                    x = next[i];
                }
                1 => {
                    if let Some(pos) = walk.iter().position(|&w| w == i) {
                        let mut cycle = walk[pos..].to_vec();
                        if let Some(min_pos) = cycle
                            .iter()
                            .enumerate()
                            .min_by_key(|&(_, &v)| v)
                            .map(|(p, _)| p)
                        {
                            cycle.rotate_left(min_pos);
                        }
                        found.push(cycle);
                    }
                    break;
                }
                _ => break,
            }
        }
        for w in walk {
            state[w] = 2;
        }
    }
    found
}

struct Errors(Vec<LoadError>);

impl Errors {
    fn push(&mut self, location: Location, kind: LoadErrorKind) {
        self.0.push(LoadError { location, kind });
    }
}

fn gw_loc(spec: &DirectorySpec, index: usize) -> Location {
    Location::Gateway {
        index,
        id: spec.gateways[index].id.clone(),
    }
}

fn ag_loc(spec: &DirectorySpec, index: usize) -> Location {
    Location::Agency {
        index,
        code: spec.agencies[index].code.clone(),
    }
}

/// Result of checking the gateways.
struct GatewayCheck<'s> {
    /// Valid, first-defined ids to spec index.
    by_id: HashMap<&'s str, usize>,
    /// Parsed id per spec index (None when invalid or duplicate).
    ids: Vec<Option<GatewayId>>,
    /// Parent link per spec index.
    links: Vec<Link>,
    /// The single root, if there is exactly one.
    root: Option<usize>,
}

fn check_gateways<'s>(spec: &'s DirectorySpec, errs: &mut Errors) -> GatewayCheck<'s> {
    let n = spec.gateways.len();
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    for (i, g) in spec.gateways.iter().enumerate() {
        match GatewayId::parse(&g.id) {
            Err(reason) => {
                errs.push(
                    gw_loc(spec, i),
                    LoadErrorKind::InvalidGatewayId {
                        field: "id",
                        reason,
                    },
                );
                ids.push(None);
            }
            Ok(id) => match by_id.entry(g.id.as_str()) {
                Entry::Occupied(first) => {
                    errs.push(
                        gw_loc(spec, i),
                        LoadErrorKind::DuplicateGateway {
                            first_index: *first.get(),
                        },
                    );
                    ids.push(None);
                }
                Entry::Vacant(slot) => {
                    slot.insert(i);
                    ids.push(Some(id));
                }
            },
        }
        if !url_ok(&g.url) {
            errs.push(gw_loc(spec, i), LoadErrorKind::InvalidUrl(g.url.clone()));
        }
    }

    let mut links = vec![Link::Broken; n];
    let mut roots = Vec::new();
    for (i, g) in spec.gateways.iter().enumerate() {
        if ids[i].is_none() {
            continue;
        }
        links[i] = match &g.parent {
            None => {
                roots.push(i);
                Link::Root
            }
            Some(p) => match GatewayId::parse(p) {
                Err(reason) => {
                    errs.push(
                        gw_loc(spec, i),
                        LoadErrorKind::InvalidGatewayId {
                            field: "parent",
                            reason,
                        },
                    );
                    Link::Broken
                }
                Ok(_) => match by_id.get(p.as_str()) {
                    Some(&j) => Link::To(j),
                    None => {
                        errs.push(
                            gw_loc(spec, i),
                            LoadErrorKind::UnknownParentGateway(p.clone()),
                        );
                        Link::Broken
                    }
                },
            },
        };
    }

    let root = match roots.as_slice() {
        [one] => Some(*one),
        [] => {
            errs.push(Location::File, LoadErrorKind::NoRoot);
            None
        }
        many => {
            errs.push(
                Location::File,
                LoadErrorKind::MultipleRoots(
                    many.iter().map(|&i| spec.gateways[i].id.clone()).collect(),
                ),
            );
            None
        }
    };

    let next: Vec<Option<usize>> = links
        .iter()
        .map(|l| match l {
            Link::To(j) => Some(*j),
            _ => None,
        })
        .collect();
    for cycle in cycles(&next) {
        let mut names: Vec<String> = cycle.iter().map(|&i| spec.gateways[i].id.clone()).collect();
        names.push(names[0].clone());
        errs.push(gw_loc(spec, cycle[0]), LoadErrorKind::GatewayCycle(names));
    }

    GatewayCheck {
        by_id,
        ids,
        links,
        root,
    }
}

/// Result of checking the agencies.
struct AgencyCheck {
    codes: Vec<Option<AgencyCode>>,
    aliases: Vec<Vec<AgencyCode>>,
    homes: Vec<Option<usize>>,
    parents: Vec<Option<usize>>,
    replaced_by: Vec<Option<usize>>,
    from: Vec<Option<Date>>,
    until: Vec<Option<Date>>,
    signers: Vec<Vec<String>>,
}

/// A certificate fingerprint as 64 lowercase hex digits: `:` between bytes, upper case and
/// a leading `sha256 Fingerprint=` are accepted (how `openssl x509 -fingerprint -sha256`
/// prints it).
fn normalize_fingerprint(s: &str) -> Result<String, String> {
    let s = s.rsplit_once('=').map_or(s, |(_, after)| after);
    let hex: String = s
        .trim()
        .chars()
        .filter(|&c| c != ':')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if let Some(bad) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("'{bad}' is not a hex digit"));
    }
    if hex.len() != 64 {
        return Err(format!(
            "{} hex digits, a SHA-256 fingerprint has 64",
            hex.len()
        ));
    }
    Ok(hex)
}

fn check_agencies(spec: &DirectorySpec, gws: &GatewayCheck<'_>, errs: &mut Errors) -> AgencyCheck {
    let n = spec.agencies.len();
    let mut check = AgencyCheck {
        codes: Vec::with_capacity(n),
        aliases: Vec::with_capacity(n),
        homes: Vec::with_capacity(n),
        parents: vec![None; n],
        replaced_by: vec![None; n],
        from: Vec::with_capacity(n),
        until: Vec::with_capacity(n),
        signers: Vec::with_capacity(n),
    };
    // Every pinned fingerprint to the agency that pins it.
    let mut pinned: HashMap<String, usize> = HashMap::new();
    // Every code and alias to (agency index, field where it appears).
    let mut claimed: HashMap<AgencyCode, (usize, String)> = HashMap::with_capacity(n);
    let parse_code = |errs: &mut Errors, i: usize, field: &str, s: &str| match AgencyCode::parse(s)
    {
        Ok(c) => Some(c),
        Err(reason) => {
            errs.push(
                ag_loc(spec, i),
                LoadErrorKind::InvalidAgencyCode {
                    field: field.to_owned(),
                    reason,
                },
            );
            None
        }
    };
    let mut claim = |errs: &mut Errors, i: usize, field: String, code: &AgencyCode| match claimed
        .entry(code.clone())
    {
        Entry::Occupied(first) => {
            let (first_index, first_field) = first.get().clone();
            errs.push(
                ag_loc(spec, i),
                LoadErrorKind::DuplicateCode {
                    code: code.to_string(),
                    field,
                    first_index,
                    first_agency: spec.agencies[first_index].code.clone(),
                    first_field,
                },
            );
        }
        Entry::Vacant(slot) => {
            slot.insert((i, field));
        }
    };

    for (i, a) in spec.agencies.iter().enumerate() {
        let code = parse_code(errs, i, "code", &a.code);
        if let Some(c) = &code {
            claim(errs, i, "code".to_owned(), c);
        }
        check.codes.push(code);

        let mut aliases = Vec::with_capacity(a.aliases.len());
        for (k, alias) in a.aliases.iter().enumerate() {
            let field = format!("aliases[{k}]");
            if let Some(c) = parse_code(errs, i, &field, alias) {
                claim(errs, i, field, &c);
                aliases.push(c);
            }
        }
        check.aliases.push(aliases);

        let home = match GatewayId::parse(&a.gateway) {
            Err(reason) => {
                errs.push(
                    ag_loc(spec, i),
                    LoadErrorKind::InvalidGatewayId {
                        field: "gateway",
                        reason,
                    },
                );
                None
            }
            Ok(_) => {
                let found = gws.by_id.get(a.gateway.as_str()).copied();
                if found.is_none() {
                    errs.push(
                        ag_loc(spec, i),
                        LoadErrorKind::UnknownHomeGateway(a.gateway.clone()),
                    );
                }
                found
            }
        };
        check.homes.push(home);

        let mut date = |field: &'static str, v: &Option<String>| {
            let s = v.as_deref()?;
            match Date::parse(s) {
                Ok(d) => Some(d),
                Err(reason) => {
                    errs.push(
                        ag_loc(spec, i),
                        LoadErrorKind::InvalidDate { field, reason },
                    );
                    None
                }
            }
        };
        let from = date("valid_from", &a.valid_from);
        let until = date("valid_until", &a.valid_until);
        if let (Some(valid_from), Some(valid_until)) = (from, until)
            && valid_until < valid_from
        {
            errs.push(
                ag_loc(spec, i),
                LoadErrorKind::EmptyValidity {
                    valid_from,
                    valid_until,
                },
            );
        }
        check.from.push(from);
        check.until.push(until);
        if let Some(l) = &a.level
            && !crate::directory::LEVELS.contains(&l.as_str())
        {
            errs.push(ag_loc(spec, i), LoadErrorKind::InvalidLevel(l.clone()));
        }

        let mut signers = Vec::with_capacity(a.signers.len());
        for (k, s) in a.signers.iter().enumerate() {
            match normalize_fingerprint(s) {
                Err(reason) => errs.push(
                    ag_loc(spec, i),
                    LoadErrorKind::InvalidSignerFingerprint {
                        field: format!("signers[{k}]"),
                        reason,
                    },
                ),
                Ok(fp) => match pinned.entry(fp.clone()) {
                    Entry::Occupied(first) => errs.push(
                        ag_loc(spec, i),
                        LoadErrorKind::DuplicateSigner {
                            fingerprint: fp,
                            first_agency: spec.agencies[*first.get()].code.clone(),
                        },
                    ),
                    Entry::Vacant(slot) => {
                        slot.insert(i);
                        signers.push(fp);
                    }
                },
            }
        }
        check.signers.push(signers);
    }

    // References between agencies need every code claimed first.
    for (i, a) in spec.agencies.iter().enumerate() {
        if let Some(p) = &a.parent
            && let Some(c) = parse_code(errs, i, "parent", p)
        {
            match claimed.get(&c) {
                Some(&(j, _)) => check.parents[i] = Some(j),
                None => errs.push(
                    ag_loc(spec, i),
                    LoadErrorKind::UnknownParentAgency(p.clone()),
                ),
            }
        }
        if let Some(r) = &a.replaced_by
            && let Some(c) = parse_code(errs, i, "replaced_by", r)
        {
            match claimed.get(&c) {
                Some(&(j, _)) if j != i => check.replaced_by[i] = Some(j),
                _ => errs.push(
                    ag_loc(spec, i),
                    LoadErrorKind::UnknownReplacement(r.clone()),
                ),
            }
        }
    }
    for cycle in cycles(&check.parents) {
        let mut names: Vec<String> = cycle
            .iter()
            .map(|&i| spec.agencies[i].code.clone())
            .collect();
        names.push(names[0].clone());
        errs.push(ag_loc(spec, cycle[0]), LoadErrorKind::AgencyCycle(names));
    }
    check
}

/// Valid shortcuts as (from, to) spec indices of gateways.
fn check_shortcuts(
    spec: &DirectorySpec,
    gws: &GatewayCheck<'_>,
    errs: &mut Errors,
) -> Vec<(usize, usize)> {
    let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, s) in spec.shortcuts.iter().enumerate() {
        let loc = || Location::Shortcut {
            index: i,
            from: s.from.clone(),
            to: s.to.clone(),
        };
        let mut end = |field: &'static str, v: &str| match GatewayId::parse(v) {
            Err(reason) => {
                errs.push(loc(), LoadErrorKind::InvalidGatewayId { field, reason });
                None
            }
            Ok(_) => {
                let found = gws.by_id.get(v).copied();
                if found.is_none() {
                    errs.push(loc(), LoadErrorKind::UnknownShortcutGateway(v.to_owned()));
                }
                found
            }
        };
        let (Some(from), Some(to)) = (end("from", &s.from), end("to", &s.to)) else {
            continue;
        };
        if from == to {
            errs.push(loc(), LoadErrorKind::ShortcutToSelf);
            continue;
        }
        match seen.entry((from, to)) {
            Entry::Occupied(first) => errs.push(
                loc(),
                LoadErrorKind::DuplicateShortcut {
                    first_index: *first.get(),
                },
            ),
            Entry::Vacant(slot) => {
                slot.insert(i);
                out.push((from, to));
            }
        }
    }
    out
}

fn section(l: &Location) -> (u8, usize) {
    match l {
        Location::Text => (0, 0),
        Location::File => (1, 0),
        Location::Gateway { index, .. } => (2, *index),
        Location::Agency { index, .. } => (3, *index),
        Location::Shortcut { index, .. } => (4, *index),
    }
}

fn build(spec: &DirectorySpec) -> Result<Directory, LoadErrors> {
    let mut errs = Errors(Vec::new());
    if let Some(v) = spec.version
        && v != 1
    {
        errs.push(Location::File, LoadErrorKind::UnsupportedVersion(v));
    }
    let hop_limit = match spec.hop_limit {
        Some(0) => {
            errs.push(Location::File, LoadErrorKind::InvalidHopLimit);
            DEFAULT_HOP_LIMIT
        }
        Some(n) => n,
        None => DEFAULT_HOP_LIMIT,
    };
    let gws = check_gateways(spec, &mut errs);
    let ags = check_agencies(spec, &gws, &mut errs);
    let shortcuts = check_shortcuts(spec, &gws, &mut errs);
    if !errs.0.is_empty() {
        let mut list = errs.0;
        list.sort_by_key(|e| section(&e.location));
        return Err(LoadErrors(list));
    }
    // From here on every check passed: exactly one root, every id and code valid and
    // unique, every link and reference resolved, no cycle. So nothing below is missing.
    let internal = |what: &str| {
        LoadErrors(vec![LoadError {
            location: Location::File,
            kind: LoadErrorKind::Internal(what.to_owned()),
        }])
    };
    let root = gws.root.ok_or_else(|| internal("no root"))?;
    let ids: Vec<GatewayId> = gws
        .ids
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(|| internal("gateway id"))?;
    let codes_in: Vec<AgencyCode> = ags
        .codes
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(|| internal("agency code"))?;
    let homes_in: Vec<usize> = ags
        .homes
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(|| internal("home gateway"))?;

    // Tree in depth-first pre-order.
    let n = spec.gateways.len();
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, l) in gws.links.iter().enumerate() {
        if let Link::To(p) = l {
            kids[*p].push(i);
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(kids[i].iter().rev());
    }
    if order.len() != n {
        return Err(internal("gateway not reachable from the root"));
    }
    let mut pre = vec![NONE; n];
    for (k, &i) in order.iter().enumerate() {
        pre[i] = k as u32;
    }
    let mut nodes = vec![
        Node {
            parent: NONE,
            depth: 0,
            end: 0,
        };
        n
    ];
    for (k, &i) in order.iter().enumerate() {
        if let Link::To(p) = gws.links[i] {
            let pk = pre[p] as usize;
            nodes[k].parent = pk as u32;
            nodes[k].depth = nodes[pk].depth + 1;
        }
    }
    let mut size = vec![1u32; n];
    for k in (0..n).rev() {
        nodes[k].end = k as u32 + size[k] - 1;
        let p = nodes[k].parent;
        if p != NONE {
            size[p as usize] += size[k];
        }
    }
    let mut gateways = Vec::with_capacity(n);
    let mut gw_index = HashMap::with_capacity(n);
    for (k, &i) in order.iter().enumerate() {
        let g = &spec.gateways[i];
        gw_index.insert(ids[i].clone(), k as u32);
        gateways.push(Gateway {
            id: ids[i].clone(),
            parent: match gws.links[i] {
                Link::To(p) => Some(ids[p].clone()),
                _ => None,
            },
            url: g.url.clone(),
            level: g.level.clone(),
            depth: nodes[k].depth,
        });
    }
    let children: Vec<Vec<u32>> = order
        .iter()
        .map(|&i| kids[i].iter().map(|&c| pre[c]).collect())
        .collect();
    let mut short: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (from, to) in shortcuts {
        short[pre[from] as usize].push(pre[to]);
    }
    for s in &mut short {
        s.sort_unstable();
    }

    // Agencies sorted by canonical code.
    let mut idx: Vec<usize> = (0..spec.agencies.len()).collect();
    idx.sort_by(|&a, &b| codes_in[a].cmp(&codes_in[b]));
    let mut agencies = Vec::with_capacity(idx.len());
    let mut homes = Vec::with_capacity(idx.len());
    let mut codes = HashMap::with_capacity(idx.len());
    for (k, &i) in idx.iter().enumerate() {
        let a = &spec.agencies[i];
        codes.insert(codes_in[i].clone(), k as u32);
        for alias in &ags.aliases[i] {
            codes.insert(alias.clone(), k as u32);
        }
        homes.push(pre[homes_in[i]]);
        agencies.push(Agency {
            code: codes_in[i].clone(),
            name: a.name.clone(),
            gateway: ids[homes_in[i]].clone(),
            parent: ags.parents[i].map(|p| codes_in[p].clone()),
            aliases: ags.aliases[i].clone(),
            valid_from: ags.from[i],
            valid_until: ags.until[i],
            replaced_by: ags.replaced_by[i].map(|r| codes_in[r].clone()),
            signers: ags.signers[i].clone(),
            uplink: a.uplink,
            level: a.level.clone(),
        });
    }

    Ok(Directory {
        gateways,
        nodes,
        children,
        shortcuts: short,
        gw_index,
        agencies,
        homes,
        codes,
        hop_limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_once() {
        // 0 -> 1 -> 2 -> 0, 3 -> 1 (into the cycle), 4 -> 4, 5 stops.
        let next = [Some(1), Some(2), Some(0), Some(1), Some(4), None];
        assert_eq!(cycles(&next), vec![vec![0, 1, 2], vec![4]]);
        // Entered from the middle: still starts at the smallest index.
        let next = [None, Some(3), Some(1), Some(2)];
        assert_eq!(cycles(&next), vec![vec![1, 3, 2]]);
    }

    #[test]
    fn directory_can_be_shared_between_threads() {
        fn shared<T: Send + Sync + 'static>() {}
        shared::<Directory>();
    }

    #[test]
    fn urls() {
        assert!(url_ok("https://127.0.0.1:8440"));
        assert!(url_ok("http://gw-h50.local"));
        assert!(!url_ok(""));
        assert!(!url_ok("127.0.0.1:8440"));
        assert!(!url_ok("https://"));
        assert!(!url_ok("https://a b"));
        assert!(!url_ok("://x"));
    }
}
