//! The workspace's shape: no source file over 900 lines, no modules that import each other.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// No source file under `crates/*/src` is longer than 900 lines.
#[test]
fn no_source_file_is_over_900_lines() {
    let root = lienthong_testkit::repo_root().join("crates");
    let mut long = Vec::new();
    for file in rust_files(&root) {
        if !file.components().any(|c| c.as_os_str() == "src") {
            continue;
        }
        let n = read(&file).lines().count();
        if n > 900 {
            long.push(format!("{} ({n} lines)", file.display()));
        }
    }
    assert!(long.is_empty(), "files over 900 lines: {long:#?}");
}

/// No two modules import each other, directly or around a longer loop, in any crate.
#[test]
fn no_module_import_cycles() {
    let root = lienthong_testkit::repo_root().join("crates");
    let mut crates = 0;
    let mut loops = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let src = entry.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        crates += 1;
        let mut graph = modules::graph(&src, &read);
        // report every loop, not just the first: cut each one found and look again
        while let Some(cycle) = modules::find_cycle(&graph) {
            loops.push(format!("{}: {}", src.display(), cycle.join(" -> ")));
            let (from, to) = (&cycle[cycle.len() - 2], &cycle[cycle.len() - 1]);
            if let Some(edges) = graph.get_mut(from) {
                edges.remove(to);
            }
        }
    }
    assert!(crates >= 5);
    assert!(loops.is_empty(), "modules import each other: {loops:#?}");
}

