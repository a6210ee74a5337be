//! The documents rulesctl writes for other tools to read: an environment's rendered Helm values
//! (YAML that Helm's YAML 1.1 and YAML 1.2 read alike) and the JSON Schemas of the rules and
//! environment files. Artifacts live in `artifact`, generated code in `codegen`.

pub mod schema;
pub mod values;
