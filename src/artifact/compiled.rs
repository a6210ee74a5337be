//! The ruleset artifact: canonical ruleset, digest and Merkle tree. Its bytes are a function of
//! the ruleset and this format alone (no provenance, no rulesctl version), so every build of one
//! ruleset, in CI, on a laptop or in `argocd generate`, writes the same file.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::artifact::canonical;
use crate::artifact::merkle;
use crate::hash::{prefixed, to_hex};
use crate::model::ruleset::{EventStream as Stream, LootTable, Ruleset, SpawnConfig as Spawn};

pub const API_VERSION: &str = "rulesctl.dev/v1";
pub const KIND: &str = "RulesetArtifact";
/// Artifacts may be larger than rule files; this still stops a runaway file.
pub const MAX_ARTIFACT_BYTES: u64 = 256 * 1024 * 1024;

/// Sections that are maps of named entries: (key in the ruleset, section id prefix).
pub const NAMED: [(&str, &str); 3] =
    [("spawn_configs", "spawn_config"), ("loot_tables", "loot_table"), ("event_streams", "event_stream")];
/// Sections that appear once.
pub const SINGLE: [&str; 2] = ["event_timers", "safety_bounds"];

/// The canonical ruleset as JSON data; `None` when a field is missing, which a passing check
/// rules out.
pub fn ruleset_value(rs: &Ruleset) -> Option<Value> {
    let mut spawns = Map::new();
    for s in &rs.spawns {
        spawns.insert(
            s.region.as_ref()?.value.clone(),
            json!({
                "base_rate": s.base_rate.as_ref()?.value,
                "max_concurrent": s.max_concurrent.as_ref()?.value,
                "cooldown_ms": s.cooldown_ms.as_ref()?.value,
                "loot_table": s.loot_table.as_ref()?.value,
            }),
        );
    }
    let mut tables = Map::new();
    for t in &rs.loot_tables {
        let mut items = Map::new();
        for i in &t.items {
            items.insert(i.name.value.clone(), json!({ "weight": i.weight.as_ref()?.value }));
        }
        tables.insert(t.name.value.clone(), json!({ "items": items }));
    }
    let mut streams = Map::new();
    for s in &rs.streams {
        streams.insert(
            s.region.as_ref()?.value.clone(),
            json!({
                "max_len": s.max_len.as_ref()?.value,
                "max_in_flight": s.max_in_flight.as_ref()?.value,
                "backoff_multiplier": number(s.backoff_multiplier.as_ref()?.value.value)?,
                "max_backoff_ms": s.max_backoff_ms.as_ref()?.value,
            }),
        );
    }
    let timers = rs.event_timers.first()?;
    let bounds = rs.bounds()?;
    Some(json!({
        "ruleset_version": rs.versions.first()?.value,
        "spawn_configs": spawns,
        "loot_tables": tables,
        "event_streams": streams,
        "event_timers": {
            "world_boss_interval": timers.world_boss_interval.as_ref()?.value,
            "weather_cycle": timers.weather_cycle.as_ref()?.value,
            "maintenance_window": timers.maintenance_window.as_ref()?.value,
        },
        "safety_bounds": {
            "max_spawn_rate_multiplier": number(bounds.max_spawn_rate_multiplier.as_ref()?.value.value)?,
            "min_cooldown_override": bounds.min_cooldown_override.as_ref()?.value,
            "duplicate_event_window_ms": bounds.duplicate_event_window_ms.as_ref()?.value,
        },
    }))
}

/// A "number" attribute is always a float in the artifact, so `2` and `2.0` hash the same.
fn number(value: f64) -> Option<Value> {
    serde_json::Number::from_f64(value).map(Value::Number)
}

/// The ruleset's sections by id (`spawn_config/crystal_caves`, `event_timers`), in id order.
pub fn sections(ruleset: &Value) -> BTreeMap<String, Value> {
    section_refs(ruleset).into_iter().map(|(id, value)| (id, value.clone())).collect()
}

/// [`sections`], by reference: no section is copied.
pub fn section_refs(ruleset: &Value) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    for (key, prefix) in NAMED {
        if let Some(map) = ruleset.get(key).and_then(Value::as_object) {
            for (name, value) in map {
                out.insert(format!("{prefix}/{name}"), value);
            }
        }
    }
    for key in SINGLE {
        if let Some(value) = ruleset.get(key) {
            out.insert(key.to_string(), value);
        }
    }
    out
}

