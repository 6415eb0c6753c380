//! The one error type of this crate: what went wrong, and exactly where.

use lienthong_i18n::{Arg, Lang, Msg, msg};
use lienthong_types::Code;
use std::fmt;

/// A position in the input: byte offset plus 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Position {
    /// Byte offset from the start of the input.
    pub offset: usize,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
}

impl Position {
    /// Compute the line and column of `offset` in `input` (scans the input once).
    pub fn locate(input: &[u8], offset: usize) -> Position {
        let offset = offset.min(input.len());
        let before = &input[..offset];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        // Count UTF-8 scalar starts (non-continuation bytes) on this line.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
            + 1;
        Position {
            offset,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Which configured limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// Total input size in bytes.
    TotalSize,
    /// Element nesting depth.
    Depth,
    /// Attributes (including namespace declarations) on one element.
    Attributes,
    /// Length of an element or attribute name, in bytes.
    NameLength,
    /// Size of one text node (after merging text, CDATA and references), in bytes.
    TextSize,
    /// Total number of nodes in the tree.
    Nodes,
    /// Length of one attribute value, in bytes.
    AttributeValueSize,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::TotalSize => "document size",
            LimitKind::Depth => "element depth",
            LimitKind::Attributes => "attributes per element",
            LimitKind::NameLength => "name length",
            LimitKind::TextSize => "text node size",
            LimitKind::Nodes => "node count",
            LimitKind::AttributeValueSize => "attribute value size",
        })
    }
}

/// What is wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A `<!DOCTYPE …>` was found. DTDs are refused outright (XXE, entity expansion bombs).
    #[error(
        "DOCTYPE declarations are not allowed (DTDs, external entities and entity expansion are refused)"
    )]
    Doctype,
    /// An element or attribute uses a prefix that no ancestor declared.
    #[error("namespace prefix '{0}' is not declared")]
    UndeclaredPrefix(String),
    /// A second top-level element.
    #[error("more than one root element (second root is <{0}>)")]
    MultipleRoots(String),
    /// No root element at all.
    #[error("no root element")]
    NoRoot,
    /// An end tag does not match the open element.
    #[error("mismatched end tag: expected </{expected}>, found </{found}>")]
    MismatchedTag {
        /// The name of the element that is open.
        expected: String,
        /// The name in the end tag.
        found: String,
    },
    /// An end tag with no open element.
    #[error("end tag </{0}> has no matching start tag")]
    UnmatchedEndTag(String),
    /// The input ended inside an element or markup.
    #[error("unexpected end of input: {0}")]
    Truncated(String),
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A declared or detected encoding other than UTF-8.
    #[error("unsupported encoding '{0}': only UTF-8 is accepted")]
    UnsupportedEncoding(String),
    /// The same attribute twice on one element.
    #[error("duplicate attribute '{0}'")]
    DuplicateAttribute(String),
    /// Non-whitespace character data before or after the root element.
    #[error("text outside the root element")]
    TextOutsideRoot,
    /// A configured limit was exceeded.
    #[error("{what} limit exceeded (limit {limit})")]
    Limit {
        /// Which limit.
        what: LimitKind,
        /// Its configured value.
        limit: usize,
    },
    /// A name that is not a valid XML name.
    #[error("invalid name '{0}'")]
    InvalidName(String),
    /// A character that XML 1.0 does not allow.
    #[error("character U+{0:04X} is not allowed in XML")]
    InvalidChar(u32),
    /// An entity reference other than the five predefined ones.
    #[error(
        "unknown entity reference '&{0};' (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)"
    )]
    UnknownEntity(String),
    /// A malformed character reference.
    #[error("invalid character reference '&{0};'")]
    InvalidCharRef(String),
    /// A `<` inside an attribute value.
    #[error("'<' is not allowed in attribute values")]
    LtInAttribute,
    /// A misuse of the reserved `xml`/`xmlns` prefixes or namespace names.
    #[error("invalid namespace declaration: {0}")]
    Namespace(String),
    /// An XML declaration that is not at the very start.
    #[error("XML declaration is only allowed at the start of the document")]
    MisplacedDeclaration,
    /// Any other syntax error reported by the tokenizer.
    #[error("syntax error: {0}")]
    Syntax(String),
}

/// An error from reading XML, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where.
    pub position: Position,
}

impl Error {
    pub(crate) fn at(kind: ErrorKind, input: &[u8], offset: usize) -> Error {
        Error {
            kind,
            position: Position::locate(input, offset),
        }
    }

