//! The layers of `src/` and the one direction their dependencies run (docs/architecture.md):
//! every `crate::…` path (and every `super::` that climbs to the crate root) in every source
//! file is checked against the table below, so an import that runs back up a layer fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Which top-level modules each layer may use (besides itself). The modules listed in
/// [`COMPOSITION`] may use anything.
const RULES: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("db", &["domain"]),
    ("error", &["db", "domain"]),
    ("ops", &["db", "domain"]),
    ("billing", &["db", "domain", "error"]),
    ("auth", &["db", "domain", "error", "ops"]),
    ("metrics", &["db", "domain", "ops"]),
    ("broker", &["domain"]),
    ("documents", &["domain"]),
    (
        "delivery",
        &["db", "documents", "domain", "error", "broker"],
    ),
    ("central", &["domain", "broker"]),
    (
        "service",
        &["billing", "auth", "db", "documents", "domain", "error"],
    ),
    ("routes", &["service", "auth", "domain", "error", "metrics"]),
];

/// `routes::state` builds the handlers' view of the layers below them, so it alone in `routes`
/// also names the stores and settings it holds.
const ROUTES_STATE: &[&str] = &["config", "db", "billing", "metrics", "ops"];

/// Start-up and the command line assemble the layers; they (and the settings and logging
/// set-up they own) may use anything.
const COMPOSITION: &[&str] = &[
    "lib",
    "main",
    "startup",
    "cli",
    "jobs",
    "config",
    "telemetry",
    "tls",
    "service_windows",
];

/// One use of another module: which file, and which top-level module it names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    file: String,
    target: String,
}

/// The module path of a file under `src/`: `src/routes/ui/mod.rs` is `["routes", "ui"]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_owned();
        if stem != "mod" {
            parts.push(stem);
        }
    }
    parts
}

/// The code of a source file without its comments (doc links are not dependencies).
fn strip_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn identifier_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules `source` (the file at `module`) refers to, with the second path
/// segment for `routes` (to tell `routes::state`).
fn uses_of(module: &[String], source: &str) -> BTreeSet<String> {
    let code = strip_comments(source);
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let is_word_start = i == 0
            || !rest[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        rest = &rest[i + "crate::".len()..];
        if !is_word_start {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{db, domain::ids::X}`: the first segment of each item at the top level.
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = identifier_at(&group[j..]);
                        if !name.is_empty() {
                            found.insert(name.to_owned());
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = identifier_at(rest);
            if !name.is_empty() {
                found.insert(name.to_owned());
            }
        }
    }
    // `super::super::x` climbing out of the file's top-level module names `x` at the root.
    let mut rest = code.as_str();
    while let Some(i) = rest.find("super::") {
        let mut tail = &rest[i..];
        let mut depth = 0;
        while let Some(t) = tail.strip_prefix("super::") {
            depth += 1;
            tail = t;
        }
        rest = &rest[i + 7 * depth..];
        // A file's own module sits at `module`; `super` from a file module steps to its parent.
        if depth >= module.len() {
            let name = identifier_at(tail);
            if !name.is_empty() {
                found.insert(name.to_owned());
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every use in `files` (path under `src/`, source) that the rules forbid.
fn violations(files: &[(PathBuf, String)]) -> Vec<Use> {
    let mut bad = Vec::new();
    for (rel, source) in files {
        let module = module_path(rel);
        let top = module.first().cloned().unwrap_or_else(|| "lib".to_owned());
        if COMPOSITION.contains(&top.as_str()) {
            continue;
        }
        let Some((_, allowed)) = RULES.iter().find(|(layer, _)| *layer == top) else {
            bad.push(Use {
                file: rel.display().to_string(),
                target: format!("(`{top}` is in no layer: add it to the rules)"),
            });
            continue;
        };
        let is_routes_state = module.len() >= 2 && module[0] == "routes" && module[1] == "state";
        for target in uses_of(&module, source) {
            let ok = target == top
                || allowed.contains(&target.as_str())
                || (is_routes_state && ROUTES_STATE.contains(&target.as_str()));
            if !ok {
                bad.push(Use {
                    file: rel.display().to_string(),
                    target,
                });
            }
        }
    }
    bad.sort();
    bad
}

#[test]
fn every_dependency_in_src_runs_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let files: Vec<(PathBuf, String)> = paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).expect("under src/").to_path_buf();
            (rel, std::fs::read_to_string(p).expect("readable source"))
        })
        .collect();
    assert!(files.len() > 50, "found only {} source files", files.len());
    let bad = violations(&files);
    assert!(
        bad.is_empty(),
        "imports that run against the layers (docs/architecture.md):\n{}",
        bad.iter()
            .map(|u| format!("  {} uses crate::{}", u.file, u.target))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_layer_check_catches_an_import_that_runs_upward() {
    let file = |path: &str, source: &str| (PathBuf::from(path), source.to_owned());
    let files = [
        file("db/customers.rs", "use crate::domain::ids::CustomerId;\n"),
        file("db/stats.rs", "use crate::service::customers;\n"),
        file("db/users.rs", "use crate::{domain::user::Role, ops};\n"),
        file("domain/money.rs", "// see crate::db::invoices\nfn f() {}\n"),
        file(
            "routes/ui/x.rs",
            "fn f() { super::super::super::config::load(); }\n",
        ),
        file("routes/state.rs", "use crate::config::Settings;\n"),
        file("routes/api/y.rs", "use crate::db::Db;\n"),
        file("startup/mod.rs", "use crate::routes::state::AppState;\n"),
        file("newlayer/mod.rs", "fn f() {}\n"),
    ];
    let bad: Vec<(String, String)> = violations(&files)
        .into_iter()
        .map(|u| (u.file, u.target))
        .collect();
    assert_eq!(
        bad,
        vec![
            ("db/stats.rs".to_owned(), "service".to_owned()),
            ("db/users.rs".to_owned(), "ops".to_owned()),
            (
                "newlayer/mod.rs".to_owned(),
                "(`newlayer` is in no layer: add it to the rules)".to_owned()
            ),
            ("routes/api/y.rs".to_owned(), "db".to_owned()),
            ("routes/ui/x.rs".to_owned(), "config".to_owned()),
        ]
    );
}
