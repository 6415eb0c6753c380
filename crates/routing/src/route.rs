//! Route decisions: where a gateway sends a message for one recipient, and the grouping of
//! many recipients by next hop.

use lienthong_types::Code;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use lienthong_edxml::AgencyCode;

use crate::date::Date;
use crate::directory::{Directory, NONE};
use lienthong_types::GatewayId;

/// What a gateway does with a message for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteDecision {
    /// The recipient is homed here: put the message in its inbox. `agency` is the canonical
    /// code (different from the code asked for when that was an alias).
    LocalInbox {
        /// The canonical code of the recipient.
        agency: AgencyCode,
    },
    /// Send down the tree to this child, whose subtree holds the recipient's home.
    Child(GatewayId),
    /// Send up the tree to this parent (the recipient is outside this subtree, or unknown
    /// here and this gateway is not the root).
    Parent(GatewayId),
    /// Send over a configured static shortcut straight to this gateway (the recipient's home
    /// or an ancestor of it).
    Shortcut(GatewayId),
    /// Do not send; tell the sender why.
    Refuse(RefuseReason),
}

impl RouteDecision {
    /// The gateway to send to, for `Child`, `Parent` and `Shortcut`.
    pub fn next_hop(&self) -> Option<&GatewayId> {
        match self {
            RouteDecision::Child(g) | RouteDecision::Parent(g) | RouteDecision::Shortcut(g) => {
                Some(g)
            }
            RouteDecision::LocalInbox { .. } | RouteDecision::Refuse(_) => None,
        }
    }
}

/// Why a message cannot be routed to a recipient. Every reason is permanent for the current
/// directory: retrying does not help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefuseReason {
    /// The root does not know the agency (neither as a code nor as an alias).
    #[error("unknown agency {code}")]
    UnknownAgency {
        /// The code as asked for.
        code: AgencyCode,
    },
    /// The agency exists in the directory but not on this day.
    #[error("{}", not_valid_message(.agency, .valid_from, .valid_until, .today, .replaced_by))]
    AgencyNotValid {
        /// The canonical code of the agency.
        agency: AgencyCode,
        /// Its first valid day, if any.
        valid_from: Option<Date>,
        /// Its last valid day, if any.
        valid_until: Option<Date>,
        /// The day of the decision.
        today: Date,
        /// The agency that took over its work (following `replaced_by` to the first one
        /// valid on `today`, or the last of the chain), if configured.
        replaced_by: Option<AgencyCode>,
    },
    /// The message would visit a gateway again (`gateway` is in the hop list: it is this
    /// gateway, or the next hop).
    #[error("routing loop: the message has already visited {gateway}")]
    Loop {
        /// The gateway that would be visited twice.
        gateway: GatewayId,
    },
    /// The message has already made `hops` hops and may make at most `limit`.
    #[error("hop limit reached: {hops} hops made, at most {limit} allowed")]
    HopLimit {
        /// Hops made so far.
        hops: usize,
        /// The configured limit.
        limit: u32,
    },
    /// The deciding gateway is not in the directory.
    #[error("gateway {0} is not in the directory")]
    UnknownGateway(GatewayId),
}

fn not_valid_message(
    agency: &AgencyCode,
    from: &Option<Date>,
    until: &Option<Date>,
    today: &Date,
    replaced_by: &Option<AgencyCode>,
) -> String {
    let mut m = format!("agency {agency} is not valid on {today}");
    match (from, until) {
        (Some(f), Some(u)) => m.push_str(&format!(" (valid from {f} until {u})")),
        (Some(f), None) => m.push_str(&format!(" (valid from {f})")),
        (None, Some(u)) => m.push_str(&format!(" (valid until {u})")),
        (None, None) => {}
    }
    if let Some(r) = replaced_by {
        m.push_str(&format!("; replaced by {r}"));
    }
    m
}

impl RefuseReason {
    /// A stable, machine-readable code for APIs and metrics.
    pub fn code(&self) -> Code {
        match self {
            RefuseReason::UnknownAgency { .. } => Code::RoutingUnknownAgency,
            RefuseReason::AgencyNotValid { .. } => Code::RoutingAgencyNotValid,
            RefuseReason::Loop { .. } => Code::RoutingLoop,
            RefuseReason::HopLimit { .. } => Code::RoutingHopLimit,
            RefuseReason::UnknownGateway(_) => Code::RoutingUnknownGateway,
        }
    }
}

