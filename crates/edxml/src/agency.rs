//! Agency codes (mã định danh).
//!
//! An [`AgencyCode`] is an opaque identifier of at most 35 characters of `[0-9A-Z.]`
//! (QĐ 20/2020/QĐ-TTg). Codes in the QCVN 102:2016 four-group form `LLL.KK.JJ.Xnn` are
//! also understood structurally ([`Qcvn102`]): written lowest level first, `0`s meaning
//! "this level is the unit itself", so `000.00.00.H50` is a level-1 unit (UBND tỉnh
//! Quảng Trị) and `000.00.11.H53` a level-2 unit under `000.00.00.H53`.
//!
//! Routing must never rely only on the structure: since the 2025 reform codes are
//! reassigned and aliased, and the directory is the authority. The structure is a hint.

use std::fmt;
use std::str::FromStr;

use lienthong_i18n::{Msg, msg};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Maximum length of an agency code (QĐ 20/2020/QĐ-TTg).
pub const MAX_AGENCY_CODE_LEN: usize = 35;

/// Why a string is not an agency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyCodeError {
    /// Empty string.
    #[error("agency code is empty")]
    Empty,
    /// Longer than 35 characters.
    #[error("agency code '{0}' is longer than 35 characters")]
    TooLong(String),
    /// A character outside `[0-9A-Z.]`.
    #[error("agency code '{code}' has character '{ch}' (only 0-9, A-Z and '.' are allowed)")]
    BadChar {
        /// The code as given.
        code: String,
        /// The first offending character.
        ch: char,
    },
}

impl AgencyCodeError {
    /// Why the string is not an agency code, for people, in any language; in English it is
    /// the `Display`.
    pub fn msg(&self) -> Msg {
        match self {
            AgencyCodeError::Empty => msg!("edxml-agency-empty"),
            AgencyCodeError::TooLong(code) => msg!("edxml-agency-too-long", code = code),
            AgencyCodeError::BadChar { code, ch } => {
                msg!(
                    "edxml-agency-bad-char",
                    code = code,
                    character = ch.to_string()
                )
            }
        }
    }

    /// The reader's warning: this, then "; kept as written".
    pub(crate) fn kept_msg(&self) -> Msg {
        match self {
            AgencyCodeError::Empty => msg!("edxml-agency-empty-kept"),
            AgencyCodeError::TooLong(code) => msg!("edxml-agency-too-long-kept", code = code),
            AgencyCodeError::BadChar { code, ch } => {
                msg!(
                    "edxml-agency-bad-char-kept",
                    code = code,
                    character = ch.to_string()
                )
            }
        }
    }
}

/// A valid agency code. Once parsed it is valid; compare and hash it as a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode(Box<str>);

impl AgencyCode {
    /// Parse a code, strictly.
    pub fn parse(s: &str) -> Result<AgencyCode, AgencyCodeError> {
        if s.is_empty() {
            return Err(AgencyCodeError::Empty);
        }
        if s.chars().count() > MAX_AGENCY_CODE_LEN {
            return Err(AgencyCodeError::TooLong(s.to_owned()));
        }
        if let Some(ch) = s
            .chars()
            .find(|c| !(c.is_ascii_digit() || c.is_ascii_uppercase() || *c == '.'))
        {
            return Err(AgencyCodeError::BadChar {
                code: s.to_owned(),
                ch,
            });
        }
        Ok(AgencyCode(s.into()))
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The QCVN 102 structure, if the code has the four-group form.
    pub fn qcvn102(&self) -> Option<Qcvn102> {
        Qcvn102::parse(&self.0)
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AgencyCode {
    type Err = AgencyCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AgencyCode::parse(s)
    }
}

impl AsRef<str> for AgencyCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for AgencyCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AgencyCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AgencyCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The group letter of a QCVN 102 level-1 unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyGroup {
    /// A: Party bodies (including provincial Party committees).
    Party,
    /// B: Office of the President.
    President,
    /// C: National Assembly bodies.
    NationalAssembly,
    /// D: Supreme People's Court.
    Court,
    /// E: Supreme People's Procuracy.
    Procuracy,
    /// F: State Audit.
    StateAudit,
    /// G: ministries and government agencies (G22 = Văn phòng Chính phủ).
    Government,
    /// H: provincial People's Committees (UBND tỉnh/thành phố).
    ProvincialCommittee,
    /// I: central socio-political organisations.
    SocioPolitical,
    /// J: socio-professional organisations.
    SocioProfessional,
    /// K: provincial People's Councils (HĐND tỉnh).
    ProvincialCouncil,
    /// Any other letter.
    Other(char),
}

impl AgencyGroup {
    fn from_letter(c: char) -> AgencyGroup {
        match c {
            'A' => AgencyGroup::Party,
            'B' => AgencyGroup::President,
            'C' => AgencyGroup::NationalAssembly,
            'D' => AgencyGroup::Court,
            'E' => AgencyGroup::Procuracy,
            'F' => AgencyGroup::StateAudit,
            'G' => AgencyGroup::Government,
            'H' => AgencyGroup::ProvincialCommittee,
            'I' => AgencyGroup::SocioPolitical,
            'J' => AgencyGroup::SocioProfessional,
            'K' => AgencyGroup::ProvincialCouncil,
            other => AgencyGroup::Other(other),
        }
    }
}

/// A code in the QCVN 102 four-group form `LLL.KK.JJ.Xnn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Qcvn102 {
    /// Level-4 group (3 digits).
    pub level4: u16,
    /// Level-3 group (2 digits).
    pub level3: u8,
    /// Level-2 group (2 digits).
    pub level2: u8,
    /// Level-1 group letter.
    pub letter: char,
    /// Level-1 number (2 digits), e.g. 50 for H50.
    pub level1: u8,
}

impl Qcvn102 {
    /// Parse the four-group form; `None` for any other shape.
    pub fn parse(s: &str) -> Option<Qcvn102> {
        let b = s.as_bytes();
        if b.len() != 13 || b[3] != b'.' || b[6] != b'.' || b[9] != b'.' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let letter = char::from(b[10]);
        if !letter.is_ascii_uppercase() {
            return None;
        }
        Some(Qcvn102 {
            level4: digits(0..3)?,
            level3: u8::try_from(digits(4..6)?).ok()?,
            level2: u8::try_from(digits(7..9)?).ok()?,
            letter,
            level1: u8::try_from(digits(11..13)?).ok()?,
        })
    }

