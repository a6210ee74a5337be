//! Lowering hcl-edit's tree to literal data with spans, rejecting everything that computes.

use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::structure::{Body, Structure};
use hcl::edit::template::Element;
use hcl::edit::Span as _;

use crate::diagnostic::declare_code;
use crate::diagnostic::{Diagnostic, Sink};
use crate::diagnostic::{FileId, Span};

declare_code! {
    /// A value is not a literal.
    ///
    /// The rules dialect is data, not a program: a value is a number, a quoted string, `true`
    /// or `false`, or an array or object of those. Variables and references, function calls,
    /// operators, parentheses, conditionals, `for` expressions, splats, `${...}`
    /// interpolation, `%{...}` directives, heredocs and `null` are rejected, so what is
    /// reviewed is exactly what ships.
    ///
    /// Example:
    ///
    /// ```hcl
    /// base_rate = 6 * 2          # rejected: an operator
    /// base_rate = 12             # accepted
    /// ```
    ///
    /// Fix: write the value itself. A literal `${` in a string is written `$${`.
    pub static NON_LITERAL = ("D001", "non-literal-value", Error);
}

/// A number with the text it was written as, so "integer" can mean "written as an integer".
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    pub value: f64,
    pub int: Option<i64>,
    /// The text as written, kept only when it is not the integer's own decimal form: a ruleset
    /// holds hundreds of thousands of plain integers, and each would be one more allocation.
    written: Option<Box<str>>,
}

impl Num {
    pub fn new(value: f64, int: Option<i64>, repr: &str) -> Self {
        let plain = int.is_some_and(|i| is_decimal_form(repr) && repr.parse() == Ok(i));
        Num { value, int, written: (!plain).then(|| repr.into()) }
    }

    /// The number as it was written: `12`, `2.50`, `1e3`.
    pub fn repr(&self) -> std::borrow::Cow<'_, str> {
        match (&self.written, self.int) {
            (Some(text), _) => std::borrow::Cow::Borrowed(text),
            (None, Some(i)) => std::borrow::Cow::Owned(i.to_string()),
            (None, None) => std::borrow::Cow::Owned(self.value.to_string()),
        }
    }

    /// Whether the literal was written as a whole number (`12`, `-5`), not `12.0` or `1e3`.
    pub fn is_integer_literal(&self) -> bool {
        // Without `written`, the text is the integer's decimal form: no `.` and no exponent.
        self.int.is_some() && self.written.as_deref().is_none_or(|text| !text.contains(['.', 'e', 'E']))
    }
}

/// Whether `text` is how Rust writes an integer in decimal (`0`, `12`, `-5`; not `012`, `-0`,
/// `+5`): then keeping the integer keeps the text, without formatting it to compare.
fn is_decimal_form(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = digits == "0" && digits.len() == text.len() || !digits.starts_with('0');
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && canonical
}

/// A literal value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(Num),
    Str(String),
    Bool(bool),
    Array(Vec<(Value, Span)>),
    Object(Vec<(String, Span, Value, Span)>),
    /// Not a literal; already reported.
    Invalid,
}

impl Value {
    /// How a value is named in "expected X, found Y".
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Num(n) if n.is_integer_literal() => "an integer",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Invalid => "an invalid value",
        }
    }
}

/// A block with its spans: the identifier's, each label's, and the whole block's.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub ident: String,
    pub ident_span: Span,
    pub labels: Vec<(String, Span)>,
    pub body: Vec<Entry>,
    pub span: Span,
}

/// One attribute or block of a body.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Attribute { key: String, key_span: Span, value: Value, value_span: Span },
    Block(Block),
}

/// Lowers a parsed body. Nesting is bounded by the depth check before parsing (and the
/// parser's own limit of 64); a string, label or key over `max_string` bytes is reported and
/// left out (`L010`).
pub fn lower(file: FileId, body: &Body, max_string: usize, sink: &mut Sink) -> Vec<Entry> {
    lower_at(At { file, offset: 0 }, body, max_string, sink)
}

/// Where a parsed piece of a file sits: its file, and the byte offset the parser's spans are
/// relative to (a file parsed in pieces, see [`crate::parse::hcl_fold`]).
#[derive(Clone, Copy)]
pub(crate) struct At {
    pub file: FileId,
    pub offset: usize,
}

impl At {
    /// The parser's span moved into the file; a node without one (none the parser makes) is
    /// the file as a whole, as it always was.
    fn span(self, s: Option<std::ops::Range<usize>>) -> Span {
        Span::new(self.file, s.map_or(0..0, |r| r.start + self.offset..r.end + self.offset))
    }
}

/// [`lower`] for a body parsed from the piece of its file at `at.offset`.
pub(crate) fn lower_at(at: At, body: &Body, max_string: usize, sink: &mut Sink) -> Vec<Entry> {
    let span = |s| at.span(s);
    body.iter()
        .map(|structure| match structure {
            Structure::Attribute(attr) => Entry::Attribute {
                key: attr.key.as_str().to_string(),
                key_span: span(attr.key.span()),
                value: value(at, &attr.value, max_string, sink),
                value_span: span(attr.value.span()),
            },
            Structure::Block(block) => Entry::Block(Block {
                ident: block.ident.as_str().to_string(),
                ident_span: span(block.ident.span()),
                labels: block
                    .labels
                    .iter()
                    .map(|l| {
                        // Reported, and kept: without it the block would draw a wrong-labels error too.
                        crate::parse::too_long(span(l.span()), l.as_str(), max_string, sink);
                        (l.as_str().to_string(), span(l.span()))
                    })
                    .collect(),
                body: lower_at(at, &block.body, max_string, sink),
                span: span(block.span()),
            }),
        })
        .collect()
}

