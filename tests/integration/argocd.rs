//! Argo CD: `rulesctl argocd generate` alone, and the plugin's generate command as the repo server
//! runs it, with a `helm` backed by the real Helm engine.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_tree, python, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A copy of the bundled example: the application's source folder.
fn app() -> Repo {
    let repo = Repo::empty();
    let root = Path::new(ROOT);
    std::fs::copy(root.join("rulesctl.hcl"), repo.path().join("rulesctl.hcl")).expect("copy");
    for dir in ["examples", "environments"] {
        std::fs::create_dir_all(repo.path().join(dir)).expect("mkdir");
        copy_tree(&root.join(dir), &repo.path().join(dir));
    }
    repo
}

/// A folder holding `rulesctl` and a `helm` backed by helm-python-sdk, for PATH.
fn bin_dir(dir: &Path) -> PathBuf {
    let interpreter = python(&["-c", "import sys; print(sys.executable)"]).trim().to_string();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_rulesctl"), bin.join("rulesctl")).expect("symlink");
    let shim = format!("#!/bin/sh\nexec '{interpreter}' '{ROOT}/tests/helm-shim.py' \"$@\"\n");
    std::fs::write(bin.join("helm"), shim).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("helm"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    bin
}

/// The plugin's generate command and arguments, read from plugin.yaml.
fn generate_command() -> Vec<String> {
    let script = "import json,sys,yaml\np=yaml.safe_load(open(sys.argv[1]))\ng=p['spec']['generate']\nprint(json.dumps(g['command']+g.get('args',[])))";
    let out = python(&["-c", script, &format!("{ROOT}/examples/argocd/plugin.yaml")]);
    serde_json::from_str(&out).expect("command JSON")
}

/// Runs the plugin's generate as the repo server would: in the app folder, with the
/// ARGOCD_ENV_* and ARGOCD_APP_* variables.
fn run_plugin(app: &Repo, bin: &Path, env: Option<&str>) -> std::process::Output {
    let command = generate_command();
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..])
        .current_dir(app.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("ARGOCD_APP_NAME", "game")
        .env("ARGOCD_APP_NAMESPACE", "games")
        .env_remove("ARGOCD_ENV_RULESCTL_ENV");
    if let Some(env) = env {
        cmd.env("ARGOCD_ENV_RULESCTL_ENV", env);
    }
    cmd.output().expect("run the plugin")
}

/// Parses a YAML stream into its objects (with Python's YAML parser).
fn objects(stream: &str, dir: &Path) -> Vec<serde_json::Value> {
    let file = dir.join("stream.yaml");
    std::fs::write(&file, stream).expect("write");
    let script =
        "import json,sys,yaml\nprint(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]))";
    serde_json::from_str(&python(&["-c", script, &file.to_string_lossy()])).expect("objects")
}

#[test]
fn the_plugin_prints_only_manifests_for_every_environment() {
    let app = app();
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    for env in ["dev", "staging", "prod"] {
        let out = run_plugin(&app, &bin, Some(env));
        assert!(out.status.success(), "{env}: {}", String::from_utf8_lossy(&out.stderr));
        let objects = objects(&String::from_utf8_lossy(&out.stdout), scratch.path());
        assert!(objects.len() >= 3, "{env}: {objects:?}");
        for object in &objects {
            for key in ["/apiVersion", "/kind", "/metadata/name"] {
                assert!(
                    object.pointer(key).and_then(|v| v.as_str()).is_some_and(|s| !s.is_empty()),
                    "{env}: {key} missing in {object}"
                );
            }
        }
        let ruleset = objects.iter().find(|o| o["metadata"]["name"] == "game-ruleset").expect("the ruleset ConfigMap");
        assert_eq!(ruleset["kind"], "ConfigMap");
        assert_eq!(ruleset["metadata"]["annotations"]["rulesctl.dev/ruleset-version"], "v2.4.1");
        let digest = ruleset["metadata"]["annotations"]["rulesctl.dev/ruleset-digest"].as_str().unwrap_or_default();
        let artifact: serde_json::Value =
            serde_json::from_str(ruleset["data"]["ruleset-v2.4.1.json"].as_str().unwrap_or_default())
                .expect("artifact JSON");
        assert_eq!(artifact["digest"], digest);
        let deployment = objects.iter().find(|o| o["kind"] == "Deployment").expect("a Deployment");
        assert_eq!(deployment["spec"]["template"]["metadata"]["annotations"]["rulesctl.dev/ruleset-digest"], digest);
    }
}

#[test]
fn a_broken_rule_prints_nothing() {
    let app = app();
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    app.write("examples/rules/loot.hcl", app.read("examples/rules/loot.hcl").replace("weight = 5 ", "weight = 0 "));
    let out = run_plugin(&app, &bin, Some("prod"));
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "stdout must stay empty: {}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[B001]"));
}

#[test]
fn generate_without_the_environment_variable_or_with_an_unknown_one() {
    let app = app();
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let out = run_plugin(&app, &bin, None);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ARGOCD_ENV_RULESCTL_ENV"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let direct = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
        .args(["argocd", "generate"])
        .current_dir(app.path())
        .env_remove("ARGOCD_ENV_RULESCTL_ENV")
        .output()
        .expect("run");
    assert_eq!(direct.status.code(), Some(2));
    assert!(direct.stdout.is_empty());

    let unknown = run_plugin(&app, &bin, Some("qa"));
    assert!(!unknown.status.success() && unknown.stdout.is_empty());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown environment `qa`"));
}

#[test]
fn generate_names_the_config_map_from_the_folder_without_an_app_name() {
    let app = app();
    let out = Command::new(env!("CARGO_BIN_EXE_rulesctl"))
        .args(["argocd", "generate"])
        .current_dir(app.path())
        .env("ARGOCD_ENV_RULESCTL_ENV", "dev")
        .env_remove("ARGOCD_APP_NAME")
        .output()
        .expect("run");
    assert!(out.status.success());
    let folder = app.path().file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("name: \"{}-ruleset\"", folder.trim_start_matches('.'))), "{stdout}");
    assert!(!stdout.contains("secretRef"), "no values, let alone secrets, in the ruleset ConfigMap");
}
