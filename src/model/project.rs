//! `rulesctl.hcl`: where things are, policy ceilings and limits. Every block is optional.

use std::path::{Component, Path};

use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::model::declared::{Measure, ValueType, RULESET_FIELDS};
use crate::model::decode::{decode, suggest, NumberAt, INVALID_FORMAT};
use crate::model::dialect::PROJECT;
use crate::model::Spanned;
use crate::parse::{Entry, Num};
use crate::source::Limits;

/// The default per-file size limit: 8 MiB. `rulesctl.hcl` itself is always read under it.
pub const DEFAULT_MAX_FILE_BYTES: u64 = Limits::DEFAULT.max_file_bytes;

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

/// One `inject = { "values.path" = "source" }` entry: rulesctl writes `source` (a ruleset field,
/// or `digest`) at `path` in every rendered environment.
#[derive(Debug, Clone)]
pub struct Injection {
    pub path: Spanned<String>,
    pub source: Spanned<String>,
}

/// One `value "values.path" { type = ..., min = ..., max = ..., equals = ... }` declaration.
#[derive(Debug, Clone)]
pub struct ValueDecl {
    pub path: Spanned<String>,
    pub kind: Spanned<String>,
    pub min: Option<Spanned<String>>,
    pub max: Option<Spanned<String>>,
    pub equals: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub file: Option<FileId>,
    pub rules: Vec<PathSetting>,
    pub values: PathSetting,
    pub environments: PathSetting,
    pub dist: PathSetting,
    /// A Helm chart folder (`paths.chart`), whose `values.schema.json` validates the values.
    pub chart: Option<PathSetting>,
    /// A values JSON Schema named directly (`paths.values_schema`); wins over the chart's.
    pub values_schema: Option<PathSetting>,
    pub policies: Vec<Policy>,
    /// `limits { }`, each unset or unusable one at its default.
    pub limits: Limits,
    /// `None`: no `allow_overrides` was written, so no override is allowed.
    pub allow_overrides: Option<Vec<Spanned<String>>>,
    pub inject: Vec<Injection>,
    /// Extra secret-reference keys, beside the conventional ones.
    pub secret_refs: Vec<Spanned<String>>,
    pub value_decls: Vec<ValueDecl>,
    pub numbers: Vec<NumberAt>,
    /// `argocd { emit = ["wasm"] }`: the ConfigMap also carries the WebAssembly module.
    pub argocd_wasm: bool,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            file: None,
            rules: vec![PathSetting::default("rules")],
            values: PathSetting::default("values.yaml"),
            environments: PathSetting::default("environments"),
            dist: PathSetting::default("dist"),
            chart: None,
            values_schema: None,
            policies: Vec::new(),
            limits: Limits::DEFAULT,
            allow_overrides: None,
            inject: Vec::new(),
            secret_refs: Vec::new(),
            value_decls: Vec::new(),
            numbers: Vec::new(),
            argocd_wasm: false,
        }
    }
}

impl Project {
    /// The root-relative paths an analysis reads from (without `./` or a trailing `/`): the
    /// project file itself and every configured input path. `dist` is output, not input.
    pub fn inputs(&self) -> Vec<String> {
        let mut out = vec![crate::source::root::PROJECT_FILE.to_string()];
        out.extend(self.rules.iter().map(|p| p.value.clone()));
        out.push(self.values.value.clone());
        out.push(self.environments.value.clone());
        out.extend(self.chart.iter().map(|p| p.value.clone()));
        out.extend(self.values_schema.iter().map(|p| p.value.clone()));
        out.into_iter().map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string()).collect()
    }

    /// Builds the project from a parsed `rulesctl.hcl`.
    pub fn from_entries(file: FileId, entries: &[Entry], sink: &mut Sink) -> Self {
        let root = decode(entries, &PROJECT, Span::file(file), usize::MAX, sink);
        let mut project = Project { file: Some(file), ..Project::default() };
        root.numbers(&mut project.numbers);
        let setting = |s: Spanned<String>, sink: &mut Sink| {
            let ok = inside_root(&s, None, sink);
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
            // A chart outside the repository is the usual first try with a public chart: say how
            // to bring it in.
            let vendor = "vendor the chart into the repository (for example `helm pull <repo>/<chart> --untar --untardir charts`, then `chart = \"charts/<chart>\"`): rulesctl and the Argo CD plugin read only what the repository holds";
            project.chart = paths
                .str("chart")
                .filter(|s| inside_root(s, Some(vendor), sink))
                .map(|s| PathSetting { value: s.value, span: Some(s.span) });
            project.values_schema = paths.str("values_schema").and_then(|s| setting(s, sink));
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
        if let Some(limits) = root.children("limits").next() {
            project.limits = read_limits(|name| limits.int(name).map(|n| n.value));
        }
        if let Some(render) = root.children("render").next() {
            project.allow_overrides = render.strings("allow_overrides");
            project.inject = render
                .string_map("inject")
                .unwrap_or_default()
                .into_iter()
                .map(|(path, source)| Injection { path, source })
                .collect();
            project.secret_refs = render.strings("secret_refs").unwrap_or_default();
        }
        if let Some(argocd) = root.children("argocd").next() {
            for output in argocd.strings("emit").unwrap_or_default() {
                match output.value.as_str() {
                    "wasm" => project.argocd_wasm = true,
                    "json" => {}
                    other => sink.push(
                        Diagnostic::new(
                            &INVALID_FORMAT,
                            output.span,
                            format!("`{other}` is not something `argocd generate` can add to the ConfigMap"),
                        )
                        .label("unknown output")
                        .help("write `emit = [\"wasm\"]` (the JSON artifact is always in the ConfigMap)"),
                    ),
                }
            }
        }
        for value in root.children("value") {
            let (Some(path), Some(kind)) = (value.label.clone(), value.str("type")) else { continue };
            let decl =
                ValueDecl { path, kind, min: value.str("min"), max: value.str("max"), equals: value.str("equals") };
            if declaration_is_valid(&decl, sink) {
                project.value_decls.push(decl);
            }
        }
        // Invalid injections stay listed (and are never resolved), so the values they should have
        // written are not reported missing as well.
        for injection in &project.inject {
            injection_is_valid(injection, sink);
        }
        project
    }
}