/// What a ruleset compiles to: its canonical bytes, their digest, and the Merkle tree of its
/// sections. The canonical JSON text is what is kept; the JSON value is parsed from it only
/// when something needs to walk it (a diff, the Rust module), so a build of 10,000 regions never
/// holds the ruleset as a tree of maps.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The compact canonical JSON of the ruleset: exactly the bytes `digest` covers.
    canonical: String,
    version: String,
    pub digest: String,
    pub leaves: Vec<(String, String)>,
    /// The Merkle root, `sha256:<hex>`, computed when first asked for: comparing two rulesets (the
    /// hook) needs only the leaves and the digest.
    root: std::sync::OnceLock<String>,
    hashes: Vec<merkle::Hash>,
    value: std::sync::OnceLock<Value>,
}

impl PartialEq for Compiled {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl Compiled {
    /// Compiles a ruleset given as JSON data (an artifact read back, a revision's ruleset).
    pub fn new(ruleset: Value) -> Self {
        let canonical = canonical::compact(&ruleset);
        let leaves: Vec<(String, merkle::Hash)> = section_refs(&ruleset)
            .into_iter()
            .map(|(id, v)| {
                let leaf = merkle::leaf(&id, &canonical::compact(v));
                (id, leaf)
            })
            .collect();
        let version = ruleset.get("ruleset_version").and_then(Value::as_str).unwrap_or_default().to_string();
        let value = std::sync::OnceLock::from(ruleset);
        Compiled::finish(canonical, version, leaves, value)
    }

    /// Compiles the typed ruleset straight to canonical text, hashing each section as it is
    /// written: the same bytes as [`Compiled::new`] of [`ruleset_value`], without building the
    /// JSON value. `None` when a field is missing, which a passing check rules out.
    ///
    /// A large ruleset is written on two threads, each named map split in halves that are
    /// joined in order: the pre-commit hook compiles the staged rules to compare them with the
    /// base, and a third of its extra cost was this.
    pub fn of_ruleset(rs: &Ruleset) -> Option<Self> {
        // Later entries of the same name win, as inserting into a map does.
        let streams: Vec<(&str, _)> = rs
            .streams
            .iter()
            .map(|s| Some((s.region.as_ref()?.value.as_str(), s)))
            .collect::<Option<BTreeMap<_, _>>>()?
            .into_iter()
            .collect();
        let tables: Vec<(&str, _)> =
            rs.loot_tables.iter().map(|t| (t.name.value.as_str(), t)).collect::<BTreeMap<_, _>>().into_iter().collect();
        let spawns: Vec<(&str, _)> = rs
            .spawns
            .iter()
            .map(|s| Some((s.region.as_ref()?.value.as_str(), s)))
            .collect::<Option<BTreeMap<_, _>>>()?
            .into_iter()
            .collect();
        let timers = rs.event_timers.first()?;
        let bounds = rs.bounds()?;
        let version = rs.versions.first()?.value.clone();

        let stream = |s: &Stream, section: &mut String| {
            section.push_str("{\"backoff_multiplier\":");
            float(section, s.backoff_multiplier.as_ref()?.value.value)?;
            int(section, ",\"max_backoff_ms\":", s.max_backoff_ms.as_ref()?.value);
            int(section, ",\"max_in_flight\":", s.max_in_flight.as_ref()?.value);
            int(section, ",\"max_len\":", s.max_len.as_ref()?.value);
            section.push('}');
            Some(())
        };
        let table = |t: &LootTable, section: &mut String| {
            let mut items: BTreeMap<&str, i64> = BTreeMap::new();
            for item in &t.items {
                items.insert(item.name.value.as_str(), item.weight.as_ref()?.value);
            }
            section.push_str("{\"items\":{");
            for (j, (item, weight)) in items.into_iter().enumerate() {
                if j > 0 {
                    section.push(',');
                }
                canonical::push_string(section, item);
                int(section, ":{\"weight\":", weight);
                section.push('}');
            }
            section.push_str("}}");
            Some(())
        };
        let spawn = |s: &Spawn, section: &mut String| {
            int(section, "{\"base_rate\":", s.base_rate.as_ref()?.value);
            int(section, ",\"cooldown_ms\":", s.cooldown_ms.as_ref()?.value);
            section.push_str(",\"loot_table\":");
            canonical::push_string(section, &s.loot_table.as_ref()?.value);
            int(section, ",\"max_concurrent\":", s.max_concurrent.as_ref()?.value);
            section.push('}');
            Some(())
        };
        let parallel = streams.len() + tables.len() + spawns.len() >= PARALLEL_FROM;
        let (first, second) = crate::threads::join_if(
            parallel,
            || {
                Some([
                    Named::write(&streams[..streams.len() / 2], "event_stream", stream)?,
                    Named::write(&tables[..tables.len() / 2], "loot_table", table)?,
                    Named::write(&spawns[..spawns.len() / 2], "spawn_config", spawn)?,
                ])
            },
            || {
                Some([
                    Named::write(&streams[streams.len() / 2..], "event_stream", stream)?,
                    Named::write(&tables[tables.len() / 2..], "loot_table", table)?,
                    Named::write(&spawns[spawns.len() / 2..], "spawn_config", spawn)?,
                ])
            },
        );
        let [streams, tables, spawns] = first?;
        let [streams_2, tables_2, spawns_2] = second?;

        let runs = [&streams, &streams_2, &tables, &tables_2, &spawns, &spawns_2];
        let mut out = String::with_capacity(runs.iter().map(|n| n.text.len()).sum::<usize>() + 512);
        let mut leaves: Vec<(String, merkle::Hash)> =
            Vec::with_capacity(runs.iter().map(|n| n.leaves.len()).sum::<usize>() + 2);
        let mut section = String::new();
        out.push_str("{\"event_streams\":{");
        Named::append(&mut out, &mut leaves, [streams, streams_2]);
        out.push_str("},\"event_timers\":");
        section.push_str("{\"maintenance_window\":");
        canonical::push_string(&mut section, &timers.maintenance_window.as_ref()?.value);
        int(&mut section, ",\"weather_cycle\":", timers.weather_cycle.as_ref()?.value);
        int(&mut section, ",\"world_boss_interval\":", timers.world_boss_interval.as_ref()?.value);
        section.push('}');
        leaves.push(("event_timers".to_string(), merkle::leaf("event_timers", &section)));
        out.push_str(&section);
        out.push_str(",\"loot_tables\":{");
        Named::append(&mut out, &mut leaves, [tables, tables_2]);
        out.push_str("},\"ruleset_version\":");
        canonical::push_string(&mut out, &version);
        out.push_str(",\"safety_bounds\":");
        section.clear();
        int(&mut section, "{\"duplicate_event_window_ms\":", bounds.duplicate_event_window_ms.as_ref()?.value);
        section.push_str(",\"max_spawn_rate_multiplier\":");
        float(&mut section, bounds.max_spawn_rate_multiplier.as_ref()?.value.value)?;
        int(&mut section, ",\"min_cooldown_override\":", bounds.min_cooldown_override.as_ref()?.value);
        section.push('}');
        leaves.push(("safety_bounds".to_string(), merkle::leaf("safety_bounds", &section)));
        out.push_str(&section);
        out.push_str(",\"spawn_configs\":{");
        Named::append(&mut out, &mut leaves, [spawns, spawns_2]);
        out.push_str("}}");
        leaves.sort_by(|a, b| a.0.cmp(&b.0));
        Some(Compiled::finish(out, version, leaves, std::sync::OnceLock::new()))
    }

