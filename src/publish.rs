//! Writing what a build produces under `dist/`: the immutable artifact, its checksum, its
//! provenance statement and each environment's rendered values. Every write is atomic (`io::write_atomic`), and an unchanged
//! file is left untouched.

use std::path::{Path, PathBuf};

use crate::artifact::compiled::{file_name, provenance_file_name, Compiled, MAX_ARTIFACT_BYTES};
use crate::artifact::locate::Located;
use crate::codegen::{rust, wasm};
use crate::diagnostic::declare_code;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Span;
use crate::hash;
use crate::io::{clean_stale_temps, create_dir_all, read_limited, resolves_inside, write_atomic, write_if_changed};
use crate::source::rules::SYMLINK_OUTSIDE;
use crate::source::Sources;

declare_code! {
    /// An artifact of this version already exists with a different ruleset.
    ///
    /// Artifacts are immutable: once `ruleset-v2.4.1.json` is built, v2.4.1 means exactly that
    /// ruleset everywhere it was deployed. Changing the rules without changing the version would
    /// give two different rulesets one name. Rebuilding an unchanged ruleset is a no-op.
    ///
    /// Fix: raise `ruleset_version` (for example v2.4.1 → v2.4.2), then build again.
    pub static VERSION_EXISTS = ("A001", "artifact-version-exists", Error);
}

declare_code! {
    /// An output file could not be written.
    ///
    /// The operating system refused to create the output folder or write a file in it (a
    /// read-only file system, permissions, a full disk). Nothing was replaced: every file is
    /// written to a temporary file first and renamed into place only when complete.
    ///
    /// Fix: make the `dist` folder writable, or point `paths { dist = ... }` elsewhere.
    pub static WRITE_FAILED = ("A002", "write-failed", Error, Unreadable);
}

/// The codes this module declares.
pub static CODES: &[&crate::diagnostic::Code] = &[&VERSION_EXISTS, &WRITE_FAILED];

/// What happened to one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub written: bool,
    pub digest: String,
}

/// Writes `text`, the artifact of `compiled`, to `<dist>/ruleset-<version>.json` unless one of
/// that version exists: one of another ruleset is refused with A001 at `version` (the span of
/// `ruleset_version`); one of this ruleset is left untouched when it holds exactly `text`, and
/// otherwise (written by an older rulesctl, with a `provenance` key) rewritten to `text`, whose
/// digest is the same. Then makes sure the `.sha256` file matches: `sha256` is `text`'s hash in
/// hex, which the caller has already computed for the provenance statement.
///
/// # Errors
///
/// The A001 refusal, or A002 when a file cannot be written; files read along the way are added
/// to `sources` so the diagnostic can show them.
pub fn artifact(
    root: &Path,
    dist: &str,
    text: &str,
    sha256: &str,
    compiled: &Compiled,
    version: Option<Span>,
    sources: &mut Sources,
) -> Result<Vec<Output>, Box<Diagnostic>> {
    let name = file_name(compiled.version());
    let rel = format!("{dist}/{name}");
    let sums_rel = format!("{rel}.sha256");
    let path = output_path(root, dist, &rel, sources)?;
    let sums_path = output_path(root, dist, &sums_rel, sources)?;
    let dir = root.join(dist);
    create_dir_all(&dir).map_err(|e| write_failed(sources, dist, &e))?;
    clean_stale_temps(&dir);
    let existing = read_limited(&path, MAX_ARTIFACT_BYTES).ok().and_then(|b| String::from_utf8(b).ok());
    // The same bytes are the common case (an unchanged rebuild): only a different file is read
    // as JSON, to compare digests and point at the old one.
    if let Some(old) = existing.as_ref().filter(|old| old.as_str() != text) {
        refuse_if_different(&rel, old.clone(), compiled, version, sources)?;
    }
    let written = existing.as_deref() != Some(text);
    if written {
        write_atomic(&path, text.as_bytes()).map_err(|e| write_failed(sources, &rel, &e))?;
    }
    let checksum = checksum_line_of(&name, sha256);
    let sums_written =
        write_if_changed(&sums_path, checksum.as_bytes()).map_err(|e| write_failed(sources, &sums_rel, &e))?;
    let digest = compiled.digest.clone();
    Ok(vec![
        Output { path: rel, written, digest: digest.clone() },
        Output { path: sums_rel, written: sums_written, digest },
    ])
}

