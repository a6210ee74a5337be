//! `--format json`: one object, `{"diagnostics": [...], "summary": {...}}`.

use serde_json::{json, Value};

use crate::diagnostic::{Diagnostic, Label};
use crate::report::{Position, Summary};
use crate::source::Sources;

pub fn render(diagnostics: &[Diagnostic], sources: &Sources, summary: Summary, extra: &[(&str, Value)]) -> String {
    let location = |label: &Label| {
        let p = Position::of(label.span, sources);
        json!({
            "file": p.file, "line": p.line, "column": p.column,
            "end_line": p.end_line, "end_column": p.end_column, "message": label.message,
        })
    };
    let items: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let p = Position::of(d.primary.span, sources);
            let mut item = json!({
                "severity": d.severity.as_str(),
                "code": d.code.id,
                "name": d.code.name,
                "message": d.message,
                "file": p.file, "line": p.line, "column": p.column,
                "end_line": p.end_line, "end_column": p.end_column,
                "help": d.help,
                "related": d.related.iter().map(location).collect::<Vec<_>>(),
            });
            if !d.environments.is_empty() {
                item["environments"] = json!(d.environments);
            }
            item
        })
        .collect();
    let mut report = json!({
        "diagnostics": items,
        "summary": { "errors": summary.errors, "warnings": summary.warnings, "files": summary.files },
    });
    if summary.hidden > 0 {
        report["summary"]["hidden"] = json!(summary.hidden);
    }
    if summary.not_kept > 0 {
        report["summary"]["not_kept"] = json!(summary.not_kept);
        report["summary"]["max_diagnostics"] = json!(summary.max_diagnostics);
    }
    if summary.not_printed > 0 {
        report["summary"]["not_printed"] = json!(summary.not_printed);
        report["summary"]["max_diagnostics"] = json!(summary.max_diagnostics);
    }
    for (key, value) in extra {
        report[*key] = value.clone();
    }
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}