    fn finish(
        canonical: String,
        version: String,
        leaves: Vec<(String, merkle::Hash)>,
        value: std::sync::OnceLock<Value>,
    ) -> Self {
        let hashes: Vec<merkle::Hash> = leaves.iter().map(|(_, h)| *h).collect();
        let parallel = leaves.len() >= PARALLEL_FROM;
        let (digest, leaves) = crate::threads::join_if(
            parallel,
            || prefixed(canonical.as_bytes()),
            || leaves.into_iter().map(|(id, h)| (id, format!("sha256:{}", to_hex(&h)))).collect(),
        );
        Compiled { canonical, version, digest, leaves, root: std::sync::OnceLock::new(), hashes, value }
    }

    /// The Merkle root over the sections' leaves, `sha256:<hex>`.
    pub fn root(&self) -> &str {
        self.root.get_or_init(|| format!("sha256:{}", to_hex(&merkle::root(&self.hashes))))
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The compact canonical JSON of the ruleset, the bytes the digest covers.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The ruleset as JSON data, parsed from the canonical text the first time it is asked for.
    pub fn ruleset(&self) -> &Value {
        self.value.get_or_init(|| serde_json::from_str(&self.canonical).unwrap_or(Value::Null))
    }

    /// The whole artifact file in canonical pretty form, the ruleset reindented straight from
    /// its canonical text, so a large ruleset is never copied into a tree to be written.
    pub fn artifact_text(&self) -> String {
        // The Merkle member as compact canonical text too: tens of thousands of leaves would be
        // as many small maps.
        let mut merkle = String::with_capacity(self.leaves.len() * 128 + 128);
        merkle.push_str("{\"algorithm\":\"rfc6962-sha256\",\"leaves\":[");
        for (i, (id, hash)) in self.leaves.iter().enumerate() {
            if i > 0 {
                merkle.push(',');
            }
            merkle.push_str("{\"hash\":");
            canonical::push_string(&mut merkle, hash);
            merkle.push_str(",\"section\":");
            canonical::push_string(&mut merkle, id);
            merkle.push('}');
        }
        merkle.push_str("],\"root\":");
        canonical::push_string(&mut merkle, self.root());
        merkle.push('}');
        let (api, kind) = (Value::from(API_VERSION), Value::from(KIND));
        let (version, digest) = (Value::from(self.version()), Value::from(self.digest.as_str()));
        canonical::pretty_fields(&[
            ("apiVersion", canonical::Field::Value(&api)),
            ("kind", canonical::Field::Value(&kind)),
            ("version", canonical::Field::Value(&version)),
            ("digest", canonical::Field::Value(&digest)),
            ("ruleset", canonical::Field::Compact(&self.canonical)),
            ("merkle", canonical::Field::Compact(&merkle)),
        ])
    }

    /// The whole artifact document: nothing but the ruleset and what is computed from it.
    pub fn artifact(&self) -> Value {
        let leaves: Vec<Value> = self.leaves.iter().map(|(id, h)| json!({ "section": id, "hash": h })).collect();
        json!({
            "apiVersion": API_VERSION,
            "kind": KIND,
            "version": self.version(),
            "digest": self.digest,
            "ruleset": self.ruleset(),
            "merkle": { "algorithm": "rfc6962-sha256", "leaves": leaves, "root": self.root() },
        })
    }
}

/// Below this many sections, one thread writes them all: a second costs more than it saves.
const PARALLEL_FROM: usize = 2048;

/// A run of a named map's members (`"name":{...}`, comma-separated as in the whole map) and
/// their sections' leaves.
struct Named {
    text: String,
    leaves: Vec<(String, merkle::Hash)>,
}

impl Named {
    /// Writes the members `part` (sorted by name), each section by `section`.
    fn write<T>(part: &[(&str, &T)], prefix: &str, section: impl Fn(&T, &mut String) -> Option<()>) -> Option<Named> {
        let mut text = String::with_capacity(part.len() * 128);
        let mut leaves = Vec::with_capacity(part.len());
        let mut body = String::new();
        for (name, entry) in part {
            body.clear();
            section(entry, &mut body)?;
            text.push(',');
            canonical::push_string(&mut text, name);
            text.push(':');
            text.push_str(&body);
            let id = format!("{prefix}/{name}");
            let leaf = merkle::leaf(&id, &body);
            leaves.push((id, leaf));
        }
        Some(Named { text, leaves })
    }