/// Writes `text`, the provenance statement of the artifact of `compiled`, beside it as
/// `<dist>/ruleset-<version>.provenance.json`; an unchanged statement is left untouched. The
/// statement describes the latest build of the artifact, which never changes the artifact.
///
/// # Errors
///
/// A002 when it cannot be written.
pub fn provenance(
    root: &Path,
    dist: &str,
    text: &str,
    compiled: &Compiled,
    sources: &mut Sources,
) -> Result<Output, Box<Diagnostic>> {
    let rel = format!("{dist}/{}", provenance_file_name(compiled.version()));
    let path = output_path(root, dist, &rel, sources)?;
    let written = write_if_changed(&path, text.as_bytes()).map_err(|e| write_failed(sources, &rel, &e))?;
    Ok(Output { path: rel, written, digest: compiled.digest.clone() })
}

/// Refuses (A001) when `dist` already holds a Rust module of this version with another ruleset,
/// whether or not this build emits one: the JSON artifact and the module of one version must
/// never describe two rulesets. Runs before anything is written. A module with the same digest
/// is left as it is, as the JSON artifact is.
///
/// # Errors
///
/// The A001 refusal.
pub fn refuse_module_if_different(
    root: &Path,
    dist: &str,
    compiled: &Compiled,
    version: Option<Span>,
    sources: &mut Sources,
) -> Result<(), Box<Diagnostic>> {
    refuse_wasm_if_different(root, dist, compiled, version, sources)?;
    let rel = format!("{dist}/{}", rust::file_name(compiled.version()));
    let Some(old) = existing(root, &rel) else { return Ok(()) };
    let recorded = rust::read::digest(&old).map(|(digest, span)| (digest.to_string(), span));
    if recorded.as_ref().is_some_and(|(digest, _)| *digest == compiled.digest) {
        return Ok(());
    }
    let message = format!(
        "{rel} already exists with a different ruleset: it has {}, these rules are {}",
        recorded.as_ref().map_or("no valid DIGEST", |(d, _)| d.as_str()),
        compiled.digest
    );
    let span = recorded.map_or(0..0, |(_, span)| span);
    let id = sources.add(rel, old);
    Err(Box::new(
        Diagnostic::new(&VERSION_EXISTS, version.unwrap_or(Span::file(id)), message)
            .label("bump this version")
            .related(Span::new(id, span), "the existing module's digest")
            .help("modules are immutable like artifacts: raise `ruleset_version`, then build again"),
    ))
}

/// Writes the Rust module unless it exists (then, after [`refuse_module_if_different`], it
/// holds this ruleset and is left untouched).
///
/// # Errors
///
/// A002 when it cannot be written, or the ruleset does not fit the module's types.
pub fn rust_module(
    root: &Path,
    dist: &str,
    compiled: &Compiled,
    sources: &mut Sources,
) -> Result<Output, Box<Diagnostic>> {
    let rel = format!("{dist}/{}", rust::file_name(compiled.version()));
    let path = output_path(root, dist, &rel, sources)?;
    let digest = compiled.digest.clone();
    if existing(root, &rel).is_some() {
        return Ok(Output { path: rel, written: false, digest });
    }
    let text = rust::module(compiled).map_err(|e| {
        write_failed(sources, &rel, &std::io::Error::other(format!("the ruleset does not fit the module: {e}")))
    })?;
    write_atomic(&path, text.as_bytes()).map_err(|e| write_failed(sources, &rel, &e))?;
    Ok(Output { path: rel, written: true, digest })
}

/// [`refuse_module_if_different`] for the WebAssembly module: the digest its data records.
fn refuse_wasm_if_different(
    root: &Path,
    dist: &str,
    compiled: &Compiled,
    version: Option<Span>,
    sources: &mut Sources,
) -> Result<(), Box<Diagnostic>> {
    let rel = format!("{dist}/{}", wasm::file_name(compiled.version()));
    let Ok(old) = read_limited(&root.join(&rel), MAX_ARTIFACT_BYTES) else { return Ok(()) };
    let recorded = wasm::read::digest(&old);
    if recorded.as_ref().is_some_and(|(digest, _)| *digest == compiled.digest) {
        return Ok(());
    }
    let message = format!(
        "{rel} already exists with a different ruleset: it has {}, these rules are {}",
        recorded.as_ref().map_or("no readable digest", |(d, _)| d.as_str()),
        compiled.digest
    );
    let span = recorded.map_or(0..0, |(_, span)| span);
    let id = sources.add(rel, String::new());
    sources.set_raw(id, &old);
    Err(Box::new(
        Diagnostic::new(&VERSION_EXISTS, version.unwrap_or(Span::file(id)), message)
            .label("bump this version")
            .related(Span::new(id, span), "the existing module's digest")
            .help("modules are immutable like artifacts: raise `ruleset_version`, then build again"),
    ))
}