/// A recipient delivered to a local inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDelivery {
    /// The canonical code (one delivery per agency).
    pub agency: AgencyCode,
    /// The codes the sender used for it (the canonical code and/or aliases), sorted.
    pub requested: Vec<AgencyCode>,
}

/// A recipient that cannot be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The code as asked for.
    pub recipient: AgencyCode,
    /// Why.
    pub reason: RefuseReason,
}

/// The recipients of one message grouped by what this gateway does with them: one copy per
/// next hop, so that a message for N recipients crosses each link once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NextHops {
    /// Recipients homed here, one entry per agency, sorted by canonical code.
    pub local: Vec<LocalDelivery>,
    /// Next hop gateway to the recipients (as asked for, sorted, without repeats) to send it
    /// with.
    pub forward: BTreeMap<GatewayId, Vec<AgencyCode>>,
    /// Recipients that cannot be routed, in the order given (each once).
    pub refused: Vec<Refusal>,
}

/// The tree step (or shortcut) from a gateway towards a known home gateway.
enum Step {
    Child(u32),
    Parent(u32),
    Shortcut(u32),
}

impl Directory {
    /// Decide what gateway `here` does with a message for `recipient`.
    ///
    /// `hops` lists the gateways the message has already been at, before `here` (empty at
    /// the gateway where it was submitted). `today` decides agency validity.
    ///
    /// Rules, in order:
    /// 1. `here` unknown → `Refuse(UnknownGateway)`; `here` in `hops` → `Refuse(Loop)`.
    /// 2. Recipient unknown (neither code nor alias): the root refuses (`UnknownAgency`);
    ///    any other gateway sends to its parent.
    /// 3. Recipient not valid on `today` → `Refuse(AgencyNotValid)`.
    /// 4. Homed here → `LocalInbox` (local delivery is not a hop: no hop limit).
    /// 5. A shortcut from here to the home gateway or one of its ancestors, if it is not
    ///    longer than the tree path (the one closest to the home gateway wins) → `Shortcut`.
    /// 6. Home in the subtree of a child → `Child`; otherwise → `Parent`.
    /// 7. For a next hop: `hops.len() >= hop_limit` → `Refuse(HopLimit)`; next hop in `hops`
    ///    → `Refuse(Loop)`.
    pub fn route(
        &self,
        recipient: &AgencyCode,
        here: &GatewayId,
        hops: &[GatewayId],
        today: Date,
    ) -> RouteDecision {
        let Some(h) = self.index_of(here) else {
            return RouteDecision::Refuse(RefuseReason::UnknownGateway(here.clone()));
        };
        if hops.contains(here) {
            return RouteDecision::Refuse(RefuseReason::Loop {
                gateway: here.clone(),
            });
        }
        let step = match self.codes.get(recipient) {
            None => {
                let p = self.nodes[h as usize].parent;
                if p == NONE {
                    return RouteDecision::Refuse(RefuseReason::UnknownAgency {
                        code: recipient.clone(),
                    });
                }
                Step::Parent(p)
            }
            Some(&a) => {
                let agency = &self.agencies[a as usize];
                if !agency.is_valid_on(today) {
                    return RouteDecision::Refuse(RefuseReason::AgencyNotValid {
                        agency: agency.code.clone(),
                        valid_from: agency.valid_from,
                        valid_until: agency.valid_until,
                        today,
                        replaced_by: self.successor(a, today),
                    });
                }
                let home = self.homes[a as usize];
                if home == h {
                    return RouteDecision::LocalInbox {
                        agency: agency.code.clone(),
                    };
                }
                self.step_towards(h, home)
            }
        };
        if hops.len() >= self.hop_limit as usize {
            return RouteDecision::Refuse(RefuseReason::HopLimit {
                hops: hops.len(),
                limit: self.hop_limit,
            });
        }
        let (Step::Child(next) | Step::Parent(next) | Step::Shortcut(next)) = step;
        let id = &self.gateways[next as usize].id;
        if hops.contains(id) {
            return RouteDecision::Refuse(RefuseReason::Loop {
                gateway: id.clone(),
            });
        }
        match step {
            Step::Child(_) => RouteDecision::Child(id.clone()),
            Step::Parent(_) => RouteDecision::Parent(id.clone()),
            Step::Shortcut(_) => RouteDecision::Shortcut(id.clone()),
        }
    }

