//! The limits every input is read under. Hostile input (a huge file, a deep nesting, a billion
//! laughs, a million files) must end quickly in a diagnostic, so each of these has a default a
//! real repository never meets; `limits { }` in `rulesctl.hcl` sets them, and
//! `model::project` reads them. `rulesctl.hcl` itself is read under the defaults, since its
//! limits are not known before it is read.

/// Every limit, as one value handed from the project file to the loaders, parsers and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The size of one input file, in bytes (`L004`).
    pub max_file_bytes: u64,
    /// How deep HCL, YAML and the values JSON Schema may nest (`S002`, `Y004`, `H016`).
    pub max_depth: usize,
    /// How many rule and environment files one repository may have (`L009`).
    pub max_files: usize,
    /// How many nodes one YAML document may have once its aliases are expanded (`Y003`).
    pub max_yaml_nodes: usize,
    /// The length of one HCL string or YAML scalar, in bytes (`L010`).
    pub max_string_bytes: usize,
    /// How many diagnostics a report prints; the summary still counts every one.
    pub max_diagnostics: usize,
}

/// The deepest `max_depth` may be set: hcl-edit refuses to parse deeper nesting on its own (to
/// keep its recursive parser off the end of the stack), so a higher limit could not be kept.
pub const DEPTH_CEILING: usize = 64;

impl Limits {
    /// The defaults: 8 MiB files, 64 levels, 100,000 files, 100,000 YAML nodes, 1 MiB strings,
    /// 1,000 printed diagnostics.
    pub const DEFAULT: Limits = Limits {
        max_file_bytes: 8 * 1024 * 1024,
        max_depth: DEPTH_CEILING,
        max_files: 100_000,
        max_yaml_nodes: 100_000,
        max_string_bytes: 1024 * 1024,
        max_diagnostics: 1_000,
    };

    /// The most each limit may be raised to (the dialect's range for `limits { }`): far above
    /// any real repository, low enough that a typo cannot switch a guard off.
    pub const CEILING: Limits = Limits {
        max_file_bytes: 1024 * 1024 * 1024,
        max_depth: DEPTH_CEILING,
        max_files: 10_000_000,
        max_yaml_nodes: 100_000_000,
        max_string_bytes: 1024 * 1024 * 1024,
        max_diagnostics: 1_000_000_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The end of a help line for a limit: how to raise it in `rulesctl.hcl`, or, when it is
/// already as high as it goes, nothing more.
pub fn raise_hint(name: &str, current: u64, ceiling: u64) -> String {
    if current < ceiling {
        format!(", or raise `limits {{ {name} = ... }}` in rulesctl.hcl")
    } else {
        String::new()
    }
}
