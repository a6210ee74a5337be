//! The walls of ARCHITECTURE.md, checked by reading `src/`: which layer may import which,
//! where the file system and git may be touched, and that every declared code is listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// What each layer (a top-level module of `src/`) may import from the crate besides itself,
/// lowest layer first. Keep in step with ARCHITECTURE.md.
const ALLOWED: &[(&str, &[&str])] = &[
    ("diagnostic", &[]),
    ("error", &[]),
    ("hash", &[]),
    ("io", &[]),
    ("threads", &[]),
    ("scaffold", &[]),
    ("source", &["diagnostic", "error", "hash", "io"]),
    ("parse", &["diagnostic", "source"]),
    ("model", &["diagnostic", "source", "parse"]),
    ("check", &["diagnostic", "source", "parse", "model", "threads"]),
    ("format", &["diagnostic", "source", "parse"]),
    ("artifact", &["diagnostic", "hash", "source", "parse", "model", "threads"]),
    ("codegen", &["diagnostic", "hash", "parse", "model", "artifact"]),
    ("emit", &["diagnostic", "source", "parse", "model"]),
    ("publish", &["diagnostic", "error", "hash", "io", "source", "artifact", "codegen"]),
    ("verify", &["diagnostic", "hash", "io", "source", "parse", "artifact", "codegen"]),
    ("pipeline", &["diagnostic", "error", "hash", "source", "parse", "model", "check", "artifact", "emit", "threads"]),
    ("codes", &["diagnostic", "source", "parse", "model", "check", "format", "pipeline", "publish", "verify"]),
    ("report", &["diagnostic", "source", "artifact", "codes"]),
    ("watch", &["error", "source", "pipeline"]),
    ("lsp", &["diagnostic", "source", "parse", "model", "format", "artifact", "pipeline", "watch"]),
    ("cli", &["error", "report", "codegen"]),
    (
        "commands",
        &[
            "diagnostic",
            "error",
            "hash",
            "io",
            "source",
            "parse",
            "model",
            "check",
            "format",
            "artifact",
            "codegen",
            "emit",
            "publish",
            "verify",
            "scaffold",
            "codes",
            "pipeline",
            "report",
            "lsp",
            "watch",
            "cli",
        ],
    ),
    ("lib", &["cli", "commands"]),
    ("main", &[]),
];

/// Every `.rs` file under `dir`, as (path relative to `src/`, text).
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path: PathBuf = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(SRC).unwrap_or(&path).to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&path).expect("read source")));
            }
        }
    }
    out.sort();
    out
}

/// The layer of a file: its top-level module (`check/rules/x.rs` → `check`, `lib.rs` → `lib`).
fn layer(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The top-level modules a file's code names through `crate::` (plain paths and `use
/// crate::{a, b::c}` groups). Comments are skipped, so prose may name any layer.
fn crate_imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                for item in inner.split(',') {
                    let name = item.trim().split("::").next().unwrap_or_default().trim();
                    if !name.is_empty() && name != "self" {
                        out.insert(name.to_string());
                    }
                }
            } else {
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
            rest = after;
        }
    }
    out
}

/// Walls a set of files breaks, one line each.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let commands: BTreeSet<String> = files
        .iter()
        .filter_map(|(rel, _)| rel.strip_prefix("commands/")?.strip_suffix(".rs").map(str::to_string))
        .filter(|name| name != "mod")
        .collect();
    let mut out = Vec::new();
    for (rel, text) in files {
        let own = layer(rel);
        let Some(may) = allowed.get(own) else {
            out.push(format!("{rel}: layer `{own}` is not in the walls table (add it to ARCHITECTURE.md and ALLOWED)"));
            continue;
        };
        for name in crate_imports(text) {
            if name != own && !may.contains(&name.as_str()) {
                out.push(format!("{rel}: layer `{own}` imports `{name}`"));
            }
        }
        let code: String =
            text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
        if code.contains("macro_export") {
            out.push(format!("{rel}: a #[macro_export] macro lives at the crate root, so its users import upwards"));
        }
        for line in code.lines().map(str::trim_start).filter(|l| l.starts_with("pub use crate::")) {
            let from = line.trim_start_matches("pub use crate::").split("::").next().unwrap_or_default();
            if from != own {
                out.push(format!("{rel}: re-exports `{from}` from layer `{own}`; import it from `{from}` itself"));
            }
        }
        if own != "pipeline" && code.contains(".diagnostics.push(") && code.contains("analysis") {
            out.push(format!(
                "{rel}: pushes into an analysis's diagnostics; use Analysis::push, which keeps the report order"
            ));
        }
        if !matches!(own, "io" | "source") && code.contains("std::fs") {
            out.push(format!("{rel}: touches std::fs outside io/ and source/"));
        }
        if own != "source" && code.contains("git2") {
            out.push(format!("{rel}: uses git2 outside source/"));
        }
        if let Some(this) = rel.strip_prefix("commands/").and_then(|r| r.strip_suffix(".rs")) {
            for other in commands.iter().filter(|c| c.as_str() != this) {
                if this != "mod"
                    && (code.contains(&format!("commands::{other}")) || code.contains(&format!("super::{other}")))
                {
                    out.push(format!("{rel}: command `{this}` imports command `{other}`"));
                }
            }
        }
    }
    out
}

