//! `environments/<env>.yaml`: each environment's facts and the overrides it may make. The chart's
//! values have no Rust type here: their shape is the chart's own `values.schema.json`. This type
//! is the schema of the environment files: `rulesctl schema` derives it from here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `environments/<env>.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "rulesctl environment")]
pub struct Environment {
    pub cluster: Cluster,
    /// Deep-merged over values.yaml; only the allowed paths may appear.
    #[serde(default)]
    pub overrides: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// What one node can give a pod.
    pub allocatable: Allocatable,
    /// The Kubernetes Secrets that exist in this environment.
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// Kubernetes quantities: `250m`, `1`, `128Mi`, `1Gi`, `500M`, `1e3`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocatable {
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?([numkMGTPE]|[KMGTPE]i|[eE][0-9]+)?$"))]
    pub cpu: String,
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?([numkMGTPE]|[KMGTPE]i|[eE][0-9]+)?$"))]
    pub memory: String,
    /// Checked against `ephemeral-storage` limits when given.
    #[serde(rename = "ephemeral-storage", default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?([numkMGTPE]|[KMGTPE]i|[eE][0-9]+)?$"))]
    pub ephemeral_storage: Option<String>,
}
