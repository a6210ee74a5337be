//! The documentation holds: the README stays the first five minutes, every `console` example of
//! the book (docs/src) runs against the bundled example, the reference pages generated from the
//! code are current, every link resolves, and the install routes (release workflow, binstall,
//! install.sh, image, pre-commit hooks) agree with each other and with `Cargo.toml`.
//!
//! `TRYCMD=overwrite` rewrites the examples' expected output from what the binary prints;
//! `RULESCTL_BLESS=1` rewrites the generated reference pages.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_tree, git, python, run_at, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/src");
/// The comment that opens a page whose examples need a branch not merged yet: its shell
/// examples are `text` fences until then.
const PENDING: &str = "<!-- pending-merge:";

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn bless() -> bool {
    std::env::var("RULESCTL_BLESS").is_ok_and(|v| v == "1")
}

/// Every Markdown page under docs/src, sorted, as paths relative to docs/src.
fn pages() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read docs/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path.strip_prefix(BOOK).expect("below docs/src").to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new(BOOK), &mut out);
    out.sort();
    out
}

fn page(rel: &str) -> String {
    read(&format!("docs/src/{rel}"))
}

/// A fenced block: its info string, its first line (1-based) and its lines.
struct Fence {
    info: String,
    line: usize,
    body: Vec<String>,
}

fn fences(text: &str) -> Vec<Fence> {
    let mut out = Vec::new();
    let mut open: Option<Fence> = None;
    for (i, line) in text.lines().enumerate() {
        match open.take() {
            None if line.starts_with("```") => {
                open = Some(Fence { info: line[3..].trim().to_string(), line: i + 1, body: Vec::new() });
            }
            None => {}
            Some(fence) if line.starts_with("```") => out.push(fence),
            Some(mut fence) => {
                fence.body.push(line.to_string());
                open = Some(fence);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Every example runs.

/// A copy of the bundled example (the repository root is one: rulesctl.hcl, examples/rules,
/// examples/chart, environments/), committed to a new git repository.
fn bundled_example(dir: &Path) {
    std::fs::copy(Path::new(ROOT).join("rulesctl.hcl"), dir.join("rulesctl.hcl")).expect("copy");
    for rel in ["environments", "examples/rules", "examples/chart"] {
        std::fs::create_dir_all(dir.join(rel)).expect("mkdir");
        copy_tree(&Path::new(ROOT).join(rel), &dir.join(rel));
    }
    commit_all(dir);
}

/// A team's repository before rulesctl: the bundled example's chart at charts/game, nothing else.
fn chart_only(dir: &Path) {
    std::fs::create_dir_all(dir.join("charts/game")).expect("mkdir");
    copy_tree(&Path::new(ROOT).join("examples/chart"), &dir.join("charts/game"));
    commit_all(dir);
}

/// A repository of two projects: the bundled example at services/game, and a values-only
/// project at services/web.
fn monorepo(dir: &Path) {
    let game = dir.join("services/game");
    std::fs::create_dir_all(&game).expect("mkdir");
    std::fs::copy(Path::new(ROOT).join("rulesctl.hcl"), game.join("rulesctl.hcl")).expect("copy");
    for rel in ["environments", "examples/rules", "examples/chart"] {
        std::fs::create_dir_all(game.join(rel)).expect("mkdir");
        copy_tree(&Path::new(ROOT).join(rel), &game.join(rel));
    }
    let web = dir.join("services/web");
    std::fs::create_dir_all(web.join("environments")).expect("mkdir");
    std::fs::write(web.join("rulesctl.hcl"), "render {\n  allow_overrides = [\"replicas\"]\n}\n").expect("write");
    std::fs::write(web.join("values.yaml"), "replicas: 1\nimage: \"nginx:1.27\"\n").expect("write");
    std::fs::write(
        web.join("environments/dev.yaml"),
        "cluster:\n  allocatable: {cpu: \"2\", memory: \"4Gi\"}\n  secrets: []\noverrides:\n  replicas: 2\n",
    )
    .expect("write");
    commit_all(dir);
}

fn commit_all(dir: &Path) {
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "start"]);
}

/// What a page's examples run in.
fn setup(page: &str, dir: &Path) {
    match page {
        "guides/adopt-a-chart.md" => chart_only(dir),
        "guides/monorepo.md" => monorepo(dir),
        _ => bundled_example(dir),
    }
}

/// What a page says, in order: its `console` blocks (by ordinal) and the files it writes
/// (`<!-- write: PATH -->` right before a fence means the example writes that block to PATH).
enum Step {
    Console(usize),
    Write(String, String),
}

fn steps(text: &str) -> Vec<Step> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut consoles = 0;
    for fence in fences(text) {
        if fence.info == "console" {
            out.push(Step::Console(consoles));
            consoles += 1;
            continue;
        }
        let before = fence.line.checked_sub(2).and_then(|i| lines.get(i)).copied().unwrap_or_default();
        if let Some(path) = before.strip_prefix("<!-- write: ").and_then(|r| r.strip_suffix(" -->")) {
            let mut body = fence.body.join("\n");
            body.push('\n');
            out.push(Step::Write(path.to_string(), body));
        }
    }
    out
}

/// The page with every `console` block outside `active` marked `ignore` (same line count).
fn only(text: &str, active: &[usize]) -> String {
    let mut ordinal = 0;
    let mut inside = false;
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("```") {
            if !inside && line.trim_end() == "```console" {
                if !active.contains(&ordinal) {
                    out.push_str(&line.replacen("```console", "```console,ignore", 1));
                    ordinal += 1;
                    inside = true;
                    continue;
                }
                ordinal += 1;
            }
            inside = !inside;
        }
        out.push_str(line);
    }
    out
}

