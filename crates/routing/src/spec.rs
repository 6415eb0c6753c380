//! The directory file model: what a TOML or JSON directory file says, before validation.
//!
//! Values are kept as written (strings) so that [`Directory::from_spec`] can check every
//! item and report *all* problems with their location, instead of stopping at the first
//! bad code. Unknown keys are refused here already.
//!
//! [`Directory::from_spec`]: crate::Directory::from_spec

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// A whole directory file: the gateway tree, the agencies and the static shortcuts.
///
/// In TOML the lists are the arrays of tables `[[gateway]]`, `[[agency]]` and `[[shortcut]]`;
/// in JSON they are the arrays `"gateway"`, `"agency"` and `"shortcut"` (same model).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorySpec {
    /// Format version; only `1` is known. Absent means `1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Maximum number of gateway-to-gateway hops of a message (default
    /// [`DEFAULT_HOP_LIMIT`](crate::DEFAULT_HOP_LIMIT)); at least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hop_limit: Option<u32>,
    /// The gateways (`[[gateway]]`); exactly one has no parent (the root).
    #[serde(default, rename = "gateway")]
    pub gateways: Vec<GatewaySpec>,
    /// The agencies (`[[agency]]`).
    #[serde(default, rename = "agency", skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<AgencySpec>,
    /// Static shortcut routes (`[[shortcut]]`), one direction each.
    #[serde(default, rename = "shortcut", skip_serializing_if = "Vec::is_empty")]
    pub shortcuts: Vec<ShortcutSpec>,
}

/// One `[[gateway]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySpec {
    /// The gateway id, `[a-z0-9-]{1,63}`, e.g. `gw-h50`.
    pub id: String,
    /// The parent gateway's id; absent for the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Where peers reach it, e.g. `https://10.0.0.5:8443`.
    pub url: String,
    /// A free label for people, e.g. `national`, `province`, `district`, `commune`.
    /// Routing never reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// One `[[agency]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencySpec {
    /// The canonical agency code (mã định danh), e.g. `000.00.00.H50`.
    pub code: String,
    /// The agency's name, e.g. `UBND tỉnh Quảng Trị`.
    pub name: String,
    /// The id of its home gateway (where its DMS connects).
    pub gateway: String,
    /// The code of the agency it belongs to (informational; routing does not use it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Other codes that mean this agency (older QCVN 102 codes, QĐ 20/2020 codes …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// First day the agency exists (inclusive), `YYYY-MM-DD`.
    #[serde(
        default,
        deserialize_with = "date_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_from: Option<String>,
    /// Last day the agency exists (inclusive), `YYYY-MM-DD`.
    #[serde(
        default,
        deserialize_with = "date_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_until: Option<String>,
    /// The code of the agency that took over its work (told to senders once it is no longer
    /// valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
    /// SHA-256 fingerprints of signing certificates pinned to this agency (64 hex digits, `:`
    /// between bytes allowed): their document signatures count for it although the
    /// certificates do not name its code (e.g. a national CA's certificates, which carry only
    /// the agency's name). A fingerprint is pinned to one agency at most.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<String>,
    /// Reached through its home gateway's uplink to another axis (the national axis, say):
    /// the home gateway sends its documents up over VXP instead of to an inbox of its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uplink: bool,
    /// The level of government it reports under in compliance reports: `central`,
    /// `province`, `department`, `district`, `commune` or `other`. Without it the level is
    /// read from the code's structure (see `Agency::level`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// One `[[shortcut]]`: a static route from one gateway straight to another (one direction).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortcutSpec {
    /// The gateway that may use the shortcut.
    pub from: String,
    /// The gateway it reaches directly.
    pub to: String,
}

/// Accept a date as a string, or as a TOML local date written without quotes
/// (`valid_from = 2016-04-01`); either way it is kept as text and checked later.
fn date_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct DateText;
    impl<'de> Visitor<'de> for DateText {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date YYYY-MM-DD")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let dt =
                toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
            Ok(Some(dt.to_string()))
        }
    }
    d.deserialize_any(DateText)
}
