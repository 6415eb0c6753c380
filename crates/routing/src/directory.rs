//! The validated directory: gateway tree, agencies, shortcuts, and the lookups on them.

use std::collections::HashMap;
use std::num::NonZeroU32;

use lienthong_edxml::AgencyCode;
use serde::Serialize;

use crate::date::Date;
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
    /// Reached through its home gateway's uplink (see [`crate::AgencySpec::uplink`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub uplink: bool,
    /// The level it reports under, as configured (see [`Agency::level`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// The levels of government a report groups agencies by.
pub const LEVELS: [&str; 6] = [
    "central",
    "province",
    "department",
    "district",
    "commune",
    "other",
];

impl Agency {
    /// The level it reports under: the configured one, else read from the code (QCVN 102):
    /// outside the provinces' group H, `central`; in it, a level-1 unit is the `province`, a
    /// level-2 unit a `department` (a district's UBND is level 2 too: configure `district`
    /// for those), a deeper one a `commune`.
    pub fn level(&self) -> &str {
        use lienthong_edxml::AgencyGroup;
        if let Some(l) = &self.level {
            return l;
        }
        match self.code.qcvn102() {
            Some(q) if q.group() != AgencyGroup::ProvincialCommittee => "central",
            Some(q) if q.level() == 1 => "province",
            Some(q) if q.level() == 2 => "department",
            Some(_) => "commune",
            None => "other",
        }
    }

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
                    uplink: a.uplink,
                    level: a.level.clone(),
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

    /// An agency by a code or alias as written (a document's `OrganId`, a stored
    /// sender): `None` when it is not a valid code or the directory does not know it.
    pub fn agency_by_text(&self, code: &str) -> Option<&Agency> {
        self.agency(&AgencyCode::parse(code).ok()?)
    }

    /// The canonical code for a code or alias.
    pub fn canonical(&self, code: &AgencyCode) -> Option<&AgencyCode> {
        self.agency(code).map(|a| &a.code)
    }

    /// The agency's own code for `code` (its canonical code when `code` is an alias), or
    /// `code` itself when the directory does not know it.
    pub fn main_code(&self, code: &AgencyCode) -> AgencyCode {
        self.canonical(code).unwrap_or(code).clone()
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

/// The 32 bytes of a normalized fingerprint.
pub(crate) fn fingerprint_bytes(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
