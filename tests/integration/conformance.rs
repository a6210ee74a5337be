//! The conformance corpus, `tests/fixtures/conformance/`: hundreds of HCL inputs (from the HCL
//! native syntax specification, the layouts terraform's formatter is tested on, rulesctl's own
//! dialect, syntax errors and mutations of a ruleset; `generate.py` writes them) and the YAML 1.2
//! specification's examples with the YAML test suite's error cases (`extract_yaml.py`).
//!
//! Over every file, in every role it can play (a rule file, the project file, `values.yaml`, an
//! environment): `check` and `fmt` never crash (exit 0, 1 or 2), print JSON that parses, and every
//! position they print lies within its file; `fmt` never refuses a file (F001), agrees with
//! `fmt -`, and a second run changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{run_stdin, Repo, Run};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/conformance");

/// The corpus files of one kind, as (file name, bytes), in name order.
fn corpus(kind: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(Path::new(CORPUS).join(kind))
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == kind))
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (name, std::fs::read(&p).expect("read corpus file"))
        })
        .collect();
    files.sort();
    files
}

/// The length in characters of each line of a file as rulesctl positions it (a byte-order mark
/// dropped, CRLF read as LF). The text after the last newline is a line too, even when empty:
/// the end of the file is a place a diagnostic may point at.
fn line_lengths(bytes: &[u8]) -> Vec<usize> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    text.split('\n').map(|l| l.chars().count()).collect()
}

/// What is wrong with one run: a crash, output that is not JSON, a position outside its file.
/// `files` maps each path the run may name to its line lengths.
fn problems(what: &str, run: &Run, report: &str, files: &BTreeMap<String, Vec<usize>>) -> Vec<String> {
    let mut out = Vec::new();
    if !(0..=2).contains(&run.code) {
        out.push(format!("{what}: exit {} (a crash)\nstderr: {}", run.code, run.stderr));
        return out;
    }
    let json: serde_json::Value = match serde_json::from_str(report) {
        Ok(json) => json,
        Err(e) => {
            out.push(format!("{what}: the report is not JSON ({e}):\n{report}\nstderr: {}", run.stderr));
            return out;
        }
    };
    for d in json["diagnostics"].as_array().into_iter().flatten() {
        let labels = std::iter::once(d).chain(d["related"].as_array().into_iter().flatten());
        for label in labels {
            let file = label["file"].as_str().unwrap_or_default();
            let at = |key: &str| label[key].as_u64().unwrap_or(0) as usize;
            let (line, column, end_line, end_column) = (at("line"), at("column"), at("end_line"), at("end_column"));
            let place = format!("{what}: {} {file}:{line}:{column}-{end_line}:{end_column}", d["code"]);
            if line == 0 || column == 0 || (end_line, end_column) < (line, column) {
                out.push(format!("{place}: not a forward range of 1-based positions"));
                continue;
            }
            let Some(lengths) = files.get(file) else { continue };
            for (l, c) in [(line, column), (end_line, end_column)] {
                match lengths.get(l - 1) {
                    None => out.push(format!("{place}: line {l} of {}", lengths.len())),
                    Some(len) if c > len + 1 => out.push(format!("{place}: column {c} of a {len}-character line")),
                    Some(_) => {}
                }
            }
        }
    }
    out
}

/// The same for the human report: each snippet's `[path:line:column]` header lies in its file.
fn header_problems(what: &str, human: &str, files: &BTreeMap<String, Vec<usize>>) -> Vec<String> {
    let mut out = Vec::new();
    for header in human.split("\u{256d}\u{2500}[").skip(1).filter_map(|rest| rest.split(']').next()) {
        let mut parts = header.rsplitn(3, ':');
        let (Some(column), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
            out.push(format!("{what}: a header without a position: [{header}]"));
            continue;
        };
        let (Ok(line), Ok(column)) = (line.parse::<usize>(), column.parse::<usize>()) else {
            out.push(format!("{what}: a header without a position: [{header}]"));
            continue;
        };
        let Some(lengths) = files.get(file) else { continue };
        match lengths.get(line.wrapping_sub(1)) {
            Some(len) if column >= 1 && column <= len + 1 => {}
            Some(len) => out.push(format!("{what}: [{header}]: column {column} of a {len}-character line")),
            None => out.push(format!("{what}: [{header}]: line {line} of {}", lengths.len())),
        }
    }
    out
}