/// Every `console` example of the book runs with trycmd, page by page, in a fresh copy of the
/// bundled example (or of what the page starts from), so the docs cannot drift from the binary.
#[test]
fn every_console_example_in_the_book_runs() {
    let overwrite = std::env::var("TRYCMD").is_ok_and(|m| m == "overwrite");
    let work = tempfile::tempdir().expect("tempdir");
    let mut ran = 0;
    for rel in pages() {
        let original = page(&rel);
        if !original.contains("```console") {
            continue;
        }
        let stem = rel.trim_end_matches(".md").replace('/', "-");
        let input = work.path().join(format!("{stem}.in"));
        std::fs::create_dir_all(&input).expect("mkdir");
        setup(&rel, &input);
        let case = work.path().join(format!("{stem}.md"));
        let mut current = original.clone();
        let mut active = Vec::new();
        let mut run = |active: &mut Vec<usize>, current: &mut String| {
            if active.is_empty() {
                return;
            }
            std::fs::write(&case, only(current, active)).expect("write case");
            trycmd::TestCases::new()
                .register_bin("rulesctl", Path::new(env!("CARGO_BIN_EXE_rulesctl")))
                .env("NO_COLOR", "1")
                .timeout(std::time::Duration::from_secs(120))
                .case(&case)
                .run();
            if overwrite {
                *current =
                    std::fs::read_to_string(&case).expect("read case").replace("```console,ignore", "```console");
            }
            ran += active.len();
            active.clear();
        };
        for step in steps(&original) {
            match step {
                Step::Console(n) => active.push(n),
                Step::Write(path, body) => {
                    run(&mut active, &mut current);
                    std::fs::write(input.join(path), body).expect("write the page's file");
                }
            }
        }
        run(&mut active, &mut current);
        if overwrite && current != original {
            std::fs::write(Path::new(BOOK).join(&rel), current).expect("rewrite page");
        }
    }
    assert!(ran >= 20, "only {ran} console blocks ran");
}