    /// A short machine-readable code for this error, stable across releases.
    pub fn code(&self) -> Code {
        match self.kind {
            ErrorKind::Doctype => Code::XmlDoctype,
            ErrorKind::UndeclaredPrefix(_) => Code::XmlUndeclaredPrefix,
            ErrorKind::MultipleRoots(_) => Code::XmlMultipleRoots,
            ErrorKind::NoRoot => Code::XmlNoRoot,
            ErrorKind::MismatchedTag { .. } => Code::XmlMismatchedTag,
            ErrorKind::UnmatchedEndTag(_) => Code::XmlUnmatchedEndTag,
            ErrorKind::Truncated(_) => Code::XmlTruncated,
            ErrorKind::InvalidUtf8 => Code::XmlInvalidUtf8,
            ErrorKind::UnsupportedEncoding(_) => Code::XmlUnsupportedEncoding,
            ErrorKind::DuplicateAttribute(_) => Code::XmlDuplicateAttribute,
            ErrorKind::TextOutsideRoot => Code::XmlTextOutsideRoot,
            ErrorKind::Limit { .. } => Code::XmlLimit,
            ErrorKind::InvalidName(_) => Code::XmlInvalidName,
            ErrorKind::InvalidChar(_) => Code::XmlInvalidChar,
            ErrorKind::UnknownEntity(_) => Code::XmlUnknownEntity,
            ErrorKind::InvalidCharRef(_) => Code::XmlInvalidCharRef,
            ErrorKind::LtInAttribute => Code::XmlLtInAttribute,
            ErrorKind::Namespace(_) => Code::XmlNamespace,
            ErrorKind::MisplacedDeclaration => Code::XmlMisplacedDeclaration,
            ErrorKind::Syntax(_) => Code::XmlSyntax,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.position)
    }
}

impl std::error::Error for Error {}

// ---- Messages for people (the `xml-` messages of the i18n catalog `edxml.ftl`) ----
//
// Built only when an error is shown, never while parsing. In English each renders exactly
// as the `Display` above; a detail the tokenizer wrote in English is matched to a message
// of its own when it is one of the known texts, and otherwise shown as written.

impl Position {
    /// "line L, column C", for people, in any language.
    pub fn msg(&self) -> Msg {
        msg!("xml-position", line = self.line, column = self.column)
    }
}

impl LimitKind {
    /// The id of the message "… limit exceeded (limit N)" for this limit.
    fn msg_id(self) -> &'static str {
        match self {
            LimitKind::TotalSize => "xml-limit-total-size",
            LimitKind::Depth => "xml-limit-depth",
            LimitKind::Attributes => "xml-limit-attributes",
            LimitKind::NameLength => "xml-limit-name-length",
            LimitKind::TextSize => "xml-limit-text-size",
            LimitKind::Nodes => "xml-limit-nodes",
            LimitKind::AttributeValueSize => "xml-limit-attribute-value-size",
        }
    }
}

impl ErrorKind {
    /// What is wrong, for people, in any language ([`Msg::render`]); in English it is this
    /// kind's `Display`.
    pub fn msg(&self) -> Msg {
        match self {
            ErrorKind::Doctype => msg!("xml-doctype"),
            ErrorKind::UndeclaredPrefix(p) => msg!("xml-undeclared-prefix", prefix = p),
            ErrorKind::MultipleRoots(n) => msg!("xml-multiple-roots", name = n),
            ErrorKind::NoRoot => msg!("xml-no-root"),
            ErrorKind::MismatchedTag { expected, found } => {
                msg!("xml-mismatched-tag", expected = expected, found = found)
            }
            ErrorKind::UnmatchedEndTag(n) => msg!("xml-unmatched-end-tag", name = n),
            ErrorKind::Truncated(detail) => truncated_msg(detail),
            ErrorKind::InvalidUtf8 => msg!("xml-invalid-utf8"),
            ErrorKind::UnsupportedEncoding(e) if e == "UTF-16 (no byte order mark)" => {
                msg!("xml-unsupported-encoding-utf16-no-bom")
            }
            ErrorKind::UnsupportedEncoding(e) => msg!("xml-unsupported-encoding", encoding = e),
            ErrorKind::DuplicateAttribute(n) => msg!("xml-duplicate-attribute", name = n),
            ErrorKind::TextOutsideRoot => msg!("xml-text-outside-root"),
            ErrorKind::Limit { what, limit } => msg!(what.msg_id(), limit = limit.to_string()),
            ErrorKind::InvalidName(n) => msg!("xml-invalid-name", name = n),
            ErrorKind::InvalidChar(cp) => msg!("xml-invalid-char", code = format!("{cp:04X}")),
            ErrorKind::UnknownEntity(n) => msg!("xml-unknown-entity", name = n),
            ErrorKind::InvalidCharRef(n) => msg!("xml-invalid-char-ref", name = n),
            ErrorKind::LtInAttribute => msg!("xml-lt-in-attribute"),
            ErrorKind::Namespace(detail) => namespace_msg(detail),
            ErrorKind::MisplacedDeclaration => msg!("xml-misplaced-declaration"),
            ErrorKind::Syntax(detail) => syntax_msg(detail),
        }
    }
}

impl Error {
    /// The error and its position, for people; in English it is this error's `Display`.
    /// In other languages the kind shows as what its code means; [`Error::render`] gives
    /// it in full.
    pub fn msg(&self) -> Msg {
        let what = Arg::Findings {
            english: vec![self.kind.to_string()],
            codes: vec![self.code()],
        };
        msg!(
            "xml-error-at",
            what = what,
            line = self.position.line,
            column = self.position.column
        )
    }

