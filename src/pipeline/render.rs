//! Rendering one environment from an analysis. A problem belongs to the environment it lives in:
//! errors whose place is another environment's file do not block this one.

use crate::diagnostic::Severity;
use crate::model::deploy::EnvDoc;
use crate::pipeline::deploy::rendered_file;
use crate::pipeline::Analysis;

/// Why an environment cannot be rendered.
#[derive(Debug)]
pub enum RenderError {
    /// There is no such environment; the message lists the known ones.
    Unknown(String),
    /// The inputs this environment needs have errors (they are in the analysis's diagnostics).
    Blocked,
}

impl Analysis {
    /// The environment called `name`.
    ///
    /// # Errors
    ///
    /// [`RenderError::Unknown`], naming the environments there are.
    pub fn environment(&self, name: &str) -> Result<&EnvDoc, RenderError> {
        self.deploy.environments.iter().find(|e| e.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.deploy.environments.iter().map(|e| e.name.as_str()).collect();
            let list =
                if known.is_empty() { "there are none".to_string() } else { format!("known: {}", known.join(", ")) };
            // `render --env prod` next to `prod.yml`: say why it is not an environment.
            let yml = self.diagnostics.iter().find(|d| {
                d.code.id == crate::pipeline::unread::YML_ENVIRONMENT.id && d.environments.iter().any(|e| e == name)
            });
            match yml {
                Some(d) => {
                    let path = &self.sources.get(d.primary.span.file).path;
                    RenderError::Unknown(format!(
                        "unknown environment `{name}`: `{path}` is not read, environment files end in `.yaml` ({})",
                        d.help.as_deref().unwrap_or("rename it")
                    ))
                }
                None => {
                    let hint = match crate::model::decode::close_match(name, known.iter().copied()) {
                        Some(close) => format!(": did you mean `{close}`?"),
                        None => String::new(),
                    };
                    RenderError::Unknown(format!("unknown environment `{name}`{hint} ({list})"))
                }
            }
        })
    }

    /// Errors that stop `env` from rendering: those that concern every environment, and those
    /// that exist in this one (see `pipeline::scope`).
    pub fn blocking_errors(&self, env: &EnvDoc) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .filter(|d| d.environments.is_empty() || d.environments.contains(&env.name))
            .count()
    }

    /// Keeps only the diagnostics that concern environment `name` (those of every environment,
    /// and its own), for a report about why it does not render.
    pub fn keep_concerning(&mut self, name: &str) {
        self.diagnostics.retain(|d| d.environments.is_empty() || d.environments.iter().any(|e| e == name));
    }

    /// Environment `name`'s rendered values file: a header naming its sources, then the values.
    ///
    /// # Errors
    ///
    /// See [`RenderError`].
    pub fn render(&self, name: &str) -> Result<String, RenderError> {
        let env = self.environment(name)?;
        if self.blocking_errors(env) > 0 {
            return Err(RenderError::Blocked);
        }
        let compiled = if self.values_only { None } else { Some(self.compiled().ok_or(RenderError::Blocked)?) };
        let Some(merged) = &env.merged else {
            // Rendered as soon as merged (`analyze_for_build`), or not renderable.
            return env.rendered_file.clone().ok_or(RenderError::Blocked);
        };
        let values_file = self.deploy.values.as_ref().and_then(|v| v.file);
        let ruleset = compiled.map(|c| (c.version(), c.digest.as_str()));
        Ok(rendered_file(&env.name, env.file, values_file, merged, ruleset, &self.sources))
    }
}
