//! Argo CD: `rulesctl argocd generate` alone, and the plugin's discover and generate commands as
//! the repo server runs them, with a `helm` backed by the real Helm engine.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_tree, git, python, Repo};

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

/// The plugin's `spec` from plugin.yaml, as JSON.
fn plugin_spec() -> serde_json::Value {
    let script = "import json,sys,yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))['spec']))";
    let out = python(&["-c", script, &format!("{ROOT}/examples/argocd/plugin.yaml")]);
    serde_json::from_str(&out).expect("spec JSON")
}

/// A plugin command (`command` + `args`) as a list of words.
fn words(command: &serde_json::Value) -> Vec<String> {
    let all =
        command["command"].as_array().into_iter().flatten().chain(command["args"].as_array().into_iter().flatten());
    all.map(|w| w.as_str().expect("a string").to_string()).collect()
}

/// The plugin's generate command and arguments, read from plugin.yaml.
fn generate_command() -> Vec<String> {
    words(&plugin_spec()["generate"])
}

/// Runs the plugin's generate as the repo server would: in the app folder, with the
/// ARGOCD_ENV_* and ARGOCD_APP_* variables.
fn run_plugin(app: &Repo, bin: &Path, env: Option<&str>) -> std::process::Output {
    run_plugin_with(app, bin, env, &[])
}

/// [`run_plugin`] with more `ARGOCD_ENV_*` variables (an Application's `plugin.env`).
fn run_plugin_with(app: &Repo, bin: &Path, env: Option<&str>, more: &[(&str, &str)]) -> std::process::Output {
    let command = generate_command();
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..])
        .current_dir(app.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("ARGOCD_APP_NAME", "game")
        .env("ARGOCD_APP_NAMESPACE", "games")
        .env_remove("ARGOCD_ENV_RULESCTL_ENV")
        .envs(more.iter().copied());
    if let Some(env) = env {
        cmd.env("ARGOCD_ENV_RULESCTL_ENV", env);
    }
    cmd.output().expect("run the plugin")
}

/// Runs the plugin's discovery in `dir` as argocd-cmp-server does: `find.command` in the source
/// folder, matching when it exits 0 and prints something. Returns whether it matched.
fn discovers(dir: &Path) -> bool {
    let spec = plugin_spec();
    let discover = &spec["discover"];
    assert!(
        discover.get("fileName").is_none() && discover["find"].get("glob").is_none(),
        "Argo CD evaluates fileName, then find.glob, before find.command: {discover}"
    );
    let command = words(&discover["find"]);
    let out = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(dir)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("run discover");
    assert!(out.status.success(), "discovery fails only by printing nothing: {}", String::from_utf8_lossy(&out.stderr));
    !out.stdout.iter().all(u8::is_ascii_whitespace)
}

/// A rules repository without rulesctl.hcl: rules/, values.yaml, environments/ and a chart
/// (without a values schema: nothing injects the digest here), all at their default paths.
fn app_without_project_file() -> Repo {
    let repo = Repo::empty();
    let root = Path::new(ROOT);
    for (from, to) in [("examples/rules", "rules"), ("examples/chart", "chart")] {
        std::fs::create_dir_all(repo.path().join(to)).expect("mkdir");
        copy_tree(&root.join(from), &repo.path().join(to));
    }
    std::fs::remove_file(repo.path().join("chart/values.schema.json")).expect("rm");
    let values = std::fs::read_to_string(root.join("examples/chart/values.yaml")).expect("values");
    repo.write(
        "values.yaml",
        values.replace("config:\n", "config:\n  rulesetVersion: \"v2.4.1\"\n").replace(
            "      repository: \"registry.internal/rules-sidecar\"\n",
            "      repository: \"registry.internal/rules-sidecar\"\n      tag: \"v2.4.1\"\n",
        ),
    );
    for env in ["dev", "prod"] {
        repo.write(
            &format!("environments/{env}.yaml"),
            "cluster:\n  allocatable: {cpu: \"4\", memory: \"8Gi\"}\n  secrets: [redis-auth]\n",
        );
    }
    repo
}

