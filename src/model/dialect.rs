//! The rules dialect and the project file as data: one table drives decoding, range checks,
//! policy validation and the book's dialect reference, so they cannot disagree.

use crate::source::Limits;

/// What an attribute's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Written as a whole number: `12`, never `12.0` or `1.2e1`.
    Int,
    /// Any number.
    Number,
    Str(Format),
    /// A string or a list of strings.
    Strings,
    /// An object of string values: `{ "config.rulesetVersion" = "ruleset_version" }`.
    StringMap,
}

/// What a string must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Any,
    /// `[a-z][a-z0-9_]{0,63}`: region, loot table and item names.
    Name,
    /// `v` followed by a semantic version.
    Version,
    /// `HH:MM UTC`, 00:00 to 23:59.
    UtcTime,
    /// A declared values type: `duration`, `endpoint` or `quantity`.
    ValueType,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::Any => "a string",
            Format::Name => "a name matching [a-z][a-z0-9_]{0,63}",
            Format::Version => "\"v\" followed by a semantic version, such as \"v2.4.1\"",
            Format::UtcTime => "a time of day as \"HH:MM UTC\", from \"00:00 UTC\" to \"23:59 UTC\"",
            Format::ValueType => "one of \"duration\", \"endpoint\" or \"quantity\"",
        }
    }

    pub fn accepts(self, s: &str) -> bool {
        match self {
            Format::Any => true,
            Format::Name => is_name(s),
            Format::Version => s.strip_prefix('v').is_some_and(|v| semver::Version::parse(v).is_ok()),
            Format::UtcTime => parse_utc_time(s).is_some(),
            Format::ValueType => Format::ValueType.choices().contains(&s),
        }
    }

    /// The values a string of this format may take, when they are a closed list (an enum).
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            Format::ValueType => &["duration", "endpoint", "quantity"],
            Format::Any | Format::Name | Format::Version | Format::UtcTime => &[],
        }
    }
}

