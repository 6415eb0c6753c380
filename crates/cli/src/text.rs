//! The language of everything this command prints: `--lang vi|en`, else the locale
//! environment (`LC_ALL`, `LC_MESSAGES`, `LANG`), else Vietnamese. It is chosen once, before
//! the command line is parsed (so that `--help` and the parser's errors are in it too), and
//! every message comes from the catalogs through [`say!`].

use std::sync::OnceLock;

use lienthong_i18n::Lang;

static LANG: OnceLock<Lang> = OnceLock::new();

/// The language chosen for this run.
pub(crate) fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// Choose the language from the arguments (`--lang X` or `--lang=X`, anywhere) and the
/// environment. An unknown `--lang` value is left for the parser to refuse.
pub(crate) fn choose(args: &[std::ffi::OsString]) -> Lang {
    let mut flag = None;
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            flag = it.next().and_then(|v| Lang::parse(&v));
        } else if let Some(v) = a.strip_prefix("--lang=") {
            flag = Lang::parse(v);
        }
    }
    let env = |k: &str| std::env::var(k).ok();
    let lang = flag.unwrap_or_else(|| {
        Lang::from_locale(
            env("LC_ALL").as_deref(),
            env("LC_MESSAGES").as_deref(),
            env("LANG").as_deref(),
        )
    });
    let _ = LANG.set(lang);
    lang
}

/// A message in the chosen language: `say!("cli-sent", id = x)`.
#[macro_export]
macro_rules! say {
    ($id:expr $(, $k:ident = $v:expr)* $(,)?) => {
        lienthong_i18n::t!($crate::text::lang(), $id $(, $k = $v)*)
    };
}

/// A time for people: `dd/MM/yyyy HH:mm`, Vietnam time.
pub(crate) fn when(t: lienthong_types::Timestamp) -> String {
    lienthong_i18n::human_time(t)
}
