//! The one error type of this crate: what went wrong, and exactly where.

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
