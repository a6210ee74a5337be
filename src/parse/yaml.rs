//! YAML to spanned data: saphyr-parser's events become a tree whose every node keeps its span,
//! then JSON data (YAML 1.2 core schema) with an index from JSON pointer to span.
//!
//! Built iteratively from events, so nesting depth is a counted limit, never stack depth; alias
//! expansion is budgeted, so a "billion laughs" file is a diagnostic, not an out-of-memory kill.

use std::collections::BTreeMap;

use saphyr_parser::{Event, Input, Parser, ScalarStyle};
use serde_json::{Map, Value};

use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};
use crate::parse::yaml11::{self, Disagreement};
use crate::parse::yaml_budget;
use crate::source::limits::raise_hint;
use crate::source::Limits;

declare_code! {
    /// The file is not valid YAML.
    ///
    /// The YAML parser stopped at the position shown: a bad indent, an unclosed quote or
    /// bracket, a tab used for indentation, or more than one document in the file.
    ///
    /// Fix: correct the YAML at the position shown.
    pub static SYNTAX = ("Y001", "yaml-syntax", Error);
}

declare_code! {
    /// A mapping has the same key twice.
    ///
    /// Most YAML loaders silently keep the last value, so an environment can end up with a
    /// different value from the one a reviewer read. rulesctl rejects every duplicate.
    ///
    /// Fix: delete one of the two keys.
    pub static DUPLICATE_KEY = ("Y002", "duplicate-key", Error);
}

declare_code! {
    /// YAML anchors and aliases expand beyond the limit.
    ///
    /// Each alias (`*name`) copies its anchor's content. Nested aliases grow exponentially
    /// (the "billion laughs" attack), so the expanded document is capped: at most
    /// `limits { max_yaml_nodes = N }` nodes (100,000 unless set), counting every mapping,
    /// sequence and scalar, keys included, each alias as the nodes it copies. The count stops
    /// at the node that crosses the limit, so a hostile file is refused without being expanded.
    ///
    /// Fix: write the values out, or use fewer nested aliases; a document that is simply that
    /// large can raise `limits { max_yaml_nodes = N }` in rulesctl.hcl.
    pub static ALIAS_LIMIT = ("Y003", "alias-limit", Error);
}

declare_code! {
    /// The YAML nests too deeply.
    ///
    /// Values and environment files nest a handful of levels; more than
    /// `limits { max_depth = N }` (64 unless set lower) is refused so a hostile file cannot
    /// exhaust memory or stack. Each mapping and sequence is one level, and an alias counts
    /// the levels of what it copies, so aliases of aliases cannot build a deeper document.
    ///
    /// Fix: flatten the structure; when `max_depth` is set below 64, raise it.
    pub static TOO_DEEP = ("Y004", "yaml-too-deep", Error);
}

declare_code! {
    /// A plain (unquoted) value or key that YAML 1.1 (Helm) and YAML 1.2 read differently.
    ///
    /// Helm reads values as YAML 1.1 (go-yaml v2): `yes`, `no`, `on`, `off`, `y` and `n` in
    /// all their spellings are booleans, `0755` is the octal number 493, `0o17` and `1_000` are
    /// numbers, `.inf` makes Helm refuse the file. YAML 1.1 tools also read `1:30` as 90,
    /// `2001-12-14` as a date and `1e3` as text, while YAML 1.2 (editors, linters, rulesctl)
    /// reads `no` as text. The same line can mean `false` to Helm and `"no"` to a reviewer, and a
    /// non-empty string is true in a Helm template: `redis: {enabled: no}` turned Redis on.
    ///
    /// When the chart's schema gives the value one type that only one reading fits (a boolean
    /// for `no`, a string for `"no"`), rulesctl reads it as that type and renders it in a form
    /// every reader agrees on. Otherwise the value is an error; a key is always one.
    ///
    /// Fix: write what you mean in a form every reader agrees on: `false` for the boolean,
    /// `"no"` (quoted) for the text, `493` for the number; quote a key (`"on": ...`).
    pub static YAML11_AMBIGUOUS = ("Y005", "yaml11-ambiguous", Error);
}