/// The ruleset ConfigMap in a plugin's output.
fn ruleset_config_map(objects: &[serde_json::Value]) -> &serde_json::Value {
    objects.iter().find(|o| o["metadata"]["name"] == "game-ruleset").expect("the ruleset ConfigMap")
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

#[test]
fn discovery_finds_every_rules_repository() {
    assert!(discovers(app().path()), "rulesctl.hcl");
    let rules_only = Repo::base();
    assert!(!rules_only.path().join("rulesctl.hcl").exists());
    assert!(discovers(rules_only.path()), "a rules/ folder of .hcl files, no rulesctl.hcl");
    let nested = Repo::empty();
    nested.write("rules/regions/caves.hcl", "ruleset_version = \"v1.0.0\"\n");
    assert!(discovers(nested.path()), "rule files below rules/");

    let neither = Repo::empty();
    assert!(!discovers(neither.path()), "an empty folder");
    neither.write("chart/Chart.yaml", "apiVersion: v2\nname: x\nversion: 0.1.0\n");
    neither.write("rules/README.md", "rules come later\n");
    neither.write("rules/.draft.hcl", "# an editor's file\n");
    neither.write("main.hcl", "terraform {}\n");
    assert!(!discovers(neither.path()), "a chart, a rules/ folder without rule files, an .hcl elsewhere");
}

/// A repository without rulesctl.hcl (it is optional) is discovered, and the plugin generates
/// its manifests.
#[test]
fn the_plugin_serves_a_repository_without_a_project_file() {
    let app = app_without_project_file();
    assert!(!app.path().join("rulesctl.hcl").exists());
    assert_eq!(app.run(&["check"]).code, 0, "{}", app.run(&["check"]).stdout);
    assert!(discovers(app.path()));
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let out = run_plugin_with(&app, &bin, Some("prod"), &[("ARGOCD_ENV_RULESCTL_CHART", "chart")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let objects = objects(&String::from_utf8_lossy(&out.stdout), scratch.path());
    let ruleset = ruleset_config_map(&objects);
    assert_eq!(ruleset["metadata"]["annotations"]["rulesctl.dev/ruleset-version"], "v2.4.1");
    assert!(objects.iter().any(|o| o["kind"] == "Deployment"), "{objects:?}");
}

/// The artifact in the ConfigMap Argo CD applies is, byte for byte, the one `build` writes (in git
/// or not, clean or dirty), and the `.sha256` that CI publishes verifies it with `sha256sum -c`.
#[test]
fn the_config_map_holds_the_artifact_ci_builds_byte_for_byte() {
    let app = app();
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    git(app.path(), &["init", "-q"]);
    git(app.path(), &["add", "."]);
    git(app.path(), &["commit", "-qm", "rules"]);
    let ci = app.run(&["build"]);
    assert_eq!(ci.code, 0, "{}", ci.stdout);
    let artifact = std::fs::read(app.path().join("dist/ruleset-v2.4.1.json")).expect("artifact");
    let sums = std::fs::read(app.path().join("dist/ruleset-v2.4.1.json.sha256")).expect("sums");
    let statement: serde_json::Value = serde_json::from_slice(
        &std::fs::read(app.path().join("dist/ruleset-v2.4.1.provenance.json")).expect("statement"),
    )
    .expect("statement JSON");
    assert_eq!(statement["predicate"]["buildDefinition"]["externalParameters"]["source"]["dirty"], false);
    // An uncommitted comment: another provenance, the same artifact.
    app.write("examples/rules/loot.hcl", format!("# retune soon\n{}", app.read("examples/rules/loot.hcl")));
    std::fs::remove_dir_all(app.path().join("dist")).expect("rm");
    assert_eq!(app.run(&["build"]).code, 0);
    assert_eq!(std::fs::read(app.path().join("dist/ruleset-v2.4.1.json")).expect("artifact"), artifact);

    for env in ["dev", "prod"] {
        let out = run_plugin(&app, &bin, Some(env));
        assert!(out.status.success(), "{env}: {}", String::from_utf8_lossy(&out.stderr));
        let objects = objects(&String::from_utf8_lossy(&out.stdout), scratch.path());
        let data = &ruleset_config_map(&objects)["data"];
        let in_cluster = data["ruleset-v2.4.1.json"].as_str().expect("artifact in the ConfigMap");
        assert!(in_cluster.as_bytes() == artifact.as_slice(), "{env}: the ConfigMap's artifact differs from build's");
        assert_eq!(data["ruleset-v2.4.1.json.sha256"].as_str().map(str::as_bytes), Some(sums.as_slice()), "{env}");

        // What a sidecar or an auditor does: the mounted file, checked with CI's checksum file.
        let mounted = scratch.path().join(format!("mounted-{env}"));
        std::fs::create_dir_all(&mounted).expect("mkdir");
        std::fs::write(mounted.join("ruleset-v2.4.1.json"), in_cluster).expect("write");
        std::fs::write(mounted.join("ruleset-v2.4.1.json.sha256"), &sums).expect("write");
        let check = Command::new("sha256sum")
            .args(["-c", "ruleset-v2.4.1.json.sha256"])
            .current_dir(&mounted)
            .output()
            .expect("sha256sum");
        assert!(check.status.success(), "{env}: {}", String::from_utf8_lossy(&check.stdout));
        assert_eq!(String::from_utf8_lossy(&check.stdout), "ruleset-v2.4.1.json: OK\n");
        std::fs::write(mounted.join("ruleset-v2.4.1.json"), in_cluster.replacen("95", "96", 1)).expect("tamper");
        let tampered = Command::new("sha256sum")
            .args(["-c", "ruleset-v2.4.1.json.sha256"])
            .current_dir(&mounted)
            .output()
            .expect("sha256sum");
        assert!(!tampered.status.success(), "the check can fail");
    }
}

/// The plugin renders the chart rulesctl.hcl names, wherever it lives: the example's chart moved
/// to `deploy/game` needs no `RULESCTL_CHART` (the plugin once defaulted to `examples/chart`).
/// A project file that names no chart, or a chart folder without Chart.yaml, stops the plugin
/// before it prints anything, with a message that says what to set.
#[test]
fn the_plugin_takes_the_chart_from_the_project_file() {
    let app = app();
    std::fs::create_dir_all(app.path().join("deploy")).expect("mkdir");
    std::fs::rename(app.path().join("examples/chart"), app.path().join("deploy/game")).expect("move the chart");
    app.write("rulesctl.hcl", app.read("rulesctl.hcl").replace("examples/chart", "deploy/game"));
    assert_eq!(app.run(&["check"]).code, 0, "{}", app.run(&["check"]).stdout);
    let chart = app.run(&["argocd", "chart"]);
    assert_eq!((chart.code, chart.stdout.as_str()), (0, "deploy/game\n"));

    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let out = run_plugin(&app, &bin, Some("prod"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let objects = objects(&String::from_utf8_lossy(&out.stdout), scratch.path());
    assert!(objects.iter().any(|o| o["kind"] == "Deployment"), "{objects:?}");

    // No chart in the project file: exit 2, nothing on stdout, and the plugin prints nothing.
    let project = app.read("rulesctl.hcl");
    app.write("rulesctl.hcl", project.replace("  chart        = \"deploy/game\"\n", ""));
    let none = app.run(&["argocd", "chart"]);
    assert_eq!(none.code, 2);
    assert!(none.stdout.is_empty() && none.stderr.contains("paths { chart"), "{}", none.stderr);
    let out = run_plugin(&app, &bin, Some("prod"));
    assert!(!out.status.success() && out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));

    // A chart path without a Chart.yaml.
    app.write("rulesctl.hcl", project.replace("deploy/game", "deploy"));
    let empty = app.run(&["argocd", "chart"]);
    assert_eq!(empty.code, 2);
    assert!(empty.stderr.contains("`deploy` (paths.chart in rulesctl.hcl) holds no Chart.yaml"), "{}", empty.stderr);
}

/// A minimal chart `name` at `version` in `dir`, whose one template is a ConfigMap named after
/// the release and the chart, so its presence in the output shows Helm rendered it.
fn subchart(dir: &Path, name: &str, version: &str) {
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(dir.join("Chart.yaml"), format!("apiVersion: v2\nname: {name}\nversion: {version}\n"))
        .expect("write");
    let template = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Release.Name }}}}-{name}\ndata:\n  from: {name}\n"
    );
    std::fs::write(dir.join("templates/configmap.yaml"), template).expect("write");
}

