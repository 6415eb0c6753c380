//! # lienthong-routing
//!
//! The directory of agencies and gateways, and the routing decisions of lienthong — pure
//! logic: no files, no network, no clock. The caller reads the directory file and passes its
//! text, and passes "today" as a [`Date`].
//!
//! ## Model
//!
//! * **Gateways** form one tree: exactly one root (e.g. the national gateway `gw-g22`), every
//!   other gateway names its parent. Any depth works: the four-level layout national →
//!   province → district → commune, the two-tier local layout in force since 1 July 2025
//!   (province → commune), and trees mixing both. A gateway has an id ([`GatewayId`],
//!   `[a-z0-9-]{1,63}`), a URL and an optional free `level` label that routing never reads.
//! * **Agencies** ([`Agency`]) have a canonical code ([`AgencyCode`], mã định danh), a name,
//!   a home gateway (where their DMS connects), optionally a parent agency (informational),
//!   **aliases** (other codes that mean the same agency: pre-2025 codes, QĐ 20/2020 codes …),
//!   a validity window `valid_from ..= valid_until` (whole days, both inclusive, either end
//!   open) and optionally `replaced_by`, the agency that took over its work. The directory is
//!   the authority: routing never guesses from the structure of a code.
//!   Every code and alias names exactly one agency.
//! * **Shortcuts** are static one-way routes from one gateway straight to another, e.g.
//!   between two provinces that exchange a lot (`gw-h50` → `gw-h48`).
//! * The **hop limit** caps the number of gateway-to-gateway hops of a message (default
//!   [`DEFAULT_HOP_LIMIT`]).
//!
//! Building a [`Directory`] precomputes, per gateway, its depth, parent, children and a
//! depth-first numbering in which every subtree is one index range, so "is X below Y" is two
//! comparisons and [`Directory::route`] does two hash look-ups and no allocation besides the
//! ids it returns.
//!
//! ## Routing rules
//!
//! [`Directory::route`]`(recipient, here, hops, today)` decides, for one recipient, what gateway
//! `here` does with a message that has already been at the gateways `hops`:
//!
//! 1. `here` is not in the directory → refuse ([`RefuseReason::UnknownGateway`]); `here` is
//!    in `hops` → refuse ([`RefuseReason::Loop`]).
//! 2. The recipient is resolved through codes and aliases to its canonical agency. Unknown:
//!    the **root refuses** ([`RefuseReason::UnknownAgency`], the sender gets a refusal status);
//!    any other gateway sends it to its parent, which may know more.
//! 3. Known but not valid on `today` → refuse ([`RefuseReason::AgencyNotValid`] with the
//!    window and the replacing agency, if configured).
//! 4. Homed here → [`RouteDecision::LocalInbox`] with the canonical code. Delivering to an
//!    inbox is not a hop, so the hop limit does not apply.
//! 5. A shortcut from `here` to the home gateway or to an ancestor of it is preferred over the
//!    tree path, unless it would make the path longer; the target closest to the home gateway
//!    wins → [`RouteDecision::Shortcut`].
//! 6. Otherwise the tree: the child whose subtree holds the home gateway
//!    ([`RouteDecision::Child`]), else the parent ([`RouteDecision::Parent`]).
//! 7. Before any next hop: if `hops.len()` is at or over the hop limit → refuse
//!    ([`RefuseReason::HopLimit`]); if the next hop is in `hops` → refuse
//!    ([`RefuseReason::Loop`]).
//!
//! With one directory shared by all gateways this always reaches the home gateway, along the
//! tree path or a shorter one using shortcuts (at most `2 × depth` hops), never visiting a
//! gateway twice. The loop and hop checks protect against gateways whose directories
//! disagree.
//!
//! [`Directory::group_by_next_hop`] applies the rules to every recipient of a message and
//! groups them by next hop ([`NextHops`]), so a message for N recipients crosses each link
//! once, carrying the recipients behind that link.
//!
//! ## File format
//!
//! TOML or JSON, same model ([`DirectorySpec`]); unknown keys are errors. Dates are
//! `"YYYY-MM-DD"` (in TOML also unquoted). Loading reports every problem found, each with its
//! location (`gateway[3] (id "gw-x")`, `agency[12] (code "…")`, `shortcut[0] (…)`; syntax
//! errors keep the parser's line and column): see [`LoadErrorKind`].
//!
//! ```toml
//! version = 1          # optional; only 1 is known
//! hop_limit = 16       # optional
//!
//! [[gateway]]
//! id = "gw-g22"                        # no parent: the root
//! url = "https://127.0.0.1:8440"
//! level = "national"                   # optional label
//!
//! [[gateway]]
//! id = "gw-h50"
//! parent = "gw-g22"
//! url = "https://127.0.0.1:8441"
//!
//! [[agency]]
//! code = "000.00.00.G22"
//! name = "Văn phòng Chính phủ"
//! gateway = "gw-g22"
//!
//! [[agency]]
//! code = "000.00.00.H50"
//! name = "UBND tỉnh Quảng Trị"
//! gateway = "gw-h50"
//! parent = "000.00.00.G22"             # optional
//! aliases = ["H50.UBND"]               # optional
//! valid_from = "2016-04-01"            # optional
//! valid_until = "2030-12-31"           # optional
//! replaced_by = "000.00.00.G22"        # optional
//!
//! [[shortcut]]
//! from = "gw-h50"
//! to = "gw-g22"
//! ```
//!
//! The same in JSON: `{"gateway": [{"id": "gw-g22", "url": "…"}, …], "agency": […],
//! "shortcut": […]}`.
//!
//! ## Example
//!
//! ```
//! use lienthong_edxml::AgencyCode;
//! use lienthong_routing::{Date, Directory, GatewayId, RouteDecision};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = Directory::from_toml(r#"
//!     [[gateway]]
//!     id = "gw-g22"
//!     url = "https://127.0.0.1:8440"
//!     [[gateway]]
//!     id = "gw-h50"
//!     parent = "gw-g22"
//!     url = "https://127.0.0.1:8441"
//!     [[agency]]
//!     code = "000.00.00.H50"
//!     name = "UBND tỉnh Quảng Trị"
//!     gateway = "gw-h50"
//! "#)?;
//! let today = Date::parse("2025-07-01")?;
//! let to = AgencyCode::parse("000.00.00.H50")?;
//! let root = GatewayId::parse("gw-g22")?;
//! let h50 = GatewayId::parse("gw-h50")?;
//! assert_eq!(dir.route(&to, &root, &[], today), RouteDecision::Child(h50.clone()));
//! assert_eq!(
//!     dir.route(&to, &h50, &[root], today),
//!     RouteDecision::LocalInbox { agency: to.clone() }
//! );
//! # Ok(())
//! # }
//! ```

mod date;
mod directory;
mod error;
mod load;
mod route;
mod spec;

pub use date::{Date, DateError};
pub use directory::{Agency, DEFAULT_HOP_LIMIT, Directory, Gateway, LEVELS};
pub use error::{LoadError, LoadErrorKind, LoadErrors, Location};
pub use lienthong_edxml::AgencyCode;
pub use lienthong_types::{GatewayId, GatewayIdError, MAX_GATEWAY_ID_LEN};
pub use route::{LocalDelivery, NextHops, Refusal, RefuseReason, RouteDecision};
pub use spec::{AgencySpec, DirectorySpec, GatewaySpec, ShortcutSpec};