declare_code! {
    /// The file is empty or its top level is not a mapping.
    ///
    /// `values.yaml` and every `environments/<env>.yaml` are mappings of keys to values.
    ///
    /// Fix: write the file as `key: value` pairs at the top level.
    pub static NOT_A_MAPPING = ("Y006", "not-a-mapping", Error);
}

/// A YAML node and where it was written.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Map(Vec<(String, Span, Node)>),
    Seq(Vec<Node>),
    Scalar { text: String, plain: bool },
}

impl Node {
    /// How many nodes this one stands for: itself, and every key and value below it.
    fn size(&self) -> usize {
        match &self.kind {
            Kind::Map(entries) => 1 + entries.iter().map(|(_, _, v)| 1 + v.size()).sum::<usize>(),
            Kind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Kind::Scalar { .. } => 1,
        }
    }

    /// How many mappings and sequences nest in this node, itself included (0 for a scalar).
    /// Recursion is bounded: every stored node is at most `max_depth` deep (see the alias
    /// check in [`parse`]).
    fn height(&self) -> usize {
        match &self.kind {
            Kind::Map(entries) => 1 + entries.iter().map(|(_, _, v)| v.height()).max().unwrap_or(0),
            Kind::Seq(items) => 1 + items.iter().map(Node::height).max().unwrap_or(0),
            Kind::Scalar { .. } => 0,
        }
    }
}

/// A JSON pointer into a [`Document`], shared by the documents copied from it.
pub type Pointer = std::sync::Arc<str>;

/// A parsed YAML document as JSON data, with where every value and key was written.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub value: Value,
    /// JSON pointer → (span of the value, span of its key when it is a mapping entry). The
    /// pointers are shared: every environment's merged values copy values.yaml's map, and a
    /// copied pointer is a count, not a string (twenty environments of a 12-level values.yaml
    /// held a 130-byte string per node each).
    pub spans: BTreeMap<Pointer, (Span, Option<Span>)>,
    /// The whole file, for problems with no better place.
    pub file: Option<FileId>,
    /// The entries a later duplicate key replaced (reported as Y002), each as a document of one
    /// key whose pointers are relative to the mapping it was in: gone from `value`, still in the
    /// text, so masking can find a credential among them.
    pub shadowed: Vec<Document>,
    /// Plain scalars (values and keys) that YAML 1.1 (Helm) and YAML 1.2 read differently, in
    /// document order; the loader resolves them by the chart's schema or reports them.
    pub ambiguous: Vec<Ambiguous>,
}

/// A plain scalar the YAML readers disagree on.
#[derive(Debug, Clone, PartialEq)]
pub struct Ambiguous {
    /// The value's JSON pointer; `None` for a key.
    pub pointer: Option<String>,
    pub span: Span,
    pub text: String,
    pub reading: Reading11,
}

/// How the readers disagree on an [`Ambiguous`] scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading11 {
    Value(Disagreement),
    /// A key Helm reads as another key (`on` as `true`), or refuses (`null`); `helm` is the key
    /// Helm reads.
    Key {
        helm: Option<String>,
    },
}

impl Ambiguous {
    /// The error: what each reader makes of it, and exactly what to write instead.
    pub fn diagnostic(&self) -> Diagnostic {
        let text = &self.text;
        match &self.reading {
            Reading11::Key { helm } => {
                let reads = match helm {
                    Some(k) => format!("Helm reads the key `{text}` as `{k}`"),
                    None => format!("Helm cannot read the key `{text}`"),
                };
                Diagnostic::new(&YAML11_AMBIGUOUS, self.span, format!("{reads} (YAML 1.1); YAML 1.2 reads `{text}`"))
                    .label("ambiguous plain key")
                    .help(format!("quote the key: `{}:`", serde_json::Value::String(text.clone())))
            }
            Reading11::Value(d) => {
                let readings = d.readings();
                let reads: Vec<String> = readings
                    .iter()
                    .map(|(r, who)| {
                        let verb = if who.len() == 1 { "reads" } else { "read" };
                        format!("{} {verb} {}", who.join(" and "), r.describe(text))
                    })
                    .collect();
                let writes: Vec<String> = readings
                    .iter()
                    .filter_map(|(r, _)| Some(format!("`{}` for {}", r.unambiguous(text)?, r.describe(text))))
                    .collect();
                Diagnostic::new(
                    &YAML11_AMBIGUOUS,
                    self.span,
                    format!("the plain value `{text}` is ambiguous: {}", reads.join("; ")),
                )
                .label("YAML 1.1 and 1.2 read this differently")
                .help(format!("write {}", writes.join(", or ")))
            }
        }
    }
}