    /// Appends the runs of one map in order: members joined by commas, none before the first.
    fn append<const N: usize>(out: &mut String, leaves: &mut Vec<(String, merkle::Hash)>, runs: [Named; N]) {
        let mut first = true;
        for run in runs {
            let text = match (first, run.text.strip_prefix(',')) {
                (true, Some(rest)) => rest,
                _ => &run.text,
            };
            first &= run.text.is_empty();
            out.push_str(text);
            leaves.extend(run.leaves);
        }
    }
}

fn int(out: &mut String, key: &str, value: i64) {
    use std::fmt::Write as _;
    out.push_str(key);
    let _ = write!(out, "{value}");
}

/// A "number" attribute is always a float in the artifact (`2.0`), as [`ruleset_value`] writes.
fn float(out: &mut String, value: f64) -> Option<()> {
    use std::fmt::Write as _;
    let number = serde_json::Number::from_f64(value)?;
    let _ = write!(out, "{number}");
    Some(())
}

/// The artifact's file name for a version.
pub fn file_name(version: &str) -> String {
    format!("ruleset-{version}.json")
}

/// The file name of the provenance statement written beside an artifact of `version`.
pub fn provenance_file_name(version: &str) -> String {
    format!("ruleset-{version}.provenance.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A map's halves are joined with one comma between members, whichever half is empty.
    #[test]
    fn halves_join_like_one_map() {
        let run = |names: &[&str]| {
            let entries: Vec<(&str, &i64)> = names.iter().map(|n| (*n, &1)).collect();
            Named::write(&entries, "p", |v: &i64, s: &mut String| {
                s.push_str(&v.to_string());
                Some(())
            })
        };
        for (a, b, want) in [
            (&[][..], &["x"][..], r#"{"x":1}"#),
            (&["x"][..], &[][..], r#"{"x":1}"#),
            (&["x"][..], &["y", "z"][..], r#"{"x":1,"y":1,"z":1}"#),
            (&[][..], &[][..], "{}"),
        ] {
            let (mut out, mut leaves) = (String::from("{"), Vec::new());
            if let (Some(a), Some(b)) = (run(a), run(b)) {
                Named::append(&mut out, &mut leaves, [a, b]);
            }
            out.push('}');
            assert_eq!(out, want);
            assert_eq!(leaves.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().len(), want.matches(':').count());
        }
    }
}