fn value(at: At, expr: &Expression, max_string: usize, sink: &mut Sink) -> Value {
    let span = |s| at.span(s);
    match expr {
        Expression::Number(n) => {
            let repr = n.as_repr().map_or_else(|| n.value().to_string(), |r| r.to_string());
            // hcl-edit's numbers are finite (`1e999` is a syntax error) and `as_f64` is always
            // `Some`; a NaN would still be out of every range (B001).
            let value = n.value().as_f64().unwrap_or(f64::NAN);
            Value::Num(Num::new(value, n.value().as_i64(), &repr))
        }
        Expression::String(s) if crate::parse::too_long(span(expr.span()), s.value(), max_string, sink) => {
            Value::Invalid
        }
        Expression::String(s) => Value::Str(s.value().to_string()),
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Array(items) => {
            Value::Array(items.iter().map(|item| (value(at, item, max_string, sink), span(item.span()))).collect())
        }
        Expression::Object(object) => Value::Object(
            object
                .iter()
                .filter_map(|(key, val)| {
                    let key_text = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                        ObjectKey::Expression(other) => {
                            reject(at, other, sink);
                            return None;
                        }
                    };
                    crate::parse::too_long(span(key.span()), &key_text, max_string, sink);
                    let val_expr = val.expr();
                    Some((key_text, span(key.span()), value(at, val_expr, max_string, sink), span(val_expr.span())))
                })
                .collect(),
        ),
        other => {
            reject(at, other, sink);
            Value::Invalid
        }
    }
}

/// Reports a non-literal expression at its exact span, saying what construct it is.
fn reject(at: At, expr: &Expression, sink: &mut Sink) {
    let (what, span, help) = describe(expr);
    let span = at.span(span);
    sink.push(
        Diagnostic::new(&NON_LITERAL, span, format!("{what} is not allowed: values must be literals"))
            .label(what)
            .help(help),
    );
}

fn describe(expr: &Expression) -> (String, Option<std::ops::Range<usize>>, String) {
    let compute = "compute the value and write the result as a literal".to_string();
    match expr {
        Expression::Null(_) => ("`null`".into(), expr.span(), "remove the attribute or give it a value".into()),
        Expression::StringTemplate(template) => {
            let element = template.iter().find(|e| !e.is_literal());
            let (what, span) = match element {
                Some(Element::Directive(d)) => ("a template directive `%{...}`", d.span()),
                Some(Element::Interpolation(i)) => ("template interpolation `${...}`", i.span()),
                _ => ("a string template", expr.span()),
            };
            (what.into(), span.or(expr.span()), "write the string literally; a literal `${` is written `$${`".into())
        }
        Expression::HeredocTemplate(_) => ("a heredoc".into(), expr.span(), "use a quoted string on one line".into()),
        Expression::Parenthesis(_) => {
            ("a parenthesised expression".into(), expr.span(), "remove the parentheses".into())
        }
        Expression::Variable(v) => (
            format!("the variable `{}`", v.as_str()),
            expr.span(),
            format!("if you meant the text, quote it: \"{}\"", v.as_str()),
        ),
        Expression::Conditional(_) => ("a conditional".into(), expr.span(), compute),
        Expression::FuncCall(call) => (format!("a call to `{}`", call.name.name.as_str()), expr.span(), compute),
        Expression::Traversal(t) => {
            let splat = t
                .operators
                .iter()
                .any(|op| matches!(op.value(), TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)));
            let what = if splat { "a splat expression" } else { "a reference" };
            (what.into(), expr.span(), "write the referenced value itself".into())
        }
        Expression::UnaryOp(op) => (format!("the operator `{}`", op.operator.value().as_str()), expr.span(), compute),
        Expression::BinaryOp(op) => (format!("the operator `{}`", op.operator.value().as_str()), expr.span(), compute),
        Expression::ForExpr(_) => ("a `for` expression".into(), expr.span(), "write out every element".into()),
        _ => ("this expression".into(), expr.span(), compute),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_keeps_its_text_unless_it_is_the_integers_own_decimal_form() {
        for (repr, int) in [
            ("0", Some(0)),
            ("12", Some(12)),
            ("-5", Some(-5)),
            ("9223372036854775807", Some(i64::MAX)),
            ("012", Some(12)),
            ("-0", Some(0)),
            ("+5", Some(5)),
            ("12.0", Some(12)),
            ("1e3", Some(1000)),
            ("00", Some(0)),
            ("-", None),
            ("2.5", None),
        ] {
            let num = Num::new(int.map_or(2.5, |i| i as f64), int, repr);
            let plain = int.is_some_and(|i| i.to_string() == repr);
            assert_eq!(num.written.is_none(), plain, "{repr}");
            assert_eq!(num.repr(), repr, "{repr}");
            let whole = int.is_some() && !repr.contains(['.', 'e', 'E']);
            assert_eq!(num.is_integer_literal(), whole, "{repr}");
        }
    }
}
