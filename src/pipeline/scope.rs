//! Which environments a diagnostic belongs to. A problem that exists only when some
//! environments are rendered blocks only those; the same finding reached through several
//! environments is reported once, naming them; one that also exists in values.yaml alone is
//! everyone's and names none.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Span};
use crate::model::deploy::Deploy;

/// Tags diagnostics in an environment's own file with that environment, then merges the
/// diagnostics that say the same thing at the same place.
pub fn merge(diagnostics: &mut Vec<Diagnostic>, deploy: &Deploy) {
    let env_of: BTreeMap<_, &str> = deploy.environments.iter().map(|e| (e.file, e.name.as_str())).collect();
    for d in diagnostics.iter_mut() {
        if let Some(name) = env_of.get(&d.primary.span.file) {
            d.environments = vec![(*name).to_string()];
        }
    }
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut index: BTreeMap<(&'static str, Span, String), usize> = BTreeMap::new();
    for d in diagnostics.drain(..) {
        let key = (d.code.id, d.primary.span, d.message.clone());
        match index.get(&key) {
            Some(&at) => {
                let kept = &mut merged[at];
                if kept.environments.is_empty() || d.environments.is_empty() {
                    kept.environments.clear();
                } else {
                    kept.environments.extend(d.environments);
                    kept.environments.sort();
                    kept.environments.dedup();
                }
                for label in d.related {
                    if !kept.related.contains(&label) {
                        kept.related.push(label);
                    }
                }
            }
            None => {
                index.insert(key, merged.len());
                merged.push(d);
            }
        }
    }
    for d in &mut merged {
        // A problem of one environment is shown in that environment's file when one of its
        // places is there (the override that lowered a limit, the secrets list that lacks a
        // name), the base value beside it: `check environments/prod.yaml` then shows it.
        // It is that environment's when an override there caused it, or when it exists in some
        // environments but not all (with one environment, a values.yaml line is the cause).
        if let [name] = d.environments.as_slice() {
            let Some(env) = deploy.environments.iter().find(|e| &e.name == name) else { continue };
            let overrides =
                env.doc.as_ref().filter(|doc| doc.value.get("overrides").is_some()).map(|doc| doc.span("/overrides"));
            let some_not_all = deploy.environments.len() > 1;
            let in_env = d.related.iter().position(|l| {
                let overridden =
                    overrides.is_some_and(|o| o.file == l.span.file && o.start <= l.span.start && l.span.end <= o.end);
                l.span.file == env.file && (overridden || some_not_all)
            });
            if let (Some(at), false) = (in_env, env.file == d.primary.span.file) {
                std::mem::swap(&mut d.primary, &mut d.related[at]);
            }
        }
        // Name the environments when the place shown is not the environment's own file.
        let own_file = env_of.contains_key(&d.primary.span.file);
        if !d.environments.is_empty() && !own_file {
            let names: Vec<String> = d.environments.iter().map(|n| format!("`{n}`")).collect();
            let word = if names.len() == 1 { "environment" } else { "environments" };
            d.message = format!("{} (in {word} {})", d.message, names.join(", "));
        }
    }
    *diagnostics = merged;
}

/// One mistake, one diagnostic: a YAML 1.1 ambiguity warning (`Y005`: quote `no`) on a value the
/// schema rejects (`H001`: must be a boolean) would give two contradicting fixes. The schema
/// error stays, and its help says both things at once.
pub fn one_per_value(diagnostics: &mut Vec<Diagnostic>) {
    // Keyed by span, so many ambiguous values that are also schema errors stay linear.
    let ambiguous: std::collections::HashMap<Span, String> =
        diagnostics.iter().filter(|d| d.code.id == "Y005").map(|d| (d.primary.span, d.message.clone())).collect();
    if ambiguous.is_empty() {
        return;
    }
    let mut merged = std::collections::HashSet::new();
    for d in diagnostics.iter_mut().filter(|d| d.code.id == "H001") {
        if let Some(reading) = ambiguous.get(&d.primary.span) {
            d.help = Some(format!(
                "{reading}: write the value the schema asks for, in a form YAML 1.1 and 1.2 read alike (`true`/`false` for a boolean, quotes for a string)"
            ));
            merged.insert(d.primary.span);
        }
    }
    diagnostics.retain(|d| d.code.id != "Y005" || !merged.contains(&d.primary.span));
}
