//! `rulesctl diff OLD NEW`: which sections of two rulesets differ, and how.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::commands::check::{analyze, Analysis};
use crate::emit::artifact::{ruleset_value, sections, Compiled};
use crate::emit::locate::Located;
use crate::source::git::Snapshot;

/// One side of a diff, compiled.
#[derive(Debug)]
pub struct Side {
    pub label: String,
    pub version: String,
    pub digest: String,
    pub sections: BTreeMap<String, Value>,
}

/// Why a side could not be loaded.
pub enum Failure {
    /// Exit 2: not a file, not a revision, unreadable.
    Unusable(String),
    /// Exit 1: the rules at that revision do not pass the check.
    Invalid(Box<Analysis>),
    /// Exit 1: the caller's own analysis has errors that stop this side; report it.
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

/// One field inside a changed section, by dotted path; `None` where it is absent.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionChange {
    pub section: String,
    pub change: Change,
    pub fields: Vec<FieldChange>,
}

/// Loads `arg` as an artifact file when one exists at that path, else as a git revision of the
/// repository at `root`.
///
/// # Errors
///
/// See [`Failure`].
pub fn load(arg: &str, root: Option<&Path>) -> Result<Side, Failure> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| Failure::Unusable(format!("cannot read `{arg}`: {e}")))?;
        let located =
            Located::parse(&text).map_err(|e| Failure::Unusable(format!("`{arg}` is not a rulesctl artifact: {e}")))?;
        let ruleset = located.value.get("ruleset").filter(|r| r.is_object()).cloned();
        let ruleset =
            ruleset.ok_or_else(|| Failure::Unusable(format!("`{arg}` is not a rulesctl artifact: no `ruleset`")))?;
        return Ok(side(arg, ruleset));
    }
    let Some(root) = root else {
        return Err(Failure::Unusable(format!(
            "`{arg}` is neither an artifact file nor, outside a rules repository, a git revision"
        )));
    };
    let tree = Snapshot::revision(root, arg)
        .map_err(|e| Failure::Unusable(format!("`{arg}` is not an artifact file, and {e}")))?;
    let mut analysis = analyze(&tree);
    analysis.sources.prefix_paths(&format!("{arg}:"));
    if analysis.errors() > 0 {
        return Err(Failure::Invalid(Box::new(analysis)));
    }
    let ruleset = ruleset_value(&analysis.ruleset).ok_or_else(|| Failure::Invalid(Box::new(analysis)))?;
    Ok(side(arg, ruleset))
}

/// One environment's rendered values as a side: its sections are the top-level keys.
///
/// # Errors
///
/// See [`Failure`].
pub fn environment(analysis: &Analysis, name: &str) -> Result<Side, Failure> {
    let env = analysis.deploy.environments.iter().find(|e| e.name == name);
    let merged = env.and_then(|e| e.merged.as_ref().map(|m| (e, m)));
    let Some((env, merged)) = merged else {
        return match crate::commands::render::rendered(analysis, name) {
            Err(Some(message)) => Err(Failure::Unusable(message)),
            _ => Err(Failure::Unusable(format!("environment `{name}` cannot be rendered"))),
        };
    };
    if crate::commands::render::blocking_errors(analysis, env) > 0 {
        return Err(Failure::Blocked);
    }
    let sections =
        merged.value.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
    let digest = crate::emit::hash::prefixed(crate::emit::canonical::compact(&merged.value).as_bytes());
    Ok(Side { label: format!("environment {name}"), version: String::new(), digest, sections })
}

fn side(label: &str, ruleset: Value) -> Side {
    let compiled = Compiled::new(ruleset);
    Side {
        label: label.to_string(),
        version: compiled.version().to_string(),
        digest: compiled.digest.clone(),
        sections: sections(&compiled.ruleset),
    }
}

/// The sections that differ, in section order; unchanged sections are left out.
pub fn compare(old: &Side, new: &Side) -> Vec<SectionChange> {
    let ids: std::collections::BTreeSet<&String> = old.sections.keys().chain(new.sections.keys()).collect();
    let mut out = Vec::new();
    for id in ids {
        let (a, b) = (old.sections.get(id), new.sections.get(id));
        let change = match (a, b) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            (Some(a), Some(b)) if a != b => Change::Changed,
            _ => continue,
        };
        let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
        if let Some(a) = a {
            flatten("", a, &mut fa);
        }
        if let Some(b) = b {
            flatten("", b, &mut fb);
        }
        let fields: std::collections::BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
        let fields = fields
            .into_iter()
            .filter(|f| fa.get(*f) != fb.get(*f))
            .map(|f| FieldChange { field: f.clone(), old: fa.get(f).cloned(), new: fb.get(f).cloned() })
            .collect();
        out.push(SectionChange { section: id.clone(), change, fields });
    }
    out
}

/// Scalars by dotted path (`items.gold_coin.weight`).
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&path, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}
