//! Typed models of the inputs; every value keeps the span it was written at.

pub mod chart;
pub mod credentials;
pub mod declared;
pub mod decode;
pub mod deploy;
pub mod dialect;
pub mod near;
pub mod project;
pub mod quantity;
pub mod ruleset;
pub mod schema_refs;
pub mod schema_type;
pub mod secrets;
pub mod token_shapes;
pub mod values;

use crate::diagnostic::Span;

/// The codes this layer declares: shapes the typed model cannot take.
pub static CODES: &[&crate::diagnostic::Code] = &[
    &decode::UNKNOWN_BLOCK,
    &decode::UNKNOWN_ATTRIBUTE,
    &decode::WRONG_LABELS,
    &decode::WRONG_TYPE,
    &decode::MISSING_ATTRIBUTE,
    &decode::INVALID_FORMAT,
    &decode::REPEATED_BLOCK,
    &deploy::SCHEMA,
    &deploy::SCHEMA_UNUSABLE,
];

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}