fn codes_of(report: &str) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(report).unwrap_or_default();
    json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (d["file"].as_str().unwrap_or_default().to_string(), d["code"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn assert_none(found: Vec<String>) {
    assert!(found.is_empty(), "{} problem(s):\n{}", found.len(), found.join("\n"));
}

#[test]
fn the_corpus_is_a_few_hundred_files_of_each_kind() {
    let hcl = corpus("hcl");
    let yaml = corpus("yaml");
    assert!(hcl.len() >= 300, "{} HCL files", hcl.len());
    assert!(yaml.len() >= 200, "{} YAML files", yaml.len());
    for prefix in ["spec-", "tf-", "own-", "bad-", "cut-", "drop-", "ins-"] {
        assert!(hcl.iter().filter(|(n, _)| n.starts_with(prefix)).count() >= 10, "few {prefix} files");
    }
    assert!(yaml.iter().filter(|(n, _)| n.starts_with("spec-")).count() >= 100);
    assert!(Path::new(CORPUS).join("yaml/LICENSE").exists() && Path::new(CORPUS).join("yaml/SOURCE.md").exists());
}

/// Every HCL file as a rule file, all in one repository (check reports per file): check and fmt
/// never crash and point inside the files, fmt never refuses, and fmt's result is stable.
#[test]
fn hcl_as_rule_files_check_and_fmt_hold() {
    let files = corpus("hcl");
    let repo = Repo::empty();
    let mut lengths = BTreeMap::new();
    for (name, bytes) in &files {
        repo.write(&format!("rules/{name}"), bytes);
        lengths.insert(format!("rules/{name}"), line_lengths(bytes));
    }
    let check = repo.run(&["check", "--format", "json"]);
    let mut found = problems("check", &check, &check.stdout, &lengths);
    let human = repo.run(&["check"]);
    found.extend(header_problems("check (human)", &human.stdout, &lengths));
    if !(0..=2).contains(&check.code) {
        // Name the files that crash it, one at a time.
        for (name, bytes) in &files {
            let alone = Repo::empty();
            alone.write(&format!("rules/{name}"), bytes);
            let run = alone.run(&["check", "--format", "json"]);
            found.extend(problems(&format!("check {name}"), &run, &run.stdout, &lengths));
        }
    }
    let syntax: Vec<String> =
        codes_of(&check.stdout).into_iter().filter(|(_, code)| code == "S001").map(|(file, _)| file).collect();
    assert!(syntax.len() > 100, "the corpus has syntax errors to point at: {}", syntax.len());

    let dry = repo.run(&["fmt", "--check", "--format", "json"]);
    found.extend(problems("fmt --check", &dry, &dry.stdout, &lengths));
    for (file, code) in codes_of(&dry.stdout) {
        if code == "F001" {
            let check_said = if syntax.contains(&file) { "S001" } else { "no syntax error" };
            found.push(format!("fmt refused {file} (check: {check_said})"));
        } else if code != "S001" && code != "S002" && !code.starts_with('L') {
            found.push(format!("fmt reported {code} on {file}"));
        }
    }
    assert_none(found);

    // `fmt -` gives what `fmt` writes, file by file.
    let mut found = Vec::new();
    let mut formatted = BTreeMap::new();
    for (name, bytes) in &files {
        let run = run_stdin(repo.path(), &["fmt", "-", "--format", "json"], bytes);
        let report = if run.stderr.is_empty() { "{\"diagnostics\": []}" } else { run.stderr.as_str() };
        let own = BTreeMap::from([("<stdin>".to_string(), line_lengths(bytes))]);
        found.extend(problems(&format!("fmt - < {name}"), &run, report, &own));
        if run.code == 0 {
            formatted.insert(format!("rules/{name}"), run.stdout);
        }
    }
    let wrote = repo.run(&["fmt", "--format", "json"]);
    found.extend(problems("fmt", &wrote, &wrote.stdout, &lengths));
    for (name, _) in &files {
        let rel = format!("rules/{name}");
        if let Some(piped) = formatted.get(&rel) {
            let written = std::fs::read(repo.path().join(&rel)).unwrap_or_default();
            if written != piped.as_bytes() {
                found.push(format!("{rel}: `fmt -` and `fmt` disagree"));
            }
        }
    }
    let again = repo.run(&["fmt", "--check", "--format", "json"]);
    let changed = serde_json::from_str::<serde_json::Value>(&again.stdout).unwrap_or_default()["changed"].clone();
    if changed != serde_json::json!([]) {
        found.push(format!("fmt is not idempotent on {changed}"));
    }
    assert!(formatted.len() > 150, "most of the corpus parses: {}", formatted.len());
    assert_none(found);
}

/// Every HCL file as the project file `rulesctl.hcl` of a valid repository.
#[test]
fn hcl_as_the_project_file_check_holds() {
    let repo = Repo::base();
    let mut found = Vec::new();
    for (name, bytes) in corpus("hcl") {
        repo.write("rulesctl.hcl", &bytes);
        let lengths = BTreeMap::from([("rulesctl.hcl".to_string(), line_lengths(&bytes))]);
        let run = repo.run(&["check", "--format", "json"]);
        found.extend(problems(&format!("check with rulesctl.hcl = {name}"), &run, &run.stdout, &lengths));
    }
    assert_none(found);
}

/// Every YAML file as `values.yaml` of the Helm fixture (its chart schema applies).
#[test]
fn yaml_as_values_check_holds() {
    let repo = Repo::helm();
    let mut found = Vec::new();
    for (name, bytes) in corpus("yaml") {
        repo.write("values.yaml", &bytes);
        let lengths = BTreeMap::from([("values.yaml".to_string(), line_lengths(&bytes))]);
        let run = repo.run(&["check", "--format", "json"]);
        found.extend(problems(&format!("check with values.yaml = {name}"), &run, &run.stdout, &lengths));
    }
    assert_none(found);
}

/// Every YAML file as an environment, all in one repository.
#[test]
fn yaml_as_environments_check_holds() {
    let repo = Repo::helm();
    let mut lengths = BTreeMap::new();
    for (name, bytes) in corpus("yaml") {
        let rel = format!("environments/{}", name.to_lowercase());
        repo.write(&rel, &bytes);
        lengths.insert(rel, line_lengths(&bytes));
    }
    let run = repo.run(&["check", "--format", "json"]);
    let mut found = problems("check with every environment", &run, &run.stdout, &lengths);
    found.extend(header_problems("check with every environment (human)", &repo.run(&["check"]).stdout, &lengths));
    assert_none(found);
    assert!(codes_of(&run.stdout).len() > 100, "the environments are judged");
}