    /// The error and its position in `lang`, in full; in English, this error's `Display`.
    pub fn render(&self, lang: Lang) -> String {
        msg!(
            "xml-error-at",
            what = self.kind.msg().render(lang),
            line = self.position.line,
            column = self.position.column
        )
        .render(lang)
    }
}

/// A message without values.
fn plain(id: &'static str) -> Msg {
    Msg {
        id,
        args: Vec::new(),
    }
}

/// `Truncated`: the input ended inside an element or a piece of markup.
fn truncated_msg(detail: &str) -> Msg {
    if let Some(name) = detail
        .strip_prefix("element <")
        .and_then(|r| r.strip_suffix("> is not closed"))
    {
        return msg!("xml-truncated-element", name = name);
    }
    // The tokenizer's texts (quick-xml's `SyntaxError`).
    let id = match detail {
        "tag not closed: `>` not found before end of input" => "xml-truncated-tag",
        "comment not closed: `-->` not found before end of input" => "xml-truncated-comment",
        "CDATA not closed: `]]>` not found before end of input" => "xml-truncated-cdata",
        "processing instruction not closed: `?>` not found before end of input" => {
            "xml-truncated-pi"
        }
        "XML declaration not closed: `?>` not found before end of input" => {
            "xml-truncated-declaration"
        }
        "attribute value not closed: `\"` not found before end of input" => {
            "xml-truncated-attribute-double"
        }
        "attribute value not closed: `'` not found before end of input" => {
            "xml-truncated-attribute-single"
        }
        _ => return msg!("xml-truncated", detail = detail),
    };
    plain(id)
}

/// `Namespace`: a misuse of the reserved prefixes or namespace names.
fn namespace_msg(detail: &str) -> Msg {
    let id = match detail {
        "elements may not have the prefix 'xmlns'" => "xml-namespace-element-xmlns",
        "the prefix 'xmlns' must not be declared" => "xml-namespace-declare-xmlns",
        "the prefix 'xml' is bound to its own namespace" => "xml-namespace-xml-prefix",
        "a prefix cannot be undeclared with an empty URI in XML 1.0" => "xml-namespace-undeclare",
        "the XML namespace may only be bound to 'xml'" => "xml-namespace-xml-uri",
        "the xmlns namespace must not be declared" => "xml-namespace-xmlns-uri",
        _ => return msg!("xml-namespace", detail = detail),
    };
    plain(id)
}

/// `Syntax`: this crate's own texts, and the tokenizer's (quick-xml's `Error`, and its
/// `AttrError` for a broken attribute).
fn syntax_msg(detail: &str) -> Msg {
    if let Some(v) = detail
        .strip_prefix("unsupported XML version '")
        .and_then(|r| r.strip_suffix('\''))
    {
        return msg!("xml-syntax-version", version = v);
    }
    if let Some(a) = detail
        .strip_prefix(
            "ill-formed document: an XML declaration must start with `version` attribute, but in starts with `",
        )
        .and_then(|r| r.strip_suffix('`'))
    {
        return msg!("xml-syntax-version-not-first", attribute = a);
    }
    if let Some(m) = attribute_msg(detail) {
        return m;
    }
    let id = match detail {
        "']]>' is not allowed in character data" => "xml-syntax-cdata-end",
        "'&' in attribute value is not followed by a reference" => "xml-syntax-amp-in-attribute",
        "syntax error: unknown or missed symbol in markup" => "xml-syntax-markup",
        "ill-formed document: an XML declaration does not contain `version` attribute" => {
            "xml-syntax-no-version"
        }
        "ill-formed document: unknown XML version: either 1.0 or 1.1 is expected" => {
            "xml-syntax-unknown-version"
        }
        "ill-formed document: forbidden string `--` was found in a comment" => {
            "xml-syntax-double-hyphen"
        }
        "ill-formed document: entity or character reference not closed: `;` not found before end of input" => {
            "xml-syntax-unclosed-reference"
        }
        _ => return msg!("xml-syntax", detail = detail),
    };
    plain(id)
}

/// quick-xml's `AttrError` texts: `position N: …`.
fn attribute_msg(detail: &str) -> Option<Msg> {
    let (position, rest) = detail.strip_prefix("position ")?.split_once(": ")?;
    if position.is_empty() || !position.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let m = match rest {
        "attribute key must be directly followed by `=` or space" => {
            msg!("xml-syntax-attribute-expected-eq", position = position)
        }
        "`=` must be followed by an attribute value" => {
            msg!("xml-syntax-attribute-expected-value", position = position)
        }
        "attribute value must be enclosed in `\"` or `'`" => {
            msg!("xml-syntax-attribute-unquoted", position = position)
        }
        _ => {
            let quote = rest
                .strip_prefix("missing closing quote `")?
                .strip_suffix("` in attribute value")?;
            msg!(
                "xml-syntax-attribute-expected-quote",
                position = position,
                quote = quote
            )
        }
    };
    Some(m)
}
