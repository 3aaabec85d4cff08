//! `cargo xtask ci`'s check that a crate's modules form no circle: no file
//! uses, directly or through others, a file that uses it.
//!
//! It reads the sources as text, as a reader would follow them: every path
//! that starts at `crate::`, `super::` or `self::`, and every path through a
//! child module by its name, names the module file it leads to, following
//! `pub use` re-exports to the file that defines the item. A module's own
//! `pub use` lines are its facade, not a use, and in-file `#[cfg(test)]`
//! modules and `tests/` folders are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module, as the path of its names from the crate root (`[]` for
/// `lib.rs`, `["abi", "layout"]` for `abi/layout.rs`).
type ModPath = Vec<String>;

/// Checks the crate whose sources are in `src`; on a circle, says which.
pub(crate) fn check(src: &Path) -> Result<(), String> {
    let files = module_files(src)?;
    let sources: BTreeMap<ModPath, String> = files
        .iter()
        .map(|(module, file)| {
            std::fs::read_to_string(file)
                .map(|text| (module.clone(), without_tests(&strip_comments(&text))))
                .map_err(|e| format!("cannot read {}: {e}", file.display()))
        })
        .collect::<Result<_, _>>()?;
    let reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>> = sources
        .iter()
        .map(|(module, text)| (module.clone(), reexports(module, text)))
        .collect();
    let modules: BTreeSet<ModPath> = sources.keys().cloned().collect();
    let resolve = |path: ModPath| resolve(&modules, &reexports, path);
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (module, text) in &sources {
        let body = without_reexports(text);
        let children: Vec<&str> = modules
            .iter()
            .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
            .filter_map(|m| m.last().map(String::as_str))
            .collect();
        for path in paths(module, &body, &children) {
            let target = resolve(path);
            if &target != module && !target.is_empty() {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    match find_cycle(&edges) {
        None => Ok(()),
        Some(cycle) => Err(format!(
            "the modules of {} form a circle: {}",
            src.display(),
            cycle
                .iter()
                .map(|m| display(m))
                .collect::<Vec<_>>()
                .join(" -> ")
        )),
    }
}

fn display(module: &[String]) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// Every `.rs` file under `src` but those in `tests/` folders, by module.
fn module_files(src: &Path) -> Result<BTreeMap<ModPath, PathBuf>, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tests") {
                    pending.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap_or(&path).with_extension("");
            let mut module: ModPath = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            files.insert(module, path);
        }
    }
    Ok(files)
}

/// `text` without `//` comments (doc comments included).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` up to its `#[cfg(test)] mod tests`, which by this project's
/// style ends the file.
fn without_tests(text: &str) -> String {
    let mut at = 0;
    while let Some(found) = text[at..].find("#[cfg(test)]") {
        let start = at + found;
        let rest = text[start + "#[cfg(test)]".len()..].trim_start();
        if rest.starts_with("mod ") {
            return text[..start].to_string();
        }
        at = start + 1;
    }
    text.to_string()
}

/// The spans of `pub use ...;` and `pub(...) use ...;` statements.
fn reexport_statements(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find("pub") {
        let start = at + found;
        let after = text[start + 3..].trim_start();
        let after = match after.strip_prefix('(') {
            Some(inner) => inner
                .split_once(')')
                .map_or("", |(_, rest)| rest.trim_start()),
            None => after,
        };
        let word_start = start == 0 || !is_ident(text[..start].chars().last().unwrap_or(' '));
        if word_start && after.starts_with("use ") {
            let end = text[start..]
                .find(';')
                .map_or(text.len(), |e| start + e + 1);
            spans.push((start, end));
            at = end;
        } else {
            at = start + 3;
        }
    }
    spans
}

fn without_reexports(text: &str) -> String {
    let mut body = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in reexport_statements(text) {
        body.push_str(&text[at..start]);
        at = end;
    }
    body.push_str(&text[at..]);
    body
}

/// The names a module re-exports, each with the absolute path it names.
fn reexports(module: &ModPath, text: &str) -> BTreeMap<String, ModPath> {
    let mut names = BTreeMap::new();
    for (start, end) in reexport_statements(text) {
        let statement = &text[start..end];
        let Some(at) = statement.find("use ") else {
            continue;
        };
        let tree = statement[at + 4..].trim_end_matches(';');
        for (path, alias) in use_tree(tree) {
            if let (Some(name), Some(absolute)) = (alias, absolute(module, &path)) {
                names.insert(name, absolute);
            }
        }
    }
    names
}