/// The example app with `dependencies` added to its chart's Chart.yaml, and the chart's schema
/// letting each dependency's values through (Helm puts a `<name>:` key in for every subchart).
fn app_with_dependencies(dependencies: &str, names: &[&str]) -> Repo {
    let app = app();
    let chart = app.path().join("examples/chart");
    let yaml = std::fs::read_to_string(chart.join("Chart.yaml")).expect("Chart.yaml");
    std::fs::write(chart.join("Chart.yaml"), format!("{yaml}dependencies:\n{dependencies}")).expect("write");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(chart.join("values.schema.json")).expect("schema"))
            .expect("JSON");
    for name in names {
        schema["properties"][*name] = serde_json::json!({"type": "object"});
    }
    std::fs::write(chart.join("values.schema.json"), serde_json::to_string_pretty(&schema).expect("JSON"))
        .expect("write");
    assert_eq!(app.run(&["check"]).code, 0, "{}", app.run(&["check"]).stdout);
    app
}

const REDIS: &str = "  - name: redis\n    version: 17.3.7\n    repository: https://charts.bitnami.com/bitnami\n";

/// Chart dependencies vendored under `charts/`, as an archive (what `helm dependency build`
/// writes) or as a folder: `argocd chart` passes, nothing is to be built, and the plugin's
/// `helm template` renders them with no network.
#[test]
fn the_plugin_renders_a_chart_with_vendored_dependencies() {
    let app = app_with_dependencies(
        &format!("{REDIS}  - name: metrics\n    version: \"~1.2\"\n    repository: oci://registry.internal/charts\n"),
        &["redis", "metrics"],
    );
    let scratch = tempfile::tempdir().expect("tempdir");
    let charts = app.path().join("examples/chart/charts");
    subchart(&scratch.path().join("redis"), "redis", "17.3.7");
    std::fs::create_dir_all(&charts).expect("mkdir");
    let tar = Command::new("tar")
        .args([
            "-czf",
            &charts.join("redis-17.3.7.tgz").to_string_lossy(),
            "-C",
            &scratch.path().to_string_lossy(),
            "redis",
        ])
        .output()
        .expect("tar");
    assert!(tar.status.success(), "{}", String::from_utf8_lossy(&tar.stderr));
    subchart(&charts.join("metrics"), "metrics", "1.2.3");

    let chart = app.run(&["argocd", "chart"]);
    assert_eq!((chart.code, chart.stdout.as_str()), (0, "examples/chart\n"), "{}", chart.stderr);
    let to_build = app.run(&["argocd", "chart", "--to-build"]);
    assert_eq!((to_build.code, to_build.stdout.as_str()), (0, ""), "{}", to_build.stderr);

    let bin = bin_dir(scratch.path());
    let out = run_plugin(&app, &bin, Some("prod"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let objects = objects(&String::from_utf8_lossy(&out.stdout), scratch.path());
    for name in ["game-redis", "game-metrics", "game-ruleset"] {
        assert!(objects.iter().any(|o| o["metadata"]["name"] == name), "{name} missing: {objects:?}");
    }
}

/// A dependency that is not vendored would need a download the repo server may not be able to
/// make: `argocd chart` exits 2 naming it and saying how to vendor it, and the plugin prints
/// nothing, so Argo CD keeps the last good state.
#[test]
fn a_dependency_that_is_not_vendored_is_named() {
    let app = app_with_dependencies(REDIS, &["redis"]);
    let chart = app.run(&["argocd", "chart"]);
    assert_eq!((chart.code, chart.stdout.as_str()), (2, ""), "{}", chart.stderr);
    for needed in [
        "`examples/chart/Chart.yaml` depends on `redis` 17.3.7 from https://charts.bitnami.com/bitnami",
        "not vendored in `examples/chart/charts/`",
        "helm dependency build examples/chart",
        "commit `examples/chart/charts/redis-<version>.tgz`",
    ] {
        assert!(chart.stderr.contains(needed), "`{needed}` missing: {}", chart.stderr);
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let out = run_plugin(&app, &bin, Some("prod"));
    assert!(!out.status.success() && out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("depends on `redis`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // An archive of another chart does not count; one of this chart's name does.
    let charts = app.path().join("examples/chart/charts");
    std::fs::create_dir_all(&charts).expect("mkdir");
    std::fs::write(charts.join("redis-cluster-9.0.0.tgz"), "").expect("write");
    assert_eq!(app.run(&["argocd", "chart"]).code, 2);
    std::fs::write(charts.join("redis-17.3.7.tgz"), "").expect("write");
    assert_eq!(app.run(&["argocd", "chart"]).code, 0);
}

/// Local (`file://`) dependencies not yet packaged are built offline by the plugin with `helm
/// dependency build --skip-refresh`; beside a remote one (which that would download again) they
/// are refused, and a `file://` path that holds no chart is named.
#[test]
fn local_dependencies_are_built_offline() {
    let app = app_with_dependencies(
        "  - name: common\n    version: 0.1.0\n    repository: file://../libs/common\n",
        &["common"],
    );
    subchart(&app.path().join("examples/libs/common"), "common", "0.1.0");
    let to_build = app.run(&["argocd", "chart", "--to-build"]);
    assert_eq!((to_build.code, to_build.stdout.as_str()), (0, "common\n"), "{}", to_build.stderr);

    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let out = run_plugin(&app, &bin, Some("dev"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("Saving common"), "helm's own output stays out of the manifests: {stdout}");
    let objects = objects(&stdout, scratch.path());
    assert!(objects.iter().any(|o| o["metadata"]["name"] == "game-common"), "{objects:?}");
    assert!(app.path().join("examples/chart/charts/common-0.1.0.tgz").exists());
    let again = app.run(&["argocd", "chart", "--to-build"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "packaged now");

    // Beside a vendored remote dependency, `helm dependency build` would download it again.
    std::fs::remove_file(app.path().join("examples/chart/charts/common-0.1.0.tgz")).expect("rm");
    let yaml = app.read("examples/chart/Chart.yaml");
    app.write("examples/chart/Chart.yaml", format!("{yaml}{REDIS}"));
    subchart(&app.path().join("examples/chart/charts/redis"), "redis", "17.3.7");
    let mixed = app.run(&["argocd", "chart"]);
    assert_eq!(mixed.code, 2, "{}", mixed.stdout);
    assert!(
        mixed.stderr.contains("local dependency `common` is not packaged")
            && mixed.stderr.contains("download `redis` again"),
        "{}",
        mixed.stderr
    );

    // A file:// path with no chart there.
    app.write("examples/chart/Chart.yaml", yaml.replace("libs/common", "libs/gone"));
    let gone = app.run(&["argocd", "chart"]);
    assert_eq!(gone.code, 2);
    assert!(gone.stderr.contains("`common` from file://../libs/gone, which is not a chart folder"), "{}", gone.stderr);
}

/// `ARGOCD_ENV_RULESCTL_CHART` overrides the project file's chart, and its dependencies are
/// checked the same way.
#[test]
fn the_chart_override_is_checked_too() {
    let app = app();
    subchart(&app.path().join("deploy/other"), "other", "1.0.0");
    let run = |chart: &str| {
        crate::support::run_env(app.path(), &["argocd", "chart"], &[("ARGOCD_ENV_RULESCTL_CHART", chart)])
    };
    let other = run("deploy/other/");
    assert_eq!((other.code, other.stdout.as_str()), (0, "deploy/other\n"), "{}", other.stderr);
    app.write("deploy/other/Chart.yaml", format!("{}dependencies:\n{REDIS}", app.read("deploy/other/Chart.yaml")));
    let missing = run("deploy/other");
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("`deploy/other/Chart.yaml` depends on `redis`"), "{}", missing.stderr);
    let nowhere = run("deploy");
    assert!(nowhere.stderr.contains("`deploy` (ARGOCD_ENV_RULESCTL_CHART) holds no Chart.yaml"), "{}", nowhere.stderr);
}

/// A values-only project (no rule files): the plugin's output is the chart's manifests alone,
/// with no ruleset ConfigMap, and `generate` says why on stderr.
#[test]
fn a_values_only_project_generates_no_ruleset_config_map() {
    let app = Repo::empty();
    app.write("rulesctl.hcl", "paths {\n  chart = \"chart\"\n}\n\nrender {\n  allow_overrides = [\"replicas\"]\n}\n");
    app.write("values.yaml", "replicas: 1\n");
    app.write(
        "environments/prod.yaml",
        "cluster:\n  allocatable: {cpu: \"2\", memory: \"4Gi\"}\n  secrets: []\noverrides:\n  replicas: 3\n",
    );
    app.write("chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n");
    app.write(
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: {{ .Values.replicas }}\n",
    );
    app.write("chart/values.yaml", "replicas: 1\n");
    assert_eq!(app.run(&["check"]).code, 0, "{}", app.run(&["check"]).stdout);
    assert!(discovers(app.path()));
    let generate = crate::support::run_env(app.path(), &["argocd", "generate"], &[("ARGOCD_ENV_RULESCTL_ENV", "prod")]);
    assert_eq!((generate.code, generate.stdout.as_str()), (0, ""), "{}", generate.stderr);
    assert!(generate.stderr.contains("no ruleset ConfigMap"), "{}", generate.stderr);

    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = bin_dir(scratch.path());
    let out = run_plugin(&app, &bin, Some("prod"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let objects = objects(&String::from_utf8_lossy(&out.stdout), scratch.path());
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(objects[0]["kind"], "Deployment");
    assert_eq!(objects[0]["spec"]["replicas"], 3);
    assert!(!objects.iter().any(|o| o["kind"] == "ConfigMap"), "{objects:?}");
    assert!(!app.path().join("dist").exists(), "generate writes nothing");
}
