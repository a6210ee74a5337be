//! The canonical ruleset checked against the module's types and turned into Rust data.
//!
//! A ruleset that passed `check` always fits; the checks matter when `verify` rebuilds a module
//! from a `CANONICAL` that someone wrote by hand, and they guarantee that every string written
//! outside a string literal (the version in the header comment) is one the dialect allows.

use std::fmt;

use serde_json::{Map, Value};

use crate::codegen::rust::layout::Expr;
use crate::codegen::rust::literal;
use crate::model::dialect::{is_name, parse_utc_time, Format};

/// Where the ruleset does not have the shape the module's types need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// The JSON pointer of the offending value (`""` for the whole ruleset).
    pub pointer: String,
    pub expected: String,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "the ruleset is not {}", self.expected)
        } else {
            write!(f, "`{}` is not {}", self.pointer, self.expected)
        }
    }
}

/// The ruleset as the module's data: the version and the value of each data item.
pub struct Data {
    pub version: String,
    pub spawn_configs: Expr,
    pub loot_tables: Expr,
    pub event_streams: Expr,
    pub event_timers: Expr,
    pub safety_bounds: Expr,
}

impl Data {
    /// Reads the canonical ruleset value.
    ///
    /// # Errors
    ///
    /// The first value that is missing, extra, or of the wrong type or range.
    pub fn new(ruleset: &Value) -> Result<Self, ShapeError> {
        let root = Obj::new(
            ruleset,
            String::new(),
            &["event_streams", "event_timers", "loot_tables", "ruleset_version", "safety_bounds", "spawn_configs"],
        )?;
        let version = root.text("ruleset_version", Format::Version)?;
        let spawn_configs = root.named("spawn_configs", |region, v, at| {
            let o = Obj::new(v, at, &["base_rate", "cooldown_ms", "loot_table", "max_concurrent"])?;
            Ok(Expr::Struct(
                "SpawnConfig",
                vec![
                    ("region", Expr::Lit(literal::string(region))),
                    ("base_rate", o.int("base_rate")?),
                    ("max_concurrent", o.int("max_concurrent")?),
                    ("cooldown_ms", o.int("cooldown_ms")?),
                    ("loot_table", o.name("loot_table")?),
                ],
            ))
        })?;
        let loot_tables = root.named("loot_tables", |name, v, at| {
            let o = Obj::new(v, at, &["items"])?;
            let items = o.named("items", |item, v, at| {
                let w = Obj::new(v, at, &["weight"])?;
                Ok(Expr::Struct(
                    "LootItem",
                    vec![("name", Expr::Lit(literal::string(item))), ("weight", w.int("weight")?)],
                ))
            })?;
            Ok(Expr::Struct("LootTable", vec![("name", Expr::Lit(literal::string(name))), ("items", items)]))
        })?;
        let event_streams = root.named("event_streams", |region, v, at| {
            let o = Obj::new(v, at, &["backoff_multiplier", "max_backoff_ms", "max_in_flight", "max_len"])?;
            Ok(Expr::Struct(
                "EventStream",
                vec![
                    ("region", Expr::Lit(literal::string(region))),
                    ("max_len", o.int("max_len")?),
                    ("max_in_flight", o.int("max_in_flight")?),
                    ("backoff_multiplier", o.float("backoff_multiplier")?),
                    ("max_backoff_ms", o.int("max_backoff_ms")?),
                ],
            ))
        })?;
        let timers = root.object("event_timers", &["maintenance_window", "weather_cycle", "world_boss_interval"])?;
        let window = timers.text("maintenance_window", Format::UtcTime)?;
        let minute = parse_utc_time(&window).unwrap_or_default();
        let event_timers = Expr::Struct(
            "EventTimers",
            vec![
                ("world_boss_interval", timers.int("world_boss_interval")?),
                ("weather_cycle", timers.int("weather_cycle")?),
                ("maintenance_window", Expr::Lit(literal::string(&window))),
                ("maintenance_window_minute", Expr::Lit(minute.to_string())),
            ],
        );
        let bounds = root.object(
            "safety_bounds",
            &["duplicate_event_window_ms", "max_spawn_rate_multiplier", "min_cooldown_override"],
        )?;
        let safety_bounds = Expr::Struct(
            "SafetyBounds",
            vec![
                ("max_spawn_rate_multiplier", bounds.float("max_spawn_rate_multiplier")?),
                ("min_cooldown_override", bounds.int("min_cooldown_override")?),
                ("duplicate_event_window_ms", bounds.int("duplicate_event_window_ms")?),
            ],
        );
        Ok(Data { version, spawn_configs, loot_tables, event_streams, event_timers, safety_bounds })
    }
}

