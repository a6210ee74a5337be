//! Hover: an attribute's or block's entry in the dialect table, and the `explain` text of the
//! diagnostics under the cursor.

use crate::diagnostic::Diagnostic;
use crate::lsp::context::{Located, Spot};
use crate::model::dialect::{describe_range, Attr, BlockSpec, Kind, Occurs};

/// The Markdown for what the cursor is on.
pub fn dialect(found: &Located) -> String {
    match found.spot {
        Spot::Key(attr) | Spot::Value(attr) => attribute(&found.path(), attr),
        Spot::BlockIdent | Spot::Label => block(&found.path(), found.block()),
    }
}

/// The type, range, unit and notes of an attribute.
pub fn attribute(path: &str, attr: &Attr) -> String {
    let required = if attr.required { "required" } else { "optional" };
    format!("**`{path}`**: {} ({required})\n\n{}", kind(attr), capitalize(attr.doc))
}

/// An attribute's type and range, as the README's reference writes it.
pub fn kind(attr: &Attr) -> String {
    match (attr.kind, attr.range) {
        (Kind::Int, Some(range)) => format!("integer `{}`", describe_range(attr.kind, range)),
        (Kind::Number, Some(range)) => format!("number `{}`", describe_range(attr.kind, range)),
        (Kind::Int, None) => "integer".to_string(),
        (Kind::Number, None) => "number".to_string(),
        (Kind::Str(format), _) => format.describe().to_string(),
        (Kind::Strings, _) => "a string or a list of strings".to_string(),
        (Kind::StringMap, _) => "an object of strings".to_string(),
    }
}

/// A block's notes, label, how often it may appear, and what it holds.
pub fn block(path: &str, spec: &BlockSpec) -> String {
    let header = match spec.label {
        Some((meaning, _)) => format!("**`{path}`** `\"<{meaning}>\"` block"),
        None => format!("**`{path}`** block"),
    };
    let occurs = match spec.occurs {
        Occurs::ExactlyOnce => "exactly once",
        Occurs::AtMostOnce => "at most once",
        Occurs::Many => "any number",
    };
    let mut out = format!("{header} ({occurs})\n\n{}", capitalize(spec.doc));
    if !spec.attrs.is_empty() || !spec.blocks.is_empty() {
        out.push_str("\n\n");
    }
    for attr in spec.attrs {
        out.push_str(&format!("- `{}`: {}\n", attr.name, kind(attr)));
    }
    for child in spec.blocks {
        out.push_str(&format!("- `{}` block: {}\n", child.name, child.doc));
    }
    out.trim_end().to_string()
}

/// The explanation of each distinct code among `diagnostics`.
pub fn explain<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> Vec<String> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for d in diagnostics {
        if seen.contains(&d.code.id) {
            continue;
        }
        seen.push(d.code.id);
        out.push(format!(
            "**{}** `{}` ({})\n\n{}",
            d.code.id,
            d.code.name,
            d.severity.as_str(),
            d.code.explanation().trim_end()
        ));
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}
