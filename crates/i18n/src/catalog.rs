//! The message catalogs: one Fluent file per area and language under `locales/`,
//! compiled in, loaded once. A message is found by its id; an id missing from a catalog
//! comes back as the id itself (a test keeps that from happening: every id used in the
//! code is in both languages, with the same variables).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;

use crate::lang::Lang;
use crate::time::human_time;
use lienthong_types::Code;

/// The catalog files: (name, Vietnamese text, English text).
macro_rules! files {
    ($($name:literal),* $(,)?) => {
        &[$((
            $name,
            include_str!(concat!("../locales/vi/", $name, ".ftl")),
            include_str!(concat!("../locales/en/", $name, ".ftl")),
        )),*]
    };
}

/// Every catalog file, by area.
pub const FILES: &[(&str, &str, &str)] = files![
    "codes",
    "api",
    "console",
    "cli",
    "remote",
    "client",
    "demo",
    "report",
    "signatures",
    "pdf",
    "edxml",
    "config",
];

/// A value given to a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Text, shown as given.
    Text(String),
    /// A number (English chooses its plural forms by it).
    Number(f64),
    /// What a code means, in the message's language.
    Code(lienthong_types::Code),
    /// A time, shown as `dd/MM/yyyy HH:mm` in Vietnam time.
    Time(lienthong_types::Timestamp),
    /// Another message of the catalogs, without values, in the same language.
    Msg(&'static str),
    /// Several messages, each in the same language, joined by "; ".
    Msgs(Vec<Msg>),
    /// Findings a library wrote in English only, with the code of each: English shows the
    /// texts, other languages what the codes mean; each list joined by "; ".
    Findings {
        /// The library's texts.
        english: Vec<String>,
        /// Their codes, in the same order.
        codes: Vec<lienthong_types::Code>,
    },
}

impl From<lienthong_types::Code> for Arg {
    fn from(v: lienthong_types::Code) -> Arg {
        Arg::Code(v)
    }
}

impl From<lienthong_types::Timestamp> for Arg {
    fn from(v: lienthong_types::Timestamp) -> Arg {
        Arg::Time(v)
    }
}

/// A message not yet put in a language: its id and values. Errors carry one from where
/// they are made to where the reader's language is known (`msg!`).
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    /// The catalog id.
    pub id: &'static str,
    /// The values, by name.
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, Arg)> = self.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        tr(lang, self.id, &args)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(v.clone())
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_owned())
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn from(v: $t) -> Arg {
                Arg::Number(v as f64)
            }
        }
    )*};
}
numbers!(u8, u16, u32, u64, usize, i32, i64, f64);

struct Catalog {
    bundle: FluentBundle<FluentResource>,
    /// Each file's parse errors (a test keeps them empty).
    errors: Vec<String>,
}

fn catalogs() -> &'static [Catalog; 2] {
    static CATALOGS: OnceLock<[Catalog; 2]> = OnceLock::new();
    CATALOGS.get_or_init(|| Lang::ALL.map(load))
}

fn source(lang: Lang, file: &(&str, &'static str, &'static str)) -> &'static str {
    match lang {
        Lang::Vi => file.1,
        Lang::En => file.2,
    }
}

fn load(lang: Lang) -> Catalog {
    let id: unic_langid::LanguageIdentifier = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Terminals, CSV cells and JSON strings must not carry Unicode isolation marks.
    bundle.set_use_isolating(false);
    let mut errors = Vec::new();
    for file in FILES {
        let resource = match FluentResource::try_new(source(lang, file).to_owned()) {
            Ok(r) => r,
            Err((r, errs)) => {
                errors.extend(errs.iter().map(|e| format!("{lang}/{}.ftl: {e:?}", file.0)));
                r
            }
        };
        if let Err(errs) = bundle.add_resource(resource) {
            errors.extend(errs.iter().map(|e| format!("{lang}/{}.ftl: {e}", file.0)));
        }
    }
    Catalog { bundle, errors }
}