/// `[a-z][a-z0-9_]{0,63}`.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Minutes after midnight of a `HH:MM UTC` time.
pub fn parse_utc_time(s: &str) -> Option<u32> {
    let time = s.strip_suffix(" UTC")?;
    let (h, m) = time.split_once(':')?;
    let two_digits =
        |t: &str| (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<u32>().ok()).flatten();
    let (h, m) = (two_digits(h)?, two_digits(m)?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// One attribute of a block.
#[derive(Debug)]
pub struct Attr {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Inclusive bounds for numbers.
    pub range: Option<(f64, f64)>,
    pub doc: &'static str,
}

/// How often a block may appear across the whole ruleset (or project file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    ExactlyOnce,
    AtMostOnce,
    Many,
}

/// One block type.
#[derive(Debug)]
pub struct BlockSpec {
    pub name: &'static str,
    /// What the one label means and must look like, for blocks that take one.
    pub label: Option<(&'static str, Format)>,
    pub occurs: Occurs,
    pub attrs: &'static [Attr],
    pub blocks: &'static [BlockSpec],
    pub doc: &'static str,
}

impl BlockSpec {
    pub fn attr(&self, name: &str) -> Option<&'static Attr>
    where
        Self: 'static,
    {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&'static BlockSpec>
    where
        Self: 'static,
    {
        self.blocks.iter().find(|b| b.name == name)
    }
}

const fn int(name: &'static str, min: f64, max: f64, doc: &'static str) -> Attr {
    Attr { name, kind: Kind::Int, required: true, range: Some((min, max)), doc }
}

const fn number(name: &'static str, min: f64, max: f64, doc: &'static str) -> Attr {
    Attr { name, kind: Kind::Number, required: true, range: Some((min, max)), doc }
}

const fn string(name: &'static str, format: Format, doc: &'static str) -> Attr {
    Attr { name, kind: Kind::Str(format), required: true, range: None, doc }
}

const fn optional(attr: Attr) -> Attr {
    Attr { required: false, ..attr }
}

/// The top level of a rule file.
pub static RULES: BlockSpec = BlockSpec {
    name: "rules",
    label: None,
    occurs: Occurs::ExactlyOnce,
    attrs: &[optional(string("ruleset_version", Format::Version, "exactly once across all files"))],
    blocks: &[
        BlockSpec {
            name: "spawn_config",
            label: None,
            occurs: Occurs::Many,
            attrs: &[
                string("region", Format::Name, "unique across all files"),
                int("base_rate", 0.0, 1000.0, "spawns per minute"),
                int("max_concurrent", 1.0, 10000.0, "at least base_rate × max_spawn_rate_multiplier"),
                int("cooldown_ms", 0.0, 86_400_000.0, "at least safety_bounds.min_cooldown_override"),
                string("loot_table", Format::Name, "must name a loot_table block"),
            ],
            blocks: &[],
            doc: "one spawn region",
        },
        BlockSpec {
            name: "loot_table",
            label: Some(("table name", Format::Name)),
            occurs: Occurs::Many,
            attrs: &[],
            blocks: &[BlockSpec {
                name: "item",
                label: Some(("item name", Format::Name)),
                occurs: Occurs::Many,
                attrs: &[int("weight", 1.0, 10000.0, "relative drop weight")],
                blocks: &[],
                doc: "one item; its name is unique in the table",
            }],
            doc: "a named table of weighted items; at least one item",
        },
        BlockSpec {
            name: "event_timers",
            label: None,
            occurs: Occurs::ExactlyOnce,
            attrs: &[
                int("world_boss_interval", 60.0, 86400.0, "seconds"),
                int("weather_cycle", 60.0, 86400.0, "seconds"),
                string("maintenance_window", Format::UtcTime, "\"HH:MM UTC\""),
            ],
            blocks: &[],
            doc: "the global event timers",
        },
        BlockSpec {
            name: "safety_bounds",
            label: None,
            occurs: Occurs::ExactlyOnce,
            attrs: &[
                number("max_spawn_rate_multiplier", 1.0, 10.0, "peak spawn rate as a multiple of base_rate"),
                int("min_cooldown_override", 0.0, 86_400_000.0, "milliseconds; the floor for every cooldown_ms"),
                int("duplicate_event_window_ms", 1.0, 600_000.0, "milliseconds; below min_cooldown_override"),
            ],
            blocks: &[],
            doc: "the ceilings every other rule is held to",
        },
        BlockSpec {
            name: "event_stream",
            label: None,
            occurs: Occurs::Many,
            attrs: &[
                string("region", Format::Name, "names a spawn_config region; one stream per region"),
                int("max_len", 1.0, 1_000_000.0, "the stream is always bounded"),
                int("max_in_flight", 1.0, 1024.0, "consumer backpressure"),
                number("backoff_multiplier", 1.0, 10.0, "retry backoff growth"),
                int("max_backoff_ms", 1.0, 600_000.0, "milliseconds"),
            ],
            blocks: &[],
            doc: "the event stream of one spawn region",
        },
    ],
    doc: "a rule file",
};

/// The ceilings of `limits { }`, from the one place that owns the limits.
const CEILING: Limits = Limits::CEILING;

/// The top level of `rulesctl.hcl`.
pub static PROJECT: BlockSpec = BlockSpec {
    name: "rulesctl.hcl",
    label: None,
    occurs: Occurs::AtMostOnce,
    attrs: &[],
    blocks: &[
        BlockSpec {
            name: "paths",
            label: None,
            occurs: Occurs::AtMostOnce,
            attrs: &[
                Attr {
                    name: "rules",
                    kind: Kind::Strings,
                    required: false,
                    range: None,
                    doc: "rule folders and files (default \"rules\")",
                },
                optional(string("values", Format::Any, "default \"values.yaml\"")),
                optional(string("environments", Format::Any, "default \"environments\"")),
                optional(string("dist", Format::Any, "default \"dist\"")),
                optional(string(
                    "chart",
                    Format::Any,
                    "a Helm chart folder; its values.schema.json validates the values",
                )),
                optional(string(
                    "values_schema",
                    Format::Any,
                    "a JSON Schema file for the values, instead of the chart's",
                )),
            ],
            blocks: &[],
            doc: "where the inputs and outputs are, relative to rulesctl.hcl",
        },
        BlockSpec {
            name: "policy",
            label: Some(("attribute, as block.attribute", Format::Any)),
            occurs: Occurs::Many,
            attrs: &[
                optional(Attr {
                    name: "min",
                    kind: Kind::Number,
                    required: false,
                    range: None,
                    doc: "a floor at or above the built-in minimum",
                }),
                optional(Attr {
                    name: "max",
                    kind: Kind::Number,
                    required: false,
                    range: None,
                    doc: "a ceiling at or below the built-in maximum",
                }),
            ],
            blocks: &[],
            doc: "narrows the built-in range of one numeric attribute",
        },
        BlockSpec {
            name: "limits",
            label: None,
            occurs: Occurs::AtMostOnce,
            attrs: &[
                optional(int(
                    "max_file_bytes",
                    1.0,
                    CEILING.max_file_bytes as f64,
                    "bytes per input file; default 8388608 (8 MiB)",
                )),
                optional(int(
                    "max_depth",
                    1.0,
                    CEILING.max_depth as f64,
                    "nesting levels of HCL, YAML and the values JSON Schema; default 64, the HCL parser's own ceiling",
                )),
                optional(int(
                    "max_files",
                    1.0,
                    CEILING.max_files as f64,
                    "rule files and environment files together; default 100000",
                )),
                optional(int(
                    "max_yaml_nodes",
                    1.0,
                    CEILING.max_yaml_nodes as f64,
                    "nodes of one YAML document, aliases expanded; default 100000",
                )),
                optional(int(
                    "max_string_bytes",
                    1.0,
                    CEILING.max_string_bytes as f64,
                    "bytes of one HCL string or YAML scalar; default 1048576 (1 MiB)",
                )),
                optional(int(
                    "max_diagnostics",
                    1.0,
                    CEILING.max_diagnostics as f64,
                    "diagnostics a report prints (the summary counts all); default 1000",
                )),
            ],
            blocks: &[],
            doc: "how much input rulesctl accepts before it stops with a diagnostic",
        },
        BlockSpec {
            name: "render",
            label: None,
            occurs: Occurs::AtMostOnce,
            attrs: &[
                Attr {
                    name: "allow_overrides",
                    kind: Kind::Strings,
                    required: false,
                    range: None,
                    doc: "values paths environments may override",
                },
                Attr {
                    name: "inject",
                    kind: Kind::StringMap,
                    required: false,
                    range: None,
                    doc: "values path = ruleset field (or \"digest\"), written into every rendered environment",
                },
                Attr {
                    name: "secret_refs",
                    kind: Kind::Strings,
                    required: false,
                    range: None,
                    doc: "more keys (or dotted key paths) whose string value names a Kubernetes Secret",
                },
            ],
            blocks: &[],
            doc: "how environments are rendered",
        },
        BlockSpec {
            name: "argocd",
            label: None,
            occurs: Occurs::AtMostOnce,
            attrs: &[Attr {
                name: "emit",
                kind: Kind::Strings,
                required: false,
                range: None,
                doc: "\"wasm\": argocd generate also puts the WebAssembly module in the ConfigMap's binaryData",
            }],
            blocks: &[],
            doc: "what `rulesctl argocd generate` adds to the ruleset ConfigMap",
        },
        BlockSpec {
            name: "value",
            label: Some(("values path, as a.b.c", Format::Any)),
            occurs: Occurs::Many,
            attrs: &[
                string("type", Format::ValueType, "\"duration\", \"endpoint\" (host:port) or \"quantity\""),
                optional(string("min", Format::Any, "the smallest allowed value, written in the type's own form")),
                optional(string("max", Format::Any, "the largest allowed value, written in the type's own form")),
                optional(string("equals", Format::Any, "a ruleset attribute the value must equal, as block.attribute")),
            ],
            blocks: &[],
            doc: "declares the type and bounds of one values path",
        },
    ],
    doc: "the project file",
};

/// Finds a rules attribute by its dotted path (`spawn_config.base_rate`, `loot_table.item.weight`).
pub fn rules_attr(path: &str) -> Option<&'static Attr> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let attr = parts.pop()?;
    let mut spec: &'static BlockSpec = &RULES;
    for part in parts {
        spec = spec.block(part)?;
    }
    spec.attr(attr)
}

/// Every dotted attribute path in the rules dialect, for suggestions.
pub fn rules_attr_paths() -> Vec<String> {
    fn visit(spec: &'static BlockSpec, prefix: &str, out: &mut Vec<String>) {
        for attr in spec.attrs {
            out.push(format!("{prefix}{}", attr.name));
        }
        for block in spec.blocks {
            visit(block, &format!("{prefix}{}.", block.name), out);
        }
    }
    let mut out = Vec::new();
    visit(&RULES, "", &mut out);
    out
}

/// Formats an inclusive range the way the dialect reference writes it.
pub fn describe_range(kind: Kind, (min, max): (f64, f64)) -> String {
    match kind {
        Kind::Int => format!("{min}..={max}"),
        _ => format!("{min:?}..={max:?}"),
    }
}

/// The book's attribute reference (docs/src/reference/dialect.md), generated from the table so it cannot drift.
pub fn markdown_reference() -> String {
    fn visit(spec: &'static BlockSpec, prefix: &str, out: &mut String) {
        for attr in spec.attrs {
            let kind = match (attr.kind, attr.range) {
                (Kind::Int, Some(range)) => format!("integer `{}`", describe_range(attr.kind, range)),
                (Kind::Number, Some(range)) => format!("number `{}`", describe_range(attr.kind, range)),
                (Kind::Int, None) => "integer".into(),
                (Kind::Number, None) => "number".into(),
                (Kind::Str(format), _) => format.describe().replace('|', "\\|"),
                (Kind::Strings, _) => "string or list of strings".into(),
                (Kind::StringMap, _) => "object of strings".into(),
            };
            let required = if attr.required { "yes" } else { "no" };
            out.push_str(&format!("| `{prefix}{}` | {kind} | {required} | {} |\n", attr.name, attr.doc));
        }
        for block in spec.blocks {
            visit(block, &format!("{prefix}{}.", block.name), out);
        }
    }
    let mut out = String::from("| attribute | value | required | notes |\n| --- | --- | --- | --- |\n");
    visit(&RULES, "", &mut out);
    out
}
