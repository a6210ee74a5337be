//! Stable diagnostic codes and the macro that keeps each code's documentation next to its check.

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What kind of failure a code stands for, which decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The input is readable but wrong: exit 1.
    Invalid,
    /// The input could not be read at all: exit 2.
    Unreadable,
}

/// A stable diagnostic code. Its `doc` is the doc comment written where it is declared, so
/// `rulesctl explain` can never drift from the code that emits it.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub class: Class,
    pub doc: &'static str,
}

impl Code {
    /// The first line of the documentation: one sentence saying what is wrong.
    pub fn summary(&self) -> &'static str {
        self.doc.lines().next().unwrap_or_default().trim()
    }

    /// The documentation with rustdoc's leading space removed from each line.
    pub fn explanation(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// Declares a diagnostic code whose `///` comment becomes its `rulesctl explain` text.
///
/// The first line of the comment is the summary; the rest should say why it matters, show an
/// example and say how to fix it. Used through `crate::diagnostic::declare_code`, so a module
/// that declares codes imports the layer below it, never the crate root.
macro_rules! declare_code {
    (
        $(#[doc = $doc:literal])+
        $vis:vis static $ident:ident = ($id:literal, $name:literal, $severity:ident $(, $class:ident)?);
    ) => {
        $(#[doc = $doc])+
        $vis static $ident: $crate::diagnostic::Code = $crate::diagnostic::Code {
            id: $id,
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            class: $crate::diagnostic::declare_code!(@class $($class)?),
            doc: concat!($($doc, "\n"),+),
        };
    };
    (@class) => { $crate::diagnostic::code::Class::Invalid };
    (@class $class:ident) => { $crate::diagnostic::code::Class::$class };
}
pub(crate) use declare_code;
