//! Install and ship: the README and the book take a new user from a clone to `rulesctl` on
//! PATH, and the CI examples build with a base revision and ship binaries, provenance and the
//! plugin image.

use std::path::Path;
use std::process::Command;

use crate::support::python;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The text of the section `## title` of a Markdown file, up to the next `## `.
fn section(rel: &str, title: &str) -> String {
    let text = read(rel);
    let start = text.find(&format!("\n## {title}\n")).unwrap_or_else(|| panic!("no section {title} in {rel}"));
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

/// The ```sh blocks of a piece of Markdown.
fn sh_blocks(text: &str) -> Vec<String> {
    text.split("```sh\n").skip(1).map(|b| b.split("\n```").next().unwrap_or_default().to_string()).collect()
}

/// The README's commands for a contributor: one each, and where the binary lands.
#[test]
fn the_contributor_commands_are_one_each_and_say_where_the_binary_lands() {
    let quick = section("README.md", "Contributing");
    assert_eq!(sh_blocks(&quick), ["cargo run -- build", "cargo test"]);
    for needed in ["target/debug/rulesctl", "~/.cargo/bin", "cargo install --locked --path ."] {
        assert!(quick.contains(needed), "the contributor section should say `{needed}`");
    }
}

/// The book's install-from-source command, run as written from a clone, puts a `rulesctl` on
/// PATH that works. (`CARGO_INSTALL_ROOT` stands in for `~/.cargo`; the build shares the pre-commit
/// test's target folder and quick release profile.)
#[test]
fn the_readme_install_puts_rulesctl_on_path() {
    let install = section("docs/src/getting-started/install.md", "From source");
    let blocks = sh_blocks(&install);
    assert_eq!(
        blocks,
        [
            "cargo install --locked --path .".to_string(),
            format!(
                "cargo install --locked --git https://github.com/rulesctl/rulesctl --tag v{} rulesctl",
                env!("CARGO_PKG_VERSION")
            )
        ]
    );
    let home = tempfile::tempdir().expect("tempdir");
    let target = Path::new(ROOT).join("target");
    let out = Command::new("sh")
        .args(["-c", &blocks[0]])
        .current_dir(ROOT)
        .env("CARGO_INSTALL_ROOT", home.path())
        .env("CARGO_TARGET_DIR", target.join("pre-commit-build"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .output()
        .expect("cargo install");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = format!("{}:/usr/bin:/bin", home.path().join("bin").display());
    let run = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("rulesctl {}", args.join(" ")))
            .current_dir(ROOT)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .expect("rulesctl by name")
    };
    let version = run(&["--version"]);
    assert_eq!(String::from_utf8_lossy(&version.stdout), format!("rulesctl {}\n", env!("CARGO_PKG_VERSION")));
    let check = run(&["check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

/// A YAML file of the repository, as JSON (through PyYAML).
fn yaml(rel: &str) -> serde_json::Value {
    let script = "import json,sys,yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    serde_json::from_str(&python(&["-c", script, &format!("{ROOT}/{rel}")])).expect("YAML as JSON")
}

/// Every `run:` script of every job of a workflow, joined.
fn scripts(workflow: &serde_json::Value) -> String {
    let jobs = workflow["jobs"].as_object().expect("jobs");
    let steps = jobs.values().flat_map(|job| job["steps"].as_array().into_iter().flatten());
    steps.filter_map(|step| step["run"].as_str()).collect::<Vec<_>>().join("\n")
}

/// A fresh clone in CI has no dist/: the book's CI guide shows the example workflow, which
/// builds with a base revision, so one version can never be published with two rulesets.
#[test]
fn the_ci_recipes_build_against_a_base_revision() {
    let guide = read("docs/src/guides/ci.md");
    assert!(guide.contains("{{#include ../../../examples/ci/github-actions.yml}}"), "the book's CI guide");
    let workflow = yaml("examples/ci/github-actions.yml");
    let runs = scripts(&workflow);
    for needed in ["rulesctl build --base \"$BASE\"", "rulesctl check --format github --base \"$BASE\"", "sha256sum -c"]
    {
        assert!(runs.contains(needed), "examples/ci/github-actions.yml should run `{needed}`:\n{runs}");
    }
    assert!(workflow["jobs"]["rulesctl"]["env"]["BASE"].as_str().is_some_and(|b| b.contains("github.event.before")));
}

#[test]
fn the_release_workflow_ships_binaries_provenance_and_the_plugin_image() {
    let workflow = yaml(".github/workflows/release.yml");
    let runs = scripts(&workflow);
    for needed in ["cargo build --release --locked", "SHA256SUMS", "gh release create"] {
        assert!(runs.contains(needed), "release.yml should run `{needed}`");
    }
    let uses: Vec<String> = workflow["jobs"]
        .as_object()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_array().into_iter().flatten())
        .filter_map(|step| step["uses"].as_str().map(str::to_string))
        .collect();
    assert!(uses.iter().any(|u| u.starts_with("actions/attest-build-provenance@")), "{uses:?}");
    let image = workflow["jobs"]["plugin-image"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("docker/build-push-action@")))
        .expect("the plugin image is built");
    assert_eq!(image["with"]["file"], "examples/argocd/Dockerfile");
    assert_eq!(image["with"]["context"], ".");
}