/// The WebAssembly module's bytes, made and validated in memory before anything is written.
///
/// # Errors
///
/// A002 when the ruleset cannot be made into a module (never one that passed `check`).
pub fn wasm_bytes(dist: &str, compiled: &Compiled, sources: &mut Sources) -> Result<Vec<u8>, Box<Diagnostic>> {
    wasm::module(compiled).map_err(|e| {
        let rel = format!("{dist}/{}", wasm::file_name(compiled.version()));
        write_failed(sources, &rel, &std::io::Error::other(format!("the ruleset does not fit the module: {e}")))
    })
}

/// Writes the WebAssembly module `bytes` and its `.sha256` file. A module already there (after
/// [`refuse_module_if_different`], one of this ruleset) is left untouched when it holds exactly
/// `bytes`, and otherwise (written by another rulesctl) replaced, as the JSON artifact is.
///
/// # Errors
///
/// A002 when a file cannot be written.
pub fn wasm_module(
    root: &Path,
    dist: &str,
    bytes: &[u8],
    compiled: &Compiled,
    sources: &mut Sources,
) -> Result<Vec<Output>, Box<Diagnostic>> {
    let name = wasm::file_name(compiled.version());
    let rel = format!("{dist}/{name}");
    let sums_rel = format!("{rel}.sha256");
    let path = output_path(root, dist, &rel, sources)?;
    let sums_path = output_path(root, dist, &sums_rel, sources)?;
    let written = read_limited(&path, MAX_ARTIFACT_BYTES).ok().as_deref() != Some(bytes);
    if written {
        write_atomic(&path, bytes).map_err(|e| write_failed(sources, &rel, &e))?;
    }
    let checksum = checksum_line(&name, bytes);
    let sums_written =
        write_if_changed(&sums_path, checksum.as_bytes()).map_err(|e| write_failed(sources, &sums_rel, &e))?;
    let digest = compiled.digest.clone();
    Ok(vec![
        Output { path: rel, written, digest: digest.clone() },
        Output { path: sums_rel, written: sums_written, digest },
    ])
}

/// An output on disk, when there is a readable one.
fn existing(root: &Path, rel: &str) -> Option<String> {
    read_limited(&root.join(rel), MAX_ARTIFACT_BYTES).ok().and_then(|b| String::from_utf8(b).ok())
}

/// The line `sha256sum -c` reads for a file called `name` holding `bytes`.
pub fn checksum_line(name: &str, bytes: &[u8]) -> String {
    checksum_line_of(name, &hash::hex(bytes))
}

/// The same line for a file whose hash (hex) is already known.
fn checksum_line_of(name: &str, sha256: &str) -> String {
    format!("{sha256}  {name}\n")
}

/// Writes one root-relative output file under `dist` (an environment's rendered values),
/// creating its folder; an unchanged file is left alone.
///
/// # Errors
///
/// A002 when the folder or file cannot be written, or [`output_path`] refuses `rel`.
pub fn file(
    root: &Path,
    dist: &str,
    rel: &str,
    text: &str,
    digest: &str,
    sources: &mut Sources,
) -> Result<Output, Box<Diagnostic>> {
    let path = output_path(root, dist, rel, sources)?;
    if let Some(parent) = path.parent() {
        create_dir_all(parent).map_err(|e| write_failed(sources, rel, &e))?;
    }
    let written = write_if_changed(&path, text.as_bytes()).map_err(|e| write_failed(sources, rel, &e))?;
    Ok(Output { path: rel.to_string(), written, digest: digest.to_string() })
}

/// The A001 refusal when the artifact on disk holds another ruleset under this version.
fn refuse_if_different(
    rel: &str,
    old: String,
    compiled: &Compiled,
    version: Option<Span>,
    sources: &mut Sources,
) -> Result<(), Box<Diagnostic>> {
    let located = Located::parse(&old).ok();
    let old_digest = located.as_ref().and_then(|l| l.str("/digest")).map(str::to_string);
    if old_digest.as_deref() == Some(compiled.digest.as_str()) {
        return Ok(());
    }
    let span = located.as_ref().map_or(0..0, |l| l.span("/digest"));
    let id = sources.add(rel.to_string(), old);
    let message = format!(
        "{rel} already exists with a different ruleset: it has {}, these rules are {}",
        old_digest.as_deref().unwrap_or("no valid digest"),
        compiled.digest
    );
    Err(Box::new(
        Diagnostic::new(&VERSION_EXISTS, version.unwrap_or(Span::file(id)), message)
            .label("bump this version")
            .related(Span::new(id, span), "the existing artifact's digest")
            .help("artifacts are immutable: raise `ruleset_version`, then build again"),
    ))
}

