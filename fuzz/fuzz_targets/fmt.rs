//! `fmt`: formatting is idempotent (formatting the output again changes nothing), it changes
//! nothing but layout (the same diagnostics by code and, for valid rules, the same compiled
//! digest), and a file it cannot format is reported with a diagnostic, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rulesctl::format::{format, Error};
use rulesctl::pipeline::{analyze, Analysis};
use rulesctl::diagnostic::FileId;
use rulesctl::source::decode;
use rulesctl_fuzz::MemoryTree;

fn analysis(text: &str) -> Analysis {
    analyze(&MemoryTree::default().with("rules/input.hcl", text), None)
}

fn codes(analysis: &Analysis) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = analysis.diagnostics.iter().map(|d| d.code.id).collect();
    codes.sort_unstable();
    codes
}

fuzz_target!(|data: &[u8]| {
    // As `rulesctl fmt` reads a file: BOM and CRLF removed; not UTF-8 or a NUL is not formatted.
    let Ok(text) = decode(FileId::new(0), data.to_vec()) else { return };
    let once = match format(&text) {
        Ok(once) => once,
        Err(Error::Syntax(_) | Error::TooDeep(_)) => return,
        Err(Error::WouldChangeText) => panic!("fmt refused (F001, \"a bug in rulesctl fmt\") a file that parses"),
    };
    match format(&once) {
        Ok(twice) => assert!(twice == once, "formatting twice differs from formatting once:\n{once}\n---\n{twice}"),
        Err(Error::Syntax(err)) => panic!("formatted output does not parse: {}\n{once}", err.message()),
        Err(Error::TooDeep(_)) => panic!("formatted output nests deeper than its input:\n{once}"),
        Err(Error::WouldChangeText) => panic!("fmt refused its own output:\n{once}"),
    }
    let (before, after) = (analysis(&text), analysis(&once));
    assert_eq!(codes(&before), codes(&after), "formatting changed the diagnostics:\n{once}");
    if before.errors() == 0 {
        let digest = |a: &Analysis| a.compiled().map(|c| c.digest.clone());
        assert_eq!(digest(&before), digest(&after), "formatting changed the ruleset's digest:\n{once}");
    }
});
