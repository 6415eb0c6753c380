//! The validated directory: gateway tree, agencies, shortcuts, and the lookups on them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::num::NonZeroU32;

use lienthong_edxml::AgencyCode;
use serde::Serialize;

use crate::date::Date;
use crate::error::{LoadError, LoadErrorKind, LoadErrors, Location};
use crate::spec::{AgencySpec, DirectorySpec, GatewaySpec, ShortcutSpec};
use lienthong_types::GatewayId;

/// Hop limit used when the directory file sets none.
pub const DEFAULT_HOP_LIMIT: u32 = 16;

/// "No gateway" in the compact index tables.
pub(crate) const NONE: u32 = u32::MAX;

/// A gateway of the tree, as the directory knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gateway {
    /// Its id.
    pub id: GatewayId,
    /// Its parent; `None` for the root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<GatewayId>,
    /// Where peers reach it.
    pub url: String,
    /// Free label (`national`, `province` …), if configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Distance from the root (the root has depth 0).
    pub depth: u32,
}

/// An agency, with its codes resolved and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agency {
    /// The canonical code.
    pub code: AgencyCode,
    /// The name.
    pub name: String,
    /// Its home gateway.
    pub gateway: GatewayId,
    /// The canonical code of the agency it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<AgencyCode>,
    /// Other codes that mean this agency.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<AgencyCode>,
    /// First valid day (inclusive); `None`: since ever.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Date>,
    /// Last valid day (inclusive); `None`: still valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
    /// The canonical code of the agency that took over its work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<AgencyCode>,
    /// SHA-256 fingerprints (64 lowercase hex digits) of signing certificates pinned to it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<String>,
}

impl Agency {
    /// Whether the agency exists on `today` (both window ends inclusive).
    pub fn is_valid_on(&self, today: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= today)
            && self.valid_until.is_none_or(|until| today <= until)
    }
}

/// Precomputed position of a gateway in the tree. Gateways are numbered in depth-first
/// pre-order, so the subtree of `g` is exactly the index range `g..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Node {
    /// Parent index, or [`NONE`] for the root.
    pub(crate) parent: u32,
    /// Distance from the root.
    pub(crate) depth: u32,
    /// Last pre-order index inside this gateway's subtree.
    pub(crate) end: u32,
}

