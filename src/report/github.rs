//! `--format github`: GitHub Actions workflow commands, one annotation per diagnostic.

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{human::summary_line, Position, Summary};
use crate::source::Sources;

/// Escapes a command's message: `%`, CR and LF, as GitHub's runner requires.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: the message escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(diagnostics: &[Diagnostic], sources: &Sources, summary: Option<Summary>) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let p = Position::of(d.primary.span, sources);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let message = match &d.help {
            Some(help) => format!("{}\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&p.file),
            p.line,
            p.column,
            p.end_line,
            p.end_column,
            escape_property(&format!("{} {}", d.code.id, d.code.name)),
            escape_data(&message)
        ));
    }
    if let Some(summary) = summary {
        out.push_str(&summary_line(summary));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_requires() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
