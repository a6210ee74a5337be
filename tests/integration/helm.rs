//! The example chart rendered by the real Helm engine (helm-python-sdk) from `rulesctl render`.

use std::path::Path;

use crate::support::{run_at, Repo};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Renders the example chart with `values` through Helm; `Err(helm's message)` when it refuses.
fn helm_template(values: &Path, release: &str) -> Result<serde_json::Value, String> {
    let setup =
        std::process::Command::new("bash").arg(Path::new(ROOT).join("tests/python-env.sh")).output().expect("bash");
    assert!(setup.status.success(), "{}", String::from_utf8_lossy(&setup.stderr));
    let python = String::from_utf8_lossy(&setup.stdout).trim().to_string();
    let out = std::process::Command::new(python)
        .arg(Path::new(ROOT).join("tests/helm_render.py"))
        .arg(Path::new(ROOT).join("examples/chart"))
        .arg(values)
        .args([release, "games"])
        .output()
        .expect("python");
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("JSON objects"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn every_environment_renders_through_real_helm() {
    let digest = run_at(Path::new(ROOT), &["check", "--format", "json"]);
    assert_eq!(digest.code, 0);
    let dir = tempfile::tempdir().expect("tempdir");
    for (env, replicas, memory_limit) in [("dev", 1, "256Mi"), ("staging", 3, "256Mi"), ("prod", 12, "512Mi")] {
        let rendered = run_at(Path::new(ROOT), &["render", "--env", env]);
        assert_eq!(rendered.code, 0, "{}", rendered.stderr);
        let file = dir.path().join(format!("{env}.yaml"));
        std::fs::write(&file, &rendered.stdout).expect("write");
        let objects =
            helm_template(&file, &format!("game-{env}")).unwrap_or_else(|e| panic!("{env}: helm refused: {e}"));
        let find = |kind: &str| {
            objects.as_array().and_then(|o| o.iter().find(|x| x["kind"] == kind)).cloned().unwrap_or_default()
        };
        let deployment = &find("Deployment")["object"];
        assert_eq!(deployment["spec"]["replicas"], replicas, "{env}");
        let sidecar = &deployment["spec"]["template"]["spec"]["containers"][1];
        assert_eq!(sidecar["image"], "registry.internal/rules-sidecar:v2.4.1");
        assert_eq!(sidecar["resources"]["limits"]["memory"], memory_limit, "{env}");
        let config = &find("ConfigMap")["object"];
        assert!(
            config["data"]["rulesetDigest"].as_str().is_some_and(|d| d.starts_with("sha256:") && d.len() == 71),
            "{env}: {config}"
        );
        assert_eq!(
            deployment["spec"]["template"]["metadata"]["annotations"]["rulesctl.dev/ruleset-digest"],
            config["data"]["rulesetDigest"]
        );
    }
}

#[test]
fn the_charts_schema_rejects_a_bad_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rendered = run_at(Path::new(ROOT), &["render", "--env", "prod"]).stdout;
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, rendered.replace("replicaCount: 12", "replicaCount: 0")).expect("write");
    let err = helm_template(&file, "game").expect_err("replicaCount 0 must be rejected");
    assert!(err.contains("/gameServer/replicaCount") && err.contains("minimum"), "{err}");
    std::fs::write(
        &file,
        run_at(Path::new(ROOT), &["render", "--env", "prod"])
            .stdout
            .replace("strategy: \"BlueGreen\"", "strategy: \"Recreate\""),
    )
    .expect("write");
    assert!(helm_template(&file, "game").is_err(), "an unknown strategy must be rejected");
}

/// rulesctl validates with the chart's own schema: the same file Helm reads rejects a value in
/// `rulesctl check`, at its line, naming the schema.
#[test]
fn the_charts_own_schema_is_the_values_schema() {
    let repo = Repo::empty();
    for rel in ["rulesctl.hcl", "environments/dev.yaml"] {
        repo.write(rel, std::fs::read(Path::new(ROOT).join(rel)).expect("read"));
    }
    crate::support::copy_tree(&Path::new(ROOT).join("examples"), &{
        std::fs::create_dir_all(repo.path().join("examples")).expect("mkdir");
        repo.path().join("examples")
    });
    assert_eq!(repo.run(&["check"]).code, 0, "{}", repo.run(&["check"]).stdout);
    let values = repo.read("examples/chart/values.yaml");
    repo.write(
        "examples/chart/values.yaml",
        values.replace(
            "  replicaCount: 3
",
            "  replicaCount: 0
",
        ),
    );
    let run = repo.run(&["check", "--format", "json"]);
    let d = &run.json()["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["file"].as_str(), d["line"].as_u64()),
        (Some("H001"), Some("examples/chart/values.yaml"), Some(5)),
        "{d}"
    );
    assert!(d["help"].as_str().is_some_and(|h| h.contains("examples/chart/values.schema.json")), "{d}");
}

#[test]
fn helm_injected_global_passes_the_schema() {
    let repo = Repo::helm();
    repo.write("values.yaml", repo.read("values.yaml") + "global:\n  imageRegistry: \"registry.internal\"\n");
    assert_eq!(repo.run(&["check"]).code, 0);
}