/// A JSON object with exactly the expected keys, and where it is.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    pointer: String,
}

impl<'a> Obj<'a> {
    fn new(value: &'a Value, pointer: String, keys: &[&str]) -> Result<Self, ShapeError> {
        let mut expected = keys.to_vec();
        expected.sort_unstable();
        let map = value.as_object().filter(|map| {
            let mut found: Vec<&str> = map.keys().map(String::as_str).collect();
            found.sort_unstable();
            found == expected
        });
        match map {
            Some(map) => Ok(Obj { map, pointer }),
            None => Err(ShapeError { pointer, expected: format!("an object with the keys {}", expected.join(", ")) }),
        }
    }

    fn at(&self, key: &str) -> (&'a Value, String) {
        (self.map.get(key).unwrap_or(&Value::Null), format!("{}/{key}", self.pointer))
    }

    fn object(&self, key: &str, keys: &[&str]) -> Result<Obj<'a>, ShapeError> {
        let (value, pointer) = self.at(key);
        Obj::new(value, pointer, keys)
    }

    /// Every dialect integer fits `u32` (the largest bound is 86,400,000).
    fn int(&self, key: &str) -> Result<Expr, ShapeError> {
        let (value, pointer) = self.at(key);
        match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Expr::Lit(n.to_string())),
            None => Err(ShapeError { pointer, expected: "an integer from 0 to 4294967295".into() }),
        }
    }

    /// Number attributes are always floats in canonical JSON (`2.0`, never `2`).
    fn float(&self, key: &str) -> Result<Expr, ShapeError> {
        let (value, pointer) = self.at(key);
        match value.as_f64().filter(|_| value.is_f64()).and_then(literal::float) {
            Some(lit) => Ok(Expr::Lit(lit)),
            None => Err(ShapeError { pointer, expected: "a number with a fraction or exponent".into() }),
        }
    }

    fn text(&self, key: &str, format: Format) -> Result<String, ShapeError> {
        let (value, pointer) = self.at(key);
        match value.as_str().filter(|s| format.accepts(s)) {
            Some(s) => Ok(s.to_string()),
            None => Err(ShapeError { pointer, expected: format.describe().into() }),
        }
    }

    fn name(&self, key: &str) -> Result<Expr, ShapeError> {
        self.text(key, Format::Name).map(|s| Expr::Lit(literal::string(&s)))
    }

    /// A map of named entries as a slice sorted by name: the order of canonical JSON's keys, and
    /// of `str`'s `Ord`, so the module can binary-search it.
    fn named(
        &self,
        key: &str,
        entry: impl Fn(&str, &Value, String) -> Result<Expr, ShapeError>,
    ) -> Result<Expr, ShapeError> {
        let (value, pointer) = self.at(key);
        let Some(map) = value.as_object() else {
            return Err(ShapeError { pointer, expected: "an object".into() });
        };
        let mut named: Vec<(&String, &Value)> = map.iter().collect();
        named.sort_unstable_by_key(|(name, _)| *name);
        let mut entries = Vec::with_capacity(named.len());
        for (name, value) in named {
            if !is_name(name) {
                let expected = format!("an object keyed by names ([a-z][a-z0-9_]{{0,63}}); {name:?} is not one");
                return Err(ShapeError { pointer, expected });
            }
            entries.push(entry(name, value, format!("{pointer}/{name}"))?);
        }
        Ok(Expr::Slice(entries))
    }
}
