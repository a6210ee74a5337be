//! What the fuzz targets share: an in-memory repository, splitting one input into several
//! files, the fixed files a target builds around its input, and the properties every report
//! must have (see docs/src/engineering/fuzzing.md).

use std::collections::BTreeMap;

use rulesctl::diagnostic::Diagnostic;
use rulesctl::io::ReadError;
use rulesctl::report::{self, Extra, OutputFormat, Summary, View};
use rulesctl::source::tree::listing;
use rulesctl::source::{Sources, Tree};

/// Separates the files packed into one fuzz input (`render`, `verify_json`, `verify_rs`,
/// `lsp`). 0xFF never occurs in UTF-8, so a seed made of text files splits where it was joined.
pub const SEPARATOR: u8 = 0xFF;

/// The first `n` parts of `data` split at [`SEPARATOR`]; the last one keeps any further
/// separators. Missing parts are `None`.
pub fn parts(data: &[u8], n: usize) -> Vec<Option<&[u8]>> {
    let mut out: Vec<Option<&[u8]>> = data.splitn(n, |b| *b == SEPARATOR).map(Some).collect();
    out.resize(n, None);
    out
}

/// The valid base repository of the integration tests (`tests/fixtures/base`): three rule files.
pub const BASE_RULES: &[(&str, &str)] = &[
    ("rules/caves.hcl", include_str!("../../tests/fixtures/base/rules/caves.hcl")),
    ("rules/loot.hcl", include_str!("../../tests/fixtures/base/rules/loot.hcl")),
    ("rules/ruleset.hcl", include_str!("../../tests/fixtures/base/rules/ruleset.hcl")),
];

/// `tests/fixtures/helm`: a project file with a chart, overrides, injections and typed values.
pub const HELM_PROJECT: &str = include_str!("../../tests/fixtures/helm/rulesctl.hcl");
pub const HELM_VALUES: &str = include_str!("../../tests/fixtures/helm/values.yaml");
pub const HELM_SCHEMA: &str = include_str!("../../tests/fixtures/helm/chart/values.schema.json");
pub const HELM_CHART: &str = include_str!("../../tests/fixtures/helm/chart/Chart.yaml");
pub const HELM_PROD: &str = include_str!("../../tests/fixtures/helm/environments/prod.yaml");

/// A repository held in memory: root-relative path → bytes. Far faster than a folder on disk
/// per run, and it behaves as `WorkTree` does for the paths a fuzz target uses.
#[derive(Default)]
pub struct MemoryTree {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MemoryTree {
    pub fn with(mut self, rel: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.insert(rel.to_string(), bytes.into());
        self
    }

    fn below<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.files.keys().filter(move |rel| dir.is_empty() || dir == "." || rel.starts_with(&format!("{dir}/")))
    }
}

impl Tree for MemoryTree {
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self.files.get(rel) {
            Some(bytes) if bytes.len() as u64 > limit => Err(ReadError::TooLarge { size: bytes.len() as u64, limit }),
            Some(bytes) => Ok(bytes.clone()),
            None if self.below(rel).next().is_some() => Err(ReadError::NotAFile("a directory")),
            None => Err(ReadError::Missing),
        }
    }

    fn list_files(&self, paths: &[String], suffix: &str) -> Result<Vec<String>, Vec<String>> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for path in paths {
            let path = path.trim_end_matches('/');
            let path = path.strip_prefix("./").unwrap_or(path);
            if self.files.contains_key(path) {
                found.push(path.to_string());
                continue;
            }
            let mut any = false;
            for rel in self.below(path) {
                any = true;
                let hidden = rel.split('/').any(|part| part.starts_with('.'));
                if rel.ends_with(suffix) && !hidden {
                    found.push(rel.clone());
                }
            }
            if !any {
                missing.push(path.to_string());
            }
        }
        listing(found, missing)
    }

    fn exists(&self, rel: &str) -> bool {
        self.files.contains_key(rel) || self.below(rel).next().is_some()
    }
}

/// The product's promise about every diagnostic (SPEC "Bad input", STYLE "Diagnostics are
/// data"): it says what is wrong and how to fix it, and every place it names lies inside its
/// file on character boundaries, so every format can print a line, a column and a snippet.
/// Then renders the report in every format, as `check --format ...` would.
///
/// # Panics
///
/// When a diagnostic breaks the promise, or a renderer panics: both are findings.
pub fn check_report(diagnostics: &[Diagnostic], sources: &Sources, files: usize) {
    for d in diagnostics {
        assert!(!d.message.trim().is_empty(), "{} has no message", d.code.id);
        assert!(d.help.as_deref().is_some_and(|h| !h.trim().is_empty()), "{} has no help: {}", d.code.id, d.message);
        for label in std::iter::once(&d.primary).chain(&d.related) {
            assert!(label.span.file.index() < sources.len(), "{} names a file that was never loaded", d.code.id);
            let text = &sources.get(label.span.file).text;
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(start <= end && end <= text.len(), "{} at {start}..{end} of {} bytes", d.code.id, text.len());
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{} at {start}..{end} splits a character",
                d.code.id
            );
        }
    }
    let summary = Summary::of(diagnostics, files);
    for format in [OutputFormat::Human { color: false }, OutputFormat::Json, OutputFormat::Sarif, OutputFormat::Github]
    {
        let out = report::render(View::of(format), diagnostics, sources, summary, &Extra::default());
        if format == OutputFormat::Json {
            assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok(), "the JSON report is not JSON:\n{out}");
        }
    }
}
