//! Vietnamese (the default) and English for everything a person reads.
//!
//! * [`Lang`]: which one, from `--lang`, the locale environment or `Accept-Language`;
//! * [`tr`] and the [`t!`] macro: a message from the Fluent catalogs under `locales/`
//!   (one file per area: the codes, the API, the console, the command line, the reports);
//! * [`code_message`]: what a [`Code`] means, in either language;
//! * [`human_time`]: `dd/MM/yyyy HH:mm` in Vietnam time for people (JSON carries RFC 3339).
//!
//! Message ids are kebab-case with an area prefix (`code-`, `api-`, `console-`, `cli-`…).
//! Tests keep the two languages in step: the same ids, each with the same variables.

mod catalog;
mod lang;
mod time;

pub use catalog::{
    Arg, FILES, Msg, code_id, code_message, has, inventory, load_errors, plain_patterns, tr,
};
pub use lang::Lang;
pub use time::{human_day, human_time};

/// A message with named values: `t!(lang, "api-header-missing", name = "x")`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:expr $(, $k:ident = $v:expr)* $(,)?) => {
        $crate::tr($lang, $id, &[$((stringify!($k), $crate::Arg::from($v))),*])
    };
}

/// A message to be put in a language later: `msg!("api-header-missing", name = "x")`.
#[macro_export]
macro_rules! msg {
    ($id:expr $(, $k:ident = $v:expr)* $(,)?) => {
        $crate::Msg { id: $id, args: vec![$((stringify!($k), $crate::Arg::from($v))),*] }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_types::Code;

    #[test]
    fn the_catalogs_read_cleanly() {
        assert_eq!(load_errors(), Vec::<String>::new());
    }

    #[test]
    fn both_languages_have_the_same_messages_with_the_same_variables() {
        let vi = inventory(Lang::Vi);
        let en = inventory(Lang::En);
        assert!(vi.len() > 100, "{}", vi.len());
        let only_vi: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !vi.contains_key(*k)).collect();
        assert!(only_vi.is_empty(), "only in Vietnamese: {only_vi:?}");
        assert!(only_en.is_empty(), "only in English: {only_en:?}");
        for (id, vars) in &vi {
            assert_eq!(Some(vars), en.get(id), "{id}: the variables differ");
        }
    }

    #[test]
    fn every_code_means_something_in_both_languages() {
        for &code in Code::ALL {
            for lang in Lang::ALL {
                let id = code_id(code);
                assert!(has(lang, &id), "{lang}: no {id}");
                assert!(!code_message(code, lang).is_empty());
            }
        }
        assert_eq!(
            code_message(Code::AuthForbidden, Lang::En),
            "this identity may not use this endpoint"
        );
        assert_ne!(
            code_message(Code::AuthForbidden, Lang::Vi),
            code_message(Code::AuthForbidden, Lang::En)
        );
    }

    #[test]
    fn a_missing_message_is_its_id_and_variables_are_filled_in() {
        assert_eq!(tr(Lang::Vi, "no-such-message", &[]), "no-such-message");
        let text = t!(Lang::En, "api-header-missing", name = "lienthong-hops");
        assert!(text.contains("lienthong-hops"), "{text}");
        assert!(!text.contains('\u{2068}'), "no isolation marks");
    }

    #[test]
    fn console_messages_are_plain_text_with_variables() {
        for lang in Lang::ALL {
            let plain = plain_patterns(lang, "console-");
            let all: Vec<_> = inventory(lang)
                .into_keys()
                .filter(|k| k.starts_with("console-"))
                .collect();
            assert!(!all.is_empty());
            for id in all {
                assert!(plain.contains_key(&id), "{lang}: {id} is not plain");
            }
        }
    }
}
