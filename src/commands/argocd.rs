//! `rulesctl argocd generate`: the Argo CD config-management plugin's entry point.
//!
//! Argo CD applies whatever `generate` prints, and with pruning on an empty or partial output
//! deletes the application. So everything is built in memory first and printed only when all of
//! it succeeded; any failure prints nothing to stdout, reports on stderr and exits non-zero.

use serde_json::json;

use crate::artifact::compiled::file_name;
use crate::cli::{ArgocdChartArgs, Globals};
use crate::codegen::wasm;
use crate::commands::Outcome;
use crate::emit::values;
use crate::error::Error;
use crate::model::chart::{self as dependencies, Plan};
use crate::pipeline::{analyze, Analysis, RenderError};
use crate::publish::checksum_line;
use crate::report::{Extra, OutputFormat, View};
use crate::source::{root, WorkTree};

/// The variable Argo CD sets from the Application's plugin env `RULESCTL_ENV`.
pub const ENV_VAR: &str = "ARGOCD_ENV_RULESCTL_ENV";

/// The variable Argo CD sets from the Application's plugin env `RULESCTL_CHART`: a chart folder
/// that overrides `paths.chart`.
pub const CHART_VAR: &str = "ARGOCD_ENV_RULESCTL_CHART";

/// The chart the plugin's `helm template` renders, relative to the repository root, where the
/// plugin runs: [`CHART_VAR`] when set, else the folder `rulesctl.hcl` names (`paths { chart =
/// ... }`), so the chart is named in one place. Its dependencies are checked against its
/// vendored `charts/` folder (`model::chart`'s rule), since the repo server may have no network;
/// with `--to-build`, the local dependencies `helm dependency build --skip-refresh` must package
/// first are printed instead.
///
/// # Errors
///
/// No repository, no chart named (or one that is not a folder with a Chart.yaml), or a
/// dependency that is not vendored and cannot be built offline.
pub fn chart(args: &ArgocdChartArgs, globals: &Globals) -> Result<Outcome, Error> {
    let root = root::scope(globals.root.as_deref(), &globals.projects)?.one("argocd chart")?;
    let tree = WorkTree::new(root.clone());
    let (chart, named_by) = match std::env::var(CHART_VAR).ok().filter(|c| !c.is_empty()) {
        Some(chart) => (chart.trim_end_matches('/').to_string(), CHART_VAR),
        None => match crate::pipeline::project(&tree).chart {
            Some(chart) => (chart.value, "paths.chart in rulesctl.hcl"),
            None => {
                return Err(Error::Usage(
                    "rulesctl.hcl names no chart: add `paths { chart = \"<chart folder>\" }`, or set RULESCTL_CHART in the Application's plugin env".to_string(),
                ))
            }
        },
    };
    if !crate::io::exists(&root.join(&chart).join("Chart.yaml")) {
        return Err(Error::Input(format!(
            "`{chart}` ({named_by}) holds no Chart.yaml: vendor the chart into the repository there, or correct the path"
        )));
    }
    let plan = dependencies::plan(&tree, &chart).map_err(|problem| Error::Input(problem.to_string()))?;
    let text = match (args.to_build, plan) {
        (false, _) => format!("{chart}\n"),
        (true, Plan::Ready) => String::new(),
        (true, Plan::Build(names)) => names.iter().map(|n| format!("{n}\n")).collect(),
    };
    Ok(Outcome::text(text, 0))
}

