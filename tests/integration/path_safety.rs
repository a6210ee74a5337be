//! Path safety (issue 16, part 4): nothing a repository or a command line says can steer a write
//! outside `dist/`, no link out of the repository is followed, `--root` says what it needs, and
//! an unreadable file or folder is a diagnostic naming it.
//!
//! NUL bytes: a file name, a command-line argument and an environment variable cannot hold one
//! (the operating system refuses them before rulesctl runs), so only what is written inside a
//! file can: HCL's `\u0000` escape. Those cases are tested below.

use std::path::{Path, PathBuf};

use crate::support::{run_at, run_env, Repo, Run};

/// Every file under `dir`, root-relative, sorted (links listed, not followed).
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// The codes and places of a JSON report: (code, file, line, column).
fn places(run: &Run) -> Vec<(String, String, u64, u64)> {
    run.json()["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// A repository inside a folder of its own, so a write that escaped it would land beside it,
/// in `outside`, where the test looks.
struct Sandbox {
    outer: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let outer = tempfile::tempdir().expect("tempdir");
        let repo = Repo::helm();
        std::fs::create_dir_all(outer.path().join("repo")).expect("mkdir");
        crate::support::copy_tree(repo.path(), &outer.path().join("repo"));
        std::fs::create_dir_all(outer.path().join("outside")).expect("mkdir");
        Sandbox { outer }
    }

    fn repo(&self) -> PathBuf {
        self.outer.path().join("repo")
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.repo().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.repo().join(rel)).expect("read")
    }

    fn run(&self, args: &[&str]) -> Run {
        run_at(&self.repo(), args)
    }

    /// Nothing was written outside the repository, nor anywhere in it but `dist/`.
    fn wrote_only_dist(&self, before: &[String]) {
        assert_eq!(files(&self.outer.path().join("outside")), Vec::<String>::new(), "written outside");
        let after: Vec<String> = files(&self.repo()).into_iter().filter(|f| !f.starts_with("dist/")).collect();
        assert_eq!(after, before, "written in the repository outside dist/");
        assert!(files(self.outer.path()).iter().all(|f| f.starts_with("repo/") || f.starts_with("outside/")));
    }

    fn inputs(&self) -> Vec<String> {
        files(&self.repo()).into_iter().filter(|f| !f.starts_with("dist/")).collect()
    }
}

#[test]
fn a_hostile_version_string_is_refused_and_nothing_is_written() {
    for version in ["../../outside/x", "/tmp/x", "v1.0.0/../../../outside/x", "v1.0.0\\u0000.json", "v1.0.0+../x"] {
        let sandbox = Sandbox::new();
        let rules = sandbox.read("rules/ruleset.hcl").replace("\"v1.0.0\"", &format!("\"{version}\""));
        sandbox.write("rules/ruleset.hcl", rules);
        let before = sandbox.inputs();
        let run = sandbox.run(&["build", "--format", "json"]);
        assert_eq!(run.code, 1, "{version}: {}", run.stdout);
        assert_eq!(places(&run)[0], ("D008".to_string(), "rules/ruleset.hcl".to_string(), 1, 19), "{version}");
        assert!(!sandbox.repo().join("dist").exists(), "{version}: dist/ was created");
        sandbox.wrote_only_dist(&before);
    }
}

#[test]
fn a_hostile_dist_setting_is_refused_and_nothing_is_written() {
    for dist in ["../outside", "/tmp/rulesctl-dist", "out\\u0000side", "dist/../../outside"] {
        let sandbox = Sandbox::new();
        let project = sandbox.read("rulesctl.hcl").replace("paths {\n", &format!("paths {{\n  dist = \"{dist}\"\n"));
        sandbox.write("rulesctl.hcl", project);
        let before = sandbox.inputs();
        let run = sandbox.run(&["build", "--format", "json"]);
        assert_eq!(run.code, 1, "{dist}: {}", run.stdout);
        assert_eq!(places(&run)[0], ("D008".to_string(), "rulesctl.hcl".to_string(), 2, 10), "{dist}");
        let message = run.json()["diagnostics"][0]["message"].as_str().unwrap_or_default().to_string();
        assert!(!message.contains('\0'), "a NUL is printed escaped: {message:?}");
        assert!(!Path::new("/tmp/rulesctl-dist").exists());
        sandbox.wrote_only_dist(&before);
    }
}