/// Shell fences that name `rulesctl` are `console` examples, which run; anything else would be
/// an example nobody checks. Pages for branches not merged yet say so at the top and keep their
/// examples in `text` fences. No fence is bare (trycmd would read it as a test).
#[test]
fn every_rulesctl_example_in_the_book_is_a_console_example() {
    let mut found = Vec::new();
    for rel in pages() {
        let text = page(&rel);
        let pending = text.starts_with(PENDING);
        if pending && text.contains("```console") {
            found.push(format!("{rel}: a pending-merge page has console examples"));
        }
        for fence in fences(&text) {
            if fence.info.is_empty() {
                found.push(format!("{rel}:{}: a fence without an info string", fence.line));
            }
            let shell = ["sh", "bash", "shell", "text"].contains(&fence.info.as_str());
            // The CI example runs too, as a script (tests/integration/ci_example.rs).
            let before = fence.line.checked_sub(2).and_then(|i| text.lines().nth(i)).unwrap_or_default();
            let ci_example = before.starts_with("<!-- ci-example");
            for line in fence.body.iter().filter(|_| shell && !pending && !ci_example) {
                let command = line.trim_start().trim_start_matches("$ ");
                let shown = line.trim_start().starts_with("$ ") || fence.info != "text";
                if shown && command.starts_with("rulesctl ") {
                    found.push(format!("{rel}:{}: `{command}` is not in a console block", fence.line));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Every branch a page waited for is merged: no page keeps its examples untested. (The Wasm
/// sidecar guide's `rulesctl` examples run here; its sidecar session, which `cargo run`s
/// examples/sidecar, is what tests/integration/emit_wasm_sidecar.rs runs.)
#[test]
fn no_page_waits_for_a_merge() {
    let waiting: Vec<String> = pages().into_iter().filter(|rel| page(rel).starts_with(PENDING)).collect();
    assert!(waiting.is_empty(), "pages still marked pending-merge: {waiting:?}");
}

// ---------------------------------------------------------------------------------------------
// Generated reference pages.

/// Compares a generated text with the checked-in one, or writes it under RULESCTL_BLESS=1.
fn generated(rel: &str, fresh: &str) {
    let path = Path::new(ROOT).join(rel);
    if bless() {
        std::fs::write(&path, fresh).expect("bless");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "{rel} is stale: run `RULESCTL_BLESS=1 cargo test --test integration docs::`\n{}",
        similar::TextDiff::from_lines(checked_in.as_str(), fresh).unified_diff().header("checked in", "generated")
    );
}

/// `text` with the part between `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`
/// replaced by `content`.
fn with_region(text: &str, name: &str, content: &str) -> String {
    let open = format!("<!-- generated: {name} -->\n");
    let close = format!("<!-- end generated: {name} -->");
    let start = text.find(&open).unwrap_or_else(|| panic!("no `{open}`")) + open.len();
    let end = text[start..].find(&close).unwrap_or_else(|| panic!("no `{close}`")) + start;
    format!("{}{content}{}", &text[..start], &text[end..])
}

/// Every code: the table, then each code's `rulesctl explain` text.
fn codes_page() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n<!-- Generated from the code table (src/codes.rs and the doc comment next to each \
         code) by tests/integration/docs.rs; do not edit. Regenerate with \
         `RULESCTL_BLESS=1 cargo test --test integration docs::`. -->\n\n\
         Every code rulesctl can print. `rulesctl explain CODE` prints the same text; it is the doc \
         comment written next to the code that emits it. Errors fail `check` (exit 1); warnings \
         fail it only with `--deny-warnings`.\n\n",
    );
    out.push_str(&rulesctl::codes::markdown_table());
    for code in rulesctl::codes::all() {
        out.push_str(&format!("\n## {} `{}`\n\n", code.id, code.name));
        out.push_str(&format!("Severity: {}.\n\n", code.severity.as_str()));
        out.push_str(code.explanation().trim_end());
        out.push('\n');
    }
    out
}

/// The command-line help page, the code page and the dialect table are what the code says now.
#[test]
fn generated_reference_pages_are_current() {
    generated("docs/src/reference/cli.md", &rulesctl::commands::man::markdown_reference());
    generated("docs/src/reference/codes.md", &codes_page());
    let dialect = page("reference/dialect.md");
    let table = rulesctl::model::dialect::markdown_reference();
    generated("docs/src/reference/dialect.md", &with_region(&dialect, "dialect table", &table));
}

/// The command-line page covers every command, as `rulesctl --help` lists them.
#[test]
fn the_command_line_page_covers_every_command() {
    let cli = page("reference/cli.md");
    let top = rulesctl::cli::command();
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        assert!(cli.contains(&format!("## `rulesctl {}`", sub.get_name())), "{}", sub.get_name());
        let commands = page("reference/commands.md");
        assert!(commands.contains(&format!("rulesctl {}", sub.get_name())), "commands.md: {}", sub.get_name());
    }
}

/// The schema page includes every schema `rulesctl schema` writes (the files are pinned by
/// values.rs's checked_in_schemas_are_current).
#[test]
fn the_schema_page_includes_every_schema() {
    let text = page("reference/schemas.md");
    for entry in std::fs::read_dir(Path::new(ROOT).join("schema")).expect("schema/") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(text.contains(&format!("{{{{#include ../../../schema/{name}}}}}")), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// The book holds together.

/// Relative links of a Markdown text: `](target)` and `{{#include target}}`, anchors dropped.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("](") {
        let rest = &text[at + 2..];
        let target = &rest[..rest.find(')').unwrap_or(rest.len())];
        out.push(target.to_string());
    }
    for (at, _) in text.match_indices("{{#include ") {
        let rest = &text[at + "{{#include ".len()..];
        out.push(rest[..rest.find("}}").unwrap_or(rest.len())].to_string());
    }
    out.into_iter()
        .filter(|t| !t.contains("://") && !t.starts_with('#') && !t.starts_with("mailto:"))
        .map(|t| t.split('#').next().unwrap_or_default().split(':').next().unwrap_or_default().to_string())
        .collect()
}

/// Every page is in SUMMARY.md, and every relative link and include in the book and the README
/// leads to a file that exists.
#[test]
fn the_summary_lists_every_page_and_every_link_resolves() {
    let summary = page("SUMMARY.md");
    let listed: BTreeSet<String> = links(&summary).into_iter().collect();
    for rel in pages().into_iter().filter(|p| p != "SUMMARY.md") {
        assert!(listed.contains(&rel), "docs/src/SUMMARY.md does not list {rel}");
    }
    let mut broken = Vec::new();
    let mut files: Vec<(PathBuf, String)> =
        pages().into_iter().map(|rel| (Path::new(BOOK).join(&rel), page(&rel))).collect();
    files.push((Path::new(ROOT).join("README.md"), read("README.md")));
    for (path, text) in files {
        for target in links(&text) {
            let folder = path.parent().expect("folder");
            if !folder.join(&target).exists() {
                broken.push(format!("{}: {target}", path.display()));
            }
        }
    }
    assert!(broken.is_empty(), "links to nothing:\n{}", broken.join("\n"));
}

/// The pictures the issue asks for are in the book, as SVG (no preprocessor needed).
#[test]
fn the_book_draws_the_pipeline_merge_order_merkle_tree_and_hot_swap() {
    let everything: String = pages().iter().map(|p| page(p)).collect();
    for svg in ["pipeline", "merge-order", "merkle", "hotswap"] {
        assert!(everything.contains(&format!("images/{svg}.svg")), "{svg}.svg is not shown");
        let text = read(&format!("docs/src/images/{svg}.svg"));
        assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}.svg");
    }
}

// ---------------------------------------------------------------------------------------------
// The README.

fn sh_lines(text: &str) -> Vec<String> {
    fences(text).into_iter().filter(|f| f.info == "sh").flat_map(|f| f.body).collect()
}

/// At most 200 lines; one command runs the main job on the bundled example and one runs the
/// whole test suite; the quick start for a team with a chart uses only commands that the book's
/// adoption guide runs; it links into the book.
#[test]
fn the_readme_is_the_first_five_minutes() {
    let readme = read("README.md");
    assert!(readme.lines().count() <= 200, "README.md has {} lines", readme.lines().count());
    let lines = sh_lines(&readme);
    let count = |command: &str| lines.iter().filter(|l| l.trim() == command).count();
    assert_eq!(count("cargo run -- build"), 1, "{lines:?}");
    assert_eq!(count("cargo test"), 1, "{lines:?}");
    let guide = page("guides/adopt-a-chart.md");
    let guide_commands: Vec<String> = fences(&guide)
        .into_iter()
        .filter(|f| f.info == "console")
        .flat_map(|f| f.body)
        .filter_map(|l| l.strip_prefix("$ ").map(str::to_string))
        .collect();
    for line in lines.iter().filter(|l| l.starts_with("rulesctl ")) {
        let command = line.split('#').next().unwrap_or_default().trim();
        assert!(
            guide_commands.iter().any(|c| c == command),
            "the README's `{command}` is not run by the adoption guide"
        );
    }
    for needed in ["rulesctl init --chart", "rulesctl check", "rulesctl render", "rulesctl hooks install"] {
        assert!(lines.iter().any(|l| l.starts_with(needed)), "the quick start should show `{needed}`");
    }
    assert!(readme.contains("--format github"), "the quick start's CI step");
    for page in ["guides/adopt-a-chart.md", "reference/commands.md", "reference/codes.md", "guides/ci.md"] {
        assert!(readme.contains(&format!("docs/src/{page}")), "the README should link {page}");
    }
}

// ---------------------------------------------------------------------------------------------
// Installing without a build.

/// `key = "value"` of Cargo.toml's first table that has it.
fn manifest(key: &str) -> String {
    let text = read("Cargo.toml");
    let prefix = format!("{key} = \"");
    let line = text.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("Cargo.toml has no {key}"));
    line[prefix.len()..line.len() - 1].to_string()
}

/// A YAML file of the repository, as JSON (through PyYAML).
fn yaml(rel: &str) -> serde_json::Value {
    let script = "import json,sys,yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    serde_json::from_str(&python(&["-c", script, &format!("{ROOT}/{rel}")])).expect("YAML as JSON")
}

const TARGETS: [&str; 4] =
    ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl", "x86_64-apple-darwin", "aarch64-apple-darwin"];

/// The release workflow's archive for `target` at `version`, as its `ARCHIVE` expression says.
fn workflow_archive(workflow: &serde_json::Value, version: &str, target: &str) -> String {
    let archive = workflow["jobs"]["binaries"]["env"]["ARCHIVE"].as_str().expect("binaries.env.ARCHIVE");
    archive.replace("${{ github.ref_name }}", &format!("v{version}")).replace("${{ matrix.target }}", target)
}

/// `cargo binstall`'s URL for `target`, from Cargo.toml's template.
fn binstall_url(version: &str, target: &str) -> String {
    manifest("pkg-url")
        .replace("{ repo }", &manifest("repository"))
        .replace("{ version }", version)
        .replace("{ name }", "rulesctl")
        .replace("{ target }", target)
        .replace("{ archive-suffix }", ".tar.gz")
}

/// install.sh's URLs for `target`, as it prints them with RULESCTL_DRY_RUN=1.
fn install_sh_urls(target: &str, version: Option<&str>) -> Vec<String> {
    let mut cmd = Command::new("sh");
    cmd.arg(Path::new(ROOT).join("install.sh")).env("RULESCTL_DRY_RUN", "1").env("RULESCTL_TARGET", target);
    cmd.env_remove("RULESCTL_VERSION").env_remove("RULESCTL_RELEASES_URL");
    if let Some(version) = version {
        cmd.env("RULESCTL_VERSION", version);
    }
    let out = cmd.output().expect("sh install.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// The workflow builds the four targets and names their archives exactly as the binstall
/// template and install.sh fetch them; SHA256SUMS and provenance are attached.
#[test]
fn the_release_workflow_binstall_and_install_sh_name_the_same_assets() {
    let workflow = yaml(".github/workflows/release.yml");
    let version = env!("CARGO_PKG_VERSION");
    let matrix: BTreeSet<String> = workflow["jobs"]["binaries"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("matrix.include")
        .iter()
        .map(|m| m["target"].as_str().expect("target").to_string())
        .collect();
    assert_eq!(matrix, TARGETS.iter().map(|t| t.to_string()).collect());
    let repository = manifest("repository");
    for target in TARGETS {
        let archive = workflow_archive(&workflow, version, target);
        let url = format!("{repository}/releases/download/v{version}/{archive}");
        assert_eq!(binstall_url(version, target), url, "binstall");
        let urls = install_sh_urls(target, None);
        assert_eq!(urls, [url.clone(), format!("{repository}/releases/download/v{version}/SHA256SUMS")]);
        assert_eq!(install_sh_urls(target, Some(&format!("v{version}")))[0], url, "a v-prefixed RULESCTL_VERSION");
    }
    let text = read(".github/workflows/release.yml");
    for needed in [
        "actions/attest-build-provenance@",
        "sha256sum -- *.tar.gz > SHA256SUMS",
        "cargo build --release --locked --target",
        "install.sh",
        "vsce package",
    ] {
        assert!(text.contains(needed), "release.yml should have `{needed}`");
    }
}

/// A fake release on disk: the archive for this machine's target, its SHA256SUMS, and a
/// `rulesctl` inside that prints its version.
fn fake_release(dir: &Path, target: &str, version: &str) -> PathBuf {
    let tag = dir.join(format!("v{version}"));
    let stage = dir.join("stage");
    std::fs::create_dir_all(&tag).expect("mkdir");
    std::fs::create_dir_all(&stage).expect("mkdir");
    std::fs::write(stage.join("rulesctl"), format!("#!/bin/sh\necho rulesctl {version}\n")).expect("write");
    Command::new("chmod").arg("+x").arg(stage.join("rulesctl")).status().expect("chmod");
    std::fs::write(stage.join("README.md"), "readme\n").expect("write");
    let archive = format!("rulesctl-v{version}-{target}.tar.gz");
    let tar = Command::new("tar")
        .arg("-czf")
        .arg(tag.join(&archive))
        .args(["-C"])
        .arg(&stage)
        .args(["rulesctl", "README.md"])
        .status()
        .expect("tar");
    assert!(tar.success());
    let sums = Command::new("sh")
        .arg("-c")
        .arg("sha256sum -- *.tar.gz > SHA256SUMS")
        .current_dir(&tag)
        .status()
        .expect("sha256sum");
    assert!(sums.success());
    tag.join(archive)
}

/// install.sh downloads the archive and SHA256SUMS, installs on a match, and refuses (nothing
/// installed, exit 1) when the archive does not match its checksum. Run with dash, a strict
/// POSIX sh.
#[test]
fn install_sh_verifies_the_checksum_and_refuses_a_mismatch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = "x86_64-unknown-linux-musl";
    let archive = fake_release(dir.path(), target, "9.9.9");
    let install = |bin: &Path| {
        Command::new(if Path::new("/bin/dash").exists() { "/bin/dash" } else { "sh" })
            .arg(Path::new(ROOT).join("install.sh"))
            .env("RULESCTL_RELEASES_URL", format!("file://{}", dir.path().display()))
            .env("RULESCTL_VERSION", "9.9.9")
            .env("RULESCTL_TARGET", target)
            .env("RULESCTL_INSTALL_DIR", bin)
            .output()
            .expect("install.sh")
    };
    let good = dir.path().join("good");
    let out = install(&good);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(good.join("rulesctl")).output().expect("installed rulesctl");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "rulesctl 9.9.9\n");

    let mut bytes = std::fs::read(&archive).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, bytes).expect("tamper");
    let bad = dir.path().join("bad");
    let out = install(&bad);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checksum mismatch"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!bad.join("rulesctl").exists(), "nothing is installed on a mismatch");
}

/// Everything that depends on where rulesctl is published derives from Cargo.toml's
/// `repository`: no placeholder, no other owner, and the pinned release is this version.
#[test]
fn every_published_address_derives_from_cargo_repository() {
    let repository = manifest("repository");
    let version = manifest("version");
    let slug = repository.strip_prefix("https://github.com/").expect("a GitHub repository");
    let image = format!("ghcr.io/{slug}");
    let mut files: Vec<String> = pages().into_iter().map(|p| format!("docs/src/{p}")).collect();
    files.extend(
        [
            "README.md",
            "CHANGELOG.md",
            "install.sh",
            "Dockerfile",
            ".pre-commit-hooks.yaml",
            ".github/workflows/release.yml",
            ".github/workflows/ci.yml",
            "docs/book.toml",
            "examples/ci/github-actions.yml",
            "editors/vscode/package.json",
        ]
        .map(String::from),
    );
    let mut wrong = Vec::new();
    for rel in &files {
        let text = read(rel);
        for placeholder in ["<this repository's URL>", "<owner>", "<tag>", "<rulesctl repository URL>", "OWNER/"] {
            if text.contains(placeholder) {
                wrong.push(format!("{rel}: placeholder `{placeholder}`"));
            }
        }
        for (at, _) in text.match_indices("github.com/") {
            let rest = &text[at + "github.com/".len()..];
            let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || "-_./".contains(*c)).collect();
            let mut parts = path.split('/');
            let (owner, name) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            if name.to_lowercase().starts_with("rulesctl") && format!("{owner}/{name}") != slug {
                wrong.push(format!("{rel}: github.com/{owner}/{name} is not {slug}"));
            }
        }
        for (at, _) in text.match_indices("ghcr.io/") {
            let rest = &text[at..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || "-_./:${}".contains(*c)).collect();
            if name.contains("${{") {
                continue;
            }
            let (path, tag) = name.split_once(':').unwrap_or((&name, ""));
            if path != image && !path.ends_with("-cmp") {
                wrong.push(format!("{rel}: image {path} is not {image}"));
            }
            if !tag.is_empty() && tag.trim_end_matches('.') != format!("v{version}") {
                wrong.push(format!("{rel}: image tag {tag} is not v{version}"));
            }
        }
        for (at, _) in text.match_indices("--tag v") {
            let tag: String = text[at + "--tag ".len()..].chars().take_while(|c| !c.is_whitespace()).collect();
            if tag != format!("v{version}") {
                wrong.push(format!("{rel}: --tag {tag} is not v{version}"));
            }
        }
    }
    let script = read("install.sh");
    assert!(script.contains(&format!("REPOSITORY=\"{repository}\"\n")), "install.sh's REPOSITORY");
    assert!(script.contains(&format!("RELEASE=\"{version}\"\n")), "install.sh's RELEASE is this version");
    assert!(manifest("pkg-url").starts_with("{ repo }/"), "binstall derives its URL from repository");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The image: multi-stage, a static binary on a small base, not root, `rulesctl` as entry
/// point, hadolint clean; CI builds it and runs it.
#[test]
fn the_dockerfile_builds_a_small_non_root_image_that_ci_smoke_tests() {
    let text = read("Dockerfile");
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert!(froms.len() >= 2, "multi-stage: {froms:?}");
    let last = froms.last().expect("a final stage");
    assert!(["alpine", "scratch", "distroless"].iter().any(|b| last.contains(b)), "{last}");
    let final_stage = &text[text.rfind("\nFROM ").expect("final FROM")..];
    let user = final_stage.lines().rfind(|l| l.starts_with("USER ")).expect("a USER in the final stage");
    assert!(!user.contains("root") && !user.ends_with(" 0") && !user.contains(" 0:"), "{user}");
    assert!(final_stage.contains("ENTRYPOINT [\"rulesctl\"]"), "ENTRYPOINT [\"rulesctl\"]");
    assert!(text.contains("--locked") && text.contains("musl"), "a locked, static build");

    let interpreter = python(&["-c", "import sys; print(sys.executable)"]).trim().to_string();
    let hadolint = Path::new(&interpreter).with_file_name("hadolint");
    let out = Command::new(&hadolint).arg("Dockerfile").current_dir(ROOT).output().expect("hadolint");
    assert!(out.status.success(), "hadolint Dockerfile:\n{}", String::from_utf8_lossy(&out.stdout));

    let ci = read(".github/workflows/ci.yml");
    for needed in ["docker build", "--version", "bash .ci/run"] {
        assert!(ci.contains(needed), "ci.yml should run `{needed}`");
    }
}

/// The hooks file offers each hook three ways (built with cargo, an installed binary, the
/// image) with the same command, and the pre-commit framework accepts it.
#[test]
fn the_pre_commit_hooks_come_built_installed_and_as_an_image() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let find = |id: &str| hooks.iter().find(|h| h["id"] == id).unwrap_or_else(|| panic!("no hook {id}"));
    let image = format!(
        "ghcr.io/{}:v{}",
        manifest("repository").trim_start_matches("https://github.com/"),
        manifest("version")
    );
    for (id, args) in [("rulesctl-check", "check --staged --base HEAD"), ("rulesctl-fmt", "fmt")] {
        let built = find(id);
        assert_eq!(built["language"], "rust");
        assert_eq!(built["entry"], format!("rulesctl {args}"));
        let system = find(&format!("{id}-system"));
        assert_eq!(system["language"], "system");
        assert_eq!(system["entry"], format!("rulesctl {args}"));
        let docker = find(&format!("{id}-docker"));
        assert_eq!(docker["language"], "docker_image");
        assert_eq!(docker["entry"], format!("{image} {args}"));
        for variant in [system, docker] {
            for key in ["pass_filenames", "always_run", "files"] {
                assert_eq!(variant[key], built[key], "{id}: {key}");
            }
        }
    }
    let pre_commit =
        Path::new(python(&["-c", "import sys; print(sys.executable)"]).trim()).with_file_name("pre-commit");
    let out = Command::new(pre_commit)
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(ROOT)
        .output()
        .expect("pre-commit");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// A real commit through the framework with the `-system` hooks: nothing is compiled, the
/// `rulesctl` on PATH checks the staged rules.
#[test]
fn the_system_hooks_commit_through_an_installed_binary() {
    let hooks = tempfile::tempdir().expect("tempdir");
    std::fs::copy(Path::new(ROOT).join(".pre-commit-hooks.yaml"), hooks.path().join(".pre-commit-hooks.yaml"))
        .expect("copy");
    commit_all(hooks.path());
    let rev = git(hooks.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let repo = Repo::base();
    git(repo.path(), &["init", "-q"]);
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: rulesctl-check-system\n      - id: rulesctl-fmt-system\n",
            hooks.path().display()
        ),
    );
    let bin = Path::new(env!("CARGO_BIN_EXE_rulesctl")).parent().expect("folder").to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let pre_commit =
        Path::new(python(&["-c", "import sys; print(sys.executable)"]).trim()).with_file_name("pre-commit");
    let home = Path::new(ROOT).join("target/pre-commit-home");
    let run = |program: &Path, args: &[&str]| {
        Command::new(program)
            .args(args)
            .current_dir(repo.path())
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", &home)
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .expect("run")
    };
    let install = run(&pre_commit, &["install", "--install-hooks"]);
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));
    let commit = |message: &str| {
        git(repo.path(), &["add", "-A"]);
        let identity = ["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"];
        run(Path::new("git"), &[&identity[..], &["commit", "-qm", message]].concat())
    };
    let text = repo.read("rules/caves.hcl");
    repo.write("rules/caves.hcl", text.replace("cooldown_ms    = 8000", "cooldown_ms    = 3000"));
    let bad = commit("bad");
    let said = format!("{}{}", String::from_utf8_lossy(&bad.stdout), String::from_utf8_lossy(&bad.stderr));
    assert!(!bad.status.success() && said.contains("error[X001]"), "{said}");
    repo.write("rules/caves.hcl", text);
    let good = commit("good");
    assert!(
        good.status.success(),
        "{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// The version.

/// `rulesctl --version` is Cargo.toml's version, and so is the newest release in CHANGELOG.md
/// (Keep a Changelog: an Unreleased section first, then `## [x.y.z] - date`).
#[test]
fn the_version_the_binary_reports_is_the_changelogs_newest_release() {
    let version = manifest("version");
    let run = run_at(Path::new(ROOT), &["--version"]);
    assert_eq!(run.stdout, format!("rulesctl {version}\n"));
    let changelog = read("CHANGELOG.md");
    let headings: Vec<&str> = changelog.lines().filter(|l| l.starts_with("## [")).collect();
    assert_eq!(headings.first().copied(), Some("## [Unreleased]"), "{headings:?}");
    let newest = headings.get(1).expect("a released version");
    let released = newest.trim_start_matches("## [").split(']').next().unwrap_or_default();
    assert_eq!(released, version, "CHANGELOG.md's newest release");
    assert!(newest.contains(" - 20"), "a release has a date: {newest}");
    let repository = manifest("repository");
    assert!(changelog.contains(&format!("[{version}]: {repository}/releases/tag/v{version}")), "link for {version}");
    let extension: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).expect("package.json");
    assert_eq!(extension["version"], version.as_str(), "the VS Code extension's version");
}
