//! Comparing two compiled rulesets, or two rendered environments, section by section. The
//! report layer only renders what this finds (`report::changes`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::artifact::canonical;
use crate::artifact::compiled::{sections, Compiled};

/// One side of a diff, compiled.
#[derive(Debug)]
pub struct Side {
    pub label: String,
    pub version: String,
    pub digest: String,
    pub sections: BTreeMap<String, Value>,
}

impl Side {
    /// A ruleset (the `ruleset` object of an artifact) as a side: its sections are the artifact's.
    pub fn ruleset(label: &str, ruleset: Value) -> Self {
        let compiled = Compiled::new(ruleset);
        Side {
            label: label.to_string(),
            version: compiled.version().to_string(),
            digest: compiled.digest.clone(),
            sections: sections(compiled.ruleset()),
        }
    }

    /// One environment's rendered values as a side: its sections are the top-level keys.
    pub fn values(label: String, values: &Value) -> Self {
        let sections =
            values.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
        let digest = crate::hash::prefixed(canonical::compact(values).as_bytes());
        Side { label, version: String::new(), digest, sections }
    }
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

/// The sections that differ, in section order; unchanged sections are left out.
pub fn compare(old: &Side, new: &Side) -> Vec<SectionChange> {
    let ids: BTreeSet<&String> = old.sections.keys().chain(new.sections.keys()).collect();
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
        let fields: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
        let fields = fields
            .into_iter()
            .filter(|f| fa.get(*f) != fb.get(*f))
            .filter(|f| !filled_or_emptied(f, &fa, &fb) && !filled_or_emptied(f, &fb, &fa))
            .map(|f| FieldChange { field: f.clone(), old: fa.get(f).cloned(), new: fb.get(f).cloned() })
            .collect();
        out.push(SectionChange { section: id.clone(), change, fields });
    }
    out
}

/// The ids of the sections in which two compiled rulesets differ, sorted.
///
/// Compared by Merkle leaf (a section's hash over its id and canonical bytes), so neither ruleset
/// is parsed back into JSON; `leaves` are sorted by id, as [`Compiled`] keeps them, so one merge
/// walk finds the differences.
pub fn changed_sections<A: AsRef<str>, B: AsRef<str>>(old: &[(A, A)], new: &[(B, B)]) -> Vec<String> {
    let (old, new) = (
        old.iter().map(|(id, leaf)| (id.as_ref(), leaf.as_ref())),
        new.iter().map(|(id, leaf)| (id.as_ref(), leaf.as_ref())),
    );
    let (mut a, mut b) = (old.peekable(), new.peekable());
    let mut out = Vec::new();
    loop {
        let id = match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return out,
            (Some((x, _)), None) => {
                a.next();
                x
            }
            (None, Some((y, _))) => {
                b.next();
                y
            }
            (Some((x, lx)), Some((y, ly))) => match x.cmp(y) {
                std::cmp::Ordering::Less => {
                    a.next();
                    x
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                    y
                }
                std::cmp::Ordering::Equal => {
                    a.next();
                    b.next();
                    if lx == ly {
                        continue;
                    }
                    x
                }
            },
        };
        out.push(id.to_string());
    }
}

/// Whether `field` is an empty map on one side (`a`) that holds keys on the other (`b`): that
/// map gained (or lost) keys, which the keys' own lines show, rather than `{} → (none)`.
fn filled_or_emptied(field: &str, a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> bool {
    let empty_map = a.get(field).is_some_and(|v| v.as_object().is_some_and(serde_json::Map::is_empty));
    empty_map
        && !b.contains_key(field)
        && b.keys().any(|k| field.is_empty() || k.strip_prefix(field).is_some_and(|rest| rest.starts_with('.')))
}

/// Scalars by dotted path (`items.gold_coin.weight`); a key that holds a dot, a space or a
/// quote, or is empty, is written quoted (`podAnnotations."prometheus.io/scrape"`), so the path
/// reads back unambiguously. A top-level scalar has the empty path.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let plain = !k.is_empty() && !k.contains(['.', ' ', '"']);
                let key = if plain { k.clone() } else { Value::String(k.clone()).to_string() };
                let path = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
                flatten(&path, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::changed_sections;

    fn leaves(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(id, leaf)| ((*id).to_string(), (*leaf).to_string())).collect()
    }

    #[test]
    fn changed_sections_are_the_added_removed_and_changed_ids_in_order() {
        let old = leaves(&[("a", "1"), ("b", "2"), ("d", "4"), ("e", "5")]);
        let new = leaves(&[("b", "2"), ("c", "3"), ("d", "9"), ("f", "6")]);
        assert_eq!(changed_sections(&old, &new), ["a", "c", "d", "e", "f"]);
        assert_eq!(changed_sections(&new, &old), ["a", "c", "d", "e", "f"]);
        assert!(changed_sections(&old, &old).is_empty());
        assert_eq!(changed_sections::<&str, _>(&[], &old), ["a", "b", "d", "e"]);
        assert_eq!(changed_sections::<_, &str>(&old, &[]), ["a", "b", "d", "e"]);
    }
}