impl Document {
    /// The span of the value at `pointer`, or of its nearest parent that has one.
    pub fn span(&self, pointer: &str) -> Span {
        let mut p = pointer;
        loop {
            if let Some((span, _)) = self.spans.get(p) {
                return *span;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return self.file.map_or(Span { file: FileId::default(), start: 0, end: 0 }, Span::file),
            }
        }
    }

    /// The span of the key at `pointer`, falling back to the value's.
    pub fn key_span(&self, pointer: &str) -> Span {
        self.spans.get(pointer).and_then(|(_, k)| *k).unwrap_or_else(|| self.span(pointer))
    }
}

enum Frame {
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(String, Span, Node)>,
        key: Option<(String, Span)>,
        /// Where each key was first written, so a repeat is found in constant time: searching the
        /// entries so far made a flat mapping of 40,000 keys take seconds.
        seen: foldhash::HashMap<String, Span>,
    },
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
}

/// The character index of the flow bracket (`[`, `{`) after character `from` that opens level
/// `allowed + 1` of the flow collections there, skipping quoted scalars and comments; `None` when
/// none does. One pass, for the error saphyr reports past its own nesting limit.
fn flow_opener_over(text: &str, from: usize, allowed: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = ' ';
    for (at, c) in text.chars().enumerate().skip(from) {
        match (quote, c) {
            _ if comment => comment = c != '\n',
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > allowed {
                    return Some(at);
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    None
}

/// Parses one YAML file under `limits` (`max_depth`, `max_yaml_nodes`, `max_string_bytes`).
/// `None` when it cannot be used (already reported).
///
/// A file longer than `max_string_bytes` is read through [`yaml_budget::Budgeted`], which stops
/// reading a string far over the limit once it has read the limit: the one scalar that read a
/// stretch the skeleton left out is measured from what was left out ([`L010`] at its start, with
/// its whole length, as always); when anything else read one, the file is parsed again from its
/// text, as every shorter file is.
///
/// [`L010`]: crate::parse::STRING_TOO_LONG
pub fn parse(file: FileId, text: &str, limits: &Limits, sink: &mut Sink) -> Option<Document> {
    if text.len() > limits.max_string_bytes {
        if let Some(parsed) = parse_budgeted(file, text, limits, sink) {
            return parsed;
        }
    }
    parse_events(file, text, limits, sink, Parser::new_from_str(text), None, &mut false)
}

/// [`parse`] through [`yaml_budget::Budgeted`]; `None` (nothing reported) when the file must be
/// parsed again from its text.
fn parse_budgeted(file: FileId, text: &str, limits: &Limits, sink: &mut Sink) -> Option<Option<Document>> {
    let shared = yaml_budget::Shared::default();
    let budget = limits.max_string_bytes.saturating_add(yaml_budget::SLACK);
    let parser = Parser::new(yaml_budget::Budgeted::new(text, budget, &shared));
    let (kept, mut measured) = (sink.len(), false);
    let parsed = parse_events(file, text, limits, sink, parser, Some(&shared), &mut measured);
    if measured || !shared.skeleton().is_some_and(yaml_budget::Skeleton::shortened) {
        return Some(parsed);
    }
    sink.truncate(kept);
    None
}

/// [`parse`] on `parser`'s events. With `budget`, once the input has switched to a shortened
/// skeleton, the scalar that read a left-out stretch is measured (`measured` says it was over
/// the limit and reported) and every other outcome is the caller's to discard.
fn parse_events<'input, T: Input>(
    file: FileId,
    text: &str,
    limits: &Limits,
    sink: &mut Sink,
    mut parser: Parser<'input, T>,
    budget: Option<&yaml_budget::Shared>,
    measured: &mut bool,
) -> Option<Document> {
    let max_depth = limits.max_depth;
    let max_nodes = limits.max_yaml_nodes;
    let too_deep = |at: Span| {
        let ceiling = Limits::CEILING.max_depth as u64;
        Diagnostic::new(&TOO_DEEP, at, format!("nested more than {max_depth} levels deep"))
            .label("one level too deep")
            .help(format!("flatten the structure{}", raise_hint("max_depth", max_depth as u64, ceiling)))
    };
    let nodes_hint = raise_hint("max_yaml_nodes", max_nodes as u64, Limits::CEILING.max_yaml_nodes as u64);
    let offsets = ByteOffsets::new(text);
    let span = |start: usize, end: usize| Span::new(file, offsets.byte(start)..offsets.byte(end));
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: BTreeMap<usize, Node> = BTreeMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let mut ambiguous_keys: Vec<Ambiguous> = Vec::new();
    let mut last_end = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, at) = match next {
            Ok(pair) => pair,
            Err(err) => {
                let index = err.marker().index();
                // saphyr's own guard against deep flow nesting: the same problem as ours. Its
                // scanner reads a flow collection ahead of the events, so far over our limit it
                // stops at its own (256 levels): the bracket that crossed ours is found after the
                // last event, as one just over the limit would be reported.
                let diagnostic = if err.info().contains("recursion limit") {
                    let at = flow_opener_over(text, last_end, max_depth.saturating_sub(stack.len())).unwrap_or(index);
                    too_deep(span(at, at + 1))
                } else {
                    syntax(file, text, offsets.byte(index), err.info())
                };
                sink.push(diagnostic);
                return None;
            }
        };
        let (start, end) = (at.start.index(), at.end.index());
        last_end = end;
        if let Some(shared) = budget {
            match shared.skeleton() {
                None => shared.last_end.set(offsets.byte(end)),
                Some(skeleton) => {
                    let first = skeleton.seams().next().map_or(usize::MAX, |(at, _)| at);
                    if end > first {
                        // This event read a stretch the skeleton left out: a value scalar (no
                        // anchor, tag or key, whose parse could differ) started before it is
                        // measured; anything else is parsed again from the text.
                        let key = matches!(stack.last(), Some(Frame::Map { key: None, .. }));
                        if let Event::Scalar(value, _, 0, None) = &event {
                            let left_out: usize =
                                skeleton.seams().take_while(|&(at, _)| at < end).map(|(_, n)| n).sum();
                            let bytes = value.len().saturating_add(left_out);
                            let max = limits.max_string_bytes;
                            if !key && start < first && nodes < max_nodes && bytes > max {
                                let span = span(start, end.saturating_add(left_out));
                                sink.push(crate::parse::string_too_long(span, bytes, max));
                                *measured = true;
                            }
                        }
                        return None;
                    }
                }
            }
        }
        // Every node counts once, where it starts: a mapping or sequence at its opening, a
        // scalar (key or value) as it is read, an alias as all the nodes it copies, counted
        // before it is copied, so a billion laughs is never expanded.
        let weight = match &event {
            Event::MappingStart(..) | Event::SequenceStart(..) | Event::Scalar(..) => 1,
            Event::Alias(id) => anchors.get(id).map_or(0, Node::size),
            _ => 0,
        };
        nodes = nodes.saturating_add(weight);
        if nodes > max_nodes {
            let diagnostic = if matches!(event, Event::Alias(_)) {
                Diagnostic::new(
                    &ALIAS_LIMIT,
                    span(start, end),
                    format!("aliases expand this document beyond {max_nodes} nodes"),
                )
                .label("expansion limit reached here")
                .help(format!("write the values out instead of nesting aliases{nodes_hint}"))
            } else {
                Diagnostic::new(&ALIAS_LIMIT, span(start, end), format!("the document has more than {max_nodes} nodes"))
                    .label("node limit reached here")
                    .help(format!("split the file or remove repeated content{nodes_hint}"))
            };
            sink.push(diagnostic);
            return None;
        }
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    sink.push(
                        Diagnostic::new(
                            &SYNTAX,
                            span(start, end),
                            "a second YAML document: this file may hold only one",
                        )
                        .label("second document")
                        .help("remove the `---` and everything after it, or move it to its own file"),
                    );
                    return None;
                }
                continue;
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if stack.len() >= max_depth {
                    sink.push(too_deep(span(start, end)));
                    return None;
                }
                stack.push(match event {
                    Event::MappingStart(..) => {
                        Frame::Map { start, anchor, entries: Vec::new(), key: None, seen: foldhash::HashMap::default() }
                    }
                    _ => Frame::Seq { start, anchor, items: Vec::new() },
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (node, anchor) = match stack.pop() {
                    Some(Frame::Map { start: s, anchor, entries, .. }) => {
                        (Node { kind: Kind::Map(entries), span: span(s, end) }, anchor)
                    }
                    Some(Frame::Seq { start: s, anchor, items }) => {
                        (Node { kind: Kind::Seq(items), span: span(s, end) }, anchor)
                    }
                    None => continue,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Scalar(text, style, anchor, tag) => {
                if crate::parse::too_long(span(start, end), &text, limits.max_string_bytes, sink) {
                    return None;
                }
                let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let node = Node {
                    kind: Kind::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain && !forced_string,
                    },
                    span: span(start, end),
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else { continue };
                // An alias copies its anchor's nesting to where it stands: aliases of aliases
                // would otherwise build a tree far deeper than the text, deep enough to overflow
                // the stack of every recursive walk over the values.
                if stack.len() + target.height() > max_depth {
                    sink.push(
                        Diagnostic::new(
                            &TOO_DEEP,
                            span(start, end),
                            format!("this alias nests the document more than {max_depth} levels deep"),
                        )
                        .label("expands one level too deep or more")
                        .help(format!(
                            "write the values out, or alias a shallower anchor{}",
                            raise_hint("max_depth", max_depth as u64, Limits::CEILING.max_depth as u64)
                        )),
                    );
                    return None;
                }
                Node { kind: target.kind.clone(), span: span(start, end) }
            }
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, seen, .. }) => match key.take() {
                None => match node.kind {
                    Kind::Scalar { text, plain } => {
                        if plain {
                            let helm = yaml11::helm_key(&text);
                            if helm.as_deref() != Some(text.as_str()) || yaml11::disagreement(&text).is_some() {
                                let reading = Reading11::Key { helm };
                                ambiguous_keys.push(Ambiguous {
                                    pointer: None,
                                    span: node.span,
                                    text: text.clone(),
                                    reading,
                                });
                            }
                        }
                        if let Some(first) = seen.get(&text) {
                            sink.push(
                                Diagnostic::new(
                                    &DUPLICATE_KEY,
                                    node.span,
                                    format!("the key `{text}` appears twice in this mapping"),
                                )
                                .label("repeated here")
                                .related(*first, "first here")
                                .help("delete one of the two keys; YAML loaders disagree on which one wins"),
                            );
                        } else {
                            seen.insert(text.clone(), node.span);
                        }
                        *key = Some((text, node.span));
                    }
                    _ => {
                        sink.push(
                            Diagnostic::new(
                                &SYNTAX,
                                node.span,
                                "a mapping key must be a plain value, not a mapping or list",
                            )
                            .help("use a string key"),
                        );
                        return None;
                    }
                },
                Some((k, key_span)) => entries.push((k, key_span, node)),
            },
        }
    }
    let Some(root) = root else {
        sink.push(
            Diagnostic::new(&NOT_A_MAPPING, Span::file(file), "the file is empty")
                .help("write the file's settings as `key: value` pairs"),
        );
        return None;
    };
    if !matches!(root.kind, Kind::Map(_)) {
        sink.push(
            Diagnostic::new(&NOT_A_MAPPING, root.span, "the top level must be a mapping of keys to values")
                .label("not a mapping")
                .help("write the file's settings as `key: value` pairs"),
        );
        return None;
    }
    let mut doc = Document { file: Some(file), ..Document::default() };
    let mut out = Out { spans: BTreeMap::new(), shadowed: Vec::new(), ambiguous: Vec::new() };
    doc.value = to_json(&root, String::new(), None, &mut out);
    doc.spans = out.spans;
    doc.shadowed = out.shadowed;
    doc.ambiguous = out.ambiguous;
    doc.ambiguous.extend(ambiguous_keys);
    doc.ambiguous.sort_by_key(|a| (a.span.start, a.pointer.is_some()));
    Some(doc)
}

