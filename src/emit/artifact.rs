//! The ruleset artifact: canonical ruleset, digest and Merkle tree. Its bytes are a function of
//! the ruleset and this format alone (no provenance, no rulesctl version), so every build of one
//! ruleset, in CI, on a laptop or in `argocd generate`, writes the same file.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::emit::canonical;
use crate::emit::merkle;
use crate::hash::{prefixed, to_hex};
use crate::model::ruleset::Ruleset;

pub const API_VERSION: &str = "rulesctl.dev/v1";
pub const KIND: &str = "RulesetArtifact";
/// Artifacts may be larger than rule files; this still stops a runaway file.
pub const MAX_ARTIFACT_BYTES: u64 = 256 * 1024 * 1024;

/// Sections that are maps of named entries: (key in the ruleset, section id prefix).
const NAMED: [(&str, &str); 3] =
    [("spawn_configs", "spawn_config"), ("loot_tables", "loot_table"), ("event_streams", "event_stream")];
/// Sections that appear once.
const SINGLE: [&str; 2] = ["event_timers", "safety_bounds"];

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

/// What a ruleset compiles to.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub ruleset: Value,
    pub digest: String,
    pub leaves: Vec<(String, String)>,
    pub root: String,
}

impl Compiled {
    pub fn new(ruleset: Value) -> Self {
        let digest = prefixed(canonical::compact(&ruleset).as_bytes());
        let hashes: Vec<(String, merkle::Hash)> = section_refs(&ruleset)
            .into_iter()
            .map(|(id, v)| {
                let leaf = merkle::leaf(&id, &canonical::compact(v));
                (id, leaf)
            })
            .collect();
        let root = merkle::root(&hashes.iter().map(|(_, h)| *h).collect::<Vec<_>>());
        let leaves = hashes.into_iter().map(|(id, h)| (id, format!("sha256:{}", to_hex(&h)))).collect();
        Compiled { ruleset, digest, leaves, root: format!("sha256:{}", to_hex(&root)) }
    }

    pub fn version(&self) -> &str {
        self.ruleset.get("ruleset_version").and_then(Value::as_str).unwrap_or_default()
    }

    /// The whole artifact file: [`Compiled::artifact`] in canonical pretty form, written with the
    /// ruleset by reference, so a large ruleset is never copied to be written.
    pub fn artifact_text(&self) -> String {
        let leaves: Vec<Value> = self.leaves.iter().map(|(id, h)| json!({ "section": id, "hash": h })).collect();
        let merkle = json!({ "algorithm": "rfc6962-sha256", "leaves": leaves, "root": self.root });
        let (api, kind) = (Value::from(API_VERSION), Value::from(KIND));
        let (version, digest) = (Value::from(self.version()), Value::from(self.digest.as_str()));
        canonical::pretty_fields(&[
            ("apiVersion", &api),
            ("kind", &kind),
            ("version", &version),
            ("digest", &digest),
            ("ruleset", &self.ruleset),
            ("merkle", &merkle),
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
            "ruleset": self.ruleset,
            "merkle": { "algorithm": "rfc6962-sha256", "leaves": leaves, "root": self.root },
        })
    }
}

/// The artifact's file name for a version.
pub fn file_name(version: &str) -> String {
    format!("ruleset-{version}.json")
}

/// The file name of the provenance statement written beside an artifact of `version`.
pub fn provenance_file_name(version: &str) -> String {
    format!("ruleset-{version}.provenance.json")
}