/// The last check before anything is written: `rel` must be `dist` and then plain names (no
/// `..`, no root, no NUL, nothing empty), and where it lands, with every symbolic link resolved,
/// must be inside the repository at `root`. What goes into `rel` is validated long before (the
/// version's semver form, environment names, `paths { dist }`); this catches whatever a later
/// change might let through, and a `dist` that is a link leading out of the repository.
///
/// # Errors
///
/// A002 for a path that is not plain, L005 for one that leads outside through a link; nothing
/// is written then.
pub fn output_path(root: &Path, dist: &str, rel: &str, sources: &mut Sources) -> Result<PathBuf, Box<Diagnostic>> {
    let plain = |path: &str| {
        !path.is_empty() && path.split('/').all(|part| !part.is_empty() && part != ".." && !part.contains(['\0', '\\']))
    };
    let below = rel.strip_prefix(dist).and_then(|rest| rest.strip_prefix('/'));
    if !plain(dist) || !below.is_some_and(plain) || Path::new(rel).is_absolute() {
        let err = std::io::Error::other(format!("refused: it is not a plain path inside `{dist}`"));
        return Err(write_failed(sources, rel, &err));
    }
    let path = root.join(rel);
    if !resolves_inside(root, &path) {
        let id = sources.add(rel.to_string(), String::new());
        return Err(Box::new(
            Diagnostic::new(
                &SYMLINK_OUTSIDE,
                Span::file(id),
                format!(
                    "`{rel}` would be written outside the repository: `{dist}` leads there through a symbolic link"
                ),
            )
            .help("make the output folder a real folder inside the repository, or point `paths { dist = ... }` at one"),
        ));
    }
    Ok(path)
}

/// A002 for `rel`, which is added to `sources` so the report can name it.
pub fn write_failed(sources: &mut Sources, rel: &str, err: &std::io::Error) -> Box<Diagnostic> {
    let id = sources.add(rel.to_string(), String::new());
    Box::new(
        Diagnostic::new(&WRITE_FAILED, Span::file(id), format!("cannot write `{rel}`: {err}"))
            .help("make the output folder writable, or set `paths { dist = ... }` in rulesctl.hcl"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The last-line guard refuses what validation upstream should never let through.
    #[test]
    fn output_path_takes_only_plain_paths_below_dist() {
        let root = tempfile::tempdir().expect("tempdir");
        let mut sources = Sources::default();
        let mut refused = |dist: &str, rel: &str| output_path(root.path(), dist, rel, &mut sources).is_err();
        for (dist, rel) in [
            ("dist", "dist/../outside.json"),
            ("dist", "dist/../../etc/passwd"),
            ("dist", "/etc/passwd"),
            ("/tmp", "/tmp/ruleset-v1.json"),
            ("dist", "dist/ruleset-v1\0.json"),
            ("dist", "dist/..\\..\\x.json"),
            ("dist", "dist//x.json"),
            ("dist", "dist"),
            ("dist", "elsewhere/x.json"),
            ("..", "../x.json"),
            ("dist\0", "dist\0/x.json"),
        ] {
            assert!(refused(dist, rel), "{dist:?} {rel:?} was let through");
        }
        for (dist, rel) in
            [("dist", "dist/ruleset-v1.0.0.json"), ("out/put", "out/put/prod/values.yaml"), ("./d", "./d/x")]
        {
            assert!(!refused(dist, rel), "{dist:?} {rel:?} was refused");
        }
    }

    #[cfg(unix)]
    #[test]
    fn output_path_refuses_a_dist_linked_out_of_the_repository() {
        let root = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(outside.path(), root.path().join("dist")).expect("symlink");
        let mut sources = Sources::default();
        let err = output_path(root.path(), "dist", "dist/x.json", &mut sources).expect_err("refused");
        assert_eq!(err.code.id, "L005");
        std::os::unix::fs::symlink("nowhere", root.path().join("dangling")).expect("symlink");
        assert!(output_path(root.path(), "dangling", "dangling/x.json", &mut sources).is_err());
    }
}
