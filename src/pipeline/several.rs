//! One report over several projects: each project's files and diagnostics joined, every path
//! under the project's folder as printed from where rulesctl runs (`services/mysql/values.yaml`).

use crate::diagnostic::Diagnostic;
use crate::pipeline::Analysis;
use crate::source::{Limits, Sources};

/// The files and diagnostics of several projects, in report order once [`Joined::finish`]ed.
#[derive(Default)]
pub struct Joined {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// Files read, over every project.
    pub files: usize,
    /// The most diagnostics any one project's limits let a report print.
    pub max_diagnostics: usize,
}

impl Joined {
    /// Adds one project's files (each path under `prefix`; a file of the `--base` revision
    /// `base` stays `REV:` first, as `HEAD:services/mysql/rules/ruleset.hcl`) and diagnostics.
    pub fn add(
        &mut self,
        prefix: &str,
        base: Option<&str>,
        sources: &Sources,
        diagnostics: &[Diagnostic],
        files: usize,
        limits: &Limits,
    ) {
        let rev = base.map(|label| format!("{label}:"));
        let shift = self.sources.append(sources, |path| match rev.as_deref().and_then(|r| path.strip_prefix(r)) {
            Some(rest) => format!("{}{prefix}{rest}", rev.as_deref().unwrap_or_default()),
            None => format!("{prefix}{path}"),
        });
        self.diagnostics.extend(diagnostics.iter().cloned().map(|mut d| {
            d.shift_files(shift);
            d
        }));
        self.files += files;
        self.max_diagnostics = self.max_diagnostics.max(limits.max_diagnostics);
    }

    /// Adds one project's analysis.
    pub fn add_analysis(&mut self, prefix: &str, base: Option<&str>, analysis: &Analysis) {
        self.add(prefix, base, &analysis.sources, &analysis.diagnostics, analysis.files, &analysis.project.limits);
    }

    /// The joined diagnostics in the one report order.
    #[must_use]
    pub fn finish(mut self) -> Self {
        self.sources.sort(&mut self.diagnostics);
        self
    }

    /// The limits a report over all of them is printed under.
    pub fn limits(&self) -> Limits {
        Limits { max_diagnostics: self.max_diagnostics.max(1), ..Limits::DEFAULT }
    }
}
