//! The configuration's problems and warnings, and the start's errors, as messages of the
//! catalogs (`config-…`): each is rendered in English where a text is kept (the error's
//! `Display`, `Validated::warnings`, the logs) and in the reader's language where a person
//! reads it (`lienthong serve`). The errors of the libraries the configuration is checked
//! with are translated where their English is known here, and kept as written otherwise.

use lienthong_compliance::{CalendarError, ScoreRule};
use lienthong_i18n::{Arg, Lang, Msg, msg};
use lienthong_routing::GatewayIdError;

/// The problems in English, `; ` between them (as [`super::Config::from_toml`] gives them).
pub fn english(problems: &[Msg]) -> String {
    problems
        .iter()
        .map(|m| m.render(Lang::En))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `KEY: ERROR`, the error a message of its own.
pub(super) fn at(key: impl Into<String>, error: Msg) -> Msg {
    let key: String = key.into();
    msg!(
        "config-key-error",
        key = key,
        error = Arg::Msgs(vec![error])
    )
}

/// `KEY: DETAIL`, the detail as a library wrote it (English).
pub(super) fn at_detail(key: impl Into<String>, detail: String) -> Msg {
    let key: String = key.into();
    msg!("config-key-error", key = key, error = detail)
}

/// `m` if its English is `english`, else `english` as it is: a library's text copied into
/// the catalogs is used only while it still reads the same.
fn same(m: Msg, english: &str) -> Msg {
    if m.render(Lang::En) == english {
        m
    } else {
        msg!("config-detail", detail = english)
    }
}

/// Why a gateway id is not one.
pub(super) fn gateway_id(e: &GatewayIdError) -> Msg {
    let m = match e {
        GatewayIdError::Empty => msg!("config-gateway-id-empty"),
        GatewayIdError::TooLong(id) => msg!("config-gateway-id-too-long", id = id),
        GatewayIdError::BadChar { id, ch } => {
            msg!(
                "config-gateway-id-bad-char",
                id = id,
                character = ch.to_string()
            )
        }
    };
    same(m, &e.to_string())
}

/// `[calendar]` that cannot be used.
pub(super) fn calendar(e: &CalendarError) -> Msg {
    let m = match e {
        CalendarError::Order { start, end } => msg!(
            "config-calendar-order",
            start = start.to_string(),
            end = end.to_string()
        ),
        CalendarError::Parse(p) if p.what == "date" => {
            msg!("config-calendar-not-date", given = &p.given)
        }
        CalendarError::Parse(p) if p.what == "time of day" => {
            msg!("config-calendar-not-time", given = &p.given)
        }
        CalendarError::Parse(_) => return at_detail("calendar", e.to_string()),
    };
    same(m, &format!("calendar: {e}"))
}

/// `[compliance]`'s score rule that cannot be used; `detail` is the rule's own text.
pub(super) fn score(s: &ScoreRule, detail: String) -> Msg {
    let english = format!("compliance: {detail}");
    let target = [
        ("signed_target", s.signed_target),
        ("same_day_target", s.same_day_target),
    ]
    .into_iter()
    .find(|(_, t)| !(*t > 0.0 && *t <= 1.0));
    let m = match target {
        Some((key, t)) => msg!("config-compliance-target", key = key, value = t.to_string()),
        None => msg!(
            "config-compliance-weights",
            signed = s.signed_weight.to_string(),
            same_day = s.same_day_weight.to_string()
        ),
    };
    same(m, &english)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_compliance::Calendar;

    fn differs(m: &Msg) -> bool {
        m.id != "config-detail" && m.render(Lang::Vi) != m.render(Lang::En)
    }

    #[test]
    fn copied_texts_still_read_as_the_libraries_write_them() {
        let long = "a".repeat(70);
        for s in ["", "gw-H50", long.as_str()] {
            let Err(e) = lienthong_routing::GatewayId::parse(s) else {
                panic!("{s} is an id");
            };
            let m = gateway_id(&e);
            assert!(differs(&m), "{s}: {}", m.render(Lang::En));
            assert_eq!(m.render(Lang::En), e.to_string());
        }
        for (holidays, start, end) in [
            (vec!["2026-02-30".to_owned()], "08:00", "17:00"),
            (vec![], "8h", "17:00"),
            (vec![], "08:00", "07:00"),
        ] {
            let Err(e) = Calendar::new(&holidays, start, end) else {
                panic!("{start}-{end} is a calendar");
            };
            let m = calendar(&e);
            assert!(differs(&m), "{}", m.render(Lang::En));
            assert_eq!(m.render(Lang::En), format!("calendar: {e}"));
        }
        let targets = ScoreRule {
            same_day_target: 1.5,
            ..ScoreRule::default()
        };
        let weights = ScoreRule {
            signed_weight: 0.0,
            same_day_weight: 0.0,
            ..ScoreRule::default()
        };
        for rule in [targets, weights] {
            let Err(detail) = rule.validate() else {
                panic!("{rule:?} is valid");
            };
            let m = score(&rule, detail.clone());
            assert!(differs(&m), "{}", m.render(Lang::En));
            assert_eq!(m.render(Lang::En), format!("compliance: {detail}"));
        }
    }

    #[test]
    fn a_text_no_longer_copied_is_kept_as_written() {
        let m = same(msg!("config-gateway-id-empty"), "something else");
        assert_eq!(m.render(Lang::Vi), "something else");
    }
}
