//! The CI examples run as written: the book's CI guide's block marked `<!-- ci-example -->` and the build
//! step of `examples/ci/github-actions.yml`, with bash, in a committed copy of the bundled example
//! repository, the built `rulesctl` first on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{copy_tree, git, python, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The book's CI guide, which holds the example.
const PAGE: &str = "docs/src/guides/ci.md";

/// What marks the CI guide's example: the next fenced block is the one run here.
const MARKER: &str = "<!-- ci-example";

/// The shell lines of the CI guide's example: the ```sh block right after the marker.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(Path::new(ROOT).join(PAGE)).expect(PAGE);
    let at = readme.find(MARKER).unwrap_or_else(|| {
        panic!("{PAGE} has no `{MARKER} -->` marker before its CI example's ```sh fence: put it back, so this test runs the example")
    });
    let after = &readme[at..];
    let rest = after.split_once("-->\n").map(|(_, rest)| rest).expect("the marker is an HTML comment on its own line");
    let body = rest
        .strip_prefix("```sh\n")
        .or_else(|| rest.strip_prefix("```bash\n"))
        .unwrap_or_else(|| panic!("the CI example marker must be followed directly by a ```sh fence:\n{rest:.200}"));
    let end = body.find("\n```").expect("the CI example's fence is closed");
    format!("{}\n", &body[..end])
}

/// The `run:` script of the github-actions.yml step that verifies the artifact.
fn workflow_build_step() -> String {
    let script = "import json,sys,yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    let workflow: serde_json::Value =
        serde_json::from_str(&python(&["-c", script, &format!("{ROOT}/examples/ci/github-actions.yml")]))
            .expect("workflow JSON");
    let steps = workflow["jobs"]["rulesctl"]["steps"].as_array().expect("steps");
    let run = steps.iter().filter_map(|s| s["run"].as_str()).find(|r| r.contains("rulesctl verify"));
    run.expect("a step that runs `rulesctl verify`").to_string()
}

/// A committed copy of the bundled example: the project file, rules, chart and environments.
fn example_repo() -> Repo {
    let repo = Repo::empty();
    let root = Path::new(ROOT);
    std::fs::copy(root.join("rulesctl.hcl"), repo.path().join("rulesctl.hcl")).expect("copy");
    for dir in ["examples/rules", "examples/chart", "environments"] {
        std::fs::create_dir_all(repo.path().join(dir)).expect("mkdir");
        copy_tree(&root.join(dir), &repo.path().join(dir));
    }
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "rules"]);
    repo
}

/// A folder holding only `rulesctl`, to put first on PATH.
fn bin_dir(scratch: &Path) -> PathBuf {
    let bin = scratch.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_rulesctl"), bin.join("rulesctl")).expect("symlink");
    bin
}

/// Runs `script` as a CI runner does (`bash -e -o pipefail`) in `repo` with `BASE` set.
fn run_script(repo: &Repo, bin: &Path, script: &str, base: &str) -> Output {
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", script])
        .current_dir(repo.path())
        .env("PATH", path)
        .env("BASE", base)
        .env("NO_COLOR", "1")
        .output()
        .expect("run bash")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_readme_ci_example_runs_as_written() {
    let script = readme_example();
    assert!(script.contains("rulesctl build") && script.contains("rulesctl verify"), "{script}");
    let repo = example_repo();
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let out = run_script(&repo, &bin, &script, &head);
    assert!(out.status.success(), "{script}\n{}", text(&out));
    let printed = text(&out);
    for line in [
        "verified dist/ruleset-v2.4.1.json: 11 sections",
        "verified dist/ruleset-v2.4.1.json.sha256: 1 file matches (ruleset-v2.4.1.json)",
        "verified dist/ruleset-v2.4.1.provenance.json: 1 subject matches (ruleset-v2.4.1.json)",
    ] {
        assert!(printed.contains(line), "`{line}` missing:\n{printed}");
    }

    // Again after a build with every module: the glob takes them all, and still passes.
    assert_eq!(repo.run(&["build", "--emit", "rust,wasm"]).code, 0);
    let out = run_script(&repo, &bin, &script, &head);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("verified dist/ruleset-v2.4.1.wasm: "), "{}", text(&out));
    assert!(text(&out).contains("verified dist/ruleset-v2.4.1.wasm.sha256: "), "{}", text(&out));
}

/// The same CI example, unchanged, on repositories made with `init --chart`: a chart with no
/// game rules (values only: nothing but rendered values to publish) and one `--with-rules`.
#[test]
fn the_ci_example_runs_on_a_repository_made_with_init_chart() {
    let script = readme_example();
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    for (flags, artifact) in [(&[][..], false), (&["--with-rules"][..], true)] {
        let repo = Repo::empty();
        std::fs::create_dir_all(repo.path().join("chart")).expect("mkdir");
        copy_tree(&Path::new(crate::support::FIXTURES).join("charts/bitnami-mariadb"), &repo.path().join("chart"));
        let mut args = vec!["init", "--chart", "chart"];
        args.extend_from_slice(flags);
        assert_eq!(repo.run(&args).code, 0);
        git(repo.path(), &["init", "-q"]);
        git(repo.path(), &["add", "."]);
        git(repo.path(), &["commit", "-qm", "adopt"]);
        let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
        let out = run_script(&repo, &bin, &script, &head);
        assert!(out.status.success(), "{flags:?}\n{script}\n{}", text(&out));
        assert!(repo.path().join("dist/dev/values.yaml").is_file(), "{flags:?}: {}", text(&out));
        let verified = text(&out).contains("verified dist/ruleset-v0.1.0.json: ");
        assert_eq!(verified, artifact, "{flags:?}: {}", text(&out));
        if !artifact {
            assert!(text(&out).contains("nothing to verify in dist"), "{}", text(&out));
        }
    }
}

/// The workflow's build step, as GitHub Actions runs it, on a push (BASE the commit before) and
/// on the branch's first push (BASE all zeros).
#[test]
fn the_workflow_build_step_runs_as_written() {
    let script = workflow_build_step();
    let repo = example_repo();
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    for base in [head.as_str(), "0000000000000000000000000000000000000000"] {
        let out = run_script(&repo, &bin, &script, base);
        assert!(out.status.success(), "BASE={base}\n{script}\n{}", text(&out));
        assert!(text(&out).contains("verified dist/ruleset-v2.4.1.provenance.json"), "{}", text(&out));
    }
}
