//! `rulesctl verify ARTIFACT`: recompute an artifact's digest, Merkle leaves and root, and
//! compare with the `.sha256` file and the provenance statement beside it when there are; or,
//! for a `.rs` module from `build --emit rust`, prove its digest and data from its own
//! `CANONICAL`; or, for a `.wasm` module from `build --emit wasm`, rebuild it from the canonical
//! bytes in its data and compare.

use std::path::PathBuf;

use serde_json::json;

use crate::artifact::compiled::MAX_ARTIFACT_BYTES;
use crate::artifact::provenance;
use crate::cli::{Globals, VerifyArgs};
use crate::commands::Outcome;
use crate::diagnostic::exit_status;
use crate::error::Error;
use crate::io::{read_limited, read_text};
use crate::report::Extra;
use crate::verify::{self, Beside};

/// A `.sha256` file holds one line; anything much longer is not one.
const MAX_CHECKSUM_BYTES: u64 = 64 * 1024;
/// A provenance statement lists the rule files; this is far beyond any real one.
const MAX_STATEMENT_BYTES: u64 = 16 * 1024 * 1024;

/// # Errors
///
/// When the artifact cannot be read at all.
pub fn run(args: VerifyArgs, globals: &Globals) -> Result<Outcome, Error> {
    let path = &args.artifact;
    let display = path.to_string_lossy();
    let bytes = read_limited(path, MAX_ARTIFACT_BYTES).map_err(|err| Error::Input(err.describe(&display)))?;

    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let verified = if path.extension().is_some_and(|e| e == "rs") {
        verify::module(&display, &file_name, bytes)
    } else if path.extension().is_some_and(|e| e == "wasm") {
        verify::wasm_module(&display, &file_name, bytes)
    } else {
        let mut sums = path.as_os_str().to_owned();
        sums.push(".sha256");
        let checksum = read_text(&PathBuf::from(sums), MAX_CHECKSUM_BYTES);
        let statement_path = path.with_file_name(provenance::beside(&file_name));
        let statement_shown = statement_path.to_string_lossy().into_owned();
        let statement = read_limited(&statement_path, MAX_STATEMENT_BYTES).ok();
        let beside = Beside {
            checksum: checksum.as_deref(),
            statement: statement.map(|bytes| (statement_shown.as_str(), bytes)),
        };
        verify::verify(&display, &file_name, bytes, beside)
    };
    let mut extra = Extra::default();
    if let Some(proof) = &verified.ok {
        extra.lines.push(format!(
            "verified {}: {} sections, digest {}, root {}",
            path.display(),
            proof.sections,
            proof.digest,
            proof.root
        ));
        let mut verified = json!({ "digest": proof.digest, "root": proof.root, "sections": proof.sections });
        if let Some((shown, summary)) = &proof.provenance {
            let source = match (&summary.commit, summary.dirty) {
                (Some(commit), Some(dirty)) => {
                    format!("commit {commit}{}", if dirty { ", with uncommitted changes" } else { "" })
                }
                (None, Some(_)) => "no commit yet".to_string(),
                _ => "outside git".to_string(),
            };
            extra.lines.push(format!(
                "provenance {shown} matches: {} source files, {source}, rulesctl {}",
                summary.sources,
                summary.rulesctl.as_deref().unwrap_or("unknown")
            ));
            verified["provenance"] = json!({
                "path": shown,
                "commit": summary.commit,
                "dirty": summary.dirty,
                "rulesctl": summary.rulesctl,
                "sources": summary.sources,
            });
        }
        extra.json.push(("verified", verified));
    }
    let code = exit_status(&verified.diagnostics, true).max(u8::from(verified.ok.is_none()));
    Ok(Outcome::report(globals.view(), &verified.diagnostics, &verified.sources, 1, &extra, code))
}
