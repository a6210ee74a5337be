//! `values.yaml` and `environments/<env>.yaml`: the chart's values and each environment's facts.
//! These types are the schema: `rulesctl schema` derives the JSON Schemas from them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The chart's values. Unknown keys are errors.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "rulesctl values")]
pub struct Values {
    pub game_server: GameServer,
    pub config: Config,
    pub cache: Cache,
    pub deployment: Deployment,
    /// Injected by Helm into subcharts; allowed so the chart's schema accepts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GameServer {
    #[schemars(range(min = 1, max = 1000))]
    pub replica_count: u32,
    pub sidecar: Sidecar,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sidecar {
    pub enabled: bool,
    /// `registry/name:tag`; the tag must equal `ruleset_version`.
    #[schemars(regex(pattern = r"^[^\s:@]+(:[0-9]+)?(/[^\s:@]+)*:[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$"))]
    pub image: String,
    pub resources: Resources,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub requests: ResourceList,
    pub limits: ResourceList,
}

/// Kubernetes quantities: `250m`, `1`, `128Mi`, `1Gi`, `500M`, `1e3`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceList {
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?([numkMGTPE]|[KMGTPE]i|[eE][0-9]+)?$"))]
    pub cpu: String,
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?([numkMGTPE]|[KMGTPE]i|[eE][0-9]+)?$"))]
    pub memory: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Must equal the ruleset's `ruleset_version`.
    #[schemars(regex(pattern = r"^v[0-9]+\.[0-9]+\.[0-9]+"))]
    pub ruleset_version: String,
    /// `host:port`, port 1..=65535.
    #[schemars(regex(pattern = r"^[A-Za-z0-9.-]+:[0-9]{1,5}$"))]
    pub gossip_endpoint: String,
    /// A duration: `500ms`, `10s`, `5m`, `1h`, `1m30s`.
    #[schemars(regex(pattern = r"^([0-9]+(ms|s|m|h))+$"))]
    pub merkle_sync_interval: String,
    /// A duration; must equal `duplicate_event_window_ms`.
    #[schemars(regex(pattern = r"^([0-9]+(ms|s|m|h))+$"))]
    pub vector_clock_window: String,
    /// Set by `rulesctl render` to the artifact's digest, so a ruleset change rolls the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub ruleset_digest: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cache {
    /// `redis://host:port`, with no credentials in it.
    #[schemars(regex(pattern = r"^rediss?://"))]
    pub url: String,
    pub auth: Auth,
}

/// A credential is only ever a reference to a Kubernetes Secret.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Auth {
    pub secret_ref: SecretRef,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    #[schemars(regex(pattern = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"))]
    pub name: String,
    #[schemars(length(min = 1))]
    pub key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Deployment {
    pub strategy: Strategy,
    /// A duration of at most 5m.
    #[schemars(regex(pattern = r"^([0-9]+(ms|s|m|h))+$"))]
    pub rollback_timeout: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
pub enum Strategy {
    BlueGreen,
    Canary,
    RollingUpdate,
}

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
    pub allocatable: ResourceList,
    /// The Kubernetes Secrets that exist in this environment.
    #[serde(default)]
    pub secrets: Vec<String>,
}
