//! Gateway identifiers.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Maximum length of a gateway id (a DNS label).
pub const MAX_GATEWAY_ID_LEN: usize = 63;

/// Why a string is not a [`GatewayId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayIdError {
    /// Empty string.
    #[error("gateway id is empty")]
    Empty,
    /// Longer than 63 characters.
    #[error("gateway id '{0}' is longer than 63 characters")]
    TooLong(String),
    /// A character outside `[a-z0-9-]`.
    #[error("gateway id '{id}' has character '{ch}' (only a-z, 0-9 and '-' are allowed)")]
    BadChar {
        /// The id as given.
        id: String,
        /// The first offending character.
        ch: char,
    },
}

/// A valid gateway id: 1 to 63 characters of `[a-z0-9-]`, e.g. `gw-h50`.
///
/// It is also the name in the gateway's certificate (`urn:lienthong:gateway:ID`). Cloning is
/// cheap (reference counted), so route decisions hand out owned ids.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GatewayId(Arc<str>);

impl GatewayId {
    /// Parse an id, strictly.
    pub fn parse(s: &str) -> Result<GatewayId, GatewayIdError> {
        if s.is_empty() {
            return Err(GatewayIdError::Empty);
        }
        if let Some(ch) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(GatewayIdError::BadChar {
                id: s.to_owned(),
                ch,
            });
        }
        if s.len() > MAX_GATEWAY_ID_LEN {
            return Err(GatewayIdError::TooLong(s.to_owned()));
        }
        Ok(GatewayId(s.into()))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for GatewayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GatewayId({:?})", &*self.0)
    }
}

impl fmt::Display for GatewayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for GatewayId {
    type Err = GatewayIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GatewayId::parse(s)
    }
}

impl AsRef<str> for GatewayId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// Hash, Eq and Ord are those of the inner `str`, so maps keyed by `GatewayId` can be
// queried with a `&str`.
impl Borrow<str> for GatewayId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for GatewayId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for GatewayId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        GatewayId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_ids() {
        assert_eq!(GatewayId::parse("gw-h50").unwrap().as_str(), "gw-h50");
        assert!(GatewayId::parse("0").is_ok());
        assert!(GatewayId::parse(&"a".repeat(63)).is_ok());
        assert_eq!(GatewayId::parse(""), Err(GatewayIdError::Empty));
        assert!(matches!(
            GatewayId::parse(&"a".repeat(64)),
            Err(GatewayIdError::TooLong(_))
        ));
        assert!(matches!(
            GatewayId::parse("gw-H50"),
            Err(GatewayIdError::BadChar { ch: 'H', .. })
        ));
        assert!(matches!(
            GatewayId::parse("gw_h50"),
            Err(GatewayIdError::BadChar { ch: '_', .. })
        ));
        assert!(matches!(
            GatewayId::parse("gw-hà"),
            Err(GatewayIdError::BadChar { ch: 'à', .. })
        ));
    }

    #[test]
    fn serde_and_borrow() {
        let id = GatewayId::parse("gw-g22").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"gw-g22\"");
        assert_eq!(serde_json::from_str::<GatewayId>("\"gw-g22\"").unwrap(), id);
        assert!(serde_json::from_str::<GatewayId>("\"GW\"").is_err());
        let mut m = std::collections::HashMap::new();
        m.insert(id.clone(), 1);
        assert_eq!(m.get("gw-g22"), Some(&1));
        assert_eq!(format!("{id:?}"), "GatewayId(\"gw-g22\")");
    }
}
