//! A chart's dependencies (`Chart.yaml`'s `dependencies`) against what is vendored in its
//! `charts/` folder, for a `helm template` that must run with no network (the Argo CD repo
//! server may have none).
//!
//! The rule: a dependency is vendored when `charts/<name>-<version>.tgz` (what `helm dependency
//! build` writes: any archive named `<name>-` and a version) or a folder `charts/<name>/` with a
//! `Chart.yaml` is there. When every dependency is vendored, `helm template` reads them as they
//! are. When the missing ones are local (`repository: file://…`, a chart inside the repository)
//! and every dependency is local, `helm dependency build --skip-refresh` packages them with no
//! network. Anything else would need a download, and is refused, naming the dependency.

use std::fmt;

use serde_json::Value;

use crate::diagnostic::Sink;
use crate::parse::yaml;
use crate::source::{Limits, Sources, Tree};

/// `Chart.yaml` is small; this is far beyond any real one.
const MAX_CHART_YAML_BYTES: u64 = 1024 * 1024;

/// One entry of `Chart.yaml`'s `dependencies`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    /// Where its values sit in its parent's, when not under its name.
    pub alias: Option<String>,
    /// The values paths that switch it on or off (`mysql.enabled, global.mysql`).
    pub condition: Option<String>,
}

impl Dependency {
    /// The folder of a `file://` dependency, relative to the repository root, when it is one.
    fn local(&self, chart: &str) -> Option<String> {
        let path = self.repository.strip_prefix("file://")?;
        normalize(&format!("{chart}/{path}"))
    }
}

/// What a chart needs before `helm template` can render it offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing: no dependencies, or every one vendored.
    Ready,
    /// `helm dependency build --skip-refresh`, which packages these local dependencies (every
    /// dependency of the chart is local, so nothing is downloaded).
    Build(Vec<String>),
}

/// Why a chart cannot be rendered offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `Chart.yaml` cannot be read, or is not YAML of the expected shape.
    Unreadable { chart: String, why: String },
    /// A dependency that is not vendored and cannot be built without a download.
    NotVendored { chart: String, dependency: Box<Dependency> },
    /// A local dependency that is not packaged, beside remote ones `helm dependency build`
    /// would download again.
    Mixed { chart: String, local: String, remote: String },
    /// A `file://` dependency whose folder is not a chart inside the repository.
    LocalMissing { chart: String, dependency: Box<Dependency> },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unreadable { chart, why } => write!(f, "`{chart}/Chart.yaml`: {why}"),
            Problem::NotVendored { chart, dependency: d } => write!(
                f,
                "`{chart}/Chart.yaml` depends on `{}` {} from {}, which is not vendored in `{chart}/charts/`. \
                 The Argo CD repo server may have no network, so nothing is downloaded there: run \
                 `helm dependency build {chart}` where there is network, and commit `{chart}/charts/{}-<version>.tgz`",
                d.name,
                if d.version.is_empty() { "(any version)" } else { d.version.as_str() },
                if d.repository.is_empty() { "no repository" } else { d.repository.as_str() },
                d.name
            ),
            Problem::Mixed { chart, local, remote } => write!(
                f,
                "`{chart}/Chart.yaml`'s local dependency `{local}` is not packaged in `{chart}/charts/`, and \
                 `helm dependency build` would download `{remote}` again, which the Argo CD repo server may \
                 not be able to: run `helm dependency build {chart}` where there is network, and commit \
                 `{chart}/charts/`"
            ),
            Problem::LocalMissing { chart, dependency: d } => write!(
                f,
                "`{chart}/Chart.yaml` depends on `{}` from {}, which is not a chart folder inside the repository: \
                 vendor the chart there, or package it into `{chart}/charts/`",
                d.name, d.repository
            ),
        }
    }
}