    /// Group the recipients of one message by next hop (see [`Directory::route`] for the
    /// per-recipient rules). Repeated recipients count once; an alias and its canonical code
    /// make one local delivery. Ordering is deterministic.
    pub fn group_by_next_hop(
        &self,
        recipients: &[AgencyCode],
        here: &GatewayId,
        hops: &[GatewayId],
        today: Date,
    ) -> NextHops {
        let mut local: BTreeMap<AgencyCode, BTreeSet<AgencyCode>> = BTreeMap::new();
        let mut forward: BTreeMap<GatewayId, BTreeSet<AgencyCode>> = BTreeMap::new();
        let mut refused: Vec<Refusal> = Vec::new();
        let mut refused_seen: BTreeSet<&AgencyCode> = BTreeSet::new();
        for r in recipients {
            match self.route(r, here, hops, today) {
                RouteDecision::LocalInbox { agency } => {
                    local.entry(agency).or_default().insert(r.clone());
                }
                RouteDecision::Child(g) | RouteDecision::Parent(g) | RouteDecision::Shortcut(g) => {
                    forward.entry(g).or_default().insert(r.clone());
                }
                RouteDecision::Refuse(reason) => {
                    if refused_seen.insert(r) {
                        refused.push(Refusal {
                            recipient: r.clone(),
                            reason,
                        });
                    }
                }
            }
        }
        NextHops {
            local: local
                .into_iter()
                .map(|(agency, requested)| LocalDelivery {
                    agency,
                    requested: requested.into_iter().collect(),
                })
                .collect(),
            forward: forward
                .into_iter()
                .map(|(g, set)| (g, set.into_iter().collect()))
                .collect(),
            refused,
        }
    }

    /// The next step from gateway `h` towards gateway `home` (`h != home`).
    #[inline]
    fn step_towards(&self, h: u32, home: u32) -> Step {
        let shortcuts = &self.shortcuts[h as usize];
        if !shortcuts.is_empty()
            && let Some(t) = self.best_shortcut(h, home, shortcuts)
        {
            return Step::Shortcut(t);
        }
        if self.contains(h, home) {
            let kids = &self.children[h as usize];
            // Children are in pre-order: the one holding `home` is the last starting at or
            // before it.
            let pos = kids.partition_point(|&c| c <= home);
            match pos.checked_sub(1).and_then(|p| kids.get(p)) {
                Some(&c) => Step::Child(c),
                // Unreachable: `home` is strictly inside the subtree of `h`.
                None => Step::Parent(self.nodes[h as usize].parent),
            }
        } else {
            Step::Parent(self.nodes[h as usize].parent)
        }
    }

    /// The shortcut target closest to `home` among those that hold `home` in their subtree
    /// and give a path not longer than the tree path.
    fn best_shortcut(&self, h: u32, home: u32, targets: &[u32]) -> Option<u32> {
        let depth = |g: u32| self.nodes[g as usize].depth;
        // Tree distance h -> home, through their lowest common ancestor.
        let mut lca = h;
        while !self.contains(lca, home) {
            lca = self.nodes[lca as usize].parent;
        }
        let tree = depth(h) + depth(home) - 2 * depth(lca);
        targets
            .iter()
            .copied()
            .filter(|&t| self.contains(t, home) && 1 + depth(home) - depth(t) <= tree)
            .max_by_key(|&t| depth(t))
    }

    /// The agency that replaces agency `a`: follow `replaced_by` to the first one valid on
    /// `today`, or to the end of the chain.
    fn successor(&self, a: u32, today: Date) -> Option<AgencyCode> {
        let mut current = &self.agencies[a as usize];
        let mut last = None;
        // Bounded: a chain cannot be longer than the number of agencies (cycles allowed).
        for _ in 0..self.agencies.len() {
            let Some(next) = current.replaced_by.as_ref().and_then(|c| self.agency(c)) else {
                break;
            };
            last = Some(next);
            if next.is_valid_on(today) {
                break;
            }
            current = next;
        }
        last.map(|a| a.code.clone())
    }
}

impl fmt::Display for RouteDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDecision::LocalInbox { agency } => write!(f, "local inbox of {agency}"),
            RouteDecision::Child(g) => write!(f, "child {g}"),
            RouteDecision::Parent(g) => write!(f, "parent {g}"),
            RouteDecision::Shortcut(g) => write!(f, "shortcut {g}"),
            RouteDecision::Refuse(r) => write!(f, "refuse: {r}"),
        }
    }
}