/// What [`to_json`] collects besides the value.
struct Out {
    spans: BTreeMap<Pointer, (Span, Option<Span>)>,
    shadowed: Vec<Document>,
    ambiguous: Vec<Ambiguous>,
}

/// Converts under the YAML 1.2 core schema, recording spans and the plain scalars YAML 1.1
/// reads otherwise.
fn to_json(node: &Node, pointer: String, key: Option<Span>, out: &mut Out) -> Value {
    out.spans.insert(Pointer::from(pointer.as_str()), (node.span, key));
    match &node.kind {
        Kind::Map(entries) => {
            let mut map = Map::new();
            let last: BTreeMap<&str, usize> =
                entries.iter().enumerate().map(|(i, (k, _, _))| (k.as_str(), i)).collect();
            for (i, (k, key_span, v)) in entries.iter().enumerate() {
                let token = escape(k);
                if last.get(k.as_str()) != Some(&i) {
                    let mut one = Out { spans: BTreeMap::new(), shadowed: Vec::new(), ambiguous: Vec::new() };
                    let value = to_json(v, format!("/{token}"), Some(*key_span), &mut one);
                    out.shadowed.extend(one.shadowed);
                    out.shadowed.push(Document {
                        value: Value::Object(Map::from_iter([(k.clone(), value)])),
                        spans: one.spans,
                        file: Some(v.span.file),
                        ..Document::default()
                    });
                    continue;
                }
                map.insert(k.clone(), to_json(v, format!("{pointer}/{token}"), Some(*key_span), out));
            }
            Value::Object(map)
        }
        Kind::Seq(items) => Value::Array(
            items.iter().enumerate().map(|(i, v)| to_json(v, format!("{pointer}/{i}"), None, out)).collect(),
        ),
        Kind::Scalar { text, plain: false } => Value::String(text.clone()),
        Kind::Scalar { text, plain: true } => {
            if let Some(d) = yaml11::disagreement(text) {
                out.ambiguous.push(Ambiguous {
                    pointer: Some(pointer),
                    span: node.span,
                    text: text.clone(),
                    reading: Reading11::Value(d),
                });
            }
            core_scalar(text)
        }
    }
}