/// The directory: which agency is homed at which gateway, the gateway tree, the static
/// shortcuts, and the hop limit. Immutable once built; cheap lookups; `route` is
/// allocation-free except for the ids it returns.
#[derive(Debug, Clone)]
pub struct Directory {
    /// Gateways in depth-first pre-order (index 0 is the root).
    pub(crate) gateways: Vec<Gateway>,
    /// Tree positions, same indices as `gateways`.
    pub(crate) nodes: Vec<Node>,
    /// Children of each gateway, ascending (pre-order) indices.
    pub(crate) children: Vec<Vec<u32>>,
    /// Shortcut targets of each gateway, ascending indices.
    pub(crate) shortcuts: Vec<Vec<u32>>,
    /// Gateway id to index.
    pub(crate) gw_index: HashMap<GatewayId, u32>,
    /// Agencies sorted by canonical code.
    pub(crate) agencies: Vec<Agency>,
    /// Home gateway index of each agency.
    pub(crate) homes: Vec<u32>,
    /// Every code and alias to its agency's index.
    pub(crate) codes: HashMap<AgencyCode, u32>,
    /// Maximum number of hops.
    pub(crate) hop_limit: u32,
}

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

    /// The directory as a file model again (gateways in tree order, agencies by code), e.g.
    /// to serve it as JSON. `Directory::from_spec(&d.to_spec())` gives the same directory.
    pub fn to_spec(&self) -> DirectorySpec {
        let opt_date = |d: Option<Date>| d.map(|d| d.to_string());
        DirectorySpec {
            version: Some(1),
            hop_limit: Some(self.hop_limit),
            gateways: self
                .gateways
                .iter()
                .map(|g| GatewaySpec {
                    id: g.id.to_string(),
                    parent: g.parent.as_ref().map(ToString::to_string),
                    url: g.url.clone(),
                    level: g.level.clone(),
                })
                .collect(),
            agencies: self
                .agencies
                .iter()
                .map(|a| AgencySpec {
                    code: a.code.to_string(),
                    name: a.name.clone(),
                    gateway: a.gateway.to_string(),
                    parent: a.parent.as_ref().map(ToString::to_string),
                    aliases: a.aliases.iter().map(ToString::to_string).collect(),
                    valid_from: opt_date(a.valid_from),
                    valid_until: opt_date(a.valid_until),
                    replaced_by: a.replaced_by.as_ref().map(ToString::to_string),
                    signers: a.signers.clone(),
                })
                .collect(),
            shortcuts: self
                .shortcuts
                .iter()
                .enumerate()
                .flat_map(|(from, tos)| {
                    tos.iter().map(move |&to| ShortcutSpec {
                        from: self.gateways[from].id.to_string(),
                        to: self.gateways[to as usize].id.to_string(),
                    })
                })
                .collect(),
        }
    }

    /// Maximum number of gateway-to-gateway hops a message may make.
    pub fn hop_limit(&self) -> u32 {
        self.hop_limit
    }

    /// Change the hop limit (e.g. from the gateway's own config).
    pub fn set_hop_limit(&mut self, limit: NonZeroU32) {
        self.hop_limit = limit.get();
    }

    /// The root gateway.
    pub fn root(&self) -> &Gateway {
        // Building guarantees exactly one root, at pre-order index 0.
        &self.gateways[0]
    }

    /// All gateways, depth-first (each gateway before its subtree; the root first).
    pub fn gateways(&self) -> &[Gateway] {
        &self.gateways
    }

    /// A gateway by id.
    pub fn gateway(&self, id: &GatewayId) -> Option<&Gateway> {
        self.index_of(id).map(|i| &self.gateways[i as usize])
    }

    /// The parent of a gateway (`None` for the root or an unknown gateway).
    pub fn parent(&self, gw: &GatewayId) -> Option<&GatewayId> {
        let i = self.index_of(gw)?;
        let p = self.nodes[i as usize].parent;
        (p != NONE).then(|| &self.gateways[p as usize].id)
    }

    /// The children of a gateway, in tree order (none for a leaf or an unknown gateway).
    pub fn children(&self, gw: &GatewayId) -> impl Iterator<Item = &GatewayId> + '_ {
        let list: &[u32] = match self.index_of(gw) {
            Some(i) => &self.children[i as usize],
            None => &[],
        };
        list.iter().map(|&c| &self.gateways[c as usize].id)
    }

    /// Distance of a gateway from the root (0 for the root).
    pub fn depth(&self, gw: &GatewayId) -> Option<u32> {
        self.index_of(gw).map(|i| self.nodes[i as usize].depth)
    }

    /// Whether `other` is `gw` or below it. False if either is unknown.
    pub fn subtree_contains(&self, gw: &GatewayId, other: &GatewayId) -> bool {
        match (self.index_of(gw), self.index_of(other)) {
            (Some(a), Some(b)) => self.contains(a, b),
            _ => false,
        }
    }

    /// The tree path from `from` to `to`, both included (`[from]` when they are equal);
    /// `None` if either is unknown. Shortcuts are not used.
    pub fn path(&self, from: &GatewayId, to: &GatewayId) -> Option<Vec<GatewayId>> {
        let (a, b) = (self.index_of(from)?, self.index_of(to)?);
        let mut up = Vec::new();
        let mut x = a;
        while !self.contains(x, b) {
            up.push(x);
            x = self.nodes[x as usize].parent;
        }
        up.push(x);
        let mut down = Vec::new();
        let mut y = b;
        while y != x {
            down.push(y);
            y = self.nodes[y as usize].parent;
        }
        up.extend(down.into_iter().rev());
        Some(
            up.into_iter()
                .map(|i| self.gateways[i as usize].id.clone())
                .collect(),
        )
    }

    /// The configured shortcut targets of a gateway, in tree order.
    pub fn shortcuts_from(&self, gw: &GatewayId) -> impl Iterator<Item = &GatewayId> + '_ {
        let list: &[u32] = match self.index_of(gw) {
            Some(i) => &self.shortcuts[i as usize],
            None => &[],
        };
        list.iter().map(|&c| &self.gateways[c as usize].id)
    }

    /// An agency by its code or one of its aliases.
    pub fn agency(&self, code: &AgencyCode) -> Option<&Agency> {
        self.codes.get(code).map(|&i| &self.agencies[i as usize])
    }

    /// The canonical code for a code or alias.
    pub fn canonical(&self, code: &AgencyCode) -> Option<&AgencyCode> {
        self.agency(code).map(|a| &a.code)
    }

    /// The home gateway of an agency (by code or alias).
    pub fn home_gateway(&self, code: &AgencyCode) -> Option<&GatewayId> {
        self.agency(code).map(|a| &a.gateway)
    }

    /// All agencies, sorted by canonical code (for `GET /v1/agencies`).
    pub fn agencies(&self) -> &[Agency] {
        &self.agencies
    }

    /// Every pinned signing certificate (SHA-256 of its DER) with the agency it is pinned to,
    /// for the document trust store.
    pub fn signer_pins(&self) -> impl Iterator<Item = ([u8; 32], &AgencyCode)> + '_ {
        self.agencies.iter().flat_map(|a| {
            a.signers
                .iter()
                .filter_map(move |fp| fingerprint_bytes(fp).map(|b| (b, &a.code)))
        })
    }

    /// The agencies homed at a gateway, by code.
    pub fn agencies_at<'a>(&'a self, gw: &GatewayId) -> impl Iterator<Item = &'a Agency> + 'a {
        let i = self.index_of(gw).unwrap_or(NONE);
        self.agencies
            .iter()
            .zip(&self.homes)
            .filter(move |&(_, &h)| h == i)
            .map(|(a, _)| a)
    }

    /// The agencies homed at a gateway or anywhere below it, by code.
    pub fn agencies_under<'a>(&'a self, gw: &GatewayId) -> impl Iterator<Item = &'a Agency> + 'a {
        let range = self.index_of(gw).map(|i| i..=self.nodes[i as usize].end);
        self.agencies
            .iter()
            .zip(&self.homes)
            .filter(move |&(_, h)| range.as_ref().is_some_and(|r| r.contains(h)))
            .map(|(a, _)| a)
    }

    pub(crate) fn index_of(&self, gw: &GatewayId) -> Option<u32> {
        self.gw_index.get(gw).copied()
    }

    /// Whether gateway `b` is in the subtree of gateway `a` (indices).
    #[inline]
    pub(crate) fn contains(&self, a: u32, b: u32) -> bool {
        a <= b && b <= self.nodes[a as usize].end
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

/// The 32 bytes of a normalized fingerprint.
fn fingerprint_bytes(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
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