/// Environment names come from file names: anything but `[a-z0-9-]+` directly in the folder is
/// H013 and never rendered, so it never names a folder under `dist/`.
#[test]
fn a_hostile_environment_name_is_refused_and_nothing_is_written() {
    for name in ["..", ".", "UP", "a b", "sub/prod", "-"] {
        let sandbox = Sandbox::new();
        sandbox.write(&format!("environments/{name}.yaml"), sandbox.read("environments/dev.yaml"));
        let before = sandbox.inputs();
        let run = sandbox.run(&["build", "--format", "json"]);
        if name == "-" {
            // A valid name, if an odd one: it renders inside dist/.
            assert_eq!(run.code, 0, "{}", run.stdout);
            assert!(sandbox.repo().join("dist/-/values.yaml").is_file());
        } else if name == "." || name == ".." {
            // `..yaml` and `...yaml` are hidden files: never read, like editor swap files.
            assert_eq!(run.code, 0, "{name}: {}", run.stdout);
            assert!(files(&sandbox.repo().join("dist"))
                .iter()
                .all(|f| f.starts_with("ruleset-") || f.starts_with("dev/") || f.starts_with("prod/")));
        } else {
            assert_eq!(run.code, 1, "{name}: {}", run.stdout);
            let (code, file, _, _) = places(&run)[0].clone();
            assert_eq!((code.as_str(), file), ("H013", format!("environments/{name}.yaml")), "{name}");
            assert!(!sandbox.repo().join("dist").exists(), "{name}: dist/ was created");
        }
        sandbox.wrote_only_dist(&before);
    }
}