/// The dependencies `<chart>/Chart.yaml` lists (`chart` relative to the root of `tree`).
///
/// # Errors
///
/// [`Problem::Unreadable`] when the file cannot be read or its `dependencies` is not a list of
/// mappings with a `name`.
pub fn dependencies(tree: &dyn Tree, chart: &str) -> Result<Vec<Dependency>, Problem> {
    let unreadable = |why: String| Problem::Unreadable { chart: chart.to_string(), why };
    let rel = format!("{chart}/Chart.yaml");
    let bytes = tree.read(&rel, MAX_CHART_YAML_BYTES).map_err(|e| unreadable(e.describe(&rel)))?;
    let text = String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".to_string()))?;
    let mut sources = Sources::default();
    let id = sources.add(rel.clone(), String::new());
    let mut sink = Sink::new();
    let doc = yaml::parse(id, &text, &Limits::DEFAULT, &mut sink)
        .filter(|_| sink.is_empty())
        .ok_or_else(|| unreadable("it is not valid YAML (`helm lint` says where)".to_string()))?;
    entries(&doc.value).map_err(unreadable)
}

/// The `dependencies` of a parsed `Chart.yaml`; the checks read the same list for where each
/// dependency's defaults sit and what switches it off.
///
/// # Errors
///
/// Why the list is unusable: not a list, or an entry without a `name`.
pub fn entries(chart: &Value) -> Result<Vec<Dependency>, String> {
    let list = match chart.get("dependencies") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err("`dependencies` is not a list".to_string()),
    };
    let text_of = |entry: &Value, key: &str| match entry.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    list.iter()
        .map(|entry| {
            let name = text_of(entry, "name");
            if name.is_empty() {
                return Err("a dependency has no `name`".to_string());
            }
            let some = |key: &str| Some(text_of(entry, key)).filter(|s| !s.is_empty());
            Ok(Dependency {
                name,
                version: text_of(entry, "version"),
                repository: text_of(entry, "repository"),
                alias: some("alias"),
                condition: some("condition"),
            })
        })
        .collect()
}

/// Whether `dependency` is vendored in `<chart>/charts/`, whose `.tgz` files are `archives`.
fn vendored(tree: &dyn Tree, chart: &str, archives: &[String], dependency: &Dependency) -> bool {
    let prefix = format!("{chart}/charts/{}-", dependency.name);
    let archive = archives.iter().any(|a| {
        a.strip_prefix(&prefix)
            .is_some_and(|rest| !rest.contains('/') && rest.starts_with(|c: char| c.is_ascii_digit()))
    });
    archive || tree.exists(&format!("{chart}/charts/{}/Chart.yaml", dependency.name))
}

/// What `<chart>` needs before `helm template` renders it offline (see the module's rule).
///
/// # Errors
///
/// Why it cannot be rendered offline, naming the first dependency concerned.
pub fn plan(tree: &dyn Tree, chart: &str) -> Result<Plan, Problem> {
    let dependencies = dependencies(tree, chart)?;
    let archives = tree.list_files(&[format!("{chart}/charts")], ".tgz").unwrap_or_default();
    let missing: Vec<&Dependency> = dependencies.iter().filter(|d| !vendored(tree, chart, &archives, d)).collect();
    if missing.is_empty() {
        return Ok(Plan::Ready);
    }
    for dependency in &dependencies {
        if let Some(folder) = dependency.local(chart) {
            if !tree.exists(&format!("{folder}/Chart.yaml")) {
                return Err(Problem::LocalMissing {
                    chart: chart.to_string(),
                    dependency: Box::new(dependency.clone()),
                });
            }
        }
    }
    if let Some(remote) = missing.iter().find(|d| d.local(chart).is_none()) {
        return Err(Problem::NotVendored { chart: chart.to_string(), dependency: Box::new((*remote).clone()) });
    }
    if let Some(remote) = dependencies.iter().find(|d| d.local(chart).is_none()) {
        return Err(Problem::Mixed {
            chart: chart.to_string(),
            local: missing[0].name.clone(),
            remote: remote.name.clone(),
        });
    }
    Ok(Plan::Build(missing.iter().map(|d| d.name.clone()).collect()))
}

/// `a/b/../c` → `a/c`; `None` when the path leaves the root or is absolute.
fn normalize(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_stays_inside_the_root() {
        assert_eq!(normalize("chart/../libs/common").as_deref(), Some("libs/common"));
        assert_eq!(normalize("chart/./sub/").as_deref(), Some("chart/sub"));
        assert_eq!(normalize("chart/../../outside"), None);
        assert_eq!(normalize("/etc"), None);
    }
}
