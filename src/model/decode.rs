//! Checking literal trees against the dialect table: unknown keys, labels, types, formats and
//! missing attributes. What passes is kept with its spans for the typed model.

use crate::diagnostic::declare_code;
use crate::diagnostic::Span;
use crate::diagnostic::{Diagnostic, Sink};
use crate::model::dialect::{describe_range, Attr, BlockSpec, Format, Kind, Occurs};
use crate::model::Spanned;
use crate::parse::{Entry, Num, Value};

declare_code! {
    /// A block type that does not exist in the dialect.
    ///
    /// Only the blocks in the dialect reference are allowed: `spawn_config`, `loot_table`
    /// (with `item` inside), `event_timers`, `safety_bounds` and `event_stream` in rule files;
    /// `paths`, `policy`, `limits` and `render` in `rulesctl.hcl`. Anything else is most
    /// likely a typo, and silently ignoring it would drop a rule the author meant to ship.
    ///
    /// Fix: rename the block to the suggested name, or remove it.
    pub static UNKNOWN_BLOCK = ("D002", "unknown-block", Error);
}

declare_code! {
    /// An attribute that does not exist in its block.
    ///
    /// A misspelt attribute (`cooldwn_ms`) would otherwise be ignored while the real one keeps
    /// its old value. Every unknown key is rejected and the closest known key is named.
    ///
    /// Fix: rename the attribute to the suggested name, or remove it.
    pub static UNKNOWN_ATTRIBUTE = ("D003", "unknown-attribute", Error);
}

declare_code! {
    /// A block has the wrong labels.
    ///
    /// `loot_table` and `item` take exactly one label, their name; `policy` takes the
    /// attribute it narrows; every other block takes none.
    ///
    /// Example: `spawn_config "caves" { ... }` is rejected; the region goes in `region = "caves"`.
    ///
    /// Fix: add or remove labels as the message says.
    pub static WRONG_LABELS = ("D004", "wrong-labels", Error);
}

declare_code! {
    /// A value has the wrong type.
    ///
    /// Integers are written as whole numbers (`8000`, not `8000.5`, `8000.0` or `"8000"`);
    /// numbers may have a fraction; strings are quoted.
    ///
    /// Fix: write the value with the type the message names.
    pub static WRONG_TYPE = ("D005", "wrong-type", Error);
}

declare_code! {
    /// A required attribute is missing.
    ///
    /// Every attribute of `spawn_config`, `item`, `event_timers`, `safety_bounds` and
    /// `event_stream` is required: a rule that silently fell back to a default would ship a
    /// value nobody reviewed.
    ///
    /// Fix: add the attribute; the help line shows its type and range.
    pub static MISSING_ATTRIBUTE = ("D006", "missing-attribute", Error);
}

declare_code! {
    /// A string does not have the required form.
    ///
    /// Names (regions, loot tables, items) match `[a-z][a-z0-9_]{0,63}`; `ruleset_version` is
    /// `v` followed by a semantic version (`v2.4.1`); `maintenance_window` is `"HH:MM UTC"`.
    ///
    /// Fix: rewrite the value in the form the message names.
    pub static INVALID_FORMAT = ("D008", "invalid-format", Error);
}

declare_code! {
    /// A block that may appear only once appears more than once in the project file.
    ///
    /// `paths`, `limits` and `render` each configure one thing; two of them would leave it
    /// unclear which one applies.
    ///
    /// Fix: merge the blocks into one.
    pub static REPEATED_BLOCK = ("D009", "repeated-block", Error);
}

/// An attribute that passed its type check.
#[derive(Debug, Clone)]
pub struct Field {
    pub attr: &'static Attr,
    pub key_span: Span,
    pub value: Value,
    pub span: Span,
}

