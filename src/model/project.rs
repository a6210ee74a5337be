//! `rulesctl.hcl`: where things are, policy ceilings and limits. Every block is optional.

use std::path::{Component, Path};

use crate::diagnostic::{Diagnostic, Sink};
use crate::model::decode::{decode, NumberAt, INVALID_FORMAT};
use crate::model::dialect::PROJECT;
use crate::model::Spanned;
use crate::parse::{Entry, Num};
use crate::source::{FileId, Span};

/// The default per-file size limit: 8 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// One `policy "block.attribute" { min = .., max = .. }`.
#[derive(Debug, Clone)]
pub struct Policy {
    pub block: Span,
    pub attr: Spanned<String>,
    pub min: Option<Spanned<Num>>,
    pub max: Option<Spanned<Num>>,
}

/// A configured path, or the default when `span` is `None`.
#[derive(Debug, Clone)]
pub struct PathSetting {
    pub value: String,
    pub span: Option<Span>,
}

impl PathSetting {
    fn default(value: &str) -> Self {
        PathSetting { value: value.to_string(), span: None }
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub file: Option<FileId>,
    pub rules: Vec<PathSetting>,
    pub values: PathSetting,
    pub environments: PathSetting,
    pub dist: PathSetting,
    pub policies: Vec<Policy>,
    pub max_file_bytes: u64,
    pub allow_overrides: Option<Vec<Spanned<String>>>,
    pub numbers: Vec<NumberAt>,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            file: None,
            rules: vec![PathSetting::default("rules")],
            values: PathSetting::default("values.yaml"),
            environments: PathSetting::default("environments"),
            dist: PathSetting::default("dist"),
            policies: Vec::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            allow_overrides: None,
            numbers: Vec::new(),
        }
    }
}

impl Project {
    /// Builds the project from a parsed `rulesctl.hcl`.
    pub fn from_entries(file: FileId, entries: &[Entry], sink: &mut Sink) -> Self {
        let root = decode(entries, &PROJECT, Span::file(file), sink);
        let mut project = Project { file: Some(file), ..Project::default() };
        root.numbers("", &mut project.numbers);
        let setting = |s: Spanned<String>, sink: &mut Sink| {
            let ok = inside_root(&s, sink);
            ok.then_some(PathSetting { value: s.value, span: Some(s.span) })
        };
        if let Some(paths) = root.children("paths").next() {
            if let Some(rules) = paths.strings("rules") {
                project.rules = rules.into_iter().filter_map(|s| setting(s, sink)).collect();
            }
            for (name, slot) in [
                ("values", &mut project.values),
                ("environments", &mut project.environments),
                ("dist", &mut project.dist),
            ] {
                if let Some(path) = paths.str(name).and_then(|s| setting(s, sink)) {
                    *slot = path;
                }
            }
        }
        for policy in root.children("policy") {
            if let Some(attr) = policy.label.clone() {
                project.policies.push(Policy {
                    block: policy.ident_span,
                    attr,
                    min: policy.num("min"),
                    max: policy.num("max"),
                });
            }
        }
        if let Some(limit) = root.children("limits").next().and_then(|l| l.int("max_file_bytes")) {
            if let Ok(limit) = u64::try_from(limit.value) {
                if limit > 0 {
                    project.max_file_bytes = limit;
                }
            }
        }
        project.allow_overrides = root.children("render").next().and_then(|r| r.strings("allow_overrides"));
        project
    }
}

/// Configured paths are relative and stay inside the repository, so a checkout is self-contained.
fn inside_root(path: &Spanned<String>, sink: &mut Sink) -> bool {
    let p = Path::new(&path.value);
    let ok = !path.value.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !ok {
        sink.push(
            Diagnostic::new(
                &INVALID_FORMAT,
                path.span,
                format!("`{}` is not a path inside the repository", path.value),
            )
            .label("path leaves the repository")
            .help("write a relative path without `..`, such as \"rules\""),
        );
    }
    ok
}
