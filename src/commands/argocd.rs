//! `rulesctl argocd generate`: the Argo CD config-management plugin's entry point.
//!
//! Argo CD applies whatever `generate` prints, and with pruning on an empty or partial output
//! deletes the application. So everything is built in memory first and printed only when all of
//! it succeeded; any failure prints nothing to stdout, reports on stderr and exits non-zero.

use std::path::Path;

use serde_json::json;

use crate::commands::check::{analyze, Analysis};
use crate::commands::render::blocking_errors;
use crate::emit::artifact::{file_name, ruleset_value, Compiled};
use crate::emit::{canonical, hash, values};
use crate::source::WorkTree;

/// The variable Argo CD sets from the Application's plugin env `RULESCTL_ENV`.
pub const ENV_VAR: &str = "ARGOCD_ENV_RULESCTL_ENV";

/// Why nothing was generated.
pub enum Failure {
    /// Exit 2: the plugin is misconfigured (no environment variable, unknown environment).
    Usage(String),
    /// Exit 1: the inputs have errors; report them.
    Invalid(Box<Analysis>),
}

/// Generates the manifests for the application at `root`: the ruleset ConfigMap.
///
/// # Errors
///
/// See [`Failure`].
pub fn generate(root: &Path, environment: Option<&str>, app_name: Option<&str>) -> Result<String, Failure> {
    let env = environment.filter(|e| !e.is_empty()).ok_or_else(|| {
        Failure::Usage(format!(
            "{ENV_VAR} is not set: give the Application `plugin: {{env: [{{name: RULESCTL_ENV, value: <environment>}}]}}`; Argo CD passes it as {ENV_VAR}"
        ))
    })?;
    let analysis = analyze(&WorkTree { root: root.to_path_buf() });
    let Some(doc) = analysis.deploy.environments.iter().find(|e| e.name == env) else {
        let known: Vec<&str> = analysis.deploy.environments.iter().map(|e| e.name.as_str()).collect();
        return Err(Failure::Usage(format!("unknown environment `{env}` in {ENV_VAR} (known: {})", known.join(", "))));
    };
    if blocking_errors(&analysis, doc) > 0 {
        return Err(Failure::Invalid(Box::new(analysis)));
    }
    let Some(compiled) = ruleset_value(&analysis.ruleset).map(Compiled::new) else {
        return Err(Failure::Invalid(Box::new(analysis)));
    };
    let (artifact, _) = canonical::pretty(&compiled.artifact(json!({ "rulesctl": env!("CARGO_PKG_VERSION") })));
    let app = app_name.map(str::to_string).unwrap_or_else(|| {
        root.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default()
    });
    let name = format!("{}-ruleset", k8s_name(&app));
    let file = file_name(compiled.version());
    let config_map = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "labels": { "app.kubernetes.io/managed-by": "rulesctl", "app.kubernetes.io/part-of": k8s_name(&app) },
            "annotations": {
                "rulesctl.dev/ruleset-version": compiled.version(),
                "rulesctl.dev/ruleset-digest": compiled.digest,
                "rulesctl.dev/environment": env,
            },
        },
        "data": {
            file.clone(): artifact,
            format!("{file}.sha256"): format!("{}  {file}\n", hash::hex(artifact.as_bytes())),
        },
    });
    Ok(format!("---\n{}", values::yaml(&config_map)))
}

/// A Kubernetes object name (DNS-1123 label) from an application or folder name.
fn k8s_name(raw: &str) -> String {
    let lower: String =
        raw.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let trimmed = lower.trim_matches('-');
    let cut: String = trimmed.chars().take(50).collect();
    let cut = cut.trim_end_matches('-');
    if cut.is_empty() {
        "rules".to_string()
    } else {
        cut.to_string()
    }
}