/// A block whose keys, labels and types passed; attributes that failed are left out.
#[derive(Debug, Clone)]
pub struct Node {
    pub spec: &'static BlockSpec,
    /// The block identifier's span (the file's for a top level).
    pub ident_span: Span,
    pub label: Option<Spanned<String>>,
    pub fields: Vec<Field>,
    pub blocks: Vec<Node>,
    /// Set when a required attribute is missing or invalid, so checks can skip the block.
    pub complete: bool,
    /// Set when the block holds an unknown attribute or block: perhaps a misspelt known one, so
    /// what it would have said is unknown and checks across blocks stay quiet.
    pub unknown: bool,
}

/// A numeric attribute anywhere in the input, for the range checks.
#[derive(Debug, Clone)]
pub struct NumberAt {
    pub attr: &'static Attr,
    pub num: Num,
    pub span: Span,
}

impl NumberAt {
    /// Dotted path: `spawn_config.base_rate`. Looked up, not stored: a ruleset of 10,000 files
    /// holds 200,000 numbers.
    pub fn path(&self) -> &'static str {
        attr_path(self.attr)
    }
}

impl Node {
    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.attr.name == name)
    }

    pub fn str(&self, name: &str) -> Option<Spanned<String>> {
        let field = self.field(name)?;
        match &field.value {
            Value::Str(s) => Some(Spanned::new(s.clone(), field.span)),
            _ => None,
        }
    }

    pub fn num(&self, name: &str) -> Option<Spanned<Num>> {
        let field = self.field(name)?;
        match &field.value {
            Value::Num(n) => Some(Spanned::new(n.clone(), field.span)),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<Spanned<i64>> {
        self.num(name).and_then(|n| Some(Spanned::new(n.value.int?, n.span)))
    }

    /// A string or a list of strings, as a list.
    pub fn strings(&self, name: &str) -> Option<Vec<Spanned<String>>> {
        let field = self.field(name)?;
        match &field.value {
            Value::Str(s) => Some(vec![Spanned::new(s.clone(), field.span)]),
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|(v, span)| match v {
                        Value::Str(s) => Some(Spanned::new(s.clone(), *span)),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// An object-of-strings attribute as (key, value) pairs, each with its span.
    pub fn string_map(&self, name: &str) -> Option<Vec<(Spanned<String>, Spanned<String>)>> {
        let field = self.field(name)?;
        match &field.value {
            Value::Object(entries) => Some(
                entries
                    .iter()
                    .filter_map(|(key, key_span, value, value_span)| match value {
                        Value::Str(s) => {
                            Some((Spanned::new(key.clone(), *key_span), Spanned::new(s.clone(), *value_span)))
                        }
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.blocks.iter().filter(move |b| b.spec.name == name)
    }

    /// Every numeric attribute in this block and below, with its dotted path.
    pub fn numbers(&self, out: &mut Vec<NumberAt>) {
        for field in &self.fields {
            if let Value::Num(num) = &field.value {
                out.push(NumberAt { attr: field.attr, num: num.clone(), span: field.span });
            }
        }
        for block in &self.blocks {
            block.numbers(out);
        }
    }
}

/// Decodes a body against `spec`. `ident_span` is where "missing attribute" points. Once `sink`
/// holds `max_diagnostics`, an unknown key's diagnostic goes without its did-you-mean: the
/// loader counts it and drops it (see `pipeline::load`), and measuring a key against every
/// known name was nine tenths of the cost of a file of unknown keys.
pub fn decode(
    entries: &[Entry],
    spec: &'static BlockSpec,
    ident_span: Span,
    max_diagnostics: usize,
    sink: &mut Sink,
) -> Node {
    let mut node =
        Node { spec, ident_span, label: None, fields: Vec::new(), blocks: Vec::new(), complete: true, unknown: false };
    // Unknown keys of this block, so a missing attribute they are a misspelling of is not
    // reported a second time.
    let mut unknown_keys: Vec<&str> = Vec::new();
    let known = || spec.attrs.iter().map(|a| a.name).chain(spec.blocks.iter().map(|b| b.name));
    for entry in entries {
        match entry {
            Entry::Attribute { key, key_span, value, value_span } => {
                let Some(attr) = spec.attr(key) else {
                    let what =
                        if spec.block(key).is_some() { "is a block, not an attribute" } else { "is not an attribute" };
                    sink.push(
                        Diagnostic::new(&UNKNOWN_ATTRIBUTE, *key_span, format!("`{key}` {what} of {}", where_(spec)))
                            .label("unknown attribute")
                            .help(if sink.len() < max_diagnostics { suggest(key, known()) } else { String::new() }),
                    );
                    node.unknown = true;
                    unknown_keys.push(key);
                    continue;
                };
                if let Some(field) = typed(attr, value, *key_span, *value_span, sink) {
                    node.fields.push(field);
                }
            }
            Entry::Block(block) => {
                let Some(child) = spec.block(&block.ident) else {
                    let what = if spec.attr(&block.ident).is_some() {
                        "is an attribute, not a block"
                    } else {
                        "is not a block"
                    };
                    sink.push(
                        Diagnostic::new(
                            &UNKNOWN_BLOCK,
                            block.ident_span,
                            format!("`{}` {what} of {}", block.ident, where_(spec)),
                        )
                        .label("unknown block")
                        .help(if sink.len() < max_diagnostics {
                            suggest(&block.ident, known())
                        } else {
                            String::new()
                        }),
                    );
                    node.unknown = true;
                    unknown_keys.push(&block.ident);
                    continue;
                };
                if child.occurs == Occurs::AtMostOnce {
                    if let Some(first) = node.children(child.name).next() {
                        sink.push(
                            Diagnostic::new(
                                &REPEATED_BLOCK,
                                block.ident_span,
                                format!("`{}` may appear only once", child.name),
                            )
                            .label("repeated here")
                            .related(first.ident_span, "first here")
                            .help("merge the two blocks into one"),
                        );
                        continue;
                    }
                }
                let mut decoded = decode(&block.body, child, block.ident_span, max_diagnostics, sink);
                decoded.label = label(child, block, sink);
                if child.label.is_some() && decoded.label.is_none() {
                    decoded.complete = false;
                }
                node.blocks.push(decoded);
            }
        }
    }
    for attr in spec.attrs.iter().filter(|a| a.required) {
        if node.field(attr.name).is_none() {
            node.complete = false;
            let present = entries.iter().any(|e| matches!(e, Entry::Attribute { key, .. } if key == attr.name));
            let misspelt = unknown_keys.iter().any(|k| close_match(k, std::iter::once(attr.name)).is_some());
            if !present && !misspelt {
                sink.push(
                    Diagnostic::new(
                        &MISSING_ATTRIBUTE,
                        ident_span,
                        format!("{} is missing the required attribute `{}`", where_(spec), attr.name),
                    )
                    .label(format!("`{}` missing", attr.name))
                    .help(format!("add `{} = <{}>` ({})", attr.name, expected(attr), attr.doc)),
                );
            }
        }
    }
    node
}

fn where_(spec: &BlockSpec) -> String {
    match spec.name {
        "rules" => "a rule file's top level".to_string(),
        "rulesctl.hcl" => "rulesctl.hcl's top level".to_string(),
        name => format!("`{name}`"),
    }
}

/// Checks a block's labels; returns its one label when it takes one.
fn label(spec: &BlockSpec, block: &crate::parse::Block, sink: &mut Sink) -> Option<Spanned<String>> {
    match (spec.label, block.labels.as_slice()) {
        (None, []) => None,
        (None, [(_, first), ..]) => {
            sink.push(
                Diagnostic::new(&WRONG_LABELS, *first, format!("`{}` takes no label", spec.name))
                    .label("unexpected label")
                    .help(format!("remove the label: write `{} {{ ... }}`", spec.name)),
            );
            None
        }
        (Some((meaning, format)), [(text, span)]) => {
            if !format.accepts(text) {
                sink.push(
                    Diagnostic::new(&INVALID_FORMAT, *span, format!("`{text}` is not a valid {meaning}"))
                        .label("invalid name")
                        .help(format!("a {meaning} is {}", format.describe())),
                );
                if format == Format::Name {
                    return None;
                }
            }
            Some(Spanned::new(text.clone(), *span))
        }
        (Some((meaning, _)), labels) => {
            let (span, message) = match labels.get(1) {
                None => (block.ident_span, format!("`{}` needs one label, its {meaning}", spec.name)),
                Some((_, extra)) => {
                    (*extra, format!("`{}` takes one label, its {meaning}, not {}", spec.name, labels.len()))
                }
            };
            sink.push(
                Diagnostic::new(&WRONG_LABELS, span, message)
                    .label("wrong labels")
                    .help(format!("write `{} \"<{meaning}>\" {{ ... }}`", spec.name)),
            );
            None
        }
    }
}

fn expected(attr: &Attr) -> String {
    match (attr.kind, attr.range) {
        (Kind::Int, Some(range)) => format!("integer {}", describe_range(attr.kind, range)),
        (Kind::Number, Some(range)) => format!("number {}", describe_range(attr.kind, range)),
        (Kind::Int, None) => "integer".into(),
        (Kind::Number, None) => "number".into(),
        (Kind::Str(format), _) => format.describe().into(),
        (Kind::Strings, _) => "a string or a list of strings".into(),
        (Kind::StringMap, _) => "an object of strings, { \"key\" = \"value\" }".into(),
    }
}

/// Type- and format-checks one attribute value.
fn typed(attr: &'static Attr, value: &Value, key_span: Span, span: Span, sink: &mut Sink) -> Option<Field> {
    let field = Field { attr, key_span, value: value.clone(), span };
    let ok = match (attr.kind, value) {
        (_, Value::Invalid) => return None,
        (Kind::Int, Value::Num(n)) => n.is_integer_literal(),
        (Kind::Number, Value::Num(_)) => true,
        (Kind::Str(format), Value::Str(s)) => {
            if !format.accepts(s) {
                sink.push(
                    Diagnostic::new(&INVALID_FORMAT, span, format!("`{}` must be {}", attr.name, format.describe()))
                        .label("invalid value")
                        .help(format_help(format, s)),
                );
                // An invalid name is never suggested, and never drives a cross-reference check.
                if format == Format::Name {
                    return None;
                }
            }
            true
        }
        (Kind::Strings, Value::Str(_)) => true,
        (Kind::StringMap, Value::Object(entries)) => {
            let bad = entries.iter().find(|(_, _, v, _)| !matches!(v, Value::Str(_) | Value::Invalid));
            if let Some((key, _, v, value_span)) = bad {
                sink.push(
                    Diagnostic::new(
                        &WRONG_TYPE,
                        *value_span,
                        format!("`{}.{key}` must be a string, found {}", attr.name, v.describe()),
                    )
                    .label("not a string")
                    .help("quote the value"),
                );
                return None;
            }
            true
        }
        (Kind::Strings, Value::Array(items)) => {
            let bad = items.iter().find(|(v, _)| !matches!(v, Value::Str(_) | Value::Invalid));
            if let Some((v, item_span)) = bad {
                sink.push(
                    Diagnostic::new(
                        &WRONG_TYPE,
                        *item_span,
                        format!("`{}` must list strings, found {}", attr.name, v.describe()),
                    )
                    .label("not a string")
                    .help("quote every element of the list"),
                );
                return None;
            }
            true
        }
        _ => false,
    };
    if ok {
        return Some(field);
    }
    sink.push(
        Diagnostic::new(
            &WRONG_TYPE,
            span,
            format!("`{}` must be {}, found {}", attr.name, article(&expected(attr)), value.describe()),
        )
        .label(format!("{} here", value.describe()))
        .help(type_help(attr, value)),
    );
    None
}

fn article(expected: &str) -> String {
    if expected.starts_with("integer") {
        format!("an {expected}")
    } else if expected.starts_with("number") {
        format!("a {expected}")
    } else {
        expected.to_string()
    }
}

fn type_help(attr: &Attr, value: &Value) -> String {
    match (attr.kind, value) {
        (Kind::Int | Kind::Number, Value::Str(s)) if s.trim().parse::<f64>().is_ok() => {
            format!("remove the quotes: `{} = {}`", attr.name, s.trim())
        }
        (Kind::Int, Value::Num(n)) => match n.int {
            Some(i) => format!("write it as a whole number: `{} = {i}`", attr.name),
            None => format!(
                "integers have no fraction: write a whole number, such as `{} = {}`",
                attr.name,
                n.value.round()
            ),
        },
        (Kind::Str(_), Value::Num(n)) => format!("quote it: `{} = \"{}\"`", attr.name, n.repr()),
        _ => format!("write `{} = <{}>`", attr.name, expected(attr)),
    }
}

fn format_help(format: Format, found: &str) -> String {
    match format {
        Format::Name if found.chars().any(|c| c.is_ascii_uppercase() || c == '-' || c == ' ') => {
            let fixed: String =
                found.to_ascii_lowercase().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c }).collect();
            format!("names are lower case with underscores, such as \"{fixed}\"")
        }
        Format::Version if !found.starts_with('v') && semver::Version::parse(found).is_ok() => {
            format!("add the leading v: \"v{found}\"")
        }
        _ => format!("write {}", format.describe()),
    }
}

/// "did you mean" for an unknown name: always names the closest known one.
pub fn suggest<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.collect();
    suggestion(close_match(unknown, known.iter().copied()), &known)
}

/// The help of [`suggest`], once the closest of `known` is found.
pub fn suggestion(closest: Option<&str>, known: &[&str]) -> String {
    match closest {
        Some(k) => format!("did you mean `{k}`?"),
        None if known.is_empty() => "nothing is allowed here".to_string(),
        None if known.len() <= 12 => format!("expected one of: {}", known.join(", ")),
        None => "check the spelling against the reference".to_string(),
    }
}

/// The known word `unknown` was most likely meant to be, when one is close: the same word in
/// another case, within a small edit distance for its length (one edit up to four letters, two
/// up to eight, then a quarter of its length), or sharing most of its start with it. `None`
/// rather than a far-fetched guess.
pub fn close_match<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known.filter_map(|k| closeness(unknown, k).map(|distance| (distance, k))).min().map(|(_, k)| k)
}

/// The edit distance from `unknown` to `known` when [`close_match`] counts `known` close to it.
pub fn closeness(unknown: &str, known: &str) -> Option<usize> {
    let len = unknown.chars().count();
    let budget = crate::model::near::budget(len);
    // Or the unknown word is most of a known one's start: `replicas` → `replicaCount`.
    let stem = (len * 3).div_ceil(4).max(5);
    let distance = if known.eq_ignore_ascii_case(unknown) { 0 } else { strsim::damerau_levenshtein(unknown, known) };
    let prefix = unknown.chars().zip(known.chars()).take_while(|(a, b)| a == b).count();
    let close = distance <= budget || (prefix >= stem && prefix < known.chars().count());
    (close && known != unknown).then_some(distance)
}

/// The dotted path of an attribute of the rules or project dialect (`loot_table.item.weight`),
/// from a table built once: each attribute of the static dialect tables is its own static, so
/// its address names it.
fn attr_path(attr: &'static Attr) -> &'static str {
    static PATHS: std::sync::OnceLock<std::collections::HashMap<usize, &'static str>> = std::sync::OnceLock::new();
    fn visit(spec: &'static BlockSpec, prefix: &str, out: &mut std::collections::HashMap<usize, &'static str>) {
        for attr in spec.attrs {
            let path: &'static str = Box::leak(format!("{prefix}{}", attr.name).into_boxed_str());
            out.insert(std::ptr::from_ref(attr) as usize, path);
        }
        for block in spec.blocks {
            visit(block, &format!("{prefix}{}.", block.name), out);
        }
    }
    let paths = PATHS.get_or_init(|| {
        let mut out = std::collections::HashMap::new();
        visit(&crate::model::dialect::RULES, "", &mut out);
        visit(&crate::model::dialect::PROJECT, "", &mut out);
        out
    });
    paths.get(&(std::ptr::from_ref(attr) as usize)).copied().unwrap_or(attr.name)
}