/// The limits `limits { }` sets, from `int(name)`; a limit that is unset, or outside its range
/// (reported as `B001` by the range check), keeps its default.
fn read_limits(int: impl Fn(&str) -> Option<i64>) -> Limits {
    let (default, ceiling) = (Limits::DEFAULT, Limits::CEILING);
    let get = |name: &str, default: u64, ceiling: u64| {
        int(name).and_then(|n| u64::try_from(n).ok()).filter(|n| (1..=ceiling).contains(n)).unwrap_or(default)
    };
    let size = |name: &str, default: usize, ceiling: usize| {
        usize::try_from(get(name, default as u64, ceiling as u64)).unwrap_or(default)
    };
    Limits {
        max_file_bytes: get("max_file_bytes", default.max_file_bytes, ceiling.max_file_bytes),
        max_depth: size("max_depth", default.max_depth, ceiling.max_depth),
        max_files: size("max_files", default.max_files, ceiling.max_files),
        max_yaml_nodes: size("max_yaml_nodes", default.max_yaml_nodes, ceiling.max_yaml_nodes),
        max_string_bytes: size("max_string_bytes", default.max_string_bytes, ceiling.max_string_bytes),
        max_diagnostics: size("max_diagnostics", default.max_diagnostics, ceiling.max_diagnostics),
    }
}

/// Configured paths are relative and stay inside the repository, so a checkout is
/// self-contained and no setting can steer a read or a write (`dist`) elsewhere. A control
/// character (`\u0000` is a valid HCL escape) names no file anyone meant; the message
/// escapes the path so it prints as written.
fn inside_root(path: &Spanned<String>, outside_help: Option<&str>, sink: &mut Sink) -> bool {
    let p = Path::new(&path.value);
    let control = path.value.chars().any(char::is_control);
    let leaves =
        path.value.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if control || leaves {
        let shown = path.value.escape_debug();
        let (label, help) = if control {
            ("control character in a path", "write the path without control characters such as \\u0000")
        } else {
            (
                "path leaves the repository",
                outside_help.unwrap_or("write a relative path without `..`, such as \"rules\""),
            )
        };
        sink.push(
            Diagnostic::new(&INVALID_FORMAT, path.span, format!("`{shown}` is not a path inside the repository"))
                .label(label)
                .help(help),
        );
    }
    !control && !leaves
}

/// A dotted values path: non-empty keys separated by `.`, without control characters (a
/// `\u0000` escape would put a key no chart reads into every rendered environment).
fn values_path_is_valid(path: &Spanned<String>, sink: &mut Sink) -> bool {
    let ok = !path.value.is_empty()
        && path.value.split('.').all(|part| !part.is_empty())
        && !path.value.chars().any(char::is_control);
    if !ok {
        sink.push(
            Diagnostic::new(&INVALID_FORMAT, path.span, format!("`{}` is not a values path", path.value.escape_debug()))
                .label("not a.b.c")
                .help("write the path to a value as its keys joined by `.`, such as \"config.rulesetVersion\", without control characters"),
        );
    }
    ok
}

/// A ruleset field name for `inject` (which also takes `digest`) or `equals`.
fn field_is_known(source: &Spanned<String>, digest_allowed: bool, sink: &mut Sink) -> bool {
    if RULESET_FIELDS.contains(&source.value.as_str()) || (digest_allowed && source.value == "digest") {
        return true;
    }
    let known: Vec<&str> = RULESET_FIELDS.iter().copied().chain(digest_allowed.then_some("digest")).collect();
    sink.push(
        Diagnostic::new(&INVALID_FORMAT, source.span, format!("`{}` is not a ruleset field", source.value))
            .label("unknown field")
            .help(suggest(&source.value, known.into_iter())),
    );
    false
}

fn injection_is_valid(injection: &Injection, sink: &mut Sink) -> bool {
    let path = values_path_is_valid(&injection.path, sink);
    field_is_known(&injection.source, true, sink) && path
}

/// A `value` block: a values path, a known type, bounds written in that type, and a known
/// `equals` field. An invalid declaration is reported and left out, so it checks nothing.
fn declaration_is_valid(decl: &ValueDecl, sink: &mut Sink) -> bool {
    let mut ok = values_path_is_valid(&decl.path, sink);
    let Some(kind) = ValueType::parse(&decl.kind.value) else { return false };
    for bound in [&decl.min, &decl.max].into_iter().flatten() {
        let valid = match kind.measure_text(&bound.value) {
            Measure::Amount(_) => true,
            Measure::Valid | Measure::Invalid(_) => false,
        };
        if !valid {
            ok = false;
            let help = match kind {
                ValueType::Endpoint => "an endpoint has no order: remove `min` and `max`".to_string(),
                _ => format!("write the bound as {}", kind.describe()),
            };
            sink.push(
                Diagnostic::new(
                    &INVALID_FORMAT,
                    bound.span,
                    format!("`{}` is not a bound for a value of type {}", bound.value, decl.kind.value),
                )
                .label("invalid bound")
                .help(help),
            );
        }
    }
    if let Some(equals) = &decl.equals {
        ok &= field_is_known(equals, false, sink);
    }
    ok
}