/// A plain scalar under the YAML 1.2 core schema ([`yaml11::core`]); a float JSON cannot hold
/// (`.inf`, `.nan`, which Helm refuses and rulesctl reports) stays text.
pub fn core_scalar(text: &str) -> Value {
    yaml11::core(text).value(text).unwrap_or_else(|| Value::String(text.to_string()))
}

/// saphyr's markers count characters; spans count bytes.
struct ByteOffsets {
    table: Option<Vec<usize>>,
    len: usize,
}

impl ByteOffsets {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        ByteOffsets { table, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// A syntax error at its cause: an unclosed flow collection or quote at its opening token (with
/// where the parser gave up as a related place), anything else where the parser stopped, moved
/// inside the file. The help says what to write.
fn syntax(file: FileId, text: &str, offset: usize, info: &str) -> Diagnostic {
    let gave_up = Span::new(file, crate::parse::in_file(text, offset));
    let message = format!("YAML syntax error: {info}");
    let cause = crate::parse::unclosed::yaml(text).filter(|u| u.at.start <= offset);
    match cause {
        Some(cause) => crate::parse::related_unless_same(
            Diagnostic::new(
                &SYNTAX,
                Span::new(file, cause.at.clone()),
                format!("YAML syntax error: {}", cause.message()),
            )
            .label("opened here"),
            gave_up,
        )
        .help(cause.help().replace("`\"` before the end of the line", "quote")),
        None => Diagnostic::new(&SYNTAX, gave_up, message).label("here").help(yaml_help(info)),
    }
}

/// What to write, from the YAML parser's message.
fn yaml_help(info: &str) -> String {
    let help = if info.contains("quoted scalar") {
        "add the closing quote at the end of the value: a quoted value runs on, over lines, until its closing quote"
    } else if info.contains("mapping values are not allowed") {
        "quote this value (it holds `: `), or put the nested mapping on its own, more indented line"
    } else if info.contains("did not find expected key") || info.contains("indentation") {
        "indent this line with spaces like the keys it belongs with: a mapping's keys start in one column"
    } else if info.contains("cannot start any token") || info.contains("tab") {
        "indent with spaces, never tabs, and quote a value that starts with `@`, `` ` `` or `%`"
    } else if info.contains("bracket") || info.contains("did not find expected ','") {
        "close every `[` with `]` and every `{` with `}`, separating items with `,`"
    } else if info.contains("alias") || info.contains("anchor") {
        "define the anchor (`&name`) before using it as an alias (`*name`), or quote a value starting with `*` or `&`"
    } else {
        "write `key: value` pairs, nested by indenting with spaces; quote values that hold `: `, ` #` or start with a symbol"
    };
    help.to_string()
}

/// One key as a JSON pointer token (RFC 6901): `~` is `~0`, `/` is `~1`. Borrowed when there is
/// nothing to escape, which is nearly always: every check that walks the values escapes every key.
pub fn escape(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1000;

    fn limits() -> Limits {
        Limits { max_string_bytes: MAX, ..Limits::DEFAULT }
    }

    /// What a file shorter than the limit gets: the events of its whole text.
    fn whole(text: &str) -> (Option<Value>, Sink) {
        let mut sink = Sink::new();
        let doc =
            parse_events(FileId::default(), text, &limits(), &mut sink, Parser::new_from_str(text), None, &mut false);
        (doc.map(|d| d.value), sink)
    }

    /// Through the budget; `None` when the file must be parsed again.
    fn budgeted(text: &str) -> Option<(Option<Value>, Sink)> {
        let mut sink = Sink::new();
        let doc = parse_budgeted(FileId::default(), text, &limits(), &mut sink)?;
        Some((doc.map(|d| d.value), sink))
    }

    fn parsed(text: &str) -> (Option<Value>, Sink) {
        let mut sink = Sink::new();
        let doc = parse(FileId::default(), text, &limits(), &mut sink);
        (doc.map(|d| d.value), sink)
    }

    fn x(n: usize) -> String {
        "x".repeat(n)
    }

    /// A string ten times over the limit, in every style, is measured without being read (no
    /// second parse) and reported as the whole text's parse reports it: L010 at the same span,
    /// with its whole length.
    #[test]
    fn a_string_ten_times_over_is_measured_in_every_style() {
        let long = x(10 * MAX);
        let half = x(5 * MAX);
        for text in [
            format!("a: 1\nplain: {long}\nz: 2\n"),
            format!("a: 1\nsingle: '{long} it''s'\nz: 2\n"),
            format!("a: 1\ndouble: \"\\x41\\u00e9{long}\\t\\U0001F600\"\nz: 2\n"),
            format!("a: 1\nliteral: |\n  {half}\n  {half}\n\n  end\nz: 2\n"),
            format!("a: 1\nfolded: >-\n  {half}\n  {half}\n\n  end\nz: 2\n"),
            format!("a: 1\nlines: {half}\n  {half}\n\n  end\nz: 2\n"),
            format!("a: 1\nwords: {}\nz: 2\n", "lorem ipsum ".repeat(MAX)),
            format!("a: 1\nitems:\n  - 1\n  - {long}\nz: 2\n"),
            format!("a: 1\nflow: [1, {long}, 2]\nz: 2\n"),
            format!("a: 1\nmultiline: \"{half}\n  {half}\\\n  {half}\"\nz: 2\n"),
            format!("a: 1\nthen: {long}: c\n"),
        ] {
            let expected = whole(&text);
            assert_eq!(expected.1.len(), 1, "{}", &text[..40]);
            assert_eq!(expected.1[0].code.id, "L010");
            assert_eq!(budgeted(&text), Some(expected.clone()), "{}", &text[..40]);
            assert_eq!(parsed(&text), expected);
        }
    }

    /// A key (whose parse, as a simple key, depends on its length), an anchored or tagged
    /// string, or a string over the limit with its left-out run not part of it, is parsed again:
    /// the same diagnostic as the whole text's parse.
    #[test]
    fn what_the_skeleton_cannot_measure_is_parsed_again() {
        let long = x(10 * MAX);
        for text in [
            format!("a: 1\n{long}: 2\n"),
            format!("a: 1\nflow: {{{long}: 2}}\n"),
            format!("a: 1\n? {long}\n: 2\n"),
            format!("a: 1\nanchored: &a {long}\n"),
            format!("a: 1\ntagged: !!str {long}\n"),
            format!("{long}\n"),
        ] {
            let expected = whole(&text);
            assert!(!expected.1.is_empty(), "{}", &text[..40]);
            assert_eq!(budgeted(&text), None, "{}", &text[..40]);
            assert_eq!(parsed(&text), expected);
        }
    }

    /// A comment is not a string: one ten times the limit long is not reported, moves the
    /// budget on rather than spend it (the string of 300 bytes after it is read whole, not cut),
    /// and is kept whole by a skeleton (after a block scalar read past the budget, its
    /// indentation being no content), so nothing is parsed twice.
    #[test]
    fn a_long_comment_is_not_a_string() {
        let comment = format!("# {}", x(10 * MAX));
        let indented = format!("{}x", " ".repeat(2000));
        for text in [
            format!("a: 1\n{comment}\nb: 2 {comment}\nc: {}\n", x(300)),
            format!("a: |\n{indented}\n{indented}\n{indented}\n{comment}\nb: 2\n"),
        ] {
            let expected = whole(&text);
            assert_eq!(expected.1, Sink::new());
            assert_eq!(budgeted(&text), Some(expected.clone()), "{}", &text[..20]);
            assert_eq!(parsed(&text), expected);
        }
    }

    /// Valid files longer than the limit read as ever: many strings under the limit, a string
    /// at the limit, non-ASCII text; and one read past the budget that is under the limit once
    /// read (indentation is not content), which is parsed again.
    #[test]
    fn valid_long_files_read_as_ever() {
        let indented = format!("{}{}", " ".repeat(2000), x(300));
        for (text, again) in [
            ((0..20).map(|i| format!("k{i}: {}\n", x(MAX - 1))).collect::<String>(), false),
            ((0..20).map(|i| format!("k{i}: \"{}\"\n", "é".repeat(MAX / 2))).collect(), false),
            (format!("a: 1\nplain: {}\nz: 2\n", x(MAX)), false),
            (format!("a: 1\nblock: |\n{indented}\n{indented}\n{indented}\nz: 2\n"), true),
        ] {
            let expected = whole(&text);
            assert_eq!(expected.1, Sink::new());
            assert!(expected.0.is_some());
            assert_eq!(budgeted(&text), (!again).then(|| expected.clone()), "{}", &text[..20]);
            assert_eq!(parsed(&text), expected);
        }
    }
}
