//! Typed models of the inputs; every value keeps the span it was written at.

pub mod decode;
pub mod deploy;
pub mod dialect;
pub mod project;
pub mod quantity;
pub mod ruleset;
pub mod values;

use crate::source::Span;

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
