//! `rules`: a repository whose one rule file is the input, through the real analysis (decode,
//! parse, lower, check), every report format, and, when the rules are valid, the build: the
//! artifact and the Rust module must both verify, and the two compile paths must agree.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::artifact::compiled::{file_name, ruleset_value, Compiled};
use rulesctl::pipeline::analyze;
use rulesctl::verify::{self, Sibling};
use rulesctl_fuzz::{check_report, MemoryTree};

fuzz_target!(|data: &[u8]| {
    let tree = MemoryTree::default().with("rules/input.hcl", data);
    let analysis = analyze(&tree, None);
    check_report(&analysis.diagnostics, &analysis.sources, analysis.files);
    if analysis.errors() > 0 {
        return;
    }
    let compiled = analysis.compiled().expect("a ruleset without errors compiles");
    let value = ruleset_value(&analysis.ruleset).expect("a ruleset without errors has a JSON value");
    assert!(Compiled::new(value) == *compiled, "the two compile paths disagree");
    // Nothing beside them: no `.sha256`, no statement.
    let beside = |other: &str| Sibling { shown: other.to_string(), bytes: None };
    let name = file_name(compiled.version());
    let verified = verify::file(&name, &name, compiled.artifact_text().into_bytes(), &beside);
    assert!(verified.ok.is_some(), "a fresh artifact does not verify: {:?}", verified.diagnostics);
    let module = rulesctl::codegen::rust::module(compiled).expect("a ruleset without errors fits the Rust module");
    let name = rulesctl::codegen::rust::file_name(compiled.version());
    let verified = verify::file(&name, &name, module.into_bytes(), &beside);
    assert!(verified.ok.is_some(), "a fresh Rust module does not verify: {:?}", verified.diagnostics);
});
