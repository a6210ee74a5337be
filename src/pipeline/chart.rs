//! A chart's own defaults, as Helm merges them under the team's values: each vendored
//! dependency's `values.yaml` under its name (or alias), then the chart's `values.yaml` over
//! them. Checks see defaults → values.yaml → overrides, so a thin values file that leaves a
//! required key to the chart is valid; the rendered file stays thin, since Helm applies the
//! defaults again.
//!
//! A dependency switched off (its `condition` in `Chart.yaml`, else `<name>.enabled`, is
//! `false`) is not checked for secrets or credentials: Helm renders none of it.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Sink, Span};
use crate::model::deploy::{nest, overlay, pointer_of};
use crate::model::project::Project;
use crate::parse::yaml::{self, Document, Reading11};
use crate::pipeline::unread::UNREAD_FILE;
use crate::source::rules::load as read;
use crate::source::{Sources, Tree};

/// The chart's defaults and the switches of its dependencies.
#[derive(Debug, Default)]
pub struct Defaults {
    /// Every default, placed in the chart's files; `None` when the chart has no values file
    /// apart from the one the team edits (`paths.values` naming the chart's own values.yaml).
    pub doc: Option<Document>,
    pub switches: Vec<Switch>,
}

/// A dependency that can be switched off.
#[derive(Debug, Clone)]
pub struct Switch {
    /// The dependency chart's name, which its folder under `charts/` carries.
    pub name: String,
    /// The key its values sit under: its alias, else its name.
    pub key: String,
    /// That key as a pointer: `/mariadb`.
    pub pointer: String,
    /// The values pointer that turns it on or off: `/mariadb/enabled`.
    pub condition: String,
}

/// Reads the defaults of the chart `paths.chart` names; none without a chart.
pub fn load(tree: &dyn Tree, project: &Project, sources: &mut Sources, sink: &mut Sink, files: &mut usize) -> Defaults {
    let Some(chart) = &project.chart else { return Defaults::default() };
    let chart = chart.value.trim_end_matches('/');
    let limit = project.limits.max_file_bytes;
    // Values files count as checked files; Chart.yaml is only read for its dependencies.
    let mut parse = |rel: &str, sources: &mut Sources, sink: &mut Sink| -> Option<Document> {
        if !tree.exists(rel) {
            return None;
        }
        if rel.ends_with("/values.yaml") {
            *files += 1;
        }
        let (id, ok) = read(sources, sink, tree, rel, limit);
        let mut doc = ok.then(|| yaml::parse(id, &sources.get(id).text, &project.limits, sink)).flatten()?;
        as_helm_reads(&mut doc);
        Some(doc)
    };
    let switches = parse(&format!("{chart}/Chart.yaml"), sources, sink).map(|c| switches(&c.value)).unwrap_or_default();

    // Deepest dependencies first, so each parent's values.yaml lands over its children's.
    let mut vendored: Vec<(Vec<String>, String)> = tree
        .list_files(&[format!("{chart}/charts")], "values.yaml")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|rel| Some((dependency_path(&rel[chart.len()..])?, rel)))
        .collect();
    vendored.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.1.cmp(&b.1)));
    let mut doc: Option<Document> = None;
    for (names, rel) in vendored {
        let Some(found) = parse(&rel, sources, sink) else { continue };
        // An aliased dependency's values sit under its alias (only the chart's own aliases are
        // known here; a dependency's dependencies sit under their names).
        let key = |depth: usize, name: &String| match depth {
            0 => switches.iter().find(|s| &s.name == name).map_or_else(|| name.clone(), |s| s.key.clone()),
            _ => name.clone(),
        };
        let nested = names.iter().enumerate().rev().fold(found, |d, (depth, name)| nest(&d, &key(depth, name)));
        doc = Some(match doc {
            Some(base) => overlay(&base, &nested),
            None => nested,
        });
    }
    // Archives, as `helm dependency build` writes them: under their chart's name (or alias).
    let archives = tree.list_files(&[format!("{chart}/charts")], ".tgz").unwrap_or_default();
    let mut archived = 0;
    for rel in archives.iter().filter(|r| r.matches('/').count() == chart.matches('/').count() + 2) {
        let Ok(bytes) = tree.read(rel, limit) else { continue };
        let Some((name, inner, text)) = archived_values(&bytes, limit) else {
            let id = sources.add(rel.clone(), String::new());
            sink.push(
                Diagnostic::new(
                    &UNREAD_FILE,
                    Span::file(id),
                    format!("`{rel}` is not read: it is no gzipped tar holding a chart's values.yaml, so its defaults are not checked"),
                )
                .help("vendor the dependency again (`helm dependency build` where there is network), or delete the archive"),
            );
            continue;
        };
        archived += 1;
        let id = sources.add(format!("{rel}/{inner}"), text);
        let Some(mut found) = yaml::parse(id, &sources.get(id).text, &project.limits, sink) else { continue };
        as_helm_reads(&mut found);
        let key = switches.iter().find(|s| s.name == name).map_or_else(|| name.clone(), |s| s.key.clone());
        let nested = nest(&found, &key);
        doc = Some(match doc {
            Some(base) => overlay(&base, &nested),
            None => nested,
        });
    }
    let own = format!("{chart}/values.yaml");
    if own != project.values.value {
        if let Some(found) = parse(&own, sources, sink) {
            doc = Some(match doc {
                Some(base) => overlay(&base, &found),
                None => found,
            });
        }
    }
    *files += archived;
    Defaults { doc, switches }
}

