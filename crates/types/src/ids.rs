//! Identifiers: [`MessageId`] and [`Sha256`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::time::Timestamp;

/// A message id: a UUID version 7, written as the hyphenated lower-case string.
///
/// Ids of local submissions are made by [`MessageId::new_v7`]; relayed messages keep the id the
/// first gateway gave them. Parsing refuses anything that is not a hyphenated UUID v7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(uuid::Uuid);

impl MessageId {
    /// A fresh UUID v7 carrying the time `now` (random low bits).
    pub fn new_v7(now: Timestamp) -> MessageId {
        let ms = now.as_millis();
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            ms / 1000,
            ((ms % 1000) * 1_000_000) as u32,
        );
        MessageId(uuid::Uuid::new_v7(ts))
    }

    /// The smallest id a message accepted at `at` can have (its random bits all zero): list
    /// `after` it to start at that time.
    pub fn first_at(at: Timestamp) -> MessageId {
        MessageId(uuid::Builder::from_unix_timestamp_millis(at.as_millis(), &[0; 10]).into_uuid())
    }

    /// The 16 bytes of the UUID (big-endian, so byte order = time order).
    pub fn to_bytes(self) -> [u8; 16] {
        *self.0.as_bytes()
    }

    /// Rebuild from 16 bytes; `None` unless they are a UUID version 7.
    pub fn from_bytes(bytes: [u8; 16]) -> Option<MessageId> {
        let u = uuid::Uuid::from_bytes(bytes);
        (u.get_version_num() == 7).then_some(MessageId(u))
    }

    /// The underlying UUID.
    pub fn as_uuid(&self) -> &uuid::Uuid {
        &self.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

/// Why a string is not a [`MessageId`] or a [`Sha256`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {reason}")]
pub struct ParseIdError {
    what: &'static str,
    reason: &'static str,
}

impl FromStr for MessageId {
    type Err = ParseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| ParseIdError {
            what: "message id",
            reason,
        };
        if s.len() != 36 {
            return Err(err("expected a hyphenated UUID (36 characters)"));
        }
        let u = uuid::Uuid::try_parse(s).map_err(|_| err("not a UUID"))?;
        if u.get_version_num() != 7 {
            return Err(err("not a UUID version 7"));
        }
        Ok(MessageId(u))
    }
}

impl Serialize for MessageId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A SHA-256 digest; displayed and parsed as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256([u8; 32]);

impl Sha256 {
    /// Wrap raw digest bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Sha256 {
        Sha256(bytes)
    }

    /// The digest of `data`.
    pub fn digest(data: &[u8]) -> Sha256 {
        let d = ring::digest::digest(&ring::digest::SHA256, data);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Sha256(out)
    }

    /// The raw digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl FromStr for Sha256 {
    type Err = ParseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| ParseIdError {
            what: "sha-256",
            reason,
        };
        let b = s.as_bytes();
        if b.len() != 64 {
            return Err(err("expected 64 hex digits"));
        }
        let mut out = [0u8; 32];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            let hi = hex_val(pair[0]).ok_or_else(|| err("not a hex digit"))?;
            let lo = hex_val(pair[1]).ok_or_else(|| err("not a hex digit"))?;
            out[i] = (hi << 4) | lo;
        }
        Ok(Sha256(out))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Serialize for Sha256 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
