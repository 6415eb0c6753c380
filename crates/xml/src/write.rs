//! Writing XML: a tree back out as it was read, or new XML through [`XmlWriter`].

use crate::tree::{Document, Element, NodeId, NodeKind};

/// Escape character data: `&`, `<`, `>` and CR (which would otherwise be lost to EOL handling).
pub fn escape_text(s: &str, out: &mut String) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#xD;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Escape an attribute value for double quotes. TAB, LF and CR become character
/// references so that attribute-value normalization gives the same value back.
pub fn escape_attr(s: &str, out: &mut String) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'"' => "&quot;",
            b'\t' => "&#x9;",
            b'\n' => "&#xA;",
            b'\r' => "&#xD;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// [`escape_attr`] into a new string.
pub fn escape_attr_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_attr(s, &mut out);
    out
}

impl Document {
    /// Serialize the whole document: an XML declaration, then prolog, root and epilog.
    /// Names keep their prefixes and namespace declarations stay on the elements that
    /// carried them, so the output reads back to an equal tree.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        for &id in &self.prolog {
            self.write_node(id, &mut out);
            out.push('\n');
        }
        self.write_node(self.root, &mut out);
        for &id in &self.epilog {
            out.push('\n');
            self.write_node(id, &mut out);
        }
        out.push('\n');
        out
    }

    /// Serialize one node and its descendants.
    pub fn write_node(&self, id: NodeId, out: &mut String) {
        // Iterative, so deep trees cannot overflow the stack.
        enum Step {
            Open(NodeId),
            Close(NodeId),
        }
        let mut work = vec![Step::Open(id)];
        while let Some(step) = work.pop() {
            match step {
                Step::Open(id) => match &self.node(id).kind {
                    NodeKind::Element(e) => {
                        write_start_tag(e, out);
                        if e.children.is_empty() {
                            out.push_str("/>");
                        } else {
                            out.push('>');
                            work.push(Step::Close(id));
                            work.extend(e.children.iter().rev().map(|&c| Step::Open(c)));
                        }
                    }
                    NodeKind::Text(t) => escape_text(t, out),
                    NodeKind::Comment(c) => {
                        out.push_str("<!--");
                        out.push_str(c);
                        out.push_str("-->");
                    }
                    NodeKind::ProcessingInstruction { target, data } => {
                        out.push_str("<?");
                        out.push_str(target);
                        if !data.is_empty() {
                            out.push(' ');
                            out.push_str(data);
                        }
                        out.push_str("?>");
                    }
                },
                Step::Close(id) => {
                    if let Some(e) = self.element(id) {
                        out.push_str("</");
                        out.push_str(&e.name.qualified());
                        out.push('>');
                    }
                }
            }
        }
    }
}

fn write_start_tag(e: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&e.name.qualified());
    for d in &e.namespaces {
        match &d.prefix {
            Some(p) => {
                out.push_str(" xmlns:");
                out.push_str(p);
            }
            None => out.push_str(" xmlns"),
        }
        out.push_str("=\"");
        escape_attr(&d.uri, out);
        out.push('"');
    }
    for a in &e.attributes {
        out.push(' ');
        out.push_str(&a.name.qualified());
        out.push_str("=\"");
        escape_attr(&a.value, out);
        out.push('"');
    }
}

/// A small streaming writer for well-formed XML with optional indentation.
///
/// Names are written as given (`"edXML:From"`); the caller declares namespaces with
/// [`XmlWriter::attr`] (`xmlns:edXML`). Elements that contain only text stay on one line.
#[derive(Debug)]
pub struct XmlWriter {
    out: String,
    stack: Vec<Frame>,
    indent: Option<&'static str>,
    tag_open: bool,
}

#[derive(Debug)]
struct Frame {
    name: String,
    has_elements: bool,
    has_text: bool,
}

impl XmlWriter {
    /// A writer; `indent` is the unit of indentation (`Some("  ")`) or `None` for compact output.
    pub fn new(indent: Option<&'static str>) -> XmlWriter {
        XmlWriter {
            out: String::new(),
            stack: Vec::new(),
            indent,
            tag_open: false,
        }
    }

    /// Write the XML declaration (UTF-8).
    pub fn declaration(&mut self) -> &mut Self {
        self.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        if self.indent.is_some() {
            self.out.push('\n');
        }
        self
    }

    fn close_open_tag(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
    }

    fn newline_indent(&mut self, depth: usize) {
        if let Some(unit) = self.indent {
            if !self.out.is_empty() && !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            for _ in 0..depth {
                self.out.push_str(unit);
            }
        }
    }

    /// Open an element.
    pub fn start(&mut self, name: &str) -> &mut Self {
        self.close_open_tag();
        let depth = self.stack.len();
        let parent_has_text = self.stack.last().is_some_and(|f| f.has_text);
        if let Some(parent) = self.stack.last_mut() {
            parent.has_elements = true;
        }
        if !parent_has_text {
            self.newline_indent(depth);
        }
        self.out.push('<');
        self.out.push_str(name);
        self.tag_open = true;
        self.stack.push(Frame {
            name: name.to_owned(),
            has_elements: false,
            has_text: false,
        });
        self
    }

    /// Add an attribute to the element just opened. Ignored once content was written.
    pub fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        if self.tag_open {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            escape_attr(value, &mut self.out);
            self.out.push('"');
        }
        self
    }

    /// Write escaped character data.
    pub fn text(&mut self, text: &str) -> &mut Self {
        if text.is_empty() {
            return self;
        }
        self.close_open_tag();
        if let Some(f) = self.stack.last_mut() {
            f.has_text = true;
        }
        escape_text(text, &mut self.out);
        self
    }

    /// Close the innermost open element (`<a/>` if it had no content).
    pub fn end(&mut self) -> &mut Self {
        let Some(frame) = self.stack.pop() else {
            return self;
        };
        if self.tag_open {
            self.out.push_str("/>");
            self.tag_open = false;
            return self;
        }
        if frame.has_elements && !frame.has_text {
            self.newline_indent(self.stack.len());
        }
        self.out.push_str("</");
        self.out.push_str(&frame.name);
        self.out.push('>');
        self
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.start(name).text(text).end()
    }

    /// Close every open element and return the output.
    pub fn finish(mut self) -> String {
        while !self.stack.is_empty() {
            self.end();
        }
        if self.indent.is_some() {
            self.out.push('\n');
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_layout() {
        let mut w = XmlWriter::new(Some("  "));
        w.declaration();
        w.start("r").attr("xmlns", "urn:x").attr("a", "1\"<&\t");
        w.leaf("b", "x < y & z");
        w.start("c").end();
        w.start("d").leaf("e", "").end();
        let s = w.finish();
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns=\"urn:x\" a=\"1&quot;&lt;&amp;&#x9;\">\n  <b>x &lt; y &amp; z</b>\n  <c/>\n  <d>\n    <e/>\n  </d>\n</r>\n"
        );
        let doc = Document::parse(s.as_bytes()).unwrap();
        assert_eq!(doc.root_element().attribute(None, "a"), Some("1\"<&\t"));
    }
}