/// The catalog id of a code's message: `code-` and the code with `-` for `.`.
pub fn code_id(code: Code) -> String {
    format!("code-{}", code.as_str().replace('.', "-"))
}

/// What a code means, for people, in `lang`.
pub fn code_message(code: Code, lang: Lang) -> String {
    tr(lang, &code_id(code), &[])
}

/// The message `id` in `lang`, with its variables; the id itself if the catalog lacks it.
pub fn tr(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let bundle = &catalogs()[lang as usize].bundle;
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        let value = match v {
            Arg::Text(t) => FluentValue::from(t.clone()),
            Arg::Number(n) => FluentValue::from(*n),
            Arg::Code(c) => FluentValue::from(code_message(*c, lang)),
            Arg::Time(t) => FluentValue::from(human_time(*t)),
            Arg::Msg(id) => FluentValue::from(tr(lang, id, &[])),
            Arg::Msgs(list) => FluentValue::from(
                list.iter()
                    .map(|m| m.render(lang))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Arg::Findings { english, .. } if lang == Lang::En => {
                FluentValue::from(english.join("; "))
            }
            Arg::Findings { codes, .. } => FluentValue::from(
                codes
                    .iter()
                    .map(|c| code_message(*c, lang))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        fargs.set(*k, value);
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fargs), &mut errors)
        .into_owned()
}

/// Whether the catalog of `lang` has a message `id`.
pub fn has(lang: Lang, id: &str) -> bool {
    catalogs()[lang as usize].bundle.has_message(id)
}

/// What went wrong reading the catalogs (nothing, as a test keeps it).
pub fn load_errors() -> Vec<String> {
    catalogs().iter().flat_map(|c| c.errors.clone()).collect()
}

/// Every message of `lang`'s catalogs, each with the variables it uses.
pub fn inventory(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for_each_message(lang, |m| {
        let mut vars = BTreeSet::new();
        if let Some(p) = &m.value {
            pattern_vars(p, &mut vars);
        }
        for a in &m.attributes {
            pattern_vars(&a.value, &mut vars);
        }
        out.insert(m.id.name.to_owned(), vars);
    });
    out
}

/// Every message of `lang`'s catalogs, as written (a file that does not parse gives what
/// the parser recovered; `load_errors` reports it).
fn for_each_message(lang: Lang, mut f: impl FnMut(&ast::Message<&str>)) {
    for file in FILES {
        let resource = match fluent_syntax::parser::parse(source(lang, file)) {
            Ok(r) | Err((r, _)) => r,
        };
        for entry in &resource.body {
            if let ast::Entry::Message(m) = entry {
                f(m);
            }
        }
    }
}

fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expression_vars(expression, out);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, out),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                pattern_vars(&v.value, out);
            }
        }
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, out);
            }
            for n in &arguments.named {
                inline_vars(&n.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, out),
        _ => {}
    }
}

/// The messages whose id starts with `prefix`, as text with `{$name}` where a variable
/// goes: for the console page, which fills them in itself. A message with anything else in
/// its placeables (a selector, a function) is left out; a test keeps the console's simple.
pub fn plain_patterns(lang: Lang, prefix: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for_each_message(lang, |m| {
        if m.id.name.starts_with(prefix)
            && let Some(text) = m.value.as_ref().and_then(plain)
        {
            out.insert(m.id.name.to_owned(), text);
        }
    });
    out
}

fn plain(p: &ast::Pattern<&str>) -> Option<String> {
    let mut s = String::new();
    for el in &p.elements {
        match el {
            ast::PatternElement::TextElement { value } => s.push_str(value),
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
            } => {
                s.push_str("{$");
                s.push_str(id.name);
                s.push('}');
            }
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::StringLiteral { value }),
            } => s.push_str(value),
            ast::PatternElement::Placeable { .. } => return None,
        }
    }
    Some(s)
}
