//! Which language a person reads: Vietnamese unless they asked for English.
//!
//! The command line takes `--lang`, then the locale environment (`LC_ALL`, `LC_MESSAGES`,
//! `LANG`, the first that is set decides); the gateway takes the request's
//! `Accept-Language`; the console the browser's languages, with a switch. Anything that is
//! neither Vietnamese nor English (`C`, `POSIX`, `fr_FR`) leaves the default, Vietnamese:
//! the people lienthong serves read it, and a server's `LANG=C.UTF-8` says nothing about
//! the reader.

use std::fmt;
use std::str::FromStr;

/// A language lienthong speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Both, the default first.
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The BCP 47 tag: `vi` or `en`.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The language a tag or locale name names: `vi`, `vi-VN`, `vi_VN.UTF-8`, `en`,
    /// `en-GB`, `en_US.UTF-8@euro`… in any case; `None` for anything else.
    pub fn parse(text: &str) -> Option<Lang> {
        let primary = text
            .trim()
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of the locale environment, given its variables' values (`LC_ALL`,
    /// `LC_MESSAGES`, `LANG`, in that order): the first one set and not empty decides, as
    /// POSIX says; if it names neither language, Vietnamese.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.trim().is_empty())
            .and_then(Lang::parse)
            .unwrap_or_default()
    }

    /// The language an `Accept-Language` header prefers (RFC 9110 §12.5.4): the highest
    /// quality among those that name Vietnamese or English, the first listed on a tie;
    /// Vietnamese when it names neither (or is absent, or unreadable).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        // A header is short in practice; the bound keeps a hostile one cheap.
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), quality);
            let Some(q) = q else { continue };
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A quality value in thousandths (`1`, `0.8`, `0.125`), or `None` if it is not one.
fn quality(text: &str) -> Option<u16> {
    let text = text.trim();
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    let q = whole * 1000 + thousandths;
    (q <= 1000).then_some(q)
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::parse(s).ok_or_else(|| format!("'{s}': vi or en"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_locale_names_are_read_by_their_primary_language() {
        for (text, want) in [
            ("vi", Some(Lang::Vi)),
            ("vi-VN", Some(Lang::Vi)),
            ("vi_VN.UTF-8", Some(Lang::Vi)),
            ("EN", Some(Lang::En)),
            ("en_US.UTF-8@euro", Some(Lang::En)),
            ("en-GB", Some(Lang::En)),
            ("C.UTF-8", None),
            ("POSIX", None),
            ("fr_FR", None),
            ("", None),
            ("vie", None),
        ] {
            assert_eq!(Lang::parse(text), want, "{text}");
        }
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("de".parse::<Lang>().is_err());
    }

    #[test]
    fn the_first_locale_variable_set_decides_and_the_default_is_vietnamese() {
        assert_eq!(Lang::from_locale(None, None, None), Lang::Vi);
        assert_eq!(Lang::from_locale(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(
            Lang::from_locale(None, Some("vi_VN"), Some("en_US")),
            Lang::Vi
        );
        assert_eq!(
            Lang::from_locale(Some("en_GB"), Some("vi_VN"), None),
            Lang::En
        );
        assert_eq!(Lang::from_locale(Some(""), None, Some("en")), Lang::En);
        // A server's C locale says nothing about its reader.
        assert_eq!(Lang::from_locale(None, None, Some("C.UTF-8")), Lang::Vi);
        assert_eq!(Lang::from_locale(None, Some("C"), Some("en_US")), Lang::Vi);
    }

    #[test]
    fn accept_language_takes_the_best_quality_of_the_two() {
        for (h, want) in [
            ("", Lang::Vi),
            ("en", Lang::En),
            ("en-US,en;q=0.9", Lang::En),
            ("fr-FR, en;q=0.5, vi;q=0.8", Lang::Vi),
            ("vi;q=0.2, en;q=0.3", Lang::En),
            ("en;q=0, vi;q=0.1", Lang::Vi),
            ("en;q=0", Lang::Vi),
            ("fr, de", Lang::Vi),
            ("en;q=2, vi;q=0.5", Lang::Vi),
            ("en;q=abc", Lang::Vi),
            ("en;q=0.1234", Lang::Vi),
            ("vi, en", Lang::Vi),
            ("en, vi", Lang::En),
            (";;;,,,q=1", Lang::Vi),
        ] {
            assert_eq!(Lang::from_accept_language(h), want, "{h:?}");
        }
        let long = "fr;q=0.1,".repeat(10_000) + "en";
        assert_eq!(
            Lang::from_accept_language(&long),
            Lang::Vi,
            "only the first 32 items"
        );
    }
}