/// Generates the manifests for the application at the repository root: the ruleset ConfigMap.
/// The environment comes from [`ENV_VAR`], the application's name from `ARGOCD_APP_NAME` (else
/// the folder's name).
///
/// # Errors
///
/// No repository, no environment variable, an unknown environment: the plugin is misconfigured.
pub fn run(globals: &Globals) -> Result<Outcome, Error> {
    let root = root::scope(globals.root.as_deref(), &globals.projects)?.one("argocd generate")?;
    let env = std::env::var(ENV_VAR).ok().filter(|e| !e.is_empty()).ok_or_else(|| {
        Error::Usage(format!(
            "{ENV_VAR} is not set: give the Application `plugin: {{env: [{{name: RULESCTL_ENV, value: <environment>}}]}}`; Argo CD passes it as {ENV_VAR}"
        ))
    })?;
    let app = std::env::var("ARGOCD_APP_NAME")
        .ok()
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| root::folder_name(&root).unwrap_or_default());
    let mut analysis = analyze(&WorkTree::new(root), None);
    let doc = match analysis.environment(&env) {
        Ok(doc) => doc,
        Err(RenderError::Unknown(message)) => return Err(Error::Usage(format!("{ENV_VAR}: {message}"))),
        Err(RenderError::Blocked) => return Ok(invalid(&analysis)),
    };
    if analysis.blocking_errors(doc) > 0 {
        analysis.keep_concerning(&env);
        return Ok(invalid(&analysis));
    }
    if analysis.values_only {
        // No ruleset, so no ruleset ConfigMap: the plugin's `helm template` of the rendered
        // values is the whole application.
        let note = format!("rulesctl: {env} is valid; a values-only project has no ruleset ConfigMap to generate\n");
        return Ok(Outcome { stderr: note, ..Outcome::default() });
    }
    let Some(compiled) = analysis.compiled() else {
        return Ok(invalid(&analysis));
    };
    // The very bytes `build` writes, so the checksum CI publishes verifies this ConfigMap.
    let artifact = compiled.artifact_text();
    let name = format!("{}-ruleset", k8s_name(&app));
    let file = file_name(compiled.version());
    let mut data_size = file.len() * 2 + ".sha256".len() + artifact.len() + 64 + file.len() + 3;
    let binary = if analysis.project.argocd_wasm {
        let module = wasm::module(compiled).map_err(|e| Error::Input(format!("the WebAssembly module: {e}")))?;
        let name = wasm::file_name(compiled.version());
        data_size += name.len() * 2 + ".sha256".len() + module.len() + 64 + name.len() + 3;
        if data_size > CONFIG_MAP_LIMIT {
            return Err(Error::Input(format!(
                "the ruleset ConfigMap would hold {data_size} bytes ({name} is {} of them), over Kubernetes' \
                 limit of {CONFIG_MAP_LIMIT} bytes (1 MiB) for a ConfigMap's data and binaryData: the API server \
                 would reject it. Remove `emit = [\"wasm\"]` from `argocd {{ }}` in rulesctl.hcl and ship the \
                 module another way (an image, an OCI artifact), or split the ruleset",
                module.len()
            )));
        }
        Some((name, module))
    } else {
        None
    };
    let mut config_map = json!({
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
            format!("{file}.sha256"): checksum_line(&file, artifact.as_bytes()),
        },
    });
    if let Some((name, module)) = binary {
        config_map["data"][format!("{name}.sha256")] = json!(checksum_line(&name, &module));
        config_map["binaryData"] = json!({ name: base64(&module) });
    }
    Ok(Outcome::text(format!("---\n{}", values::yaml(&config_map)), 0))
}

/// What Kubernetes accepts in one ConfigMap: its `data` and `binaryData` keys and values
/// (`binaryData` counted decoded) together.
pub const CONFIG_MAP_LIMIT: usize = 1024 * 1024;

/// Standard base64 with padding, as `binaryData` holds bytes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Nothing on stdout, so Argo CD keeps the last good state; the human report on stderr.
fn invalid(analysis: &Analysis) -> Outcome {
    let human = OutputFormat::Human { color: false };
    Outcome::report(
        View::of(human).limited(&analysis.project.limits),
        &analysis.diagnostics,
        &analysis.sources,
        analysis.files,
        &Extra::default(),
        1,
    )
    .on_stderr()
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

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_pads_as_rfc_4648_says() {
        for (raw, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(raw.as_bytes()), encoded, "{raw:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }
}