/// The paths of a `use` tree (`a::{b, c::d as e}`), each with the name it
/// brings in.
fn use_tree(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let prefix: Vec<String> = segments(&tree[..open]);
        let inner = tree[open + 1..].trim_end().trim_end_matches('}');
        return split_top_level(inner)
            .into_iter()
            .flat_map(use_tree)
            .map(|(path, alias)| {
                let mut full = prefix.clone();
                full.extend(path);
                (full, alias)
            })
            .collect();
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((path, alias)) => (path, Some(alias.trim().to_string())),
        None => (tree, None),
    };
    let path = segments(path);
    let alias = alias.or_else(|| path.last().cloned());
    vec![(path, alias)]
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// `items` split at the commas outside braces.
fn split_top_level(items: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in items.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&items[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&items[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// `path`, written in `module`, from the crate root; `None` for a path
/// that starts at another crate.
fn absolute(module: &ModPath, path: &[String]) -> Option<ModPath> {
    let (first, rest) = path.split_first()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => module[..module.len().saturating_sub(1)].to_vec(),
        // A path relative to the module: one of its children.
        _ => {
            let mut base = module.clone();
            base.push(first.clone());
            base
        }
    };
    let mut rest = rest;
    while let Some((next, tail)) = rest.split_first() {
        if next != "super" {
            break;
        }
        base.pop();
        rest = tail;
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Every path the code of `module` takes into this crate.
fn paths(module: &ModPath, body: &str, children: &[&str]) -> Vec<ModPath> {
    let mut found = Vec::new();
    let starts = ["crate::", "super::", "self::"]
        .into_iter()
        .chain(children.iter().copied());
    for start in starts {
        let needle = if start.ends_with("::") {
            start.to_string()
        } else {
            format!("{start}::")
        };
        let mut at = 0;
        while let Some(hit) = body[at..].find(&needle) {
            let begin = at + hit;
            at = begin + needle.len();
            let before = body[..begin].chars().last().unwrap_or(' ');
            if is_ident(before) || before == ':' || before == '$' {
                continue;
            }
            let tree: String = take_path(&body[begin..]);
            for (path, _) in use_tree(&tree) {
                if let Some(absolute) = absolute(module, &path) {
                    found.push(absolute);
                }
            }
        }
    }
    found
}

/// The path (with any `{...}` group) at the start of `text`.
fn take_path(text: &str) -> String {
    let mut depth = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    end = i + 1;
                    break;
                }
            }
            c if depth == 0 && !(is_ident(c) || c == ':') => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    text[..end].to_string()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The module file `path` leads to: its longest prefix that is a module,
/// through the re-exports of the modules on the way.
fn resolve(
    modules: &BTreeSet<ModPath>,
    reexports: &BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    mut path: ModPath,
) -> ModPath {
    for _ in 0..16 {
        let mut module: ModPath = Vec::new();
        let mut rest = path.as_slice();
        while let Some((next, tail)) = rest.split_first() {
            let mut deeper = module.clone();
            deeper.push(next.clone());
            if !modules.contains(&deeper) {
                break;
            }
            module = deeper;
            rest = tail;
        }
        let Some((next, tail)) = rest.split_first() else {
            return module;
        };
        match reexports.get(&module).and_then(|names| names.get(next)) {
            Some(target)
                if target.as_slice()
                    != [module.as_slice(), std::slice::from_ref(next)].concat() =>
            {
                let mut followed = target.clone();
                followed.extend(tail.iter().cloned());
                path = followed;
            }
            _ => return module,
        }
    }
    path
}

/// A circle in `edges`, as the modules on it with the first repeated at
/// the end.
fn find_cycle(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Option<Vec<ModPath>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &ModPath,
        edges: &BTreeMap<ModPath, BTreeSet<ModPath>>,
        marks: &mut BTreeMap<ModPath, Mark>,
        stack: &mut Vec<ModPath>,
    ) -> Option<Vec<ModPath>> {
        marks.insert(node.clone(), Mark::Open);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            match marks.get(next) {
                Some(Mark::Open) => {
                    let from = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(next, edges, marks, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in edges.keys() {
        if !marks.contains_key(node) {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(node, edges, &mut marks, &mut stack) {
                return Some(cycle);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> ModPath {
        segments(p)
    }

    #[test]
    fn use_trees_expand_groups_and_aliases() {
        let paths = use_tree("crate::{a::{B, c::D as E}, f}");
        assert_eq!(
            paths,
            vec![
                (path("crate::a::B"), Some("B".into())),
                (path("crate::a::c::D"), Some("E".into())),
                (path("crate::f"), Some("f".into())),
            ]
        );
    }

    #[test]
    fn a_circle_is_found_and_a_layering_is_not() {
        let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
        edges.entry(path("a")).or_default().insert(path("b"));
        edges.entry(path("b")).or_default().insert(path("c"));
        assert_eq!(find_cycle(&edges), None);
        edges.entry(path("c")).or_default().insert(path("a"));
        assert_eq!(
            find_cycle(&edges),
            Some(vec![path("a"), path("b"), path("c"), path("a")])
        );
    }

    #[test]
    fn paths_follow_super_and_children() {
        let module = path("linker::compose");
        let body = "use super::Linker; fn f() { crate::validate::check(); }";
        let found = paths(&module, body, &[]);
        assert!(found.contains(&path("linker::Linker")));
        assert!(found.contains(&path("validate::check")));
    }
}
