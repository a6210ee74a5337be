//! `rulesctl verify FILE...`: every file `build` writes, several at once (a shell glob over
//! `dist/` takes them all), each recognised by what it is: an artifact (digest, Merkle tree, and
//! the `.sha256` file and provenance statement beside it), a `.sha256` file, a provenance
//! statement, a Rust or WebAssembly module. One line per file, as `sha256sum -c` prints; exit 0
//! only when every file passes.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::artifact::compiled::MAX_ARTIFACT_BYTES;
use crate::artifact::provenance::Summary;
use crate::cli::{Globals, VerifyArgs};
use crate::commands::Outcome;
use crate::diagnostic::{exit_status, Diagnostic};
use crate::error::Error;
use crate::io::{read_limited, ReadError};
use crate::report::Extra;
use crate::source::Sources;
use crate::verify::{self, Proof, Sibling, Verified};

/// # Errors
///
/// When a file named on the command line cannot be read at all.
pub fn run(args: VerifyArgs, globals: &Globals) -> Result<Outcome, Error> {
    let mut sources = Sources::default();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut extra = Extra::default();
    let mut files = Vec::new();
    let mut failed = false;
    let paths = expand(&args.files);
    if paths.is_empty() {
        // A folder `build` wrote nothing to verify in: a values-only project's dist/ holds
        // rendered values alone, which have no digest of their own.
        let shown: Vec<String> = args.files.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        extra.lines.push(format!(
            "nothing to verify in {}: no ruleset-* file (a values-only project writes none)",
            shown.join(", ")
        ));
    }
    for path in &paths {
        let shown = path.to_string_lossy().into_owned();
        let bytes = read_limited(path, MAX_ARTIFACT_BYTES).map_err(|err| Error::Input(err.describe(&shown)))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let beside = |other: &str| sibling(path, other);
        let verified = verify::file(&shown, &name, bytes, &beside);
        failed |= verified.ok.is_none();
        let errors = verified.diagnostics.len();
        join(&mut sources, &mut diagnostics, &verified);
        let (line, mut entry) = describe(&shown, &verified, errors);
        extra.lines.extend(line);
        entry["path"] = json!(shown);
        entry["kind"] = json!(verified.kind.id());
        files.push(entry);
    }
    extra.json.push(("files", Value::Array(files)));
    let code = exit_status(&diagnostics, true).max(u8::from(failed));
    Ok(Outcome::report(globals.view(), &diagnostics, &sources, paths.len(), &extra, code))
}

/// The files to verify: each FILE as given, and for a folder (`rulesctl verify dist`) every
/// `ruleset-*` file `build` writes directly in it, so a CI step need not know which targets were
/// built, nor glob over a folder that may hold none.
fn expand(given: &[PathBuf]) -> Vec<PathBuf> {
    let built = |name: &str| {
        name.starts_with("ruleset-")
            && [".json", ".sha256", ".rs", ".wasm"].iter().any(|ext| name.ends_with(ext))
            && !name.contains(".tmp")
    };
    given
        .iter()
        .flat_map(|path| match crate::io::files_in(path) {
            Some(names) => names.into_iter().filter(|n| built(n)).map(|n| path.join(n)).collect(),
            None => vec![path.clone()],
        })
        .collect()
}

/// The file `name` beside `path`, as [`verify`] reads it.
fn sibling(path: &Path, name: &str) -> Sibling {
    let other = path.with_file_name(name);
    let shown = other.to_string_lossy().into_owned();
    let bytes = match read_limited(&other, MAX_ARTIFACT_BYTES) {
        Ok(bytes) => Some(Ok(bytes)),
        Err(ReadError::Missing) => None,
        Err(err) => Some(Err(err.describe(&shown))),
    };
    Sibling { shown, bytes }
}

/// Adds one file's findings to the report. A fact two files share (an artifact's `.sha256` line
/// is checked with the artifact and again as the `.sha256` file; a statement's subject with its
/// artifact and with the statement) is reported once: the same code, at the same place, saying
/// the same thing.
fn join(sources: &mut Sources, diagnostics: &mut Vec<Diagnostic>, verified: &Verified) {
    let shift = sources.append(&verified.sources, str::to_string);
    for mut diagnostic in verified.diagnostics.iter().cloned() {
        diagnostic.shift_files(shift);
        let key = |d: &Diagnostic| {
            (d.code.id, sources.get(d.primary.span.file).path.clone(), d.primary.span.range(), d.message.clone())
        };
        let new = key(&diagnostic);
        if !diagnostics.iter().any(|d| key(d) == new) {
            diagnostics.push(diagnostic);
        }
    }
}

/// The human line (and, for an artifact with a statement beside it, a second one) and the JSON
/// entry for one verified file.
fn describe(shown: &str, verified: &Verified, errors: usize) -> (Vec<String>, Value) {
    let Some(proof) = &verified.ok else {
        let plural = if errors == 1 { "" } else { "s" };
        return (
            vec![format!("FAILED {shown}: {errors} error{plural}")],
            json!({ "status": "failed", "errors": errors }),
        );
    };
    match proof {
        Proof::Ruleset { digest, root, sections, provenance } => {
            let mut lines = vec![format!("verified {shown}: {sections} sections, digest {digest}, root {root}")];
            let mut entry = json!({ "status": "verified", "digest": digest, "root": root, "sections": sections });
            if let Some((statement, summary)) = provenance {
                lines.push(format!("provenance {statement} matches: {}", built(summary)));
                entry["provenance"] = summary_json(summary);
                entry["provenance"]["path"] = json!(statement);
            }
            (lines, entry)
        }
        Proof::Checksums(names) => (
            vec![format!(
                "verified {shown}: {} ({})",
                count(names.len(), "file matches", "files match"),
                names.join(", ")
            )],
            json!({ "status": "verified", "names": names }),
        ),
        Proof::Statement { subjects, summary } => {
            let line = format!(
                "verified {shown}: {} ({}); {}",
                count(subjects.len(), "subject matches", "subjects match"),
                subjects.join(", "),
                built(summary)
            );
            let mut entry = summary_json(summary);
            entry["status"] = json!("verified");
            entry["subjects"] = json!(subjects);
            (vec![line], entry)
        }
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a statement says of the build, in words.
fn built(summary: &Summary) -> String {
    let source = match (&summary.commit, summary.dirty) {
        (Some(commit), Some(dirty)) => {
            format!("commit {commit}{}", if dirty { ", with uncommitted changes" } else { "" })
        }
        (None, Some(_)) => "no commit yet".to_string(),
        _ => "outside git".to_string(),
    };
    format!("{} source files, {source}, rulesctl {}", summary.sources, summary.rulesctl.as_deref().unwrap_or("unknown"))
}

fn summary_json(summary: &Summary) -> Value {
    json!({
        "commit": summary.commit,
        "dirty": summary.dirty,
        "rulesctl": summary.rulesctl,
        "sources": summary.sources,
    })
}
