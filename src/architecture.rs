//! The module graph, checked: no cycle between modules, and each layer imports only the
//! layers below it.
//!
//! The layers, lowest first: `domain` (typed values and rules, no I/O), `pagination`,
//! `error`; the repositories (`repo`, the only SQL), which see plain values and never
//! the HTTP layer; `auth`, `app`; `http` (extractors and response helpers, shared by
//! every resource and importing none); `routes` (one file per resource). A module
//! "imports" another when its code (not its comments or its unit tests) names a path in
//! it: `use crate::a::b`, `crate::a::b::f()`, `super::b`.
//!
//! These tests read the source files, so they run with `cargo test` and fail on the
//! change that adds a cycle or a wrong-way import, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every module of the crate (`repo::questions`) and its file.
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                into.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .filter_map(|file| {
            let relative = file.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                parts.pop();
            }
            (!parts.is_empty()).then(|| (parts.join("::"), file))
        })
        .collect()
}

/// The source of a module without its comments and its `#[cfg(test)] mod tests`.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifiers joined by `::` that start at `at` (`repo::questions::find`).
fn path_at(code: &str, at: usize) -> Vec<&str> {
    let rest = &code[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    rest[..end].split("::").filter(|s| !s.is_empty()).collect()
}

/// The longest known module that `path` (from the crate root) names.
fn resolve(modules: &BTreeMap<String, PathBuf>, path: &[&str]) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|candidate| modules.contains_key(candidate))
}

/// Which modules each module imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &modules {
        let code = code_of(file);
        let parent: Vec<&str> = module.split("::").collect();
        let parent = &parent[..parent.len() - 1];
        let mut targets = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            let mut path = path_at(&code, at + "crate::".len());
            // `use crate::a::{b, c::d}`: each item under the prefix.
            let after = &code[at + "crate::".len()..];
            let prefix_len: usize = path.iter().map(|p| p.len() + 2).sum();
            if after[prefix_len.min(after.len())..].starts_with('{') {
                let group =
                    &after[prefix_len + 1..after[prefix_len..].find('}').map_or(after.len(), |e| prefix_len + e)];
                for item in group.split(',') {
                    let item: Vec<&str> = item.trim().split([' ', ':']).filter(|s| !s.is_empty()).collect();
                    let mut full = path.clone();
                    full.extend(item.iter().take_while(|s| **s != "as" && **s != "self"));
                    targets.extend(resolve(&modules, &full));
                }
            }
            if path.first() == Some(&"self") {
                path.remove(0);
            }
            targets.extend(resolve(&modules, &path));
        }
        for (at, _) in code.match_indices("super::") {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut full: Vec<&str> = parent.to_vec();
            full.extend(path_at(&code, at + "super::".len()));
            targets.extend(resolve(&modules, &full));
        }
        targets.remove(module);
        edges.insert(module.clone(), targets);
    }
    edges
}

/// A cycle through `start`, if one exists: the modules in order.
fn cycle_from(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn visit(
        edges: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(edges, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    visit(edges, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let edges = graph();
    assert!(edges.len() > 40, "the source tree was not found: {edges:?}");
    let cycles: Vec<String> = edges
        .keys()
        .filter_map(|module| cycle_from(&edges, module))
        .map(|cycle| format!("{} -> {}", cycle.join(" -> "), cycle[0]))
        .collect();
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let edges = graph();
    let layer = |module: &str| module.split("::").next().unwrap_or_default().to_string();
    // What each layer must never import.
    let forbidden: &[(&str, &[&str])] = &[
        (
            "domain",
            &["repo", "http", "routes", "app", "auth", "db", "import", "export"],
        ),
        ("pagination", &["repo", "http", "routes", "app", "auth"]),
        ("repo", &["http", "routes", "app", "auth"]),
        ("http", &["routes"]),
        ("app", &["http", "routes"]),
        ("auth", &["http", "routes", "app"]),
    ];
    let mut wrong = Vec::new();
    for (module, targets) in &edges {
        for (from, not) in forbidden {
            if layer(module) == *from {
                for target in targets {
                    if not.contains(&layer(target).as_str()) {
                        wrong.push(format!("{module} imports {target}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering:\n{}", wrong.join("\n"));
}

#[test]
fn repositories_never_see_actix() {
    let modules = modules();
    let offenders: Vec<&String> = modules
        .iter()
        .filter(|(module, _)| module.starts_with("repo") || module.starts_with("domain"))
        .filter(|(_, file)| code_of(file).contains("actix_web"))
        .map(|(module, _)| module)
        .collect();
    assert!(
        offenders.is_empty(),
        "modules below the HTTP layer that use actix_web: {offenders:?}"
    );
}

#[test]
fn the_checker_sees_imports_through_every_form_of_path() {
    let edges = graph();
    // `use super::changelog;` in a repository, `crate::domain::...` in a group, a `use
    // crate::http::caller::{...}` in a route.
    assert!(edges["repo::questions"].contains("repo::changelog"));
    assert!(edges["routes::questions"].contains("http::caller"));
    assert!(edges["routes::questions"].contains("domain::question"));
}
