//! `--format sarif`: SARIF 2.1.0 for code scanning, one rule per diagnostic code.

use serde_json::{json, Value};

use crate::codes;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::report::{Position, Summary};
use crate::source::Sources;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A physical location relative to the repository root (`SRCROOT`); columns count characters.
fn location(label: &Label, sources: &Sources) -> Value {
    let p = Position::of(label.span, sources);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": p.file, "uriBaseId": "SRCROOT" },
            "region": { "startLine": p.line, "startColumn": p.column, "endLine": p.end_line, "endColumn": p.end_column },
        }
    })
}

pub fn render(diagnostics: &[Diagnostic], sources: &Sources, summary: Summary) -> String {
    let all = codes::all();
    let rules: Vec<Value> = all
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.explanation().trim_end() },
                "help": { "text": c.explanation().trim_end() },
                "defaultConfiguration": { "level": level(c.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let text = match &d.help {
                Some(help) => format!("{}\nhelp: {help}", d.message),
                None => d.message.clone(),
            };
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(l, sources);
                    loc["id"] = json!(i + 1);
                    loc["message"] = json!({ "text": l.message.clone().unwrap_or_default() });
                    loc
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code.id,
                "ruleIndex": all.iter().position(|c| c.id == d.code.id).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [location(&d.primary, sources)],
            });
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "rulesctl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    if summary.not_printed > 0 {
        // A property bag, as SARIF allows on any object: the results are not all of them.
        log["runs"][0]["properties"] = json!({
            "notPrinted": summary.not_printed,
            "maxDiagnostics": summary.max_diagnostics,
        });
    }
    if summary.not_kept > 0 {
        log["runs"][0]["properties"]["notKept"] = json!(summary.not_kept);
        log["runs"][0]["properties"]["maxDiagnostics"] = json!(summary.max_diagnostics);
    }
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}