    /// The level of the unit: 1 for `000.00.00.Xnn`, 2 for `000.00.JJ.Xnn`, 3 for
    /// `000.KK.JJ.Xnn`, 4 for `LLL.KK.JJ.Xnn`: the lowest non-zero group decides.
    pub fn level(&self) -> u8 {
        if self.level4 != 0 {
            4
        } else if self.level3 != 0 {
            3
        } else if self.level2 != 0 {
            2
        } else {
            1
        }
    }

    /// The group of the level-1 unit.
    pub fn group(&self) -> AgencyGroup {
        AgencyGroup::from_letter(self.letter)
    }

    /// The code of the unit one level up, by structure (`None` at level 1).
    pub fn parent(&self) -> Option<Qcvn102> {
        let mut p = *self;
        match self.level() {
            4 => p.level4 = 0,
            3 => p.level3 = 0,
            2 => p.level2 = 0,
            _ => return None,
        }
        Some(p)
    }

    /// The level-1 unit this code belongs to (`000.00.00.Xnn`).
    pub fn top(&self) -> Qcvn102 {
        Qcvn102 {
            level4: 0,
            level3: 0,
            level2: 0,
            ..*self
        }
    }

    /// As an [`AgencyCode`].
    pub fn to_code(&self) -> AgencyCode {
        AgencyCode(self.to_string().into())
    }
}

impl fmt::Display for Qcvn102 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:03}.{:02}.{:02}.{}{:02}",
            self.level4, self.level3, self.level2, self.letter, self.level1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_codes() {
        assert!(AgencyCode::parse("000.00.00.H50").is_ok());
        assert!(AgencyCode::parse("00.53.W00").is_ok());
        assert!(AgencyCode::parse("VN.GOV.123").is_ok());
        assert_eq!(AgencyCode::parse(""), Err(AgencyCodeError::Empty));
        assert!(matches!(
            AgencyCode::parse("000.00.00.h50"),
            Err(AgencyCodeError::BadChar { ch: 'h', .. })
        ));
        assert!(matches!(
            AgencyCode::parse("null"),
            Err(AgencyCodeError::BadChar { .. })
        ));
        assert!(matches!(
            AgencyCode::parse(&"1".repeat(36)),
            Err(AgencyCodeError::TooLong(_))
        ));
        assert!(AgencyCode::parse(&"1".repeat(35)).is_ok());
    }

    #[test]
    fn qcvn102_levels() {
        let lv = |s: &str| AgencyCode::parse(s).unwrap().qcvn102().map(|q| q.level());
        assert_eq!(lv("000.00.00.H50"), Some(1));
        assert_eq!(lv("000.00.11.H53"), Some(2));
        assert_eq!(lv("000.05.11.H53"), Some(3));
        assert_eq!(lv("012.05.11.H53"), Some(4));
        assert_eq!(lv("00.53.W00"), None);
        assert_eq!(lv("001.00.20.TT2"), None);
        let q = Qcvn102::parse("012.05.11.H53").unwrap();
        assert_eq!(q.parent().unwrap().to_string(), "000.05.11.H53");
        assert_eq!(q.top().to_string(), "000.00.00.H53");
        assert_eq!(q.group(), AgencyGroup::ProvincialCommittee);
        assert_eq!(
            Qcvn102::parse("000.00.00.G22").unwrap().group(),
            AgencyGroup::Government
        );
        assert_eq!(Qcvn102::parse("000.00.00.H50").unwrap().parent(), None);
    }

    #[test]
    fn serde_is_a_plain_string() {
        let c = AgencyCode::parse("000.00.00.G22").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"000.00.00.G22\"");
        let back: AgencyCode = serde_json::from_str("\"000.00.00.G22\"").unwrap();
        assert_eq!(back, c);
        assert!(serde_json::from_str::<AgencyCode>("\"bad code\"").is_err());
    }
}