/// The checker itself finds a loop, and finds none where there is none.
#[test]
fn the_cycle_checker_sees_cycles() {
    let dir = std::env::temp_dir().join(format!("lienthong-cycles-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("b")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\npub use a::A;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::c::C;\npub struct A;\n").unwrap();
    std::fs::write(src.join("b/mod.rs"), "pub mod c;\n").unwrap();
    std::fs::write(src.join("b/c.rs"), "pub struct C;\n// use crate::a::A;\n").unwrap();
    assert_eq!(modules::find_cycle(&modules::graph(&src, &read)), None);
    std::fs::write(
        src.join("b/c.rs"),
        "pub struct C;\nfn f() -> crate::{x::Y, a::A} { todo!() }\n",
    )
    .unwrap();
    let cycle = modules::find_cycle(&modules::graph(&src, &read)).unwrap();
    assert!(
        cycle.contains(&"a".to_string()) && cycle.contains(&"b::c".to_string()),
        "{cycle:?}"
    );
    std::fs::write(src.join("b/c.rs"), "use super::super::a;\n").unwrap();
    assert!(modules::find_cycle(&modules::graph(&src, &read)).is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target") {
                    todo.push(p);
                }
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A small module-graph reader: good enough for this workspace's code, which imports by
/// `crate::`, `super::`, `self::` and child-module paths.
mod modules {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    pub(crate) type Graph = BTreeMap<String, BTreeSet<String>>;

    /// Module name ("" is the crate root) for each file under `src`.
    fn module_files(src: &Path) -> BTreeMap<String, std::path::PathBuf> {
        let mut out = BTreeMap::new();
        for file in super::rust_files(src) {
            let rel = file.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.first().is_some_and(|p| p == "bin") {
                continue; // each binary is its own crate
            }
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(parts.join("::"), file);
        }
        out
    }

    /// The code with comments, string and char literals blanked out.
    fn code_only(text: &str) -> String {
        let b = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < b.len() {
            if b[i..].starts_with(b"//") {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            } else if b[i..].starts_with(b"/*") {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                i = end;
                out.push(' ');
            } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                i = text[start..]
                    .find(&close)
                    .map_or(b.len(), |e| start + e + close.len());
                out.push_str("\"\"");
            } else if b[i] == b'"' {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
                i += 3;
                out.push_str("' '");
            } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
                let end = text[i + 2..].find('\'').map_or(b.len(), |e| i + 2 + e + 1);
                i = end;
                out.push_str("' '");
            } else {
                let ch = text[i..].chars().next().unwrap();
                out.push(ch);
                i += ch.len_utf8();
            }
        }
        out
    }

    /// Every path the code names after `crate::`, `super::` or `self::`, and every path a
    /// `use` item names, expanded through `{…}` groups, as segment lists with the prefix.
    fn paths(code: &str) -> Vec<(bool, Vec<String>)> {
        let toks = tokens(code);
        let mut out = Vec::new();
        let mut i = 0;
        // brace depth, and the depths at which inline `mod name {` blocks opened: inside
        // one, `super` is the file's own module
        let mut depth = 0usize;
        let mut inline: Vec<usize> = Vec::new();
        while i < toks.len() {
            match toks[i].as_str() {
                "{" => {
                    if i >= 2 && toks[i - 2] == "mod" {
                        inline.push(depth);
                    }
                    depth += 1;
                }
                "}" => {
                    depth = depth.saturating_sub(1);
                    if inline.last() == Some(&depth) {
                        inline.pop();
                    }
                }
                _ => {}
            }
            let starts_use = toks[i] == "use";
            let starts_path = matches!(toks[i].as_str(), "crate" | "super" | "self")
                && toks.get(i + 1).is_some_and(|t| t == "::")
                && (i == 0 || toks[i - 1] != "::");
            if starts_use || starts_path {
                let from = if starts_use { i + 1 } else { i };
                let mut j = from;
                let mut found = Vec::new();
                tree(&toks, &mut j, Vec::new(), &mut found);
                for mut p in found {
                    let supers = p.iter().take_while(|s| *s == "super").count();
                    let drop = supers.min(inline.len());
                    if drop > 0 {
                        p.drain(..drop);
                        p.insert(0, "self".to_string());
                    }
                    out.push((starts_use, p));
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
        out
    }

    fn tree(toks: &[String], i: &mut usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        loop {
            match toks.get(*i).map(String::as_str) {
                Some("{") => {
                    *i += 1;
                    loop {
                        tree(toks, i, prefix.clone(), out);
                        match toks.get(*i).map(String::as_str) {
                            Some(",") => *i += 1,
                            Some("}") => {
                                *i += 1;
                                return;
                            }
                            _ => return,
                        }
                        if toks.get(*i).is_some_and(|t| t == "}") {
                            *i += 1;
                            return;
                        }
                    }
                }
                Some(t) if is_ident(t) => {
                    prefix.push(t.to_string());
                    *i += 1;
                    if toks.get(*i).is_some_and(|t| t == "::") {
                        *i += 1;
                        continue;
                    }
                    out.push(prefix);
                    return;
                }
                _ => {
                    if !prefix.is_empty() {
                        out.push(prefix);
                    }
                    return;
                }
            }
        }
    }

    fn is_ident(t: &str) -> bool {
        t.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
    }

    fn tokens(code: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = code.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if c.is_alphanumeric() || c == '_' {
                let mut end = start + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(code[start..end].to_string());
            } else if c == ':' && chars.peek().is_some_and(|&(_, d)| d == ':') {
                chars.next();
                out.push("::".to_string());
            } else if !c.is_whitespace() {
                out.push(c.to_string());
            }
        }
        out
    }

    /// Which modules each module names, by file. A name a module takes in with `use`
    /// counts as the module it came from, so a crate root that re-exports its modules'
    /// items is a facade, not a party to every loop.
    pub(crate) fn graph(src: &Path, read: &dyn Fn(&Path) -> String) -> Graph {
        let files = module_files(src);
        let known: BTreeSet<&str> = files.keys().map(String::as_str).collect();
        let parsed: BTreeMap<&str, Vec<(bool, Vec<String>)>> = files
            .iter()
            .map(|(m, f)| (m.as_str(), paths(&code_only(&read(f)))))
            .collect();
        // name → module, for each module's `use` items
        let mut imports: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
        for (module, list) in &parsed {
            for (is_use, path) in list {
                if let (true, Some(name)) = (*is_use, path.last())
                    && let Some((target, rest)) = resolve(module, path, &known)
                    && rest.len() == 1
                {
                    imports
                        .entry(module)
                        .or_default()
                        .insert(name.clone(), target);
                }
            }
        }
        let mut graph = Graph::new();
        for (module, list) in &parsed {
            let edges = graph.entry(module.to_string()).or_default();
            for (_, path) in list {
                let Some((mut target, mut rest)) = resolve(module, path, &known) else {
                    continue;
                };
                // follow re-exports a few steps
                for _ in 0..4 {
                    let next = rest
                        .first()
                        .and_then(|name| imports.get(target.as_str())?.get(name))
                        .filter(|t| **t != target && t.as_str() != *module);
                    match next {
                        Some(t) => {
                            target = t.clone();
                            rest = &rest[1..];
                        }
                        None => break,
                    }
                }
                if target != *module {
                    edges.insert(target);
                }
            }
        }
        graph
    }

    /// The deepest module `path`, named in `module`, reaches, and the segments after it;
    /// `None` for paths into other crates.
    fn resolve<'p>(
        module: &str,
        path: &'p [String],
        known: &BTreeSet<&str>,
    ) -> Option<(String, &'p [String])> {
        let here: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        let mut at: Vec<String> = here.iter().map(|s| s.to_string()).collect();
        let mut rest = path;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                at.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().is_some_and(|s| s == "super") {
                    at.pop();
                    rest = &rest[1..];
                }
            }
            Some(first) => {
                // `child::…` names a child module of this one; anything else is another
                // crate or the standard library.
                let mut child = at.clone();
                child.push(first.to_string());
                if !known.contains(child.join("::").as_str()) {
                    return None;
                }
            }
            None => return None,
        }
        let mut target = at.join("::");
        while let Some(seg) = rest.first() {
            at.push(seg.clone());
            if known.contains(at.join("::").as_str()) {
                target = at.join("::");
                rest = &rest[1..];
            } else {
                break;
            }
        }
        known.contains(target.as_str()).then_some((target, rest))
    }

    /// A loop of modules, if there is one.
    pub(crate) fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
        // 0 = unseen, 1 = on the stack, 2 = done
        let mut mark: BTreeMap<&str, u8> = BTreeMap::new();
        let mut stack: Vec<&str> = Vec::new();
        fn visit<'a>(
            n: &'a str,
            graph: &'a Graph,
            mark: &mut BTreeMap<&'a str, u8>,
            stack: &mut Vec<&'a str>,
        ) -> Option<Vec<String>> {
            mark.insert(n, 1);
            stack.push(n);
            for m in graph.get(n).into_iter().flatten() {
                match mark.get(m.as_str()).copied().unwrap_or(0) {
                    1 => {
                        let from = stack.iter().position(|s| *s == m).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|s| s.to_string()).collect();
                        cycle.push(m.clone());
                        return Some(cycle);
                    }
                    0 => {
                        if let Some(c) = visit(m, graph, mark, stack) {
                            return Some(c);
                        }
                    }
                    _ => {}
                }
            }
            stack.pop();
            mark.insert(n, 2);
            None
        }
        for n in graph.keys() {
            if mark.get(n.as_str()).copied().unwrap_or(0) == 0
                && let Some(c) = visit(n, graph, &mut mark, &mut stack)
            {
                return Some(c);
            }
        }
        None
    }
}

/// The wall clock is read in one place, `SystemClock` (and by the command-line front end,
/// which is all shell); everything else is given the time, by argument or by a `Clock`.
#[test]
fn the_wall_clock_is_read_only_by_the_clock() {
    let root = lienthong_testkit::repo_root().join("crates");
    let allowed = |p: &Path| {
        p.ends_with("types/src/time.rs") || p.components().any(|c| c.as_os_str() == "cli")
    };
    let mut found = Vec::new();
    for file in rust_files(&root) {
        if !file.components().any(|c| c.as_os_str() == "src") || allowed(&file) {
            continue;
        }
        let text = read(&file);
        // unit tests at the end of a file may read the clock
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            if ["SystemTime::now", "now_utc()", "UnixTime::now"]
                .iter()
                .any(|w| line.contains(w))
            {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "wall-clock reads outside the clock: {found:#?}"
    );
}