#[test]
fn the_walls_hold() {
    let files = sources(Path::new(SRC));
    assert!(files.len() > 80, "read only {} files; is it still reading src/?", files.len());
    assert!(files.iter().any(|(rel, _)| rel == "check/rules/out_of_range.rs"), "paths are relative to src/");
    let found = violations(&files);
    assert!(found.is_empty(), "walls crossed (see ARCHITECTURE.md):\n{}", found.join("\n"));
}

/// The checker itself can fail: each wall, broken on purpose in a made-up file.
#[test]
fn the_walls_check_catches_each_kind_of_breach() {
    let file = |rel: &str, text: &str| vec![(rel.to_string(), text.to_string())];
    let cases = [
        (file("check/rules/x.rs", "use crate::artifact::compiled::Compiled;\n"), "layer `check` imports `artifact`"),
        (file("check/rules/x.rs", "use crate::declare_code;\n"), "layer `check` imports `declare_code`"),
        (file("diagnostic/code.rs", "#[macro_export]\nmacro_rules! m { () => {} }\n"), "#[macro_export]"),
        (file("check/mod.rs", "pub use crate::model::credentials::find;\n"), "re-exports `model` from layer `check`"),
        (file("cli/mod.rs", "use crate::commands::build::Target;\n"), "layer `cli` imports `commands`"),
        (file("commands/build.rs", "analysis.diagnostics.push(d);\n"), "use Analysis::push"),
        (file("artifact/x.rs", "use crate::codegen::rust;\n"), "layer `artifact` imports `codegen`"),
        (file("diagnostic/mod.rs", "use crate::source::Sources;\n"), "layer `diagnostic` imports `source`"),
        (file("parse/x.rs", "use crate::{diagnostic::Sink, report};\n"), "layer `parse` imports `report`"),
        (file("report/x.rs", "let x = crate::commands::diff::run;\n"), "layer `report` imports `commands`"),
        (file("commands/build.rs", "let t = std::fs::read(p);\n"), "touches std::fs"),
        (file("emit/x.rs", "use git2::Repository;\n"), "uses git2"),
        (file("brand_new.rs", "fn f() {}\n"), "not in the walls table"),
    ];
    for (files, expected) in cases {
        let found = violations(&files);
        assert!(found.iter().any(|v| v.contains(expected)), "expected `{expected}`, got {found:?}");
    }
    let two = vec![
        ("commands/build.rs".to_string(), "use crate::commands::render::run;\n".to_string()),
        ("commands/render.rs".to_string(), String::new()),
    ];
    assert!(violations(&two).iter().any(|v| v.contains("command `build` imports command `render`")));
    // Prose may name anything; `commands/mod.rs` may name every command.
    assert!(violations(&file("check/x.rs", "// see crate::emit for how it is written\n")).is_empty());
}

/// Every `declare_code!` in `src/` is in `rulesctl::codes::all()`, and every listed code is
/// documented with a summary and a fix.
#[test]
fn every_declared_code_is_listed_and_documented() {
    let mut declared = BTreeSet::new();
    for (rel, text) in sources(Path::new(SRC)) {
        for part in text.split("declare_code! {").skip(1) {
            let id = part.split("= (\"").nth(1).and_then(|rest| rest.get(..4)).unwrap_or_default();
            assert!(!id.is_empty(), "{rel}: a declare_code! without an id");
            declared.insert(id.to_string());
        }
    }
    let listed: BTreeSet<String> = rulesctl::codes::all().iter().map(|c| c.id.to_string()).collect();
    let unlisted: Vec<_> = declared.difference(&listed).collect();
    let undeclared: Vec<_> = listed.difference(&declared).collect();
    assert!(unlisted.is_empty(), "declared but missing from codes::all(): {unlisted:?}");
    assert!(undeclared.is_empty(), "listed but not declared with declare_code!: {undeclared:?}");
    assert!(declared.len() > 60, "the scan found only {} codes; is it still reading src/?", declared.len());
    for code in rulesctl::codes::all() {
        assert!(!code.summary().is_empty(), "{} has no summary", code.id);
        assert!(code.explanation().contains("Fix:"), "{} does not say how to fix it", code.id);
    }
}

/// ARCHITECTURE.md's layer table is the one this test enforces: the same layers, each with the
/// same list of what it may import, so the page cannot drift from the walls.
#[test]
fn the_architecture_page_draws_the_walls_this_test_checks() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ARCHITECTURE.md")).expect("page");
    let mut drawn: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in page.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let Some(name) = cells.first().map(|c| c.trim_matches('`').trim_end_matches(".rs")) else { continue };
        let may = cells.last().copied().unwrap_or_default();
        let set = if may == "nothing" || may.starts_with("everything") {
            BTreeSet::new()
        } else {
            may.split(", ").map(str::to_string).collect()
        };
        drawn.insert(name.to_string(), set);
    }
    for (layer, may) in ALLOWED.iter().filter(|(l, _)| !matches!(*l, "main" | "commands")) {
        let want: BTreeSet<String> = may.iter().map(|s| s.to_string()).collect();
        assert_eq!(drawn.get(*layer), Some(&want), "ARCHITECTURE.md's row for `{layer}` differs from ALLOWED");
    }
    let tree: BTreeSet<String> = sources(Path::new(SRC)).iter().map(|(rel, _)| layer(rel).to_string()).collect();
    for layer in &tree {
        assert!(drawn.contains_key(layer.as_str()) || layer == "main", "`{layer}` is in src/ but not on the page");
    }
}