/// `render --env` and `argocd generate` print, never write; a hostile name is an unknown
/// environment (exit 2) and prints nothing on stdout.
#[test]
fn render_and_argocd_take_no_path_for_an_environment() {
    let sandbox = Sandbox::new();
    let before = sandbox.inputs();
    for env in ["../../outside/x", "/etc/passwd", "dev/../prod", "dev/", ""] {
        let run = sandbox.run(&["render", "--env", env]);
        assert_eq!(run.code, 2, "{env}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.is_empty(), "{env}");
        let run = run_env(&sandbox.repo(), &["argocd", "generate"], &[("ARGOCD_ENV_RULESCTL_ENV", env)]);
        assert_eq!(run.code, 2, "{env}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.is_empty(), "{env}");
    }
    assert!(!sandbox.repo().join("dist").exists());
    sandbox.wrote_only_dist(&before);
}

/// `inject` names values paths, never files: a path-like key is a key in the rendered values,
/// which are written under `dist/` only; a key with a control character is refused.
#[test]
fn an_injected_path_never_names_a_file() {
    let inject = |sandbox: &Sandbox, path: &str| {
        let project = sandbox
            .read("rulesctl.hcl")
            .replace("  inject = {\n", &format!("  inject = {{\n    \"{path}\" = \"ruleset_version\"\n"));
        sandbox.write("rulesctl.hcl", project);
        // The chart's schema would refuse an unknown top-level key; this test is about paths.
        sandbox.write("chart/values.schema.json", "{\"type\": \"object\"}");
    };
    for path in ["../../outside/x", "a\\u0000b", ".hidden", "x..y"] {
        let sandbox = Sandbox::new();
        inject(&sandbox, path);
        let before = sandbox.inputs();
        let run = sandbox.run(&["build", "--format", "json"]);
        assert_eq!(run.code, 1, "{path}: {}", run.stdout);
        assert_eq!(places(&run)[0], ("D008".to_string(), "rulesctl.hcl".to_string(), 8, 5), "{path}");
        sandbox.wrote_only_dist(&before);
    }
    for path in ["/etc/passwd.x", "outside/x"] {
        let sandbox = Sandbox::new();
        inject(&sandbox, path);
        let before = sandbox.inputs();
        let run = sandbox.run(&["build"]);
        assert_eq!(run.code, 0, "{path}: {}", run.stdout);
        let rendered = sandbox.read("dist/prod/values.yaml");
        let key = path.split('.').next().unwrap_or_default();
        assert!(rendered.contains(&format!("\"{key}\":")), "{path}: {rendered}");
        sandbox.wrote_only_dist(&before);
    }
}

#[test]
fn emit_takes_only_its_named_formats() {
    let sandbox = Sandbox::new();
    let before = sandbox.inputs();
    for emit in ["../outside/x", "/tmp/x", "rust/../../x", "json,../x"] {
        let run = sandbox.run(&["build", "--emit", emit]);
        assert_eq!(run.code, 2, "{emit}: {}", run.stderr);
        assert!(run.stderr.contains("invalid value"), "{emit}: {}", run.stderr);
    }
    assert!(!sandbox.repo().join("dist").exists());
    sandbox.wrote_only_dist(&before);
}

/// A `dist` that is a link out of the repository, or one of its environment folders that is,
/// is refused before anything is written there (L005).
#[cfg(unix)]
#[test]
fn a_dist_linked_outside_the_repository_is_never_written_through() {
    let sandbox = Sandbox::new();
    let before = sandbox.inputs();
    std::os::unix::fs::symlink(sandbox.outer.path().join("outside"), sandbox.repo().join("dist")).expect("symlink");
    let run = sandbox.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(places(&run), [("L005".to_string(), "dist/ruleset-v1.0.0.json".to_string(), 1, 1)]);
    assert!(run.json()["outputs"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(files(&sandbox.outer.path().join("outside")), Vec::<String>::new());
    std::fs::remove_file(sandbox.repo().join("dist")).expect("unlink");
    // Only the environment's folder leads out: the artifact is written, that folder is not.
    std::fs::create_dir_all(sandbox.repo().join("dist")).expect("mkdir");
    std::os::unix::fs::symlink(sandbox.outer.path().join("outside"), sandbox.repo().join("dist/dev")).expect("symlink");
    let run = sandbox.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(places(&run), [("L005".to_string(), "dist/dev/values.yaml".to_string(), 1, 1)]);
    assert_eq!(files(&sandbox.outer.path().join("outside")), Vec::<String>::new());
    assert!(sandbox.repo().join("dist/ruleset-v1.0.0.json").is_file());
    std::fs::remove_file(sandbox.repo().join("dist/dev")).expect("unlink");
    let run = sandbox.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    sandbox.wrote_only_dist(&before);
}

/// Every kind of input that is a link out of the repository is refused (L005) at its own path,
/// and what it leads to is never read.
#[cfg(unix)]
#[test]
fn every_input_linked_outside_the_repository_is_refused() {
    let cases: [(&str, &str); 7] = [
        ("rules/caves.hcl", "rules/caves.hcl"),
        ("rules", "rules"),
        ("values.yaml", "values.yaml"),
        ("environments/prod.yaml", "environments/prod.yaml"),
        ("environments", "environments"),
        ("chart/values.schema.json", "chart/values.schema.json"),
        ("chart", "chart/values.schema.json"),
    ];
    for (link, reported) in cases {
        let sandbox = Sandbox::new();
        let target = sandbox.outer.path().join("outside").join("target");
        std::fs::rename(sandbox.repo().join(link), &target).expect("move out");
        std::os::unix::fs::symlink(&target, sandbox.repo().join(link)).expect("symlink");
        let run = sandbox.run(&["check", "--format", "json"]);
        assert_eq!(run.code, 1, "{link}: {}", run.stdout);
        let found = places(&run);
        assert!(found.contains(&("L005".to_string(), reported.to_string(), 1, 1)), "{link}: {found:?}");
        assert!(found.iter().all(|(code, ..)| code != "L001" && code != "L006"), "{link}: {found:?}");
        assert!(!found.iter().any(|(_, file, ..)| file.contains("target")), "{link}: the target was listed");
        if link == "environments" {
            // The linked folder is refused, not taken for an environment of that name.
            let run = sandbox.run(&["render", "--env", "environments"]);
            assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        }
    }
    let sandbox = Sandbox::new();
    let target = sandbox.outer.path().join("outside").join("rulesctl.hcl");
    std::fs::rename(sandbox.repo().join("rulesctl.hcl"), &target).expect("move out");
    std::os::unix::fs::symlink(&target, sandbox.repo().join("rulesctl.hcl")).expect("symlink");
    let run = sandbox.run(&["check", "--format", "json"]);
    assert!(places(&run).contains(&("L005".to_string(), "rulesctl.hcl".to_string(), 1, 1)), "{}", run.stdout);
}

/// A link to `/` in the rules folder is refused at once: the walk never goes through it.
#[cfg(unix)]
#[test]
fn a_link_to_the_file_system_root_is_not_walked() {
    let repo = Repo::base();
    std::os::unix::fs::symlink("/", repo.path().join("rules/everything")).expect("symlink");
    let run = repo.run(&["check", "--format", "json"]);
    // One diagnostic at the link: a walk through `/` would have listed (and reported) far more.
    assert_eq!(places(&run), [("L005".to_string(), "rules/everything".to_string(), 1, 1)]);
}

#[test]
fn root_must_name_a_folder() {
    let repo = Repo::base();
    let cwd = tempfile::tempdir().expect("tempdir");
    let file = repo.path().join("rules/caves.hcl");
    let run = run_at(cwd.path(), &["check", "--root", &file.to_string_lossy()]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    let expected = format!(
        "error: --root {}: this is a file, not a folder; pass the repository's folder, the one holding rulesctl.hcl or rules/ (perhaps --root {})\n",
        file.display(),
        repo.path().join("rules").display()
    );
    assert_eq!(run.stderr, expected);
    let missing = repo.path().join("no-such-folder");
    let run = run_at(cwd.path(), &["build", "--root", &missing.to_string_lossy()]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "error: --root {}: no such folder; pass the repository's folder, the one holding rulesctl.hcl or rules/\n",
            missing.display()
        )
    );
    let run = run_at(cwd.path(), &["check", "--root", &missing.to_string_lossy(), "--format", "json"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["kind"], "repository");
    assert!(!missing.exists(), "nothing was created");
}

/// How to run rulesctl so that permissions deny reads: as this user, or, when this is root
/// (whom permissions do not stop), as `nobody` through setpriv. `None` (with the reason
/// printed) when neither is possible.
#[cfg(unix)]
fn unprivileged() -> Option<Vec<String>> {
    let uid = std::process::Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some(Vec::new());
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].into_iter().find(|p| Path::new(p).exists());
    match setpriv {
        Some(setpriv) => Some(
            [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"].iter().map(|s| (*s).to_string()).collect(),
        ),
        None => {
            println!("skipped: running as root, where permissions do not deny reads, and setpriv is missing");
            None
        }
    }
}

/// A file or folder the operating system refuses to read is L001 naming it (exit 2), never a
/// silent gap in the ruleset.
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_with_their_path() {
    use std::os::unix::fs::PermissionsExt;
    let Some(prefix) = unprivileged() else { return };
    let cases = [
        ("rules/loot.hcl", "rules/loot.hcl"),
        ("rules/regions", "rules/regions"),
        ("values.yaml", "values.yaml"),
        ("environments/prod.yaml", "environments/prod.yaml"),
        ("chart/values.schema.json", "chart/values.schema.json"),
    ];
    for (path, reported) in cases {
        let sandbox = Sandbox::new();
        sandbox.write("rules/regions/extra.hcl", "# nothing yet\n");
        let everyone = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(sandbox.outer.path(), everyone.clone()).expect("chmod");
        std::fs::set_permissions(sandbox.repo().join(path), std::fs::Permissions::from_mode(0o000)).expect("chmod");
        let mut command = prefix.clone();
        command.push(env!("CARGO_BIN_EXE_rulesctl").to_string());
        command.extend(["check", "--format", "json"].map(String::from));
        let out = std::process::Command::new(&command[0])
            .args(&command[1..])
            .current_dir(sandbox.repo())
            .env("NO_COLOR", "1")
            .output()
            .expect("run rulesctl");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        std::fs::set_permissions(sandbox.repo().join(path), everyone).expect("chmod back");
        assert_eq!(run.code, 2, "{path}: {}{}", run.stdout, run.stderr);
        let report = run.json();
        let d = report["diagnostics"]
            .as_array()
            .and_then(|ds| ds.iter().find(|d| d["code"] == "L001"))
            .unwrap_or_else(|| panic!("{path}: no L001 in {report}"));
        assert_eq!((d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some(reported), Some(1), Some(1)));
        assert_eq!(d["message"], format!("cannot read `{reported}`: Permission denied (os error 13)"), "{path}");
    }
}