impl Defaults {
    /// The pointers of the dependencies `doc` switches off.
    pub fn disabled(&self, doc: &Document) -> Vec<String> {
        self.switches
            .iter()
            .filter(|s| doc.value.pointer(&s.condition) == Some(&Value::Bool(false)))
            .map(|s| s.pointer.clone())
            .collect()
    }
}

/// Drops what sits under a switched-off dependency, but its switch, from a document that is
/// only checked (never rendered).
pub fn prune(doc: &mut Document, disabled: &[String], switches: &[Switch]) {
    for pointer in disabled {
        let keep: Vec<&str> = switches
            .iter()
            .filter(|s| &s.pointer == pointer)
            .filter_map(|s| s.condition.strip_prefix(pointer.as_str())?.strip_prefix('/'))
            .filter(|rest| !rest.contains('/'))
            .collect();
        if let Some(Value::Object(map)) = doc.value.pointer_mut(pointer) {
            map.retain(|k, _| keep.contains(&k.as_str()));
        }
        let prefix = format!("{pointer}/");
        doc.spans.retain(|p, _| !p.starts_with(&prefix) || keep.iter().any(|k| **p == *format!("{prefix}{k}")));
    }
}

/// `Chart.yaml`'s dependencies: each one's place in the values (its alias, else its name) and
/// its switch (the first path of its `condition`, else `<place>.enabled`).
fn switches(chart: &Value) -> Vec<Switch> {
    let dependencies = crate::model::chart::entries(chart).unwrap_or_default();
    dependencies
        .into_iter()
        .map(|dep| {
            let key = dep.alias.clone().unwrap_or_else(|| dep.name.clone());
            let condition = dep
                .condition
                .as_deref()
                .and_then(|c| c.split(',').map(str::trim).find(|c| !c.is_empty()))
                .map_or_else(|| format!("{key}.enabled"), str::to_string);
            Switch { pointer: pointer_of(&key), condition: pointer_of(&condition), name: dep.name, key }
        })
        .collect()
}

/// `/charts/a/charts/b/values.yaml` → `[a, b]`: a vendored dependency (unpacked) and where its
/// values sit; any other file under `charts/` is not a dependency's values.
fn dependency_path(rel: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = rel.trim_start_matches('/').split('/').collect();
    let (last, dirs) = parts.split_last()?;
    if *last != "values.yaml" || dirs.len() < 2 || dirs.len() % 2 != 0 {
        return None;
    }
    let names: Option<Vec<String>> =
        dirs.chunks(2).map(|pair| (pair[0] == "charts" && !pair[1].is_empty()).then(|| pair[1].to_string())).collect();
    names
}

/// A chart's own files are read by Helm, as YAML 1.1, and never rendered by rulesctl: each
/// scalar the readers disagree on is taken as Helm reads it, with no diagnostic (the team does
/// not edit vendored files).
fn as_helm_reads(doc: &mut Document) {
    for a in std::mem::take(&mut doc.ambiguous) {
        if let (Reading11::Value(d), Some(pointer)) = (&a.reading, &a.pointer) {
            if let (Some(value), Some(slot)) = (d.helm.value(&a.text), doc.value.pointer_mut(pointer)) {
                *slot = value;
            }
        }
    }
}

/// A dependency archive's chart name and `values.yaml` (its path inside, and its text): the
/// top folder's `Chart.yaml` names it, else the folder does. Reads at most `limit` bytes out of
/// the archive, so a decompression bomb costs no more than a file at the size limit; `None`
/// for an archive that is not a gzipped tar or holds no values.
fn archived_values(bytes: &[u8], limit: u64) -> Option<(String, String, String)> {
    use std::io::Read;
    let gz = flate2::read::GzDecoder::new(bytes).take(limit);
    let mut archive = tar::Archive::new(gz);
    let mut name = None;
    let mut values = None;
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let path = entry.path().ok()?.to_string_lossy().replace('\\', "/");
        let parts: Vec<&str> = path.trim_start_matches("./").split('/').collect();
        let [top, file] = parts.as_slice() else { continue };
        let mut text = String::new();
        match *file {
            "values.yaml" if values.is_none() => {
                entry.read_to_string(&mut text).ok()?;
                values = Some((top.to_string(), format!("{top}/{file}"), text));
            }
            "Chart.yaml" if name.is_none() => {
                entry.read_to_string(&mut text).ok()?;
                name = text
                    .lines()
                    .find_map(|l| l.strip_prefix("name:"))
                    .map(|n| n.trim().trim_matches(['"', '\'']).to_string())
                    .filter(|n| !n.is_empty());
            }
            _ => {}
        }
        if name.is_some() && values.is_some() {
            break;
        }
    }
    let (top, inner, text) = values?;
    Some((name.unwrap_or(top), inner, text))
}
