//! Nothing ignored in silence: files and folders that look meant for rulesctl but that it does
//! not read are named. `environments/prod.yml` is an error (it would otherwise be an
//! environment that silently never renders); anything else in the environments folder, a
//! `.hcl` file outside the rules paths, and a folder whose name nearly matches the rules or
//! environments folder are warnings.

use crate::diagnostic::Span;
use crate::diagnostic::{declare_code, Diagnostic, Sink};
use crate::model::project::Project;
use crate::source::root::PROJECT_FILE;
use crate::source::{Sources, Tree};

declare_code! {
    /// An environment file ends in `.yml`; environment files end in `.yaml`.
    ///
    /// rulesctl reads `environments/<env>.yaml` only, so `environments/prod.yml` would be an
    /// environment that is never checked nor rendered while every other one is green.
    /// `render --env prod` says so too.
    ///
    /// Fix: rename the file, `environments/prod.yml` to `environments/prod.yaml` (when both
    /// exist, merge the `.yml` into the `.yaml` and delete it).
    pub static YML_ENVIRONMENT = ("H017", "environment-file-yml", Error);
}

declare_code! {
    /// A file that looks meant for rulesctl is not read.
    ///
    /// Every file in the environments folder is an environment, so anything else there (a
    /// `README.md`, a `prod.json`, a `prod.yaml.bak`) is not read; nor is a `.hcl` file outside
    /// the rules paths (in the repository root, other than `rulesctl.hcl`, or among the
    /// environments). Its rules or values would silently not count. So too a chart dependency
    /// archive (`charts/<name>-<version>.tgz`) that is no gzipped tar holding a `values.yaml`:
    /// its defaults are not known to the checks (and `helm` would refuse the archive).
    ///
    /// Fix: move the file where it is read (rules under `paths { rules = ... }`, environments as
    /// `environments/<env>.yaml`), add its path to `paths { rules = [...] }`, or move it out; for
    /// an archive, vendor it again (`helm dependency build` where there is network).
    pub static UNREAD_FILE = ("H018", "file-not-read", Warning);
}

declare_code! {
    /// A folder named nearly like the rules or environments folder is not read.
    ///
    /// rulesctl reads `rules/` and `environments/` (or what `paths` names): rule files in
    /// `rule/`, or environment files in `environment/` or `env/`, are never checked.
    ///
    /// Fix: rename the folder (`environment/` to `environments/`), or name it in
    /// `paths { environments = "..." }` / `paths { rules = [...] }` in rulesctl.hcl.
    pub static NEAR_MISS_FOLDER = ("H019", "near-miss-folder", Warning);
}

/// Folder names one slip away from `environments` and `rules`.
const NEAR_ENVIRONMENTS: [&str; 7] =
    ["environment", "env", "envs", "enviroments", "enviroment", "environs", "environnements"];
const NEAR_RULES: [&str; 4] = ["rule", "ruleset", "rulesets", "rulse"];

/// Names what the project leaves unread; `rule_files` are the rule files it does read.
pub fn report(tree: &dyn Tree, project: &Project, rule_files: &[String], sources: &mut Sources, sink: &mut Sink) {
    let env_root = project.environments.value.trim_end_matches('/').to_string();
    let at = |sources: &mut Sources, rel: &str| Span::file(sources.add(rel.to_string(), String::new()));
    // The environments folder, one level: `.yaml` files are environments (H013 names a bad one).
    let listed = match env_root.as_str() {
        "" | "." => Err(Vec::new()),
        _ => tree.list_files(std::slice::from_ref(&env_root), ""),
    };
    if let Ok(entries) = listed {
        for rel in entries.iter().filter(|rel| rel.as_str() != env_root && !rel.ends_with(".yaml")) {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            if let Some(stem) = name.strip_suffix(".yml") {
                let new = format!("{env_root}/{stem}.yaml");
                let help = if tree.exists(&new) {
                    format!("`{new}` exists too: merge this file into it and delete this one")
                } else {
                    format!("rename it to `{new}`")
                };
                let mut d = Diagnostic::new(
                    &YML_ENVIRONMENT,
                    at(sources, rel),
                    format!("`{rel}` is not read: environment files end in `.yaml`"),
                )
                .help(help);
                d.environments = vec![stem.to_string()];
                sink.push(d);
            } else if is_folder(tree, rel) {
                // Nested environments are listed with the `.yaml` files (and named by H013).
            } else if name.ends_with(".hcl") {
                sink.push(stray_hcl(at(sources, rel), rel));
            } else {
                sink.push(
                    Diagnostic::new(
                        &UNREAD_FILE,
                        at(sources, rel),
                        format!(
                            "`{rel}` is not read: every file in `{env_root}/` should be an environment, `<env>.yaml`"
                        ),
                    )
                    .help(format!("move it out of `{env_root}/`, or name it `<env>.yaml` if it is an environment")),
                );
            }
        }
    }
    let Ok(top) = tree.list_files(&[".".to_string()], "") else { return };
    for rel in &top {
        if rel.ends_with(".hcl") && rel != PROJECT_FILE && !rule_files.contains(rel) && !is_folder(tree, rel) {
            sink.push(stray_hcl(at(sources, rel), rel));
        }
    }
    // Near misses of the configured folders, when those are the defaults' neighbours and hold
    // what the real folder would (so a Python `env/` virtualenv is left alone).
    let rule_roots: Vec<&str> = project.rules.iter().map(|p| p.value.trim_end_matches('/')).collect();
    for rel in top.iter().filter(|rel| is_folder(tree, rel)) {
        let lower = rel.to_ascii_lowercase();
        let near_env =
            rel != &env_root && (NEAR_ENVIRONMENTS.contains(&lower.as_str()) || lower == env_root.to_ascii_lowercase());
        let near_rules = !rule_roots.contains(&rel.as_str())
            && (NEAR_RULES.contains(&lower.as_str()) || rule_roots.iter().any(|r| r.to_ascii_lowercase() == lower));
        let holds = |suffixes: &[&str]| {
            suffixes.iter().any(|s| tree.list_files(std::slice::from_ref(rel), s).is_ok_and(|f| !f.is_empty()))
        };
        let (what, meant) = if near_env && holds(&[".yaml", ".yml"]) {
            ("environment files", env_root.as_str())
        } else if near_rules && holds(&[".hcl"]) {
            ("rule files", rule_roots.first().copied().unwrap_or("rules"))
        } else {
            continue;
        };
        sink.push(
            Diagnostic::new(
                &NEAR_MISS_FOLDER,
                at(sources, rel),
                format!("the folder `{rel}/` holds {what} but is not read: rulesctl reads `{meant}/`"),
            )
            .help(format!("rename `{rel}/` to `{meant}/`, or name it in `paths {{ ... }}` in rulesctl.hcl")),
        );
    }
}

fn stray_hcl(span: Span, rel: &str) -> Diagnostic {
    Diagnostic::new(&UNREAD_FILE, span, format!("`{rel}` is not read: it is outside the rules paths"))
        .help("move it under `rules/`, or add it to `paths { rules = [...] }` in rulesctl.hcl")
}

/// Whether `rel` is a folder: listed, it yields its entries rather than itself.
fn is_folder(tree: &dyn Tree, rel: &str) -> bool {
    tree.list_files(&[rel.to_string()], "").is_ok_and(|f| f.first().is_none_or(|first| first != rel))
}
